//! Scambi: this instance's fingerprint, enrollment of the other side, bundles out (kept on disk so
//! a lost download can be fetched again) and bundles in, all from the browser.

use crate::web::routes::{Gate, Routes};
use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::error::PageError;
use super::forms::Fields;
use super::respond::html;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::exchange::{ExchangeView, Outcome};
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::bundle::ImportOutcome;

/// Larger uploads cannot be bundles or identities made by Sportello.
const MAX_UPLOAD: usize = 64 * 1024 * 1024;

fn render(
    auth: &Auth,
    state: &AppState,
    outcome: Option<Outcome>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let o = app::exchange::overview(&auth.ctx(state))?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(auth, Some(&instance), "/scambi");
    let view = ExchangeView {
        district: o.district,
        fingerprint: o.fingerprint,
        peers: &o.peers,
        imports: &o.imports,
        sent: &o.sent,
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

/// A refusal of the use case shown next to its field; other errors are the error page.
fn outcome_of<T>(
    result: Result<T, AppError>,
    ok: impl FnOnce(T) -> Outcome,
) -> Result<Outcome, PageError> {
    match result {
        Ok(v) => Ok(ok(v)),
        Err(AppError::Invalid(invalid)) => {
            let e = invalid.0.into_iter().next();
            Ok(Outcome::Error {
                field: e.as_ref().map_or("file", |e| e.field),
                message: e.map(|e| e.message).unwrap_or_default(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn page(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    render(&auth, &state, None, StatusCode::OK)
}

/// The identity file, for the other side.
pub async fn identity(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let id = app::exchange::identity(&auth.ctx(&state))?;
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

/// Desk: the bundle for the district. District: with `to`, the return bundle for that comune.
pub async fn export(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let result = app::exchange::export(&auth.ctx(&state), form.get("to"));
    let outcome = outcome_of(result, |(name, e)| Outcome::Exported {
        name,
        sequence: e.sequence,
        accesses: e.accesses,
        referrals: e.referrals,
    })?;
    render_outcome(&auth, &state, outcome)
}

pub async fn download(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let name = path.into_inner();
    let bytes = app::exchange::sent_file(&auth.ctx(&state), &name)?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// The one file of a multipart upload (field `file`), with a size limit.
async fn upload(payload: Multipart) -> Result<Option<Vec<u8>>, String> {
    super::forms::upload(
        payload,
        MAX_UPLOAD,
        "file troppo grande: non è un pacchetto di Sportello",
    )
    .await
    .map(|u| u.file)
}

/// Applies a bundle from the other side.
pub async fn import(
    auth: Auth,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let outcome = match upload(payload).await {
        Err(message) => Outcome::Error {
            field: "file",
            message,
        },
        Ok(None) => Outcome::Error {
            field: "file",
            message: "Scegliere il file del pacchetto.".into(),
        },
        Ok(Some(bytes)) => outcome_of(
            app::exchange::import(&auth.ctx(&state), &bytes),
            |o| match o {
                ImportOutcome::Applied(record) => Outcome::Imported {
                    record,
                    again: false,
                },
                ImportOutcome::AlreadyApplied(record) => Outcome::Imported {
                    record,
                    again: true,
                },
            },
        )?,
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
    let outcome = match upload(payload).await {
        Err(message) => Outcome::Error {
            field: "identity",
            message,
        },
        Ok(None) => Outcome::Error {
            field: "identity",
            message: "Scegliere il file ricevuto.".into(),
        },
        Ok(Some(bytes)) => outcome_of(app::exchange::enroll(&auth.ctx(&state), &bytes), |e| {
            Outcome::Enrolled {
                name: e.name,
                ambito: e.ambito,
                fingerprint: e.fingerprint,
                reply: e.reply,
            }
        })?,
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
