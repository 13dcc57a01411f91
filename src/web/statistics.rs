//! `/statistiche` and `/statistiche.csv`: counts of accesses and needs by year, for the head of
//! the desk, and at the district for the whole Ambito (or one desk).

use crate::web::routes::{Gate, Routes};
use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::error::PageError;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::domain::policy::Actor;
use crate::stats::{self, Dimension};

#[derive(serde::Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    anno: Option<i32>,
    #[serde(default)]
    sportello: Option<String>,
}

/// [`app::statistics::compute`] off the request threads: a district view reads every record
/// (about 1.5 s at a million), and the office's other pages must not wait for it.
pub(crate) async fn compute_blocking(
    state: &web::Data<AppState>,
    actor: &Actor,
    query: app::statistics::StatsQuery,
) -> Result<app::statistics::Statistics, AppError> {
    let (state, actor) = (state.clone(), actor.clone());
    web::block(move || app::statistics::compute(&state.ctx(&actor), &query))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

impl StatsQuery {
    fn query(&self) -> app::statistics::StatsQuery {
        app::statistics::StatsQuery {
            year: self.anno,
            desk: self.sportello.clone(),
        }
    }
}

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    let c = compute_blocking(&state, &auth.actor, query.query()).await?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/statistiche");
    let labeller = |d: Dimension, code: &str| app::statistics::label(&state.reference, d, code);
    let body = views::statistics::page(
        &chrome,
        &views::statistics::StatsView {
            summary: &c.summary,
            years: &c.years,
            desks: &c.desks,
            desk: c.desk.as_deref(),
            district: c.district,
            label: &labeller,
        },
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body.into_string()))
}

pub async fn csv(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    let c = compute_blocking(&state, &auth.actor, query.query()).await?;
    let labeller = |d: Dimension, code: &str| app::statistics::label(&state.reference, d, code);
    let text = stats::csv(&c.summary, &labeller);
    let name = match &c.desk {
        Some(d) => format!("statistiche-{}-{d}.csv", c.summary.year),
        None => format!("statistiche-{}.csv", c.summary.year),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        // A byte-order mark so that spreadsheets read the accents right.
        .body(format!("\u{feff}{text}")))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/statistiche", Gate::Responsabile, page);
    r.get("/statistiche.csv", Gate::Responsabile, csv);
}
