//! `keys …`, `export`, `verify`: enrollment and bundles between desk and district.

use clap::Subcommand;
use std::path::{Path, PathBuf};

use super::{cli_actor, open_store};
use sportello::bundle;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Print this instance's fingerprint, to read over the phone at enrollment.
    Show,
    /// Write this instance's public identity (both public keys) to a file for the other side.
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace this instance's keys; the other side learns the new ones from the next bundle,
    /// signed with the old key.
    Rotate,
    /// Enroll the other side: at the district a desk's identity file (writing --reply for it);
    /// at the desk the district's reply.
    Trust {
        file: PathBuf,
        /// District only: where to write the encrypted enrollment reply for the desk.
        #[arg(long)]
        reply: Option<PathBuf>,
    },
}

pub fn keys(data: &Path, cmd: KeysCommand) -> Result<(), String> {
    let store = open_store(data)?;
    match cmd {
        KeysCommand::Show => {
            let id = bundle::own_identity(&store, data).map_err(|e| e.to_string())?;
            println!(
                "Installazione {} ({}), impronta delle chiavi:",
                id.comune_name, id.role
            );
            println!("{}", id.fingerprint());
        }
        KeysCommand::Rotate => {
            let id = bundle::rotate_keys(&store, data, &cli_actor()).map_err(|e| e.to_string())?;
            println!(
                "Chiavi sostituite. Nuova impronta: {}. Il prossimo pacchetto, firmato con la chiave precedente, \
                 la comunica all'altra parte.",
                id.fingerprint()
            );
        }
        KeysCommand::Export { out } => {
            let id = bundle::own_identity(&store, data).map_err(|e| e.to_string())?;
            let text = serde_json::to_string_pretty(&id).map_err(|e| e.to_string())?;
            std::fs::write(&out, text)
                .map_err(|e| format!("Impossibile scrivere {}: {e}", out.display()))?;
            println!(
                "Identità pubblica scritta in {}. Impronta: {}",
                out.display(),
                id.fingerprint()
            );
        }
        KeysCommand::Trust { file, reply } => match reply {
            Some(reply_path) => {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("Impossibile leggere {}: {e}", file.display()))?;
                let (desk, sealed) = bundle::trust_desk(&store, data, &text, &cli_actor())
                    .map_err(|e| e.to_string())?;
                std::fs::write(&reply_path, sealed)
                    .map_err(|e| format!("Impossibile scrivere {}: {e}", reply_path.display()))?;
                println!(
                    "Sportello di {} registrato (impronta {}: confrontarla a voce). Risposta per lo sportello in {}.",
                    desk.comune_name,
                    desk.fingerprint(),
                    reply_path.display()
                );
            }
            None => {
                let f = std::fs::File::open(&file)
                    .map_err(|e| format!("Impossibile aprire {}: {e}", file.display()))?;
                let district = bundle::trust_reply(&store, data, f, &cli_actor())
                    .map_err(|e| e.to_string())?;
                println!(
                    "Ufficio d'Ambito {} registrato (impronta {}: confrontarla a voce).",
                    district.ambito_name,
                    district.fingerprint()
                );
            }
        },
    }
    Ok(())
}

/// `to`: at the district, the ISTAT code of the comune whose desk gets the return bundle.
pub fn export(data: &Path, out: &Path, to: Option<&str>) -> Result<(), String> {
    let store = open_store(data)?;
    // Written whole before the sequence moves on.
    let deliver = |_: &bundle::Exported, file: &Path| bundle::place_file(file, out);
    let result = match to {
        None => bundle::export_desk(&store, data, deliver, &cli_actor()),
        Some(istat) => sportello::assets::reference()
            .map_err(bundle::BundleError::Refused)
            .and_then(|reference| {
                bundle::export_return(&store, data, &reference, istat, deliver, &cli_actor())
            }),
    };
    let e = result.map_err(|e| e.to_string())?;
    if to.is_some() {
        println!(
            "Pacchetto di ritorno {} scritto in {}: {} risposte agli invii e l'elenco dei servizi.",
            e.sequence,
            out.display(),
            e.referrals
        );
    } else {
        println!(
            "Pacchetto {} scritto in {}: {} accessi, {} invii, {} anonimizzazioni.",
            e.sequence,
            out.display(),
            e.accesses,
            e.referrals,
            e.anonymizations
        );
    }
    Ok(())
}

pub fn verify(data: &Path, file: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let f = std::fs::File::open(file)
        .map_err(|e| format!("Impossibile aprire {}: {e}", file.display()))?;
    let (info, bag, peer) = bundle::verify(&store, data, f, &cli_actor())
        .map_err(|e| format!("Pacchetto rifiutato: {e}"))?;
    println!(
        "Pacchetto valido, firmato da {} ({}).",
        peer.identity.comune_name,
        peer.identity.fingerprint()
    );
    for (k, v) in &info {
        println!("{k}: {v}");
    }
    for (name, lines) in bag.payload_lines().map_err(|e| e.to_string())? {
        println!("{name}: {lines} righe");
    }
    Ok(())
}

pub fn import(data: &Path, file: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let f = std::fs::File::open(file)
        .map_err(|e| format!("Impossibile aprire {}: {e}", file.display()))?;
    let reference = sportello::assets::reference()?;
    match bundle::import(&store, data, &reference, f, &cli_actor()) {
        Ok(bundle::ImportOutcome::Applied(r)) => {
            println!("{}", r.applied_message());
            Ok(())
        }
        Ok(bundle::ImportOutcome::AlreadyApplied(r)) => {
            println!(
                "Pacchetto {} di {} già applicato il {}: nessuna modifica.",
                r.sequence,
                r.comune_name,
                r.at.format("%d/%m/%Y %H:%M")
            );
            Ok(())
        }
        Err(e) => Err(format!("Pacchetto rifiutato, nessuna modifica: {e}")),
    }
}
