//! Administration of users with separation of duties: nobody changes their own roles, a reset
//! password is always temporary, and every grant of access to personal data or reset is shown to
//! the responsabili until one of them acknowledges it.

use chrono::Utc;
use uuid::Uuid;

use super::{AppError, Ctx};
use crate::domain::instance::DeskContacts;
use crate::domain::password::hash_password;
use crate::domain::policy;
use crate::domain::role::Role;
use crate::domain::user::{NewUser, OversightNotice, User};
use crate::domain::Invalid;
use crate::store::BackupSettings;

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

/// The notice for roles that read personal data given to `user` (none when `roles` adds none).
fn grant_notice(by: &str, user: &str, before: &[Role], roles: &[Role]) -> Option<OversightNotice> {
    policy::grants_personal_data(before, roles).then(|| {
        let labels: Vec<&str> = roles
            .iter()
            .filter(|r| r.reads_personal_data() && !before.contains(r))
            .map(|r| r.label())
            .collect();
        notice(
            by,
            user,
            format!(
                "A «{user}» è stato dato da «{by}» un ruolo che legge i dati personali: {}.",
                labels.join(", ")
            ),
        )
    })
}

/// Creates a user with a temporary password (the administrator knows it, so the user must replace
/// it at the first login). A role that reads personal data is shown to the responsabili. Hashes
/// the password: run it off the request threads.
pub fn create_user(ctx: &Ctx, new: NewUser) -> Result<User, AppError> {
    policy::administration(ctx.actor)?;
    let new = NewUser {
        temporary: true,
        ..new
    }
    .validate()?;
    let hash = hash_password(&new.password).map_err(|e| AppError::Internal(e.to_string()))?;
    let raised = grant_notice(&ctx.actor.username, &new.username, &[], &new.roles);
    Ok(ctx
        .store
        .create_user_noticed(&new, hash, &ctx.actor.username, raised.as_ref())?)
}

/// Disables (sessions and tokens closed at once) or enables a user.
pub fn set_disabled(ctx: &Ctx, target: Uuid, disabled: bool) -> Result<User, AppError> {
    policy::administration(ctx.actor)?;
    Ok(ctx
        .store
        .set_user_disabled(target, disabled, &ctx.actor.username)?)
}

/// Sets the roles of another user.
pub fn set_roles(ctx: &Ctx, target: Uuid, roles: &[Role]) -> Result<User, AppError> {
    policy::change_roles(ctx.actor, target)?;
    let before = ctx
        .store
        .user(target)?
        .ok_or(AppError::NotFound("Utente"))?;
    let raised = grant_notice(&ctx.actor.username, &before.username, &before.roles, roles);
    Ok(ctx
        .store
        .set_user_roles(target, roles, &ctx.actor.username, raised.as_ref())?)
}

/// Resets another user's password to a new temporary one, returned to be shown once (a change
/// is forced at their next login). Hashes it: run off the request threads.
pub fn reset_password(ctx: &Ctx, target: Uuid) -> Result<(User, String), AppError> {
    policy::reset_password(ctx.actor, target)?;
    let user = ctx
        .store
        .user(target)?
        .ok_or(AppError::NotFound("Utente"))?;
    let temporary = temporary_password().map_err(AppError::Internal)?;
    let hash = hash_password(&temporary).map_err(|e| AppError::Internal(e.to_string()))?;
    let raised = password_reset_notice(&ctx.actor.username, &user.username);
    let user = ctx
        .store
        .set_password(target, hash, true, &ctx.actor.username, Some(&raised))?;
    Ok((user, temporary))
}

/// 16 characters in groups of four, without look-alikes (0/o, 1/l/i), easy to dictate.
fn temporary_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut random = [0u8; 16];
    getrandom::getrandom(&mut random).map_err(|e| e.to_string())?;
    let chars: Vec<char> = random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The desk's contacts printed on the citizen's sheets.
pub fn save_contacts(ctx: &Ctx, contacts: DeskContacts) -> Result<(), AppError> {
    policy::administration(ctx.actor)?;
    let c = contacts.validate()?;
    Ok(ctx.store.set_desk_contacts(&c, &ctx.actor.username)?)
}

/// Days without an answer after which a sent referral is shown as overdue.
pub fn save_overdue_days(ctx: &Ctx, days: &str) -> Result<(), AppError> {
    policy::administration(ctx.actor)?;
    match days.trim().parse::<i64>() {
        Ok(d) if (1..=365).contains(&d) => Ok(ctx
            .store
            .set_referral_overdue_days(d, &ctx.actor.username)?),
        _ => Err(Invalid::one("overdue_days", "Un numero di giorni da 1 a 365.").into()),
    }
}

/// Where nightly backups go and the public key they are encrypted to.
pub fn save_backup_settings(ctx: &Ctx, folder: &str, recipient: &str) -> Result<(), AppError> {
    policy::administration(ctx.actor)?;
    let (folder, recipient) = (folder.trim(), recipient.trim());
    if !folder.is_empty() && !std::path::Path::new(folder).is_absolute() {
        return Err(Invalid::one(
            "backup_folder",
            "Indicare il percorso completo della cartella (es. E:\\Backup o /media/usb/backup).",
        )
        .into());
    }
    if !recipient.is_empty() && recipient.parse::<age::x25519::Recipient>().is_err() {
        return Err(Invalid::one(
            "backup_recipient",
            "Chiave pubblica non valida: inizia con age1.",
        )
        .into());
    }
    let settings = BackupSettings {
        folder: folder.to_string(),
        recipient: recipient.to_string(),
    };
    store_backup_settings(ctx, &settings)
}

/// Saves the settings; a new key is shown to the responsabili (whoever holds its private half
/// can read every backup, personal data included).
fn store_backup_settings(ctx: &Ctx, settings: &BackupSettings) -> Result<(), AppError> {
    let before = ctx.store.backup_settings()?;
    let raised = (!settings.recipient.is_empty() && settings.recipient != before.recipient)
        .then(|| {
            notice(
                &ctx.actor.username,
                &ctx.actor.username,
                format!(
                    "La chiave dei backup è stata cambiata da «{}»: chi ha la chiave privata corrispondente può leggere ogni backup, dati personali compresi.",
                    ctx.actor.username
                ),
            )
        });
    Ok(ctx
        .store
        .set_backup_settings_noticed(settings, &ctx.actor.username, raised.as_ref())?)
}

/// A new backup key pair: the public key is kept, the private key returned to be shown once.
pub fn generate_backup_key(ctx: &Ctx) -> Result<String, AppError> {
    policy::administration(ctx.actor)?;
    let identity = age::x25519::Identity::generate();
    let mut settings = ctx.store.backup_settings()?;
    settings.recipient = identity.to_public().to_string();
    store_backup_settings(ctx, &settings)?;
    Ok(age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_string())
}

/// A backup now, to the configured folder (none when not configured). Slow: off the workers.
pub fn backup_now(ctx: &Ctx) -> Result<Option<crate::store::LastBackup>, AppError> {
    policy::administration(ctx.actor)?;
    crate::jobs::backup_now(ctx.store, &ctx.actor.username).map_err(AppError::from)
}

/// What the administration page shows of the installation.
pub struct Overview {
    pub instance: crate::domain::instance::Instance,
    pub users: Vec<User>,
    /// The latest security events (logins, users, tokens, setup).
    pub events: Vec<crate::domain::audit::AuditEntry>,
    pub contacts: DeskContacts,
    pub overdue_days: i64,
    pub backup_settings: BackupSettings,
    pub last_backup: Option<crate::store::LastBackup>,
    pub last_good_backup: Option<crate::store::LastBackup>,
    /// Usernames locked now after failed logins, and from where.
    pub lockouts: Vec<crate::domain::login::Lockout>,
}

pub fn overview(ctx: &Ctx) -> Result<Overview, AppError> {
    policy::administration(ctx.actor)?;
    Ok(Overview {
        instance: ctx
            .store
            .instance()?
            .ok_or(AppError::NotFound("Installazione"))?,
        users: ctx.store.users()?,
        events: ctx
            .store
            .recent_audit(20, &["auth.", "user.", "token.", "setup"])?,
        contacts: ctx.store.desk_contacts()?,
        overdue_days: ctx.store.referral_overdue_days()?,
        backup_settings: ctx.store.backup_settings()?,
        last_backup: ctx.store.last_backup()?,
        last_good_backup: ctx.store.last_good_backup()?,
        lockouts: ctx.store.login_lockouts(chrono::Utc::now())?,
    })
}

/// A notice waiting for a responsabile, and whether this one may acknowledge it.
pub struct OpenNotice {
    pub notice: OversightNotice,
    pub can_acknowledge: bool,
}

/// The notices waiting for a responsabile (empty for other roles).
pub fn open_notices(ctx: &Ctx) -> Result<Vec<OpenNotice>, AppError> {
    if policy::responsabile(ctx.actor).is_err() {
        return Ok(Vec::new());
    }
    Ok(ctx
        .store
        .open_oversight_notices()?
        .into_iter()
        .map(|n| OpenNotice {
            can_acknowledge: policy::acknowledge_notice(ctx.actor, &n.user, &n.by).is_ok(),
            notice: n,
        })
        .collect())
}

/// A responsabile acknowledges a notice (not one about themselves).
pub fn acknowledge(ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    let notice = ctx
        .store
        .open_oversight_notices()?
        .into_iter()
        .find(|n| n.id == id)
        .ok_or(AppError::NotFound("Avviso"))?;
    policy::acknowledge_notice(ctx.actor, &notice.user, &notice.by)?;
    Ok(ctx.store.acknowledge_oversight(id, &ctx.actor.username)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_passwords_meet_the_policy() {
        let p = super::temporary_password().unwrap();
        assert_eq!(p.len(), 19);
        assert!(crate::domain::password::check_new_password(&p).is_ok());
        assert_ne!(p, super::temporary_password().unwrap());
    }
}
