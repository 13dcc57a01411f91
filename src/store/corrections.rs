//! Corrections of a recorded access (its fields, or the person it turns out to be), each in one
//! transaction with its indexes, change log, audit entry and statistics.

use redb::ReadableTable;
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{open_id, seal_id};
use super::tables::{ACCESSES, ACCESSES_BY_PERSON, PERSONS};
use super::{audit, persons, Store, StoreError};
use crate::domain::access::Access;
use crate::domain::audit::{Action, AuditEvent};
use crate::domain::person::Person;

impl Store {
    /// Reads the access inside the write transaction, lets `change` correct it and say what
    /// changed (`None`: nothing did, nothing is written), then stores it with a person
    /// registered at the same moment, when given. A change of person moves the person index.
    pub fn correct_access<F>(
        &self,
        id: Uuid,
        new_person: Option<&Person>,
        actor: &str,
        action: Action,
        change: F,
    ) -> Result<Access, StoreError>
    where
        F: FnOnce(&mut Access) -> Result<Option<String>, StoreError>,
    {
        let txn = self.begin_write()?;
        let mut access: Access = {
            let table = txn.open_table(ACCESSES)?;
            let value = table
                .get(id.as_u128())?
                .ok_or(StoreError::NotFound("Accesso"))?;
            open_id(txn.sealing(), ACCESSES, id.as_u128(), value.value())?
        };
        let before = access.person_id;
        let Some(details) = change(&mut access)? else {
            txn.abort()?;
            return Ok(access);
        };
        if let Some(p) = new_person {
            persons::insert_in(&txn, p, actor)?;
        }
        if access.person_id != before {
            let mut index = txn.open_multimap_table(ACCESSES_BY_PERSON)?;
            if let Some(old) = before {
                index.remove(old.as_u128(), id.as_u128())?;
            }
            if let Some(new) = access.person_id {
                if txn.open_table(PERSONS)?.get(new.as_u128())?.is_none() {
                    return Err(StoreError::NotFound("Persona"));
                }
                index.insert(new.as_u128(), id.as_u128())?;
            }
        }
        txn.open_table(ACCESSES)?.insert(
            id.as_u128(),
            seal_id(txn.sealing(), ACCESSES, id.as_u128(), &access)?.as_slice(),
        )?;
        changelog::record(&txn, "access", id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, action, id.to_string())
                .details(details)
                .about_all(before.into_iter().chain(access.person_id)),
        )?;
        super::stats::commit(txn)?;
        Ok(access)
    }
}
