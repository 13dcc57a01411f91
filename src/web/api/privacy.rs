//! The data-subject report (GDPR art. 15) through the API.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::app::privacy::{report, Release};
use crate::web::documents::subject_report;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

/// How the report is released: `withhold_reserved_notes` gives the reason for leaving the
/// reserved notes out (art. 15.4); absent, they are included.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReleaseQuery {
    #[serde(default)]
    pub withhold_reserved_notes: Option<String>,
}

/// Everything held about a person and every audited access to it, as JSON (responsabile,
/// assistente sociale), in Italian sentences with names.
#[utoipa::path(get, path = "/api/v1/persons/{id}/report.json", params(("id" = Uuid, Path), ReleaseQuery),
    responses((status = 200, body = Object), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn report_json(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<ReleaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let release = Release {
        how: "JSON art. 15 (API)",
        withhold_reserved: query.withhold_reserved_notes.as_deref(),
    };
    let report = report(&auth.ctx(&state), path.into_inner(), &release)?;
    Ok(HttpResponse::Ok().json(report))
}

/// The same report as PDF.
#[utoipa::path(get, path = "/api/v1/persons/{id}/report.pdf", params(("id" = Uuid, Path), ReleaseQuery),
    responses((status = 200, content_type = "application/pdf", description = "The report"), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn report_pdf_api(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<ReleaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let bytes = subject_report(
        &state,
        &auth.actor,
        path.into_inner(),
        "PDF art. 15 (API)",
        query.withhold_reserved_notes,
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get(
        "/api/v1/persons/{id}/report.json",
        Gate::SocialWork,
        report_json,
    );
    r.get(
        "/api/v1/persons/{id}/report.pdf",
        Gate::SocialWork,
        report_pdf_api,
    );
}
