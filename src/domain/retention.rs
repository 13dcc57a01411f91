//! Retention: identified records past their term are proposed for discard (*proposta di scarto*)
//! and, once approved, anonymized — identifying data removed, statistical data kept.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::access::{Access, AnonymousProfile};
use super::person::Person;
use super::vocabulary::{age_band, citizenship_area};

/// Default term: identified records are kept this many years after the last access.
pub const DEFAULT_YEARS: u32 = 10;

/// Whether a person whose last activity was `last` is past the term at `now`.
pub fn is_due(last: DateTime<Utc>, now: DateTime<Utc>, years: u32) -> bool {
    now - last > Duration::days(i64::from(years) * 365 + i64::from(years / 4))
}

/// A saved proposal awaiting the responsabile's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub created_at: DateTime<Utc>,
    pub by: String,
    pub years: u32,
    pub persons: Vec<Uuid>,
    /// District: the received cases past the term (inbox referrals).
    #[serde(default)]
    pub cases: Vec<Uuid>,
}

/// Placeholder for removed names.
pub const ANONYMIZED: &str = "(anonimizzato)";

/// The person with every identifying field removed; sex, birth year, citizenship and comune of
/// residence stay for statistics.
pub fn anonymize_person(p: &Person, now: DateTime<Utc>) -> Person {
    let mut a = p.clone();
    a.codice_fiscale = None;
    a.temporary_code = None;
    a.surname = ANONYMIZED.into();
    a.given_names = String::new();
    a.birth_date = p
        .birth_date
        .and_then(|d| NaiveDate::from_ymd_opt(d.year(), 1, 1));
    a.birth_place = None;
    a.domicile_istat = None;
    a.phone = String::new();
    a.email = String::new();
    a.language = String::new();
    a.household = Vec::new();
    a.privacy_notice = None;
    a.consents = Vec::new();
    a.restriction = None;
    a.updated_at = now;
    a
}

/// What stands for an anonymized person in the statistics of her accesses, so that every table
/// counts the same before and after: nothing that leads back to her.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pseudonyms {
    /// The desk's count of distinct persons (a fresh value per person with a codice
    /// fiscale; the desk counted her by her record, which this does not name).
    pub desk: Option<String>,
    /// The Ambito's keyed hash of her codice fiscale, as in the bundles.
    pub district: Option<String>,
}

/// The access made anonymous: the person's statistical traits at the time (with her comune of
/// residence and her pseudonyms), free text removed.
pub fn anonymize_access(a: &Access, p: &Person, pseudonyms: &Pseudonyms) -> Access {
    let mut out = a.clone();
    out.person_id = None;
    out.anonymous = Some(AnonymousProfile {
        sex: p.sex,
        age_band: age_band(p.age_on(a.time.date_naive())).into(),
        citizenship_area: citizenship_area(p.citizenship.as_deref().unwrap_or("")).into(),
        comune: p.residence_istat.clone(),
        pseudonym: pseudonyms.desk.clone(),
        district_key: pseudonyms.district.clone(),
    });
    out.notes = String::new();
    out.reserved_notes = String::new();
    out.sending_service = String::new();
    out.interlocutor_name = String::new();
    out.interlocutor_relation = String::new();
    // Corrections keep earlier free text and who spoke: none of it survives either.
    out.history = Vec::new();
    for n in &mut out.needs {
        n.description = String::new();
    }
    for u in &mut out.unmet {
        u.note = String::new();
    }
    out.appointment_id = None;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_years_after_the_last_access() {
        let now = Utc::now();
        assert!(!is_due(now - Duration::days(9 * 365), now, 10));
        assert!(is_due(now - Duration::days(11 * 365), now, 10));
    }
}
