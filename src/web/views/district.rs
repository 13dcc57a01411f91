//! District pages: the inbox of referrals from the desks of the Ambito and one referral.

use chrono::{DateTime, Utc};
use maud::{html, Markup};

use super::fmt;
use super::form::{alert, error_summary, select, textarea};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::district::{ImportRecord, InboxReferral};
use crate::domain::reference::Reference;
use crate::domain::referral::ReferralStatus;
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;

fn badge(s: ReferralStatus) -> Markup {
    html! { span class={"badge " (super::referrals::status_class(s))} { (s.label()) } }
}

fn person_name(e: &InboxReferral) -> String {
    let p = &e.record.person;
    format!("{} {}", p.surname, p.given_names)
        .trim()
        .to_string()
}

/// Referrals grouped by comune, newest first, with the bundles applied so far.
pub fn inbox_page(
    chrome: &Chrome,
    reference: &Reference,
    entries: &[InboxReferral],
    imports: &[ImportRecord],
) -> Markup {
    let mut comuni: Vec<&str> = entries.iter().map(|e| e.comune_name.as_str()).collect();
    comuni.sort_unstable();
    comuni.dedup();
    frame(
        chrome,
        "Invii ricevuti",
        html! {
            h1 { "Invii ricevuti dagli sportelli" }
            @if entries.is_empty() {
                p { "Nessun invio ricevuto. Gli invii arrivano con i pacchetti degli sportelli, caricati nella pagina «Scambi»." }
            }
            @for comune in &comuni {
                h2 class="h4 mt-4" { "Comune di " (comune) }
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Invii dal Comune di " (comune) ", scorre in orizzontale" } {
                    table class="table table-sm" {
                        caption class="visually-hidden" { "Invii dal Comune di " (comune) }
                        thead { tr {
                            th scope="col" { "Persona" }
                            th scope="col" { "Ricevuto il" }
                            th scope="col" { "Urgenza" }
                            th scope="col" { "Stato" }
                            th scope="col" { "Stessa persona in altri comuni" }
                        } }
                        tbody {
                            @for e in entries.iter().filter(|e| e.comune_name == *comune) {
                                tr {
                                    td { a href={"/ambito/invii/" (e.record.referral.id)} { (person_name(e)) } }
                                    td { (fmt::local_date(e.received_at)) }
                                    td { (reference.label(Kind::Urgency, &e.record.referral.urgency)) }
                                    td { (badge(e.status)) }
                                    td { (linked_comuni(e, entries).join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
            h2 class="h4 mt-4" { "Pacchetti applicati" }
            @if imports.is_empty() {
                p { "Nessun pacchetto applicato." }
            } @else {
                ul {
                    @for i in imports {
                        li { "Pacchetto " (i.sequence) " di " (i.comune_name) ", " (fmt::local_datetime(i.at)) " (" (i.by) "): "
                            (fmt::count(i.accesses, "accesso", "accessi")) ", " (fmt::count(i.referrals, "invio", "invii")) ", " (fmt::count(i.anonymizations, "anonimizzazione", "anonimizzazioni")) }
                    }
                }
            }
        },
    )
}

fn linked_comuni(e: &InboxReferral, all: &[InboxReferral]) -> Vec<String> {
    let mut out: Vec<String> = e
        .linked(all)
        .iter()
        .map(|o| o.comune_name.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

pub fn inbox_detail_page(
    chrome: &Chrome,
    reference: &Reference,
    e: &InboxReferral,
    linked: &[&InboxReferral],
    invalid: &Invalid,
    notice: Option<&str>,
    now: DateTime<Utc>,
) -> Markup {
    let p = &e.record.person;
    let r = &e.record.referral;
    let next: Vec<(&str, &str)> = e
        .status
        .next()
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect();
    let residence = p.residence_istat.as_deref().map(|c| {
        reference
            .comuni
            .get(c)
            .map_or(c.to_string(), |i| i.name.clone())
    });
    frame(
        chrome,
        "Invio ricevuto",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Invio da " (e.comune_name) }
            p class="lead" { (badge(e.status)) " – " (person_name(e)) }
            @if let Some(at) = e.desk_discarded {
                div class="alert alert-info" role="status" id="scarto-comune" {
                    "Il Comune di " (e.comune_name) " ha anonimizzato i propri dati di questa persona il "
                    (crate::web::views::fmt::local_date(at))
                    " (conservazione). Il caso, preso in carico, resta qui e segue il termine di conservazione dell'Ambito."
                }
            }
            @if !linked.is_empty() {
                div class="alert alert-info" role="status" {
                    p { "Stesso codice fiscale in invii di altri comuni (collegati, non uniti):" }
                    ul class="mb-0" {
                        @for o in linked {
                            li {
                                a href={"/ambito/invii/" (o.record.referral.id)} { "Invio da " (o.comune_name) " del " (fmt::local_date(o.received_at)) }
                                form method="post" action={"/ambito/invii/" (r.id) "/scollega"} class="d-inline ms-2" {
                                    (csrf_field(chrome.csrf))
                                    input type="hidden" name="other" value=(o.record.referral.id);
                                    button type="submit" class="btn btn-link btn-sm p-0" { "Non è la stessa persona: scollega" }
                                }
                            }
                        }
                    }
                }
            }
            h2 class="h4" { "Persona" }
            dl class="row" {
                dt class="col-sm-3" { "Codice fiscale" } dd class="col-sm-9" { (p.codice_fiscale.as_deref().unwrap_or("non indicato")) }
                dt class="col-sm-3" { "Data di nascita" } dd class="col-sm-9" { (p.birth_date.map(fmt::date).unwrap_or_else(|| "non indicata".into())) }
                dt class="col-sm-3" { "Residenza" } dd class="col-sm-9" { (residence.unwrap_or_else(|| if p.homeless { "senza dimora".into() } else { "non indicata".into() })) }
                dt class="col-sm-3" { "Telefono" } dd class="col-sm-9" { (if p.phone.is_empty() { "—" } else { &p.phone }) }
                dt class="col-sm-3" { "E-mail" } dd class="col-sm-9" { (if p.email.is_empty() { "—" } else { &p.email }) }
                dt class="col-sm-3" { "Informativa privacy" } dd class="col-sm-9" {
                    @match &p.privacy_notice { Some(n) => { "consegnata il " (fmt::date(n.date)) }, None => { "non risulta consegnata" } }
                }
            }
            h2 class="h4" { "Richiesta" }
            dl class="row" {
                dt class="col-sm-3" { "Motivo" } dd class="col-sm-9 text-prewrap" { (r.reason) }
                dt class="col-sm-3" { "Urgenza" } dd class="col-sm-9" { (reference.label(Kind::Urgency, &r.urgency)) }
                dt class="col-sm-3" { "Bisogni" } dd class="col-sm-9" {
                    ul class="mb-0" {
                        @for n in &e.record.needs {
                            li { (reference.label(Kind::Area, &n.area)) ": " (reference.label(Kind::Category, &n.category))
                                @if !n.description.is_empty() { " – " (n.description) } }
                        }
                    }
                }
            }
            h2 class="h4" { "Passaggi" }
            ol {
                @for h in r.history.iter().chain(e.decisions.iter()) {
                    li { strong { (h.status.label()) } " – " (fmt::local_datetime(h.at)) ", " (h.by) @if !h.note.is_empty() { ": " (h.note) } }
                }
            }
            @if !next.is_empty() {
                h2 class="h4" { "Decisione" }
                (error_summary(invalid))
                form method="post" action={"/ambito/invii/" (r.id) "/stato"} {
                    (csrf_field(chrome.csrf))
                    (select("status", "Nuovo stato", &next, "", invalid, None))
                    (textarea("note", "Nota per lo sportello", "", invalid, Some("Per esempio: chi seguirà la persona, perché l'invio è respinto."), 2))
                    button type="submit" class="btn btn-primary" { "Registra la decisione" }
                }
            }
            p { a href="/ambito" { "Torna agli invii ricevuti" } }
            p class="small text-secondary mt-3" { "Pagina generata il " (fmt::local_datetime(now)) "." }
        },
    )
}
