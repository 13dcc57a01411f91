//! Referrals made at the desk: creating one from an access (the privacy-notice rule), moving it
//! along its lifecycle (the desk's side of the policy), listing and reading them.

use crate::domain::audit::Action;
use chrono::Utc;
use uuid::Uuid;

use super::{check_len, AppError, Ctx};
use crate::domain::access::Access;
use crate::domain::person::Person;
use crate::domain::policy::{self, Side};
use crate::domain::referral::{Referral, ReferralStatus, StatusChange, Target};
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;

pub const MAX_REASON: usize = 2000;
pub const MAX_OVERRIDE: usize = 500;
pub const MAX_NOTE: usize = 1000;

/// A referral to make, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewReferral {
    /// A service id, or "ssp" for the Ambito's Servizio Sociale Professionale.
    pub target: String,
    pub reason: String,
    pub urgency: String,
    /// Keep it as a draft (bozza) instead of sending it.
    pub draft: bool,
    /// Why it is sent without the privacy notice on record.
    pub privacy_override: String,
}

const NOTICE_MISSING: &str = "L'informativa privacy non risulta consegnata: consegnarla (dalla scheda della persona) o indicare il motivo per procedere.";

/// The access a referral is made from, with its registered person, usable (not restricted).
pub fn access_for_referral(ctx: &Ctx, access_id: Uuid) -> Result<(Access, Person), AppError> {
    policy::desk_records(ctx.actor)?;
    let access = ctx
        .store
        .access(access_id)?
        .ok_or(AppError::NotFound("Accesso"))?;
    let Some(pid) = access.person_id else {
        return Err(AppError::Invalid(Invalid::one(
            "access_id",
            "Per un invio serve una persona registrata (l'accesso è anonimo).",
        )));
    };
    let person = super::persons::usable(ctx, pid, "modulo di invio")?;
    Ok((access, person))
}

/// The referral form for an access: the access, its person, and the services one may refer to —
/// those chosen for this access first, then the rest of the active directory.
pub fn form_for(
    ctx: &Ctx,
    access_id: Uuid,
) -> Result<(Access, Person, Vec<crate::domain::directory::Service>), AppError> {
    let (access, person) = access_for_referral(ctx, access_id)?;
    let directory = ctx.store.directory()?;
    let mut services: Vec<_> = access
        .services
        .iter()
        .filter_map(|id| directory.services.iter().find(|s| s.id == *id))
        .cloned()
        .collect();
    services.extend(
        directory
            .services
            .iter()
            .filter(|s| {
                s.status != crate::domain::directory::ServiceStatus::Inactive
                    && !access.services.contains(&s.id)
            })
            .cloned(),
    );
    Ok((access, person, services))
}

/// Creates a referral after every check.
pub fn create(ctx: &Ctx, access_id: Uuid, v: &NewReferral) -> Result<Referral, AppError> {
    let (access, person) = access_for_referral(ctx, access_id)?;
    let instance = ctx
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let mut invalid = Invalid::new();
    let target = match v.target.trim() {
        "ssp" => Some((
            Target::Ssp,
            format!("Servizio Sociale Professionale – {}", instance.ambito.name),
        )),
        other => match Uuid::parse_str(other).ok() {
            Some(id) => ctx
                .store
                .service(id)?
                .map(|s| (Target::Service(s.id), s.name)),
            None => None,
        },
    };
    if target.is_none() {
        invalid.add(
            "target",
            "Scegliere il servizio destinatario (o il Servizio Sociale Professionale).",
        );
    }
    let reason = v.reason.trim().to_string();
    if reason.is_empty() {
        invalid.add("reason", "Indicare il motivo dell'invio.");
    }
    check_len(&mut invalid, "reason", "Il motivo", &reason, MAX_REASON);
    let urgency = match v.urgency.trim() {
        "" => "ordinary".to_string(),
        u => u.to_string(),
    };
    if !ctx.reference.vocab.contains(Kind::Urgency, &urgency) {
        invalid.add("urgency", "Urgenza non prevista.");
    }
    let override_reason = v.privacy_override.trim().to_string();
    check_len(
        &mut invalid,
        "privacy_override",
        "Il motivo",
        &override_reason,
        MAX_OVERRIDE,
    );
    let notice_missing = person.privacy_notice.is_none();
    if notice_missing && !v.draft && override_reason.is_empty() {
        invalid.add("privacy_override", NOTICE_MISSING);
    }
    let Some((target, target_name)) = target else {
        return Err(AppError::Invalid(invalid));
    };
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let now = Utc::now();
    let status = if v.draft {
        ReferralStatus::Bozza
    } else {
        ReferralStatus::Inviato
    };
    let referral = Referral {
        id: Uuid::now_v7(),
        access_id: access.id,
        person_id: person.id,
        target,
        target_name,
        reason,
        urgency,
        status,
        history: vec![StatusChange {
            status,
            at: now,
            by: ctx.actor.username.clone(),
            note: String::new(),
        }],
        privacy_override: (notice_missing && !override_reason.is_empty())
            .then_some(override_reason),
        created_at: now,
        district_notice: None,
        carried: None,
    };
    ctx.store.create_referral(&referral, &ctx.actor.username)?;
    Ok(referral)
}

/// One step of a referral, as asked.
pub struct Step<'a> {
    pub status: &'a str,
    pub note: &'a str,
    pub privacy_override: &'a str,
}

/// Moves a referral one step, as the desk may: the lifecycle, the desk's side of the policy (the
/// district answers referrals to the Servizio Sociale Professionale), the privacy-notice rule.
pub fn advance(ctx: &Ctx, id: Uuid, step: Step) -> Result<Referral, AppError> {
    policy::desk_records(ctx.actor)?;
    let Some(to) = ReferralStatus::from_code(step.status.trim()) else {
        return Err(AppError::Invalid(Invalid::one(
            "status",
            "Stato sconosciuto: bozza, inviato, ricevuto, accettato, respinto o chiuso.",
        )));
    };
    let r = ctx.store.referral(id)?.ok_or(AppError::NotFound("Invio"))?;
    let person = ctx.store.person(r.person_id)?;
    if let Some(p) = &person {
        policy::act_on(p)?;
    }
    policy::referral_step(Side::Desk, &r.target, r.status, to)
        .map_err(|d| AppError::Invalid(Invalid::one("status", d.to_string())))?;
    let mut invalid = Invalid::new();
    check_len(&mut invalid, "note", "La nota", step.note.trim(), MAX_NOTE);
    let reason = step.privacy_override.trim();
    check_len(
        &mut invalid,
        "privacy_override",
        "Il motivo",
        reason,
        MAX_OVERRIDE,
    );
    let mut override_reason = None;
    let notice_missing = person.is_some_and(|p| p.privacy_notice.is_none());
    if to == ReferralStatus::Inviato && r.privacy_override.is_none() && notice_missing {
        if reason.is_empty() {
            invalid.add("privacy_override", NOTICE_MISSING);
        }
        override_reason = Some(reason);
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    Ok(ctx
        .store
        .advance_referral(id, to, step.note, override_reason, &ctx.actor.username)?)
}

/// A row of the referrals list: the referral, its person, whether it waits too long for an answer.
pub type Row = (Referral, Option<Person>, bool);

/// The desk's referrals, newest first, optionally of one status; restricted persons left out.
pub fn list(
    ctx: &Ctx,
    status: Option<ReferralStatus>,
    channel: &str,
) -> Result<(Vec<Row>, i64), AppError> {
    policy::desk_records(ctx.actor)?;
    let days = ctx.store.referral_overdue_days()?;
    let now = Utc::now();
    let snap = ctx.store.snapshot()?;
    let referrals: Vec<Referral> = snap
        .referrals()?
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect();
    let ids: Vec<Uuid> = referrals.iter().map(|r| r.person_id).collect();
    let persons = snap.persons_by_ids(&ids)?;
    drop(snap);
    let rows: Vec<Row> = referrals
        .into_iter()
        .map(|r| {
            let p = persons.iter().find(|p| p.id == r.person_id).cloned();
            let overdue = r.is_overdue(now, days);
            (r, p, overdue)
        })
        .filter(|(_, p, _)| policy::listed(p.as_ref()))
        .collect();
    ctx.audit_about(
        Action::ReferralList,
        rows.iter().map(|(r, _, _)| r.person_id),
        status.map_or("", |s| s.code()),
        format!("{} invii{channel}", rows.len()),
    )?;
    Ok((rows, days))
}

/// One referral with its person (audited read).
pub struct ReferralFile {
    pub referral: Referral,
    pub person: Option<Person>,
    pub overdue: bool,
    /// A draft that needs the reason for sending it without the privacy notice.
    pub needs_override: bool,
    /// The statuses the desk may move it to now (none for a restricted person).
    pub steps: Vec<ReferralStatus>,
}

pub fn detail(ctx: &Ctx, id: Uuid) -> Result<ReferralFile, AppError> {
    policy::desk_records(ctx.actor)?;
    let r = ctx.store.referral(id)?.ok_or(AppError::NotFound("Invio"))?;
    let person = ctx.store.person(r.person_id)?;
    let days = ctx.store.referral_overdue_days()?;
    let needs_override = r.status == ReferralStatus::Bozza
        && r.privacy_override.is_none()
        && person.as_ref().is_some_and(|p| p.privacy_notice.is_none());
    let usable = person.as_ref().is_none_or(|p| policy::act_on(p).is_ok());
    let steps = r
        .status
        .next()
        .iter()
        .copied()
        .filter(|to| usable && policy::referral_step(Side::Desk, &r.target, r.status, *to).is_ok())
        .collect();
    ctx.audit_about(Action::ReferralView, [r.person_id], id.to_string(), "")?;
    // Each step as colleagues read it: by name and role.
    let names = super::names::Names::load(ctx.store)?;
    let mut r = r;
    for h in &mut r.history {
        h.by = names.of(&h.by);
    }
    Ok(ReferralFile {
        steps,
        overdue: r.is_overdue(Utc::now(), days),
        referral: r,
        person,
        needs_override,
    })
}

/// A referral with its person and access, for the printed letter: refused when restricted.
pub fn for_letter(ctx: &Ctx, id: Uuid) -> Result<(Referral, Person, Access), AppError> {
    policy::desk_records(ctx.actor)?;
    let r = ctx.store.referral(id)?.ok_or(AppError::NotFound("Invio"))?;
    let person = super::persons::usable(ctx, r.person_id, "scheda di invio")?;
    let access = ctx
        .store
        .access(r.access_id)?
        .ok_or(AppError::NotFound("Accesso"))?;
    ctx.audit_about(Action::ReferralPrint, [r.person_id], id.to_string(), "")?;
    Ok((r, person, access))
}
