//! The sealing state of the store: whether the database is sealed, and the data key while a
//! user who holds a slot has opened it. The key itself is kept by the use cases' key slots
//! (issue 17); here it is only checked and held.

use redb::{Database, ReadableDatabase};
use std::sync::Arc;

use super::codec::{open, seal};
use super::tables::META;
use super::{Sealing, Store, StoreError, Write};
use crate::seal::DataKey;

/// The setting that marks a sealed database: a known value sealed under the data key, so a key
/// offered to unlock is checked before anything is read or written with it.
const KEY_CHECK: &str = "data_key_check";
const KEY_CHECK_TEXT: &str = "sportello: chiave dei dati";

/// Whether the database file holds a data key check (so its personal values are sealed).
pub(super) fn is_sealed(db: &Database) -> Result<bool, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    Ok(table.get(KEY_CHECK)?.is_some())
}

/// Marks the database sealed under `key`, in `txn`. Refused on a database sealed already.
pub(super) fn write_check(txn: &Write, key: &Arc<DataKey>) -> Result<(), StoreError> {
    if !matches!(txn.sealing(), Sealing::Clear) {
        return Err(StoreError::AlreadySealed);
    }
    let open_state = Sealing::Open(key.clone());
    let check = seal(
        &open_state,
        META_NAME,
        KEY_CHECK.as_bytes(),
        &KEY_CHECK_TEXT,
    )?;
    txn.open_table(META)?.insert(KEY_CHECK, check.as_slice())?;
    Ok(())
}

impl Store {
    pub(super) fn set_sealing(&self, state: Sealing) {
        match self.sealing.write() {
            Ok(mut s) => *s = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }

    /// Seals a database that has no data key yet: from now on its personal values are written
    /// sealed under `key` (which stays in memory, open). Refused on a sealed database.
    pub fn start_sealing(&self, key: DataKey) -> Result<(), StoreError> {
        let key = Arc::new(key);
        let txn = self.begin_write()?;
        write_check(&txn, &key)?;
        txn.commit()?;
        self.set_sealing(Sealing::Open(key));
        Ok(())
    }

    /// Opens a sealed database with `key`, once it is checked against the database's own.
    pub fn unlock(&self, key: DataKey) -> Result<(), StoreError> {
        let key = Arc::new(key);
        let open_state = Sealing::Open(key.clone());
        let txn = self.begin_read()?;
        let table = txn.open_table(META)?;
        let check = table.get(KEY_CHECK)?.ok_or(StoreError::NotSealed)?;
        let text: String = open(&open_state, META_NAME, KEY_CHECK.as_bytes(), check.value())
            .map_err(|_| StoreError::WrongDataKey)?;
        if text != KEY_CHECK_TEXT {
            return Err(StoreError::WrongDataKey);
        }
        self.set_sealing(open_state);
        Ok(())
    }

    /// Forgets the data key (the appliance stops, or the last data user logs out of a locked
    /// configuration): personal records are locked again. A clear database stays clear.
    pub fn lock(&self) {
        if matches!(self.sealing(), Sealing::Open(_)) {
            self.set_sealing(Sealing::Locked);
        }
    }

    /// The data key while the database is open (to wrap it in a new key slot).
    pub fn data_key(&self) -> Option<Arc<DataKey>> {
        match self.sealing() {
            Sealing::Open(k) => Some(k),
            _ => None,
        }
    }
}

const META_NAME: &str = "meta";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::compose;
    use crate::domain::person::{new_temporary_code, Person, PersonData, Sex};
    use crate::store::test_support::clear_temp_store;

    fn canary_person() -> Person {
        let birth = chrono::NaiveDate::from_ymd_opt(1977, 7, 17).unwrap();
        PersonData {
            codice_fiscale: Some(compose("Zzcanarino", "Qqverdolina", Sex::F, birth, "H501")),
            surname: "Zzcanarino".into(),
            given_names: "Qqverdolina".into(),
            sex: Some(Sex::F),
            birth_date: Some(birth),
            birth_place: None,
            citizenship: None,
            residence_istat: None,
            domicile_istat: None,
            homeless: false,
            phone: "+39 333 9876543".into(),
            email: "canarino.segreto@example.org".into(),
            language: "lingua canarinolingua".into(),
            household: vec![],
            household_links: vec![],
            warnings: vec![],
        }
        .into_new_person(new_temporary_code(), chrono::Utc::now())
    }

    #[test]
    fn a_sealed_store_keeps_personal_values_unreadable_and_locks_after_reopening() {
        let (dir, store) = clear_temp_store();
        let key = DataKey::generate().unwrap();
        let copy = DataKey::from_bytes(*key.bytes());
        store.start_sealing(key).unwrap();
        let p = canary_person();
        store.create_person(&p, "op").unwrap();
        assert_eq!(store.person(p.id).unwrap().unwrap().phone, p.phone);
        store.close().unwrap();

        let bytes = std::fs::read(dir.path().join(crate::store::DB_FILE)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let cf = p.codice_fiscale.as_ref().unwrap().to_string();
        for canary in [
            &cf[..6],
            "zzcanarino",
            "Zzcanarino",
            "qqverdolina",
            "9876543",
            "canarino.segreto",
            "canarinolingua",
        ] {
            assert!(!text.contains(canary), "{canary} in clear in the file");
        }

        let store = Store::open(dir.path()).unwrap();
        assert!(store.sealing().is_locked());
        assert!(matches!(store.person(p.id), Err(StoreError::Locked)));
        assert!(matches!(
            store.create_person(&canary_person(), "op"),
            Err(StoreError::Locked)
        ));
        assert!(matches!(
            store.unlock(DataKey::generate().unwrap()),
            Err(StoreError::WrongDataKey)
        ));
        assert!(store.sealing().is_locked());
        assert!(matches!(
            store.search_persons("zzcanarino", 5),
            Err(StoreError::Locked)
        ));
        store.unlock(copy).unwrap();
        assert_eq!(store.person(p.id).unwrap().unwrap().email, p.email);
        // The hashed indexes find her as the clear ones did: whole code, its beginning, a
        // name with a typo, a beginning of a name, a birth year.
        for query in [
            cf.as_str(),
            &cf[..8],
            "zzcanarimo qqverdolina",
            "qqverd zzcan",
            "zzcanarino 1977",
            "17/07/1977",
        ] {
            let hits = store.search_persons(query, 5).unwrap();
            assert!(
                hits.iter().any(|h| h.person.id == p.id),
                "not found by {query}"
            );
        }
        assert!(store
            .search_persons("zzcanarino 1978", 5)
            .unwrap()
            .is_empty());
        store.lock();
        assert!(matches!(store.person(p.id), Err(StoreError::Locked)));
    }

    #[test]
    fn a_clear_store_stays_clear_and_cannot_be_sealed_twice() {
        let (_dir, store) = clear_temp_store();
        let p = canary_person();
        store.create_person(&p, "op").unwrap();
        store.lock();
        assert!(matches!(store.sealing(), Sealing::Clear));
        assert_eq!(store.person(p.id).unwrap().unwrap().phone, p.phone);
        assert!(matches!(
            store.unlock(DataKey::generate().unwrap()),
            Err(StoreError::NotSealed)
        ));
        store.start_sealing(DataKey::generate().unwrap()).unwrap();
        // A record written before sealing still reads.
        assert_eq!(store.person(p.id).unwrap().unwrap().phone, p.phone);
        assert!(matches!(
            store.start_sealing(DataKey::generate().unwrap()),
            Err(StoreError::AlreadySealed)
        ));
    }
}
