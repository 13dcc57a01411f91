//! The desk's start page: today's accesses and appointments, the search box, the two buttons.

use maud::{html, Markup};

use super::fmt;
use super::form::alert;
use super::layout::{page as frame, Chrome};
use super::persons::search_box;
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::person::Person;
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;

pub fn page(
    chrome: &Chrome,
    reference: &Reference,
    today: chrono::NaiveDate,
    accesses: &[(Access, Option<Person>)],
    appointments: &[(Appointment, Option<Person>)],
    notice: Option<&str>,
    oversight: &[crate::app::administration::OpenNotice],
) -> Markup {
    frame(
        chrome,
        "Sportello",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            (super::oversight::notices(chrome, oversight))
            h1 class="visually-hidden" { "Sportello" }
            (search_box("", true))
            div class="mb-4" {
                a class="btn btn-primary me-2" href="/accessi/nuovo" accesskey="n" { "Nuovo accesso" }
                a class="btn btn-outline-primary" href="/accessi/rapido" accesskey="r" { "Contatto telefonico rapido" }
            }
            h2 class="h4" { "Accessi di oggi, " (fmt::day_heading(today)) }
            @if accesses.is_empty() {
                p { "Nessun accesso registrato oggi." }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Accessi di oggi" ", scorre in orizzontale" } {
                    table class="table table-striped" {
                        caption class="visually-hidden" { "Accessi di oggi" }
                        thead { tr {
                            th scope="col" { "Ora" } th scope="col" { "Persona" } th scope="col" { "Modalità" }
                            th scope="col" { "Bisogni" } th scope="col" { "Operatore" }
                        } }
                        tbody {
                            @for (a, p) in accesses {
                                tr {
                                    td { a href={"/accessi/" (a.id)} { (fmt::local_time(a.time)) } }
                                    td { @if let Some(p) = p { a href={"/persone/" (p.id)} { (p.display_name()) } } @else { "anonimo" } }
                                    td { (reference.label(Kind::Channel, &a.channel)) }
                                    td { (a.needs.iter().map(|n| reference.label(Kind::Category, &n.category)).collect::<Vec<_>>().join("; ")) }
                                    td { (a.operator_name) }
                                }
                            }
                        }
                    }
                }
            }
            h2 class="h4 mt-4" { "Appuntamenti di oggi" }
            @if appointments.is_empty() {
                p { "Nessun appuntamento oggi. " a href="/agenda" { "Apri l'agenda" } }
            } @else {
                ul {
                    @for (ap, p) in appointments {
                        li {
                            (fmt::local_time(ap.start)) " – "
                            @if let Some(p) = p { a href={"/persone/" (p.id)} { (p.display_name()) } }
                            " con " (ap.operator_name)
                            @if ap.cancelled { " (annullato)" }
                        }
                    }
                }
            }
        },
    )
}
