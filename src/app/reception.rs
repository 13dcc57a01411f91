//! Reception: registering an access (full form, quick phone contact, API), reading it (audited,
//! reserved notes only for social workers), the day's list.

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::agenda::{self, With};
use super::persons::{check_duplicates, checked_data, Warnings};
use super::{AppError, Ctx};
use crate::domain::access::{Access, AccessData, AccessForm, AnonymousProfile};
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::person::{new_temporary_code, Person, PersonForm};
use crate::domain::policy::{self, Actor};
use crate::domain::referral::Referral;
use crate::domain::user::User;
use crate::domain::Invalid;

/// Who the access is about.
pub enum Who {
    /// A registered person.
    Existing(Uuid),
    /// A person registered together with the access.
    New {
        form: Box<PersonForm>,
        confirm_new: bool,
    },
    Anonymous,
}

/// An access to register, as typed.
pub struct NewAccess {
    pub form: AccessForm,
    pub who: Who,
    /// The quick phone contact (anonymous, one need, no appointment).
    pub quick: bool,
    /// The fingerprint of the appointment's warnings the user has seen and confirmed ("": none).
    pub warnings_seen: String,
}

/// The access record and its follow-up appointment, from checked data.
fn build(
    data: AccessData,
    person_id: Option<Uuid>,
    anonymous: Option<AnonymousProfile>,
    operator: &Actor,
    quick: bool,
    with: Option<&User>,
) -> (Access, Option<Appointment>) {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let appointment = match (data.appointment, person_id, with) {
        (Some((start, purpose)), Some(pid), Some(with)) => Some(Appointment {
            id: Uuid::now_v7(),
            person_id: pid,
            access_id: Some(id),
            operator_id: with.id,
            operator_name: with.full_name.clone(),
            start,
            duration_minutes: DEFAULT_MINUTES,
            place: String::new(),
            purpose,
            cancelled: false,
            cancel_reason: String::new(),
            outcome: None,
            history: Vec::new(),
            created_at: now,
        }),
        _ => None,
    };
    let mut outcomes = data.outcomes;
    if appointment.is_some() && !outcomes.iter().any(|o| o == "appointment_set") {
        outcomes.push("appointment_set".into());
    }
    let access = Access {
        id,
        time: data.time,
        channel: data.channel,
        interlocutor: data.interlocutor,
        reason: data.reason,
        sending_service: data.sending_service,
        person_id,
        anonymous,
        operator_id: operator.id,
        operator_name: operator.full_name.clone(),
        duration_minutes: data.duration_minutes,
        needs: data.needs,
        outcomes,
        notes: data.notes,
        reserved_notes: data.reserved_notes,
        appointment_id: appointment.as_ref().map(|a| a.id),
        quick,
        created_at: now,
        services: Vec::new(),
        unmet: Vec::new(),
        history: Vec::new(),
        interlocutor_name: data.interlocutor_name,
        interlocutor_relation: data.interlocutor_relation,
    };
    (access, appointment)
}

/// Registers an access, with a new person if asked, after every check and the duplicate policy.
pub fn register(ctx: &Ctx, input: NewAccess) -> Result<Access, AppError> {
    policy::desk_records(ctx.actor)?;
    if !input.form.reserved_notes.trim().is_empty() {
        policy::reserved_notes(ctx.actor)?;
    }
    let anonymous = matches!(input.who, Who::Anonymous);
    let known = match &input.who {
        Who::Existing(id) => Some(super::persons::usable(ctx, *id, "nuovo accesso")?),
        _ => None,
    };
    let checked = input
        .form
        .validate(&ctx.reference.vocab, Utc::now(), anonymous);
    let new_person = match &input.who {
        Who::New { form, .. } => Some(checked_data(ctx, form)),
        _ => None,
    };
    if let Ok((data, _)) = &checked {
        super::orientation::check_complaint_services(ctx, &data.needs)?;
    }
    // Every field problem at once, access and person together.
    let (data, profile, new_person) = match (checked, new_person) {
        (Ok((data, profile)), None) => (data, profile, None),
        (Ok((data, profile)), Some(Ok(p))) => (data, profile, Some(p)),
        (Err(mut a), Some(Err(AppError::Invalid(p)))) => {
            a.0.extend(p.0);
            return Err(AppError::Invalid(a));
        }
        (Err(a), _) => return Err(AppError::Invalid(a)),
        (Ok(_), Some(Err(e))) => return Err(e),
    };
    let new_person: Option<Person> = match (new_person, &input.who) {
        (Some(d), Who::New { confirm_new, .. }) => {
            check_duplicates(ctx, &d, *confirm_new)?;
            Some(d.into_new_person(new_temporary_code(), Utc::now()))
        }
        _ => None,
    };
    let person_id = known.as_ref().or(new_person.as_ref()).map(|p| p.id);
    // The follow-up appointment: with the worker chosen, past the same warnings as the agenda's.
    let with = match (&data.appointment, person_id) {
        (Some((start, _)), Some(_)) => {
            let chosen = input.form.appointment_operator.trim();
            let with = if chosen.is_empty() {
                With::Me
            } else {
                With::Id(chosen)
            };
            let operator = agenda::operator_for(ctx, &with)?.ok_or_else(|| {
                Invalid::one(
                    "appointment_operator",
                    "Scegliere un operatore dello sportello (attivo, con un ruolo di sportello).",
                )
            })?;
            let found = agenda::slot_warnings(ctx, *start, DEFAULT_MINUTES, &operator, None)?;
            Warnings::ConfirmFirst(&input.warnings_seen).check(&found)?;
            Some(operator)
        }
        _ => None,
    };
    let (access, appointment) = build(
        data,
        person_id,
        profile,
        ctx.actor,
        input.quick,
        with.as_ref(),
    );
    ctx.store.create_access(
        &access,
        new_person.as_ref(),
        appointment.as_ref(),
        &ctx.actor.username,
    )?;
    Ok(access)
}

/// An access and whether its reader may see the reserved notes (the views show them only then).
pub struct AccessFile {
    pub access: Access,
    pub person: Option<Person>,
    pub reads_reserved: bool,
    pub referrals: Vec<Referral>,
    /// Whether the reader may correct it (its author or a responsabile).
    pub can_edit: bool,
}

/// Reads an access (audited; says when reserved notes were part of the read).
pub fn view(ctx: &Ctx, id: Uuid, channel: &str) -> Result<AccessFile, AppError> {
    policy::desk_records(ctx.actor)?;
    let snap = ctx.store.snapshot()?;
    let access = snap.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    let person = match access.person_id {
        Some(pid) => snap.person(pid)?,
        None => None,
    };
    let referrals = snap.referrals_of_access(id)?;
    drop(snap);
    let reads_reserved = policy::reserved_notes(ctx.actor).is_ok();
    let details = match (reads_reserved && access.has_reserved_notes(), channel) {
        (true, "") => "con note riservate".to_string(),
        (true, c) => format!("con note riservate ({c})"),
        (false, c) => c.to_string(),
    };
    ctx.audit_about(
        Action::AccessView,
        access.person_id,
        id.to_string(),
        details,
    )?;
    Ok(AccessFile {
        can_edit: policy::edit_access(ctx.actor, access.operator_id).is_ok(),
        referrals,
        access,
        person,
        reads_reserved,
    })
}

/// The reserved notes of an access: social workers only (a refusal is audited by the caller's
/// channel like every denial).
pub fn reserved_notes(ctx: &Ctx, id: Uuid) -> Result<Access, AppError> {
    policy::reserved_notes(ctx.actor)?;
    let access = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    ctx.audit_about(
        Action::AccessReservedNotesView,
        access.person_id,
        id.to_string(),
        "",
    )?;
    Ok(access)
}

/// A person's accesses, newest first (audited read).
pub fn of_person(ctx: &Ctx, person: Uuid) -> Result<Vec<Access>, AppError> {
    super::persons::read(ctx, person, "accessi")?;
    Ok(ctx.store.accesses_of(person)?)
}

/// The accesses and appointments of one day for the desk's start page, restricted persons left out.
pub struct Day {
    pub accesses: Vec<(Access, Option<Person>)>,
    pub appointments: Vec<(Appointment, Option<Person>)>,
}

pub fn day(ctx: &Ctx, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Day, AppError> {
    policy::desk_records(ctx.actor)?;
    // One snapshot: the day's list, and who is in it, as at one moment.
    let snap = ctx.store.snapshot()?;
    let accesses = snap.accesses_between(start, end)?;
    let appointments = snap.appointments_between(start, end)?;
    let ids: Vec<Uuid> = accesses
        .iter()
        .filter_map(|a| a.person_id)
        .chain(appointments.iter().map(|a| a.person_id))
        .collect();
    let persons = snap.persons_by_ids(&ids)?;
    drop(snap);
    let find = |id: Option<Uuid>| id.and_then(|id| persons.iter().find(|p| p.id == id).cloned());
    let accesses: Vec<_> = accesses
        .into_iter()
        .rev()
        .map(|a| {
            let p = find(a.person_id);
            (a, p)
        })
        .filter(|(_, p)| policy::listed(p.as_ref()))
        .collect();
    let appointments: Vec<_> = appointments
        .into_iter()
        .map(|a| {
            let p = find(Some(a.person_id));
            (a, p)
        })
        .filter(|(_, p)| policy::listed(p.as_ref()))
        .collect();
    ctx.audit_about(
        Action::AccessList,
        accesses
            .iter()
            .filter_map(|(a, _)| a.person_id)
            .chain(appointments.iter().map(|(a, _)| a.person_id)),
        start.to_rfc3339(),
        format!(
            "{} accessi, {} appuntamenti",
            accesses.len(),
            appointments.len()
        ),
    )?;
    Ok(Day {
        accesses,
        appointments,
    })
}

/// An access with its registered person, for a printed sheet: refused when restricted.
/// The citizen's promemoria of an access: the access, its person and its appointment (audited).
pub fn promemoria(
    ctx: &Ctx,
    id: Uuid,
) -> Result<
    (
        Access,
        Person,
        Option<crate::domain::appointment::Appointment>,
    ),
    AppError,
> {
    let (access, person) = for_print(ctx, id)?;
    let person = person.ok_or(AppError::NotFound("Persona"))?;
    let appointment = match access.appointment_id {
        Some(a) => ctx.store.appointment(a)?,
        None => None,
    };
    ctx.audit_about(
        Action::AccessPrint,
        [person.id],
        id.to_string(),
        format!("persona {}", person.id),
    )?;
    Ok((access, person, appointment))
}

pub fn for_print(ctx: &Ctx, id: Uuid) -> Result<(Access, Option<Person>), AppError> {
    policy::desk_records(ctx.actor)?;
    let access = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    let person = match access.person_id {
        Some(pid) => Some(super::persons::usable(ctx, pid, "stampa")?),
        None => None,
    };
    Ok((access, person))
}
