//! The JSON API under /api/v1, described by the OpenAPI document it serves.

pub mod accesses;
pub mod agenda;
pub mod corrections;
pub mod documents;
pub mod merges;
pub mod orientation;
pub mod orientation_access;
pub mod persons;
pub mod privacy;
pub mod statistics;
pub mod wire;

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ErrorBody, ErrorDetail, FieldProblem};
use super::session::{ApiAuth, SESSION_COOKIE};
use super::state::AppState;
use crate::domain::Invalid;

/// The id of a record just created, and anything worth checking about it.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
    /// Accepted, but worth a look (e.g. an ISTAT code newer than the shipped list).
    pub warnings: Vec<String>,
}

/// 422 naming the first bad field, with every problem in `details`.
pub fn invalid_error(invalid: &Invalid) -> ApiError {
    ApiError::invalid(invalid)
}

/// The controlled vocabularies: stable codes and Italian labels.
#[utoipa::path(get, path = "/api/v1/vocabularies", responses((status = 200, body = wire::VocabulariesJson)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn vocabularies(_auth: ApiAuth, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(wire::VocabulariesJson::from(&state.reference.vocab))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always "ok" when the server answers.
    pub status: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ComuneJson {
    /// ISTAT code, 6 digits.
    pub istat: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct AmbitoJson {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct InstanceJson {
    pub id: Uuid,
    /// `desk` or `district`.
    pub role: String,
    pub comune: ComuneJson,
    pub ambito: AmbitoJson,
}

/// The authenticated user and the installation.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    /// Role codes: operatore, assistente_sociale, responsabile, amministratore.
    pub roles: Vec<String>,
    pub instance: Option<InstanceJson>,
}

/// Liveness and version; no authentication.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Who is calling.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    responses(
        (status = 200, body = Me),
        (status = 401, body = ErrorBody, description = "No valid token or session")
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn me(auth: ApiAuth, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let instance = state.store.instance()?.map(|i| InstanceJson {
        id: i.id,
        role: i.role.code().to_string(),
        comune: ComuneJson {
            istat: i.comune.istat,
            name: i.comune.name,
        },
        ambito: AmbitoJson {
            code: i.ambito.code,
            name: i.ambito.name,
        },
    });
    Ok(HttpResponse::Ok().json(Me {
        id: auth.user.id,
        username: auth.user.username,
        full_name: auth.user.full_name,
        roles: auth
            .user
            .roles
            .iter()
            .map(|r| r.code().to_string())
            .collect(),
        instance,
    }))
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "Browser session; state-changing calls must also send the X-CSRF-Token header.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sportello API",
        description = "API JSON di Sportello (Segretariato Sociale). Errori: {\"error\": {\"code\", \"message\", \"field\"}}."
    ),
    paths(
        healthz,
        me,
        vocabularies,
        persons::create,
        persons::get,
        persons::search,
        accesses::create,
        accesses::get,
        accesses::reserved_notes,
        accesses::of_person,
        accesses::create_appointment,
        accesses::appointments_of_person,
        accesses::appointments,
        orientation::services,
        orientation::create_service,
        orientation::update_service,
        orientation::export_directory,
        orientation::import_directory,
        orientation::create_referral,
        orientation::referrals,
        orientation::referral_status,
        orientation::orientation_pdf,
        orientation_access::suggestions,
        orientation_access::choose,
        orientation_access::remove,
        orientation_access::unmet, orientation_access::complaint,
        orientation::privacy_notice,
        privacy::report_json,
        privacy::report_pdf_api,
        statistics::statistics, statistics::statistics_first_name, statistics::statistics_csv, statistics::statistics_report,
        persons::update,
        persons::consent,
        agenda::cancel,
        agenda::restore,
        agenda::outcome,
        agenda::move_to,
        orientation::referral,
        orientation::unmet_needs,
        documents::promemoria,
        documents::referral_letter,
        documents::privacy_notice,
        documents::appointment_reminder,
        corrections::edit,
        corrections::identify,
        merges::merge,
        merges::undo
    ),
    components(schemas(
        Health, Me, InstanceJson, ComuneJson, AmbitoJson, ErrorBody, ErrorDetail, FieldProblem, Created,
        wire::VocabulariesJson, wire::TermJson, wire::SexJson, wire::NeedJson,
        wire::AnonymousProfileJson, wire::ReferralStatusJson, wire::StatusChangeJson,
        persons::PersonInput, persons::PersonJson, persons::HouseholdJson, persons::PersonHit,
        accesses::AccessInput, accesses::AnonymousInput, wire::AccessJson, accesses::ReservedNotes,
        accesses::AppointmentInput, wire::AppointmentJson,
        orientation::ServiceSummary, orientation::ImportResult, orientation::ReferralInput, orientation::ReferralJson,
        statistics::StatisticsJson, statistics::TableJson, statistics::RowJson, statistics::PeriodJson, statistics::ReferralLineJson, statistics::FiguresJson, statistics::GrowthJson, statistics::MonthJson,
        persons::ConsentInput, orientation::UnmetRowJson,
        orientation::StatusInput, orientation::NoticeInput, orientation::ReceivedReferralJson,
        orientation_access::SuggestionJson, orientation_access::NeedSuggestionsJson, orientation_access::OrientationJson,
        orientation_access::ChooseInput, orientation_access::Chosen, orientation_access::UnmetInput, orientation_access::ComplaintInput,
        corrections::AccessCorrection, corrections::AccessPerson, corrections::CorrectionJson,
        corrections::FieldChangeJson, agenda::CancelInput, agenda::OutcomeInput, agenda::MoveInput,
        agenda::Moved, merges::MergeInput, merges::MergeJson
    )),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found())
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/healthz", Gate::Open, healthz);
    r.get("/api/v1/me", Gate::User, me);
    r.get("/api/v1/vocabularies", Gate::User, vocabularies);
    r.get("/api/v1/openapi.json", Gate::Open, openapi);
}
