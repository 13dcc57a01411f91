//! The only code that touches actix-web: routes, middleware, handlers, views.

pub mod accesses;
mod admin;
mod agenda;
pub mod api;
mod audit_wait;
mod auth;
mod corrections;
pub mod csrf;
mod denials;
mod district;
pub mod documents;
mod drafts;
mod error;
mod exchange;
mod forms;
mod home;
mod merges;
pub mod persons;
pub mod privacy;
mod referrals;
mod respond;
pub mod routes;
pub mod security;
mod services;
pub mod session;
mod setup;
mod state;
mod static_files;
mod statistics;
pub mod views;

pub use error::{ApiError, PageError};
pub use routes::{Gate, RouteInfo};
pub use state::AppState;

use routes::Routes;

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Logger};
use actix_web::ResponseError;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::Arc;

use crate::domain::reference::Reference;
use crate::store::Store;

/// Every area's routes, in matching order (a fixed path before a `{id}` of the same shape).
fn every_area(r: &mut Routes) {
    api::configure(r);
    static_files::configure(r);
    setup::configure(r);
    auth::configure(r);
    drafts::configure(r);
    home::configure(r);
    persons::configure(r);
    merges::configure(r);
    accesses::configure(r);
    corrections::configure(r);
    services::configure(r);
    referrals::configure(r);
    privacy::configure(r);
    exchange::configure(r);
    district::configure(r);
    agenda::configure(r);
    statistics::configure(r);
    admin::configure(r);
    api::persons::configure(r);
    api::merges::configure(r);
    api::accesses::configure(r);
    api::agenda::configure(r);
    api::corrections::configure(r);
    api::orientation::configure(r);
    api::orientation_access::configure(r);
    api::privacy::configure(r);
    api::statistics::configure(r);
    api::documents::configure(r);
}

/// Every route of the application, registered on the server.
pub fn routes(cfg: &mut web::ServiceConfig) {
    every_area(&mut Routes::registering(cfg));
}

/// Every route with its method and gate, as registered (for the access-matrix test).
pub fn route_table() -> Vec<RouteInfo> {
    let mut r = Routes::listing();
    every_area(&mut r);
    r.into_table()
}

pub(crate) fn is_api(req: &HttpRequest) -> bool {
    req.path().starts_with("/api/")
}

/// Bad path parameters (e.g. a malformed id) are "not found", in the caller's language.
fn path_error(_: actix_web::error::PathError, req: &HttpRequest) -> actix_web::Error {
    if is_api(req) {
        ApiError::not_found().into()
    } else {
        PageError::NotFound.into()
    }
}

fn query_error(_: actix_web::error::QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    if is_api(req) {
        ApiError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "bad_query",
            "Parametri della richiesta non validi.",
        )
        .into()
    } else {
        PageError::BadRequest.into()
    }
}

/// A JSON body that cannot be used: too large (413), a field the endpoint does not know or a value
/// (422 naming it), or not readable as this endpoint's JSON (400).
fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    match err {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "I dati inviati sono troppo grandi.",
        )
        .into(),
        E::Deserialize(e) if unknown_field(&e.to_string()).is_some() => {
            let field = unknown_field(&e.to_string());
            let message = format!(
                "Campo sconosciuto: «{}».",
                field.as_deref().unwrap_or_default()
            );
            let mut api = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown_field", message);
            api.field = field;
            api.into()
        }
        E::Deserialize(e) => {
            let (message, field) = json_problem(&e);
            let mut api = ApiError::new(StatusCode::BAD_REQUEST, "bad_json", message);
            api.field = field;
            api.into()
        }
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Il corpo deve essere JSON (Content-Type: application/json).",
        )
        .into(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "Corpo JSON non leggibile.",
        )
        .into(),
    }
}

/// serde's English explanation, said in Italian: where, and which field when serde names one.
fn json_problem(e: &serde_json::Error) -> (String, Option<String>) {
    use serde_json::error::Category;
    let at = format!("riga {}, colonna {}", e.line(), e.column());
    let text = e.to_string();
    let named = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string)
    };
    match e.classify() {
        Category::Eof => ("Corpo JSON incompleto.".into(), None),
        Category::Syntax | Category::Io => (format!("Corpo JSON non leggibile ({at})."), None),
        Category::Data => match named("missing field `") {
            Some(field) => (format!("Manca il campo «{field}»."), Some(field)),
            None => (format!("Un valore non è del tipo atteso ({at})."), None),
        },
    }
}

/// The field serde names in "unknown field `x`, expected …".
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next().map(str::to_string)
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if is_api(&req) {
        Err(ApiError::not_found().into())
    } else {
        Err(PageError::NotFound.into())
    }
}

/// Error responses made by actix itself (wrong method, oversized body, …) are plain English
/// text or empty: give them the same Italian page or JSON shape as ours.
fn italian_errors<B: 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("text/html") || ct.starts_with("application/json") {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => (
            "bad_request",
            "Richiesta non valida: i dati inviati non sono leggibili.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Operazione non consentita su questo indirizzo.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("payload_too_large", "I dati inviati sono troppo grandi.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Formato dei dati inviati non supportato.",
        ),
        s if s.is_server_error() => ("internal", "Errore interno del programma."),
        _ => ("error", "Richiesta non eseguita."),
    };
    let response = if is_api(&req) {
        ApiError::new(status, code, message).error_response()
    } else {
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(
                views::errors::page(None, status.as_u16(), "Richiesta non eseguita", message)
                    .into_string(),
            )
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body::<B>(),
    ))
}

/// Serves the application on `bind` until SIGINT/SIGTERM (or Ctrl-C), or a message on `stop`
/// (`true`: let requests in progress finish; `false`: stop now, e.g. Windows is shutting down).
pub async fn serve(
    store: Arc<Store>,
    reference: Arc<Reference>,
    bind: &str,
    tls: Option<crate::tls::Loaded>,
    stop: Option<std::sync::mpsc::Receiver<bool>>,
) -> std::io::Result<()> {
    let (tls_config, cert) = match tls {
        Some(loaded) => (Some(loaded.config), Some(loaded.info)),
        None => (None, None),
    };
    let state =
        web::Data::new(AppState::new(store, reference, cert).map_err(std::io::Error::other)?);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::default().limit(256 * 1024))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(
                web::JsonConfig::default()
                    .limit(256 * 1024)
                    .error_handler(json_error),
            )
            .wrap(from_fn(csrf::guard))
            .wrap(from_fn(error::named_error_pages))
            .wrap(from_fn(denials::audit))
            .wrap(ErrorHandlers::new().default_handler(italian_errors))
            .wrap(security::headers())
            // The path only: query strings could carry search terms about people.
            .wrap(
                Logger::new("%a %{METHOD}xi %U %s %Dms")
                    .custom_request_replace("METHOD", |req| req.method().to_string()),
            )
            .configure(routes)
            .default_service(web::to(not_found))
    })
    .shutdown_timeout(10);
    let (server, scheme) = match tls_config {
        Some(config) => (server.bind_rustls_0_23(bind, config)?, "https"),
        None => (server.bind(bind)?, "http"),
    };
    let server = server.run();
    if let Some(stop) = stop {
        // Another part of the program (the Windows service control) asks to stop. The command is
        // sent when `stop` is called; its future only waits.
        let handle = server.handle();
        std::thread::spawn(move || {
            if let Ok(graceful) = stop.recv() {
                drop(handle.stop(graceful));
            }
        });
    }
    tracing::info!("Sportello in ascolto su {scheme}://{bind}");
    server.await
}
