//! Merging two records of the same person through the API, and undoing it.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app;
use crate::domain::merge::Merge;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record to keep; the one in the path becomes a pointer to it.
    pub into: Uuid,
}

/// A merge and what it moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeJson {
    pub id: Uuid,
    pub merged: Uuid,
    pub into: Uuid,
    pub at: DateTime<Utc>,
    pub by: String,
    pub accesses: Vec<Uuid>,
    pub appointments: Vec<Uuid>,
    pub referrals: Vec<Uuid>,
    pub undone: bool,
}

impl From<Merge> for MergeJson {
    fn from(m: Merge) -> Self {
        MergeJson {
            id: m.id,
            merged: m.merged,
            into: m.into,
            at: m.at,
            by: m.by,
            accesses: m.accesses,
            appointments: m.appointments,
            referrals: m.referrals,
            undone: m.undone.is_some(),
        }
    }
}

/// Merge a person's record into another record of the same person (responsabile).
#[utoipa::path(post, path = "/api/v1/persons/{id}/merge", params(("id" = Uuid, Path)),
    request_body = MergeInput,
    responses((status = 200, body = MergeJson), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn merge(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<MergeInput>,
) -> Result<HttpResponse, ApiError> {
    let m = app::merges::merge(&auth.ctx(&state), path.into_inner(), body.into)?;
    Ok(HttpResponse::Ok().json(MergeJson::from(m)))
}

/// Undo a merge (responsabile, within the retention term).
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", params(("id" = Uuid, Path)),
    responses((status = 200, body = MergeJson), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn undo(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let m = app::merges::undo(&auth.ctx(&state), path.into_inner())?;
    Ok(HttpResponse::Ok().json(MergeJson::from(m)))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.post("/api/v1/persons/{id}/merge", Gate::Merge, merge);
    r.post("/api/v1/merges/{id}/undo", Gate::Merge, undo);
}
