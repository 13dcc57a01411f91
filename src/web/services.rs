//! The service directory pages: search, a service, loading the example directory, unmet needs.

use actix_web::{web, HttpResponse};
use chrono::Local;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::error::PageError;
use super::persons::require_desk;
use super::respond::{ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::services::{Filters, UnmetRow};
use crate::domain::role::Role;
use crate::domain::text::fold;

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
    require_desk(&auth)?;
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

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let service = state
        .store
        .service(path.into_inner())?
        .ok_or(PageError::NotFound)?;
    let org = state.store.organization(service.organization_id)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/servizi");
    Ok(ok(views::services::detail_page(
        &chrome,
        &state.reference,
        &service,
        org.as_ref(),
        Local::now().date_naive(),
    )))
}

/// Loads the example directory shipped with the program (responsabile).
pub async fn load_example(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
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
    require_desk(&auth)?;
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
