//! The service directory (modelled on Open Referral HSDS 3.0): organizations, services, their
//! locations and opening hours; and the rules that rank services for a need.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::person::Sex;
pub use super::suggestion::{suggest, NeedProfile, Suggestion};
use super::text::fold;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub email: String,
    pub website: String,
    pub phones: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Active,
    Inactive,
    TemporarilyClosed,
}

impl ServiceStatus {
    pub fn label(self) -> &'static str {
        match self {
            ServiceStatus::Active => "Attivo",
            ServiceStatus::Inactive => "Non attivo",
            ServiceStatus::TemporarilyClosed => "Temporaneamente chiuso",
        }
    }

    /// The HSDS 3.0 `status` value.
    pub fn hsds(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::TemporarilyClosed => "temporarily closed",
        }
    }

    pub fn from_hsds(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ServiceStatus::Active),
            "inactive" | "defunct" => Some(ServiceStatus::Inactive),
            "temporarily closed" => Some(ServiceStatus::TemporarilyClosed),
            _ => None,
        }
    }
}

/// A place where a service is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    /// ISTAT code of the comune.
    pub comune_istat: String,
    pub accessibility: String,
    /// How to get there, in words (no map).
    pub transportation: String,
    pub phones: Vec<String>,
    /// Shelters and anti-violence centres: the address is never printed or shown to citizens.
    pub confidential: bool,
}

impl Location {
    /// "Piazza Vittorio Veneto 46, 70019 Triggiano (BA)".
    pub fn full_address(&self) -> String {
        let mut s = self.address.clone();
        if !self.city.is_empty() {
            s.push_str(&format!(", {} {}", self.postal_code, self.city).replace("  ", " "));
            if !self.province.is_empty() {
                s.push_str(&format!(" ({})", self.province));
            }
        }
        s
    }
}

/// One weekly opening slot (weekday 1 = Monday … 7 = Sunday).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub weekday: u8,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// Days the service is closed despite its weekly hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub description: String,
    /// Area codes (vocabulary `area`) and need categories (vocabulary `category`) served.
    pub areas: Vec<String>,
    pub categories: Vec<String>,
    pub eligibility: String,
    pub min_age: Option<u32>,
    pub max_age: Option<u32>,
    pub required_documents: Vec<String>,
    pub application_process: String,
    pub fees: String,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub status: ServiceStatus,
    pub verified_on: Option<NaiveDate>,
    /// A short-term notice ("chiuso per lavori fino al…").
    pub alert: String,
    pub url: String,
    pub email: String,
    pub phones: Vec<String>,
    /// ISTAT codes of the comuni served (empty: everyone).
    pub comuni_served: Vec<String>,
    /// Only for women (F) or only for men (M); none: for both.
    #[serde(default)]
    pub for_sex: Option<Sex>,
    /// Only for persons without a home (night shelters, street units).
    #[serde(default)]
    pub homeless_only: bool,
    pub locations: Vec<Location>,
    pub hours: Vec<Slot>,
    pub closures: Vec<Closure>,
    /// Loaded from the example directory.
    pub example: bool,
    pub updated_at: DateTime<Utc>,
}

/// Entries not verified for this long are flagged.
pub const VERIFY_EVERY_DAYS: i64 = 365;

pub use super::when::WEEKDAYS as WEEKDAY_NAMES;

impl Service {
    pub fn needs_verification(&self, today: NaiveDate) -> bool {
        self.verified_on
            .is_none_or(|d| today - d > Duration::days(VERIFY_EVERY_DAYS))
    }

    pub fn is_closed_on(&self, date: NaiveDate) -> bool {
        self.closures.iter().any(|c| c.from <= date && date <= c.to)
    }

    /// Whether the service is open at this local moment.
    pub fn open_at(&self, at: NaiveDateTime) -> bool {
        let wd = at.weekday().number_from_monday() as u8;
        !self.is_closed_on(at.date())
            && self
                .hours
                .iter()
                .any(|s| s.weekday == wd && s.opens <= at.time() && at.time() < s.closes)
    }

    /// The next opening after `from` within two weeks (local time).
    pub fn next_opening(&self, from: NaiveDateTime) -> Option<NaiveDateTime> {
        (0..14).find_map(|d| {
            let day = from.date() + Duration::days(d);
            if self.is_closed_on(day) {
                return None;
            }
            let wd = day.weekday().number_from_monday() as u8;
            let mut slots: Vec<&Slot> = self.hours.iter().filter(|s| s.weekday == wd).collect();
            slots.sort_by_key(|s| s.opens);
            slots
                .into_iter()
                .map(|s| day.and_time(s.opens))
                .find(|t| *t >= from || (d == 0 && self.open_at(from)))
        })
    }

    /// Weekly hours as lines: "lunedì 09:00–12:00, 15:00–17:00".
    pub fn hours_lines(&self) -> Vec<String> {
        Self::hours_text(&self.hours)
    }

    /// Lines for any set of slots.
    pub fn hours_text(hours: &[Slot]) -> Vec<String> {
        Self::hours_text_in(hours, &WEEKDAY_NAMES)
    }

    /// Weekly hours with the weekday names of another language (Monday first).
    pub fn hours_lines_in(&self, names: &[&str; 7]) -> Vec<String> {
        Self::hours_text_in(&self.hours, names)
    }

    fn hours_text_in(hours: &[Slot], names: &[&str; 7]) -> Vec<String> {
        (1..=7u8)
            .filter_map(|wd| {
                let mut slots: Vec<&Slot> = hours.iter().filter(|s| s.weekday == wd).collect();
                if slots.is_empty() {
                    return None;
                }
                slots.sort_by_key(|s| s.opens);
                let times: Vec<String> = slots
                    .iter()
                    .map(|s| format!("{}–{}", s.opens.format("%H:%M"), s.closes.format("%H:%M")))
                    .collect();
                Some(format!(
                    "{} {}",
                    names[usize::from(wd - 1)],
                    times.join(", ")
                ))
            })
            .collect()
    }

    /// Words a search looks in.
    pub fn search_text(&self, organization: &str) -> String {
        fold(&format!(
            "{} {} {} {}",
            self.name, self.description, organization, self.eligibility
        ))
    }
}

pub fn weekday_of(code: &str) -> Option<u8> {
    match code {
        "MO" => Some(1),
        "TU" => Some(2),
        "WE" => Some(3),
        "TH" => Some(4),
        "FR" => Some(5),
        "SA" => Some(6),
        "SU" => Some(7),
        _ => None,
    }
}

pub fn weekday_code(wd: u8) -> &'static str {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][usize::from(wd.clamp(1, 7) - 1)]
}

pub fn weekday(wd: u8) -> Weekday {
    match wd {
        1 => Weekday::Mon,
        2 => Weekday::Tue,
        3 => Weekday::Wed,
        4 => Weekday::Thu,
        5 => Weekday::Fri,
        6 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// Why a need found no service (for the gaps evidence of the Piano di Zona).
pub const UNMET_REASONS: [(&str, &str); 4] = [
    ("no_service", "Nessun servizio adatto nel territorio"),
    ("full", "Servizio esistente ma senza posti"),
    ("not_eligible", "La persona non ha i requisiti"),
    ("waiting_list", "In lista d'attesa"),
];

pub fn unmet_reason_label(code: &str) -> &str {
    UNMET_REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn service(categories: &[&str], areas: &[&str]) -> Service {
        Service {
            id: Uuid::now_v7(),
            organization_id: Uuid::now_v7(),
            name: "SAD".into(),
            description: String::new(),
            areas: areas.iter().map(|s| s.to_string()).collect(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            eligibility: String::new(),
            min_age: Some(65),
            max_age: None,
            required_documents: vec![],
            application_process: String::new(),
            fees: String::new(),
            languages: vec!["it".into()],
            status: ServiceStatus::Active,
            verified_on: NaiveDate::from_ymd_opt(2026, 9, 1),
            alert: String::new(),
            url: String::new(),
            email: String::new(),
            phones: vec![],
            comuni_served: vec!["072046".into()],
            for_sex: None,
            homeless_only: false,
            locations: vec![],
            hours: vec![Slot {
                weekday: 1,
                opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                closes: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            }],
            closures: vec![Closure {
                from: NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
                to: NaiveDate::from_ymd_opt(2026, 12, 21).unwrap(),
                note: "chiuso".into(),
            }],
            example: false,
            updated_at: Utc::now(),
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn hours_closures_and_next_opening() {
        let s = service(&["home_care"], &["elderly"]);
        // 2026-11-23 is a Monday.
        assert!(s.open_at(at("2026-11-23 10:00")));
        assert!(!s.open_at(at("2026-11-23 12:00")));
        assert_eq!(
            s.next_opening(at("2026-11-23 13:00")),
            Some(at("2026-11-30 09:00"))
        );
        assert!(!s.open_at(at("2026-12-21 10:00")), "closure");
        assert_eq!(
            s.next_opening(at("2026-12-20 10:00")),
            Some(at("2026-12-28 09:00"))
        );
        assert_eq!(s.hours_lines(), vec!["lunedì 09:00–12:00"]);
        assert!(!s.needs_verification(NaiveDate::from_ymd_opt(2027, 8, 1).unwrap()));
        assert!(s.needs_verification(NaiveDate::from_ymd_opt(2027, 9, 2).unwrap()));
    }
}
