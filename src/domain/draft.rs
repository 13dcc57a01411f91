//! A draft: a form that arrived when its session had expired (or its page was stale), kept for
//! the user who typed it so that nothing typed is lost; handed back after the password is asked
//! again, for at most a day.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A draft older than this is gone.
pub const MAX_AGE_HOURS: i64 = 24;
/// Drafts kept per user (the oldest go first).
pub const MAX_PER_USER: usize = 20;
/// Fields never kept: the old form token, and any password.
const NOT_KEPT: [&str; 1] = ["csrf"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub user_id: Uuid,
    /// Where the form was posted: path and query string.
    pub action: String,
    /// The fields as typed, in order (repeated names kept).
    pub fields: Vec<(String, String)>,
    pub created_at: DateTime<Utc>,
}

impl Draft {
    pub fn new(
        user_id: Uuid,
        action: &str,
        fields: Vec<(String, String)>,
        now: DateTime<Utc>,
    ) -> Self {
        Draft {
            user_id,
            action: action.to_string(),
            fields: fields
                .into_iter()
                .filter(|(k, _)| !NOT_KEPT.contains(&k.as_str()) && !k.contains("password"))
                .collect(),
            created_at: now,
        }
    }

    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        now - self.created_at > Duration::hours(MAX_AGE_HOURS)
    }

    /// The path the form was posted to, without its query string.
    pub fn path(&self) -> &str {
        self.action.split('?').next().unwrap_or("")
    }

    /// What the form was, in the words of its page.
    pub fn title(&self) -> &'static str {
        form_title(self.path()).unwrap_or("Modulo")
    }
}

/// What a record-entry form posted to `path` is, in the words of its page; `None` for anything
/// else. Only these are kept when their session expired: where a long interview may have been
/// typed. Actions (a merge, a cancellation, an outcome, a link) are never kept: replaying one
/// later would do something the user cannot see.
pub fn form_title(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let uuid = |s: &str| Uuid::parse_str(s).is_ok();
    Some(match parts.as_slice() {
        ["accessi", "nuovo"] => "Nuovo accesso",
        ["accessi", "rapido"] => "Contatto telefonico rapido",
        ["accessi", id, "modifica"] if uuid(id) => "Correzione di un accesso",
        ["accessi", id, "persona", "nuova"] if uuid(id) => "Nuova persona per un accesso anonimo",
        ["persone", "nuova"] => "Nuova persona",
        ["persone", id, "modifica"] if uuid(id) => "Modifica dei dati della persona",
        ["agenda", "nuovo"] => "Nuovo appuntamento",
        ["agenda", id, "sposta"] if uuid(id) => "Spostamento di un appuntamento",
        ["invii", "nuovo"] => "Nuovo invio",
        _ => return None,
    })
}

/// Whether a form posted to `path` is kept as a draft when its session has expired.
pub fn is_kept(path: &str) -> bool {
    form_title(path).is_some()
}

/// A field of a kept form as the recovery page names it (`None`: not worth showing).
pub fn field_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "codice_fiscale" => "Codice fiscale",
        "surname" => "Cognome",
        "given_names" => "Nome",
        "phone" => "Telefono",
        "email" => "E-mail",
        "date" => "Data",
        "time" => "Ora",
        "appointment_date" => "Data dell'appuntamento",
        "appointment_time" => "Ora dell'appuntamento",
        "appointment_purpose" | "purpose" => "Motivo dell'appuntamento",
        "interlocutor_name" => "Chi parla",
        "interlocutor_relation" => "Relazione con la persona",
        "sending_service" => "Servizio inviante",
        "need_description" => "Bisogno",
        "notes" => "Note",
        "reserved_notes" => "Note riservate",
        "reason" => "Motivo",
        "place" => "Luogo",
        "duration_minutes" => "Durata (minuti)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_record_forms_without_tokens_and_names_them() {
        let now = Utc::now();
        let d = Draft::new(
            Uuid::now_v7(),
            "/agenda/nuovo?persona=x",
            vec![
                ("csrf".into(), "old".into()),
                ("date".into(), "03/03/2099".into()),
                ("new_password".into(), "segreta".into()),
            ],
            now,
        );
        assert_eq!(
            d.fields,
            vec![("date".to_string(), "03/03/2099".to_string())]
        );
        assert_eq!(d.title(), "Nuovo appuntamento");
        assert!(!d.is_stale(now + Duration::hours(23)));
        assert!(d.is_stale(now + Duration::hours(25)));
        let id = Uuid::now_v7();
        assert!(is_kept("/accessi/nuovo") && is_kept(&format!("/persone/{id}/modifica")));
        assert!(!is_kept("/login") && !is_kept("/amministrazione/utenti") && !is_kept("/password"));
        // Actions are never replayed from a draft.
        for action in ["unisci/x", "annulla", "esito", "ripristina"] {
            assert!(!is_kept(&format!("/agenda/{id}/{action}")), "{action}");
        }
        assert!(!is_kept(&format!("/persone/{id}/unisci/{id}")));
        assert!(!is_kept(&format!("/accessi/{id}/persona")));
        assert!(!is_kept("/agenda/x/sposta"), "not a record's address");
    }
}
