//! The review of the art. 15 report before it is given: what the person will receive, and the
//! choice to withhold reserved notes that would harm others (art. 15.4), with the reason.

use maud::{html, Markup};

use super::fmt;
use super::form::{error_summary, textarea_max};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::app::privacy::{SubjectReport, MAX_WITHHOLD_REASON};
use crate::domain::Invalid;

/// How many audit sentences the review shows (the report has them all).
const AUDIT_SHOWN: usize = 15;

pub fn review(
    chrome: &Chrome,
    r: &SubjectReport,
    withhold: bool,
    reason: &str,
    invalid: &Invalid,
) -> Markup {
    let name = r.person.display_name();
    let with_reserved: Vec<_> = r
        .accesses
        .iter()
        .filter(|a| !a.reserved_notes.is_empty())
        .collect();
    let title = format!("Rapporto art. 15 per {name}");
    frame(
        chrome,
        &title,
        html! {
            h1 { (title) }
            (error_summary(invalid))
            p class="lead" {
                "Prima di consegnarlo, controllare che cosa riceverà la persona. Il rapporto elenca i dati, "
                "chi li ha consultati (con nome e profilo) e le informazioni sul trattamento."
            }
            div class="row" {
                div class="col-12 col-lg-6" {
                    h2 class="h5" { "Che cosa contiene" }
                    ul {
                        li { "Dati anagrafici, di contatto, informativa e consensi" }
                        li { (fmt::count(r.accesses.len(), "accesso", "accessi")) " allo sportello" }
                        li { (fmt::count(r.referrals.len(), "invio", "invii")) }
                        li { (fmt::count(r.appointments.len(), "appuntamento", "appuntamenti")) }
                        li { (fmt::count(r.change_history.len(), "modifica", "modifiche")) " ai dati" }
                        li { (fmt::count(r.audit.len(), "operazione registrata", "operazioni registrate")) " (chi ha consultato o modificato i dati)" }
                        li { "Informazioni sul trattamento: " (r.information.iter().map(|s| s.title.as_str()).collect::<Vec<_>>().join(", ")) }
                    }
                }
                div class="col-12 col-lg-6" {
                    h2 class="h5" { "Le ultime operazioni, come saranno scritte" }
                    // In the report's order (oldest first), so the two read alike.
                    p class="small mb-1" { "In ordine di tempo, come nel rapporto." }
                    ul class="small" {
                        @for line in r.audit.iter().skip(r.audit.len().saturating_sub(AUDIT_SHOWN)) { li { (line.sentence) } }
                    }
                }
            }
            h2 class="h5 mt-3" { "Note riservate" }
            @if with_reserved.is_empty() {
                p { "Nessun accesso ha note riservate." }
            } @else {
                p {
                    (with_reserved.len()) " accessi hanno note riservate, che il rapporto riporta. "
                    "Se riguardano altre persone e darle lederebbe i loro diritti (art. 15.4 GDPR), si possono omettere indicando il motivo: "
                    "il motivo resta nel registro degli accessi e il rapporto dice che alcune note non sono riportate."
                }
                ul {
                    @for a in &with_reserved {
                        li { strong { (fmt::local_datetime(a.time)) } " – " (a.operator_name) ": " (a.reserved_notes) }
                    }
                }
            }
            form method="post" action={"/persone/" (r.person.id) "/rapporto.pdf"} {
                (csrf_field(chrome.csrf))
                @if !with_reserved.is_empty() {
                    div class="form-check" {
                        input class="form-check-input" type="checkbox" id="f-withhold" name="withhold" value="1" checked[withhold];
                        label class="form-check-label" for="f-withhold" { "Omettere le note riservate (art. 15.4)" }
                    }
                    (textarea_max("withhold_reason", "Motivo dell'omissione", reason, invalid,
                        Some("Per esempio: riportano quanto riferito dal coniuge sulla violenza subita."), 2, MAX_WITHHOLD_REASON))
                }
                button type="submit" class="btn btn-primary" { "Scarica il rapporto (PDF)" }
                " "
                a class="btn btn-outline-secondary" href={"/persone/" (r.person.id)} { "Torna alla scheda" }
            }
        },
    )
}
