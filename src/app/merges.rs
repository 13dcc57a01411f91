//! Two records of the same person: found from the person's page, compared, merged by the
//! responsabile (the other record stays as a pointer), and the merge undone within the records'
//! retention term.

use chrono::Utc;
use uuid::Uuid;

use crate::domain::conflict::Conflict;

use super::{AppError, Ctx};
use crate::domain::audit::Action;
use crate::domain::merge::{undoable, Merge};
use crate::domain::person::Person;
use crate::domain::policy;
use crate::store::SearchHit;

/// A record as the merge page compares it: the person and how much hangs on it.
pub struct Side {
    pub person: Person,
    pub accesses: usize,
    pub appointments: usize,
    pub referrals: usize,
}

/// A record that can take part in a merge: it exists, was not merged, is not restricted.
fn mergeable(ctx: &Ctx, id: Uuid) -> Result<Person, AppError> {
    let person = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    policy::act_on(&person)?;
    Ok(person)
}

/// The other records that may be the same person as `id`, for the query typed.
pub fn candidates(ctx: &Ctx, id: Uuid, query: &str) -> Result<(Person, Vec<SearchHit>), AppError> {
    policy::merge_persons(ctx.actor)?;
    let person = mergeable(ctx, id)?;
    let hits = super::persons::search(ctx, query)?
        .into_iter()
        .filter(|h| h.person.id != id)
        .collect();
    Ok((person, hits))
}

/// Both records side by side, before the merge (an audited read of both).
pub fn compare(ctx: &Ctx, a: Uuid, b: Uuid) -> Result<(Side, Side), AppError> {
    policy::merge_persons(ctx.actor)?;
    if a == b {
        return Err(AppError::Conflict(Conflict::SameRecord));
    }
    let (pa, pb) = (mergeable(ctx, a)?, mergeable(ctx, b)?);
    let snap = ctx.store.snapshot()?;
    let side = |p: Person| -> Result<Side, AppError> {
        Ok(Side {
            accesses: snap.accesses_of(p.id)?.len(),
            appointments: snap.appointments_of(p.id)?.len(),
            referrals: snap.referrals_of_person(p.id)?.len(),
            person: p,
        })
    };
    let sides = (side(pa)?, side(pb)?);
    drop(snap);
    ctx.audit_about(
        Action::PersonView,
        [a, b],
        format!("{a} {b}"),
        "confronto per l'unione",
    )?;
    Ok(sides)
}

/// Merges `merged` into `into` (which is kept).
pub fn merge(ctx: &Ctx, merged: Uuid, into: Uuid) -> Result<Merge, AppError> {
    policy::merge_persons(ctx.actor)?;
    if merged == into {
        return Err(AppError::Conflict(Conflict::SameRecord));
    }
    mergeable(ctx, merged)?;
    mergeable(ctx, into)?;
    Ok(ctx.store.merge_persons(
        merged,
        into,
        (&ctx.actor.username, &ctx.actor.full_name),
        Utc::now(),
    )?)
}

/// Undoes a merge, within the retention term of the records.
pub fn undo(ctx: &Ctx, merge_id: Uuid) -> Result<Merge, AppError> {
    policy::merge_persons(ctx.actor)?;
    let merge = ctx
        .store
        .merge(merge_id)?
        .ok_or(AppError::NotFound("Unione"))?;
    if let Some(kept) = ctx.store.person(merge.into)? {
        policy::act_on(&kept)?;
    }
    if !undoable(merge.at, Utc::now(), ctx.store.retention_years()?) {
        return Err(AppError::Conflict(Conflict::MergeTooOld));
    }
    Ok(ctx
        .store
        .undo_merge(merge_id, &ctx.actor.username, Utc::now())?)
}
