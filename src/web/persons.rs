//! Person pages: search, register, view (audited), edit with history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Local, Utc};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::persons::{form_of, FormMode};
use crate::domain::audit::AuditEvent;
use crate::domain::person::{new_temporary_code, HouseholdForm, PersonForm};
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::store::StoreError;

/// Roles that work with personal records at the desk.
pub const DESK_ROLES: [Role; 3] = [Role::Operatore, Role::AssistenteSociale, Role::Responsabile];

pub fn require_desk(auth: &Auth) -> Result<(), PageError> {
    if auth.user.has_any_role(&DESK_ROLES) {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

/// The person fields of a submitted form.
pub fn person_form(f: &Fields) -> PersonForm {
    let names = f.all("hh_name");
    let relations = f.all("hh_relation");
    let years = f.all("hh_year");
    let codes = f.all("hh_code");
    PersonForm {
        codice_fiscale: f.get("codice_fiscale").to_string(),
        surname: f.get("surname").to_string(),
        given_names: f.get("given_names").to_string(),
        sex: f.get("sex").to_string(),
        birth_date: f.get("birth_date").to_string(),
        birth_place: f.get("birth_place").to_string(),
        citizenship: f.get("citizenship").to_string(),
        residence_istat: f.get("residence_istat").to_string(),
        domicile_istat: f.get("domicile_istat").to_string(),
        homeless: f.get("homeless") == "1",
        phone: f.get("phone").to_string(),
        email: f.get("email").to_string(),
        language: f.get("language").to_string(),
        household: names
            .iter()
            .enumerate()
            .map(|(i, name)| HouseholdForm {
                name: name.to_string(),
                relation: relations.get(i).unwrap_or(&"").to_string(),
                birth_year: years.get(i).unwrap_or(&"").to_string(),
                code: codes.get(i).unwrap_or(&"").to_string(),
            })
            .collect(),
    }
}

/// Links household rows whose code belongs to a registered person; unknown codes are errors.
pub fn link_household(
    state: &AppState,
    data: &mut crate::domain::person::PersonData,
) -> Result<(), PageError> {
    let mut invalid = Invalid::new();
    for (row, code) in std::mem::take(&mut data.household_links) {
        match state.store.person_by_code(&code)? {
            Some(p) => {
                if let Some(m) = data.household.get_mut(row) {
                    m.person_id = Some(p.id);
                }
            }
            None => invalid.add(
                "household",
                format!("Nessuna persona registrata con il codice {code}."),
            ),
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(PageError::Invalid(invalid))
    }
}

/// Audits that these persons were shown (search results, possible duplicates, forms), by id only.
pub fn audit_shown(
    state: &AppState,
    actor: &str,
    persons: &[crate::domain::person::Person],
    context: &str,
) -> Result<(), PageError> {
    if persons.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = persons.iter().map(|p| p.id.to_string()).collect();
    state
        .store
        .audit(AuditEvent::new(actor, "person.view", context).details(ids.join(" ")))?;
    Ok(())
}

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let q = query.q.trim();
    let hits = if q.is_empty() {
        Vec::new()
    } else {
        // Restricted persons only appear when asked for by their exact code (art. 18).
        let hits: Vec<_> = state
            .store
            .search_persons(q, 50)?
            .into_iter()
            .filter(|h| !h.person.is_restricted() || h.score >= 120)
            .collect();
        // The typed text may itself be personal: the audit keeps which records were shown.
        let shown: Vec<_> = hits.iter().map(|h| h.person.clone()).collect();
        audit_shown(&state, &auth.user.username, &shown, "ricerca")?;
        hits
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::search_page(
        &chrome,
        q,
        &hits,
        &state.reference,
    )))
}

pub async fn new_form(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::form_page(
        &chrome,
        &FormMode::New,
        &PersonForm::default(),
        &Invalid::new(),
        &[],
        &[],
        &state.reference,
    )))
}

/// Whether the form has warnings the user has not been shown yet (then it is shown again with them).
fn warnings_unseen(form: &Fields, warnings: &[String]) -> bool {
    !warnings.is_empty()
        && form.get("warnings_seen") != crate::domain::person::warnings_fingerprint(warnings)
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let values = person_form(&form);
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    let render =
        |status, invalid: &Invalid, dups: &[crate::domain::person::Person], warnings: &[String]| {
            html(
                status,
                views::persons::form_page(
                    &chrome,
                    &FormMode::New,
                    &values,
                    invalid,
                    dups,
                    warnings,
                    &state.reference,
                ),
            )
        };
    let mut data = match values.validate(&state.reference.places(), Local::now().date_naive()) {
        Ok(d) => d,
        Err(invalid) => return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &invalid, &[], &[])),
    };
    match link_household(&state, &mut data) {
        Err(PageError::Invalid(invalid)) => {
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &invalid, &[], &[]))
        }
        other => other?,
    }
    let duplicates = state.store.possible_duplicates(&data)?;
    if let Some(same) = duplicates
        .iter()
        .find(|p| p.codice_fiscale.is_some() && p.codice_fiscale == data.codice_fiscale)
    {
        return Ok(see_other(&format!("/persone/{}?avviso=esistente", same.id)));
    }
    let unseen_warnings = warnings_unseen(&form, &data.warnings);
    if !duplicates.is_empty() && form.get("confirm_new") != "1" {
        audit_shown(
            &state,
            &auth.user.username,
            &duplicates,
            "possibili doppioni",
        )?;
        return Ok(render(
            StatusCode::CONFLICT,
            &Invalid::new(),
            &duplicates,
            &data.warnings,
        ));
    }
    if unseen_warnings {
        return Ok(render(StatusCode::OK, &Invalid::new(), &[], &data.warnings));
    }
    let person = data.into_new_person(new_temporary_code(), Utc::now());
    match state.store.create_person(&person, &auth.user.username) {
        Ok(()) => Ok(see_other(&format!("/persone/{}?avviso=creata", person.id))),
        Err(StoreError::DuplicateCode(id)) => {
            Ok(see_other(&format!("/persone/{id}?avviso=esistente")))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn view(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let person = state.store.person(id)?.ok_or(PageError::NotFound)?;
    let accesses = state.store.accesses_of(id)?;
    let appointments = state.store.appointments_of(id)?;
    let history = state.store.person_history(id)?;
    let referrals = state.store.referrals_of_person(id)?;
    state.store.audit(AuditEvent::new(
        auth.user.username.clone(),
        "person.view",
        id.to_string(),
    ))?;
    let notice = match query.avviso.as_str() {
        "creata" => Some("Persona registrata."),
        "esistente" => {
            Some("Questa persona era già registrata con lo stesso codice: ecco la sua scheda.")
        }
        "modificata" => Some("Dati aggiornati; la modifica è nello storico."),
        "informativa" => Some("Consegna dell'informativa privacy registrata."),
        "consenso" => Some("Consenso aggiornato."),
        "limitata" => Some(
            "Trattamento limitato: la scheda non può più essere usata finché la limitazione resta.",
        ),
        "sbloccata" => Some("Limitazione del trattamento tolta."),
        _ => None,
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::person_page(
        &chrome,
        &person,
        &accesses,
        &appointments,
        &history,
        &referrals,
        &state.reference,
        notice,
    )))
}

pub async fn edit_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let person = state.store.person(id)?.ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "person.view", id.to_string())
            .details("modifica"),
    )?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::form_page(
        &chrome,
        &FormMode::Edit(id),
        &form_of(&person),
        &Invalid::new(),
        &[],
        &[],
        &state.reference,
    )))
}

pub async fn update(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    state.store.person(id)?.ok_or(PageError::NotFound)?;
    let values = person_form(&form);
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    let render_with = |status, invalid: &Invalid, warnings: &[String]| {
        html(
            status,
            views::persons::form_page(
                &chrome,
                &FormMode::Edit(id),
                &values,
                invalid,
                &[],
                warnings,
                &state.reference,
            ),
        )
    };
    let render = |invalid: &Invalid| render_with(StatusCode::UNPROCESSABLE_ENTITY, invalid, &[]);
    let mut data = match values.validate(&state.reference.places(), Local::now().date_naive()) {
        Ok(d) => d,
        Err(invalid) => return Ok(render(&invalid)),
    };
    match link_household(&state, &mut data) {
        Err(PageError::Invalid(invalid)) => return Ok(render(&invalid)),
        other => other?,
    }
    if warnings_unseen(&form, &data.warnings) {
        return Ok(render_with(StatusCode::OK, &Invalid::new(), &data.warnings));
    }
    match state.store.update_person(id, data, &auth.user.username) {
        Ok(_) => Ok(see_other(&format!("/persone/{id}?avviso=modificata"))),
        Err(StoreError::Conflict(_)) => Err(PageError::Restricted),
        Err(StoreError::DuplicateCode(other)) => Ok(render(&Invalid::one(
            "codice_fiscale",
            format!("Questo codice appartiene già a un'altra persona registrata (scheda /persone/{other})."),
        ))),
        Err(e) => Err(e.into()),
    }
}
