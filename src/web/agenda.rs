//! The agenda: appointments by day and week per operator; creating and cancelling them.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{Datelike, Duration, Local, NaiveTime};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::agenda::{AgendaView, AppointmentValues};
use super::views::layout::Chrome;
use crate::app::agenda::{NewAppointment, With};
use crate::app::{self, AppError};
use crate::domain::access::{local_instant, parse_time};
use crate::domain::appointment::DEFAULT_MINUTES;
use crate::domain::person::parse_date;
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

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AgendaQuery>,
) -> Result<HttpResponse, PageError> {
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
    let ctx = auth.ctx(&state);
    let items = app::agenda::between(&ctx, start, end, operator, "")?;
    let operators = app::agenda::operators(&ctx)?;
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
            today: chrono::Local::now().date_naive(),
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
    let ctx = auth.ctx(&state);
    let person = app::persons::usable(&ctx, query.persona, "modulo di appuntamento")?;
    let operators = app::agenda::operators(&ctx)?;
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
    let ctx = auth.ctx(&state);
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
    let duration = match v.duration_minutes.trim() {
        "" => Some(DEFAULT_MINUTES),
        d => d.parse::<u32>().ok(),
    };
    if duration.is_none() {
        invalid.add(
            "duration_minutes",
            "Durata in minuti: un numero da 5 a 480.",
        );
    }
    let input = NewAppointment {
        person_id: query.persona,
        start: date.zip(time).and_then(|(d, t)| local_instant(d, t)),
        duration_minutes: duration,
        place: &v.place,
        purpose: &v.purpose,
        with: With::Id(&v.operator),
        start_field: "date",
        invalid,
    };
    match app::agenda::book(&ctx, input) {
        Ok(a) => {
            let day = a.start.with_timezone(&Local).date_naive();
            Ok(see_other(&format!(
                "/agenda?giorno={}&avviso=fissato",
                day.format("%Y-%m-%d")
            )))
        }
        Err(AppError::Invalid(invalid)) => {
            let person = app::persons::usable(&ctx, query.persona, "modulo di appuntamento")?;
            let operators = app::agenda::operators(&ctx)?;
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::agenda::form_page(&chrome, &person, &operators, &v, &invalid),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn cancel(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let a = app::agenda::cancel(&auth.ctx(&state), path.into_inner())?;
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
    let bytes =
        super::documents::appointment_reminder(&state, &auth.actor, path.into_inner()).await?;
    Ok(super::respond::pdf(bytes, "appuntamento.pdf"))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/agenda", Gate::Desk, page);
    r.get("/agenda/nuovo", Gate::Desk, new_form);
    r.post("/agenda/nuovo", Gate::Desk, create);
    r.post("/agenda/{id}/annulla", Gate::Desk, cancel);
    r.get("/agenda/{id}/promemoria.pdf", Gate::Desk, reminder);
}
