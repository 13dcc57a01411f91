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
use crate::domain::instance::InstanceRole;
use crate::domain::role::Role;
use crate::stats::{self, Counter, Dimension, Summary};

#[derive(serde::Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    anno: Option<i32>,
    #[serde(default)]
    sportello: Option<String>,
}

/// Everything both the page and the CSV need.
struct Computed {
    summary: Summary,
    years: Vec<i32>,
    desks: Vec<(String, String)>,
    desk: Option<String>,
    district: bool,
}

fn compute(state: &AppState, query: &StatsQuery) -> Result<Computed, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let district = instance.role == InstanceRole::District;
    let this_year = chrono::Datelike::year(&chrono::Local::now());
    let year = query.anno.unwrap_or(this_year);
    let desk = query
        .sportello
        .clone()
        .filter(|d| district && crate::domain::comune::is_istat_code(d));
    let mut dimensions = Vec::new();
    if district && desk.is_none() {
        dimensions.push(Dimension::Desk);
    }
    dimensions.extend(Dimension::DESK);
    let mut counter = Counter::new(year, desk.as_deref(), &dimensions);
    if district {
        state.store.for_each_district_access(|r| counter.add(r))?;
    } else {
        for r in &state.store.desk_access_records()? {
            counter.add(r);
        }
    }
    let mut years = counter.years();
    for y in [this_year, year] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let mut desks: Vec<(String, String)> = counter
        .desks()
        .into_iter()
        .map(|code| {
            let name = comune_name(state, &code);
            (code, name)
        })
        .collect();
    desks.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Computed {
        summary: counter.finish(),
        years,
        desks,
        desk,
        district,
    })
}

/// [`compute`] off the request threads: a district view reads every record (about 1.5 s at a
/// million), and the office's other pages must not wait for it.
async fn compute_blocking(
    state: &web::Data<AppState>,
    query: StatsQuery,
) -> Result<Computed, PageError> {
    let state = state.clone();
    web::block(move || compute(&state, &query))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
}

fn comune_name(state: &AppState, code: &str) -> String {
    state
        .reference
        .comuni
        .get(code)
        .map_or_else(|| format!("Comune {code}"), |c| c.name.clone())
}

/// The label of a code in a table.
fn label(state: &AppState, dimension: Dimension, code: &str) -> String {
    if code == "unknown" {
        return "Non indicato".into();
    }
    match dimension {
        Dimension::Sex => match code {
            "F" => "Femmine".into(),
            "M" => "Maschi".into(),
            other => other.into(),
        },
        Dimension::Comune | Dimension::Desk => comune_name(state, code),
        d => match d.vocabulary() {
            Some(kind) => state.reference.label(kind, code).to_string(),
            None => code.to_string(),
        },
    }
}

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<StatsQuery>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Responsabile)?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let c = compute_blocking(&state, query.into_inner()).await?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/statistiche");
    let labeller = |d: Dimension, code: &str| label(&state, d, code);
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
    auth.require(Role::Responsabile)?;
    let c = compute_blocking(&state, query.into_inner()).await?;
    let labeller = |d: Dimension, code: &str| label(&state, d, code);
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
