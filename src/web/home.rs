//! The start page after login.

use actix_web::{web, HttpResponse};

use chrono::{Duration, Local, NaiveTime};

use super::error::PageError;
use super::persons::DESK_ROLES;
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
    let notice = match query.avviso.as_str() {
        "password" => Some("Password aggiornata."),
        "rapido" => Some("Contatto telefonico registrato."),
        _ => None,
    };
    if auth.user.has_any_role(&DESK_ROLES) {
        let today = Local::now().date_naive();
        let start = crate::domain::access::local_instant(today, NaiveTime::MIN)
            .ok_or(PageError::BadRequest)?;
        let end = start + Duration::days(1);
        let accesses = state.store.accesses_between(start, end)?;
        let appointments = state.store.appointments_between(start, end)?;
        let ids: Vec<_> = accesses
            .iter()
            .filter_map(|a| a.person_id)
            .chain(appointments.iter().map(|a| a.person_id))
            .collect();
        let persons = state.store.persons_by_ids(&ids)?;
        let find =
            |id: Option<uuid::Uuid>| id.and_then(|id| persons.iter().find(|p| p.id == id).cloned());
        // People whose processing is restricted are left out of lists (art. 18).
        let restricted = |p: &Option<crate::domain::person::Person>| {
            p.as_ref().is_some_and(|p| p.is_restricted())
        };
        let accesses: Vec<_> = accesses
            .into_iter()
            .rev()
            .map(|a| {
                let p = find(a.person_id);
                (a, p)
            })
            .filter(|(_, p)| !restricted(p))
            .collect();
        let appointments: Vec<_> = appointments
            .into_iter()
            .map(|a| {
                let p = find(Some(a.person_id));
                (a, p)
            })
            .filter(|(_, p)| !restricted(p))
            .collect();
        state.store.audit(
            crate::domain::audit::AuditEvent::new(
                auth.user.username.clone(),
                "access.list",
                today.to_string(),
            )
            .details(format!(
                "{} accessi, {} appuntamenti",
                accesses.len(),
                appointments.len()
            )),
        )?;
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
                )
                .into_string(),
            ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(views::home::page(&chrome, &instance, &auth.user, notice).into_string()))
}
