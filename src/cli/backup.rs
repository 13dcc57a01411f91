//! `sportello backup --out FILE` and `sportello restore FILE --data DIR`.

use clap::Args;
use std::path::{Path, PathBuf};

use super::open_store;
use sportello::store::backup::{restore, Seal, Unseal};

#[derive(Args)]
pub struct BackupArgs {
    /// File to write (encrypted with age, gzip inside).
    #[arg(long)]
    out: PathBuf,
    /// Encrypt to this age public key (`age1…`) instead of the passphrase in
    /// SPORTELLO_BACKUP_PASSPHRASE.
    #[arg(long)]
    recipient: Option<String>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file.
    file: PathBuf,
    /// Age private key file (`AGE-SECRET-KEY-1…`) for backups made to a public key; otherwise the
    /// passphrase in SPORTELLO_BACKUP_PASSPHRASE is used.
    #[arg(long)]
    identity: Option<PathBuf>,
}

fn passphrase() -> Result<String, String> {
    match std::env::var("SPORTELLO_BACKUP_PASSPHRASE") {
        Ok(p) if p.chars().count() >= 12 => Ok(p),
        Ok(_) => Err("La password dei backup deve avere almeno 12 caratteri.".into()),
        Err(_) => Err(
            "Indicare la password dei backup nella variabile SPORTELLO_BACKUP_PASSPHRASE (o una chiave con --recipient / --identity)."
                .into(),
        ),
    }
}

pub fn backup(data: &Path, args: BackupArgs) -> Result<(), String> {
    let store = open_store(data)?;
    let secret;
    let seal = match &args.recipient {
        Some(r) => Seal::Recipient(r),
        None => {
            secret = passphrase()?;
            Seal::Passphrase(&secret)
        }
    };
    let header = store
        .backup_file(&args.out, &seal)
        .map_err(|e| e.to_string())?;
    // Counts as the last backup (admin page, doctor), like the nightly one; audited there.
    store
        .record_backup(
            &sportello::store::LastBackup {
                at: chrono::Utc::now(),
                ok: true,
                message: args.out.display().to_string(),
            },
            &super::cli_actor(),
        )
        .map_err(|e| e.to_string())?;
    let total: u64 = header.rows.iter().map(|(_, n)| n).sum();
    println!(
        "Backup scritto in {} ({} righe in {} tabelle, schema {}).",
        args.out.display(),
        total,
        header.rows.len(),
        header.schema_version
    );
    Ok(())
}

pub fn run_restore(data: &Path, args: RestoreArgs) -> Result<(), String> {
    let file = std::fs::File::open(&args.file)
        .map_err(|e| format!("Impossibile aprire {}: {e}", args.file.display()))?;
    let key;
    let secret;
    let unseal = match &args.identity {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("Impossibile leggere {}: {e}", path.display()))?;
            key = text
                .lines()
                .find(|l| l.trim_start().starts_with("AGE-SECRET-KEY-"))
                .ok_or("Il file indicato non contiene una chiave privata age (AGE-SECRET-KEY-…).")?
                .to_string();
            Unseal::Identity(&key)
        }
        None => {
            secret = passphrase()?;
            Unseal::Passphrase(&secret)
        }
    };
    let (header, rows, store) =
        restore(std::io::BufReader::new(file), data, &unseal).map_err(|e| e.to_string())?;
    let (entries, _) = store
        .verify_audit()
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let total: u64 = rows.iter().map(|(_, n)| n).sum();
    println!(
        "Ripristinato in {} il backup del {}: {} righe in {} tabelle; registro di audit integro ({} voci).",
        data.display(),
        header.created_at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M"),
        total,
        rows.len(),
        entries
    );
    if header.files.is_empty() {
        println!(
            "Il backup non contiene le chiavi degli scambi: rimetterle dalla copia della cartella «keys» \
             o ripetere la registrazione con l'altra parte."
        );
    } else {
        println!(
            "Ripristinate anche le chiavi e il certificato: {}.",
            header.files.join(", ")
        );
    }
    Ok(())
}
