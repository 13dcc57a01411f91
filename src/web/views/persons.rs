//! Person pages: search, registration and edit form, the person's page with its timeline.

use chrono::{DateTime, Utc};
use maud::{html, Markup};
use uuid::Uuid;

use super::fmt;
use super::form::{alert, checkbox, error_summary, field_errors, input, select};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::person::{HouseholdForm, Person, PersonChange, PersonForm};
use crate::domain::reference::Reference;
use crate::domain::referral::Referral;
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;
use crate::store::SearchHit;
use crate::web::routes::Gate;

/// The person's code, marked when temporary.
pub fn code_badge(p: &Person) -> Markup {
    html! {
        @if let Some(cf) = &p.codice_fiscale {
            span class="text-monospace" { (cf) }
        } @else if let Some(tmp) = &p.temporary_code {
            span class="text-monospace" { (tmp) } " "
            span class="badge bg-warning text-dark" { "codice provvisorio" }
        }
    }
}

pub fn search_box(query: &str, autofocus: bool) -> Markup {
    html! {
        form method="get" action="/persone" role="search" class="mb-4" {
            div class="form-group" {
                label class="active" for="q" { "Cerca persona: codice fiscale (anche in parte) o cognome e nome" }
                input type="search" class="form-control" id="q" name="q" value=(query) autocomplete="off" autofocus[autofocus];
            }
            button type="submit" class="btn btn-primary" { "Cerca" }
            " "
            a class="btn btn-outline-primary" href="/persone/nuova" { "Registra una persona" }
        }
    }
}

pub fn search_page(
    chrome: &Chrome,
    query: &str,
    hits: &[SearchHit],
    reference: &Reference,
) -> Markup {
    frame(
        chrome,
        "Persone",
        html! {
            h1 { "Persone" }
            (search_box(query, true))
            @if !query.trim().is_empty() {
                @if hits.is_empty() {
                    p { "Nessuna persona trovata per «" (query) "». Controllare la grafia o registrare la persona." }
                } @else {
                    div class="table-responsive" tabindex="0" role="region" aria-label={ (fmt::count(hits.len(), "risultato", "risultati")) " per «" (query) "», i più pertinenti per primi" ", scorre in orizzontale" } {
                        table class="table table-striped table-hover" {
                            caption { (fmt::count(hits.len(), "risultato", "risultati")) " per «" (query) "», i più pertinenti per primi" }
                            thead { tr {
                                th scope="col" { "Persona" }
                                th scope="col" { "Codice" }
                                th scope="col" { "Nascita" }
                                th scope="col" { "Residenza" }
                                th scope="col" { span class="visually-hidden" { "Azioni" } }
                            } }
                            tbody {
                                @for h in hits {
                                    @let p = &h.person;
                                    tr {
                                        td { a href={"/persone/" (p.id)} { (p.display_name()) } }
                                        td { (code_badge(p)) }
                                        td {
                                            @if let Some(d) = p.birth_date { (fmt::date(d)) }
                                            @if let Some(place) = &p.birth_place { " – " (reference.places().birth_place_label(place)) }
                                        }
                                        td {
                                            @if p.homeless { "Senza fissa dimora" }
                                            @else if let Some(c) = &p.residence_istat { (reference.places().comune_label(c)) }
                                        }
                                        td { a class="btn btn-primary btn-sm" href={"/accessi/nuovo?persona=" (p.id)} { "Nuovo accesso" span class="visually-hidden" { " per " (p.display_name()) } } }
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

/// Prefilled form values from a stored person: places by name, as they are typed.
pub fn form_of(p: &Person, places: &crate::domain::place::Places) -> PersonForm {
    PersonForm {
        codice_fiscale: p
            .codice_fiscale
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default(),
        surname: p.surname.clone(),
        given_names: p.given_names.clone(),
        sex: p.sex.map(|s| s.code().to_string()).unwrap_or_default(),
        birth_date: p.birth_date.map(fmt::date).unwrap_or_default(),
        birth_place: p
            .birth_place
            .as_deref()
            .map(|c| places.birth_place_typed(c))
            .unwrap_or_default(),
        citizenship: p
            .citizenship
            .as_deref()
            .map(|c| places.citizenship_typed(c))
            .unwrap_or_default(),
        residence_istat: p
            .residence_istat
            .as_deref()
            .map(|c| places.comune_typed(c))
            .unwrap_or_default(),
        domicile_istat: p
            .domicile_istat
            .as_deref()
            .map(|c| places.comune_typed(c))
            .unwrap_or_default(),
        homeless: p.homeless,
        phone: p.phone.clone(),
        email: p.email.clone(),
        language: p.language.clone(),
        household: p
            .household
            .iter()
            .map(|m| HouseholdForm {
                name: m.name.clone(),
                relation: m.relation.clone(),
                birth_year: m.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                code: String::new(),
            })
            .collect(),
    }
}

/// The identity fields of a person (used alone, and inside the access form with a prefix).
pub fn identity_fields(v: &PersonForm, invalid: &Invalid) -> Markup {
    let sexes = [("M", "Maschile"), ("F", "Femminile")];
    html! {
        div class="row" {
            div class="col-12 col-md-6" {
                (input("text", "codice_fiscale", "Codice fiscale", &v.codice_fiscale, invalid,
                    Some("Se manca (persona senza documenti, neonato) si assegna un codice provvisorio."), "off"))
            }
            div class="col-12 col-md-6" {
                (select("sex", "Sesso", &sexes, &v.sex, invalid, Some("Non indicato (dal codice fiscale, se presente)")))
            }
            div class="col-12 col-md-6" { (input("text", "surname", "Cognome", &v.surname, invalid, None, "off")) }
            div class="col-12 col-md-6" { (input("text", "given_names", "Nome", &v.given_names, invalid, None, "off")) }
            div class="col-12 col-md-4" {
                (input("text", "birth_date", "Data di nascita", &v.birth_date, invalid, Some("gg/mm/aaaa"), "off"))
            }
            div class="col-12 col-md-4" {
                (input("text", "birth_place", "Luogo di nascita", &v.birth_place, invalid,
                    Some("Comune o Stato estero, o codice catastale (es. L425)."), "off"))
            }
            div class="col-12 col-md-4" {
                (input("text", "citizenship", "Cittadinanza", &v.citizenship, invalid,
                    Some("«italiana», o lo Stato (es. Romania), o «apolide»."), "off"))
            }
        }
    }
}

pub enum FormMode {
    New,
    Edit(Uuid),
}

pub fn form_page(
    chrome: &Chrome,
    mode: &FormMode,
    v: &PersonForm,
    invalid: &Invalid,
    duplicates: &[Person],
    warnings: &[String],
    reference: &Reference,
) -> Markup {
    let (title, action) = match mode {
        FormMode::New => (
            "Registra una persona".to_string(),
            "/persone/nuova".to_string(),
        ),
        FormMode::Edit(id) => (
            "Modifica dati della persona".to_string(),
            format!("/persone/{id}/modifica"),
        ),
    };
    let mut rows = v.household.clone();
    rows.resize(rows.len() + 2, HouseholdForm::default());
    frame(
        chrome,
        &title,
        html! {
            h1 { (title) }
            (error_summary(invalid))
            @if !duplicates.is_empty() {
                div class="alert alert-warning" role="alert" {
                    p { strong { "Attenzione: potrebbe essere una persona già registrata." } " Controllare prima di continuare:" }
                    ul {
                        @for p in duplicates {
                            li {
                                a href={"/persone/" (p.id)} { (p.display_name()) } " – "
                                (code_badge(p))
                                @if let Some(d) = p.birth_date { ", nato/a il " (fmt::date(d)) }
                                @if let Some(place) = &p.birth_place { " a " (reference.places().birth_place_label(place)) }
                            }
                        }
                    }
                    p class="mb-0" { "Se è davvero un'altra persona, spuntare la conferma in fondo e salvare di nuovo." }
                }
            }
            (super::form::warnings_box(warnings, "Salva"))
            form method="post" action=(action) {
                (csrf_field(chrome.csrf))
                (super::form::warnings_seen(warnings))
                fieldset {
                    legend class="h4" { "Identità" }
                    (identity_fields(v, invalid))
                }
                fieldset {
                    legend class="h4 mt-4" { "Residenza e recapiti" }
                    div class="row" {
                        div class="col-12 col-md-6" {
                            (input("text", "residence_istat", "Comune di residenza", &v.residence_istat, invalid,
                                Some("Nome del comune o codice ISTAT."), "off"))
                        }
                        div class="col-12 col-md-6" {
                            (input("text", "domicile_istat", "Comune di domicilio (se diverso)", &v.domicile_istat, invalid, None, "off"))
                        }
                    }
                    (checkbox("homeless", "1", "Senza fissa dimora", v.homeless, "f-homeless"))
                    div class="row" {
                        div class="col-12 col-md-4" { (input("tel", "phone", "Telefono", &v.phone, invalid, None, "off")) }
                        div class="col-12 col-md-4" { (input("email", "email", "E-mail", &v.email, invalid, None, "off")) }
                        div class="col-12 col-md-4" { (input("text", "language", "Lingua parlata", &v.language, invalid, None, "off")) }
                    }
                }
                fieldset {
                    legend class="h4 mt-4" { "Nucleo familiare" }
                    (field_errors(invalid, "household"))
                    @for (i, row) in rows.iter().enumerate() {
                        div class="row" {
                            div class="col-12 col-md-4" {
                                div class="form-group" {
                                    label class="active" for={"hh-name-" (i)} { "Componente " (i + 1) ": nome e cognome" }
                                    input type="text" class="form-control" id={"hh-name-" (i)} name="hh_name" value=(row.name) autocomplete="off";
                                }
                            }
                            div class="col-6 col-md-2" {
                                div class="form-group" {
                                    label class="active" for={"hh-rel-" (i)} { "Relazione" }
                                    input type="text" class="form-control" id={"hh-rel-" (i)} name="hh_relation" value=(row.relation) autocomplete="off";
                                }
                            }
                            div class="col-6 col-md-2" {
                                div class="form-group" {
                                    label class="active" for={"hh-year-" (i)} { "Anno di nascita" }
                                    input type="text" inputmode="numeric" class="form-control" id={"hh-year-" (i)} name="hh_year" value=(row.birth_year) autocomplete="off";
                                }
                            }
                            div class="col-12 col-md-4" {
                                div class="form-group" {
                                    label class="active" for={"hh-code-" (i)} { "Codice fiscale, se già registrato" }
                                    input type="text" class="form-control" id={"hh-code-" (i)} name="hh_code" value=(row.code) autocomplete="off";
                                }
                            }
                        }
                    }
                }
                @if !duplicates.is_empty() {
                    (checkbox("confirm_new", "1", "Confermo che è una persona diversa da quelle indicate sopra", false, "f-confirm-new"))
                }
                button type="submit" class="btn btn-primary mt-3" { "Salva" }
            }
        },
    )
}

/// One event on a person's timeline.
pub enum Event<'a> {
    Access(&'a Access),
    Appointment(&'a Appointment),
    Change(&'a PersonChange),
    Referral(&'a Referral),
}

impl Event<'_> {
    fn time(&self) -> DateTime<Utc> {
        match self {
            Event::Access(a) => a.time,
            Event::Appointment(a) => a.start,
            Event::Change(c) => c.time,
            Event::Referral(r) => r.created_at,
        }
    }
}

/// The person's page: her file (what the use case read), and when it is shown.
pub fn person_page(
    chrome: &Chrome,
    reference: &Reference,
    file: &crate::app::persons::PersonFile,
    notice: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> Markup {
    let p = &file.person;
    let places = reference.places();
    let mut events: Vec<Event> = file.accesses.iter().map(Event::Access).collect();
    events.extend(file.appointments.iter().map(Event::Appointment));
    events.extend(file.history.iter().map(Event::Change));
    events.extend(file.referrals.iter().map(Event::Referral));
    events.sort_by_key(|e| std::cmp::Reverse(e.time()));
    frame(
        chrome,
        &p.display_name(),
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { (p.display_name()) }
            p class="lead" { (code_badge(p)) }
            @if let Some(r) = &p.restriction {
                div class="alert alert-danger" role="alert" {
                    strong { "Trattamento limitato dal " (fmt::date(r.since)) ": " } (r.reason)
                    br; (crate::domain::privacy::RESTRICTED)
                }
            } @else {
                div class="mb-4" {
                    a class="btn btn-primary me-2" href={"/accessi/nuovo?persona=" (p.id)} accesskey="n" { "Nuovo accesso" }
                    a class="btn btn-outline-primary me-2" href={"/agenda/nuovo?persona=" (p.id)} { "Fissa appuntamento" }
                    a class="btn btn-outline-secondary me-2" href={"/persone/" (p.id) "/modifica"} { "Modifica dati" }
                    @if chrome.may(Gate::Merge) {
                        a class="btn btn-outline-secondary" href={"/persone/" (p.id) "/unisci"} { "È la stessa persona di…" }
                    }
                }
            }
            (super::merges::merged_here(chrome, &file.merges))
            div class="row" {
                div class="col-12 col-lg-5" {
                    h2 class="h4" { "Dati" }
                    dl {
                        dt { "Sesso" } dd { (p.sex.map_or("non indicato", |s| s.label())) }
                        dt { "Nascita" } dd {
                            @if let Some(d) = p.birth_date { (fmt::date(d)) } @else { "data non indicata" }
                            @if let Some(place) = &p.birth_place { ", " (places.birth_place_label(place)) }
                        }
                        dt { "Cittadinanza" } dd { (p.citizenship.as_deref().map_or("non indicata".to_string(), |c| places.citizenship_label(c))) }
                        dt { "Residenza" } dd {
                            @if let Some(c) = &p.residence_istat { (places.comune_label(c)) } @else { "non indicata" }
                            @if p.homeless { " – senza fissa dimora" }
                        }
                        @if let Some(c) = &p.domicile_istat { dt { "Domicilio" } dd { (places.comune_label(c)) } }
                        @if !p.phone.is_empty() { dt { "Telefono" } dd { a href={"tel:" (p.phone.replace(' ', ""))} { (p.phone) } } }
                        @if !p.email.is_empty() { dt { "E-mail" } dd { a href={"mailto:" (p.email)} { (p.email) } } }
                        @if !p.language.is_empty() { dt { "Lingua" } dd { (p.language) } }
                    }
                    h2 class="h5" { "Privacy" }
                    @if let Some(n) = &p.privacy_notice {
                        p { "Informativa consegnata il " (fmt::date(n.date)) " (versione " (n.version) ", " (n.method_label()) ")." }
                    } @else {
                        p { "Informativa: " span class="badge bg-warning text-dark" { "da consegnare" } }
                        @if !p.is_restricted() {
                            form method="post" action={"/persone/" (p.id) "/informativa"} class="mb-2" {
                                (csrf_field(chrome.csrf))
                                div class="form-check" {
                                    input type="radio" name="method" value="signed" id="notice-signed" checked;
                                    label for="notice-signed" { "Firmata su carta" }
                                }
                                div class="form-check" {
                                    input type="radio" name="method" value="oral" id="notice-oral";
                                    label for="notice-oral" { "Letta a voce (per telefono)" }
                                }
                                button type="submit" class="btn btn-outline-primary btn-sm" { "Registra la consegna" }
                            }
                        }
                    }
                    p { a href={"/persone/" (p.id) "/informativa.pdf"} { "Stampa l'informativa da firmare" } }
                    h3 class="h6" { "Consensi facoltativi" }
                    ul class="list-unstyled" {
                        @for (code, label) in crate::domain::privacy::CONSENT_PURPOSES {
                            li class="mb-2" {
                                (label) ": "
                                @if p.consents_to(code) {
                                    strong { "sì" }
                                    @if !p.is_restricted() {
                                        form method="post" action={"/persone/" (p.id) "/consensi"} class="d-inline ms-2" {
                                            (csrf_field(chrome.csrf))
                                            input type="hidden" name="purpose" value=(code);
                                            input type="hidden" name="azione" value="revoca";
                                            button type="submit" class="btn btn-link btn-sm p-0" { "revoca" span class="visually-hidden" { " il consenso: " (label) } }
                                        }
                                    }
                                } @else {
                                    "no"
                                    @if !p.is_restricted() {
                                        form method="post" action={"/persone/" (p.id) "/consensi"} class="d-inline ms-2" {
                                            (csrf_field(chrome.csrf))
                                            input type="hidden" name="purpose" value=(code);
                                            input type="hidden" name="azione" value="dai";
                                            button type="submit" class="btn btn-link btn-sm p-0" { "registra il consenso" span class="visually-hidden" { ": " (label) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if chrome.may(crate::web::routes::Gate::SocialWork) {
                        p { a href={"/persone/" (p.id) "/rapporto"} { "Dati trattati e accessi (art. 15): verifica e stampa" } }
                    }
                    @if chrome.may(crate::web::routes::Gate::Responsabile) {
                        @if p.is_restricted() {
                            form method="post" action={"/persone/" (p.id) "/limitazione/rimuovi"} class="mb-3" {
                                (csrf_field(chrome.csrf))
                                button type="submit" class="btn btn-outline-danger btn-sm" { "Togli la limitazione del trattamento" }
                            }
                        } @else {
                            form method="post" action={"/persone/" (p.id) "/limitazione"} class="mb-3" {
                                (csrf_field(chrome.csrf))
                                div class="form-group" {
                                    label class="active" for="restrict-reason" { "Motivo della limitazione (art. 18)" }
                                    input type="text" class="form-control" id="restrict-reason" name="reason" autocomplete="off";
                                }
                                button type="submit" class="btn btn-outline-danger btn-sm" { "Limita il trattamento" }
                            }
                        }
                    }
                    @if !p.household.is_empty() {
                        h2 class="h5" { "Nucleo familiare" }
                        ul {
                            @for m in &p.household {
                                li {
                                    @if let Some(id) = m.person_id { a href={"/persone/" (id)} { (m.name) } } @else { (m.name) }
                                    @if !m.relation.is_empty() { " (" (m.relation) ")" }
                                    @if let Some(y) = m.birth_year { ", nato/a nel " (y) }
                                }
                            }
                        }
                    }
                }
                div class="col-12 col-lg-7" {
                    h2 class="h4" { "Percorso" }
                    @if events.is_empty() {
                        p { "Nessun accesso registrato." }
                    }
                    ol class="list-unstyled" {
                        @for e in &events {
                            li class="border-start border-3 ps-3 pb-3" {
                                @match e {
                                    Event::Access(a) => {
                                        p class="mb-1" {
                                            strong { (fmt::local_datetime(a.time)) " – Accesso (" (reference.label(Kind::Channel, &a.channel)) ")" }
                                            " " a href={"/accessi/" (a.id)} { "apri" span class="visually-hidden" { " l'accesso del " (fmt::local_date(a.time)) } }
                                        }
                                        ul class="mb-1" {
                                            @for n in &a.needs {
                                                li {
                                                    (reference.label(Kind::Category, &n.category)) " – " (reference.label(Kind::Area, &n.area))
                                                    @if n.urgency != "ordinary" { " (" (reference.label(Kind::Urgency, &n.urgency)) ")" }
                                                }
                                            }
                                        }
                                        p class="mb-0 small" {
                                            "Esito: "
                                            (a.outcomes.iter().map(|o| reference.label(Kind::Outcome, o)).collect::<Vec<_>>().join("; "))
                                            " · " (a.operator_name)
                                        }
                                    }
                                    Event::Appointment(ap) => {
                                        p class="mb-0" {
                                            strong { (fmt::local_datetime(ap.start)) " – Appuntamento" }
                                            @if ap.cancelled { " (annullato)" } @else if let Some(o) = ap.outcome { " (" (o.label().to_lowercase()) ")" } @else if ap.start > now { " (in programma)" }
                                            " con " (ap.operator_name)
                                            @if !ap.purpose.is_empty() { ": " (ap.purpose) }
                                        }
                                        @for h in &ap.history {
                                            p class="mb-0 small text-secondary" { (fmt::local_datetime(h.at)) " – " (h.what) ", " (h.by_name) }
                                        }
                                    }
                                    Event::Referral(r) => {
                                        p class="mb-0" {
                                            strong { (fmt::local_datetime(r.created_at)) " – Invio a " (r.target_name) }
                                            " – " (r.status_text(fmt::local_date)) " "
                                            a href={"/invii/" (r.id)} { "apri" span class="visually-hidden" { " l'invio a " (r.target_name) } }
                                        }
                                    }
                                    Event::Change(c) => {
                                        p class="mb-0 small" {
                                            (fmt::local_datetime(c.time)) " – dati modificati da " (c.user) ": "
                                            (c.changes.iter().map(|f| format!("{} da «{}» a «{}»", f.field, f.before, f.after)).collect::<Vec<_>>().join("; "))
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
