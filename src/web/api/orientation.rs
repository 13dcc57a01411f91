//! Orientation through the API: the directory (search, HSDS import/export, edit), referrals,
//! the orientation sheet, the privacy notice record.

use crate::web::routes::{Gate, Routes};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::{Local, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::wire::{ReferralStatusJson, StatusChangeJson};
use super::{invalid_error, Created};
use crate::app;
use crate::app::referrals::{NewReferral, Step};
use crate::domain::instance::InstanceRole;
use crate::domain::referral::ReferralStatus;
use crate::domain::Invalid;
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Words of the name, description or organization.
    #[serde(default)]
    pub q: String,
    /// Area code.
    #[serde(default)]
    pub area: String,
    /// Need category code.
    #[serde(default)]
    pub category: String,
    /// ISTAT code of a comune served.
    #[serde(default)]
    pub comune: String,
    /// The person's age.
    #[serde(default)]
    pub age: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceSummary {
    pub id: Uuid,
    pub name: String,
    pub organization: String,
    pub status: String,
    pub areas: Vec<String>,
    pub categories: Vec<String>,
    pub comuni_served: Vec<String>,
    pub minimum_age: Option<u32>,
    pub maximum_age: Option<u32>,
    pub phones: Vec<String>,
    pub email: String,
    pub verified_on: Option<NaiveDate>,
    /// Not verified for 12 months.
    pub needs_verification: bool,
    pub example_data: bool,
}

/// Search the service directory.
#[utoipa::path(get, path = "/api/v1/services", params(ServiceQuery),
    responses((status = 200, body = Vec<ServiceSummary>)), security(("bearer" = []), ("cookie" = [])))]
pub async fn services(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<ServiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let found = crate::app::directory::search(
        &auth.ctx(&state),
        &crate::app::directory::ServiceSearch {
            q: query.q.clone(),
            area: query.area.clone(),
            category: query.category.clone(),
            comune: query.comune.clone(),
            age: query.age,
        },
    )?;
    let today = Local::now().date_naive();
    let out: Vec<ServiceSummary> = found
        .services()
        .map(|s| ServiceSummary {
            id: s.id,
            name: s.name.clone(),
            organization: found
                .organization_of(s)
                .map_or(String::new(), |o| o.name.clone()),
            status: s.status.hsds().to_string(),
            areas: s.areas.clone(),
            categories: s.categories.clone(),
            comuni_served: s.comuni_served.clone(),
            minimum_age: s.min_age,
            maximum_age: s.max_age,
            phones: s.phones.clone(),
            email: s.email.clone(),
            verified_on: s.verified_on,
            needs_verification: s.needs_verification(today),
            example_data: s.example,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Add a service (an HSDS 3.0 service object, "sportello-1" profile); responsabile only.
#[utoipa::path(post, path = "/api/v1/services", request_body = Object,
    responses((status = 201, body = Created), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_service(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = crate::app::directory::create_hsds(&auth.ctx(&state), &body)?;
    Ok(HttpResponse::Created().json(Created {
        id,
        warnings: vec![],
    }))
}

/// Replace a service (HSDS 3.0 service object whose id is the one in the path); responsabile only.
#[utoipa::path(put, path = "/api/v1/services/{id}", params(("id" = Uuid, Path)), request_body = Object,
    responses((status = 200, body = Created), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_service(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    crate::app::directory::replace_hsds(&auth.ctx(&state), id, &body)?;
    Ok(HttpResponse::Ok().json(Created {
        id,
        warnings: vec![],
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `true`: for publishing, without confidential locations.
    #[serde(default)]
    pub public: bool,
}

/// The whole directory as HSDS 3.0 JSON (`?public=true`: without confidential locations).
#[utoipa::path(get, path = "/api/v1/directory.hsds.json", params(ExportQuery),
    responses((status = 200, body = Object)), security(("bearer" = []), ("cookie" = [])))]
pub async fn export_directory(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let doc = crate::app::directory::export(&auth.ctx(&state), query.public, "API")?;
    Ok(HttpResponse::Ok().json(doc))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub organizations: usize,
    pub services: usize,
}

/// Import an HSDS 3.0 JSON directory (adds or replaces by id); every record is checked first and
/// nothing changes if one is bad (422 with every problem in `error.details`). Responsabile only.
#[utoipa::path(post, path = "/api/v1/directory.hsds.json", request_body = Object,
    responses((status = 200, body = ImportResult), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn import_directory(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let dir = crate::app::directory::import(&auth.ctx(&state), &body, "API")?;
    Ok(HttpResponse::Ok().json(ImportResult {
        organizations: dir.organizations.len(),
        services: dir.services.len(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    pub access_id: Uuid,
    /// A service id, or "ssp" for the Ambito's Servizio Sociale Professionale.
    pub target: String,
    pub reason: String,
    /// Urgency code; default "ordinary".
    #[serde(default)]
    pub urgency: Option<String>,
    /// Create as `bozza` instead of `inviato`.
    #[serde(default)]
    pub draft: bool,
    /// Required to send when the person's privacy notice is not on record.
    #[serde(default)]
    pub privacy_override: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralJson {
    pub id: Uuid,
    pub status: ReferralStatusJson,
    pub access_id: Uuid,
    pub person_id: Uuid,
    pub person_name: Option<String>,
    pub target: String,
    pub target_name: String,
    pub reason: String,
    pub urgency: String,
    pub overdue: bool,
    pub history: Vec<StatusChangeJson>,
    /// Set when the district's answer overruled the status the desk had.
    pub district_notice: Option<String>,
}

/// Refer the person of an access to a service or to the SSP.
#[utoipa::path(post, path = "/api/v1/referrals", request_body = ReferralInput,
    responses((status = 201, body = Created), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_referral(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<ReferralInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let values = NewReferral {
        target: input.target,
        reason: input.reason,
        urgency: input.urgency.unwrap_or_default(),
        draft: input.draft,
        privacy_override: input.privacy_override.unwrap_or_default(),
    };
    let referral = app::referrals::create(&auth.ctx(&state), input.access_id, &values)?;
    Ok(HttpResponse::Created().json(Created {
        id: referral.id,
        warnings: vec![],
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// bozza, inviato, ricevuto, accettato, respinto or chiuso.
    #[serde(default)]
    pub status: Option<String>,
}

/// A referral received at the district from a desk, with the person data the district may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceivedReferralJson {
    pub id: Uuid,
    pub status: ReferralStatusJson,
    /// ISTAT code of the sending comune.
    pub comune_istat: String,
    pub comune_name: String,
    pub received_at: chrono::DateTime<Utc>,
    pub reason: String,
    pub urgency: String,
    pub person_codice_fiscale: Option<String>,
    pub person_surname: String,
    pub person_given_names: String,
    pub person_birth_date: Option<NaiveDate>,
    pub person_phone: String,
    /// The district's decisions, oldest first.
    pub decisions: Vec<StatusChangeJson>,
}

fn received_json(e: crate::domain::district::InboxReferral) -> ReceivedReferralJson {
    let p = e.record.person;
    ReceivedReferralJson {
        id: e.record.referral.id,
        status: e.status.into(),
        comune_istat: e.comune_istat,
        comune_name: e.comune_name,
        received_at: e.received_at,
        reason: e.record.referral.reason,
        urgency: e.record.referral.urgency,
        person_codice_fiscale: p.codice_fiscale,
        person_surname: p.surname,
        person_given_names: p.given_names,
        person_birth_date: p.birth_date,
        person_phone: p.phone,
        decisions: e.decisions.into_iter().map(Into::into).collect(),
    }
}

/// At a desk: its referrals, newest first (optionally of one status), with the person's name;
/// at the district: the referrals received from the desks (`ReceivedReferralJson`).
#[utoipa::path(get, path = "/api/v1/referrals", params(ReferralQuery),
    responses((status = 200, body = Vec<ReferralJson>, description = "At a desk; at the district the items are ReceivedReferralJson"), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn referrals(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<ReferralQuery>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(code) => Some(ReferralStatus::from_code(code).ok_or_else(|| {
            invalid_error(&Invalid::one(
                "status",
                "Stato sconosciuto: bozza, inviato, ricevuto, accettato, respinto o chiuso.",
            ))
        })?),
    };
    let ctx = auth.ctx(&state);
    if auth.actor.mode == Some(InstanceRole::District) {
        let (entries, _) = app::district::inbox(&ctx, " (API)")?;
        let out: Vec<ReceivedReferralJson> = entries
            .into_iter()
            .filter(|e| status.is_none_or(|s| e.status == s))
            .map(received_json)
            .collect();
        return Ok(HttpResponse::Ok().json(out));
    }
    let (rows, _) = app::referrals::list(&ctx, status, " (API)")?;
    let out: Vec<ReferralJson> = rows
        .into_iter()
        .map(|(r, person, overdue)| referral_json(r, person, overdue))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

fn referral_json(
    r: crate::domain::referral::Referral,
    person: Option<crate::domain::person::Person>,
    overdue: bool,
) -> ReferralJson {
    ReferralJson {
        overdue,
        person_name: person.map(|p| p.display_name()),
        target: match r.target {
            crate::domain::referral::Target::Ssp => "ssp".into(),
            crate::domain::referral::Target::Service(id) => id.to_string(),
        },
        id: r.id,
        status: r.status.into(),
        access_id: r.access_id,
        person_id: r.person_id,
        target_name: r.target_name,
        reason: r.reason,
        urgency: r.urgency,
        history: r.history.into_iter().map(Into::into).collect(),
        district_notice: r.district_notice,
    }
}

/// One referral sent by the desk, with its history (the read is audited).
#[utoipa::path(get, path = "/api/v1/referrals/{id}", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReferralJson), (status = 404, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn referral(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let file = app::referrals::detail(&auth.ctx(&state), path.into_inner())?;
    Ok(HttpResponse::Ok().json(referral_json(file.referral, file.person, file.overdue)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnmetRowJson {
    pub area: String,
    pub category: String,
    /// ISTAT code of the comune of residence (empty: not known).
    pub comune_istat: String,
    pub reason: String,
    pub count: usize,
}

/// Unmet needs counted by area, need, comune and reason (no personal data), as on the page.
#[utoipa::path(get, path = "/api/v1/unmet-needs",
    responses((status = 200, body = Vec<UnmetRowJson>)), security(("bearer" = []), ("cookie" = [])))]
pub async fn unmet_needs(
    auth: ApiAuth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows: Vec<UnmetRowJson> = app::directory::unmet(&auth.ctx(&state))?
        .into_iter()
        .map(|r| UnmetRowJson {
            area: r.area,
            category: r.category,
            comune_istat: r.comune,
            reason: r.reason,
            count: r.count,
        })
        .collect();
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// Exactly one of bozza, inviato, ricevuto, accettato, respinto, chiuso.
    pub status: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub privacy_override: Option<String>,
}

/// Move a referral one step along bozza → inviato → ricevuto → accettato | respinto → chiuso. At a
/// desk, a referral to the Servizio Sociale Professionale is only sent or closed as a draft (the
/// district answers it); at the district, this records the district's decision.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", params(("id" = Uuid, Path)), request_body = StatusInput,
    responses((status = 200, body = Created), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn referral_status(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<StatusInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = body.into_inner();
    let ctx = auth.ctx(&state);
    if auth.actor.mode == Some(InstanceRole::District) {
        app::district::decide(&ctx, id, &input.status, &input.note)?;
    } else {
        let step = Step {
            status: &input.status,
            note: &input.note,
            privacy_override: input.privacy_override.as_deref().unwrap_or(""),
        };
        app::referrals::advance(&ctx, id, step)?;
    }
    Ok(HttpResponse::Ok().json(Created {
        id,
        warnings: vec![],
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// it or en.
    #[serde(default)]
    pub lang: Option<String>,
}

/// The orientation sheet of an access (PDF).
#[utoipa::path(get, path = "/api/v1/accesses/{id}/orientation.pdf", params(("id" = Uuid, Path), LangParams),
    responses((status = 200, content_type = "application/pdf", description = "The sheet"), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn orientation_pdf(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<LangParams>,
) -> Result<HttpResponse, ApiError> {
    let lang = query.lang.clone().unwrap_or_else(|| "it".into());
    let bytes =
        crate::web::documents::orientation_sheet(&state, &auth.actor, path.into_inner(), &lang)
            .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .body(bytes))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// "signed" (on paper) or "oral" (read aloud).
    pub method: String,
    /// Version of the notice text; default the current one.
    #[serde(default)]
    pub version: Option<String>,
}

/// Record that the privacy notice (GDPR art. 13) was given to the person.
#[utoipa::path(post, path = "/api/v1/persons/{id}/privacy-notice", params(("id" = Uuid, Path)), request_body = NoticeInput,
    responses((status = 200, body = Created), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn privacy_notice(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<NoticeInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let input = body.into_inner();
    crate::app::privacy::record_notice(
        &auth.ctx(&state),
        id,
        &input.method,
        input.version.as_deref(),
    )?;
    Ok(HttpResponse::Ok().json(Created {
        id,
        warnings: vec![],
    }))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/api/v1/services", Gate::Directory, services);
    r.post("/api/v1/services", Gate::Responsabile, create_service);
    r.put("/api/v1/services/{id}", Gate::Responsabile, update_service);
    r.post("/api/v1/referrals", Gate::Desk, create_referral);
    r.get("/api/v1/referrals", Gate::Referrals, referrals);
    r.get("/api/v1/referrals/{id}", Gate::Desk, referral);
    r.get("/api/v1/unmet-needs", Gate::Desk, unmet_needs);
    r.post(
        "/api/v1/referrals/{id}/status",
        Gate::Referrals,
        referral_status,
    );
    r.get(
        "/api/v1/accesses/{id}/orientation.pdf",
        Gate::Desk,
        orientation_pdf,
    );
    r.post(
        "/api/v1/persons/{id}/privacy-notice",
        Gate::Desk,
        privacy_notice,
    );
    // A whole directory is larger than any other request body.
    let limit = 32 * 1024 * 1024;
    r.large(
        Method::GET,
        "/api/v1/directory.hsds.json",
        Gate::Directory,
        export_directory,
        limit,
    );
    r.large(
        Method::POST,
        "/api/v1/directory.hsds.json",
        Gate::Responsabile,
        import_directory,
        limit,
    );
}
