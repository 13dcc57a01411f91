//! A form kept after its session expired: the page that asks for the password again, and the
//! page that hands the form back to be sent.

use maud::{html, Markup};

use super::fmt;
use super::form::{alert, input};
use super::layout::{csrf_field, page, Chrome};
use crate::domain::draft::{field_label, Draft};
use crate::domain::Invalid;

/// Answered, on the same address, to a form that arrived after the session expired.
pub fn expired(chrome: &Chrome, username: &str, what: &str) -> Markup {
    let none = Invalid::new();
    page(
        chrome,
        "Sessione scaduta",
        html! {
            div class="row justify-content-center" {
                div class="col-12 col-md-8 col-lg-6" {
                    h1 class="mb-4" { "Sessione scaduta" }
                    (alert("info", &format!(
                        "Il modulo «{what}» è arrivato dopo la scadenza della sessione, ma quello che ha scritto è al sicuro: \
                         inserisca di nuovo la password e lo ritroverà compilato, pronto da inviare (entro 24 ore)."
                    )))
                    form method="post" action="/login" {
                        (csrf_field(chrome.csrf))
                        (input("text", "username", "Nome utente", username, &none, None, "username"))
                        div class="form-group" {
                            label class="active" for="f-password" { "Password" }
                            input type="password" class="form-control" id="f-password" name="password" autocomplete="current-password" autofocus;
                        }
                        button type="submit" class="btn btn-primary" { "Accedi e riprendi il modulo" }
                    }
                }
            }
        },
    )
}

/// The kept form, to send as it was typed (with this session's token) or to discard.
pub fn recovered(chrome: &Chrome, draft: Option<&Draft>) -> Markup {
    page(
        chrome,
        "Modulo da riprendere",
        html! {
            h1 { "Modulo da riprendere" }
            @match draft {
                None => p { "Nessun modulo da riprendere: forse è già stato inviato, oppure sono passate più di 24 ore." },
                Some(d) => {
                    p class="lead" {
                        "«" (d.title()) "», compilato il " (fmt::local_datetime(d.created_at))
                        ": conservato perché è arrivato quando la sessione non era più valida."
                    }
                    p { "Controllare che cosa contiene, poi inviarlo: viene registrato adesso; se qualcosa non va, il modulo torna compilato con i problemi indicati." }
                    dl class="row" {
                        @for (name, value) in &d.fields {
                            @if let (Some(label), false) = (field_label(name), value.trim().is_empty()) {
                                dt class="col-sm-3" { (label) }
                                dd class="col-sm-9 text-prewrap" { (value) }
                            }
                        }
                    }
                    form method="post" action=(d.action) class="d-inline" {
                        (csrf_field(chrome.csrf))
                        input type="hidden" name="bozza" value="1";
                        @for (name, value) in &d.fields {
                            input type="hidden" name=(name) value=(value);
                        }
                        button type="submit" class="btn btn-primary me-2" autofocus { "Invia il modulo" }
                    }
                    form method="post" action="/bozza/scarta" class="d-inline" {
                        (csrf_field(chrome.csrf))
                        button type="submit" class="btn btn-outline-danger" { "Scarta il modulo" }
                    }
                }
            }
        },
    )
}
