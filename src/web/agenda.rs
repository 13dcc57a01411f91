//! The agenda: appointments by day and week per operator; creating and cancelling them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Duration, Local, NaiveTime, Utc};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::persons::{require_desk, DESK_ROLES};
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::agenda::{AgendaView, AppointmentValues};
use super::views::layout::Chrome;
use crate::domain::access::{local_instant, parse_time};
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::audit::AuditEvent;
use crate::domain::person::{parse_date, Person};
use crate::domain::user::User;
use crate::domain::Invalid;

#[derive(serde::Deserialize)]
pub struct AgendaQuery {
    #[serde(default)]
    giorno: String,
    #[serde(default)]
    vista: String,
    #[serde(default)]
    operatore: String,
    #[serde(default)]
    avviso: String,
}

fn desk_users(state: &AppState) -> Result<Vec<User>, PageError> {
    Ok(state
        .store
        .users()?
        .into_iter()
        .filter(|u| !u.disabled && u.has_any_role(&DESK_ROLES))
        .collect())
}

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AgendaQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let day = parse_date(&query.giorno).unwrap_or_else(|| Local::now().date_naive());
    let week = query.vista == "settimana";
    let (from, days) = if week {
        (
            day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            7,
        )
    } else {
        (day, 1)
    };
    let operator = Uuid::parse_str(&query.operatore).ok();
    let start = local_instant(from, NaiveTime::MIN).ok_or(PageError::BadRequest)?;
    let end =
        local_instant(from + Duration::days(days), NaiveTime::MIN).ok_or(PageError::BadRequest)?;
    let appointments: Vec<Appointment> = state
        .store
        .appointments_between(start, end)?
        .into_iter()
        .filter(|a| operator.is_none_or(|op| a.operator_id == op))
        .collect();
    let ids: Vec<Uuid> = appointments.iter().map(|a| a.person_id).collect();
    let persons = state.store.persons_by_ids(&ids)?;
    // People whose processing is restricted are left out of lists (art. 18).
    let items: Vec<(Appointment, Option<Person>)> = appointments
        .into_iter()
        .map(|a| {
            let p = persons.iter().find(|p| p.id == a.person_id).cloned();
            (a, p)
        })
        .filter(|(_, p)| !p.as_ref().is_some_and(|p| p.is_restricted()))
        .collect();
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "appointment.list",
            from.to_string(),
        )
        .details(format!("{} appuntamenti", items.len())),
    )?;
    let operators = desk_users(&state)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
    let notice = match query.avviso.as_str() {
        "fissato" => Some("Appuntamento fissato."),
        "annullato" => Some("Appuntamento annullato."),
        _ => None,
    };
    Ok(ok(views::agenda::page(
        &chrome,
        &AgendaView {
            from,
            days: days as u32,
            week,
            operator,
            operators: &operators,
            items: &items,
        },
        notice,
    )))
}

#[derive(serde::Deserialize)]
pub struct PersonQuery {
    persona: Uuid,
}

pub async fn new_form(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<PersonQuery>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let person = state
        .store
        .person(query.persona)?
        .ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "person.view",
            person.id.to_string(),
        )
        .details("modulo di appuntamento"),
    )?;
    let operators = desk_users(&state)?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
    let values = AppointmentValues {
        duration_minutes: DEFAULT_MINUTES.to_string(),
        operator: auth.user.id.to_string(),
        ..Default::default()
    };
    Ok(ok(views::agenda::form_page(
        &chrome,
        &person,
        &operators,
        &values,
        &Invalid::new(),
    )))
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<PersonQuery>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let person = state
        .store
        .person(query.persona)?
        .ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    let operators = desk_users(&state)?;
    let v = AppointmentValues {
        date: form.get("date").to_string(),
        time: form.get("time").to_string(),
        duration_minutes: form.get("duration_minutes").to_string(),
        place: form.get("place").to_string(),
        purpose: form.get("purpose").to_string(),
        operator: form.get("operator").to_string(),
    };
    let mut invalid = Invalid::new();
    let date = parse_date(&v.date);
    if date.is_none() {
        invalid.add("date", "Data non valida: usare il formato gg/mm/aaaa.");
    }
    let time = parse_time(&v.time);
    if time.is_none() {
        invalid.add("time", "Ora non valida: usare il formato hh:mm.");
    }
    let start = date.zip(time).and_then(|(d, t)| local_instant(d, t));
    if let Some(s) = start {
        if s < Utc::now() - Duration::minutes(5) {
            invalid.add("date", "L'appuntamento non può essere nel passato.");
        }
    }
    let duration = match v.duration_minutes.trim() {
        "" => Some(DEFAULT_MINUTES),
        d => d.parse::<u32>().ok().filter(|m| (5..=480).contains(m)),
    };
    if duration.is_none() {
        invalid.add(
            "duration_minutes",
            "Durata in minuti: un numero da 5 a 480.",
        );
    }
    let operator = operators.iter().find(|u| u.id.to_string() == v.operator);
    if operator.is_none() {
        invalid.add("operator", "Scegliere l'operatore.");
    }
    for (field, text, max) in [("place", &v.place, 200), ("purpose", &v.purpose, 300)] {
        if text.chars().count() > max {
            invalid.add(field, format!("Al massimo {max} caratteri."));
        }
    }
    let (Some(start), Some(duration), Some(operator)) = (start, duration, operator) else {
        let instance = state.store.instance()?;
        let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::agenda::form_page(&chrome, &person, &operators, &v, &invalid),
        ));
    };
    if !invalid.is_empty() {
        let instance = state.store.instance()?;
        let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::agenda::form_page(&chrome, &person, &operators, &v, &invalid),
        ));
    }
    let appointment = Appointment {
        id: Uuid::now_v7(),
        person_id: person.id,
        access_id: None,
        operator_id: operator.id,
        operator_name: operator.full_name.clone(),
        start,
        duration_minutes: duration,
        place: v.place.trim().to_string(),
        purpose: v.purpose.trim().to_string(),
        cancelled: false,
        created_at: Utc::now(),
    };
    state
        .store
        .create_appointment(&appointment, &auth.user.username)?;
    let day = start.with_timezone(&Local).date_naive();
    Ok(see_other(&format!(
        "/agenda?giorno={}&avviso=fissato",
        day.format("%Y-%m-%d")
    )))
}

pub async fn cancel(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let a = state
        .store
        .cancel_appointment(path.into_inner(), &auth.user.username)?;
    let day = a.start.with_timezone(&Local).date_naive();
    Ok(see_other(&format!(
        "/agenda?giorno={}&avviso=annullato",
        day.format("%Y-%m-%d")
    )))
}

/// The appointment reminder, as PDF (printing is audited).
pub async fn reminder(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    require_desk(&auth)?;
    let id = path.into_inner();
    let appointment = state.store.appointment(id)?.ok_or(PageError::NotFound)?;
    let person = state
        .store
        .person(appointment.person_id)?
        .ok_or(PageError::NotFound)?;
    if person.is_restricted() {
        return Err(PageError::Restricted);
    }
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let contacts = state.store.desk_contacts()?;
    let doc =
        crate::pdf::documents::appointment_reminder(&instance, &contacts, &appointment, &person);
    let bytes = web::block(move || crate::pdf::render(&doc))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    state.store.audit(
        AuditEvent::new(
            auth.user.username.clone(),
            "appointment.print",
            id.to_string(),
        )
        .details(format!("persona {}", appointment.person_id)),
    )?;
    Ok(super::respond::pdf(bytes, "appuntamento.pdf"))
}
