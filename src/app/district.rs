//! The district's work on what the desks sent: the inbox of referrals received (audited reads),
//! the coordinator's decisions (the district's side of the referral policy), unlinking persons.

use crate::domain::audit::Action;
use uuid::Uuid;

use super::names::Names;
use super::{check_len, AppError, Ctx};
use crate::domain::district::ImportRecord;
use crate::domain::district::InboxReferral;
use crate::domain::policy::{self, Side};
use crate::domain::referral::{ReferralStatus, Target};
use crate::domain::Invalid;

pub const MAX_NOTE: usize = 1000;

/// The inbox, newest first, and the bundles imported (audited list).
pub fn inbox(
    ctx: &Ctx,
    channel: &str,
) -> Result<(Vec<InboxReferral>, Vec<ImportRecord>), AppError> {
    policy::district_inbox(ctx.actor)?;
    let entries = ctx.store.inbox()?;
    let mut imports = ctx.store.imports()?;
    Names::load(ctx.store)?.name_imports(&mut imports);
    ctx.audit(
        Action::InboxList,
        "",
        format!("{} invii{channel}", entries.len()),
    )?;
    Ok((entries, imports))
}

/// One received referral and those linked to it by codice fiscale (audited read).
pub fn detail(ctx: &Ctx, id: Uuid) -> Result<(InboxReferral, Vec<InboxReferral>), AppError> {
    policy::district_inbox(ctx.actor)?;
    let entry = ctx
        .store
        .inbox_referral(id)?
        .ok_or(AppError::NotFound("Invio ricevuto"))?;
    let all = ctx.store.inbox()?;
    let linked = entry.linked(&all).into_iter().cloned().collect();
    ctx.audit(Action::InboxView, id.to_string(), entry.comune_name.clone())?;
    // Steps by name: the desk's under the desk's name, the district's by user.
    let names = Names::load(ctx.store)?;
    let mut entry = entry;
    let desk = format!("Segretariato Sociale di {}", entry.comune_name);
    for h in &mut entry.record.referral.history {
        h.by = names.of_or(&h.by, &desk);
    }
    for d in &mut entry.decisions {
        d.by = names.of(&d.by);
    }
    Ok((entry, linked))
}

/// The coordinator's decision on a received referral, with a note.
pub fn decide(ctx: &Ctx, id: Uuid, status: &str, note: &str) -> Result<InboxReferral, AppError> {
    policy::district_inbox(ctx.actor)?;
    let Some(to) = ReferralStatus::from_code(status.trim()) else {
        return Err(AppError::Invalid(Invalid::one(
            "status",
            "Scegliere il nuovo stato: accettato, respinto o chiuso.",
        )));
    };
    let entry = ctx
        .store
        .inbox_referral(id)?
        .ok_or(AppError::NotFound("Invio ricevuto"))?;
    policy::referral_step(Side::District, &Target::Ssp, entry.status, to)
        .map_err(|d| AppError::Invalid(Invalid::one("status", d.to_string())))?;
    let mut invalid = Invalid::new();
    check_len(&mut invalid, "note", "La nota", note.trim(), MAX_NOTE);
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    Ok(ctx.store.decide_inbox(id, to, note, &ctx.actor.username)?)
}

/// The coordinator says two referrals with the same codice fiscale are different persons.
pub fn unlink(ctx: &Ctx, id: Uuid, other: Uuid) -> Result<(), AppError> {
    policy::district_inbox(ctx.actor)?;
    Ok(ctx.store.unlink_inbox(id, other, &ctx.actor.username)?)
}
