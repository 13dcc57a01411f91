//! The service directory: search, a service's page, the list of unmet needs.

use chrono::NaiveDate;
use maud::{html, Markup};

use super::form::alert;
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::directory::{unmet_reason_label, Organization, Service, ServiceStatus};
use crate::domain::hsds::{language_name, Directory};
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;

/// `tel:` link target: digits and a leading plus only.
pub fn tel(number: &str) -> String {
    let digits: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

pub fn phone_links(numbers: &[String]) -> Markup {
    html! {
        @for (i, n) in numbers.iter().enumerate() {
            @if i > 0 { ", " }
            a href=(tel(n)) { (n) }
        }
    }
}

pub fn badges(s: &Service, today: NaiveDate) -> Markup {
    html! {
        @if s.status != ServiceStatus::Active { " " span class="badge bg-secondary" { (s.status.label()) } }
        @if s.needs_verification(today) { " " span class="badge bg-warning text-dark" { "da verificare" } }
        @if !s.alert.is_empty() { " " span class="badge bg-danger" { "avviso" } }
        @if s.example { " " span class="badge bg-light text-dark border" { "dati di esempio" } }
    }
}

pub struct Filters<'a> {
    pub q: &'a str,
    pub area: &'a str,
    pub category: &'a str,
    pub comune: &'a str,
}

fn org_name<'a>(dir: &'a Directory, s: &Service) -> &'a str {
    dir.organizations
        .iter()
        .find(|o| o.id == s.organization_id)
        .map_or("", |o| o.name.as_str())
}

/// The directory page: the services found, the filters used, and what the user may do.
pub struct ServiceList<'a> {
    pub dir: &'a Directory,
    pub shown: &'a [&'a Service],
    pub filters: Filters<'a>,
    pub today: NaiveDate,
    pub can_edit: bool,
    pub notice: Option<&'a str>,
}

pub fn list_page(chrome: &Chrome, reference: &Reference, list: &ServiceList) -> Markup {
    let ServiceList {
        dir,
        shown,
        filters,
        today,
        can_edit,
        notice,
    } = list;
    let (shown, today, can_edit, notice) = (*shown, *today, *can_edit, *notice);
    let mut comuni: Vec<&String> = dir
        .services
        .iter()
        .flat_map(|s| s.comuni_served.iter())
        .collect();
    comuni.sort();
    comuni.dedup();
    let places = reference.places();
    frame(
        chrome,
        "Servizi",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Servizi del territorio" }
            @if dir.example {
                (alert("info", "Questo è l'elenco di esempio (servizi fittizi): serve a provare il programma. Sostituirlo con l'elenco dell'Ambito."))
            }
            form method="get" action="/servizi" class="row align-items-end mb-3" role="search" {
                div class="col-12 col-lg-4" {
                    div class="form-group" {
                        label class="active" for="q" { "Cerca" }
                        input type="search" class="form-control" id="q" name="q" value=(filters.q) autocomplete="off";
                    }
                }
                div class="col-12 col-md-4 col-lg-2" {
                    div class="select-wrapper mb-3" {
                        label for="area" { "Area" }
                        select id="area" name="area" {
                            option value="" { "Tutte" }
                            @for t in &reference.vocab.area { option value=(t.code) selected[t.code == filters.area] { (t.label) } }
                        }
                    }
                }
                div class="col-12 col-md-4 col-lg-3" {
                    div class="select-wrapper mb-3" {
                        label for="category" { "Bisogno" }
                        select id="category" name="category" {
                            option value="" { "Tutti" }
                            @for t in &reference.vocab.category { option value=(t.code) selected[t.code == filters.category] { (t.label) } }
                        }
                    }
                }
                div class="col-12 col-md-4 col-lg-2" {
                    div class="select-wrapper mb-3" {
                        label for="comune" { "Comune" }
                        select id="comune" name="comune" {
                            option value="" { "Tutti" }
                            @for c in &comuni { option value=(c) selected[c.as_str() == filters.comune] { (places.comune_label(c)) } }
                        }
                    }
                }
                div class="col-12 col-lg-1" { button type="submit" class="btn btn-primary mb-3" { "Cerca" } }
            }
            p {
                a href="/servizi/bisogni-non-soddisfatti" { "Bisogni non soddisfatti (evidenza per il Piano di Zona)" }
                @if can_edit {
                    " · " a href="/servizi/nuovo" { "Nuovo servizio" }
                    " · " a href="/servizi/enti/nuovo" { "Nuovo ente" }
                }
            }
            @if dir.services.is_empty() {
                p { "L'elenco dei servizi è vuoto." }
                @if can_edit {
                    form method="post" action="/servizi/esempio" {
                        (csrf_field(chrome.csrf))
                        button type="submit" class="btn btn-outline-primary" { "Carica l'elenco di esempio (servizi fittizi dell'Ambito BA05)" }
                    }
                } @else {
                    p { "Il responsabile può caricarlo dall'Ambito o, per prova, caricare l'elenco di esempio." }
                }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ (shown.len()) " servizi su " (dir.services.len()) ", scorre in orizzontale" } {
                    table class="table table-striped table-hover" {
                        caption { (shown.len()) " servizi su " (dir.services.len()) }
                        thead { tr {
                            th scope="col" { "Servizio" } th scope="col" { "Ente" } th scope="col" { "Bisogni" }
                            th scope="col" { "Telefono" } th scope="col" { "Stato" }
                        } }
                        tbody {
                            @for s in shown {
                                tr {
                                    td { a href={"/servizi/" (s.id)} { (s.name) } }
                                    td { (org_name(dir, s)) }
                                    td { (s.categories.iter().map(|c| reference.label(Kind::Category, c)).collect::<Vec<_>>().join("; ")) }
                                    td { (phone_links(&s.phones)) }
                                    td { (s.status.label()) (badges(s, today)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn detail_page(
    chrome: &Chrome,
    reference: &Reference,
    s: &Service,
    org: Option<&Organization>,
    today: NaiveDate,
    // For the responsabile (who may edit the service): its complaints in the last 12 months.
    complaints: Option<u64>,
    notice: Option<&str>,
) -> Markup {
    let places = reference.places();
    let can_edit = complaints.is_some();
    frame(
        chrome,
        &s.name,
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { (s.name) (badges(s, today)) }
            @if let Some(o) = org {
                p class="lead mb-1" { (o.name) }
                @if !(o.phones.is_empty() && o.email.is_empty() && o.website.is_empty()) {
                    p class="small" {
                        @if !o.phones.is_empty() { "Ente: " (phone_links(&o.phones)) " " }
                        @if !o.email.is_empty() { a href={"mailto:" (o.email)} { (o.email) } " " }
                        @if !o.website.is_empty() { (web_link(&o.website)) }
                    }
                }
            }
            @if can_edit {
                p {
                    a class="btn btn-outline-primary btn-sm me-2" href={"/servizi/" (s.id) "/modifica"} { "Modifica" }
                    form method="post" action={"/servizi/" (s.id) "/verificato"} class="d-inline" {
                        (csrf_field(chrome.csrf))
                        button type="submit" class="btn btn-outline-secondary btn-sm" { "Segna come verificato oggi" }
                    }
                }
            }
            @if let Some(n) = complaints {
                p id="reclami" {
                    @if n == 0 {
                        "Nessun reclamo su questo servizio negli ultimi 12 mesi."
                    } @else {
                        "Reclami su questo servizio negli ultimi 12 mesi: " strong { (n) } ". "
                        a href="/statistiche#h-reclamo" { "Vedere le statistiche" }
                    }
                }
            }
            @if !s.alert.is_empty() { (alert("danger", &s.alert)) }
            @if s.needs_verification(today) {
                (alert("warning", "Informazioni non verificate da più di 12 mesi: controllarle con l'ente prima di indirizzare la persona."))
            }
            p { (s.description) }
            dl class="row" {
                dt class="col-sm-3" { "Aree" } dd class="col-sm-9" { (s.areas.iter().map(|c| reference.label(Kind::Area, c)).collect::<Vec<_>>().join("; ")) }
                dt class="col-sm-3" { "Bisogni" } dd class="col-sm-9" { (s.categories.iter().map(|c| reference.label(Kind::Category, c)).collect::<Vec<_>>().join("; ")) }
                @if !s.eligibility.is_empty() { dt class="col-sm-3" { "Chi può accedere" } dd class="col-sm-9" { (s.eligibility) } }
                @if s.min_age.is_some() || s.max_age.is_some() {
                    dt class="col-sm-3" { "Età" } dd class="col-sm-9" {
                        @if let Some(a) = s.min_age { "da " (a) " anni " }
                        @if let Some(a) = s.max_age { "fino a " (a) " anni" }
                    }
                }
                @if !s.application_process.is_empty() { dt class="col-sm-3" { "Come accedere" } dd class="col-sm-9" { (s.application_process) } }
                @if !s.fees.is_empty() { dt class="col-sm-3" { "Costi" } dd class="col-sm-9" { (s.fees) } }
                @if !s.required_documents.is_empty() {
                    dt class="col-sm-3" { "Documenti" } dd class="col-sm-9" { ul class="mb-0" { @for d in &s.required_documents { li { (d) } } } }
                }
                @if !s.languages.is_empty() { dt class="col-sm-3" { "Lingue" } dd class="col-sm-9" { (s.languages.iter().map(|l| language_name(l)).collect::<Vec<_>>().join(", ")) } }
                @if !s.phones.is_empty() { dt class="col-sm-3" { "Telefono" } dd class="col-sm-9" { (phone_links(&s.phones)) } }
                @if !s.email.is_empty() { dt class="col-sm-3" { "E-mail" } dd class="col-sm-9" { a href={"mailto:" (s.email)} { (s.email) } } }
                @if !s.url.is_empty() { dt class="col-sm-3" { "Sito" } dd class="col-sm-9" { (web_link(&s.url)) } }
                dt class="col-sm-3" { "Comuni serviti" } dd class="col-sm-9" {
                    @if s.comuni_served.is_empty() { "tutti" } @else { (s.comuni_served.iter().map(|c| places.comune_label(c)).collect::<Vec<_>>().join(", ")) }
                }
                dt class="col-sm-3" { "Verificato il" } dd class="col-sm-9" { (s.verified_on.map_or("mai".to_string(), |d| d.format("%d/%m/%Y").to_string())) }
            }
            h2 class="h4" { "Orari" }
            @let hours = s.hours_lines();
            @if hours.is_empty() { p { "Orari non indicati: telefonare per sapere quando riceve." } } @else { ul { @for h in &hours { li { (h) } } } }
            @for c in &s.closures {
                p {
                    @if c.from == c.to { "Chiuso il " (c.from.format("%d/%m/%Y")) }
                    @else { "Chiuso dal " (c.from.format("%d/%m/%Y")) " al " (c.to.format("%d/%m/%Y")) }
                    @if !c.note.is_empty() { ": " (c.note) }
                }
            }
            h2 class="h4" { "Sedi" }
            @for l in &s.locations {
                div class="mb-3" {
                    strong { (l.name) }
                    @if l.confidential {
                        " " span class="badge bg-danger" { "indirizzo riservato" }
                        p class="small mb-1" { "Non va comunicato né stampato: ai cittadini si dà solo il telefono." }
                    }
                    p class="mb-1" { (l.full_address()) }
                    @if !l.transportation.is_empty() { p class="mb-1 small" { "Come arrivare: " (l.transportation) } }
                    @if !l.accessibility.is_empty() { p class="mb-1 small" { "Accessibilità: " (l.accessibility) } }
                    @if !l.phones.is_empty() { p class="mb-1" { "Telefono: " (phone_links(&l.phones)) } }
                }
            }
        },
    )
}

/// Unmet needs counted by area, category and comune.
pub use crate::app::directory::UnmetRow;

pub fn unmet_page(chrome: &Chrome, reference: &Reference, rows: &[UnmetRow]) -> Markup {
    let places = reference.places();
    frame(
        chrome,
        "Bisogni non soddisfatti",
        html! {
            h1 { "Bisogni non soddisfatti" }
            p { "Le richieste a cui nessun servizio del territorio ha potuto rispondere: l'evidenza dei vuoti dell'offerta per il Piano di Zona. Nessun dato personale." }
            @if rows.is_empty() {
                p { "Nessun bisogno non soddisfatto registrato." }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Bisogni non soddisfatti per area, bisogno, comune e motivo" ", scorre in orizzontale" } {
                    table class="table table-striped" {
                        caption class="visually-hidden" { "Bisogni non soddisfatti per area, bisogno, comune e motivo" }
                        thead { tr {
                            th scope="col" { "Area" } th scope="col" { "Bisogno" } th scope="col" { "Comune" }
                            th scope="col" { "Motivo" } th scope="col" class="text-end" { "Numero" }
                        } }
                        tbody {
                            @for r in rows {
                                tr {
                                    td { (reference.label(Kind::Area, &r.area)) }
                                    td { (reference.label(Kind::Category, &r.category)) }
                                    td { @if r.comune.is_empty() { "non indicato" } @else { (places.comune_label(&r.comune)) } }
                                    td { (unmet_reason_label(&r.reason)) }
                                    td class="text-end" { (r.count) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The service edit form (responsabile). `id` is None for a new service.
pub fn form_page(
    chrome: &Chrome,
    reference: &Reference,
    organizations: &[Organization],
    id: Option<uuid::Uuid>,
    v: &crate::domain::service_form::ServiceForm,
    invalid: &crate::domain::Invalid,
    notice: Option<&str>,
) -> Markup {
    use super::form::{
        checkbox, error_summary, field_errors, input, select, textarea, textarea_max,
    };
    let cap = |field: &str| {
        crate::domain::service_form::TEXT_CAPS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(4000, |(_, m)| *m)
    };
    let orgs: Vec<(String, String)> = organizations
        .iter()
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect();
    let org_opts: Vec<(&str, &str)> = orgs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let statuses = [
        ("active", "Attivo"),
        ("temporarily closed", "Temporaneamente chiuso"),
        ("inactive", "Non attivo"),
    ];
    let (title, action) = match id {
        Some(id) => (
            "Modifica servizio".to_string(),
            format!("/servizi/{id}/modifica"),
        ),
        None => ("Nuovo servizio".to_string(), "/servizi/nuovo".to_string()),
    };
    frame(
        chrome,
        &title,
        html! {
            h1 { (title) }
            @if let Some(n) = notice { (alert("success", n)) }
            (error_summary(invalid))
            @if organizations.is_empty() {
                (alert("warning", "Prima di inserire un servizio, registrare l'ente che lo offre."))
            }
            p { a href="/servizi/enti/nuovo" { "Registra un nuovo ente" } }
            form method="post" action=(action) {
                (csrf_field(chrome.csrf))
                fieldset {
                    legend class="h4" { "Servizio" }
                    (select("organization_id", "Ente", &org_opts, &v.organization_id, invalid, Some("—")))
                    (input("text", "name", "Nome del servizio", &v.name, invalid, None, "off"))
                    (textarea_max("description", "Che cosa offre", &v.description, invalid, None, 3, cap("description")))
                    div class="row" {
                        div class="col-12 col-md-4" { (select("status", "Stato", &statuses, &v.status, invalid, None)) }
                        div class="col-12 col-md-4" { (input("text", "verified_on", "Verificato il", &v.verified_on, invalid, Some("gg/mm/aaaa; vuoto: mai"), "off")) }
                        div class="col-12 col-md-4" { (input("text", "alert", "Avviso temporaneo", &v.alert, invalid, None, "off")) }
                    }
                }
                fieldset {
                    legend class="h4 mt-4" { "A chi si rivolge" }
                    h2 class="h6" { "Aree di utenza" }
                    (field_errors(invalid, "areas"))
                    @for t in &reference.vocab.area {
                        (checkbox("areas", &t.code, &t.label, v.areas.contains(&t.code), &format!("area-{}", t.code)))
                    }
                    h2 class="h6 mt-3" { "Bisogni a cui risponde" }
                    (field_errors(invalid, "categories"))
                    @for t in &reference.vocab.category {
                        (checkbox("categories", &t.code, &t.label, v.categories.contains(&t.code), &format!("cat-{}", t.code)))
                    }
                    div class="row" {
                        div class="col-6 col-md-3" { (input("text", "min_age", "Età minima", &v.min_age, invalid, None, "off")) }
                        div class="col-6 col-md-3" { (input("text", "max_age", "Età massima", &v.max_age, invalid, None, "off")) }
                        div class="col-12 col-md-6" { (input("text", "comuni_served", "Comuni serviti", &v.comuni_served, invalid, Some("Nomi o codici ISTAT separati da virgola; vuoto: tutti."), "off")) }
                    }
                    div class="row" {
                        div class="col-12 col-md-6" {
                            (select("for_sex", "Riservato a", &[("F", "solo donne"), ("M", "solo uomini")], &v.for_sex, invalid, Some("donne e uomini")))
                        }
                        div class="col-12 col-md-6 pt-md-4" {
                            (checkbox("homeless_only", "1", "Solo per persone senza dimora (non suggerito a chi ha una casa)", v.homeless_only, "f-homeless_only"))
                        }
                    }
                    (textarea_max("eligibility", "Chi può accedere", &v.eligibility, invalid, None, 2, cap("eligibility")))
                }
                fieldset {
                    legend class="h4 mt-4" { "Come accedere" }
                    (textarea_max("application_process", "Come fare domanda", &v.application_process, invalid, None, 2, cap("application_process")))
                    (textarea("required_documents", "Documenti da portare", &v.required_documents, invalid, Some("Uno per riga."), 3))
                    (input("text", "fees", "Costi", &v.fees, invalid, None, "off"))
                    div class="row" {
                        div class="col-12 col-md-4" { (input("text", "languages", "Lingue", &v.languages, invalid, Some("Codici: it, en, fr, ro, ar…"), "off")) }
                        div class="col-12 col-md-4" { (input("text", "phones", "Telefoni", &v.phones, invalid, Some("Separati da virgola."), "off")) }
                        div class="col-12 col-md-4" { (input("email", "email", "E-mail", &v.email, invalid, None, "off")) }
                    }
                    (input("text", "url", "Sito web", &v.url, invalid, None, "off"))
                }
                fieldset {
                    legend class="h4 mt-4" { "Sede" }
                    (checkbox("confidential", "1", "Indirizzo riservato (casa rifugio, centro antiviolenza): mai stampato né comunicato, solo il telefono", v.confidential, "f-confidential"))
                    div class="row" {
                        div class="col-12 col-md-6" { (input("text", "location_name", "Nome della sede", &v.location_name, invalid, None, "off")) }
                        div class="col-12 col-md-6" { (input("text", "address", "Indirizzo", &v.address, invalid, None, "off")) }
                        div class="col-4 col-md-2" { (input("text", "postal_code", "CAP", &v.postal_code, invalid, None, "off")) }
                        div class="col-8 col-md-4" { (input("text", "city", "Comune", &v.city, invalid, None, "off")) }
                        div class="col-4 col-md-2" { (input("text", "province", "Provincia", &v.province, invalid, None, "off")) }
                        div class="col-8 col-md-4" { (input("text", "location_comune", "Codice ISTAT del comune", &v.location_comune, invalid, Some("Vuoto: dal nome del comune."), "off")) }
                    }
                    (input("text", "transportation", "Come arrivare", &v.transportation, invalid, Some("In parole, senza mappa: autobus, fermate, punti di riferimento."), "off"))
                    (input("text", "accessibility", "Accessibilità", &v.accessibility, invalid, None, "off"))
                    (input("text", "location_phones", "Telefoni della sede", &v.location_phones, invalid, None, "off"))
                }
                fieldset {
                    legend class="h4 mt-4" { "Orari" }
                    (textarea("hours", "Orario settimanale", &v.hours, invalid, Some("Una riga per giorno, es. «lunedì 09:00-12:00, 15:00-17:00»."), 4))
                    (textarea("closures", "Chiusure", &v.closures, invalid, Some("Una riga per chiusura, es. «24/12/2026-26/12/2026 Festività»."), 2))
                }
                button type="submit" class="btn btn-primary mt-3" { "Salva il servizio" }
            }
        },
    )
}

/// A new organization (responsabile).
pub fn organization_page(
    chrome: &Chrome,
    values: &[(&str, &str)],
    invalid: &crate::domain::Invalid,
) -> Markup {
    use super::form::{error_summary, input, textarea_max};
    let get = |k: &str| values.iter().find(|(n, _)| *n == k).map_or("", |(_, v)| *v);
    frame(
        chrome,
        "Nuovo ente",
        html! {
            h1 { "Nuovo ente" }
            (error_summary(invalid))
            form method="post" action="/servizi/enti/nuovo" {
                (csrf_field(chrome.csrf))
                (input("text", "name", "Nome dell'ente", get("name"), invalid, None, "off"))
                (textarea_max("description", "Descrizione", get("description"), invalid, None, 3, crate::app::directory::MAX_ORGANIZATION_DESCRIPTION))
                div class="row" {
                    div class="col-12 col-md-4" { (input("text", "phone", "Telefono", get("phone"), invalid, None, "off")) }
                    div class="col-12 col-md-4" { (input("email", "email", "E-mail", get("email"), invalid, None, "off")) }
                    div class="col-12 col-md-4" { (input("text", "website", "Sito web", get("website"), invalid, None, "off")) }
                }
                button type="submit" class="btn btn-primary" { "Salva l'ente" }
            }
        },
    )
}

/// A website as a link, only when it is one (http or https, as every form stores it).
fn web_link(url: &str) -> Markup {
    let lower = url.to_ascii_lowercase();
    html! {
        @if lower.starts_with("https://") || lower.starts_with("http://") {
            a href=(url) rel="noopener noreferrer" { (url) }
        } @else {
            (url)
        }
    }
}
