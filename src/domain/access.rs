//! An access (*accesso*): one contact of a citizen with the desk — who, how, why, which needs,
//! what came of it.

use chrono::{DateTime, Duration, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::person::Sex;
use super::vocabulary::{Kind, Vocabularies};
use super::when::{read_date, read_time};
use super::Invalid;

/// One need: user area + need category, in the worker's words, with its urgency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub area: String,
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "ordinary")]
    pub urgency: String,
    /// A complaint (category [`COMPLAINT`]): the directory service it is about, when named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Uuid>,
}

/// The need category of a complaint about a service.
pub const COMPLAINT: &str = "complaint";

fn ordinary() -> String {
    "ordinary".into()
}

/// What is kept about someone who stays anonymous: only statistical traits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymousProfile {
    pub sex: Option<Sex>,
    pub age_band: String,
    pub citizenship_area: String,
    /// Comune of residence (ISTAT code) of a person whose record was anonymized by retention:
    /// what the statistics by comune need, which alone identifies nobody.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comune: Option<String>,
    /// Retention: a random pseudonym shared by the accesses of one anonymized person (who had a
    /// codice fiscale), so that the desk still counts her once; linked to nothing else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// Retention: the Ambito's keyed hash of her codice fiscale, as the district counted her
    /// (present when the desk was enrolled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    pub id: Uuid,
    pub time: DateTime<Utc>,
    pub channel: String,
    pub interlocutor: String,
    /// Who spoke when it was not the person: a name ("Maria Bianchi", "Caritas parrocchiale")…
    #[serde(default)]
    pub interlocutor_name: String,
    /// …and their relation to the person ("la figlia").
    #[serde(default)]
    pub interlocutor_relation: String,
    pub reason: String,
    /// The service that sent the person, when the reason is `sent_by`.
    pub sending_service: String,
    pub person_id: Option<Uuid>,
    pub anonymous: Option<AnonymousProfile>,
    pub operator_id: Uuid,
    pub operator_name: String,
    pub duration_minutes: Option<u32>,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
    pub notes: String,
    /// Reserved notes: only social workers and the head of the desk read them.
    pub reserved_notes: String,
    pub appointment_id: Option<Uuid>,
    /// Made with the quick phone-contact form.
    pub quick: bool,
    pub created_at: DateTime<Utc>,
    /// Directory services chosen for the person (orientation).
    #[serde(default)]
    pub services: Vec<Uuid>,
    /// Needs no service could meet, with the reason.
    #[serde(default)]
    pub unmet: Vec<UnmetNeed>,
    /// Every correction since it was recorded, oldest first.
    #[serde(default)]
    pub history: Vec<super::correction::AccessChange>,
}

/// A need of this access that found no service: the desk's evidence of gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmetNeed {
    /// Index of the need in `needs`.
    pub need: usize,
    /// One of `directory::UNMET_REASONS`.
    pub reason: String,
    /// The directory service that could not take the person (full, waiting list, not
    /// eligible), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Uuid>,
    pub note: String,
    pub recorded_by: String,
    pub at: DateTime<Utc>,
}

impl Access {
    pub fn has_reserved_notes(&self) -> bool {
        !self.reserved_notes.trim().is_empty()
    }
}

/// Who the access is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Person(Uuid),
    /// A person registered together with the access (the person form is checked separately).
    NewPerson,
    Anonymous(AnonymousProfile),
}

/// An access as typed (form) or sent (API), all text.
#[derive(Debug, Clone, Default)]
pub struct AccessForm {
    pub date: String,
    pub time: String,
    pub channel: String,
    pub interlocutor: String,
    pub interlocutor_name: String,
    pub interlocutor_relation: String,
    pub reason: String,
    pub sending_service: String,
    pub duration_minutes: String,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
    pub notes: String,
    pub reserved_notes: String,
    pub anonymous_sex: String,
    pub anonymous_age_band: String,
    pub anonymous_citizenship_area: String,
    pub appointment_date: String,
    pub appointment_time: String,
    pub appointment_purpose: String,
    /// The desk worker of the appointment (a user id; empty: whoever records the access).
    pub appointment_operator: String,
}

/// A checked access, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessData {
    pub time: DateTime<Utc>,
    pub channel: String,
    pub interlocutor: String,
    pub interlocutor_name: String,
    pub interlocutor_relation: String,
    pub reason: String,
    pub sending_service: String,
    pub duration_minutes: Option<u32>,
    pub needs: Vec<Need>,
    pub outcomes: Vec<String>,
    pub notes: String,
    pub reserved_notes: String,
    pub appointment: Option<(DateTime<Utc>, String)>,
}

pub const MAX_NOTE_CHARS: usize = 4000;

/// Local date and time typed in a form, as a UTC instant.
pub fn local_instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let local = date.and_time(time);
    Local
        .from_local_datetime(&local)
        .earliest()
        // A time skipped by the change to summer time is read as the hour after it.
        .or_else(|| {
            Local
                .from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

pub fn parse_time(text: &str) -> Option<NaiveTime> {
    super::when::read_time(text).ok()
}

fn code(
    invalid: &mut Invalid,
    v: &Vocabularies,
    kind: Kind,
    field: &'static str,
    value: &str,
    what: &str,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        invalid.add(field, format!("Scegliere {what}."));
    } else if !v.contains(kind, value) {
        invalid.add(field, format!("Valore non previsto per {what}: «{value}»."));
    }
    value.to_string()
}

impl AccessForm {
    /// Checks the access itself (not the person). `now` is when it is being recorded.
    pub fn validate(
        &self,
        v: &Vocabularies,
        now: DateTime<Utc>,
        anonymous: bool,
    ) -> Result<(AccessData, Option<AnonymousProfile>), Invalid> {
        let mut invalid = Invalid::new();
        let time = match (self.date.trim(), self.time.trim()) {
            ("", "") => Some(now),
            (d, t) => match (
                read_date(d),
                if t.is_empty() {
                    Ok(NaiveTime::MIN)
                } else {
                    read_time(t)
                },
            ) {
                (Ok(d), Ok(t)) => local_instant(d, t),
                (d, t) => {
                    if let Err(e) = d {
                        invalid.add("date", e.to_string());
                    }
                    if let Err(e) = t {
                        invalid.add("time", e.to_string());
                    }
                    None
                }
            },
        };
        if let Some(t) = time {
            if t > now + Duration::minutes(5) {
                invalid.add("date", "L'accesso non può essere nel futuro.");
            }
        }
        let channel = code(
            &mut invalid,
            v,
            Kind::Channel,
            "channel",
            &self.channel,
            "la modalità di accesso",
        );
        let interlocutor = code(
            &mut invalid,
            v,
            Kind::Interlocutor,
            "interlocutor",
            &self.interlocutor,
            "l'interlocutore",
        );
        let reason = code(
            &mut invalid,
            v,
            Kind::Reason,
            "reason",
            &self.reason,
            "il motivo dell'accesso",
        );
        let interlocutor_name = self.interlocutor_name.trim().to_string();
        let interlocutor_relation = self.interlocutor_relation.trim().to_string();
        for (field, text, what) in [
            (
                "interlocutor_name",
                &interlocutor_name,
                "Il nome di chi parla",
            ),
            (
                "interlocutor_relation",
                &interlocutor_relation,
                "La relazione",
            ),
        ] {
            if text.chars().count() > 200 {
                invalid.add(field, format!("{what} può avere al massimo 200 caratteri."));
            } else if !text.is_empty() && interlocutor == "user" {
                invalid.add(
                    field,
                    "Parla la persona stessa: lasciare vuoto, oppure scegliere chi parla.",
                );
            }
        }
        let sending_service = self.sending_service.trim().to_string();
        if sending_service.chars().count() > 200 {
            invalid.add(
                "sending_service",
                "Il servizio inviante può avere al massimo 200 caratteri.",
            );
        }
        if reason == "sent_by" && sending_service.is_empty() {
            invalid.add(
                "sending_service",
                "Indicare il servizio che ha inviato la persona.",
            );
        }
        let duration_minutes = match self.duration_minutes.trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(m) if m <= 600 => Some(m),
                _ => {
                    invalid.add(
                        "duration_minutes",
                        "Durata in minuti: un numero da 0 a 600.",
                    );
                    None
                }
            },
        };

        let mut needs = Vec::new();
        for (i, need) in self.needs.iter().enumerate() {
            let blank = need.area.trim().is_empty()
                && need.category.trim().is_empty()
                && need.description.trim().is_empty();
            if blank {
                continue;
            }
            let n = i + 1;
            let mut ok = true;
            if !v.contains(Kind::Area, need.area.trim()) {
                invalid.add("needs", format!("Bisogno {n}: scegliere l'area di utenza."));
                ok = false;
            }
            if !v.contains(Kind::Category, need.category.trim()) {
                invalid.add(
                    "needs",
                    format!("Bisogno {n}: scegliere la categoria di bisogno."),
                );
                ok = false;
            }
            let urgency = if need.urgency.trim().is_empty() {
                "ordinary".to_string()
            } else {
                need.urgency.trim().to_string()
            };
            if !v.contains(Kind::Urgency, &urgency) {
                invalid.add("needs", format!("Bisogno {n}: urgenza non prevista."));
                ok = false;
            }
            if need.description.chars().count() > MAX_NOTE_CHARS {
                invalid.add("needs", format!("Bisogno {n}: descrizione troppo lunga (al massimo {MAX_NOTE_CHARS} caratteri)."));
                ok = false;
            }
            if ok {
                needs.push(Need {
                    area: need.area.trim().to_string(),
                    category: need.category.trim().to_string(),
                    description: need.description.trim().to_string(),
                    urgency,
                    // Only a complaint is about a service.
                    service: need.service.filter(|_| need.category.trim() == COMPLAINT),
                });
            }
        }
        if needs.is_empty() && invalid.message("needs").is_none() {
            invalid.add("needs", "Registrare almeno un bisogno (area e categoria).");
        }

        let mut outcomes: Vec<String> = Vec::new();
        for o in &self.outcomes {
            let o = o.trim();
            if !v.contains(Kind::Outcome, o) {
                invalid.add("outcomes", format!("Esito non previsto: «{o}»."));
            } else if !outcomes.iter().any(|x| x == o) {
                outcomes.push(o.to_string());
            }
        }
        if outcomes.is_empty() && invalid.message("outcomes").is_none() {
            invalid.add("outcomes", "Indicare almeno un esito.");
        }

        for (field, text) in [
            ("notes", &self.notes),
            ("reserved_notes", &self.reserved_notes),
        ] {
            if text.chars().count() > MAX_NOTE_CHARS {
                invalid.add(field, format!("Al massimo {MAX_NOTE_CHARS} caratteri."));
            }
        }

        let anonymous_profile = if anonymous {
            let sex = match self.anonymous_sex.trim() {
                "" => None,
                s => {
                    let parsed = Sex::from_code(s);
                    if parsed.is_none() {
                        invalid.add("anonymous_sex", "Il sesso è M o F (o non indicato).");
                    }
                    parsed
                }
            };
            let band = if self.anonymous_age_band.trim().is_empty() {
                "unknown"
            } else {
                self.anonymous_age_band.trim()
            };
            if !v.contains(Kind::AgeBand, band) {
                invalid.add("anonymous_age_band", "Fascia d'età non prevista.");
            }
            let area = if self.anonymous_citizenship_area.trim().is_empty() {
                "unknown"
            } else {
                self.anonymous_citizenship_area.trim()
            };
            if !v.contains(Kind::CitizenshipArea, area) {
                invalid.add(
                    "anonymous_citizenship_area",
                    "Area di cittadinanza non prevista.",
                );
            }
            Some(AnonymousProfile {
                sex,
                age_band: band.to_string(),
                citizenship_area: area.to_string(),
                ..Default::default()
            })
        } else {
            None
        };

        let appointment = match (self.appointment_date.trim(), self.appointment_time.trim()) {
            ("", "") => None,
            (d, t) => match (read_date(d), read_time(t)) {
                (Ok(d), Ok(t)) => match local_instant(d, t) {
                    Some(at) if at < now - Duration::minutes(5) => {
                        invalid.add(
                            "appointment_date",
                            "L'appuntamento non può essere nel passato.",
                        );
                        None
                    }
                    Some(at) => {
                        if anonymous {
                            invalid.add("appointment_date", "Per fissare un appuntamento serve una persona registrata, non anonima.");
                        }
                        Some((
                            at,
                            self.appointment_purpose.trim().chars().take(300).collect(),
                        ))
                    }
                    None => {
                        invalid.add("appointment_time", "Ora non valida.");
                        None
                    }
                },
                (d, t) => {
                    if let Err(e) = d {
                        invalid.add("appointment_date", e.to_string());
                    }
                    if let Err(e) = t {
                        invalid.add("appointment_time", e.to_string());
                    }
                    None
                }
            },
        };

        match time {
            Some(time) if invalid.is_empty() => Ok((
                AccessData {
                    time,
                    channel,
                    interlocutor,
                    interlocutor_name,
                    interlocutor_relation,
                    reason,
                    sending_service,
                    duration_minutes,
                    needs,
                    outcomes,
                    notes: self.notes.trim().to_string(),
                    reserved_notes: self.reserved_notes.trim().to_string(),
                    appointment,
                },
                anonymous_profile,
            )),
            _ => Err(invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AccessForm {
        AccessForm {
            channel: "phone".into(),
            interlocutor: "user".into(),
            reason: "spontaneous".into(),
            needs: vec![
                Need {
                    area: "elderly".into(),
                    category: "home_care".into(),
                    description: "Assistenza".into(),
                    urgency: "".into(),
                    service: None,
                },
                Need {
                    area: "".into(),
                    category: "".into(),
                    description: "".into(),
                    urgency: "".into(),
                    service: None,
                },
                Need {
                    area: "poverty".into(),
                    category: "economic_support".into(),
                    description: "".into(),
                    urgency: "urgent".into(),
                    service: None,
                },
            ],
            outcomes: vec!["information_given".into(), "information_given".into()],
            ..Default::default()
        }
    }

    #[test]
    fn blank_need_rows_are_skipped_and_defaults_apply() {
        let v = crate::assets::vocabularies().unwrap();
        let now = Utc::now();
        let (data, anon) = form().validate(&v, now, true).unwrap();
        assert_eq!(data.time, now);
        assert_eq!(data.needs.len(), 2);
        assert_eq!(data.needs[0].urgency, "ordinary");
        assert_eq!(data.outcomes, vec!["information_given"]);
        assert_eq!(anon.unwrap().age_band, "unknown");
    }

    #[test]
    fn an_overlong_sending_service_is_refused_not_cut() {
        let v = crate::assets::vocabularies().unwrap();
        let long = AccessForm {
            sending_service: "s".repeat(201),
            ..form()
        };
        let err = long.validate(&v, Utc::now(), true).unwrap_err();
        assert!(err.message("sending_service").is_some());
    }

    #[test]
    fn every_problem_is_reported() {
        let v = crate::assets::vocabularies().unwrap();
        let bad = AccessForm {
            channel: "fax".into(),
            reason: "sent_by".into(),
            needs: vec![Need {
                area: "elderly".into(),
                category: "".into(),
                description: "".into(),
                urgency: "".into(),
                service: None,
            }],
            outcomes: vec![],
            date: "2099-01-01".into(),
            appointment_date: "01/01/2020".into(),
            appointment_time: "10:00".into(),
            ..Default::default()
        };
        let err = bad.validate(&v, Utc::now(), false).unwrap_err();
        for f in [
            "channel",
            "interlocutor",
            "sending_service",
            "needs",
            "outcomes",
            "date",
            "appointment_date",
        ] {
            assert!(err.message(f).is_some(), "{f}: {err:?}");
        }
    }
}
