//! The data subject's rights: the art. 15 report of everything held and who accessed it.

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;

use super::AppError;
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::audit::AuditEntry;
use crate::domain::person::{Person, PersonChange};
use crate::domain::referral::Referral;
use crate::store::Store;

/// Everything held about a person (art. 15), with who accessed it.
#[derive(Debug, Serialize)]
pub struct SubjectReport {
    pub generated_at: chrono::DateTime<Utc>,
    pub person: Person,
    pub change_history: Vec<PersonChange>,
    pub accesses: Vec<Access>,
    pub referrals: Vec<Referral>,
    pub appointments: Vec<Appointment>,
    /// Every audited read, change or print of the person's records: who and when.
    pub audit: Vec<AuditEntry>,
}

pub fn subject_report(store: &Store, id: Uuid) -> Result<SubjectReport, AppError> {
    let person = store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    let accesses = store.accesses_of(id)?;
    let referrals = store.referrals_of_person(id)?;
    let appointments = store.appointments_of(id)?;
    let mut ids: Vec<String> = vec![id.to_string()];
    ids.extend(accesses.iter().map(|a| a.id.to_string()));
    ids.extend(referrals.iter().map(|r| r.id.to_string()));
    ids.extend(appointments.iter().map(|a| a.id.to_string()));
    Ok(SubjectReport {
        generated_at: Utc::now(),
        change_history: store.person_history(id)?,
        audit: store.audit_about(&ids)?,
        person,
        accesses,
        referrals,
        appointments,
    })
}
