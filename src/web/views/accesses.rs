//! The access form (*scheda di accesso*), the quick phone contact, an access's page.

use maud::{html, Markup};

use super::fmt;
use super::form::{
    alert, checkbox, error_summary, field_errors, input, select, textarea_max, warnings_box,
    warnings_seen,
};
use super::layout::{csrf_field, page as frame, Chrome};
use super::persons::{code_badge, identity_fields};
use crate::domain::access::{Access, AccessForm, Need, COMPLAINT, MAX_NOTE_CHARS};
use crate::domain::directory::{unmet_reason_label, Service, Suggestion, UNMET_REASONS};
use crate::domain::person::{Person, PersonForm};
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;
use crate::web::views::services::phone_links;

pub const ANONYMOUS_WARNING: &str =
    "Accesso anonimo: nelle descrizioni e nelle note non scrivere nomi, indirizzi, \
numeri di telefono o altri dettagli che permettano di riconoscere la persona.";

/// Who the access form is about.
pub enum PersonChoice<'a> {
    Known(&'a Person),
    /// Not chosen yet: register a new person, or stay anonymous (`mode` is "new" or "anonymous").
    Open {
        mode: &'a str,
    },
}

pub(super) fn options(reference: &Reference, kind: Kind) -> Vec<(&str, &str)> {
    reference
        .vocab
        .terms(kind)
        .iter()
        .map(|t| (t.code.as_str(), t.label.as_str()))
        .collect()
}

fn anonymous_fields(reference: &Reference, v: &AccessForm, invalid: &Invalid) -> Markup {
    let sexes = [("M", "Maschile"), ("F", "Femminile")];
    html! {
        div class="row" {
            div class="col-12 col-md-4" { (select("anonymous_sex", "Sesso", &sexes, &v.anonymous_sex, invalid, Some("Non indicato"))) }
            div class="col-12 col-md-4" { (select("anonymous_age_band", "Fascia d'età", &options(reference, Kind::AgeBand), &v.anonymous_age_band, invalid, None)) }
            div class="col-12 col-md-4" { (select("anonymous_citizenship_area", "Cittadinanza", &options(reference, Kind::CitizenshipArea), &v.anonymous_citizenship_area, invalid, None)) }
        }
    }
}

pub(super) fn need_rows(reference: &Reference, needs: &[Need], invalid: &Invalid) -> Markup {
    let mut rows = needs.to_vec();
    while rows.len() < 3 {
        rows.push(Need {
            area: String::new(),
            category: String::new(),
            description: String::new(),
            urgency: String::new(),
            service: None,
        });
    }
    let areas = options(reference, Kind::Area);
    let categories = options(reference, Kind::Category);
    let urgencies = options(reference, Kind::Urgency);
    html! {
        (field_errors(invalid, "needs"))
        @for (i, n) in rows.iter().enumerate() {
            fieldset class="border-bottom mb-3" {
                legend class="h6" { "Bisogno " (i + 1) @if i > 0 { " (facoltativo)" } }
                div class="row" {
                    div class="col-12 col-md-4" {
                        div class="select-wrapper mt-2" {
                            label for={"need-area-" (i)} { "Area di utenza" }
                            select id={"need-area-" (i)} name="need_area" {
                                option value="" selected[n.area.is_empty()] { "—" }
                                @for (c, l) in &areas { option value=(c) selected[*c == n.area] { (l) } }
                            }
                        }
                    }
                    div class="col-12 col-md-5" {
                        div class="select-wrapper mt-2" {
                            label for={"need-category-" (i)} { "Categoria di bisogno" }
                            select id={"need-category-" (i)} name="need_category" {
                                option value="" selected[n.category.is_empty()] { "—" }
                                @for (c, l) in &categories { option value=(c) selected[*c == n.category] { (l) } }
                            }
                        }
                    }
                    div class="col-12 col-md-3" {
                        div class="select-wrapper mt-2" {
                            label for={"need-urgency-" (i)} { "Urgenza" }
                            select id={"need-urgency-" (i)} name="need_urgency" {
                                @for (c, l) in &urgencies { option value=(c) selected[*c == n.urgency] { (l) } }
                            }
                        }
                    }
                }
                div class="form-group" {
                    label class="active" for={"need-description-" (i)} { "Descrizione della domanda" }
                    textarea class="form-control" id={"need-description-" (i)} name="need_description" rows="2" maxlength=(MAX_NOTE_CHARS) { (n.description) }
                }
            }
        }
    }
}

/// The needs, the outcome, the duration and the notes of an access (new or corrected), under
/// the two legends given.
pub(super) fn needs_and_outcome(
    reference: &Reference,
    v: &AccessForm,
    invalid: &Invalid,
    can_write_reserved: bool,
    legends: [&str; 2],
) -> Markup {
    html! {
        fieldset {
            legend class="h4 mt-4" { (legends[0]) }
            (need_rows(reference, &v.needs, invalid))
        }
        fieldset {
            legend class="h4 mt-4" { (legends[1]) }
            (field_errors(invalid, "outcomes"))
            @for (c, l) in &options(reference, Kind::Outcome) {
                (checkbox("outcome", c, l, v.outcomes.iter().any(|o| o == c), &format!("outcome-{c}")))
            }
            div class="row" {
                div class="col-12 col-md-4" { (input("text", "duration_minutes", "Durata (minuti)", &v.duration_minutes, invalid, None, "off")) }
            }
            (textarea_max("notes", "Note", &v.notes, invalid, None, 3, MAX_NOTE_CHARS))
            @if can_write_reserved {
                (textarea_max("reserved_notes", "Note riservate", &v.reserved_notes, invalid,
                    Some("Visibili solo ad assistenti sociali e responsabile."), 3, MAX_NOTE_CHARS))
            }
        }
    }
}

/// Who spoke, when it was not the person (a relative, an organization).
pub fn interlocutor_fields(v: &AccessForm, invalid: &Invalid) -> Markup {
    html! {
        div class="row" {
            div class="col-12 col-md-6" {
                (input("text", "interlocutor_name", "Se non parla la persona: nome di chi parla", &v.interlocutor_name, invalid,
                    Some("Per esempio: Maria Bianchi, Caritas parrocchiale."), "off"))
            }
            div class="col-12 col-md-6" {
                (input("text", "interlocutor_relation", "Relazione con la persona", &v.interlocutor_relation, invalid,
                    Some("Per esempio: la figlia, l'assistente sociale dell'ospedale."), "off"))
            }
        }
    }
}

/// The access form as typed, with its problems and the persons it may duplicate.
pub struct AccessFormPage<'a> {
    pub choice: &'a PersonChoice<'a>,
    pub access: &'a AccessForm,
    pub person: &'a PersonForm,
    pub invalid: &'a Invalid,
    pub duplicates: &'a [Person],
    pub can_write_reserved: bool,
    /// The desk workers a follow-up appointment can be with.
    pub operators: &'a [crate::domain::user::User],
    /// The appointment's warnings to confirm (another appointment at that time, a Sunday…).
    pub warnings: &'a [String],
}

pub fn form_page(chrome: &Chrome, reference: &Reference, form: &AccessFormPage) -> Markup {
    let AccessFormPage {
        choice,
        access: v,
        person,
        invalid,
        duplicates,
        can_write_reserved,
        operators,
        warnings,
    } = *form;
    let ops: Vec<(String, String)> = operators
        .iter()
        .map(|u| (u.id.to_string(), u.full_name.clone()))
        .collect();
    let ops: Vec<(&str, &str)> = ops.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    frame(
        chrome,
        "Nuovo accesso",
        html! {
            h1 { "Nuovo accesso" }
            (error_summary(invalid))
            (warnings_box(warnings, "Registra l'accesso"))
            form method="post" action="/accessi/nuovo" {
                (csrf_field(chrome.csrf))
                (warnings_seen(warnings))
                fieldset {
                    legend class="h4" { "1. Accoglienza" }
                    div class="row" {
                        div class="col-6 col-md-3" { (input("text", "date", "Data", &v.date, invalid, Some("Vuoto: oggi"), "off")) }
                        div class="col-6 col-md-3" { (input("text", "time", "Ora", &v.time, invalid, Some("Vuoto: adesso"), "off")) }
                        div class="col-12 col-md-6" { (select("channel", "Modalità di accesso", &options(reference, Kind::Channel), &v.channel, invalid, None)) }
                        div class="col-12 col-md-6" { (select("interlocutor", "Chi parla", &options(reference, Kind::Interlocutor), &v.interlocutor, invalid, None)) }
                        div class="col-12 col-md-6" { (select("reason", "Motivo dell'accesso", &options(reference, Kind::Reason), &v.reason, invalid, None)) }
                    }
                    (interlocutor_fields(v, invalid))
                    (input("text", "sending_service", "Servizio inviante (se «Inviato da»)", &v.sending_service, invalid, None, "off"))
                }
                fieldset {
                    legend class="h4 mt-4" { "2. Persona" }
                    @match choice {
                        PersonChoice::Known(p) => {
                            input type="hidden" name="person_mode" value="existing";
                            input type="hidden" name="person_id" value=(p.id);
                            p class="lead" { a href={"/persone/" (p.id)} { (p.display_name()) } " – " (code_badge(p)) }
                        }
                        PersonChoice::Open { mode } => {
                            p { "Per una persona già registrata, " a href="/persone" { "cercarla" } " e scegliere «Nuovo accesso»." }
                            div class="form-check" {
                                input type="radio" name="person_mode" value="anonymous" id="mode-anon" checked[*mode != "new"];
                                label for="mode-anon" { "Persona anonima (solo dati statistici)" }
                            }
                            div class="form-check" {
                                input type="radio" name="person_mode" value="new" id="mode-new" checked[*mode == "new"];
                                label for="mode-new" { "Registra ora una nuova persona" }
                            }
                            (field_errors(invalid, "person_mode"))
                            h2 class="h6 mt-3" { "Se anonima" }
                            (alert("warning", ANONYMOUS_WARNING))
                            (anonymous_fields(reference, v, invalid))
                            h2 class="h6 mt-3" { "Se nuova persona" }
                            @if !duplicates.is_empty() {
                                div class="alert alert-warning" role="alert" {
                                    "Potrebbe essere già registrata: "
                                    @for (i, d) in duplicates.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        a href={"/accessi/nuovo?persona=" (d.id)} { (d.display_name()) }
                                    }
                                    ". Sceglierla, oppure spuntare la conferma qui sotto."
                                }
                                (checkbox("confirm_new", "1", "Confermo che è una persona diversa", false, "f-confirm-new"))
                            }
                            (identity_fields(person, invalid))
                            div class="row" {
                                div class="col-12 col-md-6" { (input("text", "residence_istat", "Comune di residenza", &person.residence_istat, invalid, None, "off")) }
                                div class="col-12 col-md-6" { (input("tel", "phone", "Telefono", &person.phone, invalid, None, "off")) }
                            }
                        }
                    }
                }
                (needs_and_outcome(reference, v, invalid, can_write_reserved, ["3. Domanda e bisogni", "4. Esito"]))
                fieldset {
                    legend class="h4 mt-4" { "5. Appuntamento successivo (facoltativo)" }
                    div class="row" {
                        div class="col-6 col-md-3" { (input("text", "appointment_date", "Data", &v.appointment_date, invalid, Some("gg/mm/aaaa"), "off")) }
                        div class="col-6 col-md-3" { (input("text", "appointment_time", "Ora", &v.appointment_time, invalid, Some("hh:mm"), "off")) }
                        div class="col-12 col-md-6" { (select("appointment_operator", "Con", &ops, &v.appointment_operator, invalid, None)) }
                        div class="col-12" { (input("text", "appointment_purpose", "Motivo", &v.appointment_purpose, invalid, None, "off")) }
                    }
                }
                button type="submit" class="btn btn-primary mt-3" accesskey="s" { "Registra l'accesso" }
            }
        },
    )
}

pub fn quick_page(
    chrome: &Chrome,
    reference: &Reference,
    v: &AccessForm,
    invalid: &Invalid,
) -> Markup {
    let first = v.needs.first();
    let area = first.map_or("", |n| n.area.as_str());
    let category = first.map_or("information", |n| n.category.as_str());
    let outcome = v
        .outcomes
        .first()
        .map_or("information_given", String::as_str);
    frame(
        chrome,
        "Contatto telefonico rapido",
        html! {
            h1 { "Contatto telefonico rapido" }
            p { "Per una chiamata anonima di sola informazione. Tutto da tastiera: Tab per passare al campo successivo, Invio per registrare." }
            (alert("warning", ANONYMOUS_WARNING))
            (error_summary(invalid))
            form method="post" action="/accessi/rapido" {
                (csrf_field(chrome.csrf))
                div class="row" {
                    div class="col-12 col-md-6" {
                        div class="select-wrapper mt-4 mb-3" {
                            label for="f-need_area" { "Area di utenza" }
                            @let needs_wrong = invalid.message("needs").is_some();
                            select id="f-need_area" name="need_area" autofocus[!needs_wrong]
                                class=[needs_wrong.then_some("is-invalid")]
                                aria-invalid=[needs_wrong.then_some("true")]
                                aria-describedby=[needs_wrong.then_some("f-needs-error")] {
                                option value="" selected[area.is_empty()] { "—" }
                                @for (c, l) in options(reference, Kind::Area) { option value=(c) selected[c == area] { (l) } }
                            }
                            (field_errors(invalid, "needs"))
                        }
                    }
                    div class="col-12 col-md-6" {
                        div class="select-wrapper mt-4 mb-3" {
                            label for="f-need_category" { "Categoria di bisogno" }
                            select id="f-need_category" name="need_category" {
                                @for (c, l) in options(reference, Kind::Category) { option value=(c) selected[c == category] { (l) } }
                            }
                        }
                    }
                    div class="col-12 col-md-6" { (select("interlocutor", "Chi chiama", &options(reference, Kind::Interlocutor), &v.interlocutor, invalid, None)) }
                    div class="col-12 col-md-6" {
                        (select("outcome", "Esito", &options(reference, Kind::Outcome), outcome, invalid, None))
                        (field_errors(invalid, "outcomes"))
                    }
                }
                (input("text", "need_description", "Che cosa ha chiesto (senza dati identificativi)", first.map_or("", |n| n.description.as_str()), invalid, None, "off"))
                (anonymous_fields(reference, v, invalid))
                div class="row" {
                    div class="col-6 col-md-3" { (input("text", "duration_minutes", "Durata (minuti)", &v.duration_minutes, invalid, None, "off")) }
                }
                button type="submit" class="btn btn-primary" accesskey="s" { "Registra il contatto" }
            }
        },
    )
}

/// What the orientation part of an access page shows.
pub struct Orientation<'a> {
    pub chosen: Vec<&'a Service>,
    /// Under each need (its index in the access), the services suggested for it.
    pub groups: Vec<(usize, Vec<(&'a Service, Suggestion)>)>,
    pub outside_territory: bool,
    pub without_residence: bool,
    pub referrals: Vec<crate::domain::referral::Referral>,
    /// Every service of the directory (id, name).
    pub all: &'a [(uuid::Uuid, String)],
}

/// The services chosen for the access, then those suggested, each once.
fn considered<'a>(o: &'a Orientation) -> Vec<&'a Service> {
    let mut out: Vec<&Service> = o.chosen.clone();
    for (s, _) in o.groups.iter().flat_map(|(_, list)| list) {
        if !out.iter().any(|c| c.id == s.id) {
            out.push(s);
        }
    }
    out
}

fn orientation_section(
    chrome: &Chrome,
    reference: &Reference,
    a: &Access,
    o: &Orientation,
) -> Markup {
    html! {
        section aria-labelledby="h-orientation" class="mt-4" {
            h2 id="h-orientation" class="h4" { "Orientamento" }
            @if o.chosen.is_empty() {
                p { "Nessun servizio scelto per ora." }
            } @else {
                ul {
                    @for s in &o.chosen {
                        li {
                            a href={"/servizi/" (s.id)} { (s.name) }
                            @if !s.phones.is_empty() { " – " (phone_links(&s.phones)) }
                            form method="post" action={"/accessi/" (a.id) "/servizi/" (s.id) "/rimuovi"} class="d-inline ms-2" {
                                (csrf_field(chrome.csrf))
                                button type="submit" class="btn btn-link btn-sm p-0" { "togli" span class="visually-hidden" { " " (s.name) } }
                            }
                        }
                    }
                }
                p {
                    @for (code, name) in reference.labels.languages() {
                        a class="btn btn-primary btn-sm me-2" href={"/accessi/" (a.id) "/orientamento.pdf?lingua=" (code)} { "Scheda di orientamento (" (name) ")" }
                    }
                }
            }
            h3 class="h5" { "Servizi suggeriti per i bisogni registrati" }
            @if o.outside_territory {
                (alert("info", "La persona risiede fuori dai comuni dell'Ambito: si suggeriscono solo i servizi aperti a tutti. Per i servizi del suo comune, indirizzarla al Segretariato Sociale del comune di residenza."))
            }
            @if o.without_residence {
                (alert("info", "La persona è senza dimora e non ha una residenza: non si suggeriscono i servizi riservati ai residenti di un comune. Per la residenza anagrafica (anche in una via fittizia del comune) indirizzarla all'Ufficio anagrafe."))
            }
            @for (need, list) in &o.groups {
                @let n = &a.needs[*need];
                h4 class="h6 mt-3" {
                    (reference.label(Kind::Category, &n.category)) " · " span class="fw-normal" { (reference.label(Kind::Area, &n.area)) }
                }
                @if list.is_empty() {
                    p { "Nessun altro servizio dell'elenco risponde a questo bisogno per questa persona: si può registrare il bisogno come non soddisfatto." }
                } @else {
                    ol {
                        @for (s, sug) in list {
                            li class="mb-2" {
                                a href={"/servizi/" (s.id)} { strong { (s.name) } }
                                @if sug.open_now { " " span class="badge bg-success" { "aperto ora" } }
                                br;
                                span class="small" { (sug.reasons.join(", ")) }
                                @if !s.phones.is_empty() { span class="small" { " · Tel. " (phone_links(&s.phones)) } }
                                form method="post" action={"/accessi/" (a.id) "/servizi"} class="d-inline ms-2" {
                                    (csrf_field(chrome.csrf))
                                    input type="hidden" name="service_id" value=(s.id);
                                    button type="submit" class="btn btn-outline-primary btn-sm" { "Aggiungi" span class="visually-hidden" { " " (s.name) } }
                                }
                            }
                        }
                    }
                }
            }
            h3 class="h5" { "Invii" }
            @for r in &o.referrals {
                p class="mb-1" {
                    a href={"/invii/" (r.id)} { "Invio a " (r.target_name) } " – " (r.status_text(fmt::local_date))
                }
            }
            @if a.person_id.is_some() {
                p { a class="btn btn-outline-primary btn-sm" href={"/invii/nuovo?accesso=" (a.id)} { "Nuovo invio (a un servizio o al Servizio Sociale Professionale)" } }
            }
            @let service_name = |id: &uuid::Uuid| o.all.iter().find(|(s, _)| s == id).map_or("servizio non più in elenco", |(_, n)| n.as_str());
            @let complaints: Vec<(usize, &crate::domain::access::Need)> = a.needs.iter().enumerate().filter(|(_, n)| n.category == COMPLAINT).collect();
            @if !complaints.is_empty() {
                h3 class="h5" { "Reclamo su un servizio" }
                @for (_, n) in &complaints {
                    p class="mb-1" {
                        "Servizio interessato: "
                        strong { (n.service.as_ref().map_or("non indicato", |s| service_name(s))) }
                    }
                }
                form method="post" action={"/accessi/" (a.id) "/reclamo"} class="row align-items-end" {
                    (csrf_field(chrome.csrf))
                    @if complaints.len() > 1 {
                        div class="col-12 col-md-4" {
                            div class="select-wrapper mb-3" {
                                label for="complaint-need" { "Reclamo" }
                                select id="complaint-need" name="need" {
                                    @for (k, (i, _)) in complaints.iter().enumerate() { option value=(i) { "Reclamo " (k + 1) } }
                                }
                            }
                        }
                    } @else {
                        input type="hidden" name="need" value=(complaints[0].0);
                    }
                    div class="col-12 col-md-6" {
                        div class="select-wrapper mb-3" {
                            label for="complaint-service" { "Servizio oggetto del reclamo" }
                            select id="complaint-service" name="service" {
                                option value="" { "— non indicato —" }
                                @for (id, name) in o.all { option value=(id) selected[complaints[0].1.service == Some(*id)] { (name) } }
                            }
                        }
                    }
                    div class="col-12 col-md-2" { button type="submit" class="btn btn-outline-secondary mb-3" { "Registra" } }
                }
            }
            h3 class="h5" { "Bisogni non soddisfatti" }
            @for u in &a.unmet {
                @if let Some(n) = a.needs.get(u.need) {
                    p class="mb-1" {
                        (reference.label(Kind::Category, &n.category)) ": " strong { (unmet_reason_label(&u.reason)) }
                        @if let Some(s) = &u.service { " (" (service_name(s)) ")" }
                        @if !u.note.is_empty() { " – " (u.note) }
                    }
                }
            }
            form method="post" action={"/accessi/" (a.id) "/non-soddisfatto"} class="row align-items-end" {
                (csrf_field(chrome.csrf))
                div class="col-12 col-md-4" {
                    div class="select-wrapper mb-3" {
                        label for="unmet-need" { "Bisogno" }
                        select id="unmet-need" name="need" {
                            @for (i, n) in a.needs.iter().enumerate() { option value=(i) { (reference.label(Kind::Category, &n.category)) } }
                        }
                    }
                }
                div class="col-12 col-md-4" {
                    div class="select-wrapper mb-3" {
                        label for="unmet-reason" { "Motivo" }
                        select id="unmet-reason" name="reason" {
                            @for (c, l) in UNMET_REASONS { option value=(c) { (l) } }
                        }
                    }
                }
                div class="col-12 col-md-4" {
                    div class="select-wrapper mb-3" {
                        label for="unmet-service" { "Servizio che non ha potuto accogliere (se c'è)" }
                        select id="unmet-service" name="service" {
                            option value="" { "— nessuno —" }
                            // The services considered for this access: chosen or suggested.
                            @for s in considered(o) { option value=(s.id) { (s.name) } }
                        }
                    }
                }
                div class="col-12 col-md-10" {
                    div class="form-group mb-3" {
                        label class="active" for="unmet-note" { "Nota (senza dati personali)" }
                        input type="text" class="form-control" id="unmet-note" name="note" autocomplete="off";
                    }
                }
                div class="col-12 col-md-2" { button type="submit" class="btn btn-outline-secondary mb-3" { "Registra" } }
            }
        }
    }
}

pub fn access_page(
    chrome: &Chrome,
    reference: &Reference,
    file: &crate::app::reception::AccessFile,
    notice: Option<&str>,
    orientation: &Orientation,
) -> Markup {
    let (a, person, can_read_reserved) = (&file.access, file.person.as_ref(), file.reads_reserved);
    let label = |kind, code| reference.label(kind, code);
    frame(
        chrome,
        "Accesso",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Accesso del " (fmt::local_datetime(a.time)) }
            p class="lead" {
                @if let Some(p) = person {
                    a href={"/persone/" (p.id)} { (p.display_name()) } " – " (code_badge(p))
                } @else if let Some(anon) = &a.anonymous {
                    "Persona anonima: "
                    (anon.sex.map_or("sesso non indicato", |s| s.label())) ", "
                    (label(Kind::AgeBand, &anon.age_band)) ", cittadinanza " (label(Kind::CitizenshipArea, &anon.citizenship_area).to_lowercase())
                }
            }
            p {
                @if person.is_some() {
                    a class="btn btn-outline-primary me-2 mb-2" href={"/accessi/" (a.id) "/promemoria.pdf"} { "Stampa il promemoria per la persona" }
                }
                @if file.can_edit {
                    a class="btn btn-outline-primary me-2 mb-2" href={"/accessi/" (a.id) "/modifica"} { "Correggi l'accesso" }
                    @if person.is_none() {
                        a class="btn btn-primary me-2 mb-2" href={"/accessi/" (a.id) "/persona"} { "Collega a una persona" }
                    }
                }
            }
            dl class="row" {
                dt class="col-sm-3" { "Modalità" } dd class="col-sm-9" { (label(Kind::Channel, &a.channel)) @if a.quick { " (contatto rapido)" } }
                dt class="col-sm-3" { "Chi parla" } dd class="col-sm-9" {
                    (label(Kind::Interlocutor, &a.interlocutor))
                    @if !a.interlocutor_name.is_empty() { ": " (a.interlocutor_name) }
                    @if !a.interlocutor_relation.is_empty() { " (" (a.interlocutor_relation) ")" }
                }
                dt class="col-sm-3" { "Motivo" } dd class="col-sm-9" {
                    (label(Kind::Reason, &a.reason))
                    @if !a.sending_service.is_empty() { ": " (a.sending_service) }
                }
                dt class="col-sm-3" { "Operatore" } dd class="col-sm-9" { (a.operator_name) }
                @if let Some(m) = a.duration_minutes { dt class="col-sm-3" { "Durata" } dd class="col-sm-9" { (m) " minuti" } }
            }
            h2 class="h4" { "Bisogni" }
            ul {
                @for n in &a.needs {
                    li {
                        strong { (label(Kind::Category, &n.category)) } " – " (label(Kind::Area, &n.area))
                        " – " (urgency_words(&label(Kind::Urgency, &n.urgency).to_lowercase()))
                        @if !n.description.is_empty() { br; (n.description) }
                    }
                }
            }
            h2 class="h4" { "Esito" }
            ul { @for o in &a.outcomes { li { (label(Kind::Outcome, o)) } } }
            @if !a.notes.is_empty() {
                h2 class="h4" { "Note" }
                p class="text-prewrap" { (a.notes) }
            }
            @if a.has_reserved_notes() {
                h2 class="h4" { "Note riservate" }
                @if can_read_reserved {
                    p class="text-prewrap" { (a.reserved_notes) }
                } @else {
                    p { "Sono presenti note riservate, visibili solo ad assistenti sociali e responsabile." }
                }
            }
            (orientation_section(chrome, reference, a, orientation))
            (super::corrections::history(&a.history, can_read_reserved))
        },
    )
}

pub fn reserved_notes_page(chrome: &Chrome, a: &Access) -> Markup {
    frame(
        chrome,
        "Note riservate",
        html! {
            h1 { "Note riservate dell'accesso del " (fmt::local_datetime(a.time)) }
            @if a.has_reserved_notes() {
                p class="text-prewrap" { (a.reserved_notes) }
            } @else {
                p { "Nessuna nota riservata." }
            }
            a href={"/accessi/" (a.id)} { "Torna all'accesso" }
        },
    )
}

/// The breadcrumb of a page below an access: "Accesso del 12/03/2026".
pub fn crumb(a: &Access) -> String {
    format!("Accesso del {}", fmt::local_date(a.time))
}

/// "urgenza ordinaria", but "urgente" rather than "urgenza urgente" (and "emergenza" alone).
fn urgency_words(label: &str) -> String {
    match label {
        "urgente" | "emergenza" => label.to_string(),
        other => format!("urgenza {other}"),
    }
}
