//! Correcting an access: its correction form, the page that attaches an anonymous access to a
//! person, and the history of corrections shown on the access.

use maud::{html, Markup};

use super::accesses::{interlocutor_fields, needs_and_outcome, options};
use super::fmt;
use super::form::{checkbox, error_summary, field_errors, input, select};
use super::layout::{csrf_field, page as frame, Chrome};
use super::persons::{code_badge, identity_fields};
use crate::domain::access::{Access, AccessForm};
use crate::domain::correction::AccessChange;
use crate::domain::person::{Person, PersonForm};
use crate::domain::reference::Reference;
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;
use crate::store::SearchHit;

/// The correction form of an access, with what was typed and its problems.
pub fn edit_page(
    chrome: &Chrome,
    reference: &Reference,
    a: &Access,
    v: &AccessForm,
    invalid: &Invalid,
    can_write_reserved: bool,
) -> Markup {
    frame(
        chrome,
        "Correggi l'accesso",
        html! {
            h1 { "Correggi l'accesso del " (fmt::local_datetime(a.time)) }
            p { "Ogni correzione resta nella storia dell'accesso: chi l'ha fatta, quando e che cosa c'era prima." }
            (error_summary(invalid))
            form method="post" action={"/accessi/" (a.id) "/modifica"} {
                (csrf_field(chrome.csrf))
                fieldset {
                    legend class="h4" { "Accoglienza" }
                    div class="row" {
                        div class="col-12 col-md-6" { (select("channel", "Modalità di accesso", &options(reference, Kind::Channel), &v.channel, invalid, None)) }
                        div class="col-12 col-md-6" { (select("interlocutor", "Chi parla", &options(reference, Kind::Interlocutor), &v.interlocutor, invalid, None)) }
                        div class="col-12 col-md-6" { (select("reason", "Motivo dell'accesso", &options(reference, Kind::Reason), &v.reason, invalid, None)) }
                    }
                    (interlocutor_fields(v, invalid))
                    (input("text", "sending_service", "Servizio inviante (se «Inviato da»)", &v.sending_service, invalid, None, "off"))
                }
                (needs_and_outcome(reference, v, invalid, can_write_reserved, ["Domanda e bisogni", "Esito"]))
                button type="submit" class="btn btn-primary mt-3" { "Salva la correzione" }
                " "
                a class="btn btn-outline-secondary mt-3" href={"/accessi/" (a.id)} { "Annulla" }
            }
        },
    )
}

/// What the page that attaches an anonymous access to a person shows.
pub struct IdentifyPage<'a> {
    pub access: &'a Access,
    pub query: &'a str,
    pub hits: &'a [SearchHit],
    pub person: &'a PersonForm,
    pub invalid: &'a Invalid,
    pub duplicates: &'a [Person],
}

pub fn identify_page(chrome: &Chrome, reference: &Reference, page: &IdentifyPage) -> Markup {
    let IdentifyPage {
        access: a,
        query,
        hits,
        person,
        invalid,
        duplicates,
    } = *page;
    frame(
        chrome,
        "Collega a una persona",
        html! {
            h1 { "Collega l'accesso del " (fmt::local_datetime(a.time)) " a una persona" }
            p { "L'accesso era anonimo. Cercare la persona se è già registrata, oppure registrarla qui sotto: "
                "il profilo anonimo resta nella storia dell'accesso." }
            @if let Some(anon) = &a.anonymous {
                p { "Profilo anonimo registrato: "
                    (anon.sex.map_or("sesso non indicato", |s| s.label())) ", "
                    (reference.label(Kind::AgeBand, &anon.age_band)) ", cittadinanza "
                    (reference.label(Kind::CitizenshipArea, &anon.citizenship_area).to_lowercase()) "." }
            }
            @for n in &a.needs {
                p class="small mb-1" { "Bisogno: " (reference.label(Kind::Category, &n.category)) " – " (reference.label(Kind::Area, &n.area)) }
            }
            (error_summary(invalid))
            section aria-labelledby="h-find" class="mb-5" {
                h2 id="h-find" class="h4" { "Persona già registrata" }
                form method="get" action={"/accessi/" (a.id) "/persona"} role="search" class="mb-3" {
                    div class="form-group" {
                        label class="active" for="q" { "Codice fiscale (anche in parte) o cognome e nome" }
                        input type="search" class="form-control" id="q" name="q" value=(query) autocomplete="off" autofocus[invalid.is_empty()];
                    }
                    button type="submit" class="btn btn-primary" { "Cerca" }
                }
                @if !query.trim().is_empty() {
                    @if hits.is_empty() {
                        p { "Nessuna persona trovata per «" (query) "»: registrarla qui sotto." }
                    } @else {
                        ul class="list-unstyled" {
                            @for h in hits {
                                @let p = &h.person;
                                li class="mb-2" {
                                    form method="post" action={"/accessi/" (a.id) "/persona"} class="d-inline" {
                                        (csrf_field(chrome.csrf))
                                        input type="hidden" name="person_id" value=(p.id);
                                        (p.display_name()) " – " (code_badge(p))
                                        @if let Some(d) = p.birth_date { " – nata/o il " (fmt::date(d)) }
                                        " "
                                        button type="submit" class="btn btn-primary btn-sm ms-2" {
                                            "Collega" span class="visually-hidden" { " a " (p.display_name()) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                (field_errors(invalid, "person"))
            }
            section aria-labelledby="h-new" {
                h2 id="h-new" class="h4" { "Nuova persona" }
                form method="post" action={"/accessi/" (a.id) "/persona/nuova"} {
                    (csrf_field(chrome.csrf))
                    @if !duplicates.is_empty() {
                        div class="alert alert-warning" role="alert" {
                            "Potrebbe essere già registrata: "
                            @for (i, d) in duplicates.iter().enumerate() {
                                @if i > 0 { ", " }
                                (d.display_name()) " (" (d.code().unwrap_or("")) ")"
                            }
                            ". Cercarla qui sopra e collegarla, oppure spuntare la conferma."
                        }
                        (checkbox("confirm_new", "1", "Confermo che è una persona diversa", false, "f-confirm-new"))
                    }
                    (identity_fields(person, invalid))
                    div class="row" {
                        div class="col-12 col-md-6" { (input("text", "residence_istat", "Comune di residenza", &person.residence_istat, invalid, None, "off")) }
                        div class="col-12 col-md-6" { (input("tel", "phone", "Telefono", &person.phone, invalid, None, "off")) }
                    }
                    button type="submit" class="btn btn-primary" { "Registra e collega" }
                }
            }
            p class="mt-4" { a href={"/accessi/" (a.id)} { "Torna all'accesso" } }
        },
    )
}

/// The corrections of an access, newest first; reserved notes only for those who read them.
pub fn history(changes: &[AccessChange], reads_reserved: bool) -> Markup {
    html! {
        @if !changes.is_empty() {
            section aria-labelledby="h-history" class="mt-4" {
                h2 id="h-history" class="h4" { "Storia delle correzioni" }
                ol class="list-unstyled" {
                    @for c in changes.iter().rev() {
                        li class="mb-3" {
                            strong { (c.kind.label()) } " – " (fmt::local_datetime(c.at)) ", " (c.by_name)
                            ul {
                                @for f in c.visible_fields(reads_reserved) {
                                    li {
                                        (f.label) ": prima "
                                        @if f.before.is_empty() { em { "(vuoto)" } } @else { "«" span class="text-prewrap" { (f.before) } "»" }
                                        ", poi "
                                        @if f.after.is_empty() { em { "(vuoto)" } } @else { "«" span class="text-prewrap" { (f.after) } "»" }
                                    }
                                }
                                @if c.visible_fields(reads_reserved).count() < c.fields.len() {
                                    li { "Note riservate corrette (visibili solo ad assistenti sociali e responsabile)." }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
