//! Server-side sessions, so that logout, password change and disabling a user end them at once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use redb::{ReadableTable, WriteTransaction};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::codec::{decode, encode};
use super::tables::{SESSIONS, SESSIONS_BY_USER};
use super::{Store, StoreError};
use crate::domain::session::Session;

/// 256 random bits, URL-safe base64.
pub(super) fn random_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub(super) fn key_of(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

pub(super) fn revoke_all_in(txn: &WriteTransaction, user_id: Uuid) -> Result<(), StoreError> {
    let mut by_user = txn.open_multimap_table(SESSIONS_BY_USER)?;
    let mut sessions = txn.open_table(SESSIONS)?;
    let keys: Vec<Vec<u8>> = by_user
        .remove_all(user_id.as_u128())?
        .map(|k| k.map(|k| k.value().to_vec()))
        .collect::<Result<_, _>>()?;
    for key in keys {
        sessions.remove(key.as_slice())?;
    }
    Ok(())
}

pub(super) fn remove_in(txn: &WriteTransaction, key: &[u8]) -> Result<Option<Session>, StoreError> {
    let mut sessions = txn.open_table(SESSIONS)?;
    let removed: Option<Session> = match sessions.remove(key)? {
        Some(v) => Some(decode(v.value())?),
        None => None,
    };
    if let Some(s) = &removed {
        txn.open_multimap_table(SESSIONS_BY_USER)?
            .remove(s.user_id.as_u128(), key)?;
    }
    Ok(removed)
}

/// Starts a new session inside `txn`; returns the id to put in the cookie.
pub(super) fn create_in(
    txn: &WriteTransaction,
    user_id: Uuid,
    ip: &str,
) -> Result<(String, Session), StoreError> {
    let id = random_secret()?;
    let key = key_of(&id);
    let now = Utc::now();
    let session = Session {
        user_id,
        created_at: now,
        last_seen: now,
        csrf_token: random_secret()?,
        ip: ip.to_string(),
    };
    txn.open_table(SESSIONS)?
        .insert(key.as_slice(), encode(&session)?.as_slice())?;
    txn.open_multimap_table(SESSIONS_BY_USER)?
        .insert(user_id.as_u128(), key.as_slice())?;
    Ok((id, session))
}

impl Store {
    /// Starts a new session for `user_id`; returns the id to put in the cookie.
    pub fn create_session(&self, user_id: Uuid, ip: &str) -> Result<(String, Session), StoreError> {
        let txn = self.begin_write()?;
        let created = create_in(&txn, user_id, ip)?;
        txn.commit()?;
        Ok(created)
    }

    /// The live session with this id, if any. Refreshes its idle timer.
    pub fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let key = key_of(id);
        let now = Utc::now();
        let found: Option<Session> = {
            let txn = self.begin_read()?;
            let table = txn.open_table(SESSIONS)?;
            let value = table.get(key.as_slice())?;
            value.map(|v| decode(v.value())).transpose()?
        };
        let Some(mut session) = found else {
            return Ok(None);
        };
        if session.is_expired(now) {
            // Kept a while, unusable, so that a form posted after the expiry finds its user.
            if session.is_gone(now) {
                let txn = self.begin_write()?;
                remove_in(&txn, &key)?;
                txn.commit()?;
            }
            return Ok(None);
        }
        if session.needs_touch(now) {
            session.last_seen = now;
            let txn = self.begin_write()?;
            // Only refresh a session that still exists: a concurrent logout wins.
            let exists = txn.open_table(SESSIONS)?.get(key.as_slice())?.is_some();
            if exists {
                txn.open_table(SESSIONS)?
                    .insert(key.as_slice(), encode(&session)?.as_slice())?;
            }
            txn.commit()?;
            if !exists {
                return Ok(None);
            }
        }
        Ok(Some(session))
    }

    /// Ends one session (logout). Returns it if it existed.
    pub fn end_session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let txn = self.begin_write()?;
        let removed = remove_in(&txn, &key_of(id))?;
        txn.commit()?;
        Ok(removed)
    }

    /// The user of a session that has expired (not ended by logout or revocation, and not gone):
    /// whose form it was when it arrives too late.
    pub fn expired_session_user(&self, id: &str) -> Result<Option<Uuid>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(SESSIONS)?;
        let Some(value) = table.get(key_of(id).as_slice())? else {
            return Ok(None);
        };
        let s: Session = decode(value.value())?;
        let now = Utc::now();
        Ok((s.is_expired(now) && !s.is_gone(now)).then_some(s.user_id))
    }

    /// Deletes every session expired long enough to be gone; returns how many.
    pub fn purge_expired_sessions(&self) -> Result<usize, StoreError> {
        let now = Utc::now();
        let expired: Vec<Vec<u8>> = {
            let txn = self.begin_read()?;
            let table = txn.open_table(SESSIONS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                let s: Session = decode(v.value())?;
                if s.is_gone(now) {
                    out.push(k.value().to_vec());
                }
            }
            out
        };
        if !expired.is_empty() {
            let txn = self.begin_write()?;
            for key in &expired {
                remove_in(&txn, key)?;
            }
            txn.commit()?;
        }
        Ok(expired.len())
    }

    /// Number of live sessions of a user.
    pub fn session_count(&self, user_id: Uuid) -> Result<usize, StoreError> {
        let txn = self.begin_read()?;
        let by_user = txn.open_multimap_table(SESSIONS_BY_USER)?;
        Ok(by_user.get(user_id.as_u128())?.count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn sessions_are_found_by_id_and_revoked_per_user() {
        let (_dir, store) = temp_store();
        let user = Uuid::now_v7();
        let (a, sa) = store.create_session(user, "127.0.0.1").unwrap();
        let (b, _) = store.create_session(user, "127.0.0.1").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(store.session(&a).unwrap(), Some(sa));
        assert_eq!(store.session("nope").unwrap(), None);
        assert!(store.end_session(&a).unwrap().is_some());
        assert_eq!(store.session(&a).unwrap(), None);
        let txn = store.begin_write().unwrap();
        revoke_all_in(&txn, user).unwrap();
        txn.commit().unwrap();
        assert_eq!(store.session(&b).unwrap(), None);
        assert_eq!(store.session_count(user).unwrap(), 0);
    }
}
