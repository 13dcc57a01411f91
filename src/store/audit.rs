//! Append-only, hash-chained audit log.

use chrono::Utc;
use redb::{ReadableTable, WriteTransaction};

use serde::{Deserialize, Serialize};

use super::codec::decode;
use super::tables::{AUDIT, AUDIT_BY_PERSON, META};
use super::{Store, StoreError};
use crate::domain::audit::{verify_chain, verify_chain_from, AuditEntry, AuditEvent, ChainError};

/// Format byte of a compact entry (the codec's 1 is MessagePack with field names).
const FORMAT_COMPACT: u8 = 2;

/// A hash stored as its 32 bytes, not 64 hex characters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hash32([u8; 32]);

impl Serialize for Hash32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Hash32;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("32 bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Hash32, E> {
                <[u8; 32]>::try_from(v)
                    .map(Hash32)
                    .map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// How an entry is stored: positional (no field names), the time as seconds and nanoseconds,
/// persons as 128-bit ids, hashes as bytes; the sequence number is the key. The hash covers the
/// entry's canonical form (`AuditEntry::compute_hash`), not these bytes, so the chain does not
/// depend on how entries are stored.
#[derive(Serialize, Deserialize)]
struct Stored(
    i64,
    u32,
    String,
    String,
    String,
    String,
    Vec<u128>,
    Hash32,
    Hash32,
);

fn hash32(hex_text: &str) -> Result<Hash32, StoreError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out)
        .map_err(|e| StoreError::Codec(format!("hash del registro non valido: {e}")))?;
    Ok(Hash32(out))
}

fn encode_entry(e: &AuditEntry) -> Result<Vec<u8>, StoreError> {
    let stored = Stored(
        e.time.timestamp(),
        e.time.timestamp_subsec_nanos(),
        e.user.clone(),
        e.action.clone(),
        e.subject.clone(),
        e.details.clone(),
        e.persons.iter().map(|p| p.as_u128()).collect(),
        hash32(&e.prev_hash)?,
        hash32(&e.hash)?,
    );
    let mut out = vec![FORMAT_COMPACT];
    rmp_serde::encode::write(&mut out, &stored).map_err(|e| StoreError::Codec(e.to_string()))?;
    Ok(out)
}

/// Reads an entry in either format (entries written before the compact one stay as they are).
pub(super) fn decode_entry(seq: u64, bytes: &[u8]) -> Result<AuditEntry, StoreError> {
    let Some((&FORMAT_COMPACT, body)) = bytes.split_first() else {
        return decode(bytes);
    };
    let Stored(secs, nanos, user, action, subject, details, persons, prev, hash) =
        rmp_serde::from_slice(body).map_err(|e| StoreError::Codec(e.to_string()))?;
    let time = chrono::DateTime::from_timestamp(secs, nanos)
        .ok_or_else(|| StoreError::Codec("ora del registro non valida".into()))?;
    Ok(AuditEntry {
        seq,
        time,
        user,
        action,
        subject,
        details,
        persons: persons.into_iter().map(uuid::Uuid::from_u128).collect(),
        prev_hash: hex::encode(prev.0),
        hash: hex::encode(hash.0),
    })
}

/// The last entry known to be verified with everything before it: export and checks go on
/// from there instead of from the first entry.
const CHECKPOINT: &str = "audit_checkpoint";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Checkpoint {
    seq: u64,
    hash: String,
}

/// Seals `event` after the current head and appends it inside `txn`, so the entry commits
/// (or not) together with the change it describes.
pub(super) fn append(txn: &WriteTransaction, event: AuditEvent) -> Result<AuditEntry, StoreError> {
    let mut table = txn.open_table(AUDIT)?;
    let head: Option<AuditEntry> = match table.last()? {
        Some((k, v)) => Some(decode_entry(k.value(), v.value())?),
        None => None,
    };
    let entry = AuditEntry::seal(
        event,
        Utc::now(),
        head.as_ref().map(|h| (h.seq, h.hash.as_str())),
    );
    table.insert(entry.seq, encode_entry(&entry)?.as_slice())?;
    let mut by_person = txn.open_table(AUDIT_BY_PERSON)?;
    for person in &entry.persons {
        by_person.insert((person.as_u128(), entry.seq), ())?;
    }
    Ok(entry)
}

impl Store {
    /// Records an event that changes nothing else (a login, a failed login, a read).
    pub fn audit(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
        let txn = self.begin_write()?;
        let entry = append(&txn, event)?;
        txn.commit()?;
        Ok(entry)
    }

    /// Records several events in one durable commit, in order (bulk work, benchmarks).
    pub fn audit_batch(&self, events: Vec<AuditEvent>) -> Result<u64, StoreError> {
        let txn = self.begin_write()?;
        let mut last = 0;
        for event in events {
            last = append(&txn, event)?.seq;
        }
        txn.commit()?;
        Ok(last)
    }

    /// The most recent `limit` entries, newest first, optionally only actions starting with a prefix.
    pub fn recent_audit(
        &self,
        limit: usize,
        action_prefixes: &[&str],
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(AUDIT)?;
        let mut out = Vec::new();
        for row in table.iter()?.rev() {
            let (k, v) = row?;
            let entry = decode_entry(k.value(), v.value())?;
            if action_prefixes.is_empty()
                || action_prefixes.iter().any(|p| entry.action.starts_with(p))
            {
                out.push(entry);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Every entry in order.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(AUDIT)?;
        table
            .iter()?
            .map(|row| {
                let (k, v) = row?;
                decode_entry(k.value(), v.value())
            })
            .collect()
    }

    /// Verifies the whole chain: the number of entries and the head hash, or the first break.
    pub fn verify_audit(&self) -> Result<Result<(u64, String), ChainError>, StoreError> {
        Ok(verify_chain(self.audit_entries()?))
    }

    /// Verifies the entries after the checkpoint (all of them the first time), linking the
    /// first to the checkpoint's hash, and moves the checkpoint to the head: what an export
    /// checks, in time that follows the new entries, not the whole log. `audit verify`,
    /// `doctor` and restores still verify every entry.
    pub fn verify_audit_since_checkpoint(
        &self,
    ) -> Result<Result<(u64, String), ChainError>, StoreError> {
        let start: Option<Checkpoint> = self.get_meta_value(CHECKPOINT)?;
        let start = start.map(|c| (c.seq, c.hash));
        let result = {
            let txn = self.begin_read()?;
            let table = txn.open_table(AUDIT)?;
            // The checkpoint's own entry must still be there, whole: a log cut back to it, or
            // whose entry was rewritten, is broken.
            if let Some((seq, hash)) = &start {
                let ok = match table.get(*seq)? {
                    Some(v) => {
                        let e = decode_entry(*seq, v.value())?;
                        e.hash == *hash && e.compute_hash() == e.hash
                    }
                    None => false,
                };
                if !ok {
                    return Ok(Err(ChainError::Content { seq: *seq }));
                }
            }
            let from = start.as_ref().map_or(0, |(seq, _)| *seq);
            let entries = table
                .range(from.saturating_add(1)..)?
                .map(|row| {
                    let (k, v) = row?;
                    decode_entry(k.value(), v.value())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            verify_chain_from(entries, start)
        };
        if let Ok((seq, hash)) = &result {
            self.record_checkpoint(*seq, hash)?;
        }
        Ok(result)
    }

    fn record_checkpoint(&self, seq: u64, hash: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            let current: Option<Checkpoint> = meta
                .get(CHECKPOINT)?
                .map(|v| decode(v.value()))
                .transpose()?;
            if current.as_ref().is_some_and(|c| c.seq >= seq) {
                return Ok(());
            }
            let value = super::codec::encode(&Checkpoint {
                seq,
                hash: hash.to_string(),
            })?;
            meta.insert(CHECKPOINT, value.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }
}

/// Which audit entries to show.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user: String,
    pub action: String,
    /// A record id (access, referral, …) the entry is about or mentions.
    pub subject: String,
    /// Only entries concerning this person (the person index).
    pub person: Option<uuid::Uuid>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

impl AuditFilter {
    pub fn matches(&self, e: &AuditEntry) -> bool {
        (self.user.is_empty() || e.user == self.user)
            && (self.action.is_empty() || e.action.starts_with(&self.action))
            && (self.subject.is_empty()
                || e.subject == self.subject
                || e.details.contains(&self.subject))
            && self.from.is_none_or(|f| e.time >= f)
            && self.to.is_none_or(|t| e.time < t)
    }
}

impl Store {
    /// Entries matching `filter`, newest first, at most `limit`.
    pub fn audit_filtered(
        &self,
        filter: &AuditFilter,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(AUDIT)?;
        if let Some(person) = filter.person {
            let mut out = Vec::new();
            for entry in person_entries(&txn, person)?.into_iter().rev() {
                if filter.matches(&entry) {
                    out.push(entry);
                    if out.len() >= limit {
                        break;
                    }
                }
            }
            return Ok(out);
        }
        let mut out = Vec::new();
        for row in table.iter()?.rev() {
            let (k, v) = row?;
            let entry = decode_entry(k.value(), v.value())?;
            if filter.matches(&entry) {
                out.push(entry);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Every entry concerning `person`, oldest first: an index range, the rest of the log unread.
    pub fn audit_of_person(&self, person: uuid::Uuid) -> Result<Vec<AuditEntry>, StoreError> {
        let txn = self.begin_read()?;
        person_entries(&txn, person)
    }
}

pub(super) fn person_entries(
    txn: &redb::ReadTransaction,
    person: uuid::Uuid,
) -> Result<Vec<AuditEntry>, StoreError> {
    let index = txn.open_table(AUDIT_BY_PERSON)?;
    let audit = txn.open_table(AUDIT)?;
    let id = person.as_u128();
    let mut out = Vec::new();
    for row in index.range((id, 0)..=(id, u64::MAX))? {
        let (key, _) = row?;
        let (_, seq) = key.value();
        if let Some(v) = audit.get(seq)? {
            out.push(decode_entry(seq, v.value())?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Action;
    use crate::store::codec::encode;
    use crate::store::test_support::temp_store;

    #[test]
    fn entries_are_stored_compact_and_read_back_the_same() {
        let (_dir, store) = temp_store();
        let p = uuid::Uuid::now_v7();
        let e = store
            .audit(
                AuditEvent::new("m.rossi", Action::PersonView, p.to_string())
                    .details("scheda")
                    .about(p),
            )
            .unwrap();
        let txn = store.begin_read().unwrap();
        let table = txn.open_table(AUDIT).unwrap();
        let raw = table.get(e.seq).unwrap().unwrap().value().to_vec();
        assert_eq!(raw[0], FORMAT_COMPACT);
        // Without field names and hex hashes: about half the named form (164 bytes, not 310).
        let named = encode(&e).unwrap();
        assert!(
            raw.len() * 10 < named.len() * 6,
            "{} vs {}",
            raw.len(),
            named.len()
        );
        assert_eq!(decode_entry(e.seq, &raw).unwrap(), e);
        assert_eq!(e.compute_hash(), e.hash);
    }

    #[test]
    fn an_export_verifies_from_the_checkpoint_and_a_full_check_from_the_start() {
        let (_dir, store) = temp_store();
        for i in 0..3 {
            store
                .audit(AuditEvent::new("anna", Action::Login, format!("s{i}")))
                .unwrap();
        }
        let (n, head) = store.verify_audit_since_checkpoint().unwrap().unwrap();
        assert_eq!(n, 3);
        let d = store
            .audit(AuditEvent::new("anna", Action::Logout, "anna"))
            .unwrap();
        assert_eq!(d.prev_hash, head);
        assert_eq!(
            store.verify_audit_since_checkpoint().unwrap().unwrap(),
            (4, d.hash.clone())
        );
        let forge = |seq: u64| {
            let mut e = store.audit_entries().unwrap()[seq as usize - 1].clone();
            e.user = "mallory".into();
            let txn = store.begin_write().unwrap();
            txn.open_table(AUDIT)
                .unwrap()
                .insert(seq, encode(&e).unwrap().as_slice())
                .unwrap();
            txn.commit().unwrap();
        };
        // An entry after the checkpoint is checked at the next export.
        store
            .audit(AuditEvent::new("anna", Action::Login, "s5"))
            .unwrap();
        forge(5);
        assert_eq!(
            store.verify_audit_since_checkpoint().unwrap(),
            Err(ChainError::Content { seq: 5 })
        );
        // The checkpoint's own entry rewritten (or the log cut back to it) is found too.
        forge(4);
        assert_eq!(
            store.verify_audit_since_checkpoint().unwrap(),
            Err(ChainError::Content { seq: 4 })
        );
        // One before it is left to the full check (`audit verify`, `doctor`, restores).
        forge(2);
        assert_eq!(
            store.verify_audit().unwrap(),
            Err(ChainError::Content { seq: 2 })
        );
    }

    #[test]
    fn entries_link_to_their_predecessor_and_tampering_is_found() {
        let (_dir, store) = temp_store();
        let a = store
            .audit(AuditEvent::new("anna", Action::Login, "anna"))
            .unwrap();
        let b = store
            .audit(AuditEvent::new("anna", Action::Logout, "anna"))
            .unwrap();
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!(store.verify_audit().unwrap().unwrap(), (2, b.hash.clone()));

        // Tamper with the first entry behind the program's back.
        let txn = store.begin_write().unwrap();
        {
            let mut table = txn.open_table(AUDIT).unwrap();
            let mut forged = a.clone();
            forged.user = "mallory".into();
            table
                .insert(1, encode(&forged).unwrap().as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
        assert_eq!(
            store.verify_audit().unwrap(),
            Err(ChainError::Content { seq: 1 })
        );
    }

    #[test]
    fn a_persons_entries_come_from_the_index() {
        let (_dir, store) = temp_store();
        let (p, q) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        store
            .audit(AuditEvent::new("anna", Action::PersonView, p.to_string()).about(p))
            .unwrap();
        store
            .audit(AuditEvent::new("anna", Action::PersonView, "ricerca").about_all([p, q]))
            .unwrap();
        store
            .audit(AuditEvent::new("anna", Action::Login, "anna"))
            .unwrap();
        let of_p = store.audit_of_person(p).unwrap();
        assert_eq!(of_p.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(store.audit_of_person(q).unwrap().len(), 1);
        let filter = AuditFilter {
            person: Some(q),
            ..AuditFilter::default()
        };
        assert_eq!(store.audit_filtered(&filter, 10).unwrap()[0].seq, 2);
    }
}
