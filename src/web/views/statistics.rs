//! The statistics page: the *osservatorio* of the needs met at the desk, or across the Ambito,
//! for any span of months against the same months a year earlier.

use maud::{html, Markup};

use super::charts::{self, percent, Group};
use super::fmt::{growth as fmt_growth, thousands};
use super::form::field_errors;
use super::layout::{page as frame, Chrome};
use crate::domain::text::{capitalized, one_decimal, share};
use crate::domain::Invalid;
use crate::stats::referrals::{lines, ReferralReport};
use crate::stats::{growth, Dimension, Month, Report, Table, FIGURES, MONTHS};

/// What the page shows besides the figures.
pub struct StatsView<'a> {
    pub now: &'a Report,
    pub before: &'a Report,
    /// Years with data (newest first), for the selectors.
    pub years: &'a [i32],
    /// District: the desks (ISTAT code, name) to filter by, and the one chosen.
    pub desks: &'a [(String, String)],
    pub desk: Option<&'a str>,
    pub district: bool,
    /// Labels of the codes of a dimension.
    pub label: &'a dyn Fn(Dimension, &str) -> String,
    /// This month (for the shortcuts).
    pub today: Month,
    /// Accesses per 1,000 residents of a comune (code, count), when its residents are known.
    pub per_thousand: &'a dyn Fn(&str, u64) -> Option<f64>,
    /// The referrals sent in the period and a year earlier.
    pub referrals: (&'a ReferralReport, &'a ReferralReport),
    /// What the figures count: "questo sportello", "tutto l'Ambito", "sportello di …".
    pub scope: &'a str,
    /// The span asked for was refused (the page shows this year instead).
    pub errors: Option<&'a Invalid>,
}

/// The query string of a span (and desk), for links.
pub fn query(from: Month, to: Month, desk: Option<&str>) -> String {
    match desk {
        Some(d) => format!("da={}&a={}&sportello={d}", from.key(), to.key()),
        None => format!("da={}&a={}", from.key(), to.key()),
    }
}

fn month_select(name: &str, id: &str, selected: u32) -> Markup {
    html! {
        select id=(id) name=(name) class="form-select" {
            @for (i, m) in MONTHS.iter().enumerate() {
                option value=(i + 1) selected[selected == i as u32 + 1] { (m) }
            }
        }
    }
}

fn year_select(name: &str, id: &str, years: &[i32], selected: i32) -> Markup {
    let newest = years
        .iter()
        .copied()
        .max()
        .unwrap_or(selected)
        .max(selected);
    let oldest = years
        .iter()
        .copied()
        .min()
        .unwrap_or(selected)
        .min(selected)
        - 1;
    html! {
        select id=(id) name=(name) class="form-select" {
            @for y in (oldest..=newest).rev() {
                option value=(y) selected[y == selected] { (y) }
            }
        }
    }
}

pub fn page(chrome: &Chrome, v: &StatsView) -> Markup {
    let (now, before) = (v.now, v.before);
    let p = now.period;
    let q = query(p.from, p.to, v.desk);
    let scope = v.scope;
    frame(
        chrome,
        "Statistiche",
        html! {
            h1 { "Statistiche" }
            p class="lead" id="stat-periodo" {
                (capitalized(&p.label())) ", " (scope) ", a confronto con " (before.period.label()) "."
            }
            p {
                @if v.district {
                    "Accessi registrati dagli sportelli comunali dell'Ambito, dai pacchetti ricevuti: solo dati statistici, nessun nome né codice fiscale. "
                    "Le persone distinte sono contate con lo pseudonimo del codice fiscale, comune a tutto l'Ambito: chi è stato a due sportelli conta una volta."
                } @else {
                    "Accessi registrati da questo sportello: gli stessi conteggi che l'Ambito riceve con i pacchetti. "
                    "Sono escluse le persone con trattamento limitato; restano i conteggi delle schede anonimizzate per la conservazione."
                }
            }
            (period_form(v))
            nav aria-label="Periodi rapidi" class="mb-3" {
                ul class="list-inline" {
                    @for y in [v.today.year, v.today.year - 1] {
                        li class="list-inline-item" {
                            a href={"/statistiche?" (query(Month { year: y, month: 1 }, Month { year: y, month: 12 }, v.desk))} { "Anno " (y) }
                        }
                    }
                    li class="list-inline-item" {
                        a href={"/statistiche?" (query(v.today.plus(-12), v.today.plus(-1), v.desk))} { "Ultimi 12 mesi completi" }
                    }
                }
            }
            p {
                a class="btn btn-outline-primary me-2" href={"/statistiche.csv?" (q)} download { "Scarica CSV" }
                a class="btn btn-outline-primary" href={"/statistiche/rapporto.pdf?" (q)} { "Rapporto PDF da stampare" }
            }
            (totals(now, before))
            @if now.period.position(v.today).is_some() {
                p class="small" id="mese-in-corso" {
                    "Il mese in corso (" (v.today.label()) ") è contato fino a oggi; un anno prima, il mese intero."
                }
            }
            @if now.totals.accesses == 0 {
                p class="alert alert-info" role="status" { "Nessun accesso registrato in questo periodo." }
            } @else {
                (monthly(now, before, v.today))
                (referrals(v))
                (by_channel(v, now))
                div class="row" {
                    @if let Some(t) = now.table(Dimension::Channel) {
                        (share_chart(v, now, t, "g-canale", "Quote degli accessi per canale"))
                    }
                    @if let Some(t) = now.table(Dimension::Area) {
                        (share_chart(v, now, t, "g-area", "Quote degli accessi per area di utenza"))
                    }
                }
                (pyramid(v, now))
                @for d in [Dimension::Area, Dimension::Category] {
                    @if let Some(t) = now.table(d) {
                        (cross(v, now, t))
                    }
                }
                div class="row" {
                    @for t in now.tables.iter().filter(|t| t.dimension != Dimension::AgeSex && !t.dimension.is_supply()) {
                        (table(v, now, before, t))
                    }
                }
                section aria-labelledby="h-offerta" {
                    h2 id="h-offerta" class="h4" { "Servizi scelti, bisogni non soddisfatti e reclami" }
                    p {
                        "I bisogni per cui nessun servizio del territorio ha potuto rispondere, con il motivo: "
                        "le lacune dell'offerta"
                        @if v.district { " in tutti i comuni dell'Ambito" }
                        ". Il file CSV di ogni tabella si scarica con «Scarica CSV»."
                    }
                    div class="row" {
                        @for t in now.tables.iter().filter(|t| t.dimension.is_supply()) {
                            (table(v, now, before, t))
                        }
                    }
                }
            }
        },
    )
}

fn period_form(v: &StatsView) -> Markup {
    let p = v.now.period;
    let errors = v.errors;
    html! {
        form method="get" action="/statistiche" class="mb-3" novalidate {
            @if let Some(e) = errors {
                div class="alert alert-danger" role="alert" id="errore-periodo" {
                    p class="mb-0" { "La richiesta non è valida (periodo o sportello): sono mostrati i dati di quest'anno." }
                    @if let Some(m) = e.message("year") { p class="mb-0" { (m) } }
                }
            }
            fieldset class="row g-3 align-items-end" {
                legend class="h5" { "Periodo" }
                div class="col-auto" {
                    label for="da_mese" class="form-label" { "Dal mese" }
                    (month_select("da_mese", "da_mese", p.from.month))
                }
                div class="col-auto" {
                    label for="da_anno" class="form-label" { "dell'anno" }
                    (year_select("da_anno", "da_anno", v.years, p.from.year))
                    @if let Some(e) = errors { (field_errors(e, "from")) }
                }
                div class="col-auto" {
                    label for="a_mese" class="form-label" { "Al mese" }
                    (month_select("a_mese", "a_mese", p.to.month))
                }
                div class="col-auto" {
                    label for="a_anno" class="form-label" { "dell'anno" }
                    (year_select("a_anno", "a_anno", v.years, p.to.year))
                    @if let Some(e) = errors { (field_errors(e, "to")) }
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
                        @if let Some(e) = errors { (field_errors(e, "desk")) }
                    }
                }
                div class="col-auto" {
                    button type="submit" class="btn btn-primary" { "Mostra" }
                }
            }
        }
    }
}

fn totals(now: &Report, before: &Report) -> Markup {
    html! {
        section class="mb-4" aria-labelledby="h-totals" {
            h2 id="h-totals" class="h4" { "Totali" }
            div class="table-responsive" tabindex="0" role="region" aria-label={ "Totali di " (now.period.label()) " e di " (before.period.label()) ", scorre in orizzontale" } {
                table class="table table-sm w-auto" {
                    caption class="visually-hidden" { "Totali di " (now.period.label()) " e di " (before.period.label()) }
                    thead {
                        tr {
                            th scope="col" { "Voce" }
                            th scope="col" class="text-end" { (capitalized(&now.period.label())) }
                            th scope="col" class="text-end" { (capitalized(&before.period.label())) }
                            th scope="col" class="text-end" { "Variazione" }
                        }
                    }
                    tbody {
                        @for (k, (code, name)) in FIGURES.iter().enumerate() {
                            @let (n, b) = (now.totals.value(k), before.totals.value(k));
                            tr {
                                th scope="row" class="fw-normal" { (name) }
                                td class="text-end text-nowrap" id={"stat-" (code)} { (thousands(n)) }
                                td class="text-end text-nowrap" { (thousands(b)) }
                                td class="text-end text-nowrap" { (fmt_growth(growth(n, b))) }
                            }
                        }
                        tr {
                            th scope="row" class="fw-normal" { "Quota di donne (sugli accessi con sesso indicato)" }
                            td class="text-end text-nowrap" id="stat-donne" { (share(now.women_share())) }
                            td class="text-end text-nowrap" { (share(before.women_share())) }
                            td {}
                        }
                    }
                }
            p class="small" {
                "Gli invii al Servizio Sociale Professionale sono quelli partiti; l'esito «Proposta di presa in carico» conta le proposte fatte durante gli accessi."
            }
            }
        }
    }
}

fn month_label(m: Month, long: bool) -> String {
    if long {
        m.label()
    } else {
        m.short().to_string()
    }
}

/// The columns of the charts and cross-tables: each month, or each year of a span longer
/// than two years (a month per column would not read); with the months each one sums.
fn columns(p: crate::stats::Period) -> Vec<(String, Vec<usize>)> {
    if p.len() <= 24 {
        let long = p.from.year != p.to.year;
        return p
            .months()
            .enumerate()
            .map(|(i, m)| (month_label(m, long), vec![i]))
            .collect();
    }
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, m) in p.months().enumerate() {
        match out.last_mut() {
            Some((y, idx)) if *y == m.year.to_string() => idx.push(i),
            _ => out.push((m.year.to_string(), vec![i])),
        }
    }
    out
}

fn sum_of(values: &[u64], idx: &[usize]) -> u64 {
    idx.iter().filter_map(|i| values.get(*i)).sum()
}

fn monthly(now: &Report, before: &Report, today: Month) -> Markup {
    let p = now.period;
    let cols = columns(p);
    let (now_acc, before_acc): (Vec<u64>, Vec<u64>) = (
        now.months.iter().map(|f| f.accesses).collect(),
        before.months.iter().map(|f| f.accesses).collect(),
    );
    let groups: Vec<Group> = cols
        .iter()
        .map(|(l, idx)| Group {
            label: l,
            values: vec![sum_of(&now_acc, idx), sum_of(&before_acc, idx)],
        })
        .collect();
    let chart_title = if p.len() > 24 {
        "Accessi per anno"
    } else {
        "Accessi per mese"
    };
    let (this, last) = (capitalized(&p.label()), capitalized(&before.period.label()));
    html! {
        section class="mb-4" aria-labelledby="h-months" {
            h2 id="h-months" class="h4" { "Andamento mese per mese" }
            figure class="grafico-figura" tabindex="0" aria-label="Grafico degli accessi" {
                (charts::columns("g-mesi", chart_title, &format!("Barre degli accessi di {} (piene) e di {} (tratteggiate); i valori di ogni mese sono nella tabella che segue.", p.label(), before.period.label()), &[&this, &last], &groups))
            }
            div class="table-responsive" tabindex="0" role="region" aria-label="Tabella scorrevole: figure di ogni mese" {
                table class="table table-sm" id="tabella-mesi" {
                    caption class="visually-hidden" { "Figure di ogni mese di " (p.label()) }
                    thead {
                        tr {
                            th scope="col" { "Mese" }
                            th scope="col" class="text-end" { "Accessi" }
                            th scope="col" class="text-end" { "Un anno prima" }
                            th scope="col" class="text-end" { "Persone distinte" }
                            th scope="col" class="text-end" { "Persone nuove" }
                            th scope="col" class="text-end" { "Senza codice fiscale" }
                            th scope="col" class="text-end" { "Invii al Servizio Sociale" }
                        }
                    }
                    tbody {
                        @for ((m, n), b) in p.months().zip(&now.months).zip(&before.months) {
                            tr {
                                th scope="row" class="fw-normal text-nowrap" { (m.label()) @if m == today { " (in corso)" } }
                                td class="text-end" { (thousands(n.accesses)) }
                                td class="text-end" { (thousands(b.accesses)) }
                                td class="text-end" { (thousands(n.people)) }
                                td class="text-end" { (thousands(n.new_people)) }
                                td class="text-end" { (thousands(n.unidentified)) }
                                td class="text-end" { (thousands(n.referred)) }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" { "Periodo" }
                            td class="text-end fw-bold" { (thousands(now.totals.accesses)) }
                            td class="text-end fw-bold" { (thousands(before.totals.accesses)) }
                            td class="text-end fw-bold" { (thousands(now.totals.people)) }
                            td class="text-end fw-bold" { (thousands(now.totals.new_people)) }
                            td class="text-end fw-bold" { (thousands(now.totals.unidentified)) }
                            td class="text-end fw-bold" { (thousands(now.totals.referred)) }
                        }
                    }
                }
            }
            p class="small" { "Le persone distinte del periodo non sono la somma dei mesi: chi torna in più mesi conta una volta." }
        }
    }
}

fn referrals(v: &StatsView) -> Markup {
    let (now, before) = v.referrals;
    html! {
        section class="mb-4" aria-labelledby="h-invii" {
            h2 id="h-invii" class="h4" { "Invii e risposte dei servizi" }
            @if now.sent + before.sent == 0 {
                p { "Nessun invio in questo periodo né un anno prima." }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Invii di " (v.now.period.label()) " e di " (v.before.period.label()) ", scorre in orizzontale" } {
                    table class="table table-sm w-auto" id="tabella-invii" {
                        caption class="visually-hidden" { "Invii di " (v.now.period.label()) " e di " (v.before.period.label()) }
                        thead { tr {
                            th scope="col" { "Voce" }
                            th scope="col" class="text-end" { (capitalized(&v.now.period.label())) }
                            th scope="col" class="text-end" { (capitalized(&v.before.period.label())) }
                            th scope="col" class="text-end" { "Variazione" }
                        } }
                        tbody {
                            @for l in lines(now, before) {
                                tr {
                                    th scope="row" class="fw-normal" { (l.label) }
                                    td class="text-end text-nowrap" id={"invii-" (l.code)} { (l.text(l.now)) }
                                    td class="text-end text-nowrap" { (l.text(l.before)) }
                                    td class="text-end text-nowrap" { @if l.count { (fmt_growth(l.change())) } }
                                }
                            }
                        }
                    }
                }
                p class="small" { "Il tempo di risposta va dall'invio alla prima risposta del servizio (accettato o respinto); lo stato è quello di oggi." }
            }
        }
    }
}

/// Months down, channels across: the seed's "telefonate in entrata" per month is one column.
fn by_channel(v: &StatsView, now: &Report) -> Markup {
    let Some(t) = now.table(Dimension::Channel) else {
        return html! {};
    };
    html! {
        section class="mb-4" aria-labelledby="h-mese-canale" {
            h2 id="h-mese-canale" class="h4" { "Accessi per mese e canale" }
            div class="table-responsive" tabindex="0" role="region" aria-label="Tabella scorrevole: accessi per mese e canale" {
                table class="table table-sm" id="tabella-mese-canale" {
                    caption class="visually-hidden" { "Accessi per mese e canale, " (now.period.label()) }
                    thead {
                        tr {
                            th scope="col" { "Mese" }
                            @for r in &t.rows { th scope="col" class="text-end" { ((v.label)(Dimension::Channel, &r.code)) } }
                            th scope="col" class="text-end" { "Totale" }
                        }
                    }
                    tbody {
                        @for (i, (m, f)) in now.period.months().zip(&now.months).enumerate() {
                            tr {
                                th scope="row" class="fw-normal text-nowrap" { (m.label()) }
                                @for r in &t.rows { td class="text-end" { (thousands(r.by_month[i])) } }
                                td class="text-end" { (thousands(f.accesses)) }
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" { "Periodo" }
                            @for r in &t.rows { td class="text-end fw-bold" { (thousands(r.count)) } }
                            td class="text-end fw-bold" { (thousands(now.totals.accesses)) }
                        }
                    }
                }
            }
        }
    }
}

fn share_chart(v: &StatsView, now: &Report, t: &Table, id: &str, title: &str) -> Markup {
    let rows: Vec<(String, u64)> = t
        .rows
        .iter()
        .map(|r| ((v.label)(t.dimension, &r.code), r.count))
        .collect();
    html! {
        figure class="col-12 col-xl-6 mb-4 grafico-figura" tabindex="0" aria-label={"Grafico: " (title)} {
            figcaption class="h5" { (title) }
            (charts::shares(id, title, &format!("Barre orizzontali: ogni voce con la sua quota; i numeri sono nella tabella «{}».", t.dimension.title()), &rows, now.share_base(t)))
        }
    }
}

fn pyramid(v: &StatsView, now: &Report) -> Markup {
    let bands: Vec<(String, u64, u64, u64)> = now
        .pyramid()
        .into_iter()
        .map(|(code, f, m, u)| ((v.label)(Dimension::AgeBand, &code), f, m, u))
        .collect();
    if bands.is_empty() {
        return html! {};
    }
    let drawn: Vec<(String, u64, u64)> = bands.iter().map(|b| (b.0.clone(), b.1, b.2)).collect();
    html! {
        section class="mb-4" aria-labelledby="h-piramide" {
            h2 id="h-piramide" class="h4" { "Accessi per fascia d'età e sesso" }
            div class="row" {
                figure class="col-12 col-xl-7 grafico-figura" tabindex="0" aria-label="Grafico: piramide delle età" {
                    (charts::pyramid("g-piramide", "Piramide delle età", "Femmine a sinistra (barre piene), maschi a destra (tratteggiate), dalle età più giovani in basso; i numeri sono nella tabella accanto.", &drawn))
                }
                div class="col-12 col-xl-5 table-responsive" tabindex="0" role="region" aria-label={ "Accessi per fascia d'età e sesso" ", scorre in orizzontale" } {
                    table class="table table-sm" id="tabella-piramide" {
                        caption class="visually-hidden" { "Accessi per fascia d'età e sesso" }
                        thead { tr {
                            th scope="col" { "Fascia d'età" }
                            th scope="col" class="text-end" { "Femmine" }
                            th scope="col" class="text-end" { "Maschi" }
                            th scope="col" class="text-end" { "Non indicato" }
                        } }
                        tbody {
                            @for (label, f, m, u) in &bands {
                                tr {
                                    th scope="row" class="fw-normal" { (label) }
                                    td class="text-end" { (thousands(*f)) }
                                    td class="text-end" { (thousands(*m)) }
                                    td class="text-end" { (thousands(*u)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Codes down, months across (month × area, month × need).
fn cross(v: &StatsView, now: &Report, t: &Table) -> Markup {
    let id = format!("h-mese-{}", t.dimension.code());
    let by_year = now.period.len() > 24;
    let title = match (t.dimension, by_year) {
        (Dimension::Area, false) => "Accessi per area di utenza, mese per mese",
        (Dimension::Area, true) => "Accessi per area di utenza, anno per anno",
        (_, false) => "Bisogni rilevati, mese per mese",
        (_, true) => "Bisogni rilevati, anno per anno",
    };
    let cols = columns(now.period);
    html! {
        section class="mb-4" aria-labelledby=(id) {
            h2 id=(id) class="h4" { (title) }
            div class="table-responsive" tabindex="0" role="region" aria-label={"Tabella scorrevole: " (title)} {
                table class="table table-sm" {
                    caption class="visually-hidden" { (title) ", " (now.period.label()) }
                    thead {
                        tr {
                            th scope="col" { "Voce" }
                            @for (label, _) in &cols { th scope="col" class="text-end text-nowrap" { (label) } }
                            th scope="col" class="text-end" { "Totale" }
                        }
                    }
                    tbody {
                        @for r in &t.rows {
                            tr {
                                th scope="row" class="fw-normal" { ((v.label)(t.dimension, &r.code)) }
                                @for (_, idx) in &cols { td class="text-end" { (thousands(sum_of(&r.by_month, idx))) } }
                                td class="text-end fw-bold" { (thousands(r.count)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn table(v: &StatsView, now: &Report, before: &Report, t: &Table) -> Markup {
    // Under the section of the services' answer the tables are its subsections.
    let sub = t.dimension.is_supply();
    let code = t.dimension.code();
    // Accesses per 1,000 residents, for the tables by comune.
    let rates = matches!(t.dimension, Dimension::Comune | Dimension::Desk);
    let base = now.share_base(t);
    let earlier = before.table(t.dimension);
    html! {
        section class="col-12 col-xl-6 mb-4" aria-labelledby={"h-" (code)} {
            @if sub {
                h3 id={"h-" (code)} class="h5" { (t.dimension.title()) }
            } @else {
                h2 id={"h-" (code)} class="h5" { (t.dimension.title()) }
            }
            @if t.rows.is_empty() {
                p { "Nessun dato." }
            } @else {
                div class="table-responsive" tabindex="0" role="region" aria-label={ (t.dimension.title()) ", " (now.period.label()) ", scorre in orizzontale" } {
                    table class="table table-sm" id={"tabella-" (code)} {
                        caption class="visually-hidden" { (t.dimension.title()) ", " (now.period.label()) }
                        thead { tr {
                            th scope="col" { "Voce" }
                            th scope="col" class="text-end" { "Numero" }
                            th scope="col" class="text-end" { "Quota" }
                            @if rates { th scope="col" class="text-end" { "Per 1.000 residenti" } }
                            th scope="col" class="text-end" { "Un anno prima" }
                            th scope="col" class="text-end" { "Variazione" }
                        } }
                        tbody {
                            @for r in &t.rows {
                                @let b = earlier.map_or(0, |e| e.count(&r.code));
                                tr {
                                    th scope="row" class="fw-normal" { ((v.label)(t.dimension, &r.code)) }
                                    td class="text-end" { (thousands(r.count)) }
                                    td class="text-end text-nowrap" { (percent(r.count, base)) }
                                    @if rates { td class="text-end text-nowrap" { (one_decimal((v.per_thousand)(&r.code, r.count))) } }
                                    td class="text-end" { (thousands(b)) }
                                    td class="text-end text-nowrap" { (fmt_growth(growth(r.count, b))) }
                                }
                            }
                        }
                    }
                }
                @if let Some(note) = t.dimension.share_note() {
                    p class="small" { (note) }
                }
                @if rates {
                    p class="small" {
                        "Per 1.000 residenti: sulla popolazione inserita dal responsabile o, dove manca, su quella del censimento ISTAT 2011. "
                        a href="/statistiche/popolazione" { "Aggiorna la popolazione dei comuni" }
                    }
                }
            }
        }
    }
}

/// The residents of each comune, for the rates per 1,000.
pub fn population_page(
    chrome: &Chrome,
    comuni: &[crate::app::statistics::Population],
    // A refused form: the problems, and what was typed for each comune (kept in the fields).
    errors: Option<(&Invalid, &std::collections::HashMap<String, String>)>,
    saved: bool,
) -> Markup {
    frame(
        chrome,
        "Popolazione dei comuni",
        html! {
            h1 { "Popolazione dei comuni" }
            p { "I residenti di ogni comune servono a calcolare gli accessi ogni 1.000 residenti nelle statistiche. "
                "Dove non è inserito un dato, si usa quello del censimento ISTAT 2011: inserire il dato dell'anagrafe comunale più recente." }
            @if saved { div class="alert alert-success" role="status" { "Popolazione salvata." } }
            @if let Some((e, _)) = errors { (field_errors(e, "population")) }
            form method="post" action="/statistiche/popolazione" novalidate {
                (crate::web::views::layout::csrf_field(chrome.csrf))
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Residenti per comune" ", scorre in orizzontale" } {
                    table class="table table-sm w-auto" {
                        caption class="visually-hidden" { "Residenti per comune" }
                        thead { tr {
                            th scope="col" { "Comune" }
                            th scope="col" { "Residenti" }
                            th scope="col" class="text-end" { "Censimento 2011" }
                        } }
                        tbody {
                            @for c in comuni {
                                tr {
                                    th scope="row" class="fw-normal" { label for={"pop-" (c.istat)} { (c.name) } }
                                    td {
                                        input type="hidden" name="istat" value=(c.istat);
                                        input type="text" inputmode="numeric" class="form-control" id={"pop-" (c.istat)} name="residenti"
                                            aria-describedby=[errors.map(|_| crate::web::views::form::error_anchor("population"))]
                                            aria-invalid=[errors.filter(|(e, _)| e.0.iter().any(|f| f.message.contains(&format!(" {}:", c.name)))).map(|_| "true")]
                                            value=(errors.and_then(|(_, typed)| typed.get(&c.istat).cloned())
                                                .unwrap_or_else(|| c.entered.map(|n| thousands(u64::from(n))).unwrap_or_default()))
                                            autocomplete="off";
                                    }
                                    td class="text-end" { (c.census.map_or("–".to_string(), |n| thousands(u64::from(n)))) }
                                }
                            }
                        }
                    }
                }
                button type="submit" class="btn btn-primary" { "Salva" }
                " "
                a class="btn btn-outline-primary" href="/statistiche" { "Torna alle statistiche" }
            }
        },
    )
}
