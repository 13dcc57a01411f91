//! The start page after login.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};

use chrono::{Duration, Local, NaiveTime};

use super::error::PageError;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app;
use crate::domain::policy;

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn home(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/");
    let notice = match query.avviso.as_str() {
        "password" => Some("Password aggiornata."),
        "rapido" => Some("Contatto telefonico registrato."),
        "visto" => Some("Avviso segnato come visto."),
        _ => None,
    };
    let ctx = auth.ctx(&state);
    let notices = app::administration::open_notices(&ctx)?;
    if policy::desk_records(&auth.actor).is_ok() {
        let today = Local::now().date_naive();
        let start = crate::domain::access::local_instant(today, NaiveTime::MIN)
            .ok_or(PageError::BadRequest)?;
        let end = start + Duration::days(1);
        let day = app::reception::day(&ctx, start, end)?;
        let (accesses, appointments) = (day.accesses, day.appointments);
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                views::sportello::page(
                    &chrome,
                    &state.reference,
                    today,
                    &accesses,
                    &appointments,
                    notice,
                    &notices,
                )
                .into_string(),
            ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(views::home::page(&chrome, &instance, &auth.user, notice, &notices).into_string()))
}

/// A responsabile acknowledges an oversight notice.
pub async fn acknowledge(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, PageError> {
    app::administration::acknowledge(&auth.ctx(&state), path.into_inner())?;
    Ok(super::respond::see_other("/?avviso=visto"))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/", Gate::User, home);
    r.post("/avvisi/{id}/visto", Gate::Responsabile, acknowledge);
}
