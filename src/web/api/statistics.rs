//! The statistics through the API: the same figures as `/statistiche`, as JSON.

use crate::web::routes::{Gate, Routes};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::{self, AppError};
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The year (default: this year).
    pub year: Option<i32>,
    /// District: one desk, by the ISTAT code of its comune (default: the whole Ambito).
    pub desk: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsJson {
    pub year: i32,
    /// True at the district (figures of the whole Ambito or of `desk`).
    pub district: bool,
    pub desk: Option<String>,
    pub accesses: usize,
    /// Distinct identified persons.
    pub people: usize,
    pub unidentified: usize,
    /// Accesses that led to a referral to the professional social service.
    pub referred: usize,
    /// Accesses per month, January to December.
    pub by_month: Vec<usize>,
    pub tables: Vec<TableJson>,
    /// Years with data, newest first.
    pub years: Vec<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TableJson {
    /// `channel`, `area`, `category`, `comune`, …
    pub dimension: String,
    pub title: String,
    pub rows: Vec<RowJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowJson {
    pub code: String,
    pub label: String,
    pub count: usize,
}

/// The year's statistics (responsabile), as on the statistics page.
#[utoipa::path(get, path = "/api/v1/statistics", params(StatisticsQuery),
    responses((status = 200, body = StatisticsJson), (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn statistics(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = app::statistics::StatsQuery {
        year: query.year,
        desk: query.desk.clone(),
    };
    let (st, actor) = (state.clone(), auth.actor.clone());
    // Reads every record once: off the request threads.
    let s = web::block(move || app::statistics::compute(&st.ctx(&actor), &q))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let tables = s
        .summary
        .tables
        .iter()
        .map(|t| TableJson {
            dimension: t.dimension.code().to_string(),
            title: t.dimension.title().to_string(),
            rows: t
                .rows
                .iter()
                .map(|(code, count)| RowJson {
                    label: app::statistics::label(&state.reference, t.dimension, code),
                    code: code.clone(),
                    count: *count,
                })
                .collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(StatisticsJson {
        year: s.summary.year,
        district: s.district,
        desk: s.desk,
        accesses: s.summary.accesses,
        people: s.summary.people,
        unidentified: s.summary.unidentified,
        referred: s.summary.referred,
        by_month: s.summary.by_month.to_vec(),
        tables,
        years: s.years,
    }))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/api/v1/statistics", Gate::Responsabile, statistics);
}
