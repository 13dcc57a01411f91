//! Administration of users with separation of duties: nobody changes their own roles, a reset
//! password is always temporary, and every grant of access to personal data or reset is shown to
//! the responsabili until one of them acknowledges it.

use chrono::Utc;
use uuid::Uuid;

use super::{AppError, Ctx};
use crate::domain::policy;
use crate::domain::role::Role;
use crate::domain::user::{OversightNotice, User};

fn notice(by: &str, user: &str, what: String) -> OversightNotice {
    OversightNotice {
        id: Uuid::now_v7(),
        at: Utc::now(),
        by: by.to_string(),
        user: user.to_string(),
        what,
        acknowledged: None,
    }
}

/// The notice for a password set by someone other than its user (admin page or command line).
pub fn password_reset_notice(by: &str, user: &str) -> OversightNotice {
    notice(
        by,
        user,
        format!("Password di «{user}» reimpostata da «{by}»: chi la conosce può entrare come quell'utente finché non la cambia."),
    )
}

/// Sets the roles of another user.
pub fn set_roles(ctx: &Ctx, target: Uuid, roles: &[Role]) -> Result<User, AppError> {
    policy::change_roles(ctx.actor, target)?;
    let before = ctx
        .store
        .user(target)?
        .ok_or(AppError::NotFound("Utente"))?;
    let raised = policy::grants_personal_data(&before.roles, roles).then(|| {
        let labels: Vec<&str> = roles
            .iter()
            .filter(|r| r.reads_personal_data() && !before.roles.contains(r))
            .map(|r| r.label())
            .collect();
        notice(
            &ctx.actor.username,
            &before.username,
            format!(
                "A «{}» è stato dato da «{}» un ruolo che legge i dati personali: {}.",
                before.username,
                ctx.actor.username,
                labels.join(", ")
            ),
        )
    });
    Ok(ctx
        .store
        .set_user_roles(target, roles, &ctx.actor.username, raised.as_ref())?)
}

/// Resets another user's password to `hash` of a temporary password (a change is forced at their
/// next login).
pub fn reset_password(ctx: &Ctx, target: Uuid, hash: String) -> Result<User, AppError> {
    policy::reset_password(ctx.actor, target)?;
    let user = ctx
        .store
        .user(target)?
        .ok_or(AppError::NotFound("Utente"))?;
    let raised = password_reset_notice(&ctx.actor.username, &user.username);
    Ok(ctx
        .store
        .set_password(target, hash, true, &ctx.actor.username, Some(&raised))?)
}

/// The notices waiting for a responsabile (empty for other roles).
pub fn open_notices(ctx: &Ctx) -> Result<Vec<OversightNotice>, AppError> {
    if policy::responsabile(ctx.actor).is_err() {
        return Ok(Vec::new());
    }
    Ok(ctx.store.open_oversight_notices()?)
}

/// A responsabile acknowledges a notice.
pub fn acknowledge(ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    Ok(ctx.store.acknowledge_oversight(id, &ctx.actor.username)?)
}
