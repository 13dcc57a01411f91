//! Command-line interface. Each command opens the data directory's database itself; while the
//! server runs, redb's lock makes such a command stop at once with a clear message.

mod backup;
mod bench_data;
mod bundles;
mod demo;
mod demo_referrals;
mod directory;
mod doctor;
mod serve;
pub mod service;
mod service_conf;
mod users;

use clap::{Parser, Subcommand};
use sportello::domain::audit::Action;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sportello::store::Store;

#[derive(Parser)]
#[command(
    name = "sportello",
    version,
    about = "Sportello – Segretariato Sociale: lo sportello sociale del comune e l'ufficio d'Ambito"
)]
pub struct Cli {
    /// Data directory (database, keys, backups).
    #[arg(
        long,
        global = true,
        env = "SPORTELLO_DATA",
        default_value = "./sportello-data"
    )]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        global = true,
        env = "SPORTELLO_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    /// Allow listening on a non-loopback address without TLS (not recommended).
    #[arg(long, global = true)]
    pub insecure_lan: bool,
    /// Serve HTTPS, with a self-signed certificate kept in <data>/tls (or --tls-cert/--tls-key).
    #[arg(long, global = true, env = "SPORTELLO_TLS",
          value_parser = clap::builder::BoolishValueParser::new())]
    pub tls: bool,
    /// A certificate provided by the comune (PEM, with its chain); implies --tls.
    #[arg(long, global = true, env = "SPORTELLO_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, global = true, env = "SPORTELLO_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Set up a new installation without the browser.
    Init(users::InitArgs),
    /// Fill a new data directory with a fictional desk (persons, a year of accesses) to try it.
    Demo,
    /// Fill a new data directory at scale (a large desk, or with --district a whole Ambito's
    /// records), entirely fictional, for load tests and benchmarks.
    BenchData(bench_data::Args),
    /// The service directory (HSDS 3.0 JSON import/export, example directory).
    #[command(subcommand)]
    Directory(directory::DirectoryCommand),
    /// Write an encrypted backup (server stopped; the running server makes its own nightly).
    Backup(backup::BackupArgs),
    /// Restore a backup into a new, empty data directory (--data), and verify it.
    Restore(backup::RestoreArgs),
    /// Keys and enrollment between desk and district.
    #[command(subcommand)]
    Keys(bundles::KeysCommand),
    /// Desk: write the signed, encrypted bundle for the district (everything changed since the last one).
    /// District: with --to ISTAT, the return bundle for that comune's desk (answers and directory).
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_name = "ISTAT")]
        to: Option<String>,
    },
    /// Check a bundle without applying it and print its bag-info.
    Verify { file: PathBuf },
    /// Check the installation (disk, database, backups, clock, certificate, keys, bundles) and
    /// say what to do. Exit status 1 when something needs attention now.
    Doctor,
    /// Print a SHA-256 of the database contents, to compare two copies (e.g. before and after).
    Digest {
        /// Leave out the audit trail (which records refusals too).
        #[arg(long)]
        records: bool,
    },
    /// Apply a bundle from the other side (checks everything first; a bundle applied before changes nothing).
    Import { file: PathBuf },
    /// The Windows service (install, uninstall; run is what Windows starts).
    #[command(subcommand)]
    Service(service::ServiceCommand),
    /// Manage users.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(users::TokenCommand),
    /// Retention of identified records (proposals are approved on the Privacy page).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The statistics (kept up to date with every record; this recounts them).
    #[command(subcommand)]
    Stats(StatsCommand),
}

#[derive(Subcommand)]
pub enum StatsCommand {
    /// Recount every statistic from the records and say whether anything differed.
    Rebuild,
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// List the identified records past the retention term (a dry run: nothing changes).
    Propose,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain of the audit log (or of an exported copy with --file).
    Verify {
        /// An exported copy (JSON lines) to verify instead of the database.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The last hash noted down when the copy was exported (needed with --file): a copy cut
        /// short fails.
        #[arg(long, requires = "file")]
        head: Option<String>,
    },
    /// Export the audit log as JSON lines (one entry per line, then the head), e.g. for the DPO.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn init_logging(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter =
        EnvFilter::try_from_env("SPORTELLO_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Logging to a file, for the Windows service (no console): `<data>/sportello.log`, the previous
/// one kept as `sportello.log.1` once it passes 10 MB.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn init_file_logging(data: &Path) {
    use tracing_subscriber::EnvFilter;
    let path = data.join("sportello.log");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 10 * 1024 * 1024) {
        let _ = std::fs::rename(&path, data.join("sportello.log.1"));
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter =
        EnvFilter::try_from_env("SPORTELLO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

pub fn open_store(data: &Path) -> Result<Arc<Store>, String> {
    Store::open(data).map(Arc::new).map_err(|e| e.to_string())
}

/// Who the audit log names for a command-line action.
pub fn cli_actor() -> String {
    let os_user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "sconosciuto".into());
    format!("{}{os_user}", sportello::domain::user::COMMAND_LINE_PREFIX)
}

pub fn serve_options(cli: &Cli) -> serve::Options {
    serve::Options {
        data: cli.data.clone(),
        bind: cli.bind.clone(),
        insecure_lan: cli.insecure_lan,
        tls: tls_source(cli),
    }
}

/// The HTTPS certificate to use, if HTTPS is on.
pub fn tls_source(cli: &Cli) -> Option<sportello::tls::Source> {
    match (&cli.tls_cert, &cli.tls_key) {
        (Some(cert), Some(key)) => Some(sportello::tls::Source::Provided {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ if cli.tls => Some(sportello::tls::Source::generated(&cli.data)),
        _ => None,
    }
}

pub fn run(cli: Cli) -> Result<(), String> {
    let options = serve_options(&cli);
    match cli.command {
        None | Some(Command::Serve) => serve::run(&options, None),
        Some(Command::Init(args)) => users::init(&cli.data, args),
        Some(Command::Demo) => demo::run(&cli.data),
        Some(Command::BenchData(args)) => bench_data::run(&cli.data, args),
        Some(Command::Keys(cmd)) => bundles::keys(&cli.data, cmd),
        Some(Command::Export { out, to }) => bundles::export(&cli.data, &out, to.as_deref()),
        Some(Command::Verify { file }) => bundles::verify(&cli.data, &file),
        Some(Command::Import { file }) => bundles::import(&cli.data, &file),
        Some(Command::Service(cmd)) => service::run(cmd, options),
        Some(Command::Doctor) => doctor::run(&cli.data, tls_source(&cli)),
        Some(Command::Digest { records }) => open_store(&cli.data)
            .and_then(|s| {
                if records {
                    s.records_digest()
                } else {
                    s.content_digest()
                }
                .map_err(|e| e.to_string())
            })
            .map(|d| println!("{d}")),
        Some(Command::Backup(args)) => backup::backup(&cli.data, args),
        Some(Command::Restore(args)) => backup::run_restore(&cli.data, args),
        Some(Command::Directory(cmd)) => directory::run(&cli.data, cmd),
        Some(Command::User(cmd)) => users::user(&cli.data, cmd),
        Some(Command::Token(cmd)) => users::token(&cli.data, cmd),
        Some(Command::Audit(AuditCommand::Verify { file: None, .. })) => audit_verify(&cli.data),
        Some(Command::Audit(AuditCommand::Verify {
            file: Some(f),
            head,
        })) => audit_verify_file(&cli.data, &f, head.as_deref()),
        Some(Command::Audit(AuditCommand::Export { out })) => audit_export(&cli.data, &out),
        Some(Command::Retention(RetentionCommand::Propose)) => retention_propose(&cli.data),
        Some(Command::Stats(StatsCommand::Rebuild)) => stats_rebuild(&cli.data),
    }
}

fn stats_rebuild(data: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let r = store
        .rebuild_stats(&cli_actor())
        .map_err(|e| e.to_string())?;
    println!(
        "Statistiche ricontate da {} accessi: {} contatori.",
        r.records, r.counters
    );
    if r.differed == 0 {
        println!("Nessuna differenza con quelle tenute aggiornate.");
    } else {
        println!(
            "{} contatori differivano da quelli tenuti aggiornati e sono stati corretti.",
            r.differed
        );
    }
    Ok(())
}

fn audit_verify(data: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    match store.verify_audit().map_err(|e| e.to_string())? {
        Ok((count, head)) => {
            println!("Registro di audit integro: {count} voci (ultima: {head}).");
            Ok(())
        }
        Err(broken) => Err(format!("Registro di audit ALTERATO: {broken}.")),
    }
}

fn retention_propose(data: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let years = store.retention_years().map_err(|e| e.to_string())?;
    let due = store
        .retention_due(chrono::Utc::now(), years)
        .map_err(|e| e.to_string())?;
    let accesses: usize = due
        .iter()
        .map(|(p, _)| store.accesses_of(p.id).map(|a| a.len()).unwrap_or(0))
        .sum();
    println!(
        "Oltre il termine di {years} anni: {} persone ({} accessi). Prova senza modifiche: la proposta si approva dalla pagina Privacy.",
        due.len(),
        accesses
    );
    for (p, last) in &due {
        println!(
            "{}\t{}\t{}",
            p.code().unwrap_or("-"),
            p.display_name(),
            last.format("%Y-%m-%d")
        );
    }
    let ids: Vec<String> = due.iter().map(|(p, _)| p.id.to_string()).collect();
    store
        .audit(
            sportello::domain::audit::AuditEvent::new(
                cli_actor(),
                Action::PersonView,
                "proposta di scarto (riga di comando)",
            )
            .details(ids.join(" ")),
        )
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn audit_export(data: &Path, out: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let entries = store.audit_entries().map_err(|e| e.to_string())?;
    let text = sportello::domain::audit::copy_lines(&entries);
    std::fs::write(out, text)
        .map_err(|e| format!("Impossibile scrivere {}: {e}", out.display()))?;
    store
        .audit(sportello::domain::audit::AuditEvent::new(
            cli_actor(),
            Action::AuditExport,
            out.display().to_string(),
        ))
        .map_err(|e| e.to_string())?;
    let head = entries.last().map_or("-", |e| e.hash.as_str());
    println!(
        "Esportate {} voci in {}.\nDa annotare: {} voci, ultimo hash {head}\nPer verificare la copia: sportello audit verify --file {} --head {head}",
        entries.len(),
        out.display(),
        entries.len(),
        out.display()
    );
    Ok(())
}

/// A copy of the audit log checked against the head noted at export and, where this PC holds
/// the installation's database, entry by entry against the live log (the same use case as the
/// Privacy page, audited). With no database here (the DPO's own PC) only the chain up to the
/// noted head can be trusted, so a copy that goes on past it is refused.
fn audit_verify_file(data: &Path, file: &Path, head: Option<&str>) -> Result<(), String> {
    let bytes =
        std::fs::read(file).map_err(|e| format!("Impossibile leggere {}: {e}", file.display()))?;
    let Some(head) = head.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(
            "Indicare --head con l'ultimo hash annotato quando la copia è stata \
             esportata: senza, una copia tagliata alla fine sembrerebbe integra."
                .into(),
        );
    };
    let verified = if data.join(sportello::store::DB_FILE).exists() {
        let store = open_store(data).map_err(|e| {
            format!(
                "Il registro di questa installazione non si apre ({e}): per confrontare la copia \
                 voce per voce fermare il servizio, oppure usare la pagina Privacy → Registro di audit."
            )
        })?;
        let reference = sportello::assets::reference()?;
        let mut actor = sportello::domain::policy::Actor::command_line(
            store.instance().map_err(|e| e.to_string())?.map(|i| i.role),
        );
        actor.username = cli_actor();
        let ctx = sportello::app::Ctx::new(&store, &reference, &actor);
        let checked = sportello::app::privacy::verify_audit_copy(&ctx, &bytes, head);
        match checked {
            Ok(v) => v,
            Err(sportello::app::AppError::Invalid(invalid)) => {
                return Err(users::describe(&invalid))
            }
            Err(e) => return Err(e.to_string()),
        }
    } else {
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            "Il file non è una copia del registro (testo non leggibile).".to_string()
        })?;
        let v = sportello::domain::audit::verify_copy(text, Some(head))
            .map_err(|e| format!("Copia del registro NON valida: {e}."))?;
        if v.noted_at != Some(v.count) {
            return Err(format!(
                "Copia del registro NON verificabile oltre la voce {}: l'hash annotato è quella \
                 voce e le {} successive si possono confrontare solo con il registro, sul PC \
                 dello sportello.",
                v.noted_at.unwrap_or(0),
                v.count - v.noted_at.unwrap_or(0)
            ));
        }
        v
    };
    println!(
        "Copia del registro integra: {} voci (ultima: {}).",
        verified.count, verified.head
    );
    match verified.noted_at {
        Some(seq) if seq == verified.count => {
            println!("Arriva fino all'ultimo hash annotato: nessuna voce manca.")
        }
        Some(seq) => println!(
            "L'hash annotato è la voce {seq}; le voci più recenti della copia sono nel registro."
        ),
        None => {}
    }
    Ok(())
}
