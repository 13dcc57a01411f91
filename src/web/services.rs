//! The service directory pages: search, a service, loading the example directory, unmet needs.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Local;
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::services::Filters;
use crate::app;
use crate::app::directory::ServiceSearch;
use crate::domain::policy;
use crate::domain::service_form::ServiceForm;
use crate::domain::Invalid;

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    comune: String,
    #[serde(default)]
    avviso: String,
}

pub async fn list(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let found = app::directory::search(
        &auth.ctx(&state),
        &ServiceSearch {
            q: query.q.clone(),
            area: query.area.clone(),
            category: query.category.clone(),
            comune: query.comune.clone(),
            age: None,
        },
    )?;
    let shown: Vec<_> = found.services().collect();
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    let notice = (query.avviso == "esempio").then_some("Elenco di esempio caricato.");
    Ok(ok(views::services::list_page(
        &chrome,
        &state.reference,
        &views::services::ServiceList {
            dir: &found.directory,
            shown: &shown,
            filters: Filters {
                q: &query.q,
                area: &query.area,
                category: &query.category,
                comune: &query.comune,
            },
            today: Local::now().date_naive(),
            can_edit: policy::responsabile(&auth.actor).is_ok(),
            notice,
        },
    )))
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (service, org) = app::directory::service(&auth.ctx(&state), id)?;
    let complaints = app::statistics::complaints_about(&auth.ctx(&state), id)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    let notice = match query.avviso.as_str() {
        "salvato" => Some("Servizio salvato."),
        "verificato" => Some("Servizio segnato come verificato oggi."),
        _ => None,
    };
    Ok(ok(views::services::detail_page(
        &chrome,
        &state.reference,
        &service,
        org.as_ref(),
        Local::now().date_naive(),
        complaints,
        notice,
    )))
}

/// Loads the example directory shipped with the program (responsabile).
pub async fn load_example(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    if !app::directory::load_example(&auth.ctx(&state))? {
        return Ok(see_other("/servizi"));
    }
    Ok(see_other("/servizi?avviso=esempio"))
}

/// Unmet needs by area, category, comune and reason, from every access (no personal data shown).
pub async fn unmet(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let rows = app::directory::unmet(&auth.ctx(&state))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    Ok(ok(views::services::unmet_page(
        &chrome,
        &state.reference,
        &rows,
    )))
}

fn service_form(f: &Fields) -> ServiceForm {
    let g = |k: &str| f.get(k).to_string();
    ServiceForm {
        organization_id: g("organization_id"),
        name: g("name"),
        description: g("description"),
        areas: f.all("areas").iter().map(|s| s.to_string()).collect(),
        categories: f.all("categories").iter().map(|s| s.to_string()).collect(),
        eligibility: g("eligibility"),
        min_age: g("min_age"),
        max_age: g("max_age"),
        for_sex: g("for_sex"),
        homeless_only: g("homeless_only") == "1",
        required_documents: g("required_documents"),
        application_process: g("application_process"),
        fees: g("fees"),
        languages: g("languages"),
        status: g("status"),
        verified_on: g("verified_on"),
        alert: g("alert"),
        url: g("url"),
        email: g("email"),
        phones: g("phones"),
        comuni_served: g("comuni_served"),
        location_name: g("location_name"),
        address: g("address"),
        postal_code: g("postal_code"),
        city: g("city"),
        province: g("province"),
        location_comune: g("location_comune"),
        accessibility: g("accessibility"),
        transportation: g("transportation"),
        location_phones: g("location_phones"),
        confidential: f.get("confidential") == "1",
        hours: g("hours"),
        closures: g("closures"),
    }
}

fn render_form(
    auth: &Auth,
    state: &AppState,
    id: Option<Uuid>,
    v: &ServiceForm,
    invalid: &Invalid,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let organizations = app::directory::organizations(&auth.ctx(state))?;
    let instance = state.store.instance()?;
    let mut chrome = Chrome::for_user(auth, instance.as_ref(), "/servizi");
    if let Some(id) = id {
        let label = if v.name.trim().is_empty() {
            "Servizio"
        } else {
            v.name.as_str()
        };
        chrome = chrome.under(label, format!("/servizi/{id}"));
    }
    Ok(html(
        status,
        views::services::form_page(
            &chrome,
            &state.reference,
            &organizations,
            id,
            v,
            invalid,
            notice,
        ),
    ))
}

#[derive(serde::Deserialize)]
pub struct NewServiceQuery {
    /// The organisation just created, chosen for the new service.
    #[serde(default)]
    ente: String,
}

pub async fn new_form(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<NewServiceQuery>,
) -> Result<HttpResponse, PageError> {
    let created = Uuid::parse_str(query.ente.trim()).ok();
    let v = ServiceForm {
        status: "active".into(),
        languages: "it".into(),
        verified_on: Local::now().date_naive().format("%d/%m/%Y").to_string(),
        organization_id: created.map(|id| id.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let notice = created.map(|_| "Ente salvato: è già scelto qui sotto per il nuovo servizio.");
    render_form(
        &auth,
        &state,
        None,
        &v,
        &Invalid::new(),
        StatusCode::OK,
        notice,
    )
}

pub async fn edit_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let s = app::directory::for_edit(&auth.ctx(&state), path.into_inner())?;
    render_form(
        &auth,
        &state,
        Some(s.id),
        &ServiceForm::of(&s),
        &Invalid::new(),
        StatusCode::OK,
        None,
    )
}

async fn save(
    auth: Auth,
    state: web::Data<AppState>,
    id: Option<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let v = service_form(&form);
    match app::directory::save_form(&auth.ctx(&state), id, &v) {
        Ok(service) => Ok(see_other(&format!(
            "/servizi/{}?avviso=salvato",
            service.id
        ))),
        Err(app::AppError::Invalid(invalid)) => render_form(
            &auth,
            &state,
            id,
            &v,
            &invalid,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    save(auth, state, None, form).await
}

pub async fn update(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    save(auth, state, Some(path.into_inner()), form).await
}

/// "Verified today": the responsabile checked the entry with the provider.
pub async fn mark_verified(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    app::directory::mark_verified(&auth.ctx(&state), id)?;
    Ok(see_other(&format!("/servizi/{id}?avviso=verificato")))
}

pub async fn new_organization_form(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    policy::responsabile(&auth.actor).map_err(app::AppError::from)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    Ok(ok(views::services::organization_page(
        &chrome,
        &[],
        &Invalid::new(),
    )))
}

pub async fn create_organization(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let org = app::directory::OrganizationForm {
        name: form.get("name").to_string(),
        description: form.get("description").to_string(),
        phone: form.get("phone").to_string(),
        email: form.get("email").to_string(),
        website: form.get("website").to_string(),
    };
    match app::directory::create_organization(&auth.ctx(&state), &org) {
        Ok(org) => Ok(see_other(&format!("/servizi/nuovo?ente={}", org.id))),
        Err(app::AppError::Invalid(invalid)) => {
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
            let values = [
                ("name", form.get("name")),
                ("description", form.get("description")),
                ("phone", form.get("phone")),
                ("email", form.get("email")),
                ("website", form.get("website")),
            ];
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::services::organization_page(&chrome, &values, &invalid),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/servizi", Gate::Directory, list);
    r.post("/servizi/esempio", Gate::Responsabile, load_example);
    r.get("/servizi/nuovo", Gate::Responsabile, new_form);
    r.post("/servizi/nuovo", Gate::Responsabile, create);
    r.get(
        "/servizi/enti/nuovo",
        Gate::Responsabile,
        new_organization_form,
    );
    r.post(
        "/servizi/enti/nuovo",
        Gate::Responsabile,
        create_organization,
    );
    r.get("/servizi/{id}/modifica", Gate::Responsabile, edit_form);
    r.post("/servizi/{id}/modifica", Gate::Responsabile, update);
    r.post(
        "/servizi/{id}/verificato",
        Gate::Responsabile,
        mark_verified,
    );
    r.get("/servizi/bisogni-non-soddisfatti", Gate::Desk, unmet);
    r.get("/servizi/{id}", Gate::Directory, detail);
}
