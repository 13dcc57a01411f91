//! The agenda: appointments by day and week per operator; booking, moving, cancelling (with a
//! reason, and back), and how each went.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Datelike, Duration, Local, NaiveTime, Utc};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::agenda::{AgendaView, AppointmentValues, SlotForm};
use super::views::layout::Chrome;
use crate::app::agenda::{Move, NewAppointment, With};
use crate::app::persons::Warnings;
use crate::app::{self, AppError};
use crate::domain::access::local_instant;
use crate::domain::appointment::{Appointment, DEFAULT_MINUTES};
use crate::domain::when::{read_date, read_time};
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
    let today = Local::now().date_naive();
    let mut invalid = Invalid::new();
    let day = match query.giorno.trim() {
        "" => today,
        typed => read_date(typed).unwrap_or_else(|e| {
            invalid.add("giorno", e.to_string());
            today
        }),
    };
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
        "annullato" => Some("Appuntamento annullato: si può ripristinare dall'agenda."),
        "ripristinato" => Some("Appuntamento ripristinato."),
        "spostato" => {
            Some("Appuntamento spostato: stampare di nuovo il promemoria per la persona.")
        }
        "esito" => Some("Esito registrato."),
        _ => None,
    };
    Ok(ok(views::agenda::page(
        &chrome,
        &AgendaView {
            from,
            days: days as u32,
            week,
            today,
            operator,
            operators: &operators,
            items: &items,
            typed_day: query.giorno.trim(),
            invalid: &invalid,
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
    let values = AppointmentValues {
        duration_minutes: DEFAULT_MINUTES.to_string(),
        operator: auth.user.id.to_string(),
        ..Default::default()
    };
    let form = SlotForm {
        action: format!("/agenda/nuovo?persona={}", person.id),
        moving: None,
        values: &values,
        invalid: &Invalid::new(),
        warnings: &[],
    };
    slot_page(&auth, &state, &person, &form, StatusCode::OK)
}

/// A slot form (new or move) as a page, with `status`.
fn slot_page(
    auth: &Auth,
    state: &AppState,
    person: &crate::domain::person::Person,
    form: &SlotForm,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let operators = app::agenda::operators(&auth.ctx(state))?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/agenda");
    Ok(html(
        status,
        views::agenda::form_page(&chrome, person, &operators, form),
    ))
}

/// The slot typed in an appointment form: start, duration and the problems reading them.
fn typed_slot(v: &AppointmentValues) -> (Option<DateTime<Utc>>, Option<u32>, Invalid) {
    let mut invalid = Invalid::new();
    let date = read_date(&v.date)
        .map_err(|e| invalid.add("date", e.to_string()))
        .ok();
    let time = read_time(&v.time)
        .map_err(|e| invalid.add("time", e.to_string()))
        .ok();
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
    let start = date.zip(time).and_then(|(d, t)| local_instant(d, t));
    (start, duration, invalid)
}

fn values_of(form: &Fields) -> AppointmentValues {
    AppointmentValues {
        date: form.get("date").to_string(),
        time: form.get("time").to_string(),
        duration_minutes: form.get("duration_minutes").to_string(),
        place: form.get("place").to_string(),
        purpose: form.get("purpose").to_string(),
        operator: form.get("operator").to_string(),
    }
}

fn back_to_day(a: &Appointment, avviso: &str) -> HttpResponse {
    let day = a.start.with_timezone(&Local).date_naive();
    see_other(&format!(
        "/agenda?giorno={}&avviso={avviso}",
        day.format("%Y-%m-%d")
    ))
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<PersonQuery>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let ctx = auth.ctx(&state);
    let v = values_of(&form);
    let (start, duration, invalid) = typed_slot(&v);
    let input = NewAppointment {
        person_id: query.persona,
        start,
        duration_minutes: duration,
        place: &v.place,
        purpose: &v.purpose,
        with: With::Id(&v.operator),
        start_field: "date",
        invalid,
    };
    let seen = Warnings::ConfirmFirst(form.get("warnings_seen"));
    let (invalid, warnings) = match app::agenda::book(&ctx, input, seen) {
        Ok((a, _)) => return Ok(back_to_day(&a, "fissato")),
        Err(AppError::Invalid(invalid)) => (invalid, vec![]),
        Err(AppError::UnseenWarnings(w)) => (Invalid::new(), w),
        Err(e) => return Err(e.into()),
    };
    let person = app::persons::usable(&ctx, query.persona, "modulo di appuntamento")?;
    let form = SlotForm {
        action: format!("/agenda/nuovo?persona={}", person.id),
        moving: None,
        values: &v,
        invalid: &invalid,
        warnings: &warnings,
    };
    slot_page(
        &auth,
        &state,
        &person,
        &form,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The confirmation of a cancellation, with its reason.
pub async fn cancel_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let (a, person) = app::agenda::one(&auth.ctx(&state), path.into_inner())?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
    Ok(ok(views::agenda::cancel_page(
        &chrome,
        &a,
        &person,
        "",
        &Invalid::new(),
    )))
}

pub async fn cancel(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let ctx = auth.ctx(&state);
    let reason = form.get("reason");
    match app::agenda::cancel(&ctx, id, reason) {
        Ok(a) => Ok(back_to_day(&a, "annullato")),
        Err(AppError::Invalid(invalid)) => {
            let (a, person) = app::agenda::one(&ctx, id)?;
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/agenda");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::agenda::cancel_page(&chrome, &a, &person, reason, &invalid),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn restore(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let a = app::agenda::restore(&auth.ctx(&state), path.into_inner())?;
    Ok(back_to_day(&a, "ripristinato"))
}

pub async fn outcome(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let a = app::agenda::set_outcome(&auth.ctx(&state), path.into_inner(), form.get("outcome"))?;
    Ok(back_to_day(&a, "esito"))
}

pub async fn move_form(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let ctx = auth.ctx(&state);
    let (a, person) = app::agenda::one(&ctx, path.into_inner())?;
    let local = a.start.with_timezone(&Local);
    let v = AppointmentValues {
        date: local.format("%d/%m/%Y").to_string(),
        time: local.format("%H:%M").to_string(),
        duration_minutes: a.duration_minutes.to_string(),
        operator: a.operator_id.to_string(),
        ..Default::default()
    };
    let form = SlotForm {
        action: format!("/agenda/{}/sposta", a.id),
        moving: Some(&a),
        values: &v,
        invalid: &Invalid::new(),
        warnings: &[],
    };
    slot_page(&auth, &state, &person, &form, StatusCode::OK)
}

pub async fn move_submit(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let ctx = auth.ctx(&state);
    let v = values_of(&form);
    let (start, duration, invalid) = typed_slot(&v);
    let to = Move {
        start,
        duration_minutes: duration,
        with: With::Id(&v.operator),
        start_field: "date",
        invalid,
    };
    let seen = Warnings::ConfirmFirst(form.get("warnings_seen"));
    let (invalid, warnings) = match app::agenda::move_to(&ctx, id, to, seen) {
        Ok((a, _)) => return Ok(back_to_day(&a, "spostato")),
        Err(AppError::Invalid(invalid)) => (invalid, vec![]),
        Err(AppError::UnseenWarnings(w)) => (Invalid::new(), w),
        Err(e) => return Err(e.into()),
    };
    let (a, person) = app::agenda::one(&ctx, id)?;
    let form = SlotForm {
        action: format!("/agenda/{id}/sposta"),
        moving: Some(&a),
        values: &v,
        invalid: &invalid,
        warnings: &warnings,
    };
    slot_page(
        &auth,
        &state,
        &person,
        &form,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
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
    r.get("/agenda/{id}/annulla", Gate::Desk, cancel_form);
    r.post("/agenda/{id}/annulla", Gate::Desk, cancel);
    r.post("/agenda/{id}/ripristina", Gate::Desk, restore);
    r.post("/agenda/{id}/esito", Gate::Desk, outcome);
    r.get("/agenda/{id}/sposta", Gate::Desk, move_form);
    r.post("/agenda/{id}/sposta", Gate::Desk, move_submit);
    r.get("/agenda/{id}/promemoria.pdf", Gate::Desk, reminder);
}
