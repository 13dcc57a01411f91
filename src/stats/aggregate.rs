//! Maintained aggregates: what one statistical record adds to the counters and to the sets of
//! distinct persons, so that a view of `/statistiche` reads a few hundred counters instead of
//! every record. Pure: the store applies a [`Delta`] in the same write transaction as the change
//! that caused it, and `sportello stats rebuild` recounts from the records.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{sum, Dimension, Figures, Month, Period, Report, Table};
use crate::domain::district::AccessRecord;

/// Dimension code of a month's totals (codes starting with `_` are not tables).
pub const TOTAL: &str = "_totale";
pub const ACCESSES: &str = "accessi";
pub const UNIDENTIFIED: &str = "senza_codice_fiscale";
pub const REFERRED: &str = "invii_ssp";
/// Dimension code of the distinct persons of a period (a month `YYYY-MM` or a year `YYYY`).
pub const PEOPLE: &str = "_persone";
/// District: the scope of the whole Ambito's distinct persons (counters are kept per desk and
/// summed; a person seen at two desks is one person of the Ambito).
pub const WHOLE: &str = "*";

/// The scope of a record's counters: the sending desk at the district, `""` at the desk itself.
pub fn scope_of(r: &AccessRecord) -> &str {
    r.desk.as_deref().unwrap_or("")
}

/// (scope, period, dimension, value) of one counter.
pub type CountKey = (String, String, String, String);

/// Dimension code of the people first seen in a month (in a scope, or in the whole Ambito).
pub const NEW: &str = "_nuove";

/// Dimension code of the people seen in a month by the month they were seen before (value
/// `YYYY-MM`, or empty when it is their first): the distinct persons of any span of months are
/// those of its months whose previous month falls before the span, so no span needs a count of
/// its own and none is counted from the presences.
pub const PREVIOUS: &str = "_precedente";

/// The key of a person's presence: 8 bytes of a hash of the person key (a collision among a
/// million people is about one in thirty million).
pub fn presence_key(person_key: &str) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(&Sha256::digest(person_key.as_bytes())[..8]);
    out
}

/// How many accesses a person had in each month (running month index, ascending), per scope:
/// what tells when they start or stop counting among the distinct persons of a month, a year,
/// a desk and the Ambito, and in which month they were first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence(pub Vec<(String, Vec<(i32, u32)>)>);

/// Whether a person counts in a month, in its year, and her first month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    month: bool,
    year: bool,
    first: Option<i32>,
}

impl Presence {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn months<'a>(&'a self, scope: Option<&'a str>) -> impl Iterator<Item = (i32, u32)> + 'a {
        self.0
            .iter()
            .filter(move |(s, _)| scope.is_none_or(|w| w == s))
            .flat_map(|(_, m)| m.iter().copied())
            .filter(|(_, n)| *n > 0)
    }

    /// The months she was seen in, ascending, in `scope` or (`None`) anywhere.
    fn months_seen(&self, scope: Option<&str>) -> Vec<i32> {
        let mut out: Vec<i32> = self.months(scope).map(|(m, _)| m).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn seen(&self, scope: Option<&str>, month: i32) -> Seen {
        let year = month.div_euclid(12);
        let mut out = Seen {
            month: false,
            year: false,
            first: None,
        };
        for (m, _) in self.months(scope) {
            out.month |= m == month;
            out.year |= m.div_euclid(12) == year;
            out.first = Some(out.first.map_or(m, |f: i32| f.min(m)));
        }
        out
    }

    /// Adds (`sign` 1) or removes (-1) one access of this person in `scope` and month `month`
    /// (running index), and adds to `counts` the changes of distinct and new persons that follow.
    pub fn change(
        &mut self,
        scope: &str,
        month: i32,
        sign: i64,
        counts: &mut HashMap<CountKey, i64>,
    ) {
        let before = (self.seen(Some(scope), month), self.seen(None, month));
        let months_before = (self.months_seen(Some(scope)), self.months_seen(None));
        let i = match self.0.iter().position(|(s, _)| s == scope) {
            Some(i) => i,
            None => {
                self.0.push((scope.to_string(), Vec::new()));
                self.0.len() - 1
            }
        };
        let months = &mut self.0[i].1;
        match months.binary_search_by_key(&month, |(m, _)| *m) {
            Ok(j) => {
                let n = &mut months[j].1;
                *n = if sign > 0 {
                    n.saturating_add(1)
                } else {
                    n.saturating_sub(1)
                };
                if *n == 0 {
                    months.remove(j);
                }
            }
            Err(j) if sign > 0 => months.insert(j, (month, 1)),
            Err(_) => {}
        }
        if self.0[i].1.is_empty() {
            self.0.remove(i);
        }
        let after = (self.seen(Some(scope), month), self.seen(None, month));
        let months_after = (self.months_seen(Some(scope)), self.months_seen(None));
        step(counts, scope, month, before.0, after.0);
        previous(counts, scope, month, &months_before.0, &months_after.0);
        // At the desk the scope is the whole installation already.
        if !scope.is_empty() {
            step(counts, WHOLE, month, before.1, after.1);
            previous(counts, WHOLE, month, &months_before.1, &months_after.1);
        }
    }
}

/// The months whose previous month depends on whether she was seen in `month`: that month
/// itself and the next one she was seen in, each with the month seen before it.
fn around(months: &[i32], month: i32) -> Vec<(i32, Option<i32>)> {
    let at = months.partition_point(|&m| m < month);
    let prev = at.checked_sub(1).map(|j| months[j]);
    let mut out = Vec::with_capacity(2);
    match months.get(at) {
        Some(&m) if m == month => {
            out.push((m, prev));
            if let Some(&next) = months.get(at + 1) {
                out.push((next, Some(m)));
            }
        }
        Some(&next) => out.push((next, prev)),
        None => {}
    }
    out
}

/// The counters of [`PREVIOUS`] that change when `month` joins or leaves her months.
fn previous(counts: &mut HashMap<CountKey, i64>, scope: &str, month: i32, b: &[i32], a: &[i32]) {
    let key = |m: i32, prev: Option<i32>| {
        (
            scope.to_string(),
            Month::from_index(m).key(),
            PREVIOUS.to_string(),
            prev.map(|p| Month::from_index(p).key()).unwrap_or_default(),
        )
    };
    for (m, prev) in around(b, month) {
        *counts.entry(key(m, prev)).or_default() -= 1;
    }
    for (m, prev) in around(a, month) {
        *counts.entry(key(m, prev)).or_default() += 1;
    }
}

/// The counters of distinct and new persons that change when a person's presence does.
fn step(counts: &mut HashMap<CountKey, i64>, scope: &str, month: i32, b: Seen, a: Seen) {
    let mut bump = |period: String, dim: &str, d: i64| {
        if d != 0 {
            *counts
                .entry((scope.into(), period, dim.into(), String::new()))
                .or_default() += d;
        }
    };
    let m = Month::from_index(month);
    bump(m.key(), PEOPLE, i64::from(a.month) - i64::from(b.month));
    bump(
        format!("{:04}", m.year),
        PEOPLE,
        i64::from(a.year) - i64::from(b.year),
    );
    if a.first != b.first {
        if let Some(f) = b.first {
            bump(Month::from_index(f).key(), NEW, -1);
        }
        if let Some(f) = a.first {
            bump(Month::from_index(f).key(), NEW, 1);
        }
    }
}

/// What a set of record changes does to the aggregates, before it is applied.
#[derive(Debug, Default)]
pub struct Delta {
    pub counts: HashMap<CountKey, i64>,
    /// Per person: (scope, running month index, +1 or -1), in order.
    pub presence: HashMap<[u8; 8], Vec<(String, i32, i64)>>,
    records: usize,
}

impl Delta {
    pub fn add(&mut self, r: &AccessRecord) {
        self.count(r, 1);
    }

    pub fn remove(&mut self, r: &AccessRecord) {
        self.count(r, -1);
    }

    /// Records added or removed so far (the store applies a large delta in parts).
    pub fn len(&self) -> usize {
        self.records
    }

    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    fn count(&mut self, r: &AccessRecord, sign: i64) {
        // A record without a valid month is in no period of any view.
        let Some(month) = Month::parse(&r.month) else {
            return;
        };
        self.records += 1;
        let scope = scope_of(r);
        let key = month.key();
        let mut bump = |dim: &str, value: &str| {
            *self
                .counts
                .entry((scope.into(), key.clone(), dim.into(), value.into()))
                .or_default() += sign;
        };
        bump(TOTAL, ACCESSES);
        if r.person_key.is_none() {
            bump(TOTAL, UNIDENTIFIED);
        }
        if r.referred {
            bump(TOTAL, REFERRED);
        }
        for d in Dimension::DESK {
            d.for_each_code(r, |code| bump(d.code(), code));
        }
        if let Some(k) = &r.person_key {
            self.presence.entry(presence_key(k)).or_default().push((
                scope.to_string(),
                month.index(),
                sign,
            ));
        }
    }
}

/// Builds the report of a period from its counters.
pub struct Tally {
    period: Period,
    dimensions: Vec<Dimension>,
    people_scope: String,
    months: Vec<Figures>,
    /// The distinct persons of the period when it is a calendar year (kept per year).
    year_people: Option<u64>,
    /// The persons of the period's months not seen in an earlier month of it ([`PREVIOUS`]).
    span_people: u64,
    /// The period's first month as `YYYY-MM`, against which [`PREVIOUS`] values are compared.
    from_key: String,
    counts: Vec<HashMap<String, Vec<u64>>>,
    /// The last period seen and where it falls (counters come sorted by period).
    last: (String, Option<Month>, Option<usize>),
}

impl Tally {
    /// `people_scope` holds the distinct and new persons of what is summed: the desk's scope,
    /// or [`WHOLE`] for the whole Ambito.
    pub fn new(period: Period, dimensions: &[Dimension], people_scope: &str) -> Tally {
        Tally {
            period,
            dimensions: dimensions.to_vec(),
            people_scope: people_scope.to_string(),
            months: vec![Figures::default(); period.len()],
            year_people: None,
            span_people: 0,
            from_key: period.from.key(),
            counts: vec![HashMap::new(); dimensions.len()],
            last: (String::new(), None, None),
        }
    }

    /// Adds `n` to the count of `value` in month `i` of dimension `d`.
    fn bump(&mut self, d: usize, value: &str, i: usize, n: u64) {
        let len = self.period.len();
        match self.counts[d].get_mut(value) {
            Some(v) => v[i] += n,
            None => {
                let mut v = vec![0; len];
                v[i] = n;
                self.counts[d].insert(value.to_string(), v);
            }
        }
    }

    /// One counter (rows of other periods are ignored).
    pub fn add(&mut self, scope: &str, period: &str, dim: &str, value: &str, n: u64) {
        if self.last.0 != period {
            let month = Month::parse(period);
            self.last = (
                period.to_string(),
                month,
                month.and_then(|m| self.period.position(m)),
            );
        }
        let (month, i) = (self.last.1, self.last.2);
        if dim == PREVIOUS {
            if scope == self.people_scope
                && i.is_some()
                && (value.is_empty() || value < self.from_key.as_str())
            {
                self.span_people += n;
            }
            return;
        }
        if dim == PEOPLE || dim == NEW {
            if scope != self.people_scope {
                return;
            }
            match (i, dim) {
                (Some(i), PEOPLE) => self.months[i].people += n,
                (Some(i), _) => self.months[i].new_people += n,
                // A year's own counter, when the period is that calendar year.
                (None, PEOPLE)
                    if month.is_none()
                        && self
                            .period
                            .calendar_year()
                            .map(|y| format!("{y:04}"))
                            .as_deref()
                            == Some(period) =>
                {
                    self.year_people = Some(n);
                }
                _ => {}
            }
            return;
        }
        let Some(i) = i else { return };
        if scope == WHOLE {
            return;
        }
        if dim == TOTAL {
            let f = &mut self.months[i];
            match value {
                ACCESSES => {
                    f.accesses += n;
                    if let Some(d) = self.dimensions.iter().position(|d| *d == Dimension::Desk) {
                        let code = if scope.is_empty() { "unknown" } else { scope };
                        self.bump(d, code, i, n);
                    }
                }
                UNIDENTIFIED => f.unidentified += n,
                REFERRED => f.referred += n,
                _ => {}
            }
            return;
        }
        if let Some(d) = self.dimensions.iter().position(|d| d.code() == dim) {
            self.bump(d, value, i, n);
        }
        // The desks' gaps: the counters of each desk's unmet needs, under that desk.
        if dim == Dimension::Unmet.code() {
            if let Some(d) = self
                .dimensions
                .iter()
                .position(|d| *d == Dimension::UnmetDesk)
            {
                let category = value.split_once('|').map_or(value, |(c, _)| c);
                let desk = if scope.is_empty() { "unknown" } else { scope };
                self.bump(d, &format!("{category}|{desk}"), i, n);
            }
        }
    }

    /// The report.
    pub fn finish(self) -> Report {
        let tables = self
            .dimensions
            .iter()
            .zip(self.counts)
            .map(|(&dimension, counts)| Table::ordered(dimension, counts.into_iter()))
            .collect();
        let mut totals = sum(&self.months);
        totals.people = match (self.period.len(), self.year_people) {
            (1, _) => self.months[0].people,
            (_, Some(n)) => n,
            _ => self.span_people,
        };
        Report {
            period: self.period,
            totals,
            months: self.months,
            tables,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(c: &HashMap<CountKey, i64>, s: &str, per: &str, dim: &str) -> i64 {
        count(c, s, per, dim, "")
    }

    fn count(c: &HashMap<CountKey, i64>, s: &str, per: &str, dim: &str, value: &str) -> i64 {
        c.get(&(s.into(), per.into(), dim.into(), value.into()))
            .copied()
            .unwrap_or(0)
    }

    fn at(s: &str) -> i32 {
        Month::parse(s).unwrap().index()
    }

    #[test]
    fn a_person_counts_once_per_month_year_desk_and_ambito() {
        let mut counts = HashMap::new();
        let mut p = Presence::default();
        p.change("072001", at("2026-01"), 1, &mut counts);
        p.change("072001", at("2026-01"), 1, &mut counts);
        p.change("072002", at("2026-04"), 1, &mut counts);
        assert_eq!(get(&counts, "072001", "2026-01", PEOPLE), 1);
        assert_eq!(get(&counts, "072001", "2026", PEOPLE), 1);
        assert_eq!(get(&counts, "072002", "2026-04", PEOPLE), 1);
        assert_eq!(get(&counts, WHOLE, "2026", PEOPLE), 1);
        assert_eq!(get(&counts, WHOLE, "2026-01", PEOPLE), 1);
        // New at each desk when first seen there; new to the Ambito once.
        assert_eq!(get(&counts, "072001", "2026-01", NEW), 1);
        assert_eq!(get(&counts, "072002", "2026-04", NEW), 1);
        assert_eq!(get(&counts, WHOLE, "2026-01", NEW), 1);
        assert_eq!(get(&counts, WHOLE, "2026-04", NEW), 0);
        // One of two January accesses goes: still counted; the second goes: no longer, and
        // the Ambito first saw her in April.
        p.change("072001", at("2026-01"), -1, &mut counts);
        assert_eq!(get(&counts, "072001", "2026-01", PEOPLE), 1);
        p.change("072001", at("2026-01"), -1, &mut counts);
        assert_eq!(get(&counts, "072001", "2026-01", PEOPLE), 0);
        assert_eq!(get(&counts, "072001", "2026", PEOPLE), 0);
        assert_eq!(get(&counts, WHOLE, "2026", PEOPLE), 1);
        assert_eq!(get(&counts, WHOLE, "2026-01", NEW), 0);
        assert_eq!(get(&counts, WHOLE, "2026-04", NEW), 1);
        p.change("072002", at("2026-04"), -1, &mut counts);
        assert!(p.is_empty());
        assert!(counts.values().all(|&v| v == 0));
    }

    #[test]
    fn an_earlier_access_makes_her_new_earlier() {
        let mut counts = HashMap::new();
        let mut p = Presence::default();
        p.change("", at("2026-03"), 1, &mut counts);
        p.change("", at("2025-11"), 1, &mut counts);
        assert_eq!(get(&counts, "", "2026-03", NEW), 0);
        assert_eq!(get(&counts, "", "2025-11", NEW), 1);
        assert_eq!(get(&counts, "", "2025", PEOPLE), 1);
        assert_eq!(get(&counts, "", "2026", PEOPLE), 1);
        assert_eq!(previous_of(&counts, "", "2025-11", ""), 1);
        assert_eq!(previous_of(&counts, "", "2026-03", "2025-11"), 1);
        assert_eq!(previous_of(&counts, "", "2026-03", ""), 0);
    }

    fn previous_of(c: &HashMap<CountKey, i64>, s: &str, month: &str, prev: &str) -> i64 {
        count(c, s, month, PREVIOUS, prev)
    }

    #[test]
    fn each_month_knows_the_month_she_was_seen_before() {
        let mut counts = HashMap::new();
        let mut p = Presence::default();
        p.change("072001", at("2025-01"), 1, &mut counts);
        p.change("072001", at("2025-06"), 1, &mut counts);
        p.change("072002", at("2025-03"), 1, &mut counts);
        // At each desk on its own, and in the Ambito where March comes between.
        assert_eq!(previous_of(&counts, "072001", "2025-06", "2025-01"), 1);
        assert_eq!(previous_of(&counts, "072002", "2025-03", ""), 1);
        assert_eq!(previous_of(&counts, WHOLE, "2025-03", "2025-01"), 1);
        assert_eq!(previous_of(&counts, WHOLE, "2025-06", "2025-03"), 1);
        assert_eq!(previous_of(&counts, WHOLE, "2025-06", "2025-01"), 0);
        // A second access in a month changes nothing; its removal leaves the links as they were.
        p.change("072001", at("2025-06"), 1, &mut counts);
        p.change("072001", at("2025-06"), -1, &mut counts);
        assert_eq!(previous_of(&counts, "072001", "2025-06", "2025-01"), 1);
        p.change("072002", at("2025-03"), -1, &mut counts);
        assert_eq!(previous_of(&counts, WHOLE, "2025-06", "2025-01"), 1);
        assert_eq!(previous_of(&counts, WHOLE, "2025-03", "2025-01"), 0);
        // A span counts those of its months first seen in it: April–June holds one person.
        let span = Period::new(
            Month::parse("2025-04").unwrap(),
            Month::parse("2025-06").unwrap(),
        )
        .unwrap();
        let mut t = Tally::new(span, &[], WHOLE);
        for ((s, per, d, v), n) in &counts {
            if *n > 0 {
                t.add(s, per, d, v, n.unsigned_abs());
            }
        }
        assert_eq!(t.finish().totals.people, 1);
    }
}
