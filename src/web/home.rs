//! The start page after login.

use actix_web::{web, HttpResponse};

use super::error::PageError;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;

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
    let notice = (query.avviso == "password").then_some("Password aggiornata.");
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(views::home::page(&chrome, &instance, &auth.user, notice).into_string()))
}
