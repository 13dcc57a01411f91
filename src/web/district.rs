//! District pages: the inbox of referrals received from the desks and the coordinator's decisions.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::domain::district::InboxReferral;
use crate::domain::Invalid;

pub async fn inbox(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let (entries, imports) = app::district::inbox(&auth.ctx(&state), "")?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/ambito");
    Ok(ok(views::district::inbox_page(
        &chrome,
        &state.reference,
        &entries,
        &imports,
    )))
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

fn render_detail(
    auth: &Auth,
    state: &AppState,
    id: Uuid,
    invalid: &Invalid,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (entry, linked) = app::district::detail(&auth.ctx(state), id)?;
    let linked: Vec<&InboxReferral> = linked.iter().collect();
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/ambito");
    Ok(html(
        status,
        views::district::inbox_detail_page(
            &chrome,
            &state.reference,
            &entry,
            &linked,
            invalid,
            notice,
            Utc::now(),
        ),
    ))
}

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = (query.avviso == "stato").then_some(
        "Decisione registrata: arriverà allo sportello con il prossimo pacchetto di ritorno.",
    );
    render_detail(
        &auth,
        &state,
        path.into_inner(),
        &Invalid::new(),
        notice,
        StatusCode::OK,
    )
}

pub async fn decide(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let invalid =
        match app::district::decide(&auth.ctx(&state), id, form.get("status"), form.get("note")) {
            Ok(_) => return Ok(see_other(&format!("/ambito/invii/{id}?avviso=stato"))),
            Err(AppError::Invalid(invalid)) => invalid,
            Err(e @ AppError::IllegalTransition { .. }) => Invalid::one("status", e.to_string()),
            Err(e) => return Err(e.into()),
        };
    render_detail(
        &auth,
        &state,
        id,
        &invalid,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The coordinator says two referrals with the same codice fiscale are different persons.
pub async fn unlink(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let other: Uuid = form
        .get("other")
        .parse()
        .map_err(|_| PageError::BadRequest)?;
    app::district::unlink(&auth.ctx(&state), id, other)?;
    Ok(see_other(&format!("/ambito/invii/{id}?avviso=scollegato")))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/ambito", Gate::District, inbox);
    r.get("/ambito/invii/{id}", Gate::District, detail);
    r.post("/ambito/invii/{id}/stato", Gate::District, decide);
    r.post("/ambito/invii/{id}/scollega", Gate::District, unlink);
}
