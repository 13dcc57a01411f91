//! Accesses and appointments through the API.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Local, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::wire::{access_json, appointment_json, AccessJson, AppointmentJson, NeedJson};
use super::{invalid_error, Created};
use crate::app;
use crate::app::agenda::{NewAppointment, With};
use crate::app::reception::{NewAccess, Who};
use crate::domain::access::{local_instant, AccessForm};
use crate::domain::policy;
use crate::domain::Invalid;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnonymousInput {
    /// "M" or "F".
    #[serde(default)]
    pub sex: Option<String>,
    /// Code from the `age_band` vocabulary.
    #[serde(default)]
    pub age_band: Option<String>,
    /// Code from the `citizenship_area` vocabulary.
    #[serde(default)]
    pub citizenship_area: Option<String>,
}

/// An access to record. Codes are those of `/api/v1/vocabularies`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessInput {
    /// The person, or leave out and give `anonymous`.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    #[serde(default)]
    pub anonymous: Option<AnonymousInput>,
    /// When it happened (RFC 3339); default: now.
    #[serde(default)]
    pub time: Option<DateTime<Utc>>,
    pub channel: String,
    pub interlocutor: String,
    /// When the interlocutor is not the person: who spoke ("Maria Bianchi")…
    #[serde(default)]
    pub interlocutor_name: Option<String>,
    /// …and their relation to the person ("la figlia").
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
    /// Only assistente_sociale and responsabile may write (and read) them.
    #[serde(default)]
    pub reserved_notes: Option<String>,
}

/// Record an access (for a person, or anonymous).
#[utoipa::path(
    post,
    path = "/api/v1/accesses",
    request_body = AccessInput,
    responses(
        (status = 201, body = Created),
        (status = 404, body = crate::web::error::ErrorBody, description = "No such person"),
        (status = 422, body = crate::web::error::ErrorBody)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<AccessInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let who = match (input.person_id, &input.anonymous) {
        (Some(id), None) => Who::Existing(id),
        (None, Some(_)) => Who::Anonymous,
        _ => {
            return Err(invalid_error(&Invalid::one(
                "person_id",
                "Indicare person_id oppure anonymous (uno dei due).",
            )))
        }
    };
    let reserved = input.reserved_notes.clone().unwrap_or_default();
    let (date, time) = match input.time {
        Some(t) => {
            let local = t.with_timezone(&Local);
            (
                local.format("%Y-%m-%d").to_string(),
                local.format("%H:%M:%S").to_string(),
            )
        }
        None => (String::new(), String::new()),
    };
    let anon = input.anonymous.as_ref();
    let form = AccessForm {
        date,
        time,
        channel: input.channel,
        interlocutor: input.interlocutor,
        interlocutor_name: input.interlocutor_name.unwrap_or_default(),
        interlocutor_relation: input.interlocutor_relation.unwrap_or_default(),
        reason: input.reason,
        sending_service: input.sending_service.unwrap_or_default(),
        duration_minutes: input
            .duration_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        needs: input.needs.into_iter().map(Into::into).collect(),
        outcomes: input.outcomes,
        notes: input.notes.unwrap_or_default(),
        reserved_notes: reserved,
        anonymous_sex: anon.and_then(|a| a.sex.clone()).unwrap_or_default(),
        anonymous_age_band: anon.and_then(|a| a.age_band.clone()).unwrap_or_default(),
        anonymous_citizenship_area: anon
            .and_then(|a| a.citizenship_area.clone())
            .unwrap_or_default(),
        ..Default::default()
    };
    let input = NewAccess {
        form,
        who,
        quick: false,
        warnings_seen: String::new(),
    };
    let access = app::reception::register(&auth.ctx(&state), input)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/accesses/{}", access.id)))
        .json(Created {
            id: access.id,
            warnings: vec![],
        }))
}

/// Read an access (audited). Reserved notes only for the roles allowed.
#[utoipa::path(
    get,
    path = "/api/v1/accesses/{id}",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AccessJson), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let file = app::reception::view(&auth.ctx(&state), path.into_inner(), "API")?;
    Ok(HttpResponse::Ok().json(access_json(file.access, file.reads_reserved)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReservedNotes {
    pub access_id: Uuid,
    pub reserved_notes: String,
}

/// The reserved notes of an access: 403 (and audited) for roles that may not read them.
#[utoipa::path(
    get,
    path = "/api/v1/accesses/{id}/reserved-notes",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ReservedNotes), (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn reserved_notes(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let access = app::reception::reserved_notes(&auth.ctx(&state), id)?;
    Ok(HttpResponse::Ok().json(ReservedNotes {
        access_id: id,
        reserved_notes: access.reserved_notes,
    }))
}

/// A person's accesses, newest first (audited).
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/accesses",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AccessJson>), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn of_person(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ctx = auth.ctx(&state);
    let accesses = app::reception::of_person(&ctx, path.into_inner())?;
    let can = policy::reserved_notes(ctx.actor).is_ok();
    Ok(HttpResponse::Ok().json(
        accesses
            .into_iter()
            .map(|a| access_json(a, can))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentInput {
    pub person_id: Uuid,
    /// Start (RFC 3339).
    pub start: DateTime<Utc>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub purpose: Option<String>,
    /// Username of the worker; default: the caller.
    #[serde(default)]
    pub operator: Option<String>,
}

/// Fix an appointment.
#[utoipa::path(
    post,
    path = "/api/v1/appointments",
    request_body = AppointmentInput,
    responses((status = 201, body = Created), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create_appointment(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<AppointmentInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let place = input.place.unwrap_or_default();
    let purpose = input.purpose.unwrap_or_default();
    let new = NewAppointment {
        person_id: input.person_id,
        start: Some(input.start),
        duration_minutes: input.duration_minutes,
        place: &place,
        purpose: &purpose,
        with: input.operator.as_deref().map_or(With::Me, With::Username),
        start_field: "start",
        invalid: Invalid::new(),
    };
    let (appointment, warnings) = app::agenda::book(
        &auth.ctx(&state),
        new,
        crate::app::persons::Warnings::Return,
    )?;
    Ok(HttpResponse::Created().json(Created {
        id: appointment.id,
        warnings,
    }))
}

/// A person's appointments, in time order.
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}/appointments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<AppointmentJson>)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn appointments_of_person(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let list = app::agenda::of_person(&auth.ctx(&state), path.into_inner())?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(appointment_json).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// First day (YYYY-MM-DD), default today.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day included (YYYY-MM-DD), default `from`.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// Appointments between two days (the agenda).
#[utoipa::path(
    get,
    path = "/api/v1/appointments",
    params(RangeParams),
    responses((status = 200, body = Vec<AppointmentJson>), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn appointments(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<RangeParams>,
) -> Result<HttpResponse, ApiError> {
    auth.desk()?;
    let from = query.from.unwrap_or_else(|| Local::now().date_naive());
    let to = query.to.unwrap_or(from);
    let sane = |d: NaiveDate| (1900..=2200).contains(&chrono::Datelike::year(&d));
    if !sane(from) || !sane(to) || to < from || (to - from).num_days() > 366 {
        return Err(invalid_error(&Invalid::one(
            "to",
            "Intervallo non valido (al massimo un anno, «to» non prima di «from»).",
        )));
    }
    let start = local_instant(from, NaiveTime::MIN).ok_or_else(ApiError::not_found)?;
    let end = local_instant(to + chrono::Duration::days(1), NaiveTime::MIN)
        .ok_or_else(ApiError::not_found)?;
    let list = app::agenda::between(&auth.ctx(&state), start, end, None, " (API)")?;
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(|(a, _)| appointment_json(a))
            .collect::<Vec<_>>(),
    ))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/api/v1/persons/{id}/accesses", Gate::Desk, of_person);
    r.get(
        "/api/v1/persons/{id}/appointments",
        Gate::Desk,
        appointments_of_person,
    );
    r.post("/api/v1/accesses", Gate::Desk, create);
    r.get("/api/v1/accesses/{id}", Gate::Desk, get);
    r.get(
        "/api/v1/accesses/{id}/reserved-notes",
        Gate::SocialWork,
        reserved_notes,
    );
    r.post("/api/v1/appointments", Gate::Desk, create_appointment);
    r.get("/api/v1/appointments", Gate::Desk, appointments);
}
