//! Merging two records of one person, and undoing it, each in one transaction: accesses,
//! appointments and referrals move with their indexes, change log and statistics; the merged
//! record stays as a tombstone pointing to the one kept.

use chrono::{DateTime, Utc};
use redb::{ReadableMultimapTable, ReadableTable};
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{open_id, seal_id};
use super::persons::{code_owner, get_in, index_in, unindex_names_in};
use super::tables::{
    ACCESSES, ACCESSES_BY_PERSON, APPOINTMENTS, APPOINTMENTS_BY_PERSON, MERGES, MERGES_BY_INTO,
    PERSONS, REFERRALS, REFERRALS_BY_PERSON,
};
use super::{audit, Store, StoreError};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::audit::{Action, AuditEvent};
use crate::domain::conflict::Conflict;
use crate::domain::merge::{household_to_add, Merge, MergedInto, Undone};
use crate::domain::person::Person;
use crate::domain::referral::Referral;

/// The ids a multimap index holds for `person`.
fn ids_of(
    txn: &super::Write,
    table: redb::MultimapTableDefinition<u128, u128>,
    person: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    let index = txn.open_multimap_table(table)?;
    let mut out = Vec::new();
    for id in index.get(person.as_u128())? {
        out.push(Uuid::from_u128(id?.value()));
    }
    Ok(out)
}

/// Moves the records named by `ids` from `from` to `to`: each value's person, the index, the
/// change log. Records that are no longer `from`'s (changed since) are left alone.
fn move_records<T, F>(
    txn: &super::Write,
    tables: (
        redb::TableDefinition<u128, &[u8]>,
        redb::MultimapTableDefinition<u128, u128>,
    ),
    kind: &str,
    ids: &[Uuid],
    (from, to): (Uuid, Uuid),
    person_of: F,
) -> Result<Vec<Uuid>, StoreError>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    F: Fn(&mut T) -> Option<&mut Uuid>,
{
    let mut moved = Vec::new();
    let mut table = txn.open_table(tables.0)?;
    let mut index = txn.open_multimap_table(tables.1)?;
    for id in ids {
        let mut value: T = match table.get(id.as_u128())? {
            Some(v) => open_id(txn.sealing(), tables.0, id.as_u128(), v.value())?,
            None => continue,
        };
        match person_of(&mut value) {
            Some(person) if *person == from => *person = to,
            _ => continue,
        }
        table.insert(
            id.as_u128(),
            seal_id(txn.sealing(), tables.0, id.as_u128(), &value)?.as_slice(),
        )?;
        index.remove(from.as_u128(), id.as_u128())?;
        index.insert(to.as_u128(), id.as_u128())?;
        changelog::record(txn, kind, *id, ChangeOp::Upsert)?;
        moved.push(*id);
    }
    Ok(moved)
}

fn put_person(txn: &super::Write, p: &Person) -> Result<(), StoreError> {
    txn.open_table(PERSONS)?.insert(
        p.id.as_u128(),
        seal_id(txn.sealing(), PERSONS, p.id.as_u128(), p)?.as_slice(),
    )?;
    changelog::record(txn, "person", p.id, ChangeOp::Upsert)?;
    Ok(())
}

/// What a merge moves: accesses, appointments, referrals.
type Moved = (Vec<Uuid>, Vec<Uuid>, Vec<Uuid>);

/// Moves the accesses, appointments and referrals listed from `ids.0` to `ids.1`.
fn move_all(
    txn: &super::Write,
    (accesses, appointments, referrals): (&[Uuid], &[Uuid], &[Uuid]),
    ids: (Uuid, Uuid),
) -> Result<Moved, StoreError> {
    Ok((
        move_records::<Access, _>(
            txn,
            (ACCESSES, ACCESSES_BY_PERSON),
            "access",
            accesses,
            ids,
            |a| a.person_id.as_mut(),
        )?,
        move_records::<Appointment, _>(
            txn,
            (APPOINTMENTS, APPOINTMENTS_BY_PERSON),
            "appointment",
            appointments,
            ids,
            |a| Some(&mut a.person_id),
        )?,
        move_records::<Referral, _>(
            txn,
            (REFERRALS, REFERRALS_BY_PERSON),
            "referral",
            referrals,
            ids,
            |r| Some(&mut r.person_id),
        )?,
    ))
}

impl Store {
    /// Merges `merged` into `into`: its accesses, appointments, referrals, consents and
    /// household move to `into`, the privacy notice too when `into` has none; `merged` becomes a
    /// tombstone pointing to `into`. Audited for both persons.
    pub fn merge_persons(
        &self,
        merged: Uuid,
        into: Uuid,
        (by, by_name): (&str, &str),
        now: DateTime<Utc>,
    ) -> Result<Merge, StoreError> {
        let txn = self.begin_write()?;
        let mut gone = get_in(&txn, merged)?;
        let mut kept = get_in(&txn, into)?;
        if gone.merged_into.is_some() || kept.merged_into.is_some() {
            return Err(StoreError::Conflict(Conflict::AlreadyMerged));
        }
        let ids = (merged, into);
        let (accesses, appointments, referrals) = move_all(
            &txn,
            (
                &ids_of(&txn, ACCESSES_BY_PERSON, merged)?,
                &ids_of(&txn, APPOINTMENTS_BY_PERSON, merged)?,
                &ids_of(&txn, REFERRALS_BY_PERSON, merged)?,
            ),
            ids,
        )?;
        let consents: Vec<_> = gone
            .consents
            .iter()
            .filter(|c| !kept.consents.contains(c))
            .cloned()
            .collect();
        let household = household_to_add(&kept.household, &gone.household, ids);
        let notice = match (&kept.privacy_notice, &gone.privacy_notice) {
            (None, Some(n)) => Some(n.clone()),
            _ => None,
        };
        kept.consents.extend(consents.iter().cloned());
        kept.household.extend(household.iter().cloned());
        if notice.is_some() {
            kept.privacy_notice = notice.clone();
        }
        kept.updated_at = now;
        put_person(&txn, &kept)?;
        let merge = Merge {
            id: Uuid::now_v7(),
            merged,
            into,
            at: now,
            by: by.to_string(),
            by_name: by_name.to_string(),
            accesses,
            appointments,
            referrals,
            consents,
            household,
            notice,
            undone: None,
        };
        unindex_names_in(&txn, &gone)?;
        gone.merged_into = Some(MergedInto {
            into,
            merge_id: merge.id,
            at: now,
        });
        gone.updated_at = now;
        put_person(&txn, &gone)?;
        txn.open_table(MERGES)?.insert(
            merge.id.as_u128(),
            seal_id(txn.sealing(), MERGES, merge.id.as_u128(), &merge)?.as_slice(),
        )?;
        txn.open_multimap_table(MERGES_BY_INTO)?
            .insert(into.as_u128(), merge.id.as_u128())?;
        audit::append(
            &txn,
            AuditEvent::new(by, Action::PersonMerge, merged.to_string())
                .details(format!(
                    "unita a {into}: {} accessi, {} appuntamenti, {} invii",
                    merge.accesses.len(),
                    merge.appointments.len(),
                    merge.referrals.len()
                ))
                .about_all([merged, into]),
        )?;
        super::stats::commit(txn)?;
        Ok(merge)
    }

    /// Undoes a merge: what moved goes back (what was added to the record kept since stays),
    /// the tombstone is a record again. Refused if its code has been given to someone else.
    pub fn undo_merge(
        &self,
        merge_id: Uuid,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Merge, StoreError> {
        let txn = self.begin_write()?;
        let mut merge: Merge = {
            let table = txn.open_table(MERGES)?;
            let v = table
                .get(merge_id.as_u128())?
                .ok_or(StoreError::NotFound("Unione"))?;
            open_id(txn.sealing(), MERGES, merge_id.as_u128(), v.value())?
        };
        if merge.undone.is_some() {
            return Err(StoreError::Conflict(Conflict::MergeUndone));
        }
        let mut gone = get_in(&txn, merge.merged)?;
        if gone.merged_into.as_ref().map(|m| m.merge_id) != Some(merge.id) {
            return Err(StoreError::Conflict(Conflict::MergedRecordChanged));
        }
        if let Some(code) = gone.code() {
            if code_owner(&txn, code)?.is_some_and(|o| o != gone.id) {
                return Err(StoreError::Conflict(Conflict::CodeTaken(code.to_string())));
            }
        }
        let ids = (merge.into, merge.merged);
        move_all(
            &txn,
            (&merge.accesses, &merge.appointments, &merge.referrals),
            ids,
        )?;
        let mut kept = get_in(&txn, merge.into)?;
        kept.consents.retain(|c| !merge.consents.contains(c));
        kept.household.retain(|h| !merge.household.contains(h));
        if merge.notice.is_some() && kept.privacy_notice == merge.notice {
            kept.privacy_notice = None;
        }
        kept.updated_at = now;
        put_person(&txn, &kept)?;
        gone.merged_into = None;
        gone.updated_at = now;
        put_person(&txn, &gone)?;
        index_in(&txn, &gone)?;
        merge.undone = Some(Undone {
            at: now,
            by: by.to_string(),
        });
        txn.open_table(MERGES)?.insert(
            merge.id.as_u128(),
            seal_id(txn.sealing(), MERGES, merge.id.as_u128(), &merge)?.as_slice(),
        )?;
        audit::append(
            &txn,
            AuditEvent::new(by, Action::PersonMergeUndo, merge.merged.to_string())
                .details(format!("separata da {}", merge.into))
                .about_all([merge.merged, merge.into]),
        )?;
        super::stats::commit(txn)?;
        Ok(merge)
    }

    pub fn merge(&self, id: Uuid) -> Result<Option<Merge>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(MERGES)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(txn.sealing(), MERGES, id.as_u128(), v.value()))
            .transpose()
    }

    /// The merges into a person, oldest first.
    pub fn merges_into(&self, person: Uuid) -> Result<Vec<Merge>, StoreError> {
        let txn = self.begin_read()?;
        let index = txn.open_multimap_table(MERGES_BY_INTO)?;
        let table = txn.open_table(MERGES)?;
        let mut out = Vec::new();
        for id in index.get(person.as_u128())? {
            let id = id?.value();
            if let Some(v) = table.get(id)? {
                out.push(open_id(txn.sealing(), MERGES, id, v.value())?);
            }
        }
        Ok(out)
    }
}
