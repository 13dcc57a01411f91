//! Never losing typed work: a record form that arrives after its session expired (or from a
//! stale page) is kept for the user who typed it, and handed back once they are in again.

use chrono::Utc;
use uuid::Uuid;

use super::{AppError, Ctx};
use crate::domain::draft::{is_kept, Draft};
use crate::store::Store;

/// Keeps the fields posted to `action` for `user_id`, if it is a record form; returns the id
/// for the browser's cookie (`None`: not a form that is kept, or no such user).
pub fn keep(
    store: &Store,
    user_id: Uuid,
    action: &str,
    fields: Vec<(String, String)>,
) -> Result<Option<String>, AppError> {
    let path = action.split('?').next().unwrap_or("");
    if !is_kept(path) {
        return Ok(None);
    }
    let Some(user) = store.user(user_id)? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let draft = Draft::new(user.id, action, fields, Utc::now());
    Ok(Some(store.save_draft(&draft, &user.username)?))
}

/// The draft behind the browser's cookie, if it is `user_id`'s (used at login, before any page).
pub fn waiting(store: &Store, cookie: &str, user_id: Uuid) -> Result<bool, AppError> {
    Ok(store.draft(cookie, user_id)?.is_some())
}

/// The acting user's draft behind the browser's cookie.
pub fn recovered(ctx: &Ctx, cookie: &str) -> Result<Option<Draft>, AppError> {
    Ok(ctx.store.draft(cookie, ctx.actor.id)?)
}

/// Drops the acting user's draft (sent again, or discarded).
pub fn discard(ctx: &Ctx, cookie: &str) -> Result<bool, AppError> {
    Ok(ctx
        .store
        .discard_draft(cookie, ctx.actor.id, &ctx.actor.username)?)
}
