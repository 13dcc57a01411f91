//! The controlled vocabularies of the desk (channel, area, need category, outcome, …).
//! They are data with stable codes (assets/vocabularies), so statistics stay comparable.

use serde::{Deserialize, Serialize};

/// One term: a stable ASCII code and its Italian label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub code: String,
    pub label: String,
}

/// Which vocabulary a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Interlocutor,
    Reason,
    Area,
    Category,
    Outcome,
    Urgency,
    AgeBand,
    CitizenshipArea,
}

/// Every vocabulary, as served by `GET /api/v1/vocabularies`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocabularies {
    pub channel: Vec<Term>,
    pub interlocutor: Vec<Term>,
    pub reason: Vec<Term>,
    pub area: Vec<Term>,
    pub category: Vec<Term>,
    pub outcome: Vec<Term>,
    pub urgency: Vec<Term>,
    pub age_band: Vec<Term>,
    pub citizenship_area: Vec<Term>,
}

#[derive(Debug, thiserror::Error)]
#[error("vocabolari non leggibili: {0}")]
pub struct VocabularyError(String);

impl VocabularyError {
    pub fn missing(what: &str) -> Self {
        VocabularyError(format!("file {what} assente"))
    }
}

/// EU member states other than Italy, by Belfiore code (for the citizenship area).
const EU_STATES: [&str; 26] = [
    "Z102", "Z103", "Z104", "Z211", "Z149", "Z107", "Z144", "Z109", "Z110", "Z112", "Z115", "Z116",
    "Z145", "Z146", "Z120", "Z121", "Z126", "Z127", "Z128", "Z156", "Z129", "Z155", "Z150", "Z131",
    "Z132", "Z134",
];

/// Citizenship code for Italians; others are Belfiore state codes (Z…) or `APOLIDE`.
pub const ITALIAN: &str = "IT";
pub const STATELESS: &str = "APOLIDE";

/// The statistical citizenship area of a citizenship code.
pub fn citizenship_area(citizenship: &str) -> &'static str {
    match citizenship {
        ITALIAN => "italy",
        STATELESS => "stateless",
        c if EU_STATES.contains(&c) => "eu",
        c if c.starts_with('Z') => "non_eu",
        _ => "unknown",
    }
}

/// The age band of a person of `age` years.
pub fn age_band(age: Option<u32>) -> &'static str {
    match age {
        None => "unknown",
        Some(0..=17) => "0_17",
        Some(18..=24) => "18_24",
        Some(25..=34) => "25_34",
        Some(35..=44) => "35_44",
        Some(45..=54) => "45_54",
        Some(55..=64) => "55_64",
        Some(65..=74) => "65_74",
        Some(_) => "75_plus",
    }
}

/// A typical age within an age band, to match services' age limits for anonymous people.
pub fn age_of_band(band: &str) -> Option<u32> {
    match band {
        "0_17" => Some(10),
        "18_24" => Some(21),
        "25_34" => Some(30),
        "35_44" => Some(40),
        "45_54" => Some(50),
        "55_64" => Some(60),
        "65_74" => Some(70),
        "75_plus" => Some(80),
        _ => None,
    }
}

impl Vocabularies {
    pub fn from_json(text: &str) -> Result<Self, VocabularyError> {
        serde_json::from_str(text).map_err(|e| VocabularyError(e.to_string()))
    }

    pub fn terms(&self, kind: Kind) -> &[Term] {
        match kind {
            Kind::Channel => &self.channel,
            Kind::Interlocutor => &self.interlocutor,
            Kind::Reason => &self.reason,
            Kind::Area => &self.area,
            Kind::Category => &self.category,
            Kind::Outcome => &self.outcome,
            Kind::Urgency => &self.urgency,
            Kind::AgeBand => &self.age_band,
            Kind::CitizenshipArea => &self.citizenship_area,
        }
    }

    pub fn contains(&self, kind: Kind, code: &str) -> bool {
        self.terms(kind).iter().any(|t| t.code == code)
    }

    /// The label of a code, or the code itself when unknown (old data stays readable).
    pub fn label<'a>(&'a self, kind: Kind, code: &'a str) -> &'a str {
        self.terms(kind)
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| t.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_codes_exist_in_the_shipped_vocabularies() {
        let v = crate::assets::vocabularies().unwrap();
        assert_eq!(v.channel.len(), 6);
        assert_eq!(v.category.len(), 15);
        assert_eq!(v.label(Kind::Area, "elderly"), "Anziani (65 anni e più)");
        for c in [ITALIAN, STATELESS, "Z129", "Z330", "?"] {
            assert!(v.contains(Kind::CitizenshipArea, citizenship_area(c)));
        }
        assert_eq!(citizenship_area("Z129"), "eu");
        assert_eq!(citizenship_area("Z330"), "non_eu");
        for age in [
            None,
            Some(0),
            Some(17),
            Some(18),
            Some(64),
            Some(65),
            Some(101),
        ] {
            assert!(v.contains(Kind::AgeBand, age_band(age)));
        }
    }
}
