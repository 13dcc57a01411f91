//! Referral pages: list by status (overdue highlighted), new referral, one referral's story.

use chrono::{DateTime, Utc};
use maud::{html, Markup};

use super::fmt;
use super::form::{alert, error_summary, select, textarea, textarea_max};
use super::layout::{csrf_field, page as frame, Chrome};
use super::persons::code_badge;
use crate::domain::access::Access;
use crate::domain::directory::Service;
use crate::domain::person::Person;
use crate::domain::reference::Reference;
use crate::domain::referral::{Referral, ReferralStatus};
use crate::domain::vocabulary::Kind;
use crate::domain::Invalid;

/// Badge colour of a referral status (desk and district pages).
pub fn status_class(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Bozza => "bg-secondary",
        ReferralStatus::Inviato | ReferralStatus::Ricevuto => "bg-primary",
        ReferralStatus::Accettato => "bg-success",
        ReferralStatus::Respinto => "bg-danger",
        ReferralStatus::Chiuso => "bg-dark",
    }
}

pub fn status_badge(r: &Referral, overdue: bool) -> Markup {
    let class = if r.awaits_bundle() {
        "bg-warning text-dark"
    } else {
        status_class(r.status)
    };
    html! {
        span class={"badge " (class)} { (r.status_text(fmt::local_date)) }
        @if overdue { " " span class="badge bg-warning text-dark" { "in ritardo" } }
    }
}

pub fn list_page(
    chrome: &Chrome,
    reference: &Reference,
    rows: &[(Referral, Option<Person>, bool)],
    status: Option<ReferralStatus>,
    overdue_days: i64,
) -> Markup {
    frame(
        chrome,
        "Invii",
        html! {
            h1 { "Invii" }
            p { "In ritardo: inviati o ricevuti senza risposta da più di " (overdue_days) " giorni." }
            nav aria-label="Filtra per stato" class="mb-3" {
                a class={"btn btn-sm me-1 " (if status.is_none() { "btn-primary" } else { "btn-outline-primary" })} href="/invii" { "Tutti" }
                @for s in ReferralStatus::ALL {
                    a class={"btn btn-sm me-1 " (if status == Some(s) { "btn-primary" } else { "btn-outline-primary" })}
                        href={"/invii?stato=" (s.code())} { (s.label()) }
                }
            }
            @if rows.is_empty() {
                p { "Nessun invio." }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Invii" ", scorre in orizzontale" } {
                    table class="table table-hover" {
                        caption class="visually-hidden" { "Invii" }
                        thead { tr {
                            th scope="col" { "Data" } th scope="col" { "Persona" } th scope="col" { "Destinatario" }
                            th scope="col" { "Urgenza" } th scope="col" { "Stato" } th scope="col" { "Ultimo passaggio" }
                        } }
                        tbody {
                            @for (r, p, overdue) in rows {
                                tr class=[overdue.then_some("table-warning")] {
                                    td { a href={"/invii/" (r.id)} { (fmt::local_date(r.created_at)) } }
                                    td { @if let Some(p) = p { a href={"/persone/" (p.id)} { (p.display_name()) } } }
                                    td { (r.target_name) }
                                    td { (reference.label(Kind::Urgency, &r.urgency)) }
                                    td { (status_badge(r, *overdue)) }
                                    td { (fmt::local_datetime(r.last_change())) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The referral form as typed.
#[derive(Debug, Default, Clone)]
pub struct ReferralValues {
    pub target: String,
    pub reason: String,
    pub urgency: String,
    pub draft: bool,
    pub privacy_override: String,
}

/// The new-referral form: the access it comes from, its person, the services and the Ambito
/// one may refer to.
pub struct NewReferral<'a> {
    pub access: &'a Access,
    pub person: &'a Person,
    pub services: &'a [&'a Service],
    pub ambito: &'a str,
}

pub fn new_page(
    chrome: &Chrome,
    reference: &Reference,
    form: &NewReferral,
    v: &ReferralValues,
    invalid: &Invalid,
) -> Markup {
    let NewReferral {
        access,
        person,
        services,
        ambito,
    } = *form;
    let ssp = format!("Servizio Sociale Professionale – {ambito} (proposta di presa in carico)");
    let mut targets: Vec<(String, String)> = vec![("ssp".to_string(), ssp)];
    targets.extend(services.iter().map(|s| (s.id.to_string(), s.name.clone())));
    let target_opts: Vec<(&str, &str)> = targets
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let urgencies: Vec<(&str, &str)> = reference
        .vocab
        .urgency
        .iter()
        .map(|t| (t.code.as_str(), t.label.as_str()))
        .collect();
    frame(
        chrome,
        "Nuovo invio",
        html! {
            h1 { "Nuovo invio" }
            p class="lead" {
                a href={"/persone/" (person.id)} { (person.display_name()) } " – " (code_badge(person))
                br; "dall'accesso del " a href={"/accessi/" (access.id)} { (fmt::local_datetime(access.time)) }
            }
            (error_summary(invalid))
            form method="post" action={"/invii/nuovo?accesso=" (access.id)} {
                (csrf_field(chrome.csrf))
                (select("target", "Destinatario", &target_opts, &v.target, invalid, None))
                (textarea_max("reason", "Motivo dell'invio", &v.reason, invalid, Some("Che cosa si chiede al servizio che riceve."), 4, crate::app::referrals::MAX_REASON))
                (select("urgency", "Urgenza", &urgencies, &v.urgency, invalid, None))
                @if person.privacy_notice.is_none() {
                    (alert("warning", "L'informativa privacy non risulta consegnata a questa persona. Consegnarla prima (dalla sua scheda), oppure indicare qui perché si procede comunque: l'eccezione viene registrata."))
                    (textarea("privacy_override", "Motivo dell'invio senza informativa", &v.privacy_override, invalid, None, 2))
                }
                div class="form-check mt-3" {
                    input type="checkbox" name="draft" value="1" id="f-draft" checked[v.draft];
                    label for="f-draft" { "Salva come bozza (non ancora inviato)" }
                }
                button type="submit" class="btn btn-primary mt-3" { "Registra l'invio" }
            }
        },
    )
}

/// A referral as the use case read it, with the form's problems and when it is shown.
pub fn detail_page(
    chrome: &Chrome,
    reference: &Reference,
    file: &crate::app::referrals::ReferralFile,
    invalid: &Invalid,
    notice: Option<&str>,
    now: DateTime<Utc>,
) -> Markup {
    let (r, person, overdue, needs_override, steps) = (
        &file.referral,
        file.person.as_ref(),
        file.overdue,
        file.needs_override,
        &file.steps,
    );
    let next: Vec<(&str, &str)> = steps.iter().map(|s| (s.code(), s.label())).collect();
    frame(
        chrome,
        "Invio",
        html! {
            @if let Some(n) = notice { (alert("success", n)) }
            h1 { "Invio a " (r.target_name) }
            @if let Some(n) = &r.district_notice { (alert("info", n)) }
            @if r.awaits_bundle() {
                (alert("warning", "L'invio è registrato ma non ha ancora lasciato questo computer: partirà con il prossimo pacchetto per l'Ambito (pagina «Scambi», «Prepara il pacchetto per l'Ambito»)."))
            }
            p class="lead" {
                (status_badge(r, overdue))
                @if let Some(p) = person { " – " a href={"/persone/" (p.id)} { (p.display_name()) } }
            }
            @if overdue {
                (alert("warning", &format!("Nessuna risposta dal {}: sollecitare il servizio.", fmt::local_date(r.last_change()))))
            }
            dl class="row" {
                dt class="col-sm-3" { "Motivo" } dd class="col-sm-9 text-prewrap" { (r.reason) }
                dt class="col-sm-3" { "Urgenza" } dd class="col-sm-9" { (reference.label(Kind::Urgency, &r.urgency)) }
                dt class="col-sm-3" { "Accesso" } dd class="col-sm-9" { a href={"/accessi/" (r.access_id)} { "apri l'accesso" } }
                @if let Some(o) = &r.privacy_override {
                    dt class="col-sm-3" { "Senza informativa" } dd class="col-sm-9" { (o) }
                }
            }
            p { a class="btn btn-outline-primary" href={"/invii/" (r.id) "/scheda.pdf"} { "Stampa la scheda di invio" } }
            h2 class="h4" { "Passaggi" }
            ol {
                @for h in &r.history {
                    li { strong { (r.step_label(h.status)) } " – " (fmt::local_datetime(h.at)) ", " (h.by) @if !h.note.is_empty() { ": " (h.note) } }
                }
            }
            @if next.is_empty() {
                @if let Some(m) = invalid.message("status") { (alert("danger", m)) }
            }
            @if !next.is_empty() {
                h2 class="h4" { "Aggiorna lo stato" }
                (error_summary(invalid))
                form method="post" action={"/invii/" (r.id) "/stato"} {
                    (csrf_field(chrome.csrf))
                    (select("status", "Nuovo stato", &next, "", invalid, None))
                    (textarea("note", "Nota", "", invalid, Some("Per esempio: chi ha risposto, quando, che cosa ha deciso."), 2))
                    @if needs_override {
                        (alert("warning", "L'informativa privacy non risulta consegnata: per inviare indicare il motivo."))
                        (textarea("privacy_override", "Motivo dell'invio senza informativa", "", invalid, None, 2))
                    }
                    button type="submit" class="btn btn-primary" { "Aggiorna" }
                }
            }
            p class="small text-secondary mt-3" { "Pagina generata il " (fmt::local_datetime(now)) "." }
        },
    )
}
