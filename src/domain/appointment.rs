//! Appointments of citizens with a desk worker: their outcome, their changes, and the slot
//! warnings a booking is confirmed past (the same worker busy, a Sunday, a public holiday).

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: Uuid,
    pub person_id: Uuid,
    pub access_id: Option<Uuid>,
    pub operator_id: Uuid,
    pub operator_name: String,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub place: String,
    pub purpose: String,
    pub cancelled: bool,
    pub created_at: DateTime<Utc>,
    /// Why it was cancelled (asked when cancelling).
    #[serde(default)]
    pub cancel_reason: String,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Every change since it was booked, oldest first.
    #[serde(default)]
    pub history: Vec<AppointmentChange>,
}

/// How an appointment went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Svolto.
    Held,
    /// Non presentato.
    Missed,
    /// Rinviato.
    Postponed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Held, Outcome::Missed, Outcome::Postponed];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Held => "held",
            Outcome::Missed => "missed",
            Outcome::Postponed => "postponed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Held => "Svolto",
            Outcome::Missed => "Non presentato",
            Outcome::Postponed => "Rinviato",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code.trim())
    }
}

/// One change of an appointment: who, when, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentChange {
    pub at: DateTime<Utc>,
    pub by: String,
    pub by_name: String,
    /// In words: «Annullato: …», «Spostato dal … al …», «Esito: svolto».
    pub what: String,
}

/// Default length of an appointment, in minutes.
pub const DEFAULT_MINUTES: u32 = 30;

/// Longest appointment, in minutes (also how far back a booking looks for overlaps).
pub const MAX_MINUTES: u32 = 480;

/// Whether two slots share any minute.
pub fn overlaps(a: DateTime<Utc>, a_min: u32, b: DateTime<Utc>, b_min: u32) -> bool {
    a < b + Duration::minutes(i64::from(b_min)) && b < a + Duration::minutes(i64::from(a_min))
}

/// Easter Sunday of `year` (Gregorian computus, Meeus/Jones/Butcher).
fn easter(year: i32) -> Option<NaiveDate> {
    let (a, b, c) = (year % 19, year / 100, year % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The national public holiday on `date`, if any (the comune's patron saint is not known here).
pub fn holiday(date: NaiveDate) -> Option<&'static str> {
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some("Capodanno"),
        (1, 6) => Some("Epifania"),
        (4, 25) => Some("Festa della Liberazione"),
        (5, 1) => Some("Festa del Lavoro"),
        (6, 2) => Some("Festa della Repubblica"),
        (8, 15) => Some("Ferragosto"),
        (11, 1) => Some("Ognissanti"),
        (12, 8) => Some("Immacolata Concezione"),
        (12, 25) => Some("Natale"),
        (12, 26) => Some("Santo Stefano"),
        _ => None,
    };
    fixed.or_else(|| {
        let easter = easter(date.year())?;
        (date == easter + Duration::days(1)).then_some("Lunedì dell'Angelo")
    })
}

/// What to confirm before booking `start` for `minutes` with a worker whose other appointments
/// (of the same worker, any state) are `others`: overlaps with those not cancelled, a Sunday,
/// a public holiday. Times are read in local time.
pub fn slot_warnings(
    start: DateTime<Utc>,
    minutes: u32,
    operator_name: &str,
    others: &[Appointment],
) -> Vec<String> {
    let mut out = Vec::new();
    let local = start.with_timezone(&Local);
    if local.weekday() == Weekday::Sun {
        out.push("È domenica: lo sportello di solito è chiuso.".to_string());
    }
    if let Some(name) = holiday(local.date_naive()) {
        out.push(format!(
            "Il {} è festivo ({name}): lo sportello di solito è chiuso.",
            local.format("%d/%m/%Y")
        ));
    }
    for o in others
        .iter()
        .filter(|o| !o.cancelled && overlaps(start, minutes, o.start, o.duration_minutes))
    {
        out.push(format!(
            "{operator_name} ha già un appuntamento alle {} ({} minuti): gli orari si sovrappongono.",
            o.start.with_timezone(&Local).format("%H:%M"),
            o.duration_minutes
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn appointment(start: &str, minutes: u32) -> Appointment {
        Appointment {
            id: Uuid::now_v7(),
            person_id: Uuid::now_v7(),
            access_id: None,
            operator_id: Uuid::now_v7(),
            operator_name: "Anna".into(),
            start: at(start),
            duration_minutes: minutes,
            place: String::new(),
            purpose: String::new(),
            cancelled: false,
            created_at: Utc::now(),
            cancel_reason: String::new(),
            outcome: None,
            history: vec![],
        }
    }

    #[test]
    fn holidays_include_easter_monday() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(holiday(d(2026, 4, 6)), Some("Lunedì dell'Angelo"));
        assert_eq!(holiday(d(2027, 3, 29)), Some("Lunedì dell'Angelo"));
        assert_eq!(holiday(d(2026, 6, 2)), Some("Festa della Repubblica"));
        assert_eq!(holiday(d(2026, 4, 7)), None);
    }

    #[test]
    fn overlaps_sundays_and_cancelled_slots() {
        // Wednesday 2 December 2026, midday UTC: a working day in Italy.
        let others = [appointment("2026-12-02T11:45:00Z", 30)];
        let w = slot_warnings(at("2026-12-02T12:00:00Z"), 30, "Anna", &others);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("Anna ha già un appuntamento"));
        // Back to back is not an overlap.
        assert!(slot_warnings(at("2026-12-02T12:15:00Z"), 30, "Anna", &others).is_empty());
        let mut cancelled = others.clone();
        cancelled[0].cancelled = true;
        assert!(slot_warnings(at("2026-12-02T12:00:00Z"), 30, "Anna", &cancelled).is_empty());
        // Sunday 6 December 2026.
        let sunday = slot_warnings(at("2026-12-06T10:00:00Z"), 30, "Anna", &[]);
        assert!(sunday[0].starts_with("È domenica"));
        // Tuesday 8 December 2026: Immacolata.
        let holiday = slot_warnings(at("2026-12-08T10:00:00Z"), 30, "Anna", &[]);
        assert!(holiday[0].contains("Immacolata"), "{holiday:?}");
    }

    #[test]
    fn outcome_codes_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        assert_eq!(Outcome::from_code("boh"), None);
    }
}
