//! The statistics of accesses and needs for any span of months, compared with the same months a
//! year earlier: the desk's own, or at the district the whole Ambito or one desk. For the
//! responsabile; the same figures for the page, the CSV, the PDF and the API.

use super::{AppError, Ctx};
use crate::domain::audit::Action;
use crate::domain::comune::is_istat_code;
use crate::domain::instance::InstanceRole;
use crate::domain::policy;
use crate::domain::reference::Reference;
use crate::domain::referral::Target;
use crate::domain::Invalid;
use crate::stats::aggregate::WHOLE;
use crate::stats::referrals::{summarize as referral_report, ReferralFacts, ReferralReport};
use crate::stats::{Dimension, Month, Period, Report};

/// The months and, at the district, the desk (ISTAT code of its comune) asked for.
#[derive(Debug, Default, Clone)]
pub struct StatsQuery {
    /// First month, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM`.
    pub to: Option<String>,
    /// A calendar year (when no months are given).
    pub year: Option<i32>,
    pub desk: Option<String>,
}

/// The figures, with what the page offers to choose from.
pub struct Statistics {
    pub now: Report,
    /// The same months a year earlier.
    pub before: Report,
    /// Years with data, newest first (always this year and those asked).
    pub years: Vec<i32>,
    /// District: the desks with data (code, comune name).
    pub desks: Vec<(String, String)>,
    pub desk: Option<String>,
    pub district: bool,
    /// Names of the directory's services, by id (for the tables of services).
    pub services: std::collections::HashMap<String, String>,
    /// Residents of the comuni in the tables by comune (for the rates per 1,000).
    pub population: std::collections::HashMap<String, Population>,
    /// The referrals sent in the period, and in the same months a year earlier.
    pub referrals: ReferralReport,
    pub referrals_before: ReferralReport,
}

impl Statistics {
    /// Accesses per 1,000 residents of the comune `code`, when its residents are known.
    pub fn per_thousand(&self, code: &str, count: u64) -> Option<f64> {
        let residents = self.population.get(code)?.residents()?;
        Some(count as f64 * 1000.0 / f64::from(residents.max(1)))
    }

    /// Every table as CSV (or `only` the one of that code), as the page and the API give it.
    pub fn csv(&self, reference: &Reference, only: Option<&str>) -> String {
        crate::stats::csv(
            &self.now,
            &self.before,
            Some((&self.referrals, &self.referrals_before)),
            &|d, code| self.label(reference, d, code),
            &|d, code, n| {
                matches!(d, Dimension::Comune | Dimension::Desk)
                    .then(|| self.per_thousand(code, n))
                    .flatten()
            },
            only,
        )
    }

    /// The Italian label of a code in a table.
    pub fn label(&self, reference: &Reference, dimension: Dimension, code: &str) -> String {
        label(reference, &self.services, dimension, code)
    }

    /// What the figures count, in words.
    pub fn scope(&self) -> String {
        match (self.district, &self.desk) {
            (true, Some(d)) => self.desks.iter().find(|(c, _)| c == d).map_or_else(
                || format!("sportello {d}"),
                |(_, n)| format!("sportello di {n}"),
            ),
            (true, None) => "tutto l'Ambito".to_string(),
            (false, _) => "questo sportello".to_string(),
        }
    }

    /// `statistiche-2026-01_2026-12[-072046].csv`.
    pub fn file_name(&self, ext: &str) -> String {
        match &self.desk {
            Some(d) => format!("statistiche-{}-{d}.{ext}", self.now.period.slug()),
            None => format!("statistiche-{}.{ext}", self.now.period.slug()),
        }
    }
}

/// The span asked for: `from`–`to`, or a calendar year, or this year so far.
pub fn period(query: &StatsQuery, today: Month) -> Result<Period, AppError> {
    let parse = |field: &'static str, v: &Option<String>| -> Result<Option<Month>, Invalid> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Month::parse(v).map(Some).ok_or_else(|| {
                Invalid::one(field, "Un mese nella forma aaaa-mm, per esempio 2026-03.")
            }),
        }
    };
    let from = parse("from", &query.from)?;
    let to = parse("to", &query.to)?;
    let year = |y: i32| {
        Month::new(y, 1)
            .map(|_| Period::year(y))
            .ok_or_else(|| Invalid::one("year", "Un anno di quattro cifre, tra il 1900 e il 2100."))
    };
    Ok(match (from, to) {
        (None, None) => match query.year {
            Some(y) => year(y)?,
            None => Period::new(Month::new(today.year, 1).unwrap_or(today), today)
                .unwrap_or_else(|_| Period::year(today.year)),
        },
        (Some(f), None) => {
            Period::new(f, f.max(today)).map_err(|e| Invalid::one("to", e.to_string()))?
        }
        (None, Some(t)) => Period::new(Month::new(t.year, 1).unwrap_or(t), t)
            .map_err(|e| Invalid::one("from", e.to_string()))?,
        (Some(f), Some(t)) => Period::new(f, t).map_err(|e| Invalid::one("from", e.to_string()))?,
    })
}

fn this_month() -> Month {
    let now = chrono::Local::now();
    Month::new(chrono::Datelike::year(&now), chrono::Datelike::month(&now)).unwrap_or(Month {
        year: 2026,
        month: 1,
    })
}

/// Reads the maintained counters of the months asked and of a year earlier (a few hundred per
/// month, whatever the number of records).
pub fn compute(ctx: &Ctx, query: &StatsQuery) -> Result<Statistics, AppError> {
    policy::responsabile(ctx.actor)?;
    let instance = ctx
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let district = instance.role == InstanceRole::District;
    let today = this_month();
    let now = period(query, today)?;
    let before = now.a_year_earlier();
    let desk = match query
        .desk
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) if district && is_istat_code(d) => Some(d.to_string()),
        Some(_) if !district => {
            return Err(Invalid::one("desk", "Uno sportello si sceglie solo all'Ambito.").into())
        }
        Some(d) => {
            return Err(Invalid::one(
                "desk",
                format!("Sportello sconosciuto: «{d}» (il codice ISTAT del comune, sei cifre)."),
            )
            .into())
        }
    };
    let mut dimensions = Vec::new();
    dimensions.extend(Dimension::DESK);
    // The whole Ambito: also by sending desk.
    if district && desk.is_none() {
        dimensions.insert(0, Dimension::Desk);
        dimensions.push(Dimension::UnmetDesk);
    }
    // The scope summed, and the one that holds its distinct persons.
    let (scope, people) = match (&desk, district) {
        (Some(d), _) => (Some(d.as_str()), d.as_str()),
        (None, true) => (None, WHOLE),
        (None, false) => (Some(""), ""),
    };
    let read = ctx
        .store
        .stat_reports(scope, people, &dimensions, &[now, before])?;
    if let Some(d) = &desk {
        if !read.scopes.contains(d) {
            return Err(Invalid::one(
                "desk",
                format!(
                    "Nessun dato ricevuto dallo sportello di {}.",
                    comune_name(ctx.reference, d)
                ),
            )
            .into());
        }
    }
    let mut reports = read.reports.into_iter();
    let (Some(mut now_r), Some(before_r)) = (reports.next(), reports.next()) else {
        return Err(AppError::Internal("statistiche incomplete".into()));
    };
    now_r.keep_rows_of(&before_r);
    let mut years = read.years;
    for y in [today.year, now.from.year, now.to.year] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    let mut desks: Vec<(String, String)> = read
        .scopes
        .iter()
        .filter(|s| is_istat_code(s))
        .map(|code| (code.clone(), comune_name(ctx.reference, code)))
        .collect();
    desks.sort_by(|a, b| a.1.cmp(&b.1));
    let population = {
        let mut codes: Vec<&str> = Vec::new();
        for d in [Dimension::Comune, Dimension::Desk] {
            if let Some(t) = now_r.table(d) {
                codes.extend(t.rows.iter().map(|r| r.code.as_str()));
            }
        }
        residents_of(ctx, codes.into_iter())?
    };
    let facts = referral_facts(ctx, district, desk.as_deref())?;
    let referrals = referral_report(now, facts.iter().cloned());
    let referrals_before = referral_report(before, facts);
    let services = ctx
        .store
        .directory()?
        .services
        .into_iter()
        .map(|s| (s.id.to_string(), s.name))
        .collect();
    Ok(Statistics {
        now: now_r,
        before: before_r,
        years,
        desks,
        desk,
        district,
        services,
        population,
        referrals,
        referrals_before,
    })
}

/// The referrals counted: the desk's own (sent), or at the district those received from every
/// desk (or from `desk`), with the district's answers. Counts only: nothing of the person is read
/// out.
fn referral_facts(
    ctx: &Ctx,
    district: bool,
    desk: Option<&str>,
) -> Result<Vec<ReferralFacts>, AppError> {
    if district {
        return Ok(ctx
            .store
            .inbox()?
            .into_iter()
            .filter(|e| desk.is_none_or(|d| d == e.comune_istat))
            .map(|e| {
                let r = &e.record.referral;
                let sent_at = r
                    .history
                    .iter()
                    .find(|h| h.status != crate::domain::referral::ReferralStatus::Bozza)
                    .map_or(r.created_at, |h| h.at);
                ReferralFacts {
                    sent_at,
                    answered_at: crate::stats::referrals::first_answer(&e.decisions, sent_at),
                    status: e.status,
                    to_ssp: true,
                }
            })
            .collect());
    }
    // As everywhere in the statistics, nothing of a person whose processing is restricted.
    let mut restricted = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in ctx.store.referrals()? {
        let is_restricted = match restricted.get(&r.person_id) {
            Some(v) => *v,
            None => {
                let v = ctx
                    .store
                    .person(r.person_id)?
                    .is_some_and(|p| p.is_restricted());
                restricted.insert(r.person_id, v);
                v
            }
        };
        if !is_restricted {
            out.extend(ReferralFacts::of(
                &r.history,
                r.status,
                r.target == Target::Ssp,
            ));
        }
    }
    Ok(out)
}

/// Complaints about a service in the last twelve months, for the responsabile (`None` for
/// anyone else): the count the service page shows.
pub fn complaints_about(ctx: &Ctx, service: uuid::Uuid) -> Result<Option<u64>, AppError> {
    if policy::responsabile(ctx.actor).is_err() {
        return Ok(None);
    }
    let district = ctx
        .store
        .instance()?
        .is_some_and(|i| i.role == InstanceRole::District);
    let (scope, people) = if district {
        (None, WHOLE)
    } else {
        (Some(""), "")
    };
    let today = this_month();
    let period = Period::new(today.plus(-11), today).unwrap_or(Period::year(today.year));
    let read = ctx
        .store
        .stat_reports(scope, people, &[Dimension::Complaint], &[period])?;
    Ok(Some(read.reports.first().map_or(0, |r| {
        r.table(Dimension::Complaint)
            .map_or(0, |t| t.count(&service.to_string()))
    })))
}

pub fn comune_name(reference: &Reference, code: &str) -> String {
    reference
        .comuni
        .get(code)
        .map_or_else(|| format!("Comune {code}"), |c| c.name.clone())
}

/// The Italian label of a code in a table; `services` names the directory's services by id.
pub fn label(
    reference: &Reference,
    services: &std::collections::HashMap<String, String>,
    dimension: Dimension,
    code: &str,
) -> String {
    let service = |id: &str| {
        services
            .get(id)
            .cloned()
            .unwrap_or_else(|| "Servizio non presente nell'elenco dei servizi".into())
    };
    let category = |c: &str| {
        reference
            .label(crate::domain::vocabulary::Kind::Category, c)
            .to_string()
    };
    match dimension {
        Dimension::Complaint if code == "unknown" => return "Servizio non indicato".into(),
        _ if code == "unknown" => return "Non indicato".into(),
        _ => {}
    }
    match dimension {
        Dimension::Service | Dimension::UnmetService | Dimension::Complaint => service(code),
        Dimension::Unmet => {
            let (c, reason) = code.split_once('|').unwrap_or((code, ""));
            format!(
                "{} – {}",
                category(c),
                crate::domain::directory::unmet_reason_label(reason)
            )
        }
        Dimension::UnmetComune | Dimension::UnmetDesk => {
            let (c, comune) = code.split_once('|').unwrap_or((code, "unknown"));
            let place = if comune == "unknown" {
                "comune non indicato".to_string()
            } else {
                comune_name(reference, comune)
            };
            format!("{} – {place}", category(c))
        }
        Dimension::Sex => match code {
            "F" => "Femmine".into(),
            "M" => "Maschi".into(),
            other => other.into(),
        },
        Dimension::AgeSex => {
            let (sex, band) = code.split_once('|').unwrap_or(("unknown", code));
            let sex = match sex {
                "F" => "Femmine",
                "M" => "Maschi",
                _ => "Sesso non indicato",
            };
            let band = if band == "unknown" {
                "età non indicata".to_string()
            } else {
                reference
                    .label(crate::domain::vocabulary::Kind::AgeBand, band)
                    .to_string()
            };
            format!("{sex}, {band}")
        }
        Dimension::Comune | Dimension::Desk => comune_name(reference, code),
        d => match d.vocabulary() {
            Some(kind) => reference.label(kind, code).to_string(),
            None => code.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: &str, to: &str) -> StatsQuery {
        StatsQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_span_comes_from_months_a_year_or_this_year() {
        let today = Month::parse("2026-05").unwrap();
        let p = period(&StatsQuery::default(), today).unwrap();
        assert_eq!(p.label(), "gennaio–maggio 2026");
        let p = period(
            &StatsQuery {
                year: Some(2024),
                ..Default::default()
            },
            today,
        )
        .unwrap();
        assert_eq!(p, Period::year(2024));
        assert_eq!(period(&q("2025-07", "2026-06"), today).unwrap().len(), 12);
        let Err(AppError::Invalid(e)) = period(&q("2026-13", ""), today) else {
            panic!("a month 13 is refused");
        };
        assert!(e.message("from").is_some());
        let Err(AppError::Invalid(e)) = period(&q("2026-06", "2026-01"), today) else {
            panic!("a reversed span is refused");
        };
        assert!(e.message("from").unwrap().contains("dopo"));
    }
}

/// The setting that holds the residents of each comune, as the responsabile entered them.
const POPULATION: &str = "stats_population";

/// One comune of the population form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Population {
    pub istat: String,
    pub name: String,
    /// Residents as entered by the responsabile.
    pub entered: Option<u32>,
    /// Residents at the 2011 census (the fallback, to be updated).
    pub census: Option<u32>,
}

impl Population {
    /// The residents the rates use: what was entered, else the census.
    pub fn residents(&self) -> Option<u32> {
        self.entered.or(self.census)
    }
}

fn entered_populations(ctx: &Ctx) -> Result<std::collections::BTreeMap<String, u32>, AppError> {
    Ok(ctx.store.setting(POPULATION)?.unwrap_or_default())
}

/// The residents of `codes` (entered, else the 2011 census).
fn residents_of<'a>(
    ctx: &Ctx,
    codes: impl Iterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, Population>, AppError> {
    let entered = entered_populations(ctx)?;
    Ok(codes
        .filter(|c| is_istat_code(c))
        .map(|c| {
            (
                c.to_string(),
                Population {
                    istat: c.to_string(),
                    name: comune_name(ctx.reference, c),
                    entered: entered.get(c).copied(),
                    census: ctx.reference.comuni.get(c).and_then(|i| i.population_2011),
                },
            )
        })
        .collect())
}

/// The comuni whose residents the rates per 1,000 use: this installation's comune, the desks
/// with data (district), the comuni of residence counted this year, and those entered before.
pub fn populations(ctx: &Ctx) -> Result<Vec<Population>, AppError> {
    policy::responsabile(ctx.actor)?;
    let s = compute(ctx, &StatsQuery::default())?;
    let instance = ctx.store.instance()?;
    let mut codes: Vec<String> = instance.map(|i| i.comune.istat).into_iter().collect();
    codes.extend(s.desks.iter().map(|(c, _)| c.clone()));
    if let Some(t) = s.now.table(Dimension::Comune) {
        codes.extend(t.rows.iter().map(|r| r.code.clone()));
    }
    codes.extend(entered_populations(ctx)?.into_keys());
    let mut seen = std::collections::BTreeSet::new();
    codes.retain(|c| is_istat_code(c) && seen.insert(c.clone()));
    let mut all: Vec<Population> = residents_of(ctx, codes.iter().map(String::as_str))?
        .into_values()
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// Saves the residents entered for each comune (`(istat, text)`; an empty text forgets the
/// entry, so the census is used again).
pub fn set_populations(ctx: &Ctx, values: &[(String, String)]) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    let mut entered = entered_populations(ctx)?;
    let mut invalid = Invalid::new();
    for (istat, text) in values {
        if !is_istat_code(istat) || ctx.reference.comuni.get(istat).is_none() {
            invalid.add("population", format!("Comune sconosciuto: {istat}."));
            continue;
        }
        let t = text.trim().replace(['.', ' ', '\u{a0}'], "");
        if t.is_empty() {
            entered.remove(istat);
            continue;
        }
        match t.parse::<u32>() {
            // The smallest comune of Italy has about thirty residents, the largest under three
            // million.
            Ok(n) if (20..=5_000_000).contains(&n) => {
                entered.insert(istat.clone(), n);
            }
            _ => invalid.add(
                "population",
                format!(
                    "Residenti di {}: un numero intero di abitanti, da 20 a 5.000.000 (per esempio 27.130).",
                    comune_name(ctx.reference, istat)
                ),
            ),
        }
    }
    if !invalid.is_empty() {
        return Err(invalid.into());
    }
    let details = format!("{} comuni", entered.len());
    ctx.store.set_setting(
        POPULATION,
        &entered,
        &ctx.actor.username,
        Action::StatsPopulation,
        &details,
    )?;
    Ok(())
}
