//! Correcting the record: an access's fields (by whoever recorded it, or a responsabile), and an
//! anonymous access attached to the person it turns out to be. Every correction keeps what was
//! there before in the access's history; the audit says who changed which fields.

use chrono::Utc;
use uuid::Uuid;

use crate::domain::conflict::Conflict;

use super::persons::{check_duplicates, checked_data};
use super::{AppError, Ctx};
use crate::domain::access::{Access, AccessForm};
use crate::domain::audit::Action;
use crate::domain::correction::{differences, AccessChange, ChangeKind, FieldChange};
use crate::domain::person::{new_temporary_code, Person, PersonForm};
use crate::domain::policy;
use crate::domain::vocabulary::Kind;

/// An access as its correction form shows it.
pub struct Editable {
    pub access: Access,
    pub person: Option<Person>,
    /// Whether the reader may see and change the reserved notes.
    pub reads_reserved: bool,
}

/// The access to correct, for its form (the read is audited like any view of it).
pub fn editable(ctx: &Ctx, id: Uuid) -> Result<Editable, AppError> {
    policy::desk_records(ctx.actor)?;
    let access = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    policy::edit_access(ctx.actor, access.operator_id)?;
    let person = match access.person_id {
        Some(pid) => Some(super::persons::usable(
            ctx,
            pid,
            "correzione di un accesso",
        )?),
        None => None,
    };
    let reads_reserved = policy::reserved_notes(ctx.actor).is_ok();
    ctx.audit_about(
        Action::AccessView,
        access.person_id,
        id.to_string(),
        "modulo di correzione",
    )?;
    Ok(Editable {
        access,
        person,
        reads_reserved,
    })
}

/// The form of an access as it is now (what the correction form starts from).
pub fn form_of(a: &Access) -> AccessForm {
    AccessForm {
        channel: a.channel.clone(),
        interlocutor: a.interlocutor.clone(),
        interlocutor_name: a.interlocutor_name.clone(),
        interlocutor_relation: a.interlocutor_relation.clone(),
        reason: a.reason.clone(),
        sending_service: a.sending_service.clone(),
        duration_minutes: a
            .duration_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        needs: a.needs.clone(),
        outcomes: a.outcomes.clone(),
        notes: a.notes.clone(),
        reserved_notes: a.reserved_notes.clone(),
        ..Default::default()
    }
}

/// Corrects an access's channel, interlocutor, reason, needs, outcomes, notes and duration.
/// Its time, person and appointment stay. `reserved_notes`: `None` keeps them as they are; new
/// ones only from those who may write them.
pub fn edit(
    ctx: &Ctx,
    id: Uuid,
    form: AccessForm,
    reserved_notes: Option<String>,
) -> Result<Access, AppError> {
    policy::desk_records(ctx.actor)?;
    let current = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    policy::edit_access(ctx.actor, current.operator_id)?;
    if let Some(pid) = current.person_id {
        let person = ctx
            .store
            .person(pid)?
            .ok_or(AppError::NotFound("Persona"))?;
        policy::act_on(&person)?;
    }
    let reserved_notes = match reserved_notes {
        Some(text) => {
            policy::reserved_notes(ctx.actor)?;
            text
        }
        None => current.reserved_notes.clone(),
    };
    let form = AccessForm {
        // What this form does not change is not checked again.
        date: String::new(),
        time: String::new(),
        appointment_date: String::new(),
        appointment_time: String::new(),
        appointment_purpose: String::new(),
        reserved_notes,
        ..form
    };
    let (data, _) = form.validate(&ctx.reference.vocab, Utc::now(), false)?;
    super::orientation::check_complaint_services(ctx, &data.needs)?;
    let vocab = &ctx.reference.vocab;
    let actor = ctx.actor;
    Ok(ctx
        .store
        .correct_access(id, None, &actor.username, Action::AccessEdit, |a| {
            let before = a.clone();
            a.channel = data.channel;
            a.interlocutor = data.interlocutor;
            a.interlocutor_name = data.interlocutor_name;
            a.interlocutor_relation = data.interlocutor_relation;
            a.reason = data.reason;
            a.sending_service = data.sending_service;
            a.duration_minutes = data.duration_minutes;
            // A complaint keeps the service it named when the correction does not say one.
            let mut needs = data.needs;
            for (i, n) in needs.iter_mut().enumerate() {
                if n.service.is_none() {
                    n.service = a
                        .needs
                        .get(i)
                        .filter(|old| old.category == n.category)
                        .and_then(|old| old.service);
                }
            }
            a.needs = needs;
            a.outcomes = data.outcomes;
            a.notes = data.notes;
            a.reserved_notes = data.reserved_notes;
            // Unmet needs point at needs by position: those whose need is gone go too.
            let kept = a.needs.len();
            a.unmet.retain(|u| u.need < kept);
            let fields = differences(&before, a, vocab);
            if fields.is_empty() {
                return Ok(None);
            }
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            let details = format!("campi corretti: {}", names.join(", "));
            a.history.push(AccessChange {
                at: Utc::now(),
                by: actor.username.clone(),
                by_name: actor.full_name.clone(),
                kind: ChangeKind::Edited,
                fields,
                anonymous_before: None,
            });
            Ok(Some(details))
        })?)
}

/// Who an anonymous access turns out to be.
pub enum Identity {
    /// A registered person.
    Existing(Uuid),
    /// A person registered now (the same checks and duplicate policy as at intake).
    New {
        form: Box<PersonForm>,
        confirm_new: bool,
    },
}

/// Attaches an anonymous access to a person; its anonymous profile stays in the history. The
/// operator who recorded the access or a responsabile may do it, as for any correction.
pub fn identify(ctx: &Ctx, id: Uuid, who: Identity) -> Result<(Access, Person), AppError> {
    policy::desk_records(ctx.actor)?;
    let current = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    policy::edit_access(ctx.actor, current.operator_id)?;
    if current.person_id.is_some() {
        return Err(AppError::Conflict(Conflict::AlreadyIdentified));
    }
    let (person, new_person) = match who {
        Identity::Existing(pid) => (
            super::persons::usable(ctx, pid, "collegamento di un accesso anonimo")?,
            None,
        ),
        Identity::New { form, confirm_new } => {
            let data = checked_data(ctx, &form)?;
            check_duplicates(ctx, &data, confirm_new)?;
            let p = data.into_new_person(new_temporary_code(), Utc::now());
            (p.clone(), Some(p))
        }
    };
    let vocab = &ctx.reference.vocab;
    let actor = ctx.actor;
    let access = ctx.store.correct_access(
        id,
        new_person.as_ref(),
        &actor.username,
        Action::AccessIdentify,
        |a| {
            if a.person_id.is_some() {
                // Someone else attached it meanwhile: nothing is overwritten.
                return Err(crate::store::StoreError::Conflict(
                    Conflict::AlreadyIdentified,
                ));
            }
            let profile = a.anonymous.take();
            let before = profile.as_ref().map_or_else(
                || "persona anonima".to_string(),
                |p| {
                    format!(
                        "persona anonima ({}, {}, cittadinanza {})",
                        p.sex.map_or("sesso non indicato", |s| s.label()),
                        vocab.label(Kind::AgeBand, &p.age_band),
                        vocab.label(Kind::CitizenshipArea, &p.citizenship_area)
                    )
                },
            );
            a.person_id = Some(person.id);
            a.history.push(AccessChange {
                at: Utc::now(),
                by: actor.username.clone(),
                by_name: actor.full_name.clone(),
                kind: ChangeKind::Identified,
                fields: vec![FieldChange {
                    field: "person".into(),
                    label: "Persona".into(),
                    before,
                    after: match person.code() {
                        Some(code) => format!("{} ({code})", person.display_name()),
                        None => person.display_name(),
                    },
                    reserved: false,
                }],
                anonymous_before: profile,
            });
            Ok(Some(format!("persona {}", person.id)))
        },
    )?;
    Ok((access, person))
}
