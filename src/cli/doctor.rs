//! `sportello doctor`: the health checks, printed with what to do. Exit status 1 when any check
//! finds a problem, so a scheduled task can notice.

use std::path::Path;

use sportello::doctor::{self, Integrity};
use sportello::domain::health::{self, Level};
use sportello::store::{Store, StoreError};
use sportello::tls::Source;

pub fn run(data: &Path, tls: Option<Source>) -> Result<(), String> {
    if !data.join(sportello::store::DB_FILE).is_file() {
        return Err(format!(
            "Nessuna installazione in {}: indicare la cartella dei dati con --data.",
            data.display()
        ));
    }
    let mut store = match Store::open(data) {
        Ok(s) => s,
        Err(StoreError::AlreadyOpen { .. }) => {
            return Err(
                "Sportello è in funzione: gli stessi controlli sono nella pagina \
                        «Amministrazione», sezione «Stato dell'installazione»."
                    .into(),
            )
        }
        Err(e) => return Err(e.to_string()),
    };
    let integrity = Integrity::CheckedNow(store.check_integrity().map_err(|e| e.to_string()));
    // The certificate the server uses: the one given, else the Windows service's (servizio.conf),
    // else the generated one if HTTPS was ever on.
    let from_service = super::service_conf::read(data)
        .ok()
        .flatten()
        .and_then(|conf| {
            conf.apply(super::serve::Options {
                data: data.to_path_buf(),
                bind: String::new(),
                insecure_lan: false,
                tls: None,
            })
            .tls
        });
    let source = tls.or(from_service).or_else(|| {
        let generated = Source::generated(data);
        generated.cert_path().is_file().then_some(generated)
    });
    let inspected = source
        .as_ref()
        .map(|s| sportello::tls::inspect(&s.cert_path(), matches!(s, Source::Generated { .. })));
    let cert = match &inspected {
        Some(Ok(info)) => Some(info.clone()),
        _ => None,
    };
    let mut checks = doctor::checks(&store, data, integrity, cert.as_ref(), chrono::Utc::now());
    if let Some(Err(e)) = &inspected {
        // An unreadable certificate is one failed check, not the end of all of them.
        if let Some(c) = checks.iter_mut().find(|c| c.name == "Certificato HTTPS") {
            c.level = Level::Problem;
            c.finding = e.to_string();
            c.suggestion = "Se il certificato è di Sportello, cancellare la cartella «tls» nella \
                            cartella dei dati e riavviare: ne viene creato uno nuovo (l'impronta cambia). \
                            Se è del comune, chiedere al fornitore i file corretti."
                .into();
        }
    }
    for c in &checks {
        println!("[{}] {}: {}", c.level.label(), c.name, c.finding);
        if !c.suggestion.is_empty() {
            println!("      → {}", c.suggestion);
        }
    }
    if let Some(cert) = &cert {
        println!(
            "Impronta del certificato HTTPS (SHA-256): {}",
            cert.fingerprint
        );
    }
    store.close().map_err(|e| e.to_string())?;
    match health::overall(&checks) {
        Level::Problem => {
            Err("Almeno un controllo ha trovato un problema: seguire le indicazioni sopra.".into())
        }
        Level::Attention => {
            println!("Nessun problema grave; alcune cose da fare presto (sopra).");
            Ok(())
        }
        Level::Ok => {
            println!("Tutto in ordine.");
            Ok(())
        }
    }
}
