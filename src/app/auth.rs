//! Logging in and changing one's own password: the lockout after repeated failures, the same
//! answer (and the same work) for unknown users, disabled users and wrong passwords, a fresh
//! session at every login, every other session ended at a password change. Both hash or verify
//! a password: run them off the request threads.

use chrono::Utc;

use super::AppError;
use crate::domain::audit::{Action, AuditEvent};
use crate::domain::login::{lock_for, Lock};
use crate::domain::password::{check_new_password, dummy_hash, hash_password, verify_password};
use crate::domain::user::{normalize_username, User};
use crate::domain::Invalid;
use crate::store::{Attempt, Store};

const UNKNOWN_USER: &str = "(nome utente sconosciuto)";

pub enum Login {
    /// A new session; the user must first replace a temporary password.
    In {
        session_id: String,
        user_id: uuid::Uuid,
        must_change_password: bool,
        /// The browser's mark, renewed at each login (see `domain::login`).
        device_token: String,
    },
    /// Refused, with the message to show (also for a disabled user: it confirms nothing);
    /// `locked`: refused without checking the password, the name being locked already.
    Refused { message: String, locked: bool },
}

/// What the locked user reads: for how long, until what time, and from where.
/// The lock of the password page: it never concerns the login, and says so.
fn password_locked_message(lock: &Lock, now: chrono::DateTime<Utc>) -> String {
    let (minutes, until) = lock_wait(lock, now);
    format!(
        "Troppi tentativi con la password attuale sbagliata: il cambio della password è sospeso per \
         {minutes} minut{} (si potrà riprovare dalle {until}). L'accesso al programma non è bloccato.",
        if minutes == 1 { "o" } else { "i" }
    )
}

/// Minutes left (rounded up) and the local time a lock ends.
fn lock_wait(lock: &Lock, now: chrono::DateTime<Utc>) -> (i64, String) {
    let minutes = (((lock.until - now).num_seconds() + 59) / 60).max(1);
    let until = lock
        .until
        .with_timezone(&chrono::Local)
        .format("%H:%M")
        .to_string();
    (minutes, until)
}

fn locked_message(lock: &Lock, now: chrono::DateTime<Utc>) -> String {
    let minutes = (((lock.until - now).num_seconds() + 59) / 60).max(1);
    let until = lock
        .until
        .with_timezone(&chrono::Local)
        .format("%H:%M")
        .to_string();
    let (place, still) = if lock.everywhere {
        (
            "da qualsiasi computer",
            " Dal browser dove ha già avuto accesso di recente può entrare comunque.",
        )
    } else {
        ("da questo computer", "")
    };
    format!(
        "Troppi tentativi falliti: l'accesso con questo nome utente {place} è bloccato per \
         {minutes} minut{} (si potrà riprovare dalle {until}).{still} Riprovi più tardi, oppure \
         chieda all'amministratore di reimpostare la password.",
        if minutes == 1 { "o" } else { "i" }
    )
}

/// What the browser brought to the login form besides the credentials.
pub struct Browser<'a> {
    /// The session it had, ended at a successful login.
    pub previous: Option<&'a str>,
    /// Its mark from an earlier login (a recognised browser is a source of its own).
    pub device: Option<&'a str>,
    pub ip: &'a str,
}

/// Checks the credentials typed at the login form.
pub fn login(
    store: &Store,
    typed: &str,
    password: &str,
    browser: &Browser,
) -> Result<Login, AppError> {
    let ip = browser.ip;
    // Usernames that cannot exist are treated like unknown ones: same answer, same work.
    let username = normalize_username(typed)
        .unwrap_or_else(|_| typed.trim().to_lowercase().chars().take(64).collect());
    let now = Utc::now();
    let user = store.user_by_username(&username)?;
    // A name that is not a user is not written to the audit: it may be a mistyped password.
    let who = user
        .as_ref()
        .map_or_else(|| UNKNOWN_USER.to_string(), |u| u.username.clone());
    // Failures from a browser the user logged in at before count under that browser's mark.
    let recognised = match (&user, browser.device) {
        (Some(u), Some(token)) => store.device_source(token, u, now)?,
        _ => None,
    };
    let source = recognised.as_deref().unwrap_or(ip);
    let from = if recognised.is_some() {
        format!("da {ip}, browser riconosciuto")
    } else {
        format!("da {ip}")
    };
    if let Attempt::Locked(lock) = store.begin_login_attempt(&username, source, now)? {
        store.login_failed(AuditEvent::new(who.clone(), Action::LoginLocked, who).details(from))?;
        return Ok(Login::Refused {
            message: locked_message(&lock, now),
            locked: true,
        });
    }
    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let verified = verify_password(password, &hash);
    match user {
        Some(user) if verified && !user.disabled => {
            let (id, _) =
                store.login_succeeded(&user, &username, browser.previous, (ip, source))?;
            store.purge_expired_sessions()?;
            store.purge_stale_drafts()?;
            Ok(Login::In {
                session_id: id,
                user_id: user.id,
                must_change_password: user.must_change_password,
                device_token: store.device_token(&user, now)?,
            })
        }
        other => {
            let reason = match &other {
                Some(u) if verified && u.disabled => "utente disabilitato",
                _ => "credenziali errate",
            };
            let recent = store.login_failures(&username, now)?;
            store.login_failed(
                AuditEvent::new(who.clone(), Action::LoginFailed, who)
                    .details(format!("{reason}, tentativo {} {from}", recent.len())),
            )?;
            let message = if let Some(lock) = lock_for(&recent, source, now) {
                locked_message(&lock, now)
            } else {
                "Nome utente o password non corretti.".to_string()
            };
            Ok(Login::Refused {
                message,
                locked: false,
            })
        }
    }
}

/// The user's own password change: the current password (guessed no more freely than at
/// login), a new one that meets the policy and differs from it, typed twice. Every session of
/// the user ends; the new session for this browser is returned.
pub fn change_password(
    store: &Store,
    user: &User,
    current: &str,
    new: &str,
    confirm: &str,
    ip: &str,
) -> Result<String, AppError> {
    let now = Utc::now();
    let mut invalid = Invalid::new();
    // Its own ledger: wrong guesses here never lock the user's login.
    match store.begin_password_attempt(user, ip, now)? {
        Attempt::Locked(lock) => {
            invalid.add("current_password", password_locked_message(&lock, now))
        }
        Attempt::Allowed => {
            if !verify_password(current, &user.password_hash) {
                store.login_failed(
                    AuditEvent::new(
                        user.username.clone(),
                        Action::PasswordChangeFailed,
                        user.username.clone(),
                    )
                    .details(format!("password attuale errata, da {ip}")),
                )?;
                invalid.add("current_password", "La password attuale non è corretta.");
            } else {
                store.password_verified(user, ip)?;
            }
        }
    }
    if let Err(msg) = check_new_password(new) {
        invalid.add("new_password", msg);
    } else if new == current {
        invalid.add(
            "new_password",
            "La nuova password deve essere diversa da quella attuale.",
        );
    }
    if invalid.message("new_password").is_none() && confirm != new {
        invalid.add("confirm_password", "Le due password non coincidono.");
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let hash = hash_password(new).map_err(|e| AppError::Internal(e.to_string()))?;
    let user = store.set_password(user.id, hash, false, &user.username, None)?;
    let (id, _) = store.create_session(user.id, ip)?;
    Ok(id)
}
