//! `sportello directory demo|import FILE|export --out FILE`: the service directory as HSDS JSON.

use clap::Subcommand;
use sportello::domain::audit::Action;
use std::path::{Path, PathBuf};

use super::{cli_actor, open_store};
use sportello::domain::hsds;

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Load the example directory (fictional services of the demo Ambito BA05).
    Demo,
    /// Import an HSDS 3.0 JSON directory: every record is checked; nothing changes if one is bad.
    Import { file: PathBuf },
    /// Export the directory as HSDS 3.0 JSON.
    Export {
        #[arg(long)]
        out: PathBuf,
        /// For publishing: leave out confidential locations (their addresses stay on this PC and
        /// with the district).
        #[arg(long)]
        public: bool,
    },
}

fn load(data: &Path, doc: &serde_json::Value, source: &str) -> Result<(), String> {
    let store = open_store(data)?;
    if store.instance().map_err(|e| e.to_string())?.is_none() {
        return Err(
            "Installazione non ancora configurata: eseguire prima `sportello init`.".into(),
        );
    }
    let reference = sportello::assets::reference()?;
    let dir = hsds::import(doc, &reference.vocab).map_err(|errors| {
        format!(
            "Elenco non importato ({} problemi, nessuna modifica fatta):\n  {}",
            errors.len(),
            errors.join("\n  ")
        )
    })?;
    store
        .import_directory(&dir, &cli_actor(), source)
        .map_err(|e| e.to_string())?;
    println!(
        "Importati {} enti e {} servizi{}.",
        dir.organizations.len(),
        dir.services.len(),
        if dir.example {
            " (dati di esempio)"
        } else {
            ""
        }
    );
    Ok(())
}

pub fn run(data: &Path, cmd: DirectoryCommand) -> Result<(), String> {
    match cmd {
        DirectoryCommand::Demo => load(
            data,
            &sportello::assets::demo_directory()?,
            "elenco di esempio",
        ),
        DirectoryCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("Impossibile leggere {}: {e}", file.display()))?;
            let doc: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} non è un JSON valido: {e}", file.display()))?;
            load(data, &doc, &file.display().to_string())
        }
        DirectoryCommand::Export { out, public } => {
            let store = open_store(data)?;
            let reference = sportello::assets::reference()?;
            let dir = store.directory().map_err(|e| e.to_string())?;
            let dir = if public { dir.public() } else { dir };
            let doc = hsds::export(&dir, &reference.vocab, &reference.comuni);
            let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
            std::fs::write(&out, text)
                .map_err(|e| format!("Impossibile scrivere {}: {e}", out.display()))?;
            store
                .audit(sportello::domain::audit::AuditEvent::new(
                    cli_actor(),
                    Action::DirectoryExport,
                    out.display().to_string(),
                ))
                .map_err(|e| e.to_string())?;
            println!(
                "Esportati {} enti e {} servizi in {}.",
                dir.organizations.len(),
                dir.services.len(),
                out.display()
            );
            Ok(())
        }
    }
}
