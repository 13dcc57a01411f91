//! Dates, times and codes as people read them (local time, Italian formats).

use chrono::{DateTime, Local, NaiveDate, Utc};

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub fn local_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d/%m/%Y").to_string()
}

pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%H:%M").to_string()
}

pub fn local_datetime(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%d/%m/%Y %H:%M").to_string()
}

/// Italian weekday names, Monday first.
pub use crate::domain::when::WEEKDAYS;

/// "lunedì 23/11/2026".
pub fn day_heading(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!(
        "{} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        date(d)
    )
}

/// "1 accesso", "3 accessi".
pub use crate::domain::text::count;

pub use crate::domain::text::{percent, thousands};

pub use crate::domain::text::signed_percent as growth;

#[cfg(test)]
mod thousands_tests {
    #[test]
    fn italian_separators_and_signs() {
        assert_eq!(super::thousands(4613), "4.613");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_234_567), "1.234.567");
        assert_eq!(super::growth(Some(20.0)), "+20,0\u{a0}%");
        assert_eq!(super::growth(Some(-3.45)), "−3,5\u{a0}%");
        assert_eq!(super::growth(None), "–");
    }
}
