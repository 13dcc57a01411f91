//! The data-subject report (GDPR art. 15) through the API.

use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::app::privacy::subject_report;
use crate::domain::audit::AuditEvent;
use crate::domain::role::Role;
use crate::web::documents::report_pdf;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;
use crate::web::PageError;

fn page_to_api(e: PageError) -> ApiError {
    match e {
        PageError::NotFound => ApiError::not_found(),
        other => {
            tracing::error!("rapporto art. 15: {other}");
            ApiError::new(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Rapporto non generato.",
            )
        }
    }
}

/// Everything held about a person and every audited access to it, as JSON (responsabile,
/// assistente sociale).
#[utoipa::path(get, path = "/api/v1/persons/{id}/report.json", params(("id" = Uuid, Path)),
    responses((status = 200, body = Object), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn report_json(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&[Role::Responsabile, Role::AssistenteSociale])?;
    let id = path.into_inner();
    let report = subject_report(&state.store, id)?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "person.report", id.to_string())
            .details("JSON art. 15 (API)"),
    )?;
    Ok(HttpResponse::Ok().json(report))
}

/// The same report as PDF.
#[utoipa::path(get, path = "/api/v1/persons/{id}/report.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The report"), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn report_pdf_api(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    auth.require_any(&[Role::Responsabile, Role::AssistenteSociale])?;
    let id = path.into_inner();
    let report = subject_report(&state.store, id)?;
    let doc = report_pdf(&state, &report)?;
    let bytes = web::block(move || crate::pdf::render(&doc))
        .await
        .map_err(|_| page_to_api(PageError::Internal("blocco".into())))?
        .map_err(|e| page_to_api(PageError::Internal(e.to_string())))?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "person.report", id.to_string())
            .details("PDF art. 15 (API)"),
    )?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}
