//! The only code that touches redb: tables, codec, migrations, and the records kept in them.

mod accesses;
mod audit;
pub mod audit_queue;
pub mod backup;
mod changelog;
mod codec;
mod corrections;
mod directory;
pub mod district;
mod drafts;
mod error;
mod index_keys;
mod login;
mod merges;
pub mod meta;
mod migrations;
mod oversight;
mod persons;
mod referrals;
mod retention;
mod sealing;
mod search;
mod sessions;
pub mod slots;
mod snapshot;
pub mod stats;
#[cfg(test)]
mod stats_property;
mod tables;
mod tokens;
mod txn;
mod users;

pub use audit::AuditFilter;
pub use changelog::{ChangeEntry, ChangeOp};
pub use error::StoreError;
pub use login::Attempt;
pub use meta::{BackupSettings, IntegrityCheck, LastBackup};
pub use migrations::SCHEMA_VERSION;
pub use search::SearchHit;
pub use snapshot::{Changed, Snapshot};
pub use tokens::ApiToken;
pub use txn::{Read, Sealing, Write};

use redb::Database;
use std::path::{Path, PathBuf};

/// redb page cache (its default is 1 GiB).
const CACHE_BYTES: usize = 256 * 1024 * 1024;

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "sportello.redb";

/// The open database of one data directory. One process owns it.
pub struct Store {
    db: Database,
    path: PathBuf,
    /// When the database was opened (and its integrity checked by redb).
    opened_at: chrono::DateTime<chrono::Utc>,
    /// Whether personal values are sealed, and the data key while it is in memory.
    sealing: std::sync::RwLock<Sealing>,
}

/// Copies the database file to `<data>/pre-upgrade/` and syncs it; returns the copy's path.
fn pre_upgrade_copy(data_dir: &Path, db: &Path, version: u32) -> Result<PathBuf, StoreError> {
    let dir = data_dir.join("pre-upgrade");
    let fail = |source: std::io::Error| StoreError::DataDir {
        path: dir.clone(),
        source,
    };
    create_private_dir(&dir).map_err(fail)?;
    let name = format!(
        "sportello-schema{version}-{}.redb",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    );
    let target = dir.join(name);
    std::fs::copy(db, &target).map_err(fail)?;
    restrict_to_owner(&target).map_err(fail)?;
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .map_err(fail)?;
    prune_pre_upgrade(&dir);
    Ok(target)
}

/// Pre-upgrade copies kept: enough to go back over the last few upgrades without filling the disk.
const PRE_UPGRADE_KEEP: usize = 3;

/// Deletes all but the newest [`PRE_UPGRADE_KEEP`] copies (ordered by schema, then by date;
/// schemas only grow, so that is the order of age).
fn prune_pre_upgrade(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut copies: Vec<(u32, String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let rest = name
                .strip_prefix("sportello-schema")?
                .strip_suffix(".redb")?;
            let (schema, date) = rest.split_once('-')?;
            Some((schema.parse().ok()?, date.to_string(), e.path()))
        })
        .collect();
    copies.sort();
    let excess = copies.len().saturating_sub(PRE_UPGRADE_KEEP);
    for (_, _, path) in copies.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(
                "copia pre-aggiornamento {} non eliminata: {e}",
                path.display()
            );
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    /// Fails at once, without waiting, if another process has it open.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let mut db = open_db(&path, false)?;
        // Checking every page costs seconds on a large file: done at the first open of the week
        // (an office PC starts every morning), by `doctor`, and on a new file.
        let due = meta::last_integrity_check(&db)?.is_none_or(|c| {
            chrono::Utc::now() - c.at > chrono::Duration::days(FULL_CHECK_EVERY_DAYS)
        });
        if due {
            drop(db);
            db = open_db(&path, true)?;
        }
        restrict_to_owner(&path).map_err(|source| StoreError::DataDir {
            path: path.clone(),
            source,
        })?;
        let found = meta::schema_version(&db)?;
        let mut copy = None;
        if found > 0 && found < SCHEMA_VERSION {
            // An upgrade: the database as it was is copied aside (closed, so the copy is whole)
            // before any migration writes to it.
            drop(db);
            copy = Some(pre_upgrade_copy(data_dir, &path, found)?);
            db = open_db(&path, false)?;
        }
        let store = Store {
            sealing: std::sync::RwLock::new(if sealing::is_sealed(&db)? {
                Sealing::Locked
            } else {
                Sealing::Clear
            }),
            db,
            path,
            opened_at: chrono::Utc::now(),
        };
        if let Err(e) = migrations::run(&store.db, migrations::MIGRATIONS) {
            return Err(match (copy, e) {
                (_, e @ StoreError::TooNew { .. }) => e,
                (Some(backup), e) => StoreError::UpgradeFailed {
                    from: found,
                    backup,
                    reason: e.to_string(),
                },
                (None, e) => e,
            });
        }
        if let Some(backup) = copy {
            tracing::info!(from = found, to = SCHEMA_VERSION, backup = %backup.display(), "database aggiornato; copia precedente conservata");
        }
        if due {
            meta::record_integrity_check(
                &store.db,
                &meta::IntegrityCheck {
                    at: store.opened_at,
                    whole: true,
                },
            )?;
        }
        Ok(store)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the database was opened.
    pub fn opened_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.opened_at
    }

    /// The last full check of the file (at an open, or by `doctor`).
    pub fn last_integrity_check(&self) -> Result<Option<meta::IntegrityCheck>, StoreError> {
        meta::last_integrity_check(&self.db)
    }

    /// A full integrity check of the file (needs the database to itself, so not while serving),
    /// recorded for the admin page. Ok(false) means redb found damage and repaired it.
    pub fn check_integrity(&mut self) -> Result<bool, StoreError> {
        let whole = self.db.check_integrity().map_err(StoreError::from)?;
        meta::record_integrity_check(
            &self.db,
            &meta::IntegrityCheck {
                at: chrono::Utc::now(),
                whole,
            },
        )?;
        Ok(whole)
    }

    /// Closes the database, reporting any error (dropping it would ignore them).
    pub fn close(self) -> Result<(), StoreError> {
        self.db.close().map_err(StoreError::from)
    }

    /// The stored schema version.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        meta::schema_version(&self.db)
    }
}

/// Days between two full checks of the file at open.
const FULL_CHECK_EVERY_DAYS: i64 = 7;

/// Opens the file; with `check`, every page is verified first (a file damaged outside redb is
/// reported as an error instead of being trusted). The page cache is bounded so the appliance
/// stays light on an office PC.
pub(crate) fn open_db(path: &Path, check: bool) -> Result<Database, StoreError> {
    match Database::builder()
        .set_check_integrity_on_open(check)
        .set_cache_size(CACHE_BYTES)
        .create(path)
    {
        Ok(db) => Ok(db),
        Err(redb::DatabaseError::DatabaseAlreadyOpen) => Err(StoreError::AlreadyOpen {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(StoreError::Database(e.into())),
    }
}

/// The data directory holds special-category data: only its owner may enter it.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `dir` (its parent must exist), failing if anything is already there, even a link.
pub(crate) fn create_new_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(false);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes a secret file (a key) atomically, readable by its owner only from the first byte: a
/// temporary file created 0600 is synced and renamed into place.
pub(crate) fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        restrict_to_owner(&tmp)?;
        std::fs::rename(&tmp, path)
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

pub(crate) fn restrict_to_owner(file: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A store on a fresh temporary directory (kept alive by the returned guard), sealed and
    /// open: every store test reads and writes personal records through the sealing codec.
    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let (dir, store) = clear_temp_store();
        store
            .start_sealing(crate::seal::DataKey::generate().expect("random"))
            .expect("seal");
        (dir, store)
    }

    /// A store on a fresh temporary directory that was never sealed (as before issue 17).
    pub fn clear_temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open store");
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_newest_pre_upgrade_copies_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "sportello-schema4-20250101-000000.redb",
            "sportello-schema5-20250601-000000.redb",
            "sportello-schema5-20250701-000000.redb",
            "sportello-schema6-20251101-000000.redb",
            "sportello-schema10-20260101-000000.redb",
            "appunti.txt",
        ];
        for n in names {
            std::fs::write(dir.path().join(n), b"x").unwrap();
        }
        super::prune_pre_upgrade(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "appunti.txt",
                "sportello-schema10-20260101-000000.redb",
                "sportello-schema5-20250701-000000.redb",
                "sportello-schema6-20251101-000000.redb",
            ]
        );
    }

    #[test]
    fn the_full_check_at_open_runs_once_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::Store::open(dir.path()).unwrap();
        let first = store
            .last_integrity_check()
            .unwrap()
            .expect("a new file is checked");
        assert!(first.whole);
        store.close().unwrap();
        // Opened again the same week: not checked again.
        let store = super::Store::open(dir.path()).unwrap();
        assert_eq!(store.last_integrity_check().unwrap(), Some(first.clone()));
        // A week later it is.
        let old = super::meta::IntegrityCheck {
            at: chrono::Utc::now() - chrono::Duration::days(8),
            whole: true,
        };
        super::meta::record_integrity_check(&store.db, &old).unwrap();
        store.close().unwrap();
        let store = super::Store::open(dir.path()).unwrap();
        let again = store.last_integrity_check().unwrap().unwrap();
        assert!(again.at > old.at + chrono::Duration::days(7));
    }
}
