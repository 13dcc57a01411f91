//! The months a report covers: any span `from`–`to` of whole months, and the same span a year
//! earlier to compare with.

use super::MONTHS;

/// One month of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 = January.
    pub month: u32,
}

/// The longest span a report covers (ten years): beyond it a table per month is unreadable.
pub const MAX_MONTHS: usize = 120;

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=2100).contains(&year))
            .then_some(Month { year, month })
    }

    /// `YYYY-MM`, as the records and the counters name a month.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// A running number of months, so that spans are subtractions.
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn from_index(i: i32) -> Month {
        Month {
            year: i.div_euclid(12),
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn plus(self, months: i32) -> Month {
        Month::from_index(self.index() + months)
    }

    /// `YYYY-MM`.
    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "marzo 2026".
    pub fn label(self) -> String {
        format!("{} {}", self.name(), self.year)
    }

    /// "marzo".
    pub fn name(self) -> &'static str {
        MONTHS[(self.month - 1) as usize]
    }

    /// "mar" (for the axis of a chart).
    pub fn short(self) -> &'static str {
        &MONTHS[(self.month - 1) as usize][..3]
    }
}

/// A span of whole months, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Month,
    pub to: Month,
}

/// Why a span asked for is not one a report can cover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Il mese di inizio viene dopo quello di fine.")]
    Reversed,
    #[error("Il periodo è al massimo di 10 anni.")]
    TooLong,
}

impl Period {
    pub fn new(from: Month, to: Month) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError::Reversed);
        }
        let p = Period { from, to };
        if p.len() > MAX_MONTHS {
            return Err(PeriodError::TooLong);
        }
        Ok(p)
    }

    /// January to December of `year`.
    pub fn year(year: i32) -> Period {
        Period {
            from: Month { year, month: 1 },
            to: Month { year, month: 12 },
        }
    }

    /// Number of months.
    pub fn len(self) -> usize {
        (self.to.index() - self.from.index() + 1) as usize
    }

    pub fn is_empty(self) -> bool {
        false
    }

    pub fn months(self) -> impl Iterator<Item = Month> {
        (self.from.index()..=self.to.index()).map(Month::from_index)
    }

    /// The position of `m` among the months of the span.
    pub fn position(self, m: Month) -> Option<usize> {
        (self.from <= m && m <= self.to).then(|| (m.index() - self.from.index()) as usize)
    }

    /// The same months a year earlier.
    pub fn a_year_earlier(self) -> Period {
        Period {
            from: self.from.plus(-12),
            to: self.to.plus(-12),
        }
    }

    /// The year, when the span is exactly one calendar year.
    pub fn calendar_year(self) -> Option<i32> {
        (self.from.month == 1 && self.to.month == 12 && self.from.year == self.to.year)
            .then_some(self.from.year)
    }

    /// "anno 2026", "marzo 2026", "gennaio–giugno 2026", "luglio 2025 – giugno 2026".
    pub fn label(self) -> String {
        if let Some(y) = self.calendar_year() {
            return format!("anno {y}");
        }
        if self.from == self.to {
            return self.from.label();
        }
        if self.from.year == self.to.year {
            return format!("{}–{} {}", self.from.name(), self.to.name(), self.to.year);
        }
        format!("{} – {}", self.from.label(), self.to.label())
    }

    /// For file names: `2026` for a calendar year, else `2025-07_2026-06`.
    pub fn slug(self) -> String {
        match self.calendar_year() {
            Some(y) => format!("{y:04}"),
            None => format!("{}_{}", self.from.key(), self.to.key()),
        }
    }
}

/// The change from `before` to `now` in percent, when there was something before.
pub fn growth(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| (now as f64 - before as f64) * 100.0 / before as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn spans_count_months_across_years() {
        let p = Period::new(m("2025-11"), m("2026-02")).unwrap();
        assert_eq!(p.len(), 4);
        let keys: Vec<String> = p.months().map(Month::key).collect();
        assert_eq!(keys, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(p.position(m("2026-01")), Some(2));
        assert_eq!(p.position(m("2026-03")), None);
        assert_eq!(
            p.a_year_earlier(),
            Period::new(m("2024-11"), m("2025-02")).unwrap()
        );
        assert_eq!(p.label(), "novembre 2025 – febbraio 2026");
        assert_eq!(Period::year(2026).label(), "anno 2026");
        assert_eq!(Period::year(2026).calendar_year(), Some(2026));
        assert_eq!(p.calendar_year(), None);
        assert_eq!(
            Period::new(m("2026-03"), m("2026-01")),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::new(m("2010-01"), m("2026-01")),
            Err(PeriodError::TooLong)
        );
        assert!(Month::parse("2026-13").is_none() && Month::parse("26-01").is_none());
    }

    #[test]
    fn growth_is_against_the_year_before() {
        // Seed 000: +20 % between two years.
        assert_eq!(growth(1_200, 1_000), Some(20.0));
        assert_eq!(growth(900, 1_200), Some(-25.0));
        assert_eq!(growth(5, 0), None);
    }
}
