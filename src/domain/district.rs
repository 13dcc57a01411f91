//! What travels from a desk to its district and what the district keeps of it: statistical access
//! records, referrals with the person data the professional service needs, and the import log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::access::Need;
use super::person::{NoticeGiven, Sex};
use super::referral::{ReferralStatus, StatusChange};

/// A statistical record of an access: no name, no code, no free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRecord {
    pub id: Uuid,
    pub month: String,
    pub channel: String,
    pub interlocutor: String,
    pub reason: String,
    /// (area, category, urgency) codes of each need.
    pub needs: Vec<(String, String, String)>,
    pub outcomes: Vec<String>,
    pub sex: Option<String>,
    pub age_band: String,
    pub citizenship_area: String,
    pub comune: Option<String>,
    /// Keyed hash of the codice fiscale (shared per Ambito), when the person has one.
    pub person_key: Option<String>,
    pub referred: bool,
    /// District: the ISTAT code of the desk that sent the record, set on import from the enrolled
    /// sender (not from the file's contents). Absent in bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<String>,
    /// Directory services chosen for the person (ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Needs no service could meet: (need category, reason, service id or "").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<(String, String, String)>,
    /// Complaints: the service each is about (its id, or "" when not named).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complaints: Vec<String>,
}

impl AccessRecord {
    /// The statistical record of an access: the profile comes from the anonymous access or from
    /// the person's data on the day of the access; `person_key` identifies the person without
    /// naming them (a keyed hash of the codice fiscale towards the district, the record id at
    /// the desk itself).
    pub fn of(
        access: super::access::Access,
        person: Option<&super::person::Person>,
        person_key: Option<String>,
        referred: bool,
    ) -> AccessRecord {
        use super::vocabulary::{age_band, citizenship_area};
        let (sex, band, area) = match (&access.anonymous, person) {
            (Some(anon), _) => (
                anon.sex.map(|s| s.code().to_string()),
                anon.age_band.clone(),
                anon.citizenship_area.clone(),
            ),
            (None, Some(p)) => (
                p.sex.map(|s| s.code().to_string()),
                age_band(p.age_on(access.time.date_naive())).to_string(),
                citizenship_area(p.citizenship.as_deref().unwrap_or("")).to_string(),
            ),
            _ => (None, "unknown".into(), "unknown".into()),
        };
        let unmet = access
            .unmet
            .iter()
            .filter_map(|u| {
                let n = access.needs.get(u.need)?;
                let service = u.service.map(|s| s.to_string()).unwrap_or_default();
                Some((n.category.clone(), u.reason.clone(), service))
            })
            .collect();
        let complaints = access
            .needs
            .iter()
            .filter(|n| n.category == super::access::COMPLAINT)
            .map(|n| n.service.map(|s| s.to_string()).unwrap_or_default())
            .collect();
        AccessRecord {
            id: access.id,
            services: access.services.iter().map(Uuid::to_string).collect(),
            unmet,
            complaints,
            // The month as lived at the desk (Italian time), not UTC.
            month: access
                .time
                .with_timezone(&chrono::Local)
                .format("%Y-%m")
                .to_string(),
            channel: access.channel,
            interlocutor: access.interlocutor,
            reason: access.reason,
            needs: access
                .needs
                .into_iter()
                .map(|n| (n.area, n.category, n.urgency))
                .collect(),
            outcomes: access.outcomes,
            sex,
            age_band: band,
            citizenship_area: area,
            comune: match (&access.anonymous, person) {
                (Some(anon), _) => anon.comune.clone(),
                (None, p) => p.and_then(|p| p.residence_istat.clone()),
            },
            person_key,
            referred,
            desk: None,
        }
    }
}

impl AccessRecord {
    /// The desk's own statistical record of an access, as its statistics count it: none for a
    /// person whose processing is restricted (art. 18), as in the bundles; a person counts as
    /// identified when they have a codice fiscale, as at the district, and is keyed by their
    /// record id (which never leaves this PC).
    pub fn at_desk(
        access: super::access::Access,
        person: Option<&super::person::Person>,
        referred: bool,
    ) -> Option<AccessRecord> {
        if person.is_some_and(|p| p.is_restricted()) {
            return None;
        }
        let key = match &access.anonymous {
            // Anonymized by retention: the pseudonym that stands for the person.
            Some(anon) => anon.pseudonym.clone(),
            None => person
                .filter(|p| p.codice_fiscale.is_some())
                .map(|p| p.id.simple().to_string()),
        };
        Some(AccessRecord::of(access, person, key, referred))
    }
}

/// The referral as the desk sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentReferral {
    pub id: Uuid,
    pub access_id: Uuid,
    pub reason: String,
    pub urgency: String,
    pub status: ReferralStatus,
    pub history: Vec<StatusChange>,
    pub created_at: DateTime<Utc>,
}

/// The person of a referral, as much as the professional service needs to call them back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferredPerson {
    pub id: Uuid,
    pub codice_fiscale: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub citizenship: Option<String>,
    pub residence_istat: Option<String>,
    pub homeless: bool,
    pub phone: String,
    pub email: String,
    pub language: String,
    pub privacy_notice: Option<NoticeGiven>,
}

impl ReferredPerson {
    /// What is left after the desk anonymized the person under its retention rule.
    pub fn anonymize(&mut self) {
        self.codice_fiscale = None;
        self.surname = "Anonimizzato".into();
        self.given_names = String::new();
        self.birth_date = None;
        self.birth_place = None;
        self.phone.clear();
        self.email.clear();
        self.privacy_notice = None;
    }

    pub fn is_anonymized(&self) -> bool {
        self.codice_fiscale.is_none()
            && self.surname == "Anonimizzato"
            && self.given_names.is_empty()
    }
}

/// One line of `referrals.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRecord {
    pub referral: SentReferral,
    pub person: ReferredPerson,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
}

/// One line of `anonymizations.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymizationRecord {
    pub person_id: Uuid,
}

/// A referral in the district's inbox: what the desk sent and what the district decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxReferral {
    pub source_instance: String,
    pub comune_istat: String,
    pub comune_name: String,
    pub received_at: DateTime<Utc>,
    pub record: ReferralRecord,
    /// The district's own status (starts at `Ricevuto`).
    pub status: ReferralStatus,
    /// The district's decisions, oldest first.
    pub decisions: Vec<StatusChange>,
    /// Referrals with the same codice fiscale that the coordinator said are a different person.
    #[serde(default)]
    pub unlinked: Vec<Uuid>,
    /// When the desk anonymized its record of the person: a case the district took in charge
    /// stays, under the district's own retention term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk_discarded: Option<DateTime<Utc>>,
}

impl InboxReferral {
    /// The district accepted the referral (took the person in charge) at some point.
    pub fn taken_in_charge(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| d.status == ReferralStatus::Accettato)
    }

    /// The last thing that happened to the case at the district.
    pub fn last_activity(&self) -> DateTime<Utc> {
        self.decisions
            .iter()
            .map(|d| d.at)
            .fold(self.received_at, DateTime::max)
    }

    pub fn is_anonymized(&self) -> bool {
        self.record.person.is_anonymized()
    }

    /// Every identifying field and every free text removed; the case keeps its course
    /// (statuses and dates) for the statistics.
    pub fn anonymize(&mut self) {
        self.record.person.anonymize();
        self.record.referral.reason.clear();
        for h in &mut self.record.referral.history {
            h.note.clear();
        }
        for n in &mut self.record.needs {
            n.description.clear();
        }
        for d in &mut self.decisions {
            d.note.clear();
        }
    }

    /// Other referrals for a person with the same codice fiscale, from other comuni, unless the
    /// coordinator unlinked them: shown as linked, never merged.
    pub fn linked<'a>(&self, all: &'a [InboxReferral]) -> Vec<&'a InboxReferral> {
        let Some(cf) = self.record.person.codice_fiscale.as_deref() else {
            return Vec::new();
        };
        all.iter()
            .filter(|o| {
                o.source_instance != self.source_instance
                    && o.record.person.codice_fiscale.as_deref() == Some(cf)
                    && !self.unlinked.contains(&o.record.referral.id)
                    && !o.unlinked.contains(&self.record.referral.id)
            })
            .collect()
    }
}

/// One line of `statuses.jsonl` in a return bundle: the district's answer to a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    pub referral_id: Uuid,
    pub status: ReferralStatus,
    pub decisions: Vec<StatusChange>,
}

/// A bundle applied (by the district from a desk, or by a desk from the district).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub bundle_id: Uuid,
    pub source_instance: String,
    pub comune_name: String,
    pub sequence: u64,
    pub at: DateTime<Utc>,
    pub by: String,
    pub accesses: usize,
    pub referrals: usize,
    pub anonymizations: usize,
    /// SHA-256 of the signed tag manifest: the bundle's content, whatever its id says (empty
    /// for bundles applied before it was kept).
    #[serde(default)]
    pub digest: String,
    /// The fingerprint of the sender's new signing key, when this bundle announced one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_key: Option<String>,
}

/// What to do with an incoming bundle given the last sequence applied from its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceCheck {
    Apply,
    /// This very bundle was applied before: nothing to do.
    AlreadyApplied,
    /// A bundle in between is missing: the first missing sequence.
    Gap(u64),
    /// Same or older sequence but a different bundle: the desk was probably restored from a backup.
    Conflicting,
}

impl ImportRecord {
    /// What an applied bundle did, in one sentence for the CLI and the page.
    pub fn applied_message(&self) -> String {
        let mut text = format!(
            "Pacchetto {} di {} applicato: {} accessi, {} invii, {} anonimizzazioni.",
            self.sequence, self.comune_name, self.accesses, self.referrals, self.anonymizations
        );
        if let Some(fp) = &self.adopted_key {
            text.push_str(&format!(
                " Nuova chiave di firma di {} adottata (impronta {fp}): i prossimi pacchetti \
                 devono essere firmati con questa.",
                self.comune_name
            ));
        }
        text
    }
}

/// Whether a bundle with an id already applied is that same bundle: same content, or applied
/// before its content digest was kept.
pub fn same_content(applied: &ImportRecord, digest: &str) -> bool {
    applied.digest.is_empty() || applied.digest == digest
}

pub fn check_sequence(last_applied: u64, incoming: u64, same_bundle_seen: bool) -> SequenceCheck {
    if same_bundle_seen {
        SequenceCheck::AlreadyApplied
    } else if incoming == last_applied + 1 {
        SequenceCheck::Apply
    } else if incoming > last_applied + 1 {
        SequenceCheck::Gap(last_applied + 1)
    } else {
        SequenceCheck::Conflicting
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_next_bundle_applies() {
        assert_eq!(check_sequence(0, 1, false), SequenceCheck::Apply);
        assert_eq!(check_sequence(1, 1, true), SequenceCheck::AlreadyApplied);
        assert_eq!(check_sequence(1, 3, false), SequenceCheck::Gap(2));
        assert_eq!(check_sequence(4, 2, false), SequenceCheck::Conflicting);
    }
}
