//! Schema migrations: an ordered list; each step runs in its own write transaction that also
//! records the new version, so an interrupted upgrade is simply run again.

use redb::{Database, ReadableTable};

use super::codec::decode;
use super::meta;
use super::tables::*;
use super::StoreError;
use crate::domain::user::User;

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub apply: fn(&super::Write) -> Result<(), StoreError>,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "tabelle di base: impostazioni, utenti, sessioni, token, audit, registro modifiche",
        apply: v1_core_tables,
    },
    Migration {
        version: 2,
        name: "indice dei nomi utente e registro dei tentativi di accesso falliti",
        apply: v2_username_index_and_login_failures,
    },
    Migration {
        version: 3,
        name: "persone, accessi, appuntamenti e loro indici",
        apply: v3_reception,
    },
    Migration {
        version: 4,
        name: "elenco dei servizi (organizzazioni e servizi)",
        apply: v4_directory,
    },
    Migration {
        version: 5,
        name: "invii (referral) e loro indici",
        apply: v5_referrals,
    },
    Migration {
        version: 6,
        name:
            "pacchetti: invii ricevuti dall'Ambito, accessi statistici, registro delle importazioni",
        apply: v6_bundles,
    },
    Migration {
        version: 7,
        name: "indice del registro degli accessi per persona",
        apply: v7_audit_by_person,
    },
    Migration {
        version: 8,
        name: "statistiche mantenute: contatori e persone distinte, ricontati dai dati",
        apply: v8_maintained_statistics,
    },
    Migration {
        version: 9,
        name: "bozze dei moduli arrivati a sessione scaduta; unioni di schede della stessa persona",
        apply: v9_drafts_and_merges,
    },
    Migration {
        version: 10,
        name: "statistiche di qualsiasi periodo: persone nuove per mese, presenze su più anni",
        apply: v10_statistics_by_period,
    },
    Migration {
        version: 11,
        name:
            "statistiche di qualsiasi intervallo di mesi dai contatori: persone per mese precedente",
        apply: v11_statistics_of_any_span,
    },
    Migration {
        version: 12,
        name: "cifratura dei dati personali: chiavi dei titolari, indici con hash",
        apply: v12_sealing_tables,
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 12;

/// Brings the database up to the last migration in `migrations`; refuses a newer database.
pub fn run(db: &Database, migrations: &[Migration]) -> Result<(), StoreError> {
    let current = meta::schema_version(db)?;
    let supported = migrations.last().map_or(0, |m| m.version);
    if current > supported {
        return Err(StoreError::TooNew {
            found: current,
            supported,
        });
    }
    for migration in migrations.iter().filter(|m| m.version > current) {
        // A migration runs at open, before any data key is in memory: one that must read
        // sealed records finds them locked and stops the upgrade, never writing them in clear.
        let sealing = if super::sealing::is_sealed(db)? {
            super::Sealing::Locked
        } else {
            super::Sealing::Clear
        };
        let txn = super::Write::at_open(db.begin_write()?, sealing);
        (migration.apply)(&txn)?;
        meta::set_schema_version(&txn, migration.version)?;
        txn.commit()?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "schema migrato"
        );
    }
    Ok(())
}

/// Statistics were counted from the records on every view; from version 8 they are counters
/// kept with the records, built here from what the database holds.
fn v9_drafts_and_merges(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(DRAFTS)?;
    txn.open_multimap_table(DRAFTS_BY_USER)?;
    txn.open_table(MERGES)?;
    txn.open_multimap_table(MERGES_BY_INTO)?;
    Ok(())
}

/// Presences were kept per year; from version 10 they span every month, so that a person's first
/// month is known: recounted from the records.
fn v10_statistics_by_period(txn: &super::Write) -> Result<(), StoreError> {
    super::stats::rebuild_in(txn).map(|_| ())
}

/// From version 11 each month's persons are counted by the month they were seen before, so that
/// any span of months reads its distinct persons from counters: recounted from the records.
fn v11_statistics_of_any_span(txn: &super::Write) -> Result<(), StoreError> {
    super::stats::rebuild_in(txn).map(|_| ())
}

/// From version 12 personal records may be sealed (issue 17): the key slots, and the hashed
/// beginnings of words and codes that a sealed index needs. A clear database keeps its data.
fn v12_sealing_tables(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(KEY_SLOTS)?;
    txn.open_multimap_table(PERSON_WORD_PREFIX)?;
    txn.open_multimap_table(PERSON_BY_CODE_PREFIX)?;
    Ok(())
}

fn v8_maintained_statistics(txn: &super::Write) -> Result<(), StoreError> {
    super::stats::rebuild_in(txn).map(|_| ())
}

fn v1_core_tables(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(META)?;
    txn.open_table(USERS)?;
    txn.open_table(SESSIONS)?;
    txn.open_multimap_table(SESSIONS_BY_USER)?;
    txn.open_table(TOKENS)?;
    txn.open_multimap_table(TOKENS_BY_USER)?;
    txn.open_table(AUDIT)?;
    txn.open_table(CHANGELOG)?;
    meta::create_secret(txn)
}

/// Version 1 found users by scanning; version 2 indexes usernames, built from the users held.
fn v2_username_index_and_login_failures(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(LOGIN_FAILURES)?;
    let users = txn.open_table(USERS)?;
    let mut index = txn.open_table(USER_BY_USERNAME)?;
    for row in users.iter()? {
        let (id, bytes) = row?;
        let user: User = decode(bytes.value())?;
        index.insert(user.username.as_str(), id.value())?;
    }
    Ok(())
}

fn v3_reception(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(PERSONS)?;
    txn.open_table(PERSON_BY_CODE)?;
    txn.open_multimap_table(PERSON_BY_WORD)?;
    txn.open_multimap_table(PERSON_BY_BIRTH)?;
    txn.open_table(PERSON_HISTORY)?;
    txn.open_table(ACCESSES)?;
    txn.open_multimap_table(ACCESSES_BY_PERSON)?;
    txn.open_table(ACCESSES_BY_TIME)?;
    txn.open_table(APPOINTMENTS)?;
    txn.open_table(APPOINTMENTS_BY_TIME)?;
    txn.open_multimap_table(APPOINTMENTS_BY_PERSON)?;
    Ok(())
}

fn v4_directory(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(ORGANIZATIONS)?;
    txn.open_table(SERVICES)?;
    Ok(())
}

fn v5_referrals(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(REFERRALS)?;
    txn.open_multimap_table(REFERRALS_BY_ACCESS)?;
    txn.open_multimap_table(REFERRALS_BY_PERSON)?;
    Ok(())
}

fn v6_bundles(txn: &super::Write) -> Result<(), StoreError> {
    txn.open_table(INBOX)?;
    txn.open_table(DISTRICT_ACCESSES)?;
    txn.open_table(BUNDLE_IMPORTS)?;
    Ok(())
}

/// Entries written before version 7 name their records only in `subject` and `details`: index
/// each under the person of every id it names (the person, or their access, referral,
/// appointment). The entries themselves are left as sealed.
fn v7_audit_by_person(txn: &super::Write) -> Result<(), StoreError> {
    use crate::domain::{access::Access, appointment::Appointment, referral::Referral};
    use std::collections::HashMap;
    let mut owner: HashMap<u128, u128> = HashMap::new();
    for row in txn.open_table(PERSONS)?.iter()? {
        let (id, _) = row?;
        owner.insert(id.value(), id.value());
    }
    for row in txn.open_table(ACCESSES)?.iter()? {
        let (id, v) = row?;
        let access: Access = decode(v.value())?;
        if let Some(p) = access.person_id {
            owner.insert(id.value(), p.as_u128());
        }
    }
    for row in txn.open_table(REFERRALS)?.iter()? {
        let (id, v) = row?;
        let referral: Referral = decode(v.value())?;
        owner.insert(id.value(), referral.person_id.as_u128());
    }
    for row in txn.open_table(APPOINTMENTS)?.iter()? {
        let (id, v) = row?;
        let appointment: Appointment = decode(v.value())?;
        owner.insert(id.value(), appointment.person_id.as_u128());
    }
    let audit = txn.open_table(AUDIT)?;
    let mut index = txn.open_table(AUDIT_BY_PERSON)?;
    for row in audit.iter()? {
        let (seq, v) = row?;
        let entry = super::audit::decode_entry(seq.value(), v.value())?;
        let words = std::iter::once(entry.subject.as_str()).chain(
            entry
                .details
                .split(|c: char| !(c.is_ascii_hexdigit() || c == '-')),
        );
        for word in words {
            let Ok(id) = uuid::Uuid::parse_str(word) else {
                continue;
            };
            if let Some(person) = owner.get(&id.as_u128()) {
                index.insert((*person, seq.value()), ())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use crate::store::codec::encode;
    use crate::store::{Store, DB_FILE};
    use chrono::Utc;
    use uuid::Uuid;

    #[test]
    fn a_version_1_database_is_migrated_and_keeps_its_users() {
        let dir = tempfile::tempdir().unwrap();
        let user = User {
            id: Uuid::now_v7(),
            username: "mrossi".into(),
            full_name: "Mario Rossi".into(),
            roles: vec![Role::Operatore],
            password_hash: "x".into(),
            must_change_password: false,
            disabled: false,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        {
            let db = Database::create(dir.path().join(DB_FILE)).unwrap();
            run(&db, &MIGRATIONS[..1]).unwrap();
            assert_eq!(meta::schema_version(&db).unwrap(), 1);
            let txn = db.begin_write().unwrap();
            txn.open_table(USERS)
                .unwrap()
                .insert(user.id.as_u128(), encode(&user).unwrap().as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.user_by_username("mrossi").unwrap(), Some(user));
        // The database as it was was copied aside before the first migration wrote to it.
        let copies: Vec<_> = std::fs::read_dir(dir.path().join("pre-upgrade"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(copies.len(), 1, "{copies:?}");
        assert!(copies[0].to_string_lossy().contains("sportello-schema1-"));
        let old = Database::open(&copies[0]).unwrap();
        assert_eq!(meta::schema_version(&old).unwrap(), 1);
        drop(old);
        // Opening an up-to-date database makes no copy.
        store.close().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(
            std::fs::read_dir(dir.path().join("pre-upgrade"))
                .unwrap()
                .count(),
            1
        );
    }

    #[test]
    fn entries_written_before_the_person_index_are_indexed_by_the_ids_they_name() {
        use crate::domain::audit::{Action, AuditEvent};
        let dir = tempfile::tempdir().unwrap();
        let (p, q, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        {
            let db = Database::create(dir.path().join(DB_FILE)).unwrap();
            run(&db, &MIGRATIONS[..6]).unwrap();
            let txn = db.begin_write().unwrap();
            {
                // Only the keys of the persons table are read by the migration.
                let mut persons = txn.open_table(PERSONS).unwrap();
                for id in [p, q] {
                    persons
                        .insert(id.as_u128(), encode(&"persona").unwrap().as_slice())
                        .unwrap();
                }
            }
            let old = |action, subject: String, details: String| {
                AuditEvent::new("anna", action, subject).details(details)
            };
            for event in [
                old(Action::PersonView, p.to_string(), "scheda".into()),
                old(Action::Login, "anna".into(), String::new()),
                old(Action::PersonView, "ricerca".into(), format!("{q} {p}")),
                old(Action::PersonView, other.to_string(), String::new()),
            ] {
                crate::store::audit::append(&txn, event).unwrap();
            }
            txn.commit().unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        let seqs = |id| {
            store
                .audit_of_person(id)
                .unwrap()
                .iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        };
        assert_eq!(seqs(p), vec![1, 3]);
        assert_eq!(seqs(q), vec![3]);
        assert!(
            seqs(other).is_empty(),
            "an id that is no person is not indexed"
        );
        assert!(
            store.verify_audit().unwrap().is_ok(),
            "the entries are left as sealed"
        );
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        {
            let db = Database::create(dir.path().join(DB_FILE)).unwrap();
            let txn = db.begin_write().unwrap();
            meta::set_schema_version(&txn, SCHEMA_VERSION + 7).unwrap();
            txn.commit().unwrap();
        }
        let err = Store::open(dir.path()).err().expect("refused");
        assert!(matches!(err, StoreError::TooNew { found, supported }
            if found == SCHEMA_VERSION + 7 && supported == SCHEMA_VERSION));
        assert!(err.to_string().contains("versione più recente"));
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        assert_eq!(meta::schema_version(&db).unwrap(), SCHEMA_VERSION + 7);
    }
}
