//! Error pages in Italian.

use maud::{html, Markup};

use super::layout::{page as frame, Chrome};

pub fn page(status: u16, title: &str, message: &str) -> Markup {
    frame(
        &Chrome::anonymous(None, ""),
        title,
        html! {
            h1 { (title) }
            p class="lead" { (message) }
            p class="text-secondary" { "Codice: " (status) }
            a class="btn btn-primary" href="/" { "Torna alla pagina iniziale" }
        },
    )
}
