//! The start page after login.

use maud::{html, Markup};

use super::form::alert;
use super::layout::{page as frame, Chrome};
use crate::domain::instance::Instance;
use crate::domain::role::Role;
use crate::domain::user::User;

pub fn page(
    chrome: &Chrome,
    instance: &Instance,
    user: &User,
    notice: Option<&str>,
    oversight: &[crate::app::administration::OpenNotice],
) -> Markup {
    frame(
        chrome,
        "Home",
        html! {
            h1 { "Buongiorno, " (user.full_name) }
            @if let Some(n) = notice { (alert("success", n)) }
            (super::oversight::notices(chrome, oversight))
            div class="row" {
                div class="col-12 col-lg-6" {
                    div class="card-wrapper" { div class="card card-bg" { div class="card-body" {
                        h2 class="card-title h5" { "Questa installazione" }
                        dl class="mb-0" {
                            dt { "Tipo" } dd { (instance.role.label()) }
                            dt { "Comune" } dd { (instance.comune.name) " (ISTAT " (instance.comune.istat) ")" }
                            dt { "Ambito" } dd { (instance.ambito.title()) " (" (instance.ambito.code) ")" }
                        }
                    } } }
                }
                div class="col-12 col-lg-6" {
                    div class="card-wrapper" { div class="card card-bg" { div class="card-body" {
                        h2 class="card-title h5" { "Il suo profilo" }
                        dl {
                            dt { "Nome utente" } dd { (user.username) }
                            dt { "Ruoli" } dd { (user.role_labels()) }
                        }
                        a class="btn btn-outline-primary btn-sm" href="/password" { "Cambia password" }
                        @if user.has_role(Role::Amministratore) {
                            " "
                            a class="btn btn-primary btn-sm" href="/amministrazione" { "Gestione utenti" }
                        }
                    } } }
                }
            }
        },
    )
}
