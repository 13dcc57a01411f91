//! Failed logins per username, kept in the database so a restart does not lift a lockout.
//! Tracked for any typed username, known or not, so that lockout does not reveal which exist;
//! keyed by a hash of what was typed, because people sometimes type a password there.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable};

use sha2::{Digest, Sha256};

use super::codec::{decode, encode};
use super::tables::LOGIN_FAILURES;
use super::{Store, StoreError};
use crate::domain::login::recent_failures;

/// Table key for a typed username.
pub(super) fn key(username: &str) -> String {
    hex::encode(Sha256::digest(username.as_bytes()))
}

impl Store {
    /// Recent failures for a username.
    pub fn login_failures(&self, username: &str) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(LOGIN_FAILURES)?;
        let value = table.get(key(username).as_str())?;
        Ok(value
            .map(|v| decode::<Vec<DateTime<Utc>>>(v.value()))
            .transpose()?
            .unwrap_or_default())
    }

    /// Adds a failure at `now` (dropping those outside the window) and returns the recent ones.
    pub fn record_login_failure(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let txn = self.db.begin_write()?;
        let recent = {
            let mut table = txn.open_table(LOGIN_FAILURES)?;
            let key = key(username);
            let mut failures: Vec<DateTime<Utc>> = match table.get(key.as_str())? {
                Some(v) => decode(v.value())?,
                None => Vec::new(),
            };
            failures.push(now);
            let recent = recent_failures(&failures, now);
            table.insert(key.as_str(), encode(&recent)?.as_slice())?;
            recent
        };
        txn.commit()?;
        Ok(recent)
    }

    pub fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write()?;
        txn.open_table(LOGIN_FAILURES)?
            .remove(key(username).as_str())?;
        txn.commit()?;
        Ok(())
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
