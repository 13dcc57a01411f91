//! The service's options (address, HTTPS), kept in `<data>/servizio.conf` rather than in the
//! service's launch arguments: an MSI upgrade re-registers the service with its own arguments
//! (`--data … service run`), and the options must survive it.

// Used by the Windows service; elsewhere only by the tests below.
#![cfg_attr(not(windows), allow(dead_code))]

use std::path::{Path, PathBuf};

use super::serve::Options;

pub const FILE: &str = "servizio.conf";

/// What the file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConf {
    pub bind: String,
    pub tls: bool,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub insecure_lan: bool,
}

impl ServiceConf {
    pub fn of(options: &Options) -> ServiceConf {
        let (tls, tls_cert, tls_key) = match &options.tls {
            Some(sportello::tls::Source::Provided { cert, key }) => {
                (true, Some(cert.clone()), Some(key.clone()))
            }
            Some(sportello::tls::Source::Generated { .. }) => (true, None, None),
            None => (false, None, None),
        };
        ServiceConf {
            bind: options.bind.clone(),
            tls,
            tls_cert,
            tls_key,
            insecure_lan: options.insecure_lan,
        }
    }

    /// `options` with the address and HTTPS taken from this file (the data directory stays).
    pub fn apply(&self, mut options: Options) -> Options {
        options.bind = self.bind.clone();
        options.insecure_lan = self.insecure_lan;
        options.tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(sportello::tls::Source::Provided {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if self.tls => Some(sportello::tls::Source::generated(&options.data)),
            _ => None,
        };
        options
    }

    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# Opzioni del servizio Sportello (scritte da «sportello service configure»).\n",
        );
        out.push_str(&format!("bind={}\n", self.bind));
        out.push_str(&format!("tls={}\n", self.tls));
        if let (Some(c), Some(k)) = (&self.tls_cert, &self.tls_key) {
            out.push_str(&format!("tls_cert={}\n", c.display()));
            out.push_str(&format!("tls_key={}\n", k.display()));
        }
        out.push_str(&format!("insecure_lan={}\n", self.insecure_lan));
        out
    }

    pub fn parse(text: &str) -> Result<ServiceConf, String> {
        let mut conf = ServiceConf {
            bind: String::new(),
            tls: false,
            tls_cert: None,
            tls_key: None,
            insecure_lan: false,
        };
        let flag = |v: &str, line: usize| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("riga {line}: atteso true o false, trovato «{v}»")),
        };
        // Notepad may save with a byte-order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!("riga {}: atteso chiave=valore", i + 1));
            };
            let value = value.trim();
            match key.trim() {
                "bind" => conf.bind = value.to_string(),
                "tls" => conf.tls = flag(value, i + 1)?,
                "tls_cert" => conf.tls_cert = Some(PathBuf::from(value)),
                "tls_key" => conf.tls_key = Some(PathBuf::from(value)),
                "insecure_lan" => conf.insecure_lan = flag(value, i + 1)?,
                other => return Err(format!("riga {}: opzione sconosciuta «{other}»", i + 1)),
            }
        }
        if conf.bind.is_empty() {
            return Err("manca l'indirizzo (bind=…)".into());
        }
        if conf.tls_cert.is_some() != conf.tls_key.is_some() {
            return Err("tls_cert e tls_key vanno indicati insieme".into());
        }
        Ok(conf)
    }
}

/// The `--data` value in a service's command line (`"C:\…\sportello.exe" --data "C:\Dati" service
/// run`), quoted or not.
pub fn data_argument(command_line: &str) -> Option<String> {
    let rest = command_line.split_once("--data")?.1;
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split_whitespace().next()?,
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// The options saved in `data`, if any.
pub fn read(data: &Path) -> Result<Option<ServiceConf>, String> {
    let path = data.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => ServiceConf::parse(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

pub fn write(data: &Path, conf: &ServiceConf) -> Result<(), String> {
    let path = data.join(FILE);
    let tmp = data.join(format!("{FILE}.tmp"));
    std::fs::create_dir_all(data)
        .and_then(|()| std::fs::write(&tmp, conf.to_text()))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks the options as `serve` will, before a service is set to use them: the address rule,
/// absolute certificate paths (a service runs in the system folder), and the certificate itself
/// (a generated one is made now, so its fingerprint can be shown at once).
pub fn validate(options: &Options) -> Result<Option<sportello::tls::CertInfo>, String> {
    super::serve::check_bind(&options.bind, options.insecure_lan, options.tls.is_some())?;
    match &options.tls {
        None => Ok(None),
        Some(source) => {
            if let sportello::tls::Source::Provided { cert, key } = source {
                if !cert.is_absolute() || !key.is_absolute() {
                    return Err(
                        "Indicare il certificato e la chiave con il percorso completo \
                                (per esempio C:\\Certificati\\sportello.pem)."
                            .into(),
                    );
                }
            }
            let loaded = sportello::tls::load(
                source,
                &sportello::tls::names_for(super::serve::bind_ip(&options.bind)),
                chrono::Utc::now(),
            )
            .map_err(|e| e.to_string())?;
            Ok(Some(loaded.info))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(bind: &str, tls: Option<sportello::tls::Source>) -> Options {
        Options {
            data: PathBuf::from("/dati"),
            bind: bind.into(),
            insecure_lan: false,
            tls,
        }
    }

    #[test]
    fn round_trip_and_apply() {
        for o in [
            options("127.0.0.1:8080", None),
            options(
                "0.0.0.0:8443",
                Some(sportello::tls::Source::generated(Path::new("/dati"))),
            ),
            options(
                "0.0.0.0:8443",
                Some(sportello::tls::Source::Provided {
                    cert: PathBuf::from("/etc/c.pem"),
                    key: PathBuf::from("/etc/k.pem"),
                }),
            ),
        ] {
            let conf = ServiceConf::of(&o);
            let parsed = ServiceConf::parse(&conf.to_text()).unwrap();
            assert_eq!(parsed, conf);
            let applied = parsed.apply(options("127.0.0.1:1", None));
            assert_eq!(applied.bind, o.bind);
            assert_eq!(format!("{:?}", applied.tls), format!("{:?}", o.tls));
        }
    }

    #[test]
    fn the_data_directory_of_a_service_command_line() {
        assert_eq!(
            data_argument(
                r#""C:\Program Files\Sportello\sportello.exe" --data "C:\ProgramData\Sportello" service run"#
            ),
            Some(r"C:\ProgramData\Sportello".to_string())
        );
        assert_eq!(
            data_argument(r"C:\sportello.exe --data D:\Dati service run"),
            Some(r"D:\Dati".to_string())
        );
        assert_eq!(data_argument(r"C:\sportello.exe service run"), None);
    }

    #[test]
    fn a_byte_order_mark_is_ignored() {
        let conf = ServiceConf::parse("\u{feff}bind=127.0.0.1:8080\ntls=false\n").unwrap();
        assert_eq!(conf.bind, "127.0.0.1:8080");
    }

    #[test]
    fn bad_files_are_named() {
        assert!(ServiceConf::parse("tls=true\n")
            .unwrap_err()
            .contains("bind"));
        assert!(ServiceConf::parse("bind=x\ntls=forse\n")
            .unwrap_err()
            .contains("riga 2"));
        assert!(ServiceConf::parse("bind=x\ncolore=blu\n")
            .unwrap_err()
            .contains("colore"));
        assert!(ServiceConf::parse("bind=x\ntls_cert=/c.pem\n")
            .unwrap_err()
            .contains("insieme"));
    }
}
