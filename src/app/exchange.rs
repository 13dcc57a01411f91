//! Scambi: this installation's identity, enrollment of the other side, bundles out (kept under
//! `bundles/sent` so a lost download can be fetched again) and bundles in. For the responsabile
//! and the administrator; the file's problems are answered next to its field.

use std::path::{Path, PathBuf};

use super::{AppError, Ctx};
use crate::bundle::keys::PublicIdentity;
use crate::bundle::{self, BundleError, Exported, ImportOutcome, Peer};
use crate::domain::district::ImportRecord;
use crate::domain::instance::InstanceRole;
use crate::domain::policy;
use crate::domain::Invalid;
use crate::store::Store;

fn data_dir(store: &Store) -> PathBuf {
    store
        .path()
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Outgoing files (bundles and enrollment replies).
fn sent_dir(store: &Store) -> PathBuf {
    data_dir(store).join("bundles").join("sent")
}

/// Only names this module writes: no separators, no dots but the extension.
fn valid_name(n: &str) -> bool {
    n.len() < 100
        && n.ends_with(".age")
        && n[..n.len() - 4]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A refusal about the file the user gave, next to `field`; a storage failure stays one.
fn refused(field: &'static str, prefix: &str, e: BundleError) -> AppError {
    match e {
        BundleError::Store(e) => AppError::Store(e),
        other => AppError::Invalid(Invalid::one(field, format!("{prefix}{other}"))),
    }
}

fn internal(e: BundleError) -> AppError {
    match e {
        BundleError::Store(e) => AppError::Store(e),
        other => AppError::Internal(other.to_string()),
    }
}

/// The Scambi page.
pub struct Overview {
    pub district: bool,
    pub fingerprint: String,
    pub peers: Vec<Peer>,
    pub imports: Vec<ImportRecord>,
    /// Files kept under `bundles/sent`, newest first.
    pub sent: Vec<String>,
}

pub fn overview(ctx: &Ctx) -> Result<Overview, AppError> {
    policy::exchange(ctx.actor)?;
    let instance = ctx
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let identity = bundle::own_identity(ctx.store, &data_dir(ctx.store)).map_err(internal)?;
    let mut sent: Vec<String> = std::fs::read_dir(sent_dir(ctx.store))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| valid_name(n))
                .collect()
        })
        .unwrap_or_default();
    sent.sort_by(|a, b| b.cmp(a));
    let mut imports = ctx.store.imports()?;
    super::names::Names::load(ctx.store)?.name_imports(&mut imports);
    Ok(Overview {
        district: instance.role == InstanceRole::District,
        fingerprint: identity.fingerprint(),
        peers: bundle::peers(ctx.store).map_err(internal)?,
        imports,
        sent,
    })
}

/// This installation's public identity, for the other side.
pub fn identity(ctx: &Ctx) -> Result<PublicIdentity, AppError> {
    policy::exchange(ctx.actor)?;
    bundle::own_identity(ctx.store, &data_dir(ctx.store)).map_err(internal)
}

/// The folder of outgoing files, `bundles/sent`.
fn sent_folder(store: &Store) -> Result<PathBuf, BundleError> {
    let dir = sent_dir(store);
    crate::store::create_private_dir(&dir)
        .map_err(|e| BundleError::Io(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

/// Writes an outgoing file atomically under `bundles/sent`.
fn keep(store: &Store, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    bundle::write_atomically(&sent_folder(store)?.join(name), bytes)
}

/// Desk: the bundle for the district. District: with `to` (ISTAT code), the return bundle for
/// that comune. Returns the kept file's name with what it carries.
pub fn export(ctx: &Ctx, to: &str) -> Result<(String, Exported), AppError> {
    policy::exchange(ctx.actor)?;
    let data = data_dir(ctx.store);
    let to = to.trim();
    let who = if to.is_empty() { "ambito" } else { to };
    let mut written = String::new();
    let deliver = |e: &Exported, file: &Path| {
        written = format!("pacchetto-{who}-{:05}.age", e.sequence);
        bundle::place_file(file, &sent_folder(ctx.store)?.join(&written))
    };
    let result = if to.is_empty() {
        bundle::export_desk(ctx.store, &data, deliver, &ctx.actor.username)
    } else {
        bundle::export_return(
            ctx.store,
            &data,
            ctx.reference,
            to,
            deliver,
            &ctx.actor.username,
        )
    };
    let exported = result.map_err(|e| refused("to", "", e))?;
    Ok((written, exported))
}

/// A file kept under `bundles/sent`.
pub fn sent_file(ctx: &Ctx, name: &str) -> Result<Vec<u8>, AppError> {
    policy::exchange(ctx.actor)?;
    if !valid_name(name) {
        return Err(AppError::NotFound("File"));
    }
    std::fs::read(sent_dir(ctx.store).join(name)).map_err(|_| AppError::NotFound("File"))
}

/// Applies a bundle from the other side (a refusal changes nothing but its audit entry).
pub fn import(ctx: &Ctx, bytes: &[u8]) -> Result<ImportOutcome, AppError> {
    policy::exchange(ctx.actor)?;
    bundle::import(
        ctx.store,
        &data_dir(ctx.store),
        ctx.reference,
        bytes,
        &ctx.actor.username,
    )
    .map_err(|e| refused("file", "Pacchetto rifiutato, nessuna modifica: ", e))
}

/// Who was enrolled; at the district, the reply kept for the desk to download.
pub struct Enrolled {
    pub name: String,
    pub ambito: String,
    pub fingerprint: String,
    pub reply: Option<String>,
}

/// Enrollment: at the district a desk's identity file (the reply is kept for download), at the
/// desk the district's reply.
pub fn enroll(ctx: &Ctx, bytes: &[u8]) -> Result<Enrolled, AppError> {
    policy::exchange(ctx.actor)?;
    let instance = ctx
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let data = data_dir(ctx.store);
    let result = match instance.role {
        InstanceRole::District => match std::str::from_utf8(bytes) {
            Err(_) => Err(BundleError::Format(
                "il file non è un'identità di Sportello".into(),
            )),
            Ok(text) => bundle::trust_desk(ctx.store, &data, text, &ctx.actor.username).and_then(
                |(desk, reply)| {
                    let name = format!("registrazione-{}.age", desk.comune_istat);
                    keep(ctx.store, &name, &reply)?;
                    Ok((desk, Some(name)))
                },
            ),
        },
        InstanceRole::Desk => bundle::trust_reply(ctx.store, &data, bytes, &ctx.actor.username)
            .map(|district| (district, None)),
    };
    let (peer, reply) = result.map_err(|e| refused("identity", "", e))?;
    Ok(Enrolled {
        name: peer.comune_name.clone(),
        ambito: peer.ambito_name.clone(),
        fingerprint: peer.fingerprint(),
        reply,
    })
}
