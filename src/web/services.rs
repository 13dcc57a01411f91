//! The service directory pages: search, a service, loading the example directory, unmet needs.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Local;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::services::{Filters, UnmetRow};
use crate::domain::directory::Organization;
use crate::domain::role::Role;
use crate::domain::service_form::ServiceForm;
use crate::domain::text::fold;
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
    auth.desk()?;
    let dir = state.store.directory()?;
    let words: Vec<String> = crate::domain::text::words(&query.q);
    let shown: Vec<_> = dir
        .services
        .iter()
        .filter(|s| query.area.is_empty() || s.areas.contains(&query.area))
        .filter(|s| query.category.is_empty() || s.categories.contains(&query.category))
        .filter(|s| {
            query.comune.is_empty()
                || s.comuni_served.is_empty()
                || s.comuni_served.contains(&query.comune)
        })
        .filter(|s| {
            let org = dir
                .organizations
                .iter()
                .find(|o| o.id == s.organization_id)
                .map_or("", |o| o.name.as_str());
            let text = s.search_text(org);
            words.iter().all(|w| text.contains(&fold(w)))
        })
        .collect();
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    let notice = (query.avviso == "esempio").then_some("Elenco di esempio caricato.");
    Ok(ok(views::services::list_page(
        &chrome,
        &state.reference,
        &dir,
        &shown,
        &Filters {
            q: &query.q,
            area: &query.area,
            category: &query.category,
            comune: &query.comune,
        },
        Local::now().date_naive(),
        auth.user.has_role(Role::Responsabile),
        notice,
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
    auth.desk()?;
    let service = state
        .store
        .service(path.into_inner())?
        .ok_or(PageError::NotFound)?;
    let org = state.store.organization(service.organization_id)?;
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
        auth.user.has_role(Role::Responsabile),
        notice,
    )))
}

/// Loads the example directory shipped with the program (responsabile).
pub async fn load_example(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
    if !state.store.directory()?.services.is_empty() {
        // Loading it over a real directory would overwrite the responsabile's entries.
        return Ok(see_other("/servizi"));
    }
    let doc = crate::assets::demo_directory().map_err(PageError::Internal)?;
    let dir = crate::domain::hsds::import(&doc, &state.reference.vocab)
        .map_err(|e| PageError::Internal(e.join("; ")))?;
    state
        .store
        .import_directory(&dir, &auth.user.username, "elenco di esempio")?;
    Ok(see_other("/servizi?avviso=esempio"))
}

/// Unmet needs by area, category, comune and reason, from every access (no personal data shown).
pub async fn unmet(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    auth.desk()?;
    let accesses = state.store.accesses_with_unmet_needs()?;
    let mut counts: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for (access, comune) in &accesses {
        for u in &access.unmet {
            if let Some(n) = access.needs.get(u.need) {
                *counts
                    .entry((
                        n.area.clone(),
                        n.category.clone(),
                        comune.clone().unwrap_or_default(),
                        u.reason.clone(),
                    ))
                    .or_default() += 1;
            }
        }
    }
    let mut rows: Vec<UnmetRow> = counts
        .into_iter()
        .map(|((area, category, comune, reason), count)| UnmetRow {
            area,
            category,
            comune,
            reason,
            count,
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.count));
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
) -> Result<HttpResponse, PageError> {
    let dir = state.store.directory()?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/servizi");
    Ok(html(
        status,
        views::services::form_page(
            &chrome,
            &state.reference,
            &dir.organizations,
            id,
            v,
            invalid,
        ),
    ))
}

pub async fn new_form(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
    let v = ServiceForm {
        status: "active".into(),
        languages: "it".into(),
        verified_on: Local::now().date_naive().format("%d/%m/%Y").to_string(),
        ..Default::default()
    };
    render_form(&auth, &state, None, &v, &Invalid::new(), StatusCode::OK)
}

pub async fn edit_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
    let s = state
        .store
        .service(path.into_inner())?
        .ok_or(PageError::NotFound)?;
    render_form(
        &auth,
        &state,
        Some(s.id),
        &ServiceForm::of(&s),
        &Invalid::new(),
        StatusCode::OK,
    )
}

async fn save(
    auth: Auth,
    state: web::Data<AppState>,
    id: Option<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
    let existing = match id {
        Some(id) => Some(state.store.service(id)?.ok_or(PageError::NotFound)?),
        None => None,
    };
    let v = service_form(&form);
    let orgs: Vec<Uuid> = state
        .store
        .directory()?
        .organizations
        .iter()
        .map(|o| o.id)
        .collect();
    match v.validate(
        &state.reference.vocab,
        &state.reference.comuni,
        &orgs,
        existing.as_ref(),
        Local::now().date_naive(),
    ) {
        Ok(service) => {
            state.store.save_service(&service, &auth.user.username)?;
            Ok(see_other(&format!(
                "/servizi/{}?avviso=salvato",
                service.id
            )))
        }
        Err(invalid) => render_form(
            &auth,
            &state,
            id,
            &v,
            &invalid,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
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
    auth.require(Role::Responsabile)?;
    let mut s = state
        .store
        .service(path.into_inner())?
        .ok_or(PageError::NotFound)?;
    s.verified_on = Some(Local::now().date_naive());
    s.updated_at = chrono::Utc::now();
    state.store.save_service(&s, &auth.user.username)?;
    Ok(see_other(&format!("/servizi/{}?avviso=verificato", s.id)))
}

pub async fn new_organization_form(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
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
    auth.require(Role::Responsabile)?;
    let name = form.get("name").trim().to_string();
    let website = form.get("website").trim().to_string();
    let email = form.get("email").trim().to_string();
    let mut invalid = Invalid::new();
    if name.is_empty() || name.chars().count() > 200 {
        invalid.add(
            "name",
            "Indicare il nome dell'ente (al massimo 200 caratteri).",
        );
    }
    if !(website.is_empty() || website.starts_with("https://") || website.starts_with("http://")) {
        invalid.add("website", "L'indirizzo del sito inizia con https://");
    }
    if !email.is_empty() && (!email.contains('@') || !email.contains('.')) {
        invalid.add("email", "Indirizzo e-mail non valido.");
    }
    if !invalid.is_empty() {
        let instance = state.store.instance()?;
        let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
        let values = [
            ("name", form.get("name")),
            ("description", form.get("description")),
            ("phone", form.get("phone")),
            ("email", form.get("email")),
            ("website", form.get("website")),
        ];
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::services::organization_page(&chrome, &values, &invalid),
        ));
    }
    let org = Organization {
        id: Uuid::now_v7(),
        name,
        description: form.get("description").trim().to_string(),
        email,
        website,
        phones: form
            .get("phone")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
    };
    state.store.save_organization(&org, &auth.user.username)?;
    Ok(see_other("/servizi/nuovo"))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/servizi", Gate::Desk, list);
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
    r.get("/servizi/{id}", Gate::Desk, detail);
}
