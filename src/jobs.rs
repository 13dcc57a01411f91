//! Background work of the running server: the nightly backup to the configured folder, with
//! rotation, and the housekeeping of records that only matter for a while (failed-login ledgers,
//! expired sessions). Each job holds only a weak handle on the store, so it never delays shutdown.

use chrono::{Local, Utc};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::domain::backup_plan::{attempt_due, date_of, file_name, to_delete, LastAttempt};
use crate::domain::user::SYSTEM_USERNAME;
use crate::store::backup::Seal;
use crate::store::{LastBackup, Store, StoreError};

/// Writes today's backup to the configured folder and prunes old ones. `Ok(None)` when backups
/// are not configured yet.
pub fn backup_now(store: &Store, actor: &str) -> Result<Option<LastBackup>, StoreError> {
    let settings = store.backup_settings()?;
    if settings.folder.trim().is_empty() || settings.recipient.trim().is_empty() {
        return Ok(None);
    }
    let folder = Path::new(settings.folder.trim());
    let today = Local::now().date_naive();
    let path = folder.join(file_name(today));
    let outcome = match std::fs::create_dir_all(folder)
        .map_err(|e| {
            StoreError::Backup(format!(
                "cartella {} non disponibile: {e}",
                folder.display()
            ))
        })
        .and_then(|()| store.backup_file(&path, &Seal::Recipient(&settings.recipient)))
    {
        Ok(header) => {
            prune(folder, today);
            LastBackup {
                at: Utc::now(),
                ok: true,
                message: format!("{} ({} tabelle)", path.display(), header.rows.len()),
            }
        }
        Err(e) => LastBackup {
            at: Utc::now(),
            ok: false,
            message: e.to_string(),
        },
    };
    store.record_backup(&outcome, actor)?;
    Ok(Some(outcome))
}

/// Deletes the backups the rotation no longer keeps (7 daily, 4 weekly, 12 monthly).
fn prune(folder: &Path, today: chrono::NaiveDate) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let dated: Vec<(chrono::NaiveDate, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| date_of(&e.file_name().to_string_lossy()).map(|d| (d, e.path())))
        .collect();
    let dates: Vec<_> = dated.iter().map(|(d, _)| *d).collect();
    for gone in to_delete(&dates, today) {
        for (_, path) in dated.iter().filter(|(d, _)| *d == gone) {
            if let Err(e) = std::fs::remove_file(path) {
                tracing::warn!("backup vecchio non eliminato ({}): {e}", path.display());
            }
        }
    }
}

/// Starts the nightly backup thread: after 01:00, once a day, if configured; after a failure,
/// again every hour until one succeeds.
pub fn start_nightly_backups(store: &Arc<Store>) {
    let weak: Weak<Store> = Arc::downgrade(store);
    let spawned = std::thread::Builder::new()
        .name("backup-notturno".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(60));
            let Some(store) = weak.upgrade() else { return };
            let last = match store.last_backup() {
                Ok(last) => last.map(|b| LastAttempt { at: b.at, ok: b.ok }),
                Err(e) => {
                    tracing::error!("stato dei backup illeggibile: {e}");
                    continue;
                }
            };
            if attempt_due(Local::now(), last) {
                match backup_now(&store, &format!("{SYSTEM_USERNAME}:backup-notturno")) {
                    Ok(Some(outcome)) if !outcome.ok => tracing::error!(
                        "backup notturno non riuscito (nuovo tentativo tra un'ora): {}",
                        outcome.message
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!("backup notturno non riuscito: {e}"),
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("backup notturno non avviato: {e}");
    }
}

/// How often the housekeeping runs: a guessing run over made-up usernames leaves a ledger per
/// name, and each is forgotten once its failures leave the lockout window.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(5 * 60);

/// Starts the housekeeping thread: failed-login ledgers past their window and expired sessions
/// are removed every few minutes, so neither grows while the server runs.
pub fn start_housekeeping(store: &Arc<Store>) {
    let weak: Weak<Store> = Arc::downgrade(store);
    let spawned = std::thread::Builder::new()
        .name("pulizie".into())
        .spawn(move || loop {
            std::thread::sleep(HOUSEKEEPING_EVERY);
            let Some(store) = weak.upgrade() else { return };
            housekeeping(&store);
        });
    if let Err(e) = spawned {
        tracing::error!("pulizie periodiche non avviate: {e}");
    }
}

/// One round of housekeeping (also run at start).
pub fn housekeeping(store: &Store) {
    match store.purge_stale_login_failures(Utc::now()) {
        Ok(n) if n > 0 => tracing::debug!(nomi = n, "tentativi di accesso scaduti eliminati"),
        Ok(_) => {}
        Err(e) => tracing::warn!("pulizia dei tentativi di accesso non riuscita: {e}"),
    }
    match store.purge_expired_sessions() {
        Ok(n) if n > 0 => tracing::info!(sessioni = n, "sessioni scadute eliminate"),
        Ok(_) => {}
        Err(e) => tracing::warn!("pulizia delle sessioni non riuscita: {e}"),
    }
}
