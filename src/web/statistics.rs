//! `/statistiche`, `/statistiche.csv` and `/statistiche/rapporto.pdf`: counts of accesses and
//! needs for any span of months, for the head of the desk, and at the district for the whole
//! Ambito (or one desk).

use crate::web::routes::{Gate, Routes};
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::error::PageError;
use super::session::Auth;
use super::state::{blocking, AppState};
use super::views;
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::stats::{Dimension, Month};

/// The page's query: `da`/`a` (`YYYY-MM`), or the four selectors of the form, or `anno`.
#[derive(serde::Deserialize, Default)]
pub struct StatsQuery {
    /// Text, so that a wrong year gets its message on the page (not a bare 400).
    #[serde(default)]
    anno: Option<String>,
    #[serde(default)]
    da: Option<String>,
    #[serde(default)]
    a: Option<String>,
    /// `from` and `to` as in the API (for links written by scripts).
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    da_mese: Option<u32>,
    #[serde(default)]
    da_anno: Option<i32>,
    #[serde(default)]
    a_mese: Option<u32>,
    #[serde(default)]
    a_anno: Option<i32>,
    #[serde(default)]
    sportello: Option<String>,
}

impl StatsQuery {
    fn query(&self) -> app::statistics::StatsQuery {
        let month = |m: Option<u32>, y: Option<i32>| match (y, m) {
            (Some(y), Some(m)) => Some(format!("{y:04}-{m:02}")),
            _ => None,
        };
        app::statistics::StatsQuery {
            from: self
                .da
                .clone()
                .or_else(|| self.from.clone())
                .or_else(|| month(self.da_mese, self.da_anno)),
            to: self
                .a
                .clone()
                .or_else(|| self.to.clone())
                .or_else(|| month(self.a_mese, self.a_anno)),
            // Not a number: a year no report covers, refused with its message.
            year: self
                .anno
                .as_deref()
                .map(|a| a.trim().parse::<i32>().unwrap_or(i32::MIN)),
            desk: self.sportello.clone().filter(|s| !s.is_empty()),
        }
    }
}

fn this_month() -> Month {
    let now = chrono::Local::now();
    Month::new(chrono::Datelike::year(&now), chrono::Datelike::month(&now)).unwrap_or(Month {
        year: 2026,
        month: 1,
    })
}

async fn compute(
    state: &web::Data<AppState>,
    auth: &Auth,
    q: app::statistics::StatsQuery,
) -> Result<app::statistics::Statistics, AppError> {
    blocking(state, &auth.actor, move |ctx| {
        app::statistics::compute(ctx, &q)
    })
    .await
}

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    let asked = query.query();
    // A span that cannot be shown: this year instead, with the message next to the field.
    let (c, errors) = match compute(&state, &auth, asked.clone()).await {
        Ok(c) => (c, None),
        Err(AppError::Invalid(e)) => {
            let fallback = app::statistics::StatsQuery::default();
            (compute(&state, &auth, fallback).await?, Some(e))
        }
        Err(e) => return Err(e.into()),
    };
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/statistiche");
    let labeller = |d: Dimension, code: &str| c.label(&state.reference, d, code);
    let body = views::statistics::page(
        &chrome,
        &views::statistics::StatsView {
            now: &c.now,
            before: &c.before,
            years: &c.years,
            desks: &c.desks,
            desk: c.desk.as_deref(),
            district: c.district,
            label: &labeller,
            today: this_month(),
            scope: &c.scope(),
            referrals: (&c.referrals, &c.referrals_before),
            per_thousand: &|code, n| c.per_thousand(code, n),
            errors: errors.as_ref(),
        },
    );
    let status = if errors.is_some() {
        actix_web::http::StatusCode::BAD_REQUEST
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(super::respond::html(status, body))
}

pub async fn csv(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    let c = compute(&state, &auth, query.query()).await?;
    let text = c.csv(&state.reference, None);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", c.file_name("csv")),
        ))
        // A byte-order mark so that spreadsheets read the accents right.
        .body(format!("\u{feff}{text}")))
}

/// The printable report of the same figures, with the charts.
pub async fn report(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    let c = compute(&state, &auth, query.query()).await?;
    let bytes = super::documents::render_pdf(super::documents::statistics_pdf(&state, &c)?).await?;
    Ok(super::respond::pdf(bytes, &c.file_name("pdf")))
}

/// The residents of each comune, for the rates per 1,000.
pub async fn population(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    let comuni = blocking(&state, &auth.actor, app::statistics::populations).await?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/statistiche");
    Ok(super::respond::ok(views::statistics::population_page(
        &chrome,
        &comuni,
        None,
        query.avviso == "salvato",
    )))
}

#[derive(serde::Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn save_population(
    auth: Auth,
    state: web::Data<AppState>,
    form: super::forms::Fields,
) -> Result<HttpResponse, PageError> {
    let values: Vec<(String, String)> = form
        .all("istat")
        .into_iter()
        .zip(form.all("residenti"))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let typed: std::collections::HashMap<String, String> = values.iter().cloned().collect();
    match blocking(&state, &auth.actor, move |ctx| {
        app::statistics::set_populations(ctx, &values)
    })
    .await
    {
        Ok(()) => Ok(super::respond::see_other(
            "/statistiche/popolazione?avviso=salvato",
        )),
        Err(AppError::Invalid(e)) => {
            let comuni = blocking(&state, &auth.actor, app::statistics::populations).await?;
            let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
            let chrome = Chrome::for_user(&auth, Some(&instance), "/statistiche");
            Ok(super::respond::html(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                views::statistics::population_page(&chrome, &comuni, Some((&e, &typed)), false),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/statistiche", Gate::Responsabile, page);
    r.get("/statistiche.csv", Gate::Responsabile, csv);
    r.get("/statistiche/rapporto.pdf", Gate::Responsabile, report);
    r.get("/statistiche/popolazione", Gate::Responsabile, population);
    r.post(
        "/statistiche/popolazione",
        Gate::Responsabile,
        save_population,
    );
}
