//! Persons through the API: register, read (audited), search.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Created;
use crate::app::{self, persons::Warnings};
use crate::domain::person::{Person, PersonForm};
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

/// A person to register. Codes and names as on the desk's forms.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Optional: without it a temporary code is assigned.
    #[serde(default)]
    pub codice_fiscale: Option<String>,
    pub surname: String,
    pub given_names: String,
    /// "M" or "F".
    #[serde(default)]
    pub sex: Option<String>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Comune or foreign state: Belfiore code (e.g. L425, Z129), ISTAT code, or name.
    #[serde(default)]
    pub birth_place: Option<String>,
    /// "IT" (or "italiana"), a state's Belfiore code or name, or "APOLIDE".
    #[serde(default)]
    pub citizenship: Option<String>,
    /// ISTAT code (6 digits) or name of the comune of residence.
    #[serde(default)]
    pub residence_istat: Option<String>,
    #[serde(default)]
    pub domicile_istat: Option<String>,
    #[serde(default)]
    pub homeless: bool,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Register even if a person with the same birth date and a close name exists.
    #[serde(default)]
    pub confirm_new: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdJson {
    pub person_id: Option<Uuid>,
    pub name: String,
    pub relation: String,
    pub birth_year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub id: Uuid,
    pub codice_fiscale: Option<String>,
    pub temporary_code: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub sex: Option<super::wire::SexJson>,
    pub birth_date: Option<NaiveDate>,
    /// Belfiore code.
    pub birth_place: Option<String>,
    pub birth_place_name: Option<String>,
    pub citizenship: Option<String>,
    pub residence_istat: Option<String>,
    pub domicile_istat: Option<String>,
    pub homeless: bool,
    pub phone: String,
    pub email: String,
    pub language: String,
    pub household: Vec<HouseholdJson>,
    /// Processing restricted (art. 18): the record may be read, not used or changed.
    pub restricted: bool,
}

impl PersonJson {
    pub fn of(p: Person, state: &AppState) -> Self {
        let places = state.reference.places();
        PersonJson {
            restricted: p.is_restricted(),
            id: p.id,
            codice_fiscale: p.codice_fiscale.map(|c| c.to_string()),
            temporary_code: p.temporary_code,
            surname: p.surname,
            given_names: p.given_names,
            sex: p.sex.map(Into::into),
            birth_date: p.birth_date,
            birth_place_name: p
                .birth_place
                .as_deref()
                .map(|c| places.birth_place_label(c)),
            birth_place: p.birth_place,
            citizenship: p.citizenship,
            residence_istat: p.residence_istat,
            domicile_istat: p.domicile_istat,
            homeless: p.homeless,
            phone: p.phone,
            email: p.email,
            language: p.language,
            household: p
                .household
                .into_iter()
                .map(|m| HouseholdJson {
                    person_id: m.person_id,
                    name: m.name,
                    relation: m.relation,
                    birth_year: m.birth_year,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonHit {
    pub id: Uuid,
    pub surname: String,
    pub given_names: String,
    pub codice_fiscale: Option<String>,
    pub temporary_code: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Higher is better: exact words beat beginnings, which beat typos.
    pub score: u32,
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// Register a person.
#[utoipa::path(
    post,
    path = "/api/v1/persons",
    request_body = PersonInput,
    responses(
        (status = 201, body = Created),
        (status = 409, body = crate::web::error::ErrorBody, description = "The code belongs to a registered person (`error.existing_id`), or a close name with the same birth date exists (`possible_duplicate`)"),
        (status = 422, body = crate::web::error::ErrorBody, description = "Invalid field, named in `error.field`")
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create(
    auth: ApiAuth,
    state: web::Data<AppState>,
    body: web::Json<PersonInput>,
) -> Result<HttpResponse, ApiError> {
    let form = person_form(body.into_inner());
    let new = app::persons::NewPerson {
        form: form.0,
        confirm_new: form.1,
        warnings: Warnings::Return,
    };
    let r = app::persons::register(&auth.ctx(&state), new)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/persons/{}", r.person.id)))
        .json(Created {
            id: r.person.id,
            warnings: r.warnings,
        }))
}

/// Correct a person's data (the whole record, as on the form); the change is kept in the
/// person's history. Refused for a restricted person.
#[utoipa::path(
    put,
    path = "/api/v1/persons/{id}",
    params(("id" = Uuid, Path)),
    request_body = PersonInput,
    responses(
        (status = 200, body = Created),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "Restricted (art. 18)"),
        (status = 422, body = crate::web::error::ErrorBody)
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn update(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<PersonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (form, _) = person_form(body.into_inner());
    app::persons::update(&auth.ctx(&state), id, &form, Warnings::Return)?;
    Ok(HttpResponse::Ok().json(Created {
        id,
        warnings: vec![],
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// `reminders` (appointment reminders) or `third_sector` (sharing with third-sector bodies).
    pub purpose: String,
    /// `true` gives the consent, `false` withdraws it (at once).
    pub given: bool,
}

/// Give or withdraw a consent, as on the person's page.
#[utoipa::path(post, path = "/api/v1/persons/{id}/consents", params(("id" = Uuid, Path)),
    request_body = ConsentInput,
    responses((status = 200, body = Created), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn consent(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<ConsentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    app::privacy::consent(&auth.ctx(&state), id, &body.purpose, body.given)?;
    Ok(HttpResponse::Ok().json(Created {
        id,
        warnings: vec![],
    }))
}

/// The form a person's JSON fills, and whether a new registration was confirmed.
fn person_form(input: PersonInput) -> (PersonForm, bool) {
    let form = PersonForm {
        codice_fiscale: opt(&input.codice_fiscale),
        surname: input.surname,
        given_names: input.given_names,
        sex: opt(&input.sex),
        birth_date: opt(&input.birth_date),
        birth_place: opt(&input.birth_place),
        citizenship: opt(&input.citizenship),
        residence_istat: opt(&input.residence_istat),
        domicile_istat: opt(&input.domicile_istat),
        homeless: input.homeless,
        phone: opt(&input.phone),
        email: opt(&input.email),
        language: opt(&input.language),
        household: Vec::new(),
    };
    (form, input.confirm_new)
}

/// Read a person (the read is audited).
#[utoipa::path(
    get,
    path = "/api/v1/persons/{id}",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = PersonJson), (status = 404, body = crate::web::error::ErrorBody),
        (status = 308, description = "The record was merged: Location is the record kept")),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn get(
    auth: ApiAuth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let person = match app::persons::read(&auth.ctx(&state), path.into_inner(), "API") {
        // A record merged into another: its id leads to the one kept.
        Err(crate::app::AppError::Moved(into)) => {
            return Ok(HttpResponse::PermanentRedirect()
                .insert_header(("Location", format!("/api/v1/persons/{into}")))
                .finish())
        }
        other => other?,
    };
    Ok(HttpResponse::Ok().json(PersonJson::of(person, &state)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A codice fiscale (or its beginning), a temporary code, or words of the name.
    #[serde(default)]
    pub q: String,
}

/// Search persons; results ranked best first (the search is audited).
#[utoipa::path(
    get,
    path = "/api/v1/persons",
    params(SearchParams),
    responses((status = 200, body = Vec<PersonHit>)),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn search(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.q.trim();
    if q.is_empty() {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "Indicare il testo da cercare nel parametro q.",
        );
        e.field = Some("q".into());
        return Err(e);
    }
    let hits = app::persons::search(&auth.ctx(&state), q)?;
    let out: Vec<PersonHit> = hits
        .into_iter()
        .map(|h| PersonHit {
            id: h.person.id,
            codice_fiscale: h.person.codice_fiscale.map(|c| c.to_string()),
            temporary_code: h.person.temporary_code,
            surname: h.person.surname,
            given_names: h.person.given_names,
            birth_date: h.person.birth_date,
            score: h.score,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.post("/api/v1/persons", Gate::Desk, create);
    r.get("/api/v1/persons", Gate::Desk, search);
    r.get("/api/v1/persons/{id}", Gate::Desk, get);
    r.put("/api/v1/persons/{id}", Gate::Desk, update);
    r.post("/api/v1/persons/{id}/consents", Gate::Desk, consent);
}
