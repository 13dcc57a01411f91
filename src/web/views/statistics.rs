//! The statistics page: the *osservatorio* of the needs met at the desk, or across the Ambito.

use maud::{html, Markup};

use super::layout::{page as frame, Chrome};
use crate::stats::{Dimension, Summary, MONTHS};

/// What the page shows besides the summary.
pub struct StatsView<'a> {
    pub summary: &'a Summary,
    /// Years with data (newest first), for the selector.
    pub years: &'a [i32],
    /// District: the desks (ISTAT code, name) to filter by, and the one chosen.
    pub desks: &'a [(String, String)],
    pub desk: Option<&'a str>,
    pub district: bool,
    /// Labels of the codes of a dimension.
    pub label: &'a dyn Fn(Dimension, &str) -> String,
}

fn percent(n: usize, total: usize) -> String {
    if total == 0 {
        return "–".into();
    }
    format!("{:.1} %", n as f64 * 100.0 / total as f64).replace('.', ",")
}

pub fn page(chrome: &Chrome, v: &StatsView) -> Markup {
    let s = v.summary;
    let csv_href = match v.desk {
        Some(d) => format!("/statistiche.csv?anno={}&sportello={d}", s.year),
        None => format!("/statistiche.csv?anno={}", s.year),
    };
    frame(
        chrome,
        "Statistiche",
        html! {
            h1 { "Statistiche" }
            p {
                @if v.district {
                    "Accessi registrati dagli sportelli comunali dell'Ambito, dai pacchetti ricevuti: solo dati statistici, nessun nome né codice fiscale. "
                    "Le persone distinte sono contate con lo pseudonimo del codice fiscale, comune a tutto l'Ambito."
                } @else {
                    "Accessi registrati da questo sportello: gli stessi conteggi che l'Ambito riceve con i pacchetti. "
                    "Sono escluse le persone con trattamento limitato."
                }
            }
            form method="get" action="/statistiche" class="row g-3 align-items-end mb-4" {
                div class="col-auto" {
                    label for="anno" class="form-label" { "Anno" }
                    select id="anno" name="anno" class="form-select" {
                        @for y in v.years {
                            option value=(y) selected[*y == s.year] { (y) }
                        }
                    }
                }
                @if v.district {
                    div class="col-auto" {
                        label for="sportello" class="form-label" { "Sportello" }
                        select id="sportello" name="sportello" class="form-select" {
                            option value="" selected[v.desk.is_none()] { "Tutto l'Ambito" }
                            @for (code, name) in v.desks {
                                option value=(code) selected[v.desk == Some(code.as_str())] { (name) }
                            }
                        }
                    }
                }
                div class="col-auto" {
                    button type="submit" class="btn btn-primary" { "Mostra" }
                }
                div class="col-auto" {
                    a class="btn btn-outline-primary" href=(csv_href) download { "Scarica CSV" }
                }
            }

            section class="mb-4" aria-labelledby="h-totals" {
                h2 id="h-totals" class="h4" { "Totali " (s.year) }
                dl class="row" {
                    dt class="col-sm-5" { "Accessi" } dd class="col-sm-7" id="stat-accessi" { (s.accesses) }
                    dt class="col-sm-5" { "Persone distinte" } dd class="col-sm-7" id="stat-persone" { (s.people) }
                    dt class="col-sm-5" { "Accessi senza codice fiscale (anonimi o persone senza codice)" } dd class="col-sm-7" { (s.unidentified) }
                    dt class="col-sm-5" { "Invii al Servizio Sociale Professionale" } dd class="col-sm-7" id="stat-invii" { (s.referred) }
                }
            }

            @if s.accesses == 0 {
                p class="alert alert-info" role="status" { "Nessun accesso registrato in questo periodo." }
            } @else {
                section class="mb-4" aria-labelledby="h-months" {
                    h2 id="h-months" class="h4" { "Accessi per mese" }
                    div class="table-responsive" {
                        table class="table table-sm" {
                            caption class="visually-hidden" { "Accessi per mese, " (s.year) }
                            thead { tr { th scope="col" { "Mese" } th scope="col" class="text-end" { "Accessi" } } }
                            tbody {
                                @for (i, n) in s.by_month.iter().enumerate() {
                                    tr { th scope="row" { (MONTHS[i]) } td class="text-end" { (n) } }
                                }
                            }
                        }
                    }
                }
                div class="row" {
                    @for t in &s.tables {
                        section class="col-12 col-lg-6 mb-4" aria-labelledby={"h-" (t.dimension.code())} {
                            h2 id={"h-" (t.dimension.code())} class="h5" { (t.dimension.title()) }
                            @if t.rows.is_empty() {
                                p { "Nessun dato." }
                            } @else {
                                table class="table table-sm" {
                                    caption class="visually-hidden" { (t.dimension.title()) ", " (s.year) }
                                    thead { tr { th scope="col" { "Voce" } th scope="col" class="text-end" { "Numero" } th scope="col" class="text-end" { "Quota" } } }
                                    tbody {
                                        // Needs are shared among needs; everything else among accesses
                                        // (an access may fall in several areas or outcomes).
                                        @let total: usize = if matches!(t.dimension, Dimension::Category | Dimension::Urgency) {
                                            t.rows.iter().map(|(_, n)| n).sum()
                                        } else {
                                            s.accesses
                                        };
                                        @for (code, n) in &t.rows {
                                            tr {
                                                th scope="row" class="fw-normal" { ((v.label)(t.dimension, code)) }
                                                td class="text-end" { (n) }
                                                td class="text-end" { (percent(*n, total)) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
