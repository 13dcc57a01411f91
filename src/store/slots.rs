//! Key slots (issue 17): the data key wrapped once per holder — a data user, or the recovery
//! sheet — as `seal::Slot`s. The slots are not secret (each needs its holder's password or the
//! recovery key to open) and travel in backups, so a restored copy opens with the same secrets.

use redb::ReadableTable;
use std::sync::Arc;

use super::codec::{decode, encode};
use super::tables::KEY_SLOTS;
use super::{Sealing, Store, StoreError};
use crate::seal::{DataKey, Slot};

/// The holder name of the recovery sheet's slot.
pub const RECOVERY_HOLDER: &str = "recovery";

/// The holder name of a user's slot: the user's id, which a rename does not change.
pub fn user_holder(user: uuid::Uuid) -> String {
    format!("user:{user}")
}

impl Store {
    /// Seals a database that has no data key yet and stores its first slots, in one transaction:
    /// a database is never sealed without a way to open it.
    pub fn start_sealing_with(&self, key: DataKey, slots: &[Slot]) -> Result<(), StoreError> {
        if slots.is_empty() {
            return Err(StoreError::NoKeySlot);
        }
        let key = Arc::new(key);
        let txn = self.begin_write()?;
        super::sealing::write_check(&txn, &key)?;
        {
            let mut table = txn.open_table(KEY_SLOTS)?;
            for slot in slots {
                table.insert(slot.holder.as_str(), encode(slot)?.as_slice())?;
            }
        }
        txn.commit()?;
        self.set_sealing(Sealing::Open(key));
        Ok(())
    }

    /// The slot of `holder`, if it has one.
    pub fn key_slot(&self, holder: &str) -> Result<Option<Slot>, StoreError> {
        let txn = self.begin_read()?;
        let table = match txn.open_table(KEY_SLOTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let v = table.get(holder)?;
        v.map(|v| decode(v.value())).transpose()
    }

    /// Adds or replaces a slot (a new data user, a changed password). The slot must open to the
    /// data key of this moment, so a slot of another key is never stored.
    pub fn put_key_slot(&self, slot: &Slot, opened_with: &DataKey) -> Result<(), StoreError> {
        let Some(current) = self.data_key() else {
            return Err(StoreError::Locked);
        };
        if current.bytes() != opened_with.bytes() {
            return Err(StoreError::WrongDataKey);
        }
        let txn = self.begin_write()?;
        txn.open_table(KEY_SLOTS)?
            .insert(slot.holder.as_str(), encode(slot)?.as_slice())?;
        txn.commit()
    }

    /// Drops `holder`'s slot (a disabled user, one without data roles any more). The recovery
    /// slot and the last slot are kept: the data would be lost with them.
    pub fn remove_key_slot(&self, holder: &str) -> Result<bool, StoreError> {
        if holder == RECOVERY_HOLDER {
            return Err(StoreError::NoKeySlot);
        }
        let txn = self.begin_write()?;
        let removed = {
            let mut table = txn.open_table(KEY_SLOTS)?;
            let others = table
                .iter()?
                .filter(|row| row.as_ref().is_ok_and(|(k, _)| k.value() != holder))
                .count();
            if others == 0 {
                return Err(StoreError::NoKeySlot);
            }
            let removed = table.remove(holder)?.is_some();
            removed
        };
        txn.commit()?;
        Ok(removed)
    }

    /// The holders of a slot, in name order.
    pub fn key_slot_holders(&self) -> Result<Vec<String>, StoreError> {
        let txn = self.begin_read()?;
        let table = match txn.open_table(KEY_SLOTS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        table
            .iter()?
            .map(|row| Ok(row?.0.value().to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::SlotKdf;
    use crate::store::test_support::clear_temp_store;

    const FAST: SlotKdf = SlotKdf::FAST_FOR_TESTS;

    #[test]
    fn a_slot_opens_the_store_after_a_restart_and_the_last_way_in_is_never_dropped() {
        let (dir, store) = clear_temp_store();
        let key = DataKey::generate().unwrap();
        let user = user_holder(uuid::Uuid::now_v7());
        let mine = Slot::wrap(&key, &user, b"parola d'ordine lunga", FAST).unwrap();
        let recovery = Slot::wrap(&key, RECOVERY_HOLDER, b"chiave di recupero", FAST).unwrap();
        assert!(matches!(
            store.start_sealing_with(DataKey::generate().unwrap(), &[]),
            Err(StoreError::NoKeySlot)
        ));
        store.start_sealing_with(key, &[mine, recovery]).unwrap();
        store.close().unwrap();

        let store = Store::open(dir.path()).unwrap();
        assert!(store.sealing().is_locked());
        let slot = store.key_slot(&user).unwrap().unwrap();
        assert!(slot.unwrap(b"un'altra").is_err());
        store
            .unlock(slot.unwrap(b"parola d'ordine lunga").unwrap())
            .unwrap();
        assert!(!store.sealing().is_locked());

        // A second user's slot, made from the open key; a slot of another key is refused.
        let open_key = store.data_key().unwrap();
        let other = user_holder(uuid::Uuid::now_v7());
        let theirs = Slot::wrap(&open_key, &other, b"la sua frase", FAST).unwrap();
        store.put_key_slot(&theirs, &open_key).unwrap();
        let stranger = DataKey::generate().unwrap();
        let forged = Slot::wrap(&stranger, "user:x", b"frase", FAST).unwrap();
        assert!(matches!(
            store.put_key_slot(&forged, &stranger),
            Err(StoreError::WrongDataKey)
        ));
        assert_eq!(store.key_slot_holders().unwrap().len(), 3);

        assert!(store.remove_key_slot(&other).unwrap());
        assert!(store.remove_key_slot(&user).unwrap());
        assert!(matches!(
            store.remove_key_slot(RECOVERY_HOLDER),
            Err(StoreError::NoKeySlot)
        ));
        assert_eq!(
            store.key_slot_holders().unwrap(),
            vec![RECOVERY_HOLDER.to_string()]
        );
    }
}
