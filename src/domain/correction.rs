//! Corrections of an access: each one keeps who made it, when, and every field as it was before,
//! so the record can be trusted after it changed (and the history read like a paper file's
//! crossed-out lines).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::access::{Access, AnonymousProfile, Need};
use super::vocabulary::{Kind, Vocabularies};

/// Why an access changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Its fields were corrected.
    Edited,
    /// An anonymous access was attached to the person it turned out to be.
    Identified,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Edited => "Accesso corretto",
            ChangeKind::Identified => "Collegato a una persona",
        }
    }
}

/// One field as it was and as it became, in words a reader understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's code (`channel`, `needs`, …).
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
    /// Reserved notes: shown only to those who may read them.
    #[serde(default)]
    pub reserved: bool,
}

/// One correction of an access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessChange {
    pub at: DateTime<Utc>,
    /// Username and full name of who made it.
    pub by: String,
    pub by_name: String,
    pub kind: ChangeKind,
    pub fields: Vec<FieldChange>,
    /// The statistical profile the access had while anonymous (identify later).
    #[serde(default)]
    pub anonymous_before: Option<AnonymousProfile>,
}

impl AccessChange {
    /// The fields this reader may see (reserved notes only with `reads_reserved`).
    pub fn visible_fields(&self, reads_reserved: bool) -> impl Iterator<Item = &FieldChange> {
        self.fields
            .iter()
            .filter(move |f| reads_reserved || !f.reserved)
    }
}

fn needs_text(needs: &[Need], v: &Vocabularies) -> String {
    needs
        .iter()
        .map(|n| {
            let mut s = format!(
                "{} – {} ({})",
                v.label(Kind::Area, &n.area),
                v.label(Kind::Category, &n.category),
                v.label(Kind::Urgency, &n.urgency)
            );
            if !n.description.is_empty() {
                s.push_str(": ");
                s.push_str(&n.description);
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn codes_text(kind: Kind, codes: &[String], v: &Vocabularies) -> String {
    codes
        .iter()
        .map(|c| v.label(kind, c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn minutes_text(m: Option<u32>) -> String {
    m.map_or_else(String::new, |m| format!("{m} minuti"))
}

/// The fields that differ between two versions of an access, each as before and after.
pub fn differences(old: &Access, new: &Access, v: &Vocabularies) -> Vec<FieldChange> {
    let rows: [(&str, &str, String, String, bool); 11] = [
        (
            "channel",
            "Modalità di accesso",
            v.label(Kind::Channel, &old.channel).to_string(),
            v.label(Kind::Channel, &new.channel).to_string(),
            false,
        ),
        (
            "interlocutor",
            "Chi parla",
            v.label(Kind::Interlocutor, &old.interlocutor).to_string(),
            v.label(Kind::Interlocutor, &new.interlocutor).to_string(),
            false,
        ),
        (
            "interlocutor_name",
            "Nome di chi parla",
            old.interlocutor_name.clone(),
            new.interlocutor_name.clone(),
            false,
        ),
        (
            "interlocutor_relation",
            "Relazione con la persona",
            old.interlocutor_relation.clone(),
            new.interlocutor_relation.clone(),
            false,
        ),
        (
            "reason",
            "Motivo dell'accesso",
            v.label(Kind::Reason, &old.reason).to_string(),
            v.label(Kind::Reason, &new.reason).to_string(),
            false,
        ),
        (
            "sending_service",
            "Servizio inviante",
            old.sending_service.clone(),
            new.sending_service.clone(),
            false,
        ),
        (
            "needs",
            "Bisogni",
            needs_text(&old.needs, v),
            needs_text(&new.needs, v),
            false,
        ),
        (
            "outcomes",
            "Esito",
            codes_text(Kind::Outcome, &old.outcomes, v),
            codes_text(Kind::Outcome, &new.outcomes, v),
            false,
        ),
        (
            "duration_minutes",
            "Durata",
            minutes_text(old.duration_minutes),
            minutes_text(new.duration_minutes),
            false,
        ),
        ("notes", "Note", old.notes.clone(), new.notes.clone(), false),
        (
            "reserved_notes",
            "Note riservate",
            old.reserved_notes.clone(),
            new.reserved_notes.clone(),
            true,
        ),
    ];
    rows.into_iter()
        .filter(|(_, _, before, after, _)| before != after)
        .map(|(field, label, before, after, reserved)| FieldChange {
            field: field.into(),
            label: label.into(),
            before,
            after,
            reserved,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn access() -> Access {
        Access {
            id: Uuid::now_v7(),
            time: Utc::now(),
            channel: "phone".into(),
            interlocutor: "user".into(),
            interlocutor_name: String::new(),
            interlocutor_relation: String::new(),
            reason: "spontaneous".into(),
            sending_service: String::new(),
            person_id: None,
            anonymous: None,
            operator_id: Uuid::now_v7(),
            operator_name: "Anna".into(),
            duration_minutes: Some(10),
            needs: vec![Need {
                area: "elderly".into(),
                category: "home_care".into(),
                description: "Assistenza".into(),
                urgency: "ordinary".into(),
                service: None,
            }],
            outcomes: vec!["information_given".into()],
            notes: String::new(),
            reserved_notes: "prima".into(),
            appointment_id: None,
            quick: false,
            created_at: Utc::now(),
            services: vec![],
            unmet: vec![],
            history: vec![],
        }
    }

    #[test]
    fn only_changed_fields_are_listed_in_words_and_reserved_ones_are_marked() {
        let v = crate::assets::vocabularies().unwrap();
        let old = access();
        assert!(differences(&old, &old, &v).is_empty());
        let new = Access {
            channel: "in_person".into(),
            duration_minutes: None,
            reserved_notes: "dopo".into(),
            ..old.clone()
        };
        let d = differences(&old, &new, &v);
        let fields: Vec<&str> = d.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["channel", "duration_minutes", "reserved_notes"]);
        assert_eq!(d[0].before, v.label(Kind::Channel, "phone"));
        assert_eq!(d[1].before, "10 minuti");
        assert_eq!(d[1].after, "");
        let change = AccessChange {
            at: Utc::now(),
            by: "a".into(),
            by_name: "Anna".into(),
            kind: ChangeKind::Edited,
            fields: d,
            anonymous_before: None,
        };
        assert_eq!(change.visible_fields(false).count(), 2);
        assert_eq!(change.visible_fields(true).count(), 3);
    }
}
