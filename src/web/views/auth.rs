//! Login and password change pages.

use maud::{html, Markup};

use super::form::{alert, error_summary, input};
use super::layout::{csrf_field, page, Chrome};
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::Invalid;

pub fn login(chrome: &Chrome, username: &str, error: Option<&str>, notice: Option<&str>) -> Markup {
    let none = Invalid::new();
    page(
        chrome,
        "Accesso",
        html! {
            div class="row justify-content-center" {
                div class="col-12 col-md-8 col-lg-5" {
                    h1 class="mb-4" { "Accesso" }
                    @if let Some(n) = notice { (alert("success", n)) }
                    @if let Some(e) = error { (alert("danger", e)) }
                    form method="post" action="/login" {
                        (csrf_field(chrome.csrf))
                        (input("text", "username", "Nome utente", username, &none, None, "username"))
                        (input("password", "password", "Password", "", &none, None, "current-password"))
                        button type="submit" class="btn btn-primary" { "Accedi" }
                    }
                }
            }
        },
    )
}

pub fn password(chrome: &Chrome, forced: bool, invalid: &Invalid) -> Markup {
    let help = format!("Almeno {MIN_PASSWORD_CHARS} caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.");
    page(
        chrome,
        "Cambio password",
        html! {
            div class="row justify-content-center" {
                div class="col-12 col-md-8 col-lg-6" {
                    h1 class="mb-4" { "Cambio password" }
                    @if forced {
                        (alert("info", "La password attuale è temporanea: per continuare ne scelga una nuova, che conoscerà solo lei/lui."))
                    }
                    (error_summary(invalid))
                    form method="post" action="/password" {
                        (csrf_field(chrome.csrf))
                        (input("password", "current_password", "Password attuale", "", invalid, None, "current-password"))
                        (input("password", "new_password", "Nuova password", "", invalid, Some(&help), "new-password"))
                        (input("password", "confirm_password", "Ripeta la nuova password", "", invalid, None, "new-password"))
                        button type="submit" class="btn btn-primary" { "Cambia password" }
                    }
                }
            }
        },
    )
}
