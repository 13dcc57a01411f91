//! Accesses and appointments through the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Local, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{invalid_error, require_desk, Created};
use crate::domain::access::{local_instant, Access, AccessForm, AnonymousProfile, Need};
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::audit::AuditEvent;
use crate::domain::Invalid;
use crate::web::accesses::{build_access, RESERVED_ROLES};
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
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
    pub reason: String,
    #[serde(default)]
    pub sending_service: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// Only assistente_sociale and responsabile may write (and read) them.
    #[serde(default)]
    pub reserved_notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessJson {
    pub id: Uuid,
    pub time: DateTime<Utc>,
    pub person_id: Option<Uuid>,
    pub anonymous: Option<AnonymousProfile>,
    pub channel: String,
    pub interlocutor: String,
    pub reason: String,
    pub sending_service: String,
    pub operator: String,
    pub duration_minutes: Option<u32>,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
    pub notes: String,
    /// Present only for roles allowed to read reserved notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_notes: Option<String>,
    pub has_reserved_notes: bool,
    pub appointment_id: Option<Uuid>,
}

fn access_json(a: Access, can_reserved: bool) -> AccessJson {
    let has = a.has_reserved_notes();
    AccessJson {
        id: a.id,
        time: a.time,
        person_id: a.person_id,
        anonymous: a.anonymous,
        channel: a.channel,
        interlocutor: a.interlocutor,
        reason: a.reason,
        sending_service: a.sending_service,
        operator: a.operator_name,
        duration_minutes: a.duration_minutes,
        needs: a.needs,
        outcomes: a.outcomes,
        notes: a.notes,
        reserved_notes: can_reserved.then_some(a.reserved_notes),
        has_reserved_notes: has,
        appointment_id: a.appointment_id,
    }
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
    require_desk(&auth)?;
    let input = body.into_inner();
    let can_reserved = auth.user.has_any_role(&RESERVED_ROLES);
    let reserved = input.reserved_notes.clone().unwrap_or_default();
    if !reserved.trim().is_empty() && !can_reserved {
        let mut e = ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Solo assistenti sociali e responsabile possono scrivere note riservate.",
        );
        e.field = Some("reserved_notes".into());
        return Err(e);
    }
    if input.person_id.is_some() == input.anonymous.is_some() {
        let mut e = invalid_error(&Invalid::one(
            "person_id",
            "Indicare person_id oppure anonymous (uno dei due).",
        ));
        e.field = Some("person_id".into());
        return Err(e);
    }
    if let Some(pid) = input.person_id {
        let p = state.store.person(pid)?.ok_or_else(ApiError::not_found)?;
        if p.is_restricted() {
            return Err(ApiError::restricted());
        }
    }
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
        reason: input.reason,
        sending_service: input.sending_service.unwrap_or_default(),
        duration_minutes: input
            .duration_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        needs: input.needs,
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
    let (data, profile) = form
        .validate(&state.reference.vocab, Utc::now(), anon.is_some())
        .map_err(|e| invalid_error(&e))?;
    let (access, _) = build_access(data, input.person_id, profile, &auth.user, false);
    state
        .store
        .create_access(&access, None, None, &auth.user.username)?;
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
    require_desk(&auth)?;
    let id = path.into_inner();
    let access = state.store.access(id)?.ok_or_else(ApiError::not_found)?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "access.view", id.to_string()).details("API"),
    )?;
    Ok(HttpResponse::Ok().json(access_json(access, auth.user.has_any_role(&RESERVED_ROLES))))
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
    require_desk(&auth)?;
    let id = path.into_inner();
    let access = state.store.access(id)?.ok_or_else(ApiError::not_found)?;
    if !auth.user.has_any_role(&RESERVED_ROLES) {
        state.store.audit(
            AuditEvent::new(
                auth.user.username.clone(),
                "access.reserved_notes.denied",
                id.to_string(),
            )
            .details("accesso negato: ruolo non autorizzato (API)"),
        )?;
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Le note riservate sono leggibili solo da assistenti sociali e responsabile.",
        ));
    }
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "access.reserved_notes.view",
            id.to_string(),
        )
        .details("API"),
    )?;
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
    require_desk(&auth)?;
    let id = path.into_inner();
    state.store.person(id)?.ok_or_else(ApiError::not_found)?;
    let accesses = state.store.accesses_of(id)?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "person.view", id.to_string())
            .details(format!("accessi (API): {}", accesses.len())),
    )?;
    let can = auth.user.has_any_role(&RESERVED_ROLES);
    Ok(HttpResponse::Ok().json(
        accesses
            .into_iter()
            .map(|a| access_json(a, can))
            .collect::<Vec<_>>(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentJson {
    pub id: Uuid,
    pub person_id: Uuid,
    pub access_id: Option<Uuid>,
    pub operator: String,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub place: String,
    pub purpose: String,
    pub cancelled: bool,
}

fn appointment_json(a: Appointment) -> AppointmentJson {
    AppointmentJson {
        id: a.id,
        person_id: a.person_id,
        access_id: a.access_id,
        operator: a.operator_name,
        start: a.start,
        duration_minutes: a.duration_minutes,
        place: a.place,
        purpose: a.purpose,
        cancelled: a.cancelled,
    }
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
    require_desk(&auth)?;
    let input = body.into_inner();
    let person = state
        .store
        .person(input.person_id)?
        .ok_or_else(ApiError::not_found)?;
    if person.is_restricted() {
        return Err(ApiError::restricted());
    }
    let mut invalid = Invalid::new();
    if input.start < Utc::now() - chrono::Duration::minutes(5) {
        invalid.add("start", "L'appuntamento non può essere nel passato.");
    }
    let duration = input.duration_minutes.unwrap_or(DEFAULT_MINUTES);
    if !(5..=480).contains(&duration) {
        invalid.add(
            "duration_minutes",
            "Durata in minuti: un numero da 5 a 480.",
        );
    }
    let operator = match &input.operator {
        None => Some(auth.user.clone()),
        Some(name) => state.store.user_by_username(&name.trim().to_lowercase())?,
    };
    if operator.as_ref().is_none_or(|u| u.disabled) {
        invalid.add("operator", "Operatore non trovato o disabilitato.");
    }
    let place: String = input
        .place
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect();
    let purpose: String = input
        .purpose
        .unwrap_or_default()
        .trim()
        .chars()
        .take(300)
        .collect();
    let operator = match operator {
        Some(o) if invalid.is_empty() => o,
        _ => return Err(invalid_error(&invalid)),
    };
    let appointment = Appointment {
        id: Uuid::now_v7(),
        person_id: input.person_id,
        access_id: None,
        operator_id: operator.id,
        operator_name: operator.full_name,
        start: input.start,
        duration_minutes: duration,
        place,
        purpose,
        cancelled: false,
        created_at: Utc::now(),
    };
    state
        .store
        .create_appointment(&appointment, &auth.user.username)?;
    Ok(HttpResponse::Created().json(Created {
        id: appointment.id,
        warnings: vec![],
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
    require_desk(&auth)?;
    let id = path.into_inner();
    state.store.person(id)?.ok_or_else(ApiError::not_found)?;
    let list = state.store.appointments_of(id)?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "person.view", id.to_string())
            .details(format!("appuntamenti (API): {}", list.len())),
    )?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(appointment_json).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    require_desk(&auth)?;
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
    let list = state.store.appointments_between(start, end)?;
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "appointment.list",
            from.to_string(),
        )
        .details(format!("fino al {to}: {} (API)", list.len())),
    )?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(appointment_json).collect::<Vec<_>>()))
}
