//! `sportello doctor` and the health panel of the admin page: gathers the facts (disk, database,
//! backups, clock, certificate, keys, bundles) and applies the rules of `domain::health`.

use chrono::{DateTime, Utc};
use std::path::Path;

use crate::domain::health::{self, Check};
use crate::domain::instance::InstanceRole;
use crate::domain::referral::ReferralStatus;
use crate::store::{Store, StoreError};
use crate::tls::CertInfo;

/// How the database's integrity was established.
pub enum Integrity {
    /// Checked just now, with the database to ourselves (the command line).
    CheckedNow(Result<bool, String>),
    /// Checked by redb when the running server opened it.
    CheckedAtOpen,
}

/// Every check, in the order the page shows them.
pub fn checks(
    store: &Store,
    data: &Path,
    integrity: Integrity,
    tls: Option<&CertInfo>,
    now: DateTime<Utc>,
) -> Vec<Check> {
    let mut out = vec![
        disk(store, data),
        integrity_check(store, integrity),
        backup(store, now),
        clock(store, now),
        health::certificate(
            tls.map(|c| c.not_after),
            tls.is_none_or(|c| c.generated),
            now,
        ),
    ];
    out.extend(exchanges(store, data, now));
    if store.instance().ok().flatten().is_some() {
        out.push(match store.desk_contacts() {
            Ok(c) => health::desk_contacts(&c),
            Err(e) => failed("Recapiti dello sportello", e),
        });
    }
    out
}

fn failed(name: &'static str, e: impl std::fmt::Display) -> Check {
    Check {
        name,
        level: health::Level::Problem,
        finding: format!("controllo non riuscito: {e}"),
        suggestion:
            "Riavviare il PC; se il messaggio resta, rivolgersi all'assistenza con questo testo."
                .into(),
    }
}

fn disk(store: &Store, data: &Path) -> Check {
    let sizes = fs4::available_space(data).and_then(|free| Ok((free, fs4::total_space(data)?)));
    match sizes {
        Ok((free, total)) => {
            let db = std::fs::metadata(store.path()).map_or(0, |m| m.len());
            health::disk_space(free, total, db)
        }
        Err(e) => failed("Spazio su disco", e),
    }
}

fn integrity_check(store: &Store, integrity: Integrity) -> Check {
    let audit = match store.verify_audit() {
        Ok(Ok((n, _))) => Ok(n),
        Ok(Err(e)) => Err(format!("registro degli accessi alterato: {e}")),
        Err(e) => Err(e.to_string()),
    };
    let file = match integrity {
        Integrity::CheckedNow(Ok(true)) => Ok("file verificato ora".to_string()),
        Integrity::CheckedNow(Ok(false)) => Err(
            "il file era danneggiato ed è stato riparato: alcune modifiche recenti potrebbero mancare"
                .to_string(),
        ),
        Integrity::CheckedNow(Err(e)) => Err(e),
        Integrity::CheckedAtOpen => match store.last_integrity_check() {
            Ok(Some(c)) if c.whole => Ok(format!(
                "ultimo controllo completo del file il {}: nessun errore",
                c.at.with_timezone(&chrono::Local).format("%d/%m/%Y alle %H:%M")
            )),
            Ok(Some(c)) => Err(format!(
                "il controllo del {} ha trovato il file danneggiato e lo ha riparato: alcune modifiche recenti potrebbero mancare",
                c.at.with_timezone(&chrono::Local).format("%d/%m/%Y")
            )),
            Ok(None) => Ok("file aperto senza errori; controllo completo alla prossima apertura".into()),
            Err(e) => Err(e.to_string()),
        },
    };
    health::integrity(match (file, audit) {
        (Ok(file), Ok(n)) => Ok(format!("{file}; registro degli accessi integro ({n} voci)")),
        (Err(e), _) | (_, Err(e)) => Err(e),
    })
}

fn backup(store: &Store, now: DateTime<Utc>) -> Check {
    let facts = (|| {
        Ok::<_, StoreError>((
            store.backup_settings()?,
            store.last_good_backup()?,
            store.last_backup()?,
        ))
    })();
    match facts {
        Ok((settings, good, last)) => {
            let failed = last.as_ref().filter(|b| !b.ok);
            health::backup(
                &health::BackupFacts {
                    configured: !settings.folder.trim().is_empty(),
                    last_good: good.map(|b| b.at),
                    failed: failed.map(|b| (b.at, b.message.as_str())),
                },
                now,
            )
        }
        Err(e) => failed("Backup", e),
    }
}

fn clock(store: &Store, now: DateTime<Utc>) -> Check {
    match store.recent_audit(1, &[]) {
        Ok(last) => health::clock(now, last.first().map(|e| e.time)),
        Err(e) => failed("Orologio del PC", e),
    }
}

fn exchanges(store: &Store, data: &Path, now: DateTime<Utc>) -> Vec<Check> {
    let role = match store.instance() {
        Ok(Some(instance)) => instance.role,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![failed("Chiavi per gli scambi", e)],
    };
    let district = role == InstanceRole::District;
    let peers = match crate::bundle::peers(store) {
        Ok(p) => p.len(),
        Err(e) => return vec![failed("Chiavi per gli scambi", e)],
    };
    let keys = health::keys(crate::bundle::keys::present(data), peers, district);
    let pending = if district {
        match store.inbox() {
            Ok(inbox) => {
                let waiting: Vec<_> = inbox
                    .iter()
                    .filter(|r| r.status == ReferralStatus::Ricevuto)
                    .collect();
                health::district_pending(waiting.len(), waiting.iter().map(|r| r.received_at).min())
            }
            Err(e) => failed("Invii ricevuti dai comuni", e),
        }
    } else {
        match crate::bundle::pending_changes(store) {
            Ok(waiting) => health::desk_pending(&waiting, peers > 0, now),
            Err(e) => failed("Invii all'Ambito", e),
        }
    };
    vec![keys, pending]
}
