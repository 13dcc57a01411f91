//! The agenda: appointments by day or week, per operator; the new-appointment form.

use chrono::NaiveDate;
use maud::{html, Markup};
use uuid::Uuid;

use super::fmt;
use super::form::{alert, error_summary, input, select, textarea, warnings_box, warnings_seen};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::appointment::{Appointment, Outcome};
use crate::domain::person::Person;
use crate::domain::user::User;
use crate::domain::Invalid;

pub struct AgendaView<'a> {
    pub from: NaiveDate,
    pub days: u32,
    pub week: bool,
    /// Today, for the "Oggi" link (views never read the clock).
    pub today: chrono::NaiveDate,
    pub operator: Option<Uuid>,
    pub operators: &'a [User],
    pub items: &'a [(Appointment, Option<Person>)],
    /// The day as typed, shown back when it could not be read.
    pub typed_day: &'a str,
    pub invalid: &'a Invalid,
}

fn link(day: NaiveDate, week: bool, operator: Option<Uuid>) -> String {
    let mut s = format!(
        "/agenda?giorno={}&vista={}",
        day.format("%Y-%m-%d"),
        if week { "settimana" } else { "giorno" }
    );
    if let Some(op) = operator {
        s.push_str(&format!("&operatore={op}"));
    }
    s
}

pub fn page(chrome: &Chrome, v: &AgendaView, notice: Option<&str>) -> Markup {
    let step = chrono::Duration::days(i64::from(v.days));
    let operator_options: Vec<(String, String)> = v
        .operators
        .iter()
        .map(|u| (u.id.to_string(), u.full_name.clone()))
        .collect();
    let selected_op = v.operator.map(|o| o.to_string()).unwrap_or_default();
    frame(
        chrome,
        "Agenda",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Agenda" }
            form method="get" action="/agenda" class="row align-items-end mb-3" {
                div class="col-12 col-md-3" {
                    @let shown = if v.invalid.is_empty() { v.from.format("%d/%m/%Y").to_string() } else { v.typed_day.to_string() };
                    (input("text", "giorno", "Giorno", &shown, v.invalid, Some("gg/mm/aaaa"), "off"))
                }
                div class="col-12 col-md-3" {
                    div class="select-wrapper mb-3" {
                        label for="vista" { "Vista" }
                        select id="vista" name="vista" {
                            option value="giorno" selected[!v.week] { "Giorno" }
                            option value="settimana" selected[v.week] { "Settimana" }
                        }
                    }
                }
                div class="col-12 col-md-4" {
                    div class="select-wrapper mb-3" {
                        label for="operatore" { "Operatore" }
                        select id="operatore" name="operatore" {
                            option value="" selected[selected_op.is_empty()] { "Tutti" }
                            @for (id, name) in &operator_options { option value=(id) selected[*id == selected_op] { (name) } }
                        }
                    }
                }
                div class="col-12 col-md-2" { button type="submit" class="btn btn-primary mb-3" { "Mostra" } }
            }
            nav aria-label="Periodo" class="mb-3" {
                a class="btn btn-outline-primary btn-sm me-2" href=(link(v.from - step, v.week, v.operator)) { "← Precedente" }
                a class="btn btn-outline-primary btn-sm me-2" href=(link(v.today, v.week, v.operator)) { "Oggi" }
                a class="btn btn-outline-primary btn-sm" href=(link(v.from + step, v.week, v.operator)) { "Successivo →" }
            }
            @for offset in 0..v.days {
                @let day = v.from + chrono::Duration::days(i64::from(offset));
                @let today: Vec<_> = v.items.iter().filter(|(a, _)| a.start.with_timezone(&chrono::Local).date_naive() == day).collect();
                h2 class="h5 mt-3" { (fmt::day_heading(day)) }
                @if today.is_empty() {
                    p class="text-secondary" { "Nessun appuntamento." }
                } @else {
                    div class="table-responsive" tabindex="0" role="region" aria-label={ "Appuntamenti di " (fmt::day_heading(day)) ", scorre in orizzontale" } {
                        table class="table table-sm" {
                            caption class="visually-hidden" { "Appuntamenti di " (fmt::day_heading(day)) }
                            thead { tr {
                                th scope="col" { "Ora" } th scope="col" { "Persona" } th scope="col" { "Operatore" }
                                th scope="col" { "Motivo" } th scope="col" { "Luogo" } th scope="col" { span class="visually-hidden" { "Azioni" } }
                            } }
                            tbody {
                                @for (a, p) in today {
                                    @let when = fmt::local_time(a.start);
                                    tr {
                                        td { (when) " (" (a.duration_minutes) " min)" }
                                        td { @if let Some(p) = p { a href={"/persone/" (p.id)} { (p.display_name()) } } }
                                        td { (a.operator_name) }
                                        td {
                                            (a.purpose)
                                            @if a.cancelled {
                                                " " span class="badge bg-secondary" { "annullato" }
                                                @if !a.cancel_reason.is_empty() { br; span class="small" { "Motivo: " (a.cancel_reason) } }
                                            }
                                            @if let Some(o) = a.outcome { " " span class="badge bg-info text-dark" { (o.label()) } }
                                        }
                                        td { (a.place) }
                                        td {
                                            @if a.cancelled {
                                                form method="post" action={"/agenda/" (a.id) "/ripristina"} class="d-inline" {
                                                    (csrf_field(chrome.csrf))
                                                    button type="submit" class="btn btn-outline-primary btn-sm" { "Ripristina" span class="visually-hidden" { " l'appuntamento delle " (when) } }
                                                }
                                            } @else {
                                                a class="btn btn-outline-primary btn-sm me-1 mb-1" href={"/agenda/" (a.id) "/promemoria.pdf"} { "Promemoria" span class="visually-hidden" { " dell'appuntamento delle " (when) } }
                                                a class="btn btn-outline-primary btn-sm me-1 mb-1" href={"/agenda/" (a.id) "/sposta"} { "Sposta" span class="visually-hidden" { " l'appuntamento delle " (when) } }
                                                a class="btn btn-outline-danger btn-sm me-1 mb-1" href={"/agenda/" (a.id) "/annulla"} { "Annulla" span class="visually-hidden" { " l'appuntamento delle " (when) } }
                                                form method="post" action={"/agenda/" (a.id) "/esito"} class="d-flex align-items-center mt-1" {
                                                    (csrf_field(chrome.csrf))
                                                    label class="visually-hidden" for={"esito-" (a.id)} { "Esito dell'appuntamento delle " (when) }
                                                    select id={"esito-" (a.id)} name="outcome" class="form-select form-select-sm me-1" {
                                                        option value="" selected[a.outcome.is_none()] { "Esito non indicato" }
                                                        @for o in Outcome::ALL { option value=(o.code()) selected[a.outcome == Some(o)] { (o.label()) } }
                                                    }
                                                    button type="submit" class="btn btn-outline-secondary btn-sm" { "Esito" span class="visually-hidden" { " dell'appuntamento delle " (when) } }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The appointment form as typed.
#[derive(Debug, Default, Clone)]
pub struct AppointmentValues {
    pub date: String,
    pub time: String,
    pub duration_minutes: String,
    pub place: String,
    pub purpose: String,
    pub operator: String,
}

/// A slot form: booking a new appointment, or moving one (`moving`).
pub struct SlotForm<'a> {
    pub action: String,
    pub moving: Option<&'a Appointment>,
    pub values: &'a AppointmentValues,
    pub invalid: &'a Invalid,
    pub warnings: &'a [String],
}

pub fn form_page(chrome: &Chrome, person: &Person, operators: &[User], f: &SlotForm) -> Markup {
    let ops: Vec<(String, String)> = operators
        .iter()
        .map(|u| (u.id.to_string(), u.full_name.clone()))
        .collect();
    let ops_ref: Vec<(&str, &str)> = ops.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (v, invalid) = (f.values, f.invalid);
    let (title, button) = match f.moving {
        Some(_) => ("Sposta l'appuntamento", "Sposta l'appuntamento"),
        None => ("Nuovo appuntamento", "Fissa l'appuntamento"),
    };
    frame(
        chrome,
        title,
        html! {
            h1 { (title) }
            p class="lead" { "Per " a href={"/persone/" (person.id)} { (person.display_name()) } }
            @if let Some(a) = f.moving {
                p { "Ora: " (fmt::local_datetime(a.start)) " con " (a.operator_name) "." }
            }
            (error_summary(invalid))
            (warnings_box(f.warnings, button))
            form method="post" action=(f.action) {
                (csrf_field(chrome.csrf))
                (warnings_seen(f.warnings))
                div class="row" {
                    div class="col-6 col-md-3" { (input("text", "date", "Data", &v.date, invalid, Some("gg/mm/aaaa"), "off")) }
                    div class="col-6 col-md-3" { (input("text", "time", "Ora", &v.time, invalid, Some("hh:mm"), "off")) }
                    div class="col-6 col-md-3" { (input("text", "duration_minutes", "Durata (minuti)", &v.duration_minutes, invalid, None, "off")) }
                    div class="col-12 col-md-3" { (select("operator", "Con", &ops_ref, &v.operator, invalid, None)) }
                }
                @if f.moving.is_none() {
                    (input("text", "place", "Luogo", &v.place, invalid, Some("Per esempio: Ufficio servizi sociali, piano terra."), "off"))
                    (input("text", "purpose", "Motivo", &v.purpose, invalid, None, "off"))
                }
                button type="submit" class="btn btn-primary" { (button) }
            }
        },
    )
}

/// Cancelling asks for confirmation and a reason.
pub fn cancel_page(
    chrome: &Chrome,
    a: &Appointment,
    person: &Person,
    reason: &str,
    invalid: &Invalid,
) -> Markup {
    frame(
        chrome,
        "Annulla l'appuntamento",
        html! {
            h1 { "Annullare l'appuntamento?" }
            p class="lead" {
                (fmt::local_datetime(a.start)) " con " (a.operator_name) ", per "
                a href={"/persone/" (person.id)} { (person.display_name()) }
                @if !a.purpose.is_empty() { ": " (a.purpose) }
            }
            p { "L'appuntamento resta in agenda come annullato, con il motivo, e si può ripristinare." }
            (error_summary(invalid))
            form method="post" action={"/agenda/" (a.id) "/annulla"} {
                (csrf_field(chrome.csrf))
                (textarea("reason", "Motivo dell'annullamento", reason, invalid, Some("Per esempio: la persona ha telefonato, non può venire."), 2))
                button type="submit" class="btn btn-danger" { "Annulla l'appuntamento" }
                " "
                a class="btn btn-outline-secondary" href={"/agenda?giorno=" (a.start.with_timezone(&chrono::Local).format("%Y-%m-%d"))} { "Torna all'agenda" }
            }
        },
    )
}
