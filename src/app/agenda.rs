//! The agenda: booking appointments with desk workers, listing them (restricted persons left out).

use crate::domain::audit::Action;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{check_len, AppError, Ctx};
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::person::Person;
use crate::domain::policy::{self, DESK_ROLES};
use crate::domain::user::User;
use crate::domain::Invalid;

pub const MAX_PLACE: usize = 200;
pub const MAX_PURPOSE: usize = 300;

/// The workers an appointment can be with: enabled users with a desk role.
pub fn operators(ctx: &Ctx) -> Result<Vec<User>, AppError> {
    policy::desk_records(ctx.actor)?;
    Ok(ctx
        .store
        .users()?
        .into_iter()
        .filter(|u| !u.disabled && u.has_any_role(&DESK_ROLES))
        .collect())
}

/// Who the appointment is with.
pub enum With<'a> {
    /// The acting user.
    Me,
    /// A user by id (the form's choice).
    Id(&'a str),
    /// A user by username (the API).
    Username(&'a str),
}

/// An appointment to book; `start` is `None` when the typed date or time was not readable (the
/// caller has already named the field in `invalid`).
pub struct NewAppointment<'a> {
    pub person_id: Uuid,
    pub start: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub place: &'a str,
    pub purpose: &'a str,
    pub with: With<'a>,
    /// The name of the start field in the caller's input ("date" on the form, "start" in the API).
    pub start_field: &'static str,
    /// Problems the caller found while reading the input.
    pub invalid: Invalid,
}

/// Books an appointment after every check: not in the past, a sensible duration, a desk worker,
/// text within the form's caps, a person whose processing is not restricted.
pub fn book(ctx: &Ctx, input: NewAppointment) -> Result<Appointment, AppError> {
    policy::desk_records(ctx.actor)?;
    let person = ctx
        .store
        .person(input.person_id)?
        .ok_or(AppError::NotFound("Persona"))?;
    policy::act_on(&person)?;
    let mut invalid = input.invalid;
    if let Some(s) = input.start {
        if s < Utc::now() - Duration::minutes(5) {
            invalid.add(
                input.start_field,
                "L'appuntamento non può essere nel passato.",
            );
        }
    }
    let duration = input.duration_minutes.unwrap_or(DEFAULT_MINUTES);
    if !(5..=480).contains(&duration) {
        invalid.add(
            "duration_minutes",
            "Durata in minuti: un numero da 5 a 480.",
        );
    }
    let operators = operators(ctx)?;
    let operator = match input.with {
        With::Me => operators.iter().find(|u| u.id == ctx.actor.id),
        With::Id(id) => operators.iter().find(|u| u.id.to_string() == id.trim()),
        With::Username(name) => {
            let name = name.trim().to_lowercase();
            operators.iter().find(|u| u.username == name)
        }
    };
    if operator.is_none() {
        invalid.add(
            "operator",
            "Scegliere un operatore dello sportello (attivo, con un ruolo di sportello).",
        );
    }
    check_len(&mut invalid, "place", "Il luogo", input.place, MAX_PLACE);
    check_len(
        &mut invalid,
        "purpose",
        "Il motivo",
        input.purpose,
        MAX_PURPOSE,
    );
    let (Some(start), Some(operator)) = (input.start, operator) else {
        return Err(AppError::Invalid(invalid));
    };
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let appointment = Appointment {
        id: Uuid::now_v7(),
        person_id: person.id,
        access_id: None,
        operator_id: operator.id,
        operator_name: operator.full_name.clone(),
        start,
        duration_minutes: duration,
        place: input.place.trim().to_string(),
        purpose: input.purpose.trim().to_string(),
        cancelled: false,
        created_at: Utc::now(),
    };
    ctx.store
        .create_appointment(&appointment, &ctx.actor.username)?;
    Ok(appointment)
}

/// Appointments from `start` to `end` (optionally of one worker) with their persons; restricted
/// persons are left out (art. 18). Audited as a list.
pub fn between(
    ctx: &Ctx,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    operator: Option<Uuid>,
    channel: &str,
) -> Result<Vec<(Appointment, Option<Person>)>, AppError> {
    policy::desk_records(ctx.actor)?;
    let snap = ctx.store.snapshot()?;
    let appointments: Vec<Appointment> = snap
        .appointments_between(start, end)?
        .into_iter()
        .filter(|a| operator.is_none_or(|op| a.operator_id == op))
        .collect();
    let ids: Vec<Uuid> = appointments.iter().map(|a| a.person_id).collect();
    let persons = snap.persons_by_ids(&ids)?;
    drop(snap);
    let items: Vec<(Appointment, Option<Person>)> = appointments
        .into_iter()
        .map(|a| {
            let p = persons.iter().find(|p| p.id == a.person_id).cloned();
            (a, p)
        })
        .filter(|(_, p)| policy::listed(p.as_ref()))
        .collect();
    ctx.audit_about(
        Action::AppointmentList,
        items.iter().map(|(a, _)| a.person_id),
        start.to_rfc3339(),
        format!("{} appuntamenti{channel}", items.len()),
    )?;
    Ok(items)
}

/// A person's appointments (audited read).
pub fn of_person(ctx: &Ctx, person: Uuid) -> Result<Vec<Appointment>, AppError> {
    super::persons::read(ctx, person, "appuntamenti")?;
    Ok(ctx.store.appointments_of(person)?)
}

/// Cancels an appointment of a person whose processing is not restricted.
pub fn cancel(ctx: &Ctx, id: Uuid) -> Result<Appointment, AppError> {
    policy::desk_records(ctx.actor)?;
    let a = ctx
        .store
        .appointment(id)?
        .ok_or(AppError::NotFound("Appuntamento"))?;
    if let Some(p) = ctx.store.person(a.person_id)? {
        policy::act_on(&p)?;
    }
    Ok(ctx.store.cancel_appointment(id, &ctx.actor.username)?)
}

/// An appointment and its person, for the reminder (refused when restricted).
pub fn for_reminder(ctx: &Ctx, id: Uuid) -> Result<(Appointment, Person), AppError> {
    policy::desk_records(ctx.actor)?;
    let a = ctx
        .store
        .appointment(id)?
        .ok_or(AppError::NotFound("Appuntamento"))?;
    let person = super::persons::usable(ctx, a.person_id, "promemoria appuntamento")?;
    ctx.audit_about(
        Action::AppointmentPrint,
        [a.person_id],
        id.to_string(),
        format!("persona {}", a.person_id),
    )?;
    Ok((a, person))
}
