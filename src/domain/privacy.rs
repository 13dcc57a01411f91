//! Privacy by design: the notice text (versioned), consents for optional purposes, restriction of
//! processing (art. 18).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Optional purposes that need consent: code and label.
pub const CONSENT_PURPOSES: [(&str, &str); 2] = [
    (
        "reminders",
        "Promemoria degli appuntamenti via SMS o e-mail",
    ),
    (
        "third_sector",
        "Condivisione dei dati con gli enti del terzo settore dell'elenco servizi",
    ),
];

pub fn purpose_label(code: &str) -> &str {
    CONSENT_PURPOSES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A consent given for one purpose, and its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub purpose: String,
    pub given_on: NaiveDate,
    pub withdrawn_on: Option<NaiveDate>,
    pub recorded_by: String,
}

impl Consent {
    pub fn is_active(&self) -> bool {
        self.withdrawn_on.is_none()
    }
}

/// Restriction of processing (art. 18 GDPR): the record stays but nothing may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub since: NaiveDate,
    pub reason: String,
    pub by: String,
}

/// The message shown whenever a restricted record would be used.
pub const RESTRICTED: &str = "Il trattamento dei dati di questa persona è limitato (art. 18 GDPR): la scheda si può \
consultare, ma non modificare, inviare, esportare né usare per promemoria o nuovi accessi finché il \
responsabile non toglie la limitazione.";

/// One version of the privacy notice text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    pub version: u32,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub by: String,
}

/// The default notice, with `{comune}`, `{ambito}` and `{retention}` filled in.
pub fn default_notice(template: &str, comune: &str, ambito: &str, retention_years: u32) -> String {
    template
        .replace("{comune}", comune)
        .replace("{ambito}", ambito)
        .replace("{retention}", &retention_years.to_string())
}
