//! Persons, their change history, and the indexes that find them (code, name words, birth date).

use crate::domain::audit::Action;
use chrono::{Datelike, Utc};
use redb::{ReadableMultimapTable, ReadableTable};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{history_key, open_id, seal, seal_id};
use super::index_keys::{code_prefixes, word_prefixes, IndexKeys};
use super::tables::{
    PERSONS, PERSON_BY_BIRTH, PERSON_BY_CODE, PERSON_BY_CODE_PREFIX, PERSON_BY_WORD,
    PERSON_HISTORY, PERSON_WORD_PREFIX,
};
use super::{audit, Store, StoreError, Write};
use crate::domain::audit::AuditEvent;
use crate::domain::person::{diff, Person, PersonChange, PersonData};
use crate::domain::text::{edit_distance, fold, words};

const KIND: &str = "person";

/// The folded words of a person's name, as indexed.
pub(super) fn name_words(p: &Person) -> BTreeSet<String> {
    words(&format!("{} {}", p.surname, p.given_names))
        .into_iter()
        .collect()
}

pub(super) fn index_in(txn: &Write, p: &Person) -> Result<(), StoreError> {
    let keys = IndexKeys::of(txn.sealing())?;
    let id = p.id.as_u128();
    if let Some(code) = p.code() {
        txn.open_table(PERSON_BY_CODE)?
            .insert(keys.code(code).as_ref(), id)?;
        if keys.is_hashed() {
            let mut by_prefix = txn.open_multimap_table(PERSON_BY_CODE_PREFIX)?;
            for prefix in code_prefixes(code) {
                by_prefix.insert(keys.code_prefix(prefix).as_ref(), id)?;
            }
        }
    }
    let mut by_word = txn.open_multimap_table(PERSON_BY_WORD)?;
    let mut prefixes = if keys.is_hashed() {
        Some(txn.open_multimap_table(PERSON_WORD_PREFIX)?)
    } else {
        None
    };
    for w in name_words(p) {
        let key = keys.word(&w);
        if let Some(prefixes) = prefixes.as_mut() {
            // The first person with this word brings its beginnings into the index.
            if by_word.get(key.as_ref())?.next().is_none() {
                for prefix in word_prefixes(&w) {
                    prefixes.insert(keys.word_prefix(prefix).as_ref(), key.as_ref())?;
                }
            }
        }
        by_word.insert(key.as_ref(), id)?;
    }
    if let Some(d) = p.birth_date {
        txn.open_multimap_table(PERSON_BY_BIRTH)?
            .insert(keys.birth(d.num_days_from_ce()), id)?;
    }
    Ok(())
}

pub(super) fn unindex_in(txn: &Write, p: &Person) -> Result<(), StoreError> {
    if let Some(code) = p.code() {
        let keys = IndexKeys::of(txn.sealing())?;
        txn.open_table(PERSON_BY_CODE)?
            .remove(keys.code(code).as_ref())?;
        if keys.is_hashed() {
            let mut by_prefix = txn.open_multimap_table(PERSON_BY_CODE_PREFIX)?;
            for prefix in code_prefixes(code) {
                by_prefix.remove(keys.code_prefix(prefix).as_ref(), p.id.as_u128())?;
            }
        }
    }
    unindex_names_in(txn, p)
}

/// Takes a person out of the name and birth-date indexes (searches, duplicate checks) only: a
/// record merged into another keeps its code, which leads to the record kept.
pub(super) fn unindex_names_in(txn: &Write, p: &Person) -> Result<(), StoreError> {
    let keys = IndexKeys::of(txn.sealing())?;
    let id = p.id.as_u128();
    let mut by_word = txn.open_multimap_table(PERSON_BY_WORD)?;
    let mut prefixes = if keys.is_hashed() {
        Some(txn.open_multimap_table(PERSON_WORD_PREFIX)?)
    } else {
        None
    };
    for w in name_words(p) {
        let key = keys.word(&w);
        by_word.remove(key.as_ref(), id)?;
        if let Some(prefixes) = prefixes.as_mut() {
            // The last person with this word takes its beginnings away.
            if by_word.get(key.as_ref())?.next().is_none() {
                for prefix in word_prefixes(&w) {
                    prefixes.remove(keys.word_prefix(prefix).as_ref(), key.as_ref())?;
                }
            }
        }
    }
    if let Some(d) = p.birth_date {
        txn.open_multimap_table(PERSON_BY_BIRTH)?
            .remove(keys.birth(d.num_days_from_ce()), id)?;
    }
    Ok(())
}

pub(super) fn code_owner(txn: &Write, code: &str) -> Result<Option<Uuid>, StoreError> {
    let keys = IndexKeys::of(txn.sealing())?;
    Ok(txn
        .open_table(PERSON_BY_CODE)?
        .get(keys.code(code).as_ref())?
        .map(|v| Uuid::from_u128(v.value())))
}

pub(super) fn get_in(txn: &Write, id: Uuid) -> Result<Person, StoreError> {
    let table = txn.open_table(PERSONS)?;
    let v = table
        .get(id.as_u128())?
        .ok_or(StoreError::NotFound("Persona"))?;
    open_id(txn.sealing(), PERSONS, id.as_u128(), v.value())
}

/// Stores a new person with its indexes and change-log entry, without an audit entry (the
/// caller audits), refusing a code that already belongs to someone.
pub(super) fn insert_quietly(txn: &Write, person: &Person) -> Result<(), StoreError> {
    if let Some(code) = person.code() {
        if let Some(existing) = code_owner(txn, code)? {
            return Err(StoreError::DuplicateCode(existing));
        }
    }
    txn.open_table(PERSONS)?.insert(
        person.id.as_u128(),
        seal_id(txn.sealing(), PERSONS, person.id.as_u128(), person)?.as_slice(),
    )?;
    index_in(txn, person)?;
    changelog::record(txn, KIND, person.id, ChangeOp::Upsert)?;
    Ok(())
}

/// Stores a new person (inside `txn`) and audits it.
pub(super) fn insert_in(txn: &Write, person: &Person, actor: &str) -> Result<(), StoreError> {
    insert_quietly(txn, person)?;
    audit::append(
        txn,
        AuditEvent::new(actor, Action::PersonCreate, person.id.to_string()).about(person.id),
    )?;
    Ok(())
}

impl Store {
    pub fn create_person(&self, person: &Person, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        insert_in(&txn, person, actor)?;
        super::stats::commit(txn)?;
        Ok(())
    }

    /// Applies checked fields to a person, keeping the history of what changed and who did it.
    pub fn update_person(
        &self,
        id: Uuid,
        data: PersonData,
        actor: &str,
    ) -> Result<(Person, Vec<String>), StoreError> {
        let txn = self.begin_write()?;
        let before = get_in(&txn, id)?;
        if before.is_restricted() {
            return Err(StoreError::Restricted);
        }
        let after = data.apply_to(&before, Utc::now());
        if let Some(code) = after.code() {
            match code_owner(&txn, code)? {
                Some(owner) if owner != id => return Err(StoreError::DuplicateCode(owner)),
                _ => {}
            }
        }
        let changes = diff(&before, &after);
        if changes.is_empty() {
            return Ok((before, Vec::new()));
        }
        unindex_in(&txn, &before)?;
        txn.open_table(PERSONS)?.insert(
            id.as_u128(),
            seal_id(txn.sealing(), PERSONS, id.as_u128(), &after)?.as_slice(),
        )?;
        index_in(&txn, &after)?;
        let fields: Vec<String> = changes.iter().map(|c| c.field.clone()).collect();
        {
            let mut history = txn.open_table(PERSON_HISTORY)?;
            let next = history
                .range((id.as_u128(), 0)..=(id.as_u128(), u64::MAX))?
                .next_back()
                .transpose()?
                .map_or(1, |(k, _)| k.value().1 + 1);
            let entry = PersonChange {
                time: after.updated_at,
                user: actor.to_string(),
                changes,
            };
            let sealed = seal(
                txn.sealing(),
                redb::TableHandle::name(&PERSON_HISTORY),
                &history_key(id.as_u128(), next),
                &entry,
            )?;
            history.insert((id.as_u128(), next), sealed.as_slice())?;
        }
        changelog::record(&txn, KIND, id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::PersonUpdate, id.to_string())
                .details(fields.join(", "))
                .about(id),
        )?;
        super::stats::commit(txn)?;
        Ok((after, fields))
    }

    pub fn person(&self, id: Uuid) -> Result<Option<Person>, StoreError> {
        self.snapshot()?.person(id)
    }

    /// The person holding a codice fiscale or temporary code.
    pub fn person_by_code(&self, code: &str) -> Result<Option<Person>, StoreError> {
        let txn = self.begin_read()?;
        let keys = IndexKeys::of(txn.sealing())?;
        let index = txn.open_table(PERSON_BY_CODE)?;
        let Some(id) = index.get(keys.code(code).as_ref())? else {
            return Ok(None);
        };
        let table = txn.open_table(PERSONS)?;
        let v = table.get(id.value())?;
        v.map(|v| open_id(txn.sealing(), PERSONS, id.value(), v.value()))
            .transpose()
    }

    /// Changes to a person, oldest first.
    pub fn person_history(&self, id: Uuid) -> Result<Vec<PersonChange>, StoreError> {
        self.snapshot()?.person_history(id)
    }

    /// People who may be the one being registered: the same code, or the same birth date with
    /// the same or a close name (surname and given names in either order).
    pub fn possible_duplicates(&self, data: &PersonData) -> Result<Vec<Person>, StoreError> {
        let txn = self.begin_read()?;
        let keys = IndexKeys::of(txn.sealing())?;
        let persons = txn.open_table(PERSONS)?;
        let mut found: Vec<Person> = Vec::new();
        if let Some(cf) = &data.codice_fiscale {
            if let Some(id) = txn
                .open_table(PERSON_BY_CODE)?
                .get(keys.code(cf.as_str()).as_ref())?
            {
                if let Some(v) = persons.get(id.value())? {
                    found.push(open_id(txn.sealing(), PERSONS, id.value(), v.value())?);
                }
            }
        }
        if let Some(d) = data.birth_date {
            let wanted = fold(&format!("{} {}", data.surname, data.given_names));
            let swapped = fold(&format!("{} {}", data.given_names, data.surname));
            let by_birth = txn.open_multimap_table(PERSON_BY_BIRTH)?;
            for id in by_birth.get(keys.birth(d.num_days_from_ce()))? {
                let id = id?.value();
                if found.iter().any(|p| p.id.as_u128() == id) {
                    continue;
                }
                if let Some(v) = persons.get(id)? {
                    let p: Person = open_id(txn.sealing(), PERSONS, id, v.value())?;
                    let name = p.folded_name();
                    // A hashed date key could, very rarely, be another date's.
                    if p.birth_date == Some(d)
                        && (edit_distance(&name, &wanted, 2) <= 2
                            || edit_distance(&name, &swapped, 2) <= 2)
                    {
                        found.push(p);
                    }
                }
            }
        }
        Ok(found)
    }

    /// Number of persons held.
    pub fn person_count(&self) -> Result<u64, StoreError> {
        let txn = self.begin_read()?;
        Ok(redb::ReadableTableMetadata::len(&txn.open_table(PERSONS)?)?)
    }
}
