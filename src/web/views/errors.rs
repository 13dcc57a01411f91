//! Error pages in Italian.

use maud::{html, Markup};

use super::layout::{page as frame, Chrome};

/// An error page; `instance` names the administration in the header, when known.
pub fn page(
    instance: Option<&crate::domain::instance::Instance>,
    status: u16,
    title: &str,
    message: &str,
) -> Markup {
    frame(
        &Chrome::anonymous(instance, ""),
        title,
        html! {
            h1 { (title) }
            p class="lead" { (message) }
            p class="text-secondary" { "Codice: " (status) }
            a class="btn btn-primary" href="/" { "Torna alla pagina iniziale" }
        },
    )
}
