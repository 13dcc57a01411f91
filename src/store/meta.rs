//! Settings of the installation kept in the meta table.

use crate::domain::audit::Action;
use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};

use super::codec::{decode, encode};
use super::tables::META;
use super::{Store, StoreError};
use crate::domain::instance::Instance;

const SCHEMA_VERSION_KEY: &str = "schema_version";
const INSTANCE_KEY: &str = "instance";
const SECRET_KEY: &str = "secret";
const DESK_KEY: &str = "desk_contacts";
const OVERDUE_KEY: &str = "referral_overdue_days";
const NOTICES_KEY: &str = "privacy_notices";
const BACKUP_SETTINGS_KEY: &str = "backup_settings";
const LAST_BACKUP_KEY: &str = "last_backup";

/// Where nightly backups go and whom they are encrypted to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupSettings {
    /// A folder on a USB drive or a network share.
    pub folder: String,
    /// The age public key (`age1…`); its private key stays off this PC.
    pub recipient: String,
}

/// The outcome of the last backup attempt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastBackup {
    pub at: chrono::DateTime<chrono::Utc>,
    pub ok: bool,
    /// The file written, or why it failed.
    pub message: String,
}

/// The stored schema version; 0 for a database that has never been migrated.
pub fn schema_version(db: &Database) -> Result<u32, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    match table.get(SCHEMA_VERSION_KEY)? {
        Some(v) => decode(v.value()),
        None => Ok(0),
    }
}

pub fn set_schema_version(txn: &WriteTransaction, version: u32) -> Result<(), StoreError> {
    put(txn, SCHEMA_VERSION_KEY, &version)
}

/// Creates the random secret that keys form tokens for visitors not yet logged in.
pub fn create_secret(txn: &WriteTransaction) -> Result<(), StoreError> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(|e| StoreError::Random(e.to_string()))?;
    put(txn, SECRET_KEY, &secret.to_vec())
}

const INTEGRITY_KEY: &str = "integrity_check";

/// The last full check of the database file: when, and whether it was whole (false: redb found
/// damage and repaired it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IntegrityCheck {
    pub at: chrono::DateTime<chrono::Utc>,
    pub whole: bool,
}

/// The last full check recorded in `db` (none in a new file).
pub fn last_integrity_check(db: &Database) -> Result<Option<IntegrityCheck>, StoreError> {
    let txn = db.begin_read()?;
    let table = match txn.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let value = table.get(INTEGRITY_KEY)?;
    value.map(|v| decode(v.value())).transpose()
}

pub(super) fn record_integrity_check(
    db: &Database,
    check: &IntegrityCheck,
) -> Result<(), StoreError> {
    let txn = db.begin_write()?;
    put(&txn, INTEGRITY_KEY, check)?;
    txn.commit()?;
    Ok(())
}

pub(super) fn put<T: serde::Serialize>(
    txn: &WriteTransaction,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let bytes = encode(value)?;
    txn.open_table(META)?.insert(key, bytes.as_slice())?;
    Ok(())
}

pub(super) fn put_instance(txn: &WriteTransaction, instance: &Instance) -> Result<(), StoreError> {
    put(txn, INSTANCE_KEY, instance)
}

pub(super) fn instance_in(txn: &WriteTransaction) -> Result<Option<Instance>, StoreError> {
    let table = txn.open_table(META)?;
    let value = table.get(INSTANCE_KEY)?;
    value.map(|v| decode(v.value())).transpose()
}

impl Store {
    /// This installation's identity, or `None` before setup.
    pub fn instance(&self) -> Result<Option<Instance>, StoreError> {
        self.get_meta(INSTANCE_KEY)
    }

    /// The desk's contacts (empty until an administrator fills them in).
    pub fn desk_contacts(&self) -> Result<crate::domain::instance::DeskContacts, StoreError> {
        Ok(self.get_meta(DESK_KEY)?.unwrap_or_default())
    }

    pub fn set_desk_contacts(
        &self,
        c: &crate::domain::instance::DeskContacts,
        actor: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, DESK_KEY, c)?;
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(actor, Action::SettingsDeskContacts, "desk")
                .details(format!(
                    "{} | {} | {} | {}",
                    c.address, c.phone, c.email, c.hours
                )),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// Days without an answer after which a sent referral is shown as overdue.
    pub fn referral_overdue_days(&self) -> Result<i64, StoreError> {
        Ok(self
            .get_meta(OVERDUE_KEY)?
            .unwrap_or(crate::domain::referral::DEFAULT_OVERDUE_DAYS))
    }

    pub fn set_referral_overdue_days(&self, days: i64, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, OVERDUE_KEY, &days)?;
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(
                actor,
                Action::SettingsReferralOverdueDays,
                "referrals",
            )
            .details(days.to_string()),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// Every version of the privacy notice text, oldest first (empty: the default applies).
    pub fn notice_texts(&self) -> Result<Vec<crate::domain::privacy::NoticeText>, StoreError> {
        Ok(self.get_meta(NOTICES_KEY)?.unwrap_or_default())
    }

    /// Adds a new version of the notice text; returns its number.
    pub fn add_notice_text(&self, text: &str, actor: &str) -> Result<u32, StoreError> {
        let txn = self.begin_write()?;
        let mut all: Vec<crate::domain::privacy::NoticeText> = {
            let table = txn.open_table(super::tables::META)?;
            let v = table.get(NOTICES_KEY)?;
            v.map(|v| super::codec::decode(v.value()))
                .transpose()?
                .unwrap_or_default()
        };
        let version = all.last().map_or(2, |n| n.version + 1);
        all.push(crate::domain::privacy::NoticeText {
            version,
            text: text.to_string(),
            created_at: chrono::Utc::now(),
            by: actor.to_string(),
        });
        put(&txn, NOTICES_KEY, &all)?;
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(
                actor,
                Action::SettingsPrivacyNotice,
                format!("versione {version}"),
            ),
        )?;
        txn.commit()?;
        Ok(version)
    }

    pub fn backup_settings(&self) -> Result<BackupSettings, StoreError> {
        Ok(self.get_meta(BACKUP_SETTINGS_KEY)?.unwrap_or_default())
    }

    pub fn set_backup_settings(&self, b: &BackupSettings, actor: &str) -> Result<(), StoreError> {
        self.set_backup_settings_noticed(b, actor, None)
    }

    /// The backup settings; `notice` (the key changed) is raised with them.
    pub fn set_backup_settings_noticed(
        &self,
        b: &BackupSettings,
        actor: &str,
        notice: Option<&crate::domain::user::OversightNotice>,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, BACKUP_SETTINGS_KEY, b)?;
        if let Some(n) = notice {
            super::oversight::raise_in(&txn, n)?;
        }
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(actor, Action::SettingsBackup, "backup")
                .details(format!("cartella {}, chiave {}", b.folder, b.recipient)),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// The last backup attempt, if any.
    pub fn last_backup(&self) -> Result<Option<LastBackup>, StoreError> {
        self.get_meta(LAST_BACKUP_KEY)
    }

    /// The last successful backup, if any.
    pub fn last_good_backup(&self) -> Result<Option<LastBackup>, StoreError> {
        self.get_meta("last_good_backup")
    }

    /// Records a backup attempt (and, when it worked, audits it).
    pub fn record_backup(&self, outcome: &LastBackup, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, LAST_BACKUP_KEY, outcome)?;
        if outcome.ok {
            put(&txn, "last_good_backup", outcome)?;
        }
        let action = if outcome.ok {
            Action::BackupCreate
        } else {
            Action::BackupFailed
        };
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(actor, action, "backup")
                .details(outcome.message.clone()),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// A setting stored as codec bytes under `key` (bundle peers, counters, keys).
    pub fn setting<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        self.get_meta(key)
    }

    /// Stores a setting and audits the change (`details` must carry nothing personal).
    pub fn set_setting<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
        actor: &str,
        action: Action,
        details: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, key, value)?;
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(actor, action, key).details(details),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// The installation secret (32 random bytes made at creation).
    pub fn secret(&self) -> Result<Vec<u8>, StoreError> {
        self.get_meta(SECRET_KEY)?.ok_or(StoreError::Codec(
            "segreto dell'installazione mancante".into(),
        ))
    }

    pub(super) fn get_meta_value<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        self.get_meta(key)
    }

    /// Years identified records are kept after the last activity.
    pub fn retention_years(&self) -> Result<u32, StoreError> {
        Ok(self
            .get_meta("retention_years")?
            .unwrap_or(crate::domain::retention::DEFAULT_YEARS))
    }

    pub fn set_retention_years(&self, years: u32, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, "retention_years", &years)?;
        super::audit::append(
            &txn,
            crate::domain::audit::AuditEvent::new(
                actor,
                Action::SettingsRetentionYears,
                "conservazione",
            )
            .details(years.to_string()),
        )?;
        txn.commit()?;
        Ok(())
    }

    fn get_meta<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(META)?;
        let value = table.get(key)?;
        value.map(|v| decode(v.value())).transpose()
    }
}
