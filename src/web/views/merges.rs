//! Merging two records of the same person: finding the other record, comparing both before the
//! merge, and the merges shown (and undone) on the record kept.

use maud::{html, Markup};

use super::fmt;
use super::form::{error_summary, field_errors};
use super::layout::{csrf_field, page as frame, Chrome};
use super::persons::code_badge;
use crate::app::merges::Side;
use crate::domain::merge::Merge;
use crate::domain::person::Person;
use crate::domain::Invalid;
use crate::store::SearchHit;
use crate::web::routes::Gate;

/// Finding the other record of the same person.
pub fn find_page(chrome: &Chrome, person: &Person, query: &str, hits: &[SearchHit]) -> Markup {
    frame(
        chrome,
        "Unisci due schede",
        html! {
            h1 { "È la stessa persona di…" }
            p class="lead" { "Scheda di " a href={"/persone/" (person.id)} { (person.display_name()) } " – " (code_badge(person)) }
            p { "Cercare l'altra scheda della stessa persona; prima di unirle si vedono affiancate." }
            form method="get" action={"/persone/" (person.id) "/unisci"} role="search" class="mb-3" {
                div class="form-group" {
                    label class="active" for="q" { "Codice fiscale (anche in parte) o cognome e nome" }
                    input type="search" class="form-control" id="q" name="q" value=(query) autocomplete="off" autofocus;
                }
                button type="submit" class="btn btn-primary" { "Cerca" }
            }
            @if !query.trim().is_empty() {
                @if hits.is_empty() {
                    p { "Nessun'altra scheda trovata per «" (query) "»." }
                } @else {
                    ul class="list-unstyled" {
                        @for h in hits {
                            li class="mb-2" {
                                (h.person.display_name()) " – " (code_badge(&h.person))
                                @if let Some(d) = h.person.birth_date { " – nata/o il " (fmt::date(d)) }
                                " "
                                a class="btn btn-outline-primary btn-sm ms-2" href={"/persone/" (person.id) "/unisci/" (h.person.id)} {
                                    "Confronta" span class="visually-hidden" { " con " (h.person.display_name()) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn side_card(s: &Side, checked: bool) -> Markup {
    let p = &s.person;
    html! {
        div class="col-12 col-md-6" {
            div class="card card-bg mb-3" {
                div class="card-body" {
                    div class="form-check" {
                        input type="radio" name="keep" value=(p.id) id={"keep-" (p.id)} checked[checked];
                        label for={"keep-" (p.id)} { "Tieni questa scheda" }
                    }
                    h2 class="h5 mt-2" { (p.display_name()) }
                    p { (code_badge(p)) }
                    dl {
                        dt { "Nascita" } dd { @if let Some(d) = p.birth_date { (fmt::date(d)) } @else { "non indicata" } }
                        dt { "Telefono" } dd { @if p.phone.is_empty() { "non indicato" } @else { (p.phone) } }
                        dt { "Registrata il" } dd { (fmt::local_date(p.created_at)) }
                        dt { "Accessi, appuntamenti, invii" } dd { (s.accesses) ", " (s.appointments) ", " (s.referrals) }
                        dt { "Informativa privacy" } dd { @if p.privacy_notice.is_some() { "consegnata" } @else { "non registrata" } }
                    }
                }
            }
        }
    }
}

/// Both records side by side, with the choice of the one to keep.
pub fn compare_page(chrome: &Chrome, a: &Side, b: &Side, invalid: &Invalid) -> Markup {
    // By default keep the record with a codice fiscale, else the older one.
    let keep_a = match (
        a.person.codice_fiscale.is_some(),
        b.person.codice_fiscale.is_some(),
    ) {
        (true, false) => true,
        (false, true) => false,
        _ => a.person.created_at <= b.person.created_at,
    };
    frame(
        chrome,
        "Unisci due schede",
        html! {
            h1 { "Unire le due schede?" }
            p {
                "Accessi, appuntamenti, invii, consensi e familiari dell'altra scheda passano alla scheda tenuta; "
                "l'altra resta solo come rimando (il suo indirizzo porta alla scheda tenuta). "
                "Il responsabile può annullare l'unione dalla scheda tenuta."
            }
            (error_summary(invalid))
            form method="post" action={"/persone/" (a.person.id) "/unisci/" (b.person.id)} {
                (csrf_field(chrome.csrf))
                fieldset {
                    legend class="h4" { "Scheda da tenere" }
                    div class="row" {
                        (side_card(a, keep_a))
                        (side_card(b, !keep_a))
                    }
                    (field_errors(invalid, "person"))
                }
                button type="submit" class="btn btn-primary" { "Unisci le schede" }
                " "
                a class="btn btn-outline-secondary" href={"/persone/" (a.person.id)} { "Annulla" }
            }
        },
    )
}

/// On the record kept: the records merged into it, each with its undo.
pub fn merged_here(chrome: &Chrome, merges: &[(Merge, Option<Person>)]) -> Markup {
    html! {
        @if !merges.is_empty() {
            section aria-labelledby="h-merges" class="mb-4" {
                h2 id="h-merges" class="h5" { "Schede unite a questa" }
                ul {
                    @for (m, p) in merges {
                        li {
                            "Scheda di " (p.as_ref().map_or_else(|| m.merged.to_string(), Person::display_name))
                            @if let Some(code) = p.as_ref().and_then(|p| p.code()) { " (" (code) ")" }
                            ", unita il " (fmt::local_datetime(m.at)) " da " (m.by_name)
                            ": " (fmt::count(m.accesses.len(), "accesso", "accessi")) ", "
                            (fmt::count(m.appointments.len(), "appuntamento", "appuntamenti")) ", "
                            (fmt::count(m.referrals.len(), "invio", "invii")) "."
                            @if let Some(u) = &m.undone {
                                " Unione annullata il " (fmt::local_datetime(u.at)) "."
                            } @else if chrome.may(Gate::Merge) {
                                form method="post" action={"/persone/unioni/" (m.id) "/annulla"} class="d-inline ms-2" {
                                    (csrf_field(chrome.csrf))
                                    button type="submit" class="btn btn-outline-danger btn-sm" { "Annulla l'unione" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
