//! One read transaction for a whole page: every read of a use case sees the same moment of the
//! database and opens one snapshot, not one per query.

use chrono::{DateTime, Utc};
use redb::ReadableTable;
use uuid::Uuid;

use super::codec::{decode, history_key, open, open_id};
use super::tables::*;
use super::{Store, StoreError};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::person::{Person, PersonChange};
use crate::domain::referral::Referral;
use redb::TableHandle;

pub struct Snapshot {
    txn: super::Read,
}

/// Records changed since a change number, by kind (`access`, `person`, `referral`…).
#[derive(Debug, Default)]
pub struct Changed {
    pub ids: std::collections::BTreeMap<String, std::collections::BTreeSet<Uuid>>,
    pub last: u64,
}

impl Changed {
    pub fn of(&self, kind: &str) -> impl Iterator<Item = Uuid> + '_ {
        self.ids.get(kind).into_iter().flatten().copied()
    }
}

impl Store {
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(Snapshot {
            txn: self.begin_read()?,
        })
    }
}

impl Snapshot {
    pub fn person(&self, id: Uuid) -> Result<Option<Person>, StoreError> {
        let table = self.txn.open_table(PERSONS)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(self.txn.sealing(), PERSONS, id.as_u128(), v.value()))
            .transpose()
    }

    /// Every change of a person's data, oldest first.
    pub fn person_history(&self, id: Uuid) -> Result<Vec<PersonChange>, StoreError> {
        let table = self.txn.open_table(PERSON_HISTORY)?;
        table
            .range((id.as_u128(), 0)..=(id.as_u128(), u64::MAX))?
            .map(|row| {
                let (k, v) = row?;
                let (pid, n) = k.value();
                open(
                    self.txn.sealing(),
                    PERSON_HISTORY.name(),
                    &history_key(pid, n),
                    v.value(),
                )
            })
            .collect()
    }

    /// The records of `table` listed under `key` in the multimap `index`.
    fn listed<T: serde::de::DeserializeOwned>(
        &self,
        index: redb::MultimapTableDefinition<u128, u128>,
        table: redb::TableDefinition<u128, &[u8]>,
        key: Uuid,
    ) -> Result<Vec<T>, StoreError> {
        let table_def = table;
        let index = self.txn.open_multimap_table(index)?;
        let table = self.txn.open_table(table)?;
        let mut out = Vec::new();
        for id in index.get(key.as_u128())? {
            let id = id?.value();
            if let Some(v) = table.get(id)? {
                out.push(open_id(self.txn.sealing(), table_def, id, v.value())?);
            }
        }
        Ok(out)
    }

    /// A person's accesses, newest first.
    pub fn accesses_of(&self, person: Uuid) -> Result<Vec<Access>, StoreError> {
        let mut out: Vec<Access> = self.listed(ACCESSES_BY_PERSON, ACCESSES, person)?;
        out.sort_by_key(|a| std::cmp::Reverse(a.time));
        Ok(out)
    }

    /// A person's appointments, earliest first.
    pub fn appointments_of(&self, person: Uuid) -> Result<Vec<Appointment>, StoreError> {
        let mut out: Vec<Appointment> =
            self.listed(APPOINTMENTS_BY_PERSON, APPOINTMENTS, person)?;
        out.sort_by_key(|a| a.start);
        Ok(out)
    }

    /// The referrals under `key` in one of the referral indexes, oldest first.
    fn referrals_by(
        &self,
        index: redb::MultimapTableDefinition<u128, u128>,
        key: Uuid,
    ) -> Result<Vec<Referral>, StoreError> {
        let mut out: Vec<Referral> = self.listed(index, REFERRALS, key)?;
        out.sort_by_key(|r| r.created_at);
        Ok(out)
    }

    pub fn referrals_of_person(&self, person: Uuid) -> Result<Vec<Referral>, StoreError> {
        self.referrals_by(REFERRALS_BY_PERSON, person)
    }

    /// Every audit entry concerning `person`, oldest first (the person index).
    pub fn audit_of_person(
        &self,
        person: Uuid,
    ) -> Result<Vec<crate::domain::audit::AuditEntry>, StoreError> {
        super::audit::person_entries(&self.txn, person)
    }

    /// The person a record id belongs to: the person herself, or the person of an access, a
    /// referral or an appointment.
    pub fn owner_of(&self, id: Uuid) -> Result<Option<Uuid>, StoreError> {
        let key = id.as_u128();
        if self.txn.open_table(PERSONS)?.get(key)?.is_some() {
            return Ok(Some(id));
        }
        if let Some(a) = self.access(id)? {
            return Ok(a.person_id);
        }
        if let Some(v) = self.txn.open_table(REFERRALS)?.get(key)? {
            let r: Referral = open_id(self.txn.sealing(), REFERRALS, key, v.value())?;
            return Ok(Some(r.person_id));
        }
        if let Some(v) = self.txn.open_table(APPOINTMENTS)?.get(key)? {
            let a: Appointment = open_id(self.txn.sealing(), APPOINTMENTS, key, v.value())?;
            return Ok(Some(a.person_id));
        }
        Ok(None)
    }

    pub fn referral(&self, id: Uuid) -> Result<Option<Referral>, StoreError> {
        let table = self.txn.open_table(REFERRALS)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(self.txn.sealing(), REFERRALS, id.as_u128(), v.value()))
            .transpose()
    }

    /// The ids of the records changed after change `after`, by kind, and the last change number
    /// (what a bundle carries).
    pub fn changed_since(&self, after: u64) -> Result<Changed, StoreError> {
        let table = self.txn.open_table(CHANGELOG)?;
        let mut out = Changed {
            last: after,
            ..Changed::default()
        };
        for row in table.range(after.saturating_add(1)..)? {
            let (k, v) = row?;
            let e: super::ChangeEntry = decode(v.value())?;
            out.last = k.value();
            out.ids.entry(e.kind).or_default().insert(e.id);
        }
        Ok(out)
    }

    /// Calls `f` with each access of `ids` that exists, reading the table from one opening (an
    /// export reads a million of them).
    pub fn for_each_access<E: From<StoreError>>(
        &self,
        ids: impl Iterator<Item = Uuid>,
        mut f: impl FnMut(Access) -> Result<(), E>,
    ) -> Result<(), E> {
        let accesses = self.txn.open_table(ACCESSES).map_err(StoreError::from)?;
        for id in ids {
            if let Some(v) = accesses.get(id.as_u128()).map_err(StoreError::from)? {
                f(open_id(
                    self.txn.sealing(),
                    ACCESSES,
                    id.as_u128(),
                    v.value(),
                )?)?;
            }
        }
        Ok(())
    }

    pub fn access(&self, id: Uuid) -> Result<Option<Access>, StoreError> {
        let table = self.txn.open_table(ACCESSES)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(self.txn.sealing(), ACCESSES, id.as_u128(), v.value()))
            .transpose()
    }

    /// The records of `table` whose time, in the `(millis, id)` keys of `index`, is in
    /// `from..to`, in time order.
    fn between<T: serde::de::DeserializeOwned>(
        &self,
        index: redb::TableDefinition<(i64, u128), ()>,
        table: redb::TableDefinition<u128, &[u8]>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<T>, StoreError> {
        let table_def = table;
        let index = self.txn.open_table(index)?;
        let table = self.txn.open_table(table)?;
        let mut out = Vec::new();
        for row in index.range((from.timestamp_millis(), 0)..(to.timestamp_millis(), 0))? {
            let (k, _) = row?;
            let id = k.value().1;
            if let Some(v) = table.get(id)? {
                out.push(open_id(self.txn.sealing(), table_def, id, v.value())?);
            }
        }
        Ok(out)
    }

    /// Accesses with `from <= time < to`, oldest first.
    pub fn accesses_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Access>, StoreError> {
        self.between(ACCESSES_BY_TIME, ACCESSES, from, to)
    }

    /// Appointments starting at `from <= start < to`, in time order.
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.between(APPOINTMENTS_BY_TIME, APPOINTMENTS, from, to)
    }

    /// Every referral, newest first.
    pub fn referrals(&self) -> Result<Vec<Referral>, StoreError> {
        let mut out: Vec<Referral> = self
            .txn
            .open_table(REFERRALS)?
            .iter()?
            .map(|row| {
                let (k, v) = row?;
                open_id(self.txn.sealing(), REFERRALS, k.value(), v.value())
            })
            .collect::<Result<_, _>>()?;
        out.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        Ok(out)
    }

    /// The persons with these ids (those that exist), in the order given.
    pub fn persons_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Person>, StoreError> {
        let persons = self.txn.open_table(PERSONS)?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(v) = persons.get(id.as_u128())? {
                out.push(open_id(
                    self.txn.sealing(),
                    PERSONS,
                    id.as_u128(),
                    v.value(),
                )?);
            }
        }
        Ok(out)
    }

    pub fn referrals_of_access(&self, access: Uuid) -> Result<Vec<Referral>, StoreError> {
        self.referrals_by(REFERRALS_BY_ACCESS, access)
    }
}
