//! The Scambi page: fingerprint, enrolled counterparts, bundles out and in.

use maud::{html, Markup};

use super::fmt;
use super::form::alert;
use super::layout::{csrf_field, page as frame, Chrome};
use crate::bundle::Peer;
use crate::domain::district::ImportRecord;

pub struct ExchangeView<'a> {
    pub district: bool,
    pub fingerprint: String,
    pub peers: &'a [Peer],
    pub imports: &'a [ImportRecord],
    /// Files kept under `bundles/sent`, newest first.
    pub sent: &'a [String],
}

/// What the last action did.
pub enum Outcome {
    Exported {
        name: String,
        sequence: u64,
        accesses: usize,
        referrals: usize,
    },
    Imported {
        record: ImportRecord,
        again: bool,
    },
    Enrolled {
        name: String,
        ambito: String,
        fingerprint: String,
        reply: Option<String>,
    },
    Error {
        field: &'static str,
        message: String,
    },
}

fn file_field(name: &str, label: &str, help: &str, outcome: Option<&Outcome>) -> Markup {
    let error = match outcome {
        Some(Outcome::Error { field, message }) if *field == name => Some(message.as_str()),
        _ => None,
    };
    let id = format!("f-{name}");
    html! {
        div class="form-group" {
            label class="active" for=(id) { (label) }
            input type="file" name="file" id=(id)
                class=(if error.is_some() { "form-control is-invalid" } else { "form-control" })
                aria-invalid=[error.map(|_| "true")]
                aria-describedby={(id) (if error.is_some() { "-error" } else { "-help" })};
            @if let Some(msg) = error {
                div class="invalid-feedback d-block" id={(id) "-error"} role="alert" { (msg) }
            } @else {
                small class="form-text" id={(id) "-help"} { (help) }
            }
        }
    }
}

pub fn page(chrome: &Chrome, v: &ExchangeView, outcome: Option<&Outcome>) -> Markup {
    let desks: Vec<&Peer> = v
        .peers
        .iter()
        .filter(|p| p.identity.role == "desk")
        .collect();
    let export_error = match outcome {
        Some(Outcome::Error {
            field: "to",
            message,
        }) => Some(message.as_str()),
        _ => None,
    };
    frame(
        chrome,
        "Scambi",
        html! {
            h1 { "Scambi con " (if v.district { "gli sportelli" } else { "l'Ambito" }) }
            @match outcome {
                Some(Outcome::Exported { name, sequence, accesses, referrals }) => {
                    div class="alert alert-success" role="status" {
                        "Pacchetto " (sequence) " pronto ("
                        @if v.district { (fmt::count(*referrals, "risposta agli invii", "risposte agli invii")) " e l'elenco dei servizi" }
                        @else { (fmt::count(*accesses, "accesso", "accessi")) ", " (fmt::count(*referrals, "invio", "invii")) }
                        "). "
                        a href={"/scambi/inviati/" (name)} { "Scarica " (name) }
                        " e consegnarlo (chiavetta, PEC o cartella condivisa)."
                    }
                }
                Some(Outcome::Imported { record, again }) => {
                    @if *again {
                        (alert("info", &format!("Il pacchetto {} di {} era già stato applicato il {}: nessuna modifica.", record.sequence, record.comune_name, fmt::local_datetime(record.at))))
                    } @else {
                        (alert("success", &record.applied_message()))
                    }
                }
                Some(Outcome::Enrolled { name, ambito, fingerprint, reply }) => {
                    div class="alert alert-success" role="status" {
                        @if v.district { "Sportello di " (name) } @else { "Ufficio di " (ambito) }
                        " registrato. Confrontare a voce l'impronta: " strong class="text-monospace" { (fingerprint) } "."
                        @if let Some(r) = reply {
                            " " a href={"/scambi/inviati/" (r)} { "Scarica la risposta per lo sportello" } " e consegnarla."
                        }
                    }
                }
                _ => {}
            }
            h2 class="h4" { "Questa installazione" }
            p { "Impronta delle chiavi (da leggere al telefono alla registrazione): " strong class="text-monospace" { (v.fingerprint) } }
            p { a class="btn btn-outline-primary" href="/scambi/identita" { "Scarica l'identità pubblica" } }

            h2 class="h4 mt-4" { "Registrazione" }
            @if v.peers.is_empty() {
                p { "Nessuna installazione registrata." }
            } @else {
                ul {
                    @for p in v.peers {
                        li {
                            @if p.identity.role == "desk" { "Sportello di " (p.identity.comune_name) } @else { "Ufficio di " (p.identity.ambito_name) }
                            ", impronta " span class="text-monospace" { (p.identity.fingerprint()) }
                            ", registrato il " (fmt::local_date(p.enrolled_at))
                        }
                    }
                }
            }
            form method="post" enctype="multipart/form-data" action={"/scambi/registra?csrf=" (chrome.csrf)} {
                @if v.district {
                    (file_field("identity", "Identità pubblica dello sportello", "Il file «.pub.json» scaricato dallo sportello.", outcome))
                } @else {
                    (file_field("identity", "Risposta di registrazione dell'Ambito", "Il file «registrazione-….age» ricevuto dall'ufficio d'Ambito.", outcome))
                }
                button type="submit" class="btn btn-primary" { "Registra" }
            }

            h2 class="h4 mt-4" { "Prepara un pacchetto" }
            form method="post" action="/scambi/esporta" {
                (csrf_field(chrome.csrf))
                @if v.district {
                    div class="form-group" {
                        label class="active" for="f-to" { "Sportello" }
                        select id="f-to" name="to" class=(if export_error.is_some() { "form-select is-invalid" } else { "form-select" })
                            aria-invalid=[export_error.map(|_| "true")] aria-describedby=[export_error.map(|_| "f-to-error")] {
                            @for d in &desks {
                                option value=(d.identity.comune_istat) { (d.identity.comune_name) }
                            }
                        }
                        @if let Some(msg) = export_error {
                            div class="invalid-feedback d-block" id="f-to-error" role="alert" { (msg) }
                        }
                    }
                    button type="submit" class="btn btn-primary" disabled[desks.is_empty()] { "Prepara il pacchetto di ritorno" }
                } @else {
                    @if let Some(msg) = export_error {
                        div class="alert alert-danger" role="alert" id="f-to-error" { (msg) }
                    }
                    p { "Contiene le modifiche dall'ultimo pacchetto: accessi in forma statistica, invii al servizio sociale professionale con i dati della persona." }
                    button type="submit" class="btn btn-primary" { "Prepara il pacchetto per l'Ambito" }
                }
            }
            @if !v.sent.is_empty() {
                details class="mt-2" {
                    summary { "File preparati (" (v.sent.len()) ")" }
                    ul { @for n in v.sent { li { a href={"/scambi/inviati/" (n)} { (n) } } } }
                }
            }

            h2 class="h4 mt-4" { "Applica un pacchetto ricevuto" }
            form method="post" enctype="multipart/form-data" action={"/scambi/importa?csrf=" (chrome.csrf)} {
                (file_field("file", "Pacchetto", "Il file «.age» ricevuto. Viene controllato tutto prima di applicarlo; un pacchetto già applicato non cambia nulla.", outcome))
                button type="submit" class="btn btn-primary" { "Applica" }
            }
            h2 class="h4 mt-4" { "Pacchetti applicati" }
            @if v.imports.is_empty() { p { "Nessuno." } } @else {
                ul { @for i in v.imports { li { "Pacchetto " (i.sequence) " di " (i.comune_name) ", " (fmt::local_datetime(i.at)) " (" (i.by) ")" } } }
            }
        },
    )
}
