//! The agenda: appointments by day or week, per operator; the new-appointment form.

use chrono::NaiveDate;
use maud::{html, Markup};
use uuid::Uuid;

use super::fmt;
use super::form::{alert, error_summary, input, select};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::appointment::Appointment;
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
                    div class="form-group" {
                        label class="active" for="giorno" { "Giorno" }
                        input type="date" class="form-control" id="giorno" name="giorno" value=(v.from.format("%Y-%m-%d"));
                    }
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
                    div class="table-responsive" {
                        table class="table table-sm" {
                            caption class="visually-hidden" { "Appuntamenti di " (fmt::day_heading(day)) }
                            thead { tr {
                                th scope="col" { "Ora" } th scope="col" { "Persona" } th scope="col" { "Operatore" }
                                th scope="col" { "Motivo" } th scope="col" { "Luogo" } th scope="col" { span class="visually-hidden" { "Azioni" } }
                            } }
                            tbody {
                                @for (a, p) in today {
                                    tr {
                                        td { (fmt::local_time(a.start)) " (" (a.duration_minutes) " min)" }
                                        td { @if let Some(p) = p { a href={"/persone/" (p.id)} { (p.display_name()) } } }
                                        td { (a.operator_name) }
                                        td { (a.purpose) @if a.cancelled { " " span class="badge bg-secondary" { "annullato" } } }
                                        td { (a.place) }
                                        td {
                                            @if !a.cancelled {
                                                a class="btn btn-outline-primary btn-sm me-1" href={"/agenda/" (a.id) "/promemoria.pdf"} { "Promemoria" }
                                                form method="post" action={"/agenda/" (a.id) "/annulla"} class="d-inline" {
                                                    (csrf_field(chrome.csrf))
                                                    button type="submit" class="btn btn-outline-danger btn-sm" { "Annulla" span class="visually-hidden" { " l'appuntamento delle " (fmt::local_time(a.start)) } }
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

pub fn form_page(
    chrome: &Chrome,
    person: &Person,
    operators: &[User],
    v: &AppointmentValues,
    invalid: &Invalid,
) -> Markup {
    let ops: Vec<(String, String)> = operators
        .iter()
        .map(|u| (u.id.to_string(), u.full_name.clone()))
        .collect();
    let ops_ref: Vec<(&str, &str)> = ops.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    frame(
        chrome,
        "Nuovo appuntamento",
        html! {
            h1 { "Nuovo appuntamento" }
            p class="lead" { "Per " a href={"/persone/" (person.id)} { (person.display_name()) } }
            (error_summary(invalid))
            form method="post" action={"/agenda/nuovo?persona=" (person.id)} {
                (csrf_field(chrome.csrf))
                div class="row" {
                    div class="col-6 col-md-3" { (input("text", "date", "Data", &v.date, invalid, Some("gg/mm/aaaa"), "off")) }
                    div class="col-6 col-md-3" { (input("text", "time", "Ora", &v.time, invalid, Some("hh:mm"), "off")) }
                    div class="col-6 col-md-3" { (input("text", "duration_minutes", "Durata (minuti)", &v.duration_minutes, invalid, None, "off")) }
                    div class="col-12 col-md-3" { (select("operator", "Con", &ops_ref, &v.operator, invalid, None)) }
                }
                (input("text", "place", "Luogo", &v.place, invalid, Some("Per esempio: Ufficio servizi sociali, piano terra."), "off"))
                (input("text", "purpose", "Motivo", &v.purpose, invalid, None, "off"))
                button type="submit" class="btn btn-primary" { "Fissa l'appuntamento" }
            }
        },
    )
}
