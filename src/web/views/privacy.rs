//! The privacy page (notice text and versions) and the audit viewer.

use maud::{html, Markup};

use super::fmt;
use super::form::{alert, error_summary, textarea};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::audit::{sentence, Action, AuditEntry, CopyVerified};
use crate::domain::audit_details::readable_details;
use crate::domain::privacy::NoticeText;
use crate::domain::Invalid;
use crate::web::privacy::AuditQuery;

pub fn page(
    chrome: &Chrome,
    version: u32,
    text: &str,
    versions: &[NoticeText],
    invalid: &Invalid,
    notice: Option<&str>,
) -> Markup {
    frame(
        chrome,
        "Privacy",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Privacy" }
            ul {
                li { a href="/privacy/audit" { "Registro degli accessi ai dati (audit)" } }
                li { a href="/privacy/conservazione" { "Conservazione e proposta di scarto" } }
                li { a href="/privacy/registro.pdf" { "Registro delle attività di trattamento (art. 30), PDF" } }
            }
            h2 class="h4" { "Informativa (versione " (version) ")" }
            p { "Il testo in vigore; salvandolo si crea una nuova versione e le consegne successive la registrano." }
            (error_summary(invalid))
            form method="post" action="/privacy/informativa" {
                (csrf_field(chrome.csrf))
                (textarea("text", "Testo dell'informativa", text, invalid, None, 18))
                button type="submit" class="btn btn-primary" { "Salva come nuova versione" }
            }
            @if !versions.is_empty() {
                h3 class="h5 mt-4" { "Versioni" }
                ul {
                    li { "1 – testo predefinito" }
                    @for v in versions { li { (v.version) " – " (fmt::local_datetime(v.created_at)) ", " (v.by) } }
                }
            }
        },
    )
}

/// An entry as the viewer shows it: who (name and roles) did what, without the time (it has
/// its own column) and without codes.
/// What the Persona box shows: the name of the person filtered on when she was given by her
/// record id (a link), what was typed otherwise.
fn shown_person(q: &AuditQuery, log: &crate::app::privacy::AuditLog) -> String {
    match &log.person {
        Some(p) if uuid::Uuid::parse_str(q.persona.trim()).is_ok() => p.display_name(),
        _ => q.persona.clone(),
    }
}

/// The Dettagli column: persons and roles by name; an entry about a user names the user.
fn details_of(log: &crate::app::privacy::AuditLog, e: &AuditEntry) -> String {
    let details = readable_details(&e.action, &e.details, |id| {
        log.person_names.get(&id).map(String::as_str)
    });
    match e.action.starts_with("user.") {
        true if details.is_empty() => log.who(&e.subject),
        true => format!("{}: {details}", log.who(&e.subject)),
        false => details,
    }
}

fn sentence_of(log: &crate::app::privacy::AuditLog, e: &AuditEntry) -> String {
    sentence("", &log.who_made(e), &e.action, &e.subject)
        .trim_start_matches(" — ")
        .to_string()
}

pub fn audit_page(
    chrome: &Chrome,
    q: &AuditQuery,
    log: &crate::app::privacy::AuditLog,
    invalid: &crate::domain::Invalid,
    checked: Option<&CopyVerified>,
) -> Markup {
    let (entries, verified) = (&log.entries, &log.verified);
    let csv = format!(
        "/privacy/audit.csv?utente={}&azione={}&soggetto={}&persona={}&scelta={}&dal={}&al={}",
        urlencode(&q.utente),
        urlencode(&q.azione),
        urlencode(&q.soggetto),
        urlencode(&q.persona),
        urlencode(&q.scelta),
        urlencode(&q.dal),
        urlencode(&q.al)
    );
    frame(
        chrome,
        "Registro degli accessi",
        html! {
            h1 { "Registro degli accessi ai dati" }
            @match verified {
                Ok((n, head)) => (alert("success", &format!("Catena integra: {} (ultima {}…).", fmt::count(*n as usize, "voce", "voci"), &head[..head.len().min(12)]))),
                Err(e) => (alert("danger", &format!("Registro ALTERATO: {e}"))),
            }
            (super::form::error_summary(invalid))
            form method="get" action="/privacy/audit" class="row align-items-end mb-3" {
                div class="col-12 col-md-6 col-lg-4" {
                    div class="form-group" {
                        label class="active" for="a-persona" { "Persona" }
                        @if let Some(p) = &log.person { input type="hidden" name="scelta" value=(p.id); }
                        input type="text" id="a-persona" name="persona" value=(shown_person(q, log)) autocomplete="off"
                            class=(if invalid.message("persona").is_some() { "form-control is-invalid" } else { "form-control" })
                            aria-invalid=[invalid.message("persona").map(|_| "true")]
                            aria-describedby=(if invalid.message("persona").is_some() { "f-persona-error" } else { "a-persona-help" });
                        (super::form::field_errors(invalid, "persona"))
                        small class="form-text" id="a-persona-help" { "Cognome e nome, codice fiscale o codice temporaneo." }
                    }
                }
                div class="col-12 col-md-6 col-lg-4" {
                    div class="select-wrapper mb-3" {
                        label for="a-utente" { "Utente" }
                        select id="a-utente" name="utente" {
                            option value="" selected[q.utente.is_empty()] { "Tutti" }
                            @for (username, name) in &log.users { option value=(username) selected[q.utente == *username] { (name) } }
                        }
                    }
                }
                div class="col-12 col-md-6 col-lg-4" {
                    div class="select-wrapper mb-3" {
                        label for="a-azione" { "Operazione" }
                        select id="a-azione" name="azione" {
                            option value="" selected[q.azione.is_empty()] { "Tutte" }
                            @for a in Action::ALL { option value=(a.code()) selected[q.azione == a.code()] { (a.label()) } }
                        }
                    }
                }
                @for (name, label, value) in [("dal", "Dal (gg/mm/aaaa)", &q.dal), ("al", "Al (gg/mm/aaaa)", &q.al)] {
                    div class="col-6 col-md-3 col-lg-2" {
                        div class="form-group" {
                            label class="active" for={"a-" (name)} { (label) }
                            input type="text" id={"a-" (name)} name=(name) value=(value) autocomplete="off"
                                class=(if invalid.message(name).is_some() { "form-control is-invalid" } else { "form-control" })
                                aria-invalid=[invalid.message(name).map(|_| "true")]
                                aria-describedby=[invalid.message(name).map(|_| format!("f-{name}-error"))];
                            (super::form::field_errors(invalid, name))
                        }
                    }
                }
                div class="col-12 col-md-6 col-lg-4" {
                    div class="form-group" {
                        label class="active" for="a-soggetto" { "Id di un record (facoltativo)" }
                        input type="text" class="form-control" id="a-soggetto" name="soggetto" value=(q.soggetto) autocomplete="off";
                    }
                }
                div class="col-12 col-lg-2" { button type="submit" class="btn btn-primary mb-3" { "Filtra" } }
            }
            @if !log.candidates.is_empty() {
                div class="alert alert-info" role="status" {
                    p { "Più persone corrispondono a «" (q.persona) "»: scegliere quale." }
                    ul class="mb-0" {
                        @for p in &log.candidates {
                            li {
                                a href={"/privacy/audit?persona=" (urlencode(&p.display_name())) "&scelta=" (p.id) "&dal=" (urlencode(&q.dal)) "&al=" (urlencode(&q.al))} { (p.display_name()) }
                                @if let Some(code) = p.code() { " – " (code) }
                                @if let Some(d) = p.birth_date { ", nata/o il " (fmt::date(d)) }
                            }
                        }
                    }
                }
            }
            @if let Some(p) = &log.person {
                p { "Operazioni che riguardano " strong { (p.display_name()) } " (dall'indice per persona)." }
            }
            p { a href=(csv) { "Esporta in CSV" } " · " (fmt::count(entries.len(), "voce", "voci")) " (al massimo 500 mostrate)" }
            div class="table-responsive" tabindex="0" role="region" aria-label="Voci del registro, scorrevole" {
                table class="table table-sm" {
                    caption class="visually-hidden" { "Voci del registro" }
                    thead { tr { th scope="col" { "N." } th scope="col" { "Quando" } th scope="col" { "Che cosa" } th scope="col" { "Persona" } th scope="col" { "Dettagli" } } }
                    tbody {
                        @for e in entries {
                            tr {
                                td { (e.seq) }
                                td { (fmt::local_datetime(e.time)) }
                                td { (sentence_of(log, e)) }
                                td { (log.persons_of(e).join(", ")) }
                                td { (details_of(log, e)) }
                            }
                        }
                    }
                }
            }
            (copy_section(chrome, verified, invalid, checked))
        },
    )
}

/// The copy of the log for the DPO: what to note down, the download, and the check of a copy
/// brought back against the head noted then.
fn copy_section(
    chrome: &Chrome,
    verified: &Result<(u64, String), crate::domain::audit::ChainError>,
    invalid: &crate::domain::Invalid,
    checked: Option<&CopyVerified>,
) -> Markup {
    html! {
        section class="mt-5" aria-labelledby="h-copy" {
            h2 id="h-copy" class="h4" { "Copia del registro" }
            @if let Ok((n, head)) = verified {
                p {
                    a href="/privacy/audit.jsonl" { "Scarica la copia completa (JSON, una voce per riga)" }
                    ". Da annotare con la data, per poterla verificare in seguito: "
                    strong { (fmt::count(*n as usize, "voce", "voci")) } ", ultimo hash " code class="text-break" { (head) } "."
                }
            }
            @if let Some(c) = checked {
                (alert("success", &match c.noted_at {
                    Some(seq) if seq == c.count => format!("Copia integra e completa: {}, arriva fino all'ultimo hash annotato.", fmt::count(c.count as usize, "voce", "voci")),
                    Some(seq) => format!("Copia integra: {}; l'hash annotato è la voce {seq}, la copia continua con voci più recenti.", fmt::count(c.count as usize, "voce", "voci")),
                    None => format!("Copia integra: {}.", fmt::count(c.count as usize, "voce", "voci")),
                }))
            }
            form method="post" enctype="multipart/form-data" action={"/privacy/audit/verifica?csrf=" (chrome.csrf)} {
                div class="form-group" {
                    label class="active" for="f-file" { "Copia da verificare" }
                    input type="file" name="file" id="f-file"
                        class=(if invalid.message("file").is_some() { "form-control is-invalid" } else { "form-control" })
                        aria-invalid=[invalid.message("file").map(|_| "true")]
                        aria-describedby=[invalid.message("file").map(|_| "f-file-error")];
                    (super::form::field_errors(invalid, "file"))
                }
                (super::form::input("text", "head", "Ultimo hash annotato all'esportazione", "", invalid,
                    Some("Senza l'hash annotato una copia tagliata alla fine sembrerebbe integra."), "off"))
                button type="submit" class="btn btn-outline-primary" { "Verifica la copia" }
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn retention_page(
    chrome: &Chrome,
    view: &crate::app::retention::RetentionView,
    notice: Option<&str>,
) -> Markup {
    let (years, due, listed) = (view.years, view.due, &view.listed);
    frame(
        chrome,
        "Conservazione",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Conservazione e scarto" }
            p { "I fascicoli sono archivio del Comune: oltre il termine il programma propone lo scarto; dopo l'approvazione del responsabile i dati identificativi sono cancellati e restano solo i dati statistici. Gli accessi anonimi restano come statistica. Il registro di audit non viene mai toccato." }
            form method="post" action="/privacy/conservazione/termine" class="row align-items-end mb-3" {
                (csrf_field(chrome.csrf))
                div class="col-12 col-md-6" {
                    div class="form-group" {
                        label class="active" for="years" { "Anni dall'ultimo contatto" }
                        input type="number" class="form-control" id="years" name="years" value=(years) min="1" max="100";
                    }
                }
                div class="col-12 col-md-6" { button type="submit" class="btn btn-outline-primary mb-3" { "Salva il termine" } }
            }
            @if view.cases_due > 0 || !view.cases.is_empty() {
                p { "Casi ricevuti dagli sportelli oltre il termine (dall'ultima attività): " strong { (view.cases_due) } ". "
                    "Un caso preso in carico resta qui anche quando il Comune cancella i propri dati: segue questo termine." }
            } @else {
                p { "Oggi sono oltre il termine: " strong { (due) } " persone." }
            }
            @match &view.proposal {
                None => {
                    form method="post" action="/privacy/conservazione/proposta" {
                        (csrf_field(chrome.csrf))
                        button type="submit" class="btn btn-primary" disabled[due + view.cases_due == 0] { "Prepara la proposta di scarto" }
                    }
                }
                Some(p) => {
                    h2 class="h4" { "Proposta del " (fmt::local_date(p.created_at)) " (" (p.persons.len() + p.cases.len()) " fascicoli)" }
                    p { a href="/privacy/conservazione/proposta.pdf" { "Stampa la proposta per l'autorità archivistica" } }
                    ul {
                        @for (person, last) in listed {
                            li { (person.display_name()) " – " (person.code().unwrap_or("senza codice")) " – ultimo contatto " (fmt::local_date(*last)) }
                        }
                        @for (case, last) in &view.cases {
                            li { (case.record.person.surname) " " (case.record.person.given_names) " – caso ricevuto da " (case.comune_name) " – ultima attività " (fmt::local_date(*last)) }
                        }
                    }
                    p { "Proposta da " strong { (view.proposed_by) } "." }
                    @if view.own_proposal && view.responsabili > 1 {
                        (alert("info", "La proposta va approvata da un altro responsabile: chi l'ha preparata non può approvarla."))
                    } @else {
                        form method="post" action="/privacy/conservazione/approva" {
                            (csrf_field(chrome.csrf))
                            @if view.own_proposal {
                                div class="form-check mb-3" {
                                    input type="checkbox" class="form-check-input" id="da_solo" name="da_solo" value="si" required;
                                    label class="form-check-label" for="da_solo" { "Sono l'unico responsabile dello sportello: confermo di approvare la proposta che ho preparato io (resta scritto nel registro)." }
                                }
                            }
                            button type="submit" class="btn btn-danger" { "Approva e anonimizza" }
                        }
                    }
                }
            }
        },
    )
}
