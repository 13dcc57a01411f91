//! Changing appointments through the API: cancel (with a reason), restore, outcome, move.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::wire::{appointment_json, AppointmentJson};
use crate::app::agenda::{self, Move, With};
use crate::app::persons::Warnings;
use crate::domain::Invalid;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// Why it is cancelled (required, at most 300 characters).
    pub reason: String,
}

/// Cancel an appointment, with the reason (it stays in the agenda, marked cancelled).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", params(("id" = Uuid, Path)),
    request_body = CancelInput,
    responses((status = 200, body = AppointmentJson), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn cancel(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<CancelInput>,
) -> Result<HttpResponse, ApiError> {
    let a = agenda::cancel(&auth.ctx(&state), path.into_inner(), &body.reason)?;
    Ok(HttpResponse::Ok().json(appointment_json(a)))
}

/// Put a cancelled appointment back in the agenda.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/restore", params(("id" = Uuid, Path)),
    responses((status = 200, body = AppointmentJson), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn restore(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let a = agenda::restore(&auth.ctx(&state), path.into_inner())?;
    Ok(HttpResponse::Ok().json(appointment_json(a)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// `held` (svolto), `missed` (non presentato) or `postponed` (rinviato).
    pub outcome: String,
}

/// Record how an appointment went.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/outcome", params(("id" = Uuid, Path)),
    request_body = OutcomeInput,
    responses((status = 200, body = AppointmentJson), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn outcome(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<OutcomeInput>,
) -> Result<HttpResponse, ApiError> {
    let a = agenda::set_outcome(&auth.ctx(&state), path.into_inner(), &body.outcome)?;
    Ok(HttpResponse::Ok().json(appointment_json(a)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    /// The new start (RFC 3339).
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// Username of the desk worker; default: the one it is with now.
    #[serde(default)]
    pub operator: Option<String>,
}

/// An appointment moved, with the warnings about its new slot (another appointment of the same
/// worker at that time, a Sunday, a public holiday).
#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    pub appointment: AppointmentJson,
    pub warnings: Vec<String>,
}

/// Move an appointment to another time or worker.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/move", params(("id" = Uuid, Path)),
    request_body = MoveInput,
    responses((status = 200, body = Moved), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn move_to(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<MoveInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = auth.ctx(&state);
    let id = path.into_inner();
    let input = body.into_inner();
    let current = match input.operator {
        Some(_) => None,
        None => Some(agenda::one(&ctx, id)?.0.operator_id.to_string()),
    };
    let with = match (&input.operator, &current) {
        (Some(name), _) => With::Username(name),
        (None, Some(id)) => With::Id(id),
        (None, None) => With::Me,
    };
    let to = Move {
        start: Some(input.start),
        duration_minutes: input.duration_minutes,
        with,
        start_field: "start",
        invalid: Invalid::new(),
    };
    let (a, warnings) = agenda::move_to(&ctx, id, to, Warnings::Return)?;
    Ok(HttpResponse::Ok().json(Moved {
        appointment: appointment_json(a),
        warnings,
    }))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.post("/api/v1/appointments/{id}/cancel", Gate::Desk, cancel);
    r.post("/api/v1/appointments/{id}/restore", Gate::Desk, restore);
    r.post("/api/v1/appointments/{id}/outcome", Gate::Desk, outcome);
    r.post("/api/v1/appointments/{id}/move", Gate::Desk, move_to);
}
