//! Merging two records of the same person (the responsabile), and undoing it.

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
use crate::app::{self, AppError};
use crate::domain::Invalid;

#[derive(serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

pub async fn find(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<FindQuery>,
) -> Result<HttpResponse, PageError> {
    let (person, hits) = app::merges::candidates(&auth.ctx(&state), path.into_inner(), &query.q)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/persone");
    Ok(ok(views::merges::find_page(
        &chrome,
        &person,
        query.q.trim(),
        &hits,
    )))
}

fn compare_page(
    auth: &Auth,
    state: &AppState,
    (a, b): (Uuid, Uuid),
    invalid: &Invalid,
) -> Result<maud::Markup, PageError> {
    let (sa, sb) = app::merges::compare(&auth.ctx(state), a, b)?;
    let instance = state.store.instance()?;
    let name = sa.person.display_name();
    let chrome =
        Chrome::for_user(auth, instance.as_ref(), "/persone").under(&name, format!("/persone/{a}"));
    Ok(views::merges::compare_page(&chrome, &sa, &sb, invalid))
}

pub async fn compare(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, PageError> {
    Ok(ok(compare_page(
        &auth,
        &state,
        path.into_inner(),
        &Invalid::new(),
    )?))
}

pub async fn merge(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let (a, b) = path.into_inner();
    let keep = Uuid::parse_str(form.get("keep")).ok();
    let (merged, into) = match keep {
        Some(k) if k == a => (b, a),
        Some(k) if k == b => (a, b),
        _ => {
            let invalid = Invalid::one("person", "Scegliere quale scheda tenere.");
            let page = compare_page(&auth, &state, (a, b), &invalid)?;
            return Ok(html(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    match app::merges::merge(&auth.ctx(&state), merged, into) {
        Ok(m) => Ok(see_other(&format!("/persone/{}?avviso=unita", m.into))),
        Err(AppError::Conflict(why)) => {
            let page = compare_page(
                &auth,
                &state,
                (a, b),
                &Invalid::one("person", why.to_string()),
            )?;
            Ok(html(StatusCode::CONFLICT, page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn undo(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let m = app::merges::undo(&auth.ctx(&state), path.into_inner())?;
    Ok(see_other(&format!("/persone/{}?avviso=separata", m.merged)))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/persone/{id}/unisci", Gate::Merge, find);
    r.get("/persone/{id}/unisci/{other}", Gate::Merge, compare);
    r.post("/persone/{id}/unisci/{other}", Gate::Merge, merge);
    r.post("/persone/unioni/{id}/annulla", Gate::Merge, undo);
}
