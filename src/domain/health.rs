//! Health checks of an installation, as rules over facts gathered elsewhere (`crate::doctor`):
//! each says what it found and, when something needs doing, what to do in plain Italian.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Ok,
    /// Works, but needs doing soon.
    Attention,
    /// Data is at risk or something does not work.
    Problem,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Attention => "Attenzione",
            Level::Problem => "Problema",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub name: &'static str,
    pub level: Level,
    pub finding: String,
    /// What to do; empty when all is well.
    pub suggestion: String,
}

fn check(name: &'static str, level: Level, finding: String, suggestion: &str) -> Check {
    Check {
        name,
        level,
        finding,
        suggestion: suggestion.to_string(),
    }
}

const MIB: u64 = 1024 * 1024;

/// Megabytes with an Italian thousands separator.
fn mb(bytes: u64) -> String {
    crate::domain::text::thousands(bytes / MIB)
}

/// Free space on the disk holding the data: below 1 GiB (or 5 %) attention, below 200 MiB a
/// problem, since redb needs room to grow and backups need room to be written.
pub fn disk_space(available: u64, total: u64, db_size: u64) -> Check {
    let name = "Spazio su disco";
    let finding = format!(
        "{} MB liberi su {} MB; il database occupa {} MB",
        mb(available),
        mb(total),
        mb(db_size)
    );
    if available < 200 * MIB || available < db_size.saturating_mul(2) {
        check(
            name,
            Level::Problem,
            finding,
            "Liberare spazio sul disco (svuotare il cestino, spostare file non di lavoro) o chiedere \
             al fornitore un disco più grande: senza spazio le registrazioni e i backup si fermano.",
        )
    } else if available < 1024 * MIB || available.saturating_mul(20) < total {
        check(
            name,
            Level::Attention,
            finding,
            "Lo spazio si sta esaurendo: liberare spazio nelle prossime settimane.",
        )
    } else {
        check(name, Level::Ok, finding, "")
    }
}

/// The outcome of the database check.
pub fn integrity(result: Result<String, String>) -> Check {
    let name = "Integrità del database";
    match result {
        Ok(finding) => check(name, Level::Ok, finding, ""),
        Err(e) => check(
            name,
            Level::Problem,
            e,
            "Non usare il programma: ripristinare l'ultimo backup su questo PC (vedere la guida, \
             «Ripristinare su un PC nuovo») e avvisare il referente dell'Ambito.",
        ),
    }
}

/// Backups: none configured or none in two days is a problem (a lost PC would lose the records).
/// The facts of the backup check: whether a folder is set, the last good backup, and the last
/// attempt when it failed after that (with its reason).
pub struct BackupFacts<'a> {
    pub configured: bool,
    pub last_good: Option<DateTime<Utc>>,
    pub failed: Option<(DateTime<Utc>, &'a str)>,
}

pub fn backup(facts: &BackupFacts, now: DateTime<Utc>) -> Check {
    let name = "Backup";
    let failure = facts.failed.map(|(at, why)| {
        format!(
            "ultimo tentativo non riuscito il {}: {why}",
            at.format("%d/%m/%Y alle %H:%M")
        )
    });
    let retry =
        "Il programma riprova da solo ogni ora finché il backup riesce: controllare che la \
                 chiavetta o il disco di rete siano collegati e la cartella esista, poi premere \
                 «Esegui il backup ora».";
    match (facts.configured, facts.last_good) {
        (false, None) => check(
            name,
            Level::Problem,
            "nessun backup configurato né eseguito".into(),
            "In Amministrazione, «Backup»: indicare la cartella (chiavetta USB o disco di rete) e la \
             chiave pubblica, salvare e premere «Esegui il backup ora». Senza backup un guasto del PC perde tutte le schede.",
        ),
        (_, None) => check(
            name,
            Level::Problem,
            failure.unwrap_or_else(|| "nessun backup riuscito finora".into()),
            "In Amministrazione premere «Esegui il backup ora» e controllare che la cartella indicata \
             sia collegata (chiavetta inserita, disco di rete raggiungibile).",
        ),
        (_, Some(at)) => {
            let age = now - at;
            let good = format!("ultimo backup riuscito il {}", at.format("%d/%m/%Y alle %H:%M"));
            let finding = match &failure {
                Some(f) => format!("{f}; {good}"),
                None => good,
            };
            if age > Duration::days(2) {
                check(
                    name,
                    Level::Problem,
                    finding,
                    "Il backup notturno non riesce da più di due giorni: controllare che la chiavetta \
                     o il disco di rete siano collegati e premere «Esegui il backup ora».",
                )
            } else if failure.is_some() {
                check(name, Level::Attention, finding, retry)
            } else {
                check(name, Level::Ok, finding, "")
            }
        }
    }
}

/// The clock: records carry dates, so a clock behind the last recorded event, or absurdly far
/// from it, is a problem.
pub fn clock(now: DateTime<Utc>, last_recorded: Option<DateTime<Utc>>) -> Check {
    let name = "Orologio del PC";
    let finding = format!("ora del PC: {} (UTC)", now.format("%d/%m/%Y %H:%M"));
    let suggestion = "Correggere data e ora del PC (su Windows: Impostazioni, «Data e ora», \
                      sincronizzazione automatica) e riavviare Sportello.";
    if now.format("%Y").to_string().as_str() < "2025" {
        return check(name, Level::Problem, finding, suggestion);
    }
    match last_recorded {
        Some(last) if now + Duration::minutes(5) < last => check(
            name,
            Level::Problem,
            format!(
                "{finding}, ma l'ultima registrazione è del {}: l'orologio è indietro",
                last.format("%d/%m/%Y %H:%M")
            ),
            suggestion,
        ),
        _ => check(name, Level::Ok, finding, ""),
    }
}

/// The HTTPS certificate, when HTTPS is on.
pub fn certificate(not_after: Option<DateTime<Utc>>, generated: bool, now: DateTime<Utc>) -> Check {
    let name = "Certificato HTTPS";
    let Some(not_after) = not_after else {
        return check(name, Level::Ok, "HTTPS non attivo".into(), "");
    };
    let finding = format!("valido fino al {}", not_after.format("%d/%m/%Y"));
    let left = not_after - now;
    if left < Duration::zero() {
        check(
            name,
            Level::Problem,
            format!("scaduto il {}", not_after.format("%d/%m/%Y")),
            if generated {
                "Riavviare Sportello: crea da solo un certificato nuovo (i colleghi dovranno \
                 accettarlo di nuovo nel browser, confrontando l'impronta)."
            } else {
                "Chiedere al fornitore del certificato il rinnovo e sostituire i file indicati."
            },
        )
    } else if left < Duration::days(30) {
        check(
            name,
            Level::Attention,
            finding,
            if generated {
                "Al prossimo riavvio Sportello crea un certificato nuovo: avvisare i colleghi che \
                 il browser chiederà di nuovo conferma."
            } else {
                "Chiedere per tempo al fornitore il rinnovo del certificato."
            },
        )
    } else {
        check(name, Level::Ok, finding, "")
    }
}

/// The desk's contacts, printed on every sheet a citizen takes home: without a phone or an
/// e-mail the sheets cannot say how to reach the desk to move an appointment.
pub fn desk_contacts(c: &crate::domain::instance::DeskContacts) -> Check {
    let name = "Recapiti dello sportello";
    if c.reachable() {
        check(
            name,
            Level::Ok,
            format!("sui fogli per i cittadini: {}", c.reach()),
            "",
        )
    } else {
        check(
            name,
            Level::Attention,
            "telefono ed e-mail dello sportello non inseriti: i fogli consegnati ai cittadini non dicono come avvisare"
                .into(),
            "Inserirli in «Amministrazione», «Recapiti dello sportello» (indirizzo, telefono, e-mail, orari).",
        )
    }
}

/// The signing and encryption keys, and enrollment with the other side.
pub fn keys(present: bool, counterparts: usize, district: bool) -> Check {
    let name = "Chiavi per gli scambi";
    if !present && counterparts > 0 {
        // Restored on a new PC without the keys folder: the other side still knows the old keys.
        return check(
            name,
            Level::Problem,
            "le chiavi di questa installazione mancano, ma risulta una registrazione con l'altra parte"
                .into(),
            "Ripristinare un backup recente (contiene le chiavi; guida, capitolo 4); se non c'è, \
             ripetere la registrazione dalla pagina «Scambi» d'accordo con l'altra parte.",
        );
    }
    if !present {
        return check(
            name,
            Level::Attention,
            "chiavi non ancora create".into(),
            "Aprire la pagina «Scambi»: le chiavi vengono create alla prima apertura.",
        );
    }
    match (counterparts, district) {
        (0, false) => check(
            name,
            Level::Attention,
            "chiavi presenti; lo sportello non è ancora registrato presso l'Ambito".into(),
            "Nella pagina «Scambi» scaricare l'identità pubblica e consegnarla all'ufficio d'Ambito, poi \
             caricare la risposta ricevuta.",
        ),
        (0, true) => check(
            name,
            Level::Attention,
            "chiavi presenti; nessuno sportello comunale registrato".into(),
            "Nella pagina «Scambi» caricare l'identità ricevuta da ciascun comune.",
        ),
        (n, false) => check(
            name,
            Level::Ok,
            format!("chiavi presenti; registrato presso l'Ambito ({n})"),
            "",
        ),
        (n, true) => check(
            name,
            Level::Ok,
            format!("chiavi presenti; {n} sportelli comunali registrati"),
            "",
        ),
    }
}

/// Desk: what waits for the next bundle to the district.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskWaiting {
    /// Changes the next bundle carries.
    pub changes: usize,
    pub oldest: Option<DateTime<Utc>>,
    /// Referrals to the SSP marked sent that no bundle has carried.
    pub referrals: usize,
}

/// Desk: changes and referrals not yet sent to the district. A referral waiting, changes older
/// than two weeks, or anything waiting while the desk is not registered need attention.
pub fn desk_pending(w: &DeskWaiting, enrolled: bool, now: DateTime<Utc>) -> Check {
    let name = "Invii all'Ambito";
    let mut parts = Vec::new();
    match w.referrals {
        0 => {}
        1 => parts.push("1 invio al Servizio Sociale Professionale non ancora partito".to_string()),
        n => parts.push(format!(
            "{n} invii al Servizio Sociale Professionale non ancora partiti"
        )),
    }
    if let Some(oldest) = w.oldest {
        parts.push(if w.changes == 1 {
            format!(
                "1 modifica in attesa di invio, del {}",
                oldest.format("%d/%m/%Y")
            )
        } else {
            format!(
                "{} modifiche in attesa di invio, la più vecchia del {}",
                w.changes,
                oldest.format("%d/%m/%Y")
            )
        });
    }
    if !enrolled {
        return if parts.is_empty() {
            check(
                name,
                Level::Ok,
                "nessuna modifica in attesa; lo sportello non è ancora registrato presso l'Ambito"
                    .into(),
                "",
            )
        } else {
            check(
                name,
                Level::Attention,
                format!(
                    "lo sportello non è registrato presso l'Ambito, nulla può partire: {}",
                    parts.join("; ")
                ),
                "Nella pagina «Scambi» caricare la risposta di registrazione ricevuta dall'ufficio d'Ambito, poi preparare il pacchetto.",
            )
        };
    }
    if parts.is_empty() {
        return check(
            name,
            Level::Ok,
            "nessuna modifica in attesa di invio".into(),
            "",
        );
    }
    let stale = w.oldest.is_some_and(|o| now - o > Duration::days(14));
    let level = if w.referrals > 0 || stale {
        Level::Attention
    } else {
        Level::Ok
    };
    let action = if level == Level::Attention {
        "Nella pagina «Scambi» premere «Prepara il pacchetto per l'Ambito» e consegnare il file."
    } else {
        ""
    };
    check(name, level, parts.join("; "), action)
}

/// District: referrals received and not yet decided.
pub fn district_pending(undecided: usize, oldest: Option<DateTime<Utc>>) -> Check {
    let name = "Invii ricevuti dai comuni";
    match oldest {
        None => check(name, Level::Ok, "nessun invio in attesa di decisione".into(), ""),
        Some(oldest) => check(
            name,
            Level::Attention,
            if undecided == 1 {
                format!(
                    "1 invio in attesa di decisione, ricevuto il {}",
                    oldest.format("%d/%m/%Y")
                )
            } else {
                format!(
                    "{undecided} invii in attesa di decisione, il più vecchio ricevuto il {}",
                    oldest.format("%d/%m/%Y")
                )
            },
            "Nella pagina «Invii ricevuti» accettare o respingere gli invii, poi nella pagina «Scambi» preparare il pacchetto di \
             ritorno per ciascun comune.",
        ),
    }
}

/// The worst level among the checks.
pub fn overall(checks: &[Check]) -> Level {
    checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_desk_contacts_are_flagged_until_a_phone_or_an_email_is_entered() {
        let mut c = crate::domain::instance::DeskContacts::default();
        assert_eq!(desk_contacts(&c).level, Level::Attention);
        c.address = "Piazza Municipio 1".into();
        assert_eq!(
            desk_contacts(&c).level,
            Level::Attention,
            "an address alone cannot be called"
        );
        c.phone = "080 4628 111".into();
        let ok = desk_contacts(&c);
        assert_eq!(ok.level, Level::Ok);
        assert!(ok.finding.contains("080 4628 111"));
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn disk_thresholds() {
        let gib = 1024 * MIB;
        assert_eq!(disk_space(50 * gib, 100 * gib, 10 * MIB).level, Level::Ok);
        assert_eq!(
            disk_space(900 * MIB, 100 * gib, 10 * MIB).level,
            Level::Attention
        );
        assert_eq!(
            disk_space(100 * MIB, 100 * gib, 10 * MIB).level,
            Level::Problem
        );
        // Room for the database to double is needed whatever the disk size.
        assert_eq!(disk_space(3 * gib, 4 * gib, 2 * gib).level, Level::Problem);
        assert!(disk_space(50 * gib, 100 * gib, 10 * MIB)
            .finding
            .contains("51.200 MB liberi"));
    }

    #[test]
    fn backup_age() {
        let now = at("2026-11-23T10:00:00Z");
        let facts = |configured, last_good, failed| BackupFacts {
            configured,
            last_good,
            failed,
        };
        assert_eq!(backup(&facts(false, None, None), now).level, Level::Problem);
        assert_eq!(backup(&facts(true, None, None), now).level, Level::Problem);
        let yesterday = at("2026-11-22T02:00:00Z");
        assert_eq!(
            backup(&facts(true, Some(yesterday), None), now).level,
            Level::Ok
        );
        let old = at("2026-11-19T02:00:00Z");
        let c = backup(&facts(true, Some(old), None), now);
        assert_eq!(c.level, Level::Problem);
        assert!(c.finding.contains("19/11/2026"));
        assert!(!c.suggestion.is_empty());
        // A failure since the last good backup is shown with its reason until one succeeds.
        let failed = at("2026-11-23T01:01:00Z");
        let c = backup(
            &facts(
                true,
                Some(yesterday),
                Some((failed, "cartella E:\\ non disponibile")),
            ),
            now,
        );
        assert_eq!(c.level, Level::Attention);
        assert!(c.finding.contains("non riuscito il 23/11/2026") && c.finding.contains("E:\\"));
        assert!(c.suggestion.contains("ogni ora"));
    }

    #[test]
    fn clock_behind_the_records() {
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(
            clock(now, Some(at("2026-11-23T09:59:00Z"))).level,
            Level::Ok
        );
        assert_eq!(
            clock(now, Some(at("2026-11-24T09:00:00Z"))).level,
            Level::Problem
        );
        assert_eq!(
            clock(at("2001-01-01T00:00:00Z"), None).level,
            Level::Problem
        );
    }

    #[test]
    fn certificate_expiry() {
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(certificate(None, true, now).level, Level::Ok);
        assert_eq!(
            certificate(Some(at("2028-01-01T00:00:00Z")), true, now).level,
            Level::Ok
        );
        assert_eq!(
            certificate(Some(at("2026-12-10T00:00:00Z")), false, now).level,
            Level::Attention
        );
        assert_eq!(
            certificate(Some(at("2026-11-01T00:00:00Z")), true, now).level,
            Level::Problem
        );
    }

    #[test]
    fn pending_and_overall() {
        let now = at("2026-11-23T10:00:00Z");
        let changes = |n, oldest: &str| DeskWaiting {
            changes: n,
            oldest: Some(at(oldest)),
            referrals: 0,
        };
        let fresh = desk_pending(&changes(3, "2026-11-20T10:00:00Z"), true, now);
        assert_eq!(fresh.level, Level::Ok);
        let stale = desk_pending(&changes(30, "2026-10-01T10:00:00Z"), true, now);
        assert_eq!(stale.level, Level::Attention);
        // A referral to the SSP waiting for its bundle needs attention at once.
        let referral = DeskWaiting {
            referrals: 1,
            ..changes(1, "2026-11-23T09:00:00Z")
        };
        let waiting = desk_pending(&referral, true, now);
        assert_eq!(waiting.level, Level::Attention);
        assert!(waiting
            .finding
            .starts_with("1 invio al Servizio Sociale Professionale non ancora partito"));
        // Not registered with the Ambito: nothing can leave, and the check says so.
        let unenrolled = desk_pending(&referral, false, now);
        assert_eq!(unenrolled.level, Level::Attention);
        assert!(unenrolled
            .finding
            .contains("non è registrato presso l'Ambito"));
        assert!(unenrolled.suggestion.contains("Scambi"));
        let quiet = desk_pending(&DeskWaiting::default(), false, now);
        assert_eq!(quiet.level, Level::Ok);
        assert!(quiet.finding.contains("non è ancora registrato"));
        assert_eq!(overall(&[fresh.clone(), stale.clone()]), Level::Attention);
        assert_eq!(
            overall(&[fresh, keys(false, 0, false), integrity(Err("x".into()))]),
            Level::Problem
        );
        assert_eq!(district_pending(0, None).level, Level::Ok);
        // Italian singular for one.
        assert!(desk_pending(&changes(1, "2026-11-20T10:00:00Z"), true, now)
            .finding
            .starts_with("1 modifica in attesa"));
        assert!(district_pending(1, Some(at("2026-11-20T10:00:00Z")))
            .finding
            .starts_with("1 invio in attesa"));
        // Keys lost in a restore while enrolled: a problem, not a fresh start.
        assert_eq!(keys(false, 1, false).level, Level::Problem);
        assert_eq!(keys(false, 0, false).level, Level::Attention);
    }
}
