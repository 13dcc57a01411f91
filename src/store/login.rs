//! Logins as single transactions: a failed-attempt ledger per typed username (kept across
//! restarts, keyed by an HMAC of what was typed because people sometimes type a password there),
//! and the success and logout events with their audit entries.

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use redb::{ReadableTable, WriteTransaction};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::codec::{decode, encode};
use super::tables::{LOGIN_FAILURES, META};
use super::{audit, sessions, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::login::{
    lock_for, locks_in_force, recent_failures, Failure, Lock, Lockout, DEVICE_DAYS, DEVICE_PREFIX,
};
use crate::domain::session::Session;
use crate::domain::user::User;

/// Table key for a typed username: HMAC-SHA256 under the installation secret.
pub(super) fn key_in(txn: &WriteTransaction, username: &str) -> Result<String, StoreError> {
    keyed(&secret_in(txn)?, username)
}

/// Table key of the failed "current password" attempts at a user's own password change: a
/// ledger apart from the login's (never a hex digest alone), so they lock only that form.
pub(super) fn password_key_in(txn: &WriteTransaction, user: &User) -> Result<String, StoreError> {
    Ok(format!("password:{}", key_in(txn, &user.id.to_string())?))
}

/// Failures stored under a key; the pre-address format (bare times) reads as address unknown.
fn failures_at(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Vec<Failure>, StoreError> {
    let Some(v) = table.get(key)? else {
        return Ok(Vec::new());
    };
    decode::<Vec<Failure>>(v.value()).or_else(|_| {
        decode::<Vec<DateTime<Utc>>>(v.value()).map(|times| {
            times
                .into_iter()
                .map(|at| Failure {
                    at,
                    from: String::new(),
                })
                .collect()
        })
    })
}

fn keyed(secret: &[u8], username: &str) -> Result<String, StoreError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .map_err(|e| StoreError::Codec(e.to_string()))?;
    mac.update(username.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The outcome of asking to try a password.
pub enum Attempt {
    /// Go ahead: a failure has been provisionally recorded and is cleared on success.
    Allowed,
    /// Too many recent failures from this address (or from all of them).
    Locked(Lock),
}

/// Counts an attempt under `key` unless it is locked.
/// Forgets the failures recorded under `key` from address `from`.
fn forget_from(txn: &WriteTransaction, key: &str, from: &str) -> Result<(), StoreError> {
    let mut table = txn.open_table(LOGIN_FAILURES)?;
    let mut failures = failures_at(&table, key)?;
    failures.retain(|f| f.from != from);
    if failures.is_empty() {
        table.remove(key)?;
    } else {
        table.insert(key, encode(&failures)?.as_slice())?;
    }
    Ok(())
}

fn reserve(
    txn: &WriteTransaction,
    key: &str,
    from: &str,
    now: DateTime<Utc>,
) -> Result<Attempt, StoreError> {
    let mut table = txn.open_table(LOGIN_FAILURES)?;
    let mut recent = recent_failures(&failures_at(&table, key)?, now);
    if let Some(lock) = lock_for(&recent, from, now) {
        return Ok(Attempt::Locked(lock));
    }
    recent.push(Failure {
        at: now,
        from: from.to_string(),
    });
    table.insert(key, encode(&recent)?.as_slice())?;
    Ok(Attempt::Allowed)
}

/// The HMAC a browser mark carries: the user, when it was given, and the password hash, so that
/// a new password (or a reset) unmarks every browser.
fn device_mac(secret: &[u8], user: &User, issued: i64) -> Result<String, StoreError> {
    keyed(
        secret,
        &format!("dispositivo|{}|{issued}|{}", user.id, user.password_hash),
    )
}

fn secret_in(txn: &WriteTransaction) -> Result<Vec<u8>, StoreError> {
    let meta = txn.open_table(META)?;
    let v = meta
        .get("secret")?
        .ok_or_else(|| StoreError::Codec("segreto dell'installazione mancante".into()))?;
    decode(v.value())
}

impl Store {
    /// A mark for the browser where `user` has just logged in: `user-id.issued.mac`.
    pub fn device_token(&self, user: &User, now: DateTime<Utc>) -> Result<String, StoreError> {
        let txn = self.begin_write()?;
        let secret = secret_in(&txn)?;
        txn.abort()?;
        let issued = now.timestamp();
        let mac = device_mac(&secret, user, issued)?;
        Ok(format!("{}.{issued}.{mac}", user.id.simple()))
    }

    /// The source an attempt from a browser carrying `token` counts under, when the mark is
    /// this user's, still valid and made since the last password change; otherwise `None`.
    pub fn device_source(
        &self,
        token: &str,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let mut parts = token.splitn(3, '.');
        let (Some(id), Some(issued), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let Ok(issued) = issued.parse::<i64>() else {
            return Ok(None);
        };
        if id != user.id.simple().to_string()
            || now.timestamp() - issued > DEVICE_DAYS * 86_400
            || issued > now.timestamp() + 60
        {
            return Ok(None);
        }
        let txn = self.begin_write()?;
        let secret = secret_in(&txn)?;
        txn.abort()?;
        let expected = device_mac(&secret, user, issued)?;
        // Compared in constant time: the mark is a credential of sorts.
        let same: bool = expected.as_bytes().ct_eq(mac.as_bytes()).into();
        Ok(same.then(|| format!("{DEVICE_PREFIX}{}", &expected[..12])))
    }

    /// Reserves one attempt for `username` from address `from` at `now`, in one transaction:
    /// refuses when locked, otherwise counts it as a failure straight away, so concurrent
    /// guesses cannot slip past the limit while a password is being checked.
    pub fn begin_login_attempt(
        &self,
        username: &str,
        from: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        self.attempt(|txn| key_in(txn, username), from, now)
    }

    /// The same for the "current password" of a user's own password change.
    pub fn begin_password_attempt(
        &self,
        user: &User,
        from: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        self.attempt(|txn| password_key_in(txn, user), from, now)
    }

    /// One attempt reserved under the ledger `key` names, in its own transaction.
    fn attempt(
        &self,
        key: impl FnOnce(&WriteTransaction) -> Result<String, StoreError>,
        from: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        let txn = self.begin_write()?;
        let key = key(&txn)?;
        let outcome = reserve(&txn, &key, from, now)?;
        txn.commit()?;
        Ok(outcome)
    }

    /// Recent failures recorded for `username`.
    pub fn login_failures(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Failure>, StoreError> {
        let txn = self.begin_write()?;
        let key = key_in(&txn, username)?;
        let failures = failures_at(&txn.open_table(LOGIN_FAILURES)?, &key)?;
        txn.abort()?;
        Ok(recent_failures(&failures, now))
    }

    /// The lockouts in force on the users' names at `now`.
    pub fn login_lockouts(&self, now: DateTime<Utc>) -> Result<Vec<Lockout>, StoreError> {
        let users = self.users()?;
        let txn = self.begin_write()?;
        let mut out = Vec::new();
        {
            let table = txn.open_table(LOGIN_FAILURES)?;
            for user in users {
                let key = key_in(&txn, &user.username)?;
                let failures = recent_failures(&failures_at(&table, &key)?, now);
                for (from, lock) in locks_in_force(&failures, now) {
                    out.push(Lockout {
                        user: user.clone(),
                        from,
                        lock,
                        failures: failures.len(),
                    });
                }
            }
        }
        txn.abort()?;
        Ok(out)
    }

    /// Writes an audit entry for a failed or refused login (the attempt itself is already counted).
    /// The current password was typed right on the password page: the attempt reserved for it
    /// from this address is not a failure, whatever else the form got wrong.
    pub fn password_verified(&self, user: &User, ip: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        let key = password_key_in(&txn, user)?;
        forget_from(&txn, &key, ip)?;
        txn.commit()?;
        Ok(())
    }

    pub fn login_failed(&self, event: AuditEvent) -> Result<(), StoreError> {
        self.audit(event).map(|_| ())
    }

    /// A successful login, all at once: the user's failures are forgotten, the browser's previous
    /// session (if any) ends, a new session starts and the login is audited.
    pub fn login_succeeded(
        &self,
        user: &User,
        typed: &str,
        previous_session: Option<&str>,
        (ip, source): (&str, &str),
    ) -> Result<(String, Session), StoreError> {
        let txn = self.begin_write()?;
        let key = key_in(&txn, typed)?;
        // Failures from elsewhere stay counted: a login here does not clear a guesser there.
        forget_from(&txn, &key, source)?;
        if let Some(old) = previous_session {
            sessions::remove_in(&txn, &sessions::key_of(old))?;
        }
        let created = sessions::create_in(&txn, user.id, ip)?;
        audit::append(
            &txn,
            AuditEvent::new(user.username.clone(), Action::Login, user.username.clone())
                .details(format!("da {ip}")),
        )?;
        txn.commit()?;
        Ok(created)
    }

    /// Ends a session and audits the logout, together. Returns the user, if the session was live.
    pub fn logout(&self, session_id: &str) -> Result<Option<User>, StoreError> {
        let txn = self.begin_write()?;
        let user = match sessions::remove_in(&txn, &sessions::key_of(session_id))? {
            Some(session) => {
                let users = txn.open_table(super::tables::USERS)?;
                let user: Option<User> = users
                    .get(session.user_id.as_u128())?
                    .map(|v| decode(v.value()))
                    .transpose()?;
                drop(users);
                if let Some(u) = &user {
                    audit::append(
                        &txn,
                        AuditEvent::new(u.username.clone(), Action::Logout, u.username.clone()),
                    )?;
                }
                user
            }
            None => None,
        };
        txn.commit()?;
        Ok(user)
    }

    /// Forgets usernames whose failures have all left the window; returns how many.
    pub fn purge_stale_login_failures(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let removed = {
            let mut table = txn.open_table(LOGIN_FAILURES)?;
            let mut stale = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                let failures: Vec<Failure> = decode(v.value()).unwrap_or_default();
                if recent_failures(&failures, now).is_empty() {
                    stale.push(k.value().to_string());
                }
            }
            for k in &stale {
                table.remove(k.as_str())?;
            }
            stale.len()
        };
        txn.commit()?;
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn the_sixth_attempt_in_the_window_is_refused_even_if_all_are_concurrent() {
        let (_dir, store) = temp_store();
        let now = Utc::now();
        // Five attempts reserved before any password check finished.
        for _ in 0..5 {
            assert!(matches!(
                store.begin_login_attempt("anna", "10.0.0.9", now).unwrap(),
                Attempt::Allowed
            ));
        }
        assert!(matches!(
            store.begin_login_attempt("anna", "10.0.0.9", now).unwrap(),
            Attempt::Locked(_)
        ));
        assert!(matches!(
            store.begin_login_attempt("anna", "10.0.0.7", now).unwrap(),
            Attempt::Allowed
        ));
        assert!(matches!(
            store.begin_login_attempt("bruno", "10.0.0.9", now).unwrap(),
            Attempt::Allowed
        ));
        assert_eq!(store.login_failures("anna", now).unwrap().len(), 6);
        // Keys are keyed hashes, never what was typed.
        let txn = store.begin_read().unwrap();
        let table = txn.open_table(LOGIN_FAILURES).unwrap();
        for row in table.iter().unwrap() {
            let (k, _) = row.unwrap();
            assert_eq!(k.value().len(), 64);
            assert!(!k.value().contains("anna"));
        }
    }
}
