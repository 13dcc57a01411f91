//! The API's own JSON shapes for values the domain also stores: a stored field renamed in the
//! domain then fails to compile here instead of silently changing the public API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use uuid::Uuid;

use crate::domain::access::{Access, AnonymousProfile, Need};
use crate::domain::appointment::Appointment;
use crate::domain::person::Sex;
use crate::domain::referral::{ReferralStatus, StatusChange};
use crate::domain::vocabulary::{Term, Vocabularies};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SexJson {
    M,
    F,
}

impl From<Sex> for SexJson {
    fn from(s: Sex) -> Self {
        match s {
            Sex::M => SexJson::M,
            Sex::F => SexJson::F,
        }
    }
}

/// One need of an access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedJson {
    /// Area of users (vocabulary `area`).
    pub area: String,
    /// Need category (vocabulary `category`).
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// Vocabulary `urgency`; default `ordinary`.
    #[serde(default = "ordinary")]
    pub urgency: String,
    /// A complaint (`category` `complaint`): the directory service it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<uuid::Uuid>,
}

fn ordinary() -> String {
    "ordinary".into()
}

impl From<Need> for NeedJson {
    fn from(n: Need) -> Self {
        NeedJson {
            area: n.area,
            category: n.category,
            description: n.description,
            urgency: n.urgency,
            service: n.service,
        }
    }
}

impl From<NeedJson> for Need {
    fn from(n: NeedJson) -> Self {
        Need {
            area: n.area,
            category: n.category,
            description: n.description,
            urgency: n.urgency,
            service: n.service,
        }
    }
}

/// What is recorded of an anonymous person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AnonymousProfileJson {
    pub sex: Option<SexJson>,
    pub age_band: String,
    pub citizenship_area: String,
}

impl From<AnonymousProfile> for AnonymousProfileJson {
    fn from(a: AnonymousProfile) -> Self {
        AnonymousProfileJson {
            sex: a.sex.map(SexJson::from),
            age_band: a.age_band,
            citizenship_area: a.citizenship_area,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatusJson {
    Bozza,
    Inviato,
    Ricevuto,
    Accettato,
    Respinto,
    Chiuso,
}

impl From<ReferralStatus> for ReferralStatusJson {
    fn from(s: ReferralStatus) -> Self {
        match s {
            ReferralStatus::Bozza => ReferralStatusJson::Bozza,
            ReferralStatus::Inviato => ReferralStatusJson::Inviato,
            ReferralStatus::Ricevuto => ReferralStatusJson::Ricevuto,
            ReferralStatus::Accettato => ReferralStatusJson::Accettato,
            ReferralStatus::Respinto => ReferralStatusJson::Respinto,
            ReferralStatus::Chiuso => ReferralStatusJson::Chiuso,
        }
    }
}

/// One step of a referral's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusChangeJson {
    pub status: ReferralStatusJson,
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: String,
}

impl From<StatusChange> for StatusChangeJson {
    fn from(c: StatusChange) -> Self {
        StatusChangeJson {
            status: c.status.into(),
            at: c.at,
            by: c.by,
            note: c.note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TermJson {
    pub code: String,
    pub label: String,
}

/// The codes the API accepts, with their Italian labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VocabulariesJson {
    pub channel: Vec<TermJson>,
    pub interlocutor: Vec<TermJson>,
    pub reason: Vec<TermJson>,
    pub area: Vec<TermJson>,
    pub category: Vec<TermJson>,
    pub outcome: Vec<TermJson>,
    pub urgency: Vec<TermJson>,
    pub age_band: Vec<TermJson>,
    pub citizenship_area: Vec<TermJson>,
}

fn terms(t: &[Term]) -> Vec<TermJson> {
    t.iter()
        .map(|t| TermJson {
            code: t.code.clone(),
            label: t.label.clone(),
        })
        .collect()
}

impl From<&Vocabularies> for VocabulariesJson {
    fn from(v: &Vocabularies) -> Self {
        VocabulariesJson {
            channel: terms(&v.channel),
            interlocutor: terms(&v.interlocutor),
            reason: terms(&v.reason),
            area: terms(&v.area),
            category: terms(&v.category),
            outcome: terms(&v.outcome),
            urgency: terms(&v.urgency),
            age_band: terms(&v.age_band),
            citizenship_area: terms(&v.citizenship_area),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessJson {
    pub id: Uuid,
    pub time: DateTime<Utc>,
    pub person_id: Option<Uuid>,
    pub anonymous: Option<AnonymousProfileJson>,
    pub channel: String,
    pub interlocutor: String,
    pub interlocutor_name: String,
    pub interlocutor_relation: String,
    pub reason: String,
    pub sending_service: String,
    pub operator: String,
    pub duration_minutes: Option<u32>,
    pub needs: Vec<NeedJson>,
    pub outcomes: Vec<String>,
    pub notes: String,
    /// Present only for roles allowed to read reserved notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_notes: Option<String>,
    pub has_reserved_notes: bool,
    pub appointment_id: Option<Uuid>,
    /// Every correction, oldest first (reserved notes only for the roles allowed).
    pub corrections: Vec<super::corrections::CorrectionJson>,
}

pub fn access_json(a: Access, can_reserved: bool) -> AccessJson {
    let has = a.has_reserved_notes();
    let corrections = a
        .history
        .iter()
        .map(|c| super::corrections::CorrectionJson::of(c, can_reserved))
        .collect();
    AccessJson {
        corrections,
        interlocutor_name: a.interlocutor_name,
        interlocutor_relation: a.interlocutor_relation,
        id: a.id,
        time: a.time,
        person_id: a.person_id,
        anonymous: a.anonymous.map(Into::into),
        channel: a.channel,
        interlocutor: a.interlocutor,
        reason: a.reason,
        sending_service: a.sending_service,
        operator: a.operator_name,
        duration_minutes: a.duration_minutes,
        needs: a.needs.into_iter().map(Into::into).collect(),
        outcomes: a.outcomes,
        notes: a.notes,
        reserved_notes: can_reserved.then_some(a.reserved_notes),
        has_reserved_notes: has,
        appointment_id: a.appointment_id,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentJson {
    pub id: Uuid,
    pub person_id: Uuid,
    pub access_id: Option<Uuid>,
    pub operator: String,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub place: String,
    pub purpose: String,
    pub cancelled: bool,
    /// Why it was cancelled.
    pub cancel_reason: String,
    /// `held` (svolto), `missed` (non presentato), `postponed` (rinviato), or none yet.
    pub outcome: Option<String>,
}

pub fn appointment_json(a: Appointment) -> AppointmentJson {
    AppointmentJson {
        id: a.id,
        person_id: a.person_id,
        access_id: a.access_id,
        operator: a.operator_name,
        start: a.start,
        duration_minutes: a.duration_minutes,
        place: a.place,
        purpose: a.purpose,
        cancelled: a.cancelled,
        cancel_reason: a.cancel_reason,
        outcome: a.outcome.map(|o| o.code().to_string()),
    }
}
