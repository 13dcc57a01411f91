//! Person pages: search, register, view (audited), edit with history.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::persons::{form_of, FormMode};
use crate::app::{self, persons::Warnings, AppError};
use crate::domain::person::{HouseholdForm, PersonForm};
use crate::domain::Invalid;

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
            // The form always offers two blank rows: those left blank are not rows at all,
            // or every failed submit would add two more.
            .filter(|m| {
                [&m.name, &m.relation, &m.birth_year, &m.code]
                    .iter()
                    .any(|v| !v.trim().is_empty())
            })
            .collect(),
    }
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
    let hits = app::persons::search(&auth.ctx(&state), &query.q)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::search_page(
        &chrome,
        query.q.trim(),
        &hits,
        &state.reference,
    )))
}

pub async fn new_form(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    auth.desk()?;
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

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let values = person_form(&form);
    let input = app::persons::NewPerson {
        form: values.clone(),
        confirm_new: form.get("confirm_new") == "1",
        warnings: Warnings::ConfirmFirst(form.get("warnings_seen")),
    };
    let (status, invalid, duplicates, warnings) =
        match app::persons::register(&auth.ctx(&state), input) {
            Ok(r) => {
                return Ok(see_other(&format!(
                    "/persone/{}?avviso=creata",
                    r.person.id
                )))
            }
            Err(AppError::ExistingPerson(p)) => {
                return Ok(see_other(&format!("/persone/{}?avviso=esistente", p.id)))
            }
            Err(AppError::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, i, vec![], vec![]),
            Err(AppError::PossibleDuplicate(d)) => {
                let warnings = warnings_of(&state, &auth, &values);
                (StatusCode::CONFLICT, Invalid::new(), d, warnings)
            }
            Err(AppError::UnseenWarnings(w)) => (StatusCode::OK, Invalid::new(), vec![], w),
            Err(e) => return Err(e.into()),
        };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(html(
        status,
        views::persons::form_page(
            &chrome,
            &FormMode::New,
            &values,
            &invalid,
            &duplicates,
            &warnings,
            &state.reference,
        ),
    ))
}

/// The warnings about typed values, shown with the possible duplicates.
fn warnings_of(state: &AppState, auth: &Auth, values: &PersonForm) -> Vec<String> {
    app::persons::checked_data(&auth.ctx(state), values)
        .map(|d| d.warnings)
        .unwrap_or_default()
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
    let file = app::persons::file(&auth.ctx(&state), path.into_inner(), "")?;
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
        "unita" => Some("Le due schede sono state unite in questa; l'altra porta qui."),
        "rimando" => Some("La scheda richiesta è stata unita a questa, che è la scheda tenuta della stessa persona."),
        "separata" => {
            Some("Unione annullata: questa scheda è di nuovo separata, con ciò che aveva.")
        }
        _ => None,
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::persons::person_page(
        &chrome,
        &state.reference,
        &file,
        notice,
        chrono::Utc::now(),
    )))
}

pub async fn edit_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let person = app::persons::usable(&auth.ctx(&state), id, "modifica")?;
    let instance = state.store.instance()?;
    let name = person.display_name();
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone")
        .under(&name, format!("/persone/{id}"));
    Ok(ok(views::persons::form_page(
        &chrome,
        &FormMode::Edit(id),
        &form_of(&person, &state.reference.places()),
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
    let id = path.into_inner();
    let values = person_form(&form);
    let warnings = Warnings::ConfirmFirst(form.get("warnings_seen"));
    let (status, invalid, warnings) =
        match app::persons::update(&auth.ctx(&state), id, &values, warnings) {
            Ok(_) => return Ok(see_other(&format!("/persone/{id}?avviso=modificata"))),
            Err(AppError::Invalid(i)) => (StatusCode::UNPROCESSABLE_ENTITY, i, vec![]),
            Err(AppError::UnseenWarnings(w)) => (StatusCode::OK, Invalid::new(), w),
            Err(e) => return Err(e.into()),
        };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(html(
        status,
        views::persons::form_page(
            &chrome,
            &FormMode::Edit(id),
            &values,
            &invalid,
            &[],
            &warnings,
            &state.reference,
        ),
    ))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/persone", Gate::Desk, search);
    r.get("/persone/nuova", Gate::Desk, new_form);
    r.post("/persone/nuova", Gate::Desk, create);
    r.get("/persone/{id}", Gate::Desk, view);
    r.get("/persone/{id}/modifica", Gate::Desk, edit_form);
    r.post("/persone/{id}/modifica", Gate::Desk, update);
}
