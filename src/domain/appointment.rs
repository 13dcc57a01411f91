//! Appointments of citizens with a desk worker.

use chrono::{DateTime, Utc};
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
}

/// Default length of an appointment, in minutes.
pub const DEFAULT_MINUTES: u32 = 30;
