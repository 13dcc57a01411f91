//! The agenda: booking appointments with desk workers, listing them (restricted persons left out).

use crate::domain::audit::Action;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::conflict::Conflict;

use super::persons::Warnings;
use super::{check_len, AppError, Ctx};
use crate::domain::appointment::{
    self as slot, Appointment, AppointmentChange, Outcome, DEFAULT_MINUTES, MAX_MINUTES,
};
use crate::domain::person::Person;
use crate::domain::policy::{self, DESK_ROLES};
use crate::domain::user::User;
use crate::domain::Invalid;
use crate::store::StoreError;

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

/// The desk worker `with` names, if it names one.
pub fn operator_for(ctx: &Ctx, with: &With) -> Result<Option<User>, AppError> {
    let operators = operators(ctx)?;
    Ok(match with {
        With::Me => operators.into_iter().find(|u| u.id == ctx.actor.id),
        With::Id(id) => operators
            .into_iter()
            .find(|u| u.id.to_string() == id.trim()),
        With::Username(name) => {
            let name = name.trim().to_lowercase();
            operators.into_iter().find(|u| u.username == name)
        }
    })
}

/// What to confirm before `operator` is booked at `start` (another appointment of theirs at the
/// same time, a Sunday, a public holiday); `except` is the appointment being moved.
pub fn slot_warnings(
    ctx: &Ctx,
    start: DateTime<Utc>,
    minutes: u32,
    operator: &User,
    except: Option<Uuid>,
) -> Result<Vec<String>, AppError> {
    let from = start - Duration::minutes(i64::from(MAX_MINUTES));
    let to = start + Duration::minutes(i64::from(minutes));
    let others: Vec<Appointment> = ctx
        .store
        .appointments_between(from, to)?
        .into_iter()
        .filter(|a| a.operator_id == operator.id && Some(a.id) != except)
        .collect();
    Ok(slot::slot_warnings(
        start,
        minutes,
        &operator.full_name,
        &others,
    ))
}

/// The checks of a slot shared by booking and moving: not in the past, a sensible duration, a
/// desk worker. Returns the start, the duration and the worker, or every problem found.
fn checked_slot(
    ctx: &Ctx,
    start: Option<DateTime<Utc>>,
    start_field: &'static str,
    duration_minutes: Option<u32>,
    with: &With,
    invalid: &mut Invalid,
) -> Result<Option<(DateTime<Utc>, u32, User)>, AppError> {
    if let Some(s) = start {
        if s < Utc::now() - Duration::minutes(5) {
            invalid.add(start_field, "L'appuntamento non può essere nel passato.");
        }
    }
    let duration = duration_minutes.unwrap_or(DEFAULT_MINUTES);
    if !(5..=MAX_MINUTES).contains(&duration) {
        invalid.add(
            "duration_minutes",
            "Durata in minuti: un numero da 5 a 480.",
        );
    }
    let operator = operator_for(ctx, with)?;
    if operator.is_none() {
        invalid.add(
            "operator",
            "Scegliere un operatore dello sportello (attivo, con un ruolo di sportello).",
        );
    }
    Ok(match (start, operator) {
        (Some(start), Some(operator)) if invalid.is_empty() => Some((start, duration, operator)),
        _ => None,
    })
}

/// Books an appointment after every check: not in the past, a sensible duration, a desk worker,
/// text within the form's caps, a person whose processing is not restricted; then the slot's
/// warnings, confirmed first on the pages, returned with the result to the API.
pub fn book(
    ctx: &Ctx,
    input: NewAppointment,
    warnings: Warnings,
) -> Result<(Appointment, Vec<String>), AppError> {
    policy::desk_records(ctx.actor)?;
    // A page opened before a merge books with the record kept.
    let person = super::persons::live(ctx, input.person_id)?;
    policy::act_on(&person)?;
    let mut invalid = input.invalid;
    let slot = checked_slot(
        ctx,
        input.start,
        input.start_field,
        input.duration_minutes,
        &input.with,
        &mut invalid,
    )?;
    check_len(&mut invalid, "place", "Il luogo", input.place, MAX_PLACE);
    check_len(
        &mut invalid,
        "purpose",
        "Il motivo",
        input.purpose,
        MAX_PURPOSE,
    );
    let Some((start, duration, operator)) = slot.filter(|_| invalid.is_empty()) else {
        return Err(AppError::Invalid(invalid));
    };
    let found = slot_warnings(ctx, start, duration, &operator, None)?;
    warnings.check(&found)?;
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
        cancel_reason: String::new(),
        outcome: None,
        history: Vec::new(),
        created_at: Utc::now(),
    };
    ctx.store
        .create_appointment(&appointment, &ctx.actor.username)?;
    Ok((appointment, found))
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

/// An appointment that may be changed: it exists and its person is not restricted.
fn changeable(ctx: &Ctx, id: Uuid) -> Result<Appointment, AppError> {
    policy::desk_records(ctx.actor)?;
    let a = ctx
        .store
        .appointment(id)?
        .ok_or(AppError::NotFound("Appuntamento"))?;
    if let Some(p) = ctx.store.person(a.person_id)? {
        policy::act_on(&p)?;
    }
    Ok(a)
}

fn change(ctx: &Ctx, what: String) -> AppointmentChange {
    AppointmentChange {
        at: Utc::now(),
        by: ctx.actor.username.clone(),
        by_name: ctx.actor.full_name.clone(),
        what,
    }
}

/// The longest reason for a cancellation.
pub const MAX_REASON: usize = 300;

/// Cancels an appointment, with the reason (it stays in the agenda, marked, and can be restored).
pub fn cancel(ctx: &Ctx, id: Uuid, reason: &str) -> Result<Appointment, AppError> {
    changeable(ctx, id)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Invalid::one("reason", "Indicare il motivo dell'annullamento.").into());
    }
    let mut invalid = Invalid::new();
    check_len(&mut invalid, "reason", "Il motivo", reason, MAX_REASON);
    if !invalid.is_empty() {
        return Err(invalid.into());
    }
    let step = change(ctx, format!("Annullato: {reason}"));
    Ok(ctx.store.modify_appointment(
        id,
        &ctx.actor.username,
        crate::domain::audit::Action::AppointmentCancel,
        |a| {
            if a.cancelled {
                return Err(StoreError::Conflict(Conflict::AlreadyCancelled));
            }
            a.cancelled = true;
            a.cancel_reason = reason.to_string();
            a.history.push(step);
            Ok(String::new())
        },
    )?)
}

/// Puts a cancelled appointment back in the agenda.
pub fn restore(ctx: &Ctx, id: Uuid) -> Result<Appointment, AppError> {
    changeable(ctx, id)?;
    let step = change(ctx, "Ripristinato".into());
    Ok(ctx.store.modify_appointment(
        id,
        &ctx.actor.username,
        crate::domain::audit::Action::AppointmentRestore,
        |a| {
            if !a.cancelled {
                return Err(StoreError::Conflict(Conflict::NotCancelled));
            }
            a.cancelled = false;
            a.cancel_reason = String::new();
            a.history.push(step);
            Ok(String::new())
        },
    )?)
}

/// Records how the appointment went (svolto, non presentato, rinviato).
pub fn set_outcome(ctx: &Ctx, id: Uuid, code: &str) -> Result<Appointment, AppError> {
    let a = changeable(ctx, id)?;
    let outcome = Outcome::from_code(code).ok_or_else(|| {
        Invalid::one(
            "outcome",
            "Scegliere l'esito: svolto, non presentato o rinviato.",
        )
    })?;
    if outcome != Outcome::Postponed && a.start > Utc::now() {
        return Err(Invalid::one(
            "outcome",
            "L'appuntamento non c'è ancora stato: si può solo indicare che è rinviato.",
        )
        .into());
    }
    let step = change(ctx, format!("Esito: {}", outcome.label().to_lowercase()));
    Ok(ctx.store.modify_appointment(
        id,
        &ctx.actor.username,
        crate::domain::audit::Action::AppointmentOutcome,
        |a| {
            if a.cancelled {
                return Err(StoreError::Conflict(Conflict::CancelledNoOutcome));
            }
            a.outcome = Some(outcome);
            a.history.push(step);
            Ok(outcome.code().to_string())
        },
    )?)
}

/// Where an appointment moves to; `start` is `None` when the typed date or time was not readable.
pub struct Move<'a> {
    pub start: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub with: With<'a>,
    pub start_field: &'static str,
    pub invalid: Invalid,
}

/// Moves an appointment to another slot (and worker), with the same checks and warnings as a
/// booking; the reminder printed afterwards shows the new time. Its outcome starts again.
pub fn move_to(
    ctx: &Ctx,
    id: Uuid,
    to: Move,
    warnings: Warnings,
) -> Result<(Appointment, Vec<String>), AppError> {
    let current = changeable(ctx, id)?;
    let mut invalid = to.invalid;
    let slot = checked_slot(
        ctx,
        to.start,
        to.start_field,
        to.duration_minutes,
        &to.with,
        &mut invalid,
    )?;
    let Some((start, duration, operator)) = slot else {
        return Err(AppError::Invalid(invalid));
    };
    if start == current.start
        && duration == current.duration_minutes
        && operator.id == current.operator_id
    {
        return Err(Invalid::one(
            to.start_field,
            "È già a quest'ora, con questa durata e con questo operatore.",
        )
        .into());
    }
    let found = slot_warnings(ctx, start, duration, &operator, Some(id))?;
    warnings.check(&found)?;
    let when = |t: DateTime<Utc>| {
        t.with_timezone(&chrono::Local)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    };
    let step = change(
        ctx,
        format!(
            "Spostato dal {} (con {}) al {} (con {})",
            when(current.start),
            current.operator_name,
            when(start),
            operator.full_name
        ),
    );
    let moved = ctx.store.modify_appointment(
        id,
        &ctx.actor.username,
        crate::domain::audit::Action::AppointmentMove,
        |a| {
            if a.cancelled {
                return Err(StoreError::Conflict(Conflict::CancelledNoMove));
            }
            let details = format!("{} → {}", a.start.to_rfc3339(), start.to_rfc3339());
            a.start = start;
            a.duration_minutes = duration;
            a.operator_id = operator.id;
            a.operator_name = operator.full_name.clone();
            a.outcome = None;
            a.history.push(step);
            Ok(details)
        },
    )?;
    Ok((moved, found))
}

/// An appointment and its person, for the pages that change it (the read is audited).
pub fn one(ctx: &Ctx, id: Uuid) -> Result<(Appointment, Person), AppError> {
    let a = changeable(ctx, id)?;
    let person = super::persons::usable(ctx, a.person_id, "modifica di un appuntamento")?;
    Ok((a, person))
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
