//! The statistics of accesses and needs for a year: the desk's own, or at the district the whole
//! Ambito or one desk. For the responsabile; the same figures for the page, the CSV and the API.

use super::{AppError, Ctx};
use crate::domain::comune::is_istat_code;
use crate::domain::instance::InstanceRole;
use crate::domain::policy;
use crate::domain::reference::Reference;
use crate::stats::aggregate::{Tally, WHOLE};
use crate::stats::{Dimension, Summary};

/// The year and, at the district, the desk (ISTAT code of its comune) asked for.
#[derive(Debug, Default, Clone)]
pub struct StatsQuery {
    pub year: Option<i32>,
    pub desk: Option<String>,
}

/// The figures, with what the page offers to choose from.
pub struct Statistics {
    pub summary: Summary,
    /// Years with data, newest first (always this year and the one asked).
    pub years: Vec<i32>,
    /// District: the desks with data (code, comune name).
    pub desks: Vec<(String, String)>,
    pub desk: Option<String>,
    pub district: bool,
}

/// Reads the maintained counters of the year asked (a few hundred, whatever the number of
/// records).
pub fn compute(ctx: &Ctx, query: &StatsQuery) -> Result<Statistics, AppError> {
    policy::responsabile(ctx.actor)?;
    let instance = ctx
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let district = instance.role == InstanceRole::District;
    let this_year = chrono::Datelike::year(&chrono::Local::now());
    let year = query.year.unwrap_or(this_year);
    let desk = query.desk.clone().filter(|d| district && is_istat_code(d));
    let mut dimensions = Vec::new();
    if district && desk.is_none() {
        dimensions.push(Dimension::Desk);
    }
    dimensions.extend(Dimension::DESK);
    // The scope summed, and the one that holds its distinct persons.
    let (scope, people) = match (&desk, district) {
        (Some(d), _) => (Some(d.as_str()), d.as_str()),
        (None, true) => (None, WHOLE),
        (None, false) => (Some(""), ""),
    };
    let counters = ctx.store.stat_counters(scope, year)?;
    let mut tally = Tally::new(year, &dimensions, people);
    for (s, period, dim, value, n) in &counters.rows {
        tally.add(s, period, dim, value, *n);
    }
    let mut years = counters.years;
    for y in [this_year, year] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let mut desks: Vec<(String, String)> = counters
        .scopes
        .into_iter()
        .filter(|s| is_istat_code(s))
        .map(|code| {
            let name = comune_name(ctx.reference, &code);
            (code, name)
        })
        .collect();
    desks.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(Statistics {
        summary: tally.finish(),
        years,
        desks,
        desk,
        district,
    })
}

pub fn comune_name(reference: &Reference, code: &str) -> String {
    reference
        .comuni
        .get(code)
        .map_or_else(|| format!("Comune {code}"), |c| c.name.clone())
}

/// The Italian label of a code in a table.
pub fn label(reference: &Reference, dimension: Dimension, code: &str) -> String {
    if code == "unknown" {
        return "Non indicato".into();
    }
    match dimension {
        Dimension::Sex => match code {
            "F" => "Femmine".into(),
            "M" => "Maschi".into(),
            other => other.into(),
        },
        Dimension::Comune | Dimension::Desk => comune_name(reference, code),
        d => match d.vocabulary() {
            Some(kind) => reference.label(kind, code).to_string(),
            None => code.to_string(),
        },
    }
}
