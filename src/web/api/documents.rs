//! The printed documents of the desk through the API: the same PDFs as the pages, audited alike.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use crate::web::documents;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

fn pdf(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes)
}

/// The citizen's promemoria of an access (PDF).
#[utoipa::path(get, path = "/api/v1/accesses/{id}/promemoria.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The promemoria"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn promemoria(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(pdf(documents::promemoria(
        &state,
        &auth.actor,
        path.into_inner(),
    )
    .await?))
}

/// The referral letter (*scheda di invio*, PDF).
#[utoipa::path(get, path = "/api/v1/referrals/{id}/letter.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The letter"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn referral_letter(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(pdf(documents::referral_letter(
        &state,
        &auth.actor,
        path.into_inner(),
    )
    .await?))
}

/// The privacy notice with the person's name and signature lines (PDF).
#[utoipa::path(get, path = "/api/v1/persons/{id}/privacy-notice.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The notice"),
        (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn privacy_notice(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(pdf(documents::privacy_notice(
        &state,
        &auth.actor,
        path.into_inner(),
    )
    .await?))
}

/// The reminder of an appointment (PDF).
#[utoipa::path(get, path = "/api/v1/appointments/{id}/reminder.pdf", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/pdf", description = "The reminder"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn appointment_reminder(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    Ok(pdf(documents::appointment_reminder(
        &state,
        &auth.actor,
        path.into_inner(),
    )
    .await?))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get(
        "/api/v1/accesses/{id}/promemoria.pdf",
        Gate::Desk,
        promemoria,
    );
    r.get(
        "/api/v1/referrals/{id}/letter.pdf",
        Gate::Desk,
        referral_letter,
    );
    r.get(
        "/api/v1/persons/{id}/privacy-notice.pdf",
        Gate::Desk,
        privacy_notice,
    );
    r.get(
        "/api/v1/appointments/{id}/reminder.pdf",
        Gate::Desk,
        appointment_reminder,
    );
}
