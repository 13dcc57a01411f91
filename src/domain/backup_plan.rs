//! Which nightly backups to keep: the last 7 days, one per week for 4 weeks, one per month for
//! 12 months (the newest of each week and month).

use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

/// File name of the backup of `date`.
pub fn file_name(date: NaiveDate) -> String {
    format!("sportello-{}.age", date.format("%Y-%m-%d"))
}

/// The date of a backup file name, if it is one of ours.
pub fn date_of(name: &str) -> Option<NaiveDate> {
    let d = name.strip_prefix("sportello-")?.strip_suffix(".age")?;
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// The dates to delete among `dates`, as seen on `today`.
pub fn to_delete(dates: &[NaiveDate], today: NaiveDate) -> Vec<NaiveDate> {
    let mut sorted: Vec<NaiveDate> = dates.to_vec();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    let mut keep: BTreeSet<NaiveDate> = BTreeSet::new();
    keep.extend(sorted.iter().take(7));
    let mut weeks = BTreeSet::new();
    let mut months = BTreeSet::new();
    for d in &sorted {
        let week = (d.iso_week().year(), d.iso_week().week());
        if weeks.len() < 4 && !weeks.contains(&week) && (today - *d).num_days() <= 35 {
            weeks.insert(week);
            keep.insert(*d);
        }
        let month = (d.year(), d.month());
        if months.len() < 12 && !months.contains(&month) && (today - *d).num_days() <= 370 {
            months.insert(month);
            keep.insert(*d);
        }
    }
    sorted.into_iter().filter(|d| !keep.contains(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_of_nightly_backups_thins_out_to_days_weeks_and_months() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let dates: Vec<NaiveDate> = (0..400)
            .map(|i| today - chrono::Duration::days(i))
            .collect();
        let gone = to_delete(&dates, today);
        let kept: Vec<NaiveDate> = dates
            .iter()
            .filter(|d| !gone.contains(d))
            .copied()
            .collect();
        // 7 daily; the newest of 4 weeks and of 12 months overlap some of them.
        assert!(kept.len() >= 12 && kept.len() <= 23, "{} kept", kept.len());
        assert!(kept.contains(&today) && kept.contains(&(today - chrono::Duration::days(6))));
        assert!(!kept.contains(&(today - chrono::Duration::days(399))));
        let months: BTreeSet<_> = kept.iter().map(|d| (d.year(), d.month())).collect();
        assert!(months.len() >= 12);
        assert_eq!(date_of(&file_name(today)), Some(today));
        assert_eq!(date_of("altro.age"), None);
    }
}
