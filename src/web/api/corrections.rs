//! Correcting an access through the API, and attaching an anonymous access to a person.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::wire::NeedJson;
use super::wire::{access_json, AccessJson};
use crate::app::corrections::{self, Identity};
use crate::domain::access::AccessForm;
use crate::domain::correction::AccessChange;
use crate::domain::policy;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

/// One field of a correction, as it was and as it became.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeJson {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One correction of an access.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionJson {
    pub at: DateTime<Utc>,
    /// Username of who made it.
    pub by: String,
    /// `edited` or `identified` (an anonymous access attached to a person).
    pub kind: String,
    pub fields: Vec<FieldChangeJson>,
    /// Fields changed that this caller may not read (reserved notes).
    pub hidden_fields: usize,
}

impl CorrectionJson {
    pub fn of(c: &AccessChange, reads_reserved: bool) -> Self {
        CorrectionJson {
            at: c.at,
            by: c.by.clone(),
            kind: match c.kind {
                crate::domain::correction::ChangeKind::Edited => "edited",
                crate::domain::correction::ChangeKind::Identified => "identified",
            }
            .into(),
            hidden_fields: c.fields.len() - c.visible_fields(reads_reserved).count(),
            fields: c
                .visible_fields(reads_reserved)
                .map(|f| FieldChangeJson {
                    field: f.field.clone(),
                    before: f.before.clone(),
                    after: f.after.clone(),
                })
                .collect(),
        }
    }
}

/// The corrected fields of an access (its time, person and appointment do not change here).
/// Channel, interlocutor, reason, needs and outcomes are required; any other field left out
/// keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessCorrection {
    pub channel: String,
    pub interlocutor: String,
    #[serde(default)]
    pub interlocutor_name: Option<String>,
    #[serde(default)]
    pub interlocutor_relation: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub sending_service: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    pub needs: Vec<NeedJson>,
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Left out: kept as they are. Only assistente_sociale and responsabile may write them.
    #[serde(default)]
    pub reserved_notes: Option<String>,
}

/// Correct an access: by the operator who recorded it or a responsabile; the previous values
/// stay in its `corrections`.
#[utoipa::path(
    put,
    path = "/api/v1/accesses/{id}",
    params(("id" = Uuid, Path)),
    request_body = AccessCorrection,
    responses(
        (status = 200, body = AccessJson),
        (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn edit(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<AccessCorrection>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let ctx = auth.ctx(&state);
    let id = path.into_inner();
    // Optional fields left out keep what the access has (as the reserved notes do).
    let current = corrections::form_of(&corrections::editable(&ctx, id)?.access);
    let form = AccessForm {
        channel: input.channel,
        interlocutor: input.interlocutor,
        interlocutor_name: input.interlocutor_name.unwrap_or(current.interlocutor_name),
        interlocutor_relation: input
            .interlocutor_relation
            .unwrap_or(current.interlocutor_relation),
        reason: input.reason,
        sending_service: input.sending_service.unwrap_or(current.sending_service),
        duration_minutes: input
            .duration_minutes
            .map_or(current.duration_minutes, |m| m.to_string()),
        needs: input.needs.into_iter().map(Into::into).collect(),
        outcomes: input.outcomes,
        notes: input.notes.unwrap_or(current.notes),
        ..Default::default()
    };
    let access = corrections::edit(&ctx, id, form, input.reserved_notes)?;
    let reads = policy::reserved_notes(ctx.actor).is_ok();
    Ok(HttpResponse::Ok().json(access_json(access, reads)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessPerson {
    /// The registered person the anonymous access turns out to be.
    pub person_id: Uuid,
}

/// Attach an anonymous access to a registered person (its anonymous profile stays in its
/// `corrections`); 409 if it already has a person.
#[utoipa::path(
    post,
    path = "/api/v1/accesses/{id}/person",
    params(("id" = Uuid, Path)),
    request_body = AccessPerson,
    responses(
        (status = 200, body = AccessJson),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn identify(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<AccessPerson>,
) -> Result<HttpResponse, ApiError> {
    let ctx = auth.ctx(&state);
    let (access, _) =
        corrections::identify(&ctx, path.into_inner(), Identity::Existing(body.person_id))?;
    let reads = policy::reserved_notes(ctx.actor).is_ok();
    Ok(HttpResponse::Ok().json(access_json(access, reads)))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.put("/api/v1/accesses/{id}", Gate::Desk, edit);
    r.post("/api/v1/accesses/{id}/person", Gate::Desk, identify);
}
