//! Failed logins per username, kept in the database so a restart does not lift a lockout.
//! Tracked for any typed username, known or not, so that lockout does not reveal which exist.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable};

use super::codec::{decode, encode};
use super::tables::LOGIN_FAILURES;
use super::{Store, StoreError};
use crate::domain::login::recent_failures;

impl Store {
    /// Recent failures for a username.
    pub fn login_failures(&self, username: &str) -> Result<Vec<DateTime<Utc>>, StoreError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(LOGIN_FAILURES)?;
        let value = table.get(username)?;
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
            let mut failures: Vec<DateTime<Utc>> = match table.get(username)? {
                Some(v) => decode(v.value())?,
                None => Vec::new(),
            };
            failures.push(now);
            let recent = recent_failures(&failures, now);
            table.insert(username, encode(&recent)?.as_slice())?;
            recent
        };
        txn.commit()?;
        Ok(recent)
    }

    pub fn clear_login_failures(&self, username: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write()?;
        txn.open_table(LOGIN_FAILURES)?.remove(username)?;
        txn.commit()?;
        Ok(())
    }
}
