//! Maintained aggregates: what one statistical record adds to the counters and to the sets of
//! distinct persons, so that a view of `/statistiche` reads a few hundred counters instead of
//! every record. Pure: the store applies a [`Delta`] in the same write transaction as the change
//! that caused it, and `sportello stats rebuild` recounts from the records.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{period_of, Dimension, Summary, Table};
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

/// The key of a person's presence in a year: the year, then 8 bytes of a hash of the person key
/// (a collision among a million people is about one in thirty million).
pub fn presence_key(year: i32, person_key: &str) -> [u8; 10] {
    let mut out = [0u8; 10];
    out[..2].copy_from_slice(&(year.clamp(0, u16::MAX as i32) as u16).to_be_bytes());
    out[2..].copy_from_slice(&Sha256::digest(person_key.as_bytes())[..8]);
    out
}

pub fn year_of_presence_key(key: &[u8]) -> i32 {
    key.get(..2)
        .map_or(0, |b| i32::from(u16::from_be_bytes([b[0], b[1]])))
}

/// How many accesses a person had in one year, per scope and month: what tells when they start
/// or stop counting among the distinct persons of a month, a year, a desk and the Ambito.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence(pub Vec<(String, [u32; 12])>);

impl Presence {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn month_total(&self, m: usize) -> u32 {
        self.0.iter().map(|(_, c)| c[m]).sum()
    }

    fn year_total(&self) -> u32 {
        self.0.iter().map(|(_, c)| c.iter().sum::<u32>()).sum()
    }

    fn of(&self, scope: &str) -> Option<&[u32; 12]> {
        self.0.iter().find(|(s, _)| s == scope).map(|(_, c)| c)
    }

    /// Adds (`sign` 1) or removes (-1) one access of this person in `scope` and month `m`, and
    /// adds to `counts` the changes of distinct persons that follow.
    pub fn change(
        &mut self,
        year: i32,
        scope: &str,
        m: usize,
        sign: i64,
        counts: &mut HashMap<CountKey, i64>,
    ) {
        let before = (
            self.of(scope).map_or(0, |c| c[m]),
            self.of(scope).map_or(0, |c| c.iter().sum::<u32>()),
            self.month_total(m),
            self.year_total(),
        );
        let i = match self.0.iter().position(|(s, _)| s == scope) {
            Some(i) => i,
            None => {
                self.0.push((scope.to_string(), [0; 12]));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[i].1[m];
        *slot = if sign > 0 {
            slot.saturating_add(1)
        } else {
            slot.saturating_sub(1)
        };
        if self.0[i].1.iter().all(|&c| c == 0) {
            self.0.remove(i);
        }
        let after = (
            self.of(scope).map_or(0, |c| c[m]),
            self.of(scope).map_or(0, |c| c.iter().sum::<u32>()),
            self.month_total(m),
            self.year_total(),
        );
        let month = format!("{year:04}-{:02}", m + 1);
        let year_s = format!("{year:04}");
        let mut step = |scope: &str, period: &str, b: u32, a: u32| {
            let d = i64::from(a > 0) - i64::from(b > 0);
            if d != 0 {
                *counts
                    .entry((scope.into(), period.into(), PEOPLE.into(), String::new()))
                    .or_default() += d;
            }
        };
        step(scope, &month, before.0, after.0);
        step(scope, &year_s, before.1, after.1);
        // At the desk the scope is the whole installation already.
        if !scope.is_empty() {
            step(WHOLE, &month, before.2, after.2);
            step(WHOLE, &year_s, before.3, after.3);
        }
    }
}

/// What a set of record changes does to the aggregates, before it is applied.
#[derive(Debug, Default)]
pub struct Delta {
    pub counts: HashMap<CountKey, i64>,
    /// Per person and year: (scope, month index, +1 or -1), in order.
    pub presence: HashMap<[u8; 10], Vec<(String, usize, i64)>>,
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
        let Some((year, m)) = period_of(&r.month) else {
            return;
        };
        self.records += 1;
        let scope = scope_of(r);
        let month = format!("{year:04}-{:02}", m + 1);
        let mut bump = |dim: &str, value: &str| {
            *self
                .counts
                .entry((scope.into(), month.clone(), dim.into(), value.into()))
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
            self.presence
                .entry(presence_key(year, k))
                .or_default()
                .push((scope.to_string(), m, sign));
        }
    }
}

/// Builds the summary of a year from its counters.
pub struct Tally {
    year: i32,
    year_s: String,
    dimensions: Vec<Dimension>,
    people_scope: String,
    accesses: u64,
    people: u64,
    unidentified: u64,
    referred: u64,
    by_month: [usize; 12],
    people_by_month: [usize; 12],
    counts: Vec<HashMap<String, u64>>,
}

impl Tally {
    /// `people_scope` holds the distinct persons of what is summed: the desk's scope, or
    /// [`WHOLE`] for the whole Ambito.
    pub fn new(year: i32, dimensions: &[Dimension], people_scope: &str) -> Tally {
        Tally {
            year,
            year_s: format!("{year:04}"),
            dimensions: dimensions.to_vec(),
            people_scope: people_scope.to_string(),
            accesses: 0,
            people: 0,
            unidentified: 0,
            referred: 0,
            by_month: [0; 12],
            people_by_month: [0; 12],
            counts: vec![HashMap::new(); dimensions.len()],
        }
    }

    /// One counter of `year` (rows of other years are ignored).
    pub fn add(&mut self, scope: &str, period: &str, dim: &str, value: &str, n: u64) {
        if !period.starts_with(&self.year_s) {
            return;
        }
        if dim == PEOPLE {
            if scope != self.people_scope {
                return;
            }
            if period == self.year_s {
                self.people += n;
            } else if let Some((_, m)) = period_of(period) {
                self.people_by_month[m] += n as usize;
            }
            return;
        }
        if scope == WHOLE {
            return;
        }
        if dim == TOTAL {
            match value {
                ACCESSES => {
                    self.accesses += n;
                    if let Some((_, m)) = period_of(period) {
                        self.by_month[m] += n as usize;
                    }
                    if let Some(i) = self.dimensions.iter().position(|d| *d == Dimension::Desk) {
                        let code = if scope.is_empty() { "unknown" } else { scope };
                        *self.counts[i].entry(code.to_string()).or_default() += n;
                    }
                }
                UNIDENTIFIED => self.unidentified += n,
                REFERRED => self.referred += n,
                _ => {}
            }
            return;
        }
        if let Some(i) = self.dimensions.iter().position(|d| d.code() == dim) {
            *self.counts[i].entry(value.to_string()).or_default() += n;
        }
    }

    pub fn finish(self) -> Summary {
        let tables = self
            .dimensions
            .iter()
            .zip(self.counts)
            .map(|(&dimension, counts)| Table::sorted(dimension, counts.into_iter()))
            .collect();
        Summary {
            year: self.year,
            accesses: self.accesses as usize,
            people: self.people as usize,
            unidentified: self.unidentified as usize,
            referred: self.referred as usize,
            by_month: self.by_month,
            people_by_month: self.people_by_month,
            tables,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_counts_once_per_month_year_desk_and_ambito() {
        let mut counts = HashMap::new();
        let mut p = Presence::default();
        p.change(2026, "072001", 0, 1, &mut counts);
        p.change(2026, "072001", 0, 1, &mut counts);
        p.change(2026, "072002", 3, 1, &mut counts);
        let get = |c: &HashMap<CountKey, i64>, s: &str, per: &str| {
            c.get(&(s.into(), per.into(), PEOPLE.into(), String::new()))
                .copied()
                .unwrap_or(0)
        };
        assert_eq!(get(&counts, "072001", "2026-01"), 1);
        assert_eq!(get(&counts, "072001", "2026"), 1);
        assert_eq!(get(&counts, "072002", "2026-04"), 1);
        assert_eq!(get(&counts, WHOLE, "2026"), 1);
        assert_eq!(get(&counts, WHOLE, "2026-01"), 1);
        // One of two January accesses goes: still counted; the second goes: no longer.
        p.change(2026, "072001", 0, -1, &mut counts);
        assert_eq!(get(&counts, "072001", "2026-01"), 1);
        p.change(2026, "072001", 0, -1, &mut counts);
        assert_eq!(get(&counts, "072001", "2026-01"), 0);
        assert_eq!(get(&counts, "072001", "2026"), 0);
        assert_eq!(get(&counts, WHOLE, "2026"), 1);
        p.change(2026, "072002", 3, -1, &mut counts);
        assert!(p.is_empty());
        assert!(counts.values().all(|&v| v == 0));
    }

    #[test]
    fn presence_keys_sort_by_year() {
        let a = presence_key(2025, "zzz");
        let b = presence_key(2026, "aaa");
        assert!(a < b);
        assert_eq!(year_of_presence_key(&b), 2026);
    }
}
