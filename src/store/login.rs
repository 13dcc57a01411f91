//! Logins as single transactions: a failed-attempt ledger per typed username (kept across
//! restarts, keyed by an HMAC of what was typed because people sometimes type a password there),
//! and the success and logout events with their audit entries.

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use redb::{ReadableTable, WriteTransaction};
use sha2::Sha256;

use super::codec::{decode, encode};
use super::tables::{LOGIN_FAILURES, META};
use super::{audit, sessions, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::login::{is_locked, recent_failures};
use crate::domain::session::Session;
use crate::domain::user::User;

/// Table key for a typed username: HMAC-SHA256 under the installation secret.
pub(super) fn key_in(txn: &WriteTransaction, username: &str) -> Result<String, StoreError> {
    let secret: Vec<u8> = {
        let meta = txn.open_table(META)?;
        let v = meta
            .get("secret")?
            .ok_or_else(|| StoreError::Codec("segreto dell'installazione mancante".into()))?;
        decode(v.value())?
    };
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret)
        .map_err(|e| StoreError::Codec(e.to_string()))?;
    mac.update(username.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// The outcome of asking to try a password.
pub enum Attempt {
    /// Go ahead: a failure has been provisionally recorded and is cleared on success.
    Allowed,
    /// Too many recent failures; when the oldest counted one leaves the window.
    Locked(Vec<DateTime<Utc>>),
}

impl Store {
    /// Reserves one attempt for `username` at `now`, in one transaction: refuses when locked,
    /// otherwise counts it as a failure straight away, so concurrent guesses cannot slip past the
    /// limit while a password is being checked.
    pub fn begin_login_attempt(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, StoreError> {
        let txn = self.db.begin_write()?;
        let key = key_in(&txn, username)?;
        let outcome = {
            let mut table = txn.open_table(LOGIN_FAILURES)?;
            let failures: Vec<DateTime<Utc>> = match table.get(key.as_str())? {
                Some(v) => decode(v.value())?,
                None => Vec::new(),
            };
            let mut recent = recent_failures(&failures, now);
            if is_locked(&recent, now) {
                Attempt::Locked(recent)
            } else {
                recent.push(now);
                table.insert(key.as_str(), encode(&recent)?.as_slice())?;
                Attempt::Allowed
            }
        };
        txn.commit()?;
        Ok(outcome)
    }

    /// Recent failures recorded for `username`.
    pub fn login_failures(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let txn = self.db.begin_write()?;
        let key = key_in(&txn, username)?;
        let failures: Vec<DateTime<Utc>> = {
            let table = txn.open_table(LOGIN_FAILURES)?;
            let value = table.get(key.as_str())?;
            value
                .map(|v| decode(v.value()))
                .transpose()?
                .unwrap_or_default()
        };
        txn.abort()?;
        Ok(recent_failures(&failures, now))
    }

    /// Writes an audit entry for a failed or refused login (the attempt itself is already counted).
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
        ip: &str,
    ) -> Result<(String, Session), StoreError> {
        let txn = self.db.begin_write()?;
        let key = key_in(&txn, typed)?;
        txn.open_table(LOGIN_FAILURES)?.remove(key.as_str())?;
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
        let txn = self.db.begin_write()?;
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
        let txn = self.db.begin_write()?;
        let removed = {
            let mut table = txn.open_table(LOGIN_FAILURES)?;
            let mut stale = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                let failures: Vec<DateTime<Utc>> = decode(v.value())?;
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
    use redb::ReadableDatabase;

    #[test]
    fn the_sixth_attempt_in_the_window_is_refused_even_if_all_are_concurrent() {
        let (_dir, store) = temp_store();
        let now = Utc::now();
        // Five attempts reserved before any password check finished.
        for _ in 0..5 {
            assert!(matches!(
                store.begin_login_attempt("anna", now).unwrap(),
                Attempt::Allowed
            ));
        }
        assert!(matches!(
            store.begin_login_attempt("anna", now).unwrap(),
            Attempt::Locked(_)
        ));
        assert!(matches!(
            store.begin_login_attempt("bruno", now).unwrap(),
            Attempt::Allowed
        ));
        assert_eq!(store.login_failures("anna", now).unwrap().len(), 5);
        // Keys are keyed hashes, never what was typed.
        let txn = store.db.begin_read().unwrap();
        let table = txn.open_table(LOGIN_FAILURES).unwrap();
        for row in table.iter().unwrap() {
            let (k, _) = row.unwrap();
            assert_eq!(k.value().len(), 64);
            assert!(!k.value().contains("anna"));
        }
    }
}
