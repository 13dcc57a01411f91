//! Append-only, hash-chained audit log.

use chrono::Utc;
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use super::codec::{decode, encode};
use super::tables::{AUDIT, AUDIT_BY_PERSON};
use super::{Store, StoreError};
use crate::domain::audit::{verify_chain, AuditEntry, AuditEvent, ChainError};

/// Seals `event` after the current head and appends it inside `txn`, so the entry commits
/// (or not) together with the change it describes.
pub(super) fn append(txn: &WriteTransaction, event: AuditEvent) -> Result<AuditEntry, StoreError> {
    let mut table = txn.open_table(AUDIT)?;
    let head: Option<AuditEntry> = match table.last()? {
        Some((_, v)) => Some(decode(v.value())?),
        None => None,
    };
    let entry = AuditEntry::seal(
        event,
        Utc::now(),
        head.as_ref().map(|h| (h.seq, h.hash.as_str())),
    );
    table.insert(entry.seq, encode(&entry)?.as_slice())?;
    let mut by_person = txn.open_table(AUDIT_BY_PERSON)?;
    for person in &entry.persons {
        by_person.insert((person.as_u128(), entry.seq), ())?;
    }
    Ok(entry)
}

impl Store {
    /// Records an event that changes nothing else (a login, a failed login, a read).
    pub fn audit(&self, event: AuditEvent) -> Result<AuditEntry, StoreError> {
        let txn = self.db.begin_write()?;
        let entry = append(&txn, event)?;
        txn.commit()?;
        Ok(entry)
    }

    /// Records several events in one durable commit, in order (bulk work, benchmarks).
    pub fn audit_batch(&self, events: Vec<AuditEvent>) -> Result<u64, StoreError> {
        let txn = self.db.begin_write()?;
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
        let txn = self.db.begin_read()?;
        let table = txn.open_table(AUDIT)?;
        let mut out = Vec::new();
        for row in table.iter()?.rev() {
            let (_, v) = row?;
            let entry: AuditEntry = decode(v.value())?;
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
        let txn = self.db.begin_read()?;
        let table = txn.open_table(AUDIT)?;
        table
            .iter()?
            .map(|row| {
                let (_, v) = row?;
                decode(v.value())
            })
            .collect()
    }

    /// Verifies the whole chain: the number of entries and the head hash, or the first break.
    pub fn verify_audit(&self) -> Result<Result<(u64, String), ChainError>, StoreError> {
        Ok(verify_chain(self.audit_entries()?))
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
        let txn = self.db.begin_read()?;
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
            let (_, v) = row?;
            let entry: AuditEntry = decode(v.value())?;
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
        let txn = self.db.begin_read()?;
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
            out.push(decode(v.value())?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Action;
    use crate::store::test_support::temp_store;

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
        let txn = store.db.begin_write().unwrap();
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
