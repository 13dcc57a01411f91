//! Referrals (*invii*): from an access to a directory service or to the Ambito's Servizio Sociale
//! Professionale, with a lifecycle whose every step says who, when and why.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Bozza,
    Inviato,
    Ricevuto,
    Accettato,
    Respinto,
    Chiuso,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::Bozza,
        ReferralStatus::Inviato,
        ReferralStatus::Ricevuto,
        ReferralStatus::Accettato,
        ReferralStatus::Respinto,
        ReferralStatus::Chiuso,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Bozza => "bozza",
            ReferralStatus::Inviato => "inviato",
            ReferralStatus::Ricevuto => "ricevuto",
            ReferralStatus::Accettato => "accettato",
            ReferralStatus::Respinto => "respinto",
            ReferralStatus::Chiuso => "chiuso",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::Bozza => "Bozza",
            ReferralStatus::Inviato => "Inviato",
            ReferralStatus::Ricevuto => "Ricevuto",
            ReferralStatus::Accettato => "Accettato (presa in carico)",
            ReferralStatus::Respinto => "Respinto",
            ReferralStatus::Chiuso => "Chiuso",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The steps allowed from here: bozza → inviato → ricevuto → accettato | respinto → chiuso
    /// (a draft or a referral never answered may also be closed).
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Bozza => &[Inviato, Chiuso],
            Inviato => &[Ricevuto, Chiuso],
            Ricevuto => &[Accettato, Respinto],
            Accettato | Respinto => &[Chiuso],
            Chiuso => &[],
        }
    }

    /// Whether `to` lies ahead of this status along the lifecycle (in one step or more).
    pub fn reaches(self, to: ReferralStatus) -> bool {
        let mut frontier = vec![self];
        let mut seen = Vec::new();
        while let Some(s) = frontier.pop() {
            for n in s.next() {
                if *n == to {
                    return true;
                }
                if !seen.contains(n) {
                    seen.push(*n);
                    frontier.push(*n);
                }
            }
        }
        false
    }

    /// Waiting for the receiving service to answer.
    pub fn awaits_answer(self) -> bool {
        matches!(self, ReferralStatus::Inviato | ReferralStatus::Ricevuto)
    }
}

/// Where the person is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A service of the directory.
    Service(Uuid),
    /// The Ambito's Servizio Sociale Professionale (*proposta di presa in carico*).
    Ssp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ReferralStatus,
    pub at: DateTime<Utc>,
    pub by: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: Uuid,
    pub access_id: Uuid,
    pub person_id: Uuid,
    pub target: Target,
    /// Name of the receiving service when the referral was made.
    pub target_name: String,
    pub reason: String,
    /// Code of the `urgency` vocabulary.
    pub urgency: String,
    pub status: ReferralStatus,
    /// Every step, oldest first (the first is the creation).
    pub history: Vec<StatusChange>,
    /// Why it was sent without the privacy notice on record.
    pub privacy_override: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Set when an answer of the district did not follow from the status the desk had: the
    /// district decides, and the desk is told so on the referral.
    #[serde(default)]
    pub district_notice: Option<String>,
    /// The first bundle for the Ambito that carried it once sent (desk, referrals to the SSP):
    /// until then it has not left the PC, whatever its status says.
    #[serde(default)]
    pub carried: Option<Carried>,
}

/// A bundle that carried a referral to the district.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    /// The bundle's sequence number («pacchetto n. N»).
    pub sequence: u64,
    pub at: DateTime<Utc>,
}

/// A status change that the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Da «{}» non si può passare a «{}».", from.label(), to.label())]
pub struct IllegalStep {
    pub from: ReferralStatus,
    pub to: ReferralStatus,
}

/// Days without an answer after which a sent referral is overdue (default).
pub const DEFAULT_OVERDUE_DAYS: i64 = 15;

impl Referral {
    /// Whether it ever left the desk (a draft closed without sending never did).
    pub fn was_sent(&self) -> bool {
        matches!(
            self.status,
            ReferralStatus::Inviato
                | ReferralStatus::Ricevuto
                | ReferralStatus::Accettato
                | ReferralStatus::Respinto
        ) || self
            .history
            .iter()
            .any(|h| h.status == ReferralStatus::Inviato)
    }

    /// A referral to the SSP marked sent that no bundle has carried yet: it is still on this PC.
    pub fn awaits_bundle(&self) -> bool {
        self.target == Target::Ssp && self.was_sent() && self.carried.is_none()
    }

    /// The status as the desk should read it: a referral to the SSP is only "sent" once a
    /// bundle carried it. `local_date` formats the bundle's date for the reader.
    pub fn status_text(&self, local_date: impl Fn(DateTime<Utc>) -> String) -> String {
        match (&self.target, self.status, self.carried) {
            (Target::Ssp, ReferralStatus::Inviato, None) => "Da inviare all'Ambito".into(),
            (Target::Ssp, ReferralStatus::Inviato, Some(c)) => format!(
                "Inviato il {} (pacchetto n. {})",
                local_date(c.at),
                c.sequence
            ),
            (_, status, _) => status.label().into(),
        }
    }

    /// A step of the history as the desk reads it: for the SSP, "sent" is when the desk marked it
    /// so; it left with a bundle (`status_text`).
    pub fn step_label(&self, step: ReferralStatus) -> &'static str {
        match (&self.target, step) {
            (Target::Ssp, ReferralStatus::Inviato) => "Registrato per l'invio all'Ambito",
            (_, s) => s.label(),
        }
    }

    pub fn last_change(&self) -> DateTime<Utc> {
        self.history.last().map_or(self.created_at, |h| h.at)
    }

    pub fn is_overdue(&self, now: DateTime<Utc>, days: i64) -> bool {
        self.status.awaits_answer() && now - self.last_change() > Duration::days(days)
    }

    /// Applies a step of the lifecycle, or names the step that is not one.
    pub fn advance(
        &mut self,
        to: ReferralStatus,
        by: &str,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<(), IllegalStep> {
        if !self.status.next().contains(&to) {
            return Err(IllegalStep {
                from: self.status,
                to,
            });
        }
        self.status = to;
        self.history.push(StatusChange {
            status: to,
            at,
            by: by.to_string(),
            note: note.trim().chars().take(1000).collect(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_allows_only_its_steps_and_overdue_needs_an_answer() {
        let t0 = Utc::now() - Duration::days(30);
        let mut r = Referral {
            id: Uuid::now_v7(),
            access_id: Uuid::now_v7(),
            person_id: Uuid::now_v7(),
            target: Target::Ssp,
            target_name: "SSP".into(),
            reason: "x".into(),
            urgency: "ordinary".into(),
            status: ReferralStatus::Bozza,
            history: vec![StatusChange {
                status: ReferralStatus::Bozza,
                at: t0,
                by: "a".into(),
                note: String::new(),
            }],
            privacy_override: None,
            created_at: t0,
            district_notice: None,
            carried: None,
        };
        assert!(r.advance(ReferralStatus::Accettato, "a", "", t0).is_err());
        r.advance(ReferralStatus::Inviato, "a", "", t0).unwrap();
        assert!(r.is_overdue(Utc::now(), 15));
        let date = |d: DateTime<Utc>| d.format("%d/%m/%Y").to_string();
        assert!(r.awaits_bundle());
        assert_eq!(r.status_text(date), "Da inviare all'Ambito");
        r.carried = Some(Carried {
            sequence: 3,
            at: t0,
        });
        assert!(!r.awaits_bundle());
        assert_eq!(
            r.status_text(date),
            format!("Inviato il {} (pacchetto n. 3)", date(t0))
        );
        r.advance(ReferralStatus::Ricevuto, "b", "", Utc::now())
            .unwrap();
        assert!(!r.is_overdue(Utc::now(), 15));
        r.advance(
            ReferralStatus::Respinto,
            "b",
            "non di competenza",
            Utc::now(),
        )
        .unwrap();
        assert!(!r.is_overdue(Utc::now() + Duration::days(100), 15));
        r.advance(ReferralStatus::Chiuso, "a", "", Utc::now())
            .unwrap();
        assert!(r
            .advance(ReferralStatus::Inviato, "a", "", Utc::now())
            .is_err());
        assert_eq!(r.history.len(), 5);
        assert_eq!(
            ReferralStatus::from_code("accettato"),
            Some(ReferralStatus::Accettato)
        );
        assert_eq!(ReferralStatus::from_code("ACCETTATO"), None);
    }
}
