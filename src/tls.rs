//! HTTPS for the office network: a self-signed certificate made and kept in `<data>/tls`
//! (renewed when it nears expiry), or one the comune provides. The SHA-256 fingerprint lets a
//! colleague check, once, that the browser warning is about this PC and nobody else.

use chrono::{DateTime, Datelike, Duration, Utc};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Years a generated certificate lasts.
const GENERATED_YEARS: i32 = 3;
/// A generated certificate this close to expiry is replaced on start.
pub const RENEW_BEFORE_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("Certificato HTTPS {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("Creazione del certificato HTTPS non riuscita: {0}")]
    Generate(String),
    #[error("Configurazione HTTPS non valida: {0}")]
    Config(String),
}

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Made by Sportello in `<data>/tls` (cert.pem, key.pem).
    Generated { dir: PathBuf },
    /// Provided by the comune (PEM files).
    Provided { cert: PathBuf, key: PathBuf },
}

impl Source {
    pub fn generated(data: &Path) -> Source {
        Source::Generated {
            dir: data.join("tls"),
        }
    }

    pub fn cert_path(&self) -> PathBuf {
        match self {
            Source::Generated { dir } => dir.join("cert.pem"),
            Source::Provided { cert, .. } => cert.clone(),
        }
    }

    fn key_path(&self) -> PathBuf {
        match self {
            Source::Generated { dir } => dir.join("key.pem"),
            Source::Provided { key, .. } => key.clone(),
        }
    }
}

/// What the admin page and `doctor` show about the certificate in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// SHA-256 of the DER certificate, as colon-separated upper-case hex (as browsers show it).
    pub fingerprint: String,
    pub not_after: DateTime<Utc>,
    /// DNS names and IP addresses the certificate is valid for.
    pub names: Vec<String>,
    pub generated: bool,
    pub path: PathBuf,
}

/// The certificate and key to serve with, and what to show about them.
pub struct Loaded {
    pub config: rustls::ServerConfig,
    pub info: CertInfo,
}

fn file_error(path: &Path, reason: impl ToString) -> TlsError {
    TlsError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Colon-separated upper-case hex SHA-256 of `der`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reads what matters of the first certificate in a PEM file.
pub fn inspect(path: &Path, generated: bool) -> Result<CertInfo, TlsError> {
    let first = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e))?
        .next()
        .ok_or_else(|| file_error(path, "nessun certificato nel file"))?
        .map_err(|e| file_error(path, e))?;
    let (_, cert) = x509_parser::parse_x509_certificate(first.as_ref())
        .map_err(|e| file_error(path, format!("certificato illeggibile ({e})")))?;
    let not_after = DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
        .ok_or_else(|| file_error(path, "data di scadenza non valida"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                x509_parser::extensions::GeneralName::DNSName(d) => names.push(d.to_string()),
                x509_parser::extensions::GeneralName::IPAddress(ip) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*ip) {
                        names.push(std::net::Ipv4Addr::from(v4).to_string());
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*ip) {
                        names.push(std::net::Ipv6Addr::from(v6).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Ok(CertInfo {
        fingerprint: fingerprint(first.as_ref()),
        not_after,
        names,
        generated,
        path: path.to_path_buf(),
    })
}

/// The names a generated certificate covers: this computer's name, localhost, the loopback
/// addresses, the address being listened on and the address of the office network.
pub fn names_for(bind_ip: Option<std::net::IpAddr>) -> Vec<String> {
    let mut names = vec!["localhost".to_string()];
    let host = std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if let Some(host) = host {
        names.push(host.to_lowercase());
    }
    names.push("127.0.0.1".into());
    names.push("::1".into());
    let mut ips: Vec<std::net::IpAddr> = bind_ip.into_iter().collect();
    ips.extend(lan_address());
    for ip in ips {
        if !ip.is_unspecified() && !ip.is_loopback() && !names.contains(&ip.to_string()) {
            names.push(ip.to_string());
        }
    }
    names
}

/// The address other PCs of the office reach this one at: the source address of the default
/// route (no packet is sent). None when there is no network.
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

/// Writes a new self-signed certificate and key into `dir` (key readable by the owner only).
fn generate(dir: &Path, names: &[String], now: DateTime<Utc>) -> Result<(), TlsError> {
    let generate_error = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(generate_error)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Sportello");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Segretariato Sociale");
    let start = now - Duration::days(1);
    let month = |d: DateTime<Utc>| u8::try_from(d.month()).unwrap_or(1);
    let day = |d: DateTime<Utc>| u8::try_from(d.day().min(28)).unwrap_or(1);
    params.not_before = rcgen::date_time_ymd(start.year(), month(start), day(start));
    params.not_after = rcgen::date_time_ymd(now.year() + GENERATED_YEARS, month(now), day(now));
    let key = rcgen::KeyPair::generate().map_err(generate_error)?;
    let cert = params.self_signed(&key).map_err(generate_error)?;
    crate::store::create_private_dir(dir).map_err(|e| file_error(dir, e))?;
    // The key first: a certificate without its key would be useless on the next start.
    write_private(&dir.join("key.pem"), key.serialize_pem().as_bytes())?;
    write_private(&dir.join("cert.pem"), cert.pem().as_bytes())?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    crate::store::write_private_file(path, bytes).map_err(|e| file_error(path, e))
}

/// Loads the certificate to serve with; a generated one is created on first use and replaced
/// when it has less than [`RENEW_BEFORE_DAYS`] left, or when it cannot be used (e.g. a key and
/// certificate that do not match after an interrupted write). A provided one is never touched.
pub fn load(source: &Source, names: &[String], now: DateTime<Utc>) -> Result<Loaded, TlsError> {
    if let Source::Generated { dir } = source {
        let cert = source.cert_path();
        let renew = match inspect(&cert, true) {
            Ok(info) => info.not_after - now < Duration::days(RENEW_BEFORE_DAYS),
            Err(_) => true,
        };
        if renew || !source.key_path().exists() {
            if cert.exists() {
                tracing::warn!("certificato HTTPS in scadenza o illeggibile: ne viene creato uno nuovo (l'impronta cambia)");
            }
            generate(dir, names, now)?;
        }
        return match configure(source, now) {
            Ok(loaded) => Ok(loaded),
            Err(e) => {
                tracing::warn!("certificato HTTPS inutilizzabile ({e}): ne viene creato uno nuovo");
                generate(dir, names, now)?;
                configure(source, now)
            }
        };
    }
    configure(source, now)
}

/// The server configuration for the certificate and key in place.
fn configure(source: &Source, now: DateTime<Utc>) -> Result<Loaded, TlsError> {
    let generated = matches!(source, Source::Generated { .. });
    let cert_path = source.cert_path();
    let key_path = source.key_path();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| file_error(&cert_path, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(&cert_path, e))?;
    if chain.is_empty() {
        return Err(file_error(&cert_path, "nessun certificato nel file"));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| file_error(&key_path, e))?;
    let info = inspect(&cert_path, generated)?;
    if info.not_after < now {
        // Still served: a desk that cannot start is worse than a browser warning; the admin page
        // and `doctor` report it as a problem until the comune replaces it. (A generated one is
        // renewed before this can happen.)
        tracing::error!(
            "certificato HTTPS {} scaduto il {}: sostituirlo",
            cert_path.display(),
            info.not_after.format("%d/%m/%Y")
        );
    }
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TlsError::Config(e.to_string()))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Loaded { config, info })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_kept_then_renewed_near_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let source = Source::generated(dir.path());
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let now = Utc::now();
        let first = load(&source, &names, now).unwrap().info;
        assert!(first.generated);
        assert_eq!(first.names, names);
        assert!(first.not_after > now + Duration::days(365 * 2));
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
        // A restart keeps the same certificate (colleagues already accepted it).
        let again = load(&source, &names, now + Duration::days(10))
            .unwrap()
            .info;
        assert_eq!(again.fingerprint, first.fingerprint);
        // Close to expiry it is replaced.
        let late = first.not_after - Duration::days(5);
        let renewed = load(&source, &names, late).unwrap().info;
        assert_ne!(renewed.fingerprint, first.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("tls/key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "key readable by others");
        }
    }

    #[test]
    fn a_provided_certificate_is_used_as_is_even_expired_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let names = vec!["sportello.comune.example".to_string()];
        let made = load(&Source::generated(dir.path()), &names, Utc::now())
            .unwrap()
            .info;
        let provided = Source::Provided {
            cert: dir.path().join("tls/cert.pem"),
            key: dir.path().join("tls/key.pem"),
        };
        let info = load(&provided, &[], Utc::now()).unwrap().info;
        assert!(!info.generated);
        assert_eq!(info.fingerprint, made.fingerprint);
        assert_eq!(info.names, names);
        // Expired: still served (doctor reports it), and left as it is (it is the comune's file).
        let later = made.not_after + Duration::days(1);
        let expired = load(&provided, &[], later).unwrap().info;
        assert!(expired.not_after < later);
        assert_eq!(expired.fingerprint, made.fingerprint);
    }

    #[test]
    fn a_generated_pair_that_does_not_match_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let names = vec!["localhost".to_string()];
        let source = Source::generated(dir.path());
        let first = load(&source, &names, Utc::now()).unwrap().info;
        // Another installation's key in place of ours, as after a write cut in half.
        load(&Source::generated(other.path()), &names, Utc::now()).unwrap();
        std::fs::copy(
            other.path().join("tls/key.pem"),
            dir.path().join("tls/key.pem"),
        )
        .unwrap();
        let again = load(&source, &names, Utc::now()).unwrap().info;
        assert_ne!(again.fingerprint, first.fingerprint);
    }

    #[test]
    fn provided_files_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("c.pem");
        std::fs::write(&cert, "non un certificato").unwrap();
        let source = Source::Provided {
            cert: cert.clone(),
            key: dir.path().join("k.pem"),
        };
        let err = load(&source, &[], Utc::now()).err().unwrap().to_string();
        assert!(err.contains("c.pem"), "{err}");
    }
}
