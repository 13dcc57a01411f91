//! Merging two records of the same person: what moved to the record kept, so that the merge can
//! be undone exactly (later changes of the kept record stay), and the tombstone left behind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::person::{HouseholdMember, NoticeGiven};
use super::privacy::Consent;

/// On a record merged into another: where it went (its address and id lead there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedInto {
    pub into: Uuid,
    pub merge_id: Uuid,
    pub at: DateTime<Utc>,
}

/// One merge, with everything it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub id: Uuid,
    /// The record that became a tombstone.
    pub merged: Uuid,
    /// The record kept.
    pub into: Uuid,
    pub at: DateTime<Utc>,
    pub by: String,
    pub by_name: String,
    pub accesses: Vec<Uuid>,
    pub appointments: Vec<Uuid>,
    pub referrals: Vec<Uuid>,
    /// Consents and household members added to the record kept.
    pub consents: Vec<Consent>,
    pub household: Vec<HouseholdMember>,
    /// The privacy notice copied to a record kept that had none.
    pub notice: Option<NoticeGiven>,
    #[serde(default)]
    pub undone: Option<Undone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undone {
    pub at: DateTime<Utc>,
    pub by: String,
}

/// Household members of `merged` not already in `kept` (same linked record, or same name and
/// relation when not linked), leaving out links to the two records themselves.
pub fn household_to_add(
    kept: &[HouseholdMember],
    merged: &[HouseholdMember],
    ids: (Uuid, Uuid),
) -> Vec<HouseholdMember> {
    merged
        .iter()
        .filter(|m| !m.person_id.is_some_and(|p| p == ids.0 || p == ids.1))
        .filter(|m| {
            !kept.iter().any(|k| match (k.person_id, m.person_id) {
                (Some(a), Some(b)) => a == b,
                _ => k.name.trim().eq_ignore_ascii_case(m.name.trim()) && k.relation == m.relation,
            })
        })
        .cloned()
        .collect()
}

/// Whether a merge made at `at` may still be undone: within the retention term of the records.
pub fn undoable(at: DateTime<Utc>, now: DateTime<Utc>, retention_years: u32) -> bool {
    now - at < chrono::Duration::days(365 * i64::from(retention_years))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: Option<Uuid>, name: &str, relation: &str) -> HouseholdMember {
        HouseholdMember {
            person_id: id,
            name: name.into(),
            relation: relation.into(),
            birth_year: None,
        }
    }

    #[test]
    fn household_members_already_there_or_pointing_at_either_record_are_not_added() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let kept = [
            member(Some(c), "Luca", "figlio"),
            member(None, "Anna", "madre"),
        ];
        let merged = [
            member(Some(c), "Luca Rossi", "figlio"),
            member(None, "anna", "madre"),
            member(Some(a), "sé", "altro"),
            member(None, "Paolo", "fratello"),
        ];
        let add = household_to_add(&kept, &merged, (a, b));
        assert_eq!(add, vec![member(None, "Paolo", "fratello")]);
        let now = Utc::now();
        assert!(undoable(now, now, 10));
        assert!(!undoable(now - chrono::Duration::days(3700), now, 10));
    }
}
