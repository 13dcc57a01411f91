//! The only code that touches actix-web: routes, middleware, handlers, views.

pub mod accesses;
mod admin;
mod agenda;
pub mod api;
mod auth;
pub mod csrf;
mod denials;
mod district;
pub mod documents;
mod error;
mod exchange;
mod forms;
mod home;
pub mod persons;
pub mod privacy;
mod referrals;
mod respond;
pub mod security;
mod services;
pub mod session;
mod setup;
mod state;
mod static_files;
mod statistics;
pub mod views;

pub use error::{ApiError, PageError};
pub use state::AppState;

use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers, Logger};
use actix_web::ResponseError;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::Arc;

use crate::domain::reference::Reference;
use crate::store::Store;

/// Every route of the application.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(api::healthz))
        .route("/assets/{path:.*}", web::get().to(static_files::serve))
        .route("/setup", web::get().to(setup::setup_page))
        .route("/setup", web::post().to(setup::setup_submit))
        .route("/login", web::get().to(auth::login_page))
        .route("/login", web::post().to(auth::login_submit))
        .route("/logout", web::post().to(auth::logout))
        .route("/password", web::get().to(auth::password_page))
        .route("/password", web::post().to(auth::password_submit))
        .route("/", web::get().to(home::home))
        .route("/avvisi/{id}/visto", web::post().to(home::acknowledge))
        .route("/persone", web::get().to(persons::search))
        .route("/persone/nuova", web::get().to(persons::new_form))
        .route("/persone/nuova", web::post().to(persons::create))
        .route("/persone/{id}", web::get().to(persons::view))
        .route("/persone/{id}/modifica", web::get().to(persons::edit_form))
        .route("/persone/{id}/modifica", web::post().to(persons::update))
        .route("/accessi/nuovo", web::get().to(accesses::new_form))
        .route("/accessi/nuovo", web::post().to(accesses::create))
        .route("/accessi/rapido", web::get().to(accesses::quick_form))
        .route("/accessi/rapido", web::post().to(accesses::quick_create))
        .route("/accessi/{id}", web::get().to(accesses::view))
        .route(
            "/accessi/{id}/note-riservate",
            web::get().to(accesses::reserved_notes),
        )
        .route(
            "/accessi/{id}/promemoria.pdf",
            web::get().to(accesses::promemoria),
        )
        .route(
            "/accessi/{id}/servizi",
            web::post().to(accesses::add_service),
        )
        .route(
            "/accessi/{id}/servizi/{service}/rimuovi",
            web::post().to(accesses::remove_service),
        )
        .route(
            "/accessi/{id}/non-soddisfatto",
            web::post().to(accesses::mark_unmet),
        )
        .route(
            "/accessi/{id}/orientamento.pdf",
            web::get().to(accesses::orientation_pdf),
        )
        .route("/servizi", web::get().to(services::list))
        .route("/servizi/esempio", web::post().to(services::load_example))
        .route("/servizi/nuovo", web::get().to(services::new_form))
        .route("/servizi/nuovo", web::post().to(services::create))
        .route(
            "/servizi/enti/nuovo",
            web::get().to(services::new_organization_form),
        )
        .route(
            "/servizi/enti/nuovo",
            web::post().to(services::create_organization),
        )
        .route("/servizi/{id}/modifica", web::get().to(services::edit_form))
        .route("/servizi/{id}/modifica", web::post().to(services::update))
        .route(
            "/servizi/{id}/verificato",
            web::post().to(services::mark_verified),
        )
        .route(
            "/servizi/bisogni-non-soddisfatti",
            web::get().to(services::unmet),
        )
        .route("/servizi/{id}", web::get().to(services::detail))
        .route("/invii", web::get().to(referrals::list))
        .route("/invii/nuovo", web::get().to(referrals::new_form))
        .route("/invii/nuovo", web::post().to(referrals::create))
        .route("/invii/{id}", web::get().to(referrals::detail))
        .route(
            "/invii/{id}/stato",
            web::post().to(referrals::change_status),
        )
        .route("/invii/{id}/scheda.pdf", web::get().to(referrals::letter))
        .route(
            "/persone/{id}/informativa",
            web::post().to(referrals::privacy_notice),
        )
        .route(
            "/persone/{id}/informativa.pdf",
            web::get().to(privacy::notice_pdf),
        )
        .route("/persone/{id}/consensi", web::post().to(privacy::consent))
        .route(
            "/persone/{id}/limitazione",
            web::post().to(privacy::restrict),
        )
        .route(
            "/persone/{id}/limitazione/rimuovi",
            web::post().to(privacy::lift_restriction),
        )
        .route("/persone/{id}/rapporto.pdf", web::get().to(privacy::report))
        .route("/privacy", web::get().to(privacy::page))
        .route("/privacy/informativa", web::post().to(privacy::save_notice))
        .route("/privacy/audit", web::get().to(privacy::audit))
        .route("/privacy/audit.csv", web::get().to(privacy::audit_csv))
        .route("/privacy/conservazione", web::get().to(privacy::retention))
        .route(
            "/privacy/registro.pdf",
            web::get().to(privacy::processing_record),
        )
        .route(
            "/privacy/conservazione/termine",
            web::post().to(privacy::save_retention_years),
        )
        .route(
            "/privacy/conservazione/proposta",
            web::post().to(privacy::propose),
        )
        .route(
            "/privacy/conservazione/proposta.pdf",
            web::get().to(privacy::proposal_pdf),
        )
        .route(
            "/privacy/conservazione/approva",
            web::post().to(privacy::approve),
        )
        .route("/scambi", web::get().to(exchange::page))
        .route("/scambi/identita", web::get().to(exchange::identity))
        .route("/scambi/esporta", web::post().to(exchange::export))
        .route("/scambi/inviati/{name}", web::get().to(exchange::download))
        .route("/scambi/importa", web::post().to(exchange::import))
        .route("/scambi/registra", web::post().to(exchange::enroll))
        .route("/ambito", web::get().to(district::inbox))
        .route("/ambito/invii/{id}", web::get().to(district::detail))
        .route("/ambito/invii/{id}/stato", web::post().to(district::decide))
        .route(
            "/ambito/invii/{id}/scollega",
            web::post().to(district::unlink),
        )
        .route("/agenda", web::get().to(agenda::page))
        .route("/statistiche", web::get().to(statistics::page))
        .route("/statistiche.csv", web::get().to(statistics::csv))
        .route("/agenda/nuovo", web::get().to(agenda::new_form))
        .route("/agenda/nuovo", web::post().to(agenda::create))
        .route("/agenda/{id}/annulla", web::post().to(agenda::cancel))
        .route(
            "/agenda/{id}/promemoria.pdf",
            web::get().to(agenda::reminder),
        )
        .route("/amministrazione", web::get().to(admin::page))
        .route(
            "/amministrazione/utenti",
            web::post().to(admin::create_user),
        )
        .route(
            "/amministrazione/contatti",
            web::post().to(admin::save_contacts),
        )
        .route(
            "/amministrazione/invii",
            web::post().to(admin::save_overdue_days),
        )
        .route(
            "/amministrazione/backup",
            web::post().to(admin::save_backup_settings),
        )
        .route(
            "/amministrazione/backup/chiave",
            web::post().to(admin::generate_backup_key),
        )
        .route(
            "/amministrazione/backup/ora",
            web::post().to(admin::backup_now),
        )
        .route(
            "/amministrazione/utenti/{id}/ruoli",
            web::post().to(admin::set_roles),
        )
        .route(
            "/amministrazione/utenti/{id}/disabilita",
            web::post().to(admin::disable),
        )
        .route(
            "/amministrazione/utenti/{id}/abilita",
            web::post().to(admin::enable),
        )
        .route(
            "/amministrazione/utenti/{id}/password",
            web::post().to(admin::reset_password),
        )
        .service(
            web::scope("/api/v1")
                .route("/me", web::get().to(api::me))
                .route("/vocabularies", web::get().to(api::vocabularies))
                .route("/persons", web::post().to(api::persons::create))
                .route("/persons", web::get().to(api::persons::search))
                .route("/persons/{id}", web::get().to(api::persons::get))
                .route(
                    "/persons/{id}/accesses",
                    web::get().to(api::accesses::of_person),
                )
                .route(
                    "/persons/{id}/appointments",
                    web::get().to(api::accesses::appointments_of_person),
                )
                .route("/accesses", web::post().to(api::accesses::create))
                .route("/accesses/{id}", web::get().to(api::accesses::get))
                .route(
                    "/accesses/{id}/reserved-notes",
                    web::get().to(api::accesses::reserved_notes),
                )
                .route(
                    "/appointments",
                    web::post().to(api::accesses::create_appointment),
                )
                .route("/appointments", web::get().to(api::accesses::appointments))
                .route("/services", web::get().to(api::orientation::services))
                .route(
                    "/services",
                    web::post().to(api::orientation::create_service),
                )
                .route(
                    "/services/{id}",
                    web::put().to(api::orientation::update_service),
                )
                .service(
                    // A whole directory is larger than any other request body.
                    web::resource("/directory.hsds.json")
                        .app_data(
                            web::JsonConfig::default()
                                .limit(32 * 1024 * 1024)
                                .error_handler(json_error),
                        )
                        .app_data(web::PayloadConfig::default().limit(32 * 1024 * 1024))
                        .route(web::get().to(api::orientation::export_directory))
                        .route(web::post().to(api::orientation::import_directory)),
                )
                .route(
                    "/referrals",
                    web::post().to(api::orientation::create_referral),
                )
                .route("/referrals", web::get().to(api::orientation::referrals))
                .route(
                    "/referrals/{id}/status",
                    web::post().to(api::orientation::referral_status),
                )
                .route(
                    "/accesses/{id}/suggestions",
                    web::get().to(api::orientation_access::suggestions),
                )
                .route(
                    "/accesses/{id}/services",
                    web::post().to(api::orientation_access::choose),
                )
                .route(
                    "/accesses/{id}/services/{service_id}",
                    web::delete().to(api::orientation_access::remove),
                )
                .route(
                    "/accesses/{id}/unmet-needs",
                    web::post().to(api::orientation_access::unmet),
                )
                .route(
                    "/accesses/{id}/orientation.pdf",
                    web::get().to(api::orientation::orientation_pdf),
                )
                .route(
                    "/persons/{id}/privacy-notice",
                    web::post().to(api::orientation::privacy_notice),
                )
                .route(
                    "/persons/{id}/report.json",
                    web::get().to(api::privacy::report_json),
                )
                .route(
                    "/persons/{id}/report.pdf",
                    web::get().to(api::privacy::report_pdf_api),
                )
                .route("/openapi.json", web::get().to(api::openapi))
                .default_service(web::to(api::not_found)),
        );
}

fn is_api(req: &HttpRequest) -> bool {
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
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("Corpo JSON non valido: {other}"),
        )
        .into(),
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
                views::errors::page(status.as_u16(), "Richiesta non eseguita", message)
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
