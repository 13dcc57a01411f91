//! `sportello serve`: the web application, with a clean database close on exit.

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::Arc;

use super::open_store;

/// Whether `bind` only listens on this computer.
fn is_loopback(bind: &str) -> Result<bool, String> {
    let addrs: Vec<_> = bind
        .to_socket_addrs()
        .map_err(|_| {
            format!("Indirizzo di ascolto non valido: «{bind}» (esempio: 127.0.0.1:8080).")
        })?
        .collect();
    Ok(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()))
}

/// How to serve: from the command line, or stored in the Windows service's arguments.
#[derive(Debug, Clone)]
pub struct Options {
    pub data: PathBuf,
    pub bind: String,
    pub insecure_lan: bool,
    pub tls: Option<sportello::tls::Source>,
}

/// The rule for where to listen: beyond this PC only with HTTPS, or with --insecure-lan.
pub fn check_bind(bind: &str, insecure_lan: bool, tls: bool) -> Result<(), String> {
    if !is_loopback(bind)? && !insecure_lan && !tls {
        return Err(format!(
            "Ascolto su {bind} rifiutato: fuori da questo computer i dati viaggerebbero in chiaro. \
             Aggiungere --tls (HTTPS, consigliato), oppure usare 127.0.0.1; --insecure-lan \
             (sconsigliato) lo permette senza cifratura."
        ));
    }
    Ok(())
}

/// The address listened on, if it names one.
pub fn bind_ip(bind: &str) -> Option<std::net::IpAddr> {
    bind.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .map(|a| a.ip())
}

/// The address to open in a browser on this PC: listening on every address (0.0.0.0) includes
/// 127.0.0.1, which is what works here.
pub fn browser_address(bind: &str, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    match bind.to_socket_addrs().ok().and_then(|mut a| a.next()) {
        Some(addr) if addr.ip().is_unspecified() => {
            format!("{scheme}://127.0.0.1:{}", addr.port())
        }
        _ => format!("{scheme}://{bind}"),
    }
}

pub fn run(options: &Options, stop: Option<std::sync::mpsc::Receiver<bool>>) -> Result<(), String> {
    let (data, bind, insecure_lan) = (
        options.data.as_path(),
        options.bind.as_str(),
        options.insecure_lan,
    );
    let tls = options.tls.clone();
    check_bind(bind, insecure_lan, tls.is_some())?;
    let store = open_store(data)?;
    let tls = match tls {
        Some(source) => {
            let bind_ip = bind_ip(bind);
            let loaded = sportello::tls::load(
                &source,
                &sportello::tls::names_for(bind_ip),
                chrono::Utc::now(),
            )
            .map_err(|e| e.to_string())?;
            tracing::info!(
                impronta = %loaded.info.fingerprint,
                nomi = %loaded.info.names.join(", "),
                "HTTPS attivo: confrontare l'impronta con quella mostrata dal browser"
            );
            Some(loaded)
        }
        None => None,
    };
    let address = browser_address(bind, tls.is_some());
    let reference = Arc::new(sportello::assets::reference()?);
    sportello::jobs::housekeeping(&store);
    match store.purge_stale_drafts() {
        Ok(n) if n > 0 => tracing::info!(bozze = n, "bozze scadute eliminate"),
        Ok(_) => {}
        Err(e) => tracing::warn!("pulizia delle bozze non riuscita: {e}"),
    }
    // Computed now, so that the first login with an unknown name takes no longer than the others.
    sportello::domain::password::dummy_hash();
    if store.instance().map_err(|e| e.to_string())?.is_none() {
        tracing::info!(
            "installazione da configurare: aprire {address}/setup nel browser su questo PC"
        );
    }
    sportello::jobs::start_nightly_backups(&store);
    sportello::jobs::start_housekeeping(&store);
    let result = actix_web::rt::System::new().block_on(sportello::web::serve(
        Arc::clone(&store),
        reference,
        bind,
        tls,
        stop,
    ));
    // The server has stopped; wait for its worker threads to release their handles, then close the
    // database explicitly (redb repairs slowly after an unclean stop).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while Arc::strong_count(&store) > 1 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    match Arc::try_unwrap(store) {
        Ok(store) => match store.close() {
            Ok(()) => tracing::info!("database chiuso correttamente"),
            Err(e) => tracing::error!("chiusura del database non riuscita: {e}"),
        },
        Err(_) => tracing::error!("database ancora in uso dopo 10 secondi: chiusura forzata"),
    }
    result.map_err(|e| format!("Server non avviato su {bind}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_loopback_is_local() {
        assert!(super::is_loopback("127.0.0.1:8080").unwrap());
        assert!(super::is_loopback("[::1]:8080").unwrap());
        assert!(!super::is_loopback("0.0.0.0:8080").unwrap());
        assert!(super::is_loopback("127.0.0.1").is_err());
    }
}
