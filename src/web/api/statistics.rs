//! The statistics through the API: the same figures as `/statistiche`, as JSON and CSV.

use crate::web::routes::{Gate, Routes};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::{self, AppError};
use crate::stats::{self, growth, Figures, Period, Report};
use crate::web::error::ApiError;
use crate::web::session::ApiAuth;
use crate::web::state::{blocking, AppState};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// First month, `YYYY-MM` (default: January of `to`'s year, or of this year).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
    /// A calendar year, when `from` and `to` are not given.
    pub year: Option<i32>,
    /// District: one desk, by the ISTAT code of its comune (default: the whole Ambito).
    pub desk: Option<String>,
    /// CSV: one table only (`totali` or a table's `dimension`).
    pub table: Option<String>,
}

impl StatisticsQuery {
    fn query(&self) -> app::statistics::StatsQuery {
        app::statistics::StatsQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            year: self.year,
            desk: self.desk.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodJson {
    /// `YYYY-MM`.
    pub from: String,
    pub to: String,
    pub label: String,
}

impl From<Period> for PeriodJson {
    fn from(p: Period) -> Self {
        PeriodJson {
            from: p.from.key(),
            to: p.to.key(),
            label: p.label(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresJson {
    pub accesses: u64,
    /// Distinct identified persons.
    pub people: u64,
    /// Persons first seen here: at this desk (`desk`: at that desk), or for the whole Ambito
    /// anywhere in it.
    pub new_people: u64,
    /// Accesses without an identified person.
    pub unidentified: u64,
    /// Accesses that led to a referral to the professional social service.
    pub referred: u64,
}

impl From<&Figures> for FiguresJson {
    fn from(f: &Figures) -> Self {
        FiguresJson {
            accesses: f.accesses,
            people: f.people,
            new_people: f.new_people,
            unidentified: f.unidentified,
            referred: f.referred,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrowthJson {
    /// Percent against the same months a year earlier; null when there was nothing then.
    pub accesses: Option<f64>,
    pub people: Option<f64>,
    pub new_people: Option<f64>,
    pub unidentified: Option<f64>,
    pub referred: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthJson {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub figures: FiguresJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatisticsJson {
    pub period: PeriodJson,
    /// The same months a year earlier.
    pub previous_period: PeriodJson,
    /// The year, when the period is one calendar year.
    pub year: Option<i32>,
    /// True at the district (figures of the whole Ambito or of `desk`).
    pub district: bool,
    pub desk: Option<String>,
    pub accesses: u64,
    pub people: u64,
    pub new_people: u64,
    pub unidentified: u64,
    pub referred: u64,
    /// Percent of women among the accesses whose sex is known.
    pub women_share: Option<f64>,
    pub previous: FiguresJson,
    pub growth: GrowthJson,
    /// Each month of the period.
    pub months: Vec<MonthJson>,
    /// Accesses per month of the period.
    pub by_month: Vec<u64>,
    pub tables: Vec<TableJson>,
    /// The referrals sent in the period: counts, where they stand, the median days to an
    /// answer; as the page's table.
    pub referrals: Vec<ReferralLineJson>,
    /// Referrals sent in each month of the period.
    pub referrals_by_month: Vec<u64>,
    /// Years with data, newest first.
    pub years: Vec<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralLineJson {
    /// `inviati`, `al_ssp`, `ad_altri_servizi`, a status (`accettato`, …), `risposte`,
    /// `giorni_risposta`.
    pub code: String,
    pub label: String,
    /// A count, or for `giorni_risposta` the median days (null when nothing was answered).
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub growth: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TableJson {
    /// `canale`, `area`, `bisogno`, `comune_residenza`, …
    pub dimension: String,
    pub title: String,
    pub rows: Vec<RowJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowJson {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// The same months a year earlier.
    pub previous: u64,
    pub growth: Option<f64>,
    /// Tables by comune: accesses per 1,000 residents, where the residents are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_thousand: Option<f64>,
    /// Each month of the period.
    pub by_month: Vec<u64>,
}

fn to_json(state: &AppState, s: &app::statistics::Statistics) -> StatisticsJson {
    let (now, before): (&Report, &Report) = (&s.now, &s.before);
    let tables = now
        .tables
        .iter()
        .map(|t| {
            let earlier = before.table(t.dimension);
            TableJson {
                dimension: t.dimension.code().to_string(),
                title: t.dimension.title().to_string(),
                rows: t
                    .rows
                    .iter()
                    .map(|r| {
                        let previous = earlier.map_or(0, |e| e.count(&r.code));
                        RowJson {
                            label: s.label(&state.reference, t.dimension, &r.code),
                            code: r.code.clone(),
                            count: r.count,
                            previous,
                            growth: growth(r.count, previous),
                            per_thousand: matches!(
                                t.dimension,
                                crate::stats::Dimension::Comune | crate::stats::Dimension::Desk
                            )
                            .then(|| s.per_thousand(&r.code, r.count))
                            .flatten(),
                            by_month: r.by_month.clone(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let (n, b) = (&now.totals, &before.totals);
    StatisticsJson {
        period: now.period.into(),
        previous_period: before.period.into(),
        year: now.period.calendar_year(),
        district: s.district,
        desk: s.desk.clone(),
        accesses: n.accesses,
        people: n.people,
        new_people: n.new_people,
        unidentified: n.unidentified,
        referred: n.referred,
        women_share: now.women_share(),
        previous: b.into(),
        growth: GrowthJson {
            accesses: growth(n.accesses, b.accesses),
            people: growth(n.people, b.people),
            new_people: growth(n.new_people, b.new_people),
            unidentified: growth(n.unidentified, b.unidentified),
            referred: growth(n.referred, b.referred),
        },
        months: now
            .period
            .months()
            .zip(&now.months)
            .map(|(m, f)| MonthJson {
                month: m.key(),
                figures: f.into(),
            })
            .collect(),
        by_month: now.months.iter().map(|f| f.accesses).collect(),
        tables,
        referrals: crate::stats::referrals::lines(&s.referrals, &s.referrals_before)
            .into_iter()
            .map(|l| ReferralLineJson {
                growth: l.change(),
                code: l.code,
                label: l.label,
                value: l.now,
                previous: l.before,
            })
            .collect(),
        referrals_by_month: s.referrals.by_month.clone(),
        years: s.years.clone(),
    }
}

/// The statistics asked for, off the request threads.
async fn compute(
    state: &web::Data<AppState>,
    auth: &ApiAuth,
    query: &StatisticsQuery,
) -> Result<app::statistics::Statistics, AppError> {
    let q = query.query();
    blocking(state, &auth.actor, move |ctx| {
        app::statistics::compute(ctx, &q)
    })
    .await
}

/// The statistics of a period (responsabile), as on the statistics page, with the same months a
/// year earlier.
#[utoipa::path(get, path = "/api/v1/stats", params(StatisticsQuery),
    responses((status = 200, body = StatisticsJson), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn statistics(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let s = compute(&state, &auth, &query).await?;
    Ok(HttpResponse::Ok().json(to_json(&state, &s)))
}

/// The same as `/api/v1/stats`, under the name it was first published with.
#[utoipa::path(get, path = "/api/v1/statistics", params(StatisticsQuery),
    responses((status = 200, body = StatisticsJson), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn statistics_first_name(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    statistics(auth, state, query).await
}

/// The same figures as CSV (UTF-8 with BOM, `;`), every table or `table` only.
#[utoipa::path(get, path = "/api/v1/stats.csv", params(StatisticsQuery),
    responses((status = 200, content_type = "text/csv"), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn statistics_csv(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    if let Some(t) = query.table.as_deref().filter(|t| !t.is_empty()) {
        let known = t == "totali"
            || t == stats::REFERRALS
            || crate::stats::Dimension::DESK
                .iter()
                .chain(
                    [
                        crate::stats::Dimension::Desk,
                        crate::stats::Dimension::UnmetDesk,
                    ]
                    .iter(),
                )
                .any(|d| d.code() == t);
        if !known {
            return Err(AppError::Invalid(crate::domain::Invalid::one(
                "table",
                "Tabella sconosciuta: usare «totali», «invii» o il codice di una tabella (canale, area, …).",
            ))
            .into());
        }
    }
    let s = compute(&state, &auth, &query).await?;
    let text = s.csv(
        &state.reference,
        query.table.as_deref().filter(|t| !t.is_empty()),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", s.file_name("csv")),
        ))
        .body(format!("\u{feff}{text}")))
}

/// The printable report of the same figures, with the charts (PDF).
#[utoipa::path(get, path = "/api/v1/stats/report.pdf", params(StatisticsQuery),
    responses((status = 200, content_type = "application/pdf"), (status = 400, body = crate::web::error::ErrorBody),
        (status = 403, body = crate::web::error::ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn statistics_report(
    auth: ApiAuth,
    state: web::Data<AppState>,
    query: web::Query<StatisticsQuery>,
) -> Result<HttpResponse, ApiError> {
    let s = compute(&state, &auth, &query).await?;
    let doc = crate::web::documents::statistics_pdf(&state, &s)?;
    let bytes = crate::web::documents::render_pdf(doc).await?;
    Ok(crate::web::respond::pdf(bytes, &s.file_name("pdf")))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/api/v1/stats", Gate::Responsabile, statistics);
    r.get("/api/v1/stats.csv", Gate::Responsabile, statistics_csv);
    r.get(
        "/api/v1/stats/report.pdf",
        Gate::Responsabile,
        statistics_report,
    );
    // The first name of the same figures, kept for clients written against it.
    r.get(
        "/api/v1/statistics",
        Gate::Responsabile,
        statistics_first_name,
    );
}
