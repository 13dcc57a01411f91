//! The oversight notices on a responsabile's start page: access to personal data granted and
//! passwords reset, each with a button to acknowledge it.

use maud::{html, Markup};

use super::fmt;
use super::layout::{csrf_field, Chrome};
use crate::app::administration::OpenNotice;

pub fn notices(chrome: &Chrome, notices: &[OpenNotice]) -> Markup {
    html! {
        @if !notices.is_empty() {
            section class="callout warning" aria-labelledby="h-oversight" {
                div class="callout-title" {
                    h2 id="h-oversight" class="h5 mb-0" { "Da verificare: accessi ai dati e password" }
                }
                p { "Questi cambiamenti permettono a qualcuno di leggere dati personali o di entrare come un altro utente. Verifichi che siano voluti, poi segni «Visto»." }
                ul class="list-unstyled mb-0" {
                    @for open in notices {
                        @let n = &open.notice;
                        li class="d-flex flex-wrap align-items-center gap-2 mb-2" {
                            span { (fmt::local_datetime(n.at)) " – " (n.what) }
                            @if open.can_acknowledge {
                                form method="post" action={"/avvisi/" (n.id) "/visto"} class="d-inline" {
                                    (csrf_field(chrome.csrf))
                                    button type="submit" class="btn btn-sm btn-outline-primary" { "Visto" }
                                }
                            } @else {
                                span class="text-muted small" { "(la riguarda: lo prende in visione un altro responsabile)" }
                            }
                        }
                    }
                }
            }
        }
    }
}
