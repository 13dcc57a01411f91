//! Which nightly backups to keep: the last 7 days, one per week for 4 weeks, one per month for
//! 12 months (the newest of each week and month).

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Timelike, Utc};
use std::collections::BTreeSet;

/// Local hour from which the nightly backup may run.
pub const NIGHTLY_FROM_HOUR: u32 = 1;
/// How long after a failed attempt the next one is made.
pub const RETRY_AFTER_MINUTES: i64 = 60;

/// The last backup attempt: when, and whether it succeeded.
#[derive(Debug, Clone, Copy)]
pub struct LastAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
}

/// Whether a backup should be attempted at `now`: once a day from 01:00, and after a failure
/// again every hour (at any hour) until one succeeds, so a missing USB stick costs an hour,
/// not a day.
pub fn attempt_due(now: DateTime<Local>, last: Option<LastAttempt>) -> bool {
    match last {
        Some(l) if !l.ok => {
            now.with_timezone(&Utc) - l.at >= Duration::minutes(RETRY_AFTER_MINUTES)
        }
        Some(l) if l.at.with_timezone(&Local).date_naive() == now.date_naive() => false,
        _ => now.hour() >= NIGHTLY_FROM_HOUR,
    }
}

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
    use chrono::TimeZone;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Local> {
        Local
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .expect("a local time")
    }

    #[test]
    fn a_failed_backup_is_retried_every_hour_until_one_succeeds() {
        let at = |t: DateTime<Local>, ok| {
            Some(LastAttempt {
                at: t.with_timezone(&Utc),
                ok,
            })
        };
        let failed_at = local(2026, 12, 2, 1, 1);
        // Not before an hour has passed...
        assert!(!attempt_due(
            local(2026, 12, 2, 1, 30),
            at(failed_at, false)
        ));
        // ...then again, and still the next hours while it keeps failing.
        assert!(attempt_due(local(2026, 12, 2, 2, 1), at(failed_at, false)));
        assert!(attempt_due(
            local(2026, 12, 2, 15, 0),
            at(local(2026, 12, 2, 13, 59), false)
        ));
        // Past midnight too: a failure at 23:30 is retried at 00:30.
        assert!(attempt_due(
            local(2026, 12, 3, 0, 30),
            at(local(2026, 12, 2, 23, 30), false)
        ));
        // Once one succeeded, nothing more that day; the next night from 01:00.
        let good = at(local(2026, 12, 2, 9, 0), true);
        assert!(!attempt_due(local(2026, 12, 2, 23, 0), good));
        assert!(!attempt_due(local(2026, 12, 3, 0, 30), good));
        assert!(attempt_due(local(2026, 12, 3, 1, 0), good));
        // Never tried: from 01:00.
        assert!(!attempt_due(local(2026, 12, 3, 0, 59), None));
        assert!(attempt_due(local(2026, 12, 3, 1, 0), None));
    }

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
