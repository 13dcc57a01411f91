//! Scambi: this instance's fingerprint, enrollment of the other side, bundles out (kept on disk so
//! a lost download can be fetched again) and bundles in, all from the browser.

use crate::web::routes::{Gate, Routes};
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use std::path::{Path, PathBuf};

use super::error::PageError;
use super::forms::Fields;
use super::respond::html;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::exchange::{ExchangeView, Outcome};
use super::views::layout::Chrome;
use crate::app::AppError;
use crate::bundle::{self, BundleError, ImportOutcome};
use crate::domain::instance::InstanceRole;

/// Larger uploads cannot be bundles or identities made by Sportello.
const MAX_UPLOAD: usize = 64 * 1024 * 1024;

fn require_exchange(auth: &Auth) -> Result<(), PageError> {
    crate::domain::policy::exchange(&auth.actor).map_err(|d| AppError::Denied(d).into())
}

fn data_dir(state: &AppState) -> PathBuf {
    state
        .store
        .path()
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Outgoing files (bundles and enrollment replies), newest first.
fn sent_dir(state: &AppState) -> PathBuf {
    data_dir(state).join("bundles").join("sent")
}

fn sent_files(state: &AppState) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sent_dir(state))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| valid_name(n))
                .collect()
        })
        .unwrap_or_default();
    names.sort_by(|a, b| b.cmp(a));
    names
}

/// Only names this module writes: no separators, no dots but the extension.
fn valid_name(n: &str) -> bool {
    n.len() < 100
        && n.ends_with(".age")
        && n[..n.len() - 4]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn render(
    auth: &Auth,
    state: &AppState,
    outcome: Option<Outcome>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let identity = bundle::own_identity(&state.store, &data_dir(state))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let peers = bundle::peers(&state.store).map_err(|e| PageError::Internal(e.to_string()))?;
    let imports = state.store.imports()?;
    let chrome = Chrome::for_user(auth, Some(&instance), "/scambi");
    let view = ExchangeView {
        district: instance.role == InstanceRole::District,
        fingerprint: identity.fingerprint(),
        peers: &peers,
        imports: &imports,
        sent: &sent_files(state),
    };
    Ok(html(
        status,
        views::exchange::page(&chrome, &view, outcome.as_ref()),
    ))
}

/// The page after an action: 422 when it was refused, with the reason next to its field.
fn render_outcome(
    auth: &Auth,
    state: &AppState,
    outcome: Outcome,
) -> Result<HttpResponse, PageError> {
    let status = match outcome {
        Outcome::Error { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    render(auth, state, Some(outcome), status)
}

pub async fn page(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    render(&auth, &state, None, StatusCode::OK)
}

/// The identity file, for the other side.
pub async fn identity(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    let id = bundle::own_identity(&state.store, &data_dir(&state))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let body = serde_json::to_vec_pretty(&id).map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"sportello-{}-{}.pub.json\"",
                id.role, id.comune_istat
            ),
        ))
        .body(body))
}

/// Writes an outgoing file atomically under `bundles/sent`.
fn keep(state: &AppState, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let dir = sent_dir(state);
    crate::store::create_private_dir(&dir)
        .map_err(|e| BundleError::Io(format!("{}: {e}", dir.display())))?;
    bundle::write_atomically(&dir.join(name), bytes)
}

/// Desk: the bundle for the district. District: with `to`, the return bundle for that comune.
pub async fn export(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    let data = data_dir(&state);
    let to = form.get("to").trim().to_string();
    let who = if to.is_empty() {
        "ambito".to_string()
    } else {
        to.clone()
    };
    let mut written = String::new();
    let deliver = |e: &bundle::Exported, bytes: &[u8]| {
        written = format!("pacchetto-{who}-{:05}.age", e.sequence);
        keep(&state, &written, bytes)
    };
    let result = if to.is_empty() {
        bundle::export_desk(&state.store, &data, deliver, &auth.user.username)
    } else {
        bundle::export_return(
            &state.store,
            &data,
            &state.reference,
            &to,
            deliver,
            &auth.user.username,
        )
    };
    let outcome = match result {
        Ok(e) => Outcome::Exported {
            name: written,
            sequence: e.sequence,
            accesses: e.accesses,
            referrals: e.referrals,
        },
        Err(BundleError::Store(e)) => return Err(e.into()),
        Err(e) => Outcome::Error {
            field: "to",
            message: e.to_string(),
        },
    };
    render_outcome(&auth, &state, outcome)
}

pub async fn download(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    let name = path.into_inner();
    if !valid_name(&name) {
        return Err(PageError::NotFound);
    }
    let bytes = std::fs::read(sent_dir(&state).join(&name)).map_err(|_| PageError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// The one file of a multipart upload (field `file`), with a size limit.
async fn upload(mut payload: Multipart) -> Result<Option<Vec<u8>>, String> {
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|e| format!("invio del file non riuscito: {e}"))?;
        if field.name() != Some("file") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| format!("invio del file non riuscito: {e}"))?;
            if bytes.len() + chunk.len() > MAX_UPLOAD {
                return Err("file troppo grande: non è un pacchetto di Sportello".into());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok((!bytes.is_empty()).then_some(bytes));
    }
    Ok(None)
}

/// Applies a bundle from the other side.
pub async fn import(
    auth: Auth,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    let outcome = match upload(payload).await {
        Err(message) => Outcome::Error {
            field: "file",
            message,
        },
        Ok(None) => Outcome::Error {
            field: "file",
            message: "Scegliere il file del pacchetto.".into(),
        },
        Ok(Some(bytes)) => match bundle::import(
            &state.store,
            &data_dir(&state),
            &state.reference,
            bytes.as_slice(),
            &auth.user.username,
        ) {
            Ok(ImportOutcome::Applied(r)) => Outcome::Imported {
                record: r,
                again: false,
            },
            Ok(ImportOutcome::AlreadyApplied(r)) => Outcome::Imported {
                record: r,
                again: true,
            },
            Err(BundleError::Store(e)) => return Err(e.into()),
            Err(e) => Outcome::Error {
                field: "file",
                message: format!("Pacchetto rifiutato, nessuna modifica: {e}"),
            },
        },
    };
    render_outcome(&auth, &state, outcome)
}

/// Enrollment: at the district a desk's identity file (the reply is kept for download), at the
/// desk the district's reply.
pub async fn enroll(
    auth: Auth,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    require_exchange(&auth)?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let data = data_dir(&state);
    let outcome = match upload(payload).await {
        Err(message) => Outcome::Error {
            field: "identity",
            message,
        },
        Ok(None) => Outcome::Error {
            field: "identity",
            message: "Scegliere il file ricevuto.".into(),
        },
        Ok(Some(bytes)) => {
            let result = match instance.role {
                InstanceRole::District => match std::str::from_utf8(&bytes) {
                    Err(_) => Err(BundleError::Format(
                        "il file non è un'identità di Sportello".into(),
                    )),
                    Ok(text) => bundle::trust_desk(&state.store, &data, text, &auth.user.username)
                        .and_then(|(desk, reply)| {
                            let name = format!("registrazione-{}.age", desk.comune_istat);
                            keep(&state, &name, &reply)
                                .map_err(|e| BundleError::Io(format!("{e:?}")))?;
                            Ok((desk, Some(name)))
                        }),
                },
                InstanceRole::Desk => {
                    bundle::trust_reply(&state.store, &data, bytes.as_slice(), &auth.user.username)
                        .map(|district| (district, None))
                }
            };
            match result {
                Ok((peer, reply)) => Outcome::Enrolled {
                    name: peer.comune_name.clone(),
                    ambito: peer.ambito_name.clone(),
                    fingerprint: peer.fingerprint(),
                    reply,
                },
                Err(BundleError::Store(e)) => return Err(e.into()),
                Err(e) => Outcome::Error {
                    field: "identity",
                    message: e.to_string(),
                },
            }
        }
    };
    render_outcome(&auth, &state, outcome)
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/scambi", Gate::Exchange, page);
    r.get("/scambi/identita", Gate::Exchange, identity);
    r.post("/scambi/esporta", Gate::Exchange, export);
    r.get("/scambi/inviati/{name}", Gate::Exchange, download);
    r.post("/scambi/importa", Gate::Exchange, import);
    r.post("/scambi/registra", Gate::Exchange, enroll);
}
