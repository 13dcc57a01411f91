//! Orientation of one access through the API: the ranked suggestions, choosing and removing a
//! service, needs that found no service. The same use cases as the access page.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app;
use crate::domain::directory::{Service, Suggestion};
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionJson {
    pub service_id: Uuid,
    pub name: String,
    /// Higher is better.
    pub score: i32,
    /// Why it fits, in Italian.
    pub reasons: Vec<String>,
    pub open_now: bool,
}

/// The suggestions for one need of the access.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedSuggestionsJson {
    /// Index of the need in the access.
    pub need: usize,
    pub suggestions: Vec<SuggestionJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrientationJson {
    /// Every suggestion once, best first; services already chosen are not suggested.
    pub suggestions: Vec<SuggestionJson>,
    /// The same, under each need.
    pub by_need: Vec<NeedSuggestionsJson>,
    /// The person lives outside the comuni the directory covers: only services open to
    /// everyone are suggested.
    pub outside_territory: bool,
    /// The person has no home and no residence: services reserved to a comune's residents are
    /// not suggested.
    pub without_residence: bool,
    /// Ids of the services chosen for the access.
    pub chosen: Vec<Uuid>,
}

/// The services suggested for an access, best first, and those already chosen (audited read).
#[utoipa::path(get, path = "/api/v1/accesses/{id}/suggestions", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrientationJson), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn suggestions(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let o = app::orientation::suggestions(&auth.ctx(&state), path.into_inner())?;
    let chosen: Vec<Uuid> = o.chosen.iter().map(|s| s.id).collect();
    let json = |(s, sug): (&Service, &Suggestion)| SuggestionJson {
        service_id: s.id,
        name: s.name.clone(),
        score: sug.score,
        reasons: sug.reasons.clone(),
        open_now: sug.open_now,
    };
    Ok(HttpResponse::Ok().json(OrientationJson {
        suggestions: o.flat().into_iter().map(json).collect(),
        by_need: o
            .groups
            .iter()
            .map(|(need, list)| NeedSuggestionsJson {
                need: *need,
                suggestions: list.iter().map(|(s, sug)| json((s, sug))).collect(),
            })
            .collect(),
        outside_territory: o.outside_territory,
        without_residence: o.without_residence,
        chosen,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChooseInput {
    pub service_id: Uuid,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Chosen {
    pub access_id: Uuid,
    pub service_id: Uuid,
}

/// Choose a directory service for the access (printed on its orientation sheet).
#[utoipa::path(post, path = "/api/v1/accesses/{id}/services", params(("id" = Uuid, Path)), request_body = ChooseInput,
    responses((status = 200, body = Chosen), (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn choose(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<ChooseInput>,
) -> Result<HttpResponse, ApiError> {
    let access_id = path.into_inner();
    let s = app::orientation::choose(&auth.ctx(&state), access_id, body.service_id)?;
    Ok(HttpResponse::Ok().json(Chosen {
        access_id,
        service_id: s.id,
    }))
}

/// Take a chosen service off the access.
#[utoipa::path(delete, path = "/api/v1/accesses/{id}/services/{service_id}", params(("id" = Uuid, Path), ("service_id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn remove(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (access_id, service_id) = path.into_inner();
    app::orientation::remove(&auth.ctx(&state), access_id, service_id)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmetInput {
    /// Index of the need in the access (0 for the first).
    pub need: usize,
    /// no_service, full, not_eligible or waiting_list.
    pub reason: String,
    #[serde(default)]
    pub note: String,
    /// The directory service that could not take the person (full, waiting list, …).
    #[serde(default)]
    pub service: Option<Uuid>,
}

/// Record that a need of the access found no service, and why.
#[utoipa::path(post, path = "/api/v1/accesses/{id}/unmet-needs", params(("id" = Uuid, Path)), request_body = UnmetInput,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn unmet(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<UnmetInput>,
) -> Result<HttpResponse, ApiError> {
    let input = app::orientation::Unmet {
        need: body.need,
        reason: &body.reason,
        note: &body.note,
        service: body.service,
    };
    app::orientation::mark_unmet(&auth.ctx(&state), path.into_inner(), input)?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// Index of the need in the access (a need of category `complaint`).
    pub need: usize,
    /// The directory service the complaint is about; null to forget it.
    pub service: Option<Uuid>,
}

/// Name the directory service a complaint of the access is about.
#[utoipa::path(post, path = "/api/v1/accesses/{id}/complaint", params(("id" = Uuid, Path)), request_body = ComplaintInput,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn complaint(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<ComplaintInput>,
) -> Result<HttpResponse, ApiError> {
    app::orientation::name_complaint_service(
        &auth.ctx(&state),
        path.into_inner(),
        body.need,
        body.service,
    )?;
    Ok(HttpResponse::NoContent().finish())
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/api/v1/accesses/{id}/suggestions", Gate::Desk, suggestions);
    r.post("/api/v1/accesses/{id}/services", Gate::Desk, choose);
    r.post("/api/v1/accesses/{id}/complaint", Gate::Desk, complaint);
    r.delete(
        "/api/v1/accesses/{id}/services/{service_id}",
        Gate::Desk,
        remove,
    );
    r.post("/api/v1/accesses/{id}/unmet-needs", Gate::Desk, unmet);
}
