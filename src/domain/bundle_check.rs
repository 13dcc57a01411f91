//! What a record in a bundle must be before anything of the bundle applies: codes from the
//! vocabularies, real months and comuni, well-formed codes, text without control characters.
//! A signature proves who sent a bundle, not that its sender (a buggy or older desk) wrote
//! sense, so every record is checked as if typed at a form.

use super::codice_fiscale::CodiceFiscale;
use super::directory::UNMET_REASONS;
use super::district::{AccessRecord, AnonymizationRecord, ReferralRecord, StatusRecord};
use super::reference::Reference;
use super::vocabulary::Kind;

/// One record kind of a bundle's payload: its id (unique within its file) and its check.
pub trait BundleRecord {
    fn id(&self) -> Option<u128>;
    fn check(&self, reference: &Reference) -> Result<(), String>;
}

/// Text as a person could have typed it: no control characters but newline and tab.
pub fn text(field: &str, value: &str) -> Result<(), String> {
    match value
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t' && *c != '\r')
    {
        Some(c) => Err(format!(
            "campo «{field}»: carattere di controllo U+{:04X} non ammesso",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

fn code(reference: &Reference, kind: Kind, field: &str, value: &str) -> Result<(), String> {
    if reference.vocab.contains(kind, value) {
        Ok(())
    } else {
        Err(format!(
            "campo «{field}»: codice «{}» sconosciuto",
            shown(value)
        ))
    }
}

/// A value quoted in a message: short and printable.
fn shown(value: &str) -> String {
    value
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn month(value: &str) -> Result<(), String> {
    let real = value.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d")
            .is_ok_and(|d| (1900..=2100).contains(&chrono::Datelike::year(&d)));
    if real {
        Ok(())
    } else {
        Err(format!(
            "campo «month»: «{}» non è un mese (aaaa-mm)",
            shown(value)
        ))
    }
}

fn comune(reference: &Reference, field: &str, value: &str) -> Result<(), String> {
    if reference.comuni.get(value).is_some() {
        Ok(())
    } else {
        Err(format!(
            "campo «{field}»: «{}» non è un codice ISTAT di comune",
            shown(value)
        ))
    }
}

fn uuid_text(field: &str, value: &str) -> Result<(), String> {
    uuid::Uuid::parse_str(value).map(|_| ()).map_err(|_| {
        format!(
            "campo «{field}»: «{}» non è un identificativo",
            shown(value)
        )
    })
}

/// A keyed hash or pseudonym: hex digits only.
fn key_text(field: &str, value: &str) -> Result<(), String> {
    if !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format!("campo «{field}»: chiave non valida"))
    }
}

fn needs<'a>(
    reference: &Reference,
    needs: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<(), String> {
    for (area, category, urgency) in needs {
        code(reference, Kind::Area, "needs.area", area)?;
        code(reference, Kind::Category, "needs.category", category)?;
        code(reference, Kind::Urgency, "needs.urgency", urgency)?;
    }
    Ok(())
}

fn outcomes(reference: &Reference, outcomes: &[String]) -> Result<(), String> {
    outcomes
        .iter()
        .try_for_each(|o| code(reference, Kind::Outcome, "outcomes", o))
}

impl BundleRecord for AccessRecord {
    fn id(&self) -> Option<u128> {
        Some(self.id.as_u128())
    }

    fn check(&self, r: &Reference) -> Result<(), String> {
        month(&self.month)?;
        code(r, Kind::Channel, "channel", &self.channel)?;
        code(r, Kind::Interlocutor, "interlocutor", &self.interlocutor)?;
        code(r, Kind::Reason, "reason", &self.reason)?;
        needs(
            r,
            self.needs
                .iter()
                .map(|(a, c, u)| (a.as_str(), c.as_str(), u.as_str())),
        )?;
        outcomes(r, &self.outcomes)?;
        if let Some(sex) = &self.sex {
            if sex != "M" && sex != "F" {
                return Err(format!("campo «sex»: «{}» non è M o F", shown(sex)));
            }
        }
        code(r, Kind::AgeBand, "age_band", &self.age_band)?;
        code(
            r,
            Kind::CitizenshipArea,
            "citizenship_area",
            &self.citizenship_area,
        )?;
        if let Some(c) = &self.comune {
            comune(r, "comune", c)?;
        }
        if let Some(k) = &self.person_key {
            key_text("person_key", k)?;
        }
        if self.desk.is_some() {
            return Err("campo «desk»: lo imposta solo l'Ambito, non il pacchetto".into());
        }
        for s in &self.services {
            uuid_text("services", s)?;
        }
        for (category, reason, service) in &self.unmet {
            code(r, Kind::Category, "unmet.category", category)?;
            if !UNMET_REASONS.iter().any(|(c, _)| c == reason) {
                return Err(format!(
                    "campo «unmet.reason»: codice «{}» sconosciuto",
                    shown(reason)
                ));
            }
            if !service.is_empty() {
                uuid_text("unmet.service", service)?;
            }
        }
        for s in self.complaints.iter().filter(|s| !s.is_empty()) {
            uuid_text("complaints", s)?;
        }
        Ok(())
    }
}

impl BundleRecord for ReferralRecord {
    fn id(&self) -> Option<u128> {
        Some(self.referral.id.as_u128())
    }

    fn check(&self, r: &Reference) -> Result<(), String> {
        let (referral, person) = (&self.referral, &self.person);
        text("referral.reason", &referral.reason)?;
        code(r, Kind::Urgency, "referral.urgency", &referral.urgency)?;
        for h in &referral.history {
            text("referral.history.note", &h.note)?;
            text("referral.history.by", &h.by)?;
        }
        if let Some(cf) = &person.codice_fiscale {
            CodiceFiscale::parse(cf).map_err(|e| format!("campo «person.codice_fiscale»: {e}"))?;
        }
        for (field, value) in [
            ("person.surname", &person.surname),
            ("person.given_names", &person.given_names),
            ("person.phone", &person.phone),
            ("person.email", &person.email),
            ("person.language", &person.language),
        ] {
            text(field, value)?;
        }
        for (field, value) in [
            ("person.birth_place", &person.birth_place),
            ("person.citizenship", &person.citizenship),
        ] {
            text(field, value.as_deref().unwrap_or(""))?;
        }
        if let Some(c) = &person.residence_istat {
            comune(r, "person.residence_istat", c)?;
        }
        needs(
            r,
            self.needs
                .iter()
                .map(|n| (n.area.as_str(), n.category.as_str(), n.urgency.as_str())),
        )?;
        for n in &self.needs {
            text("needs.description", &n.description)?;
        }
        outcomes(r, &self.outcomes)
    }
}

impl BundleRecord for AnonymizationRecord {
    fn id(&self) -> Option<u128> {
        Some(self.person_id.as_u128())
    }

    fn check(&self, _: &Reference) -> Result<(), String> {
        Ok(())
    }
}

impl BundleRecord for StatusRecord {
    fn id(&self) -> Option<u128> {
        Some(self.referral_id.as_u128())
    }

    fn check(&self, _: &Reference) -> Result<(), String> {
        for d in &self.decisions {
            text("decisions.note", &d.note)?;
            text("decisions.by", &d.by)?;
        }
        Ok(())
    }
}

/// The directory document: checked whole by the HSDS import that follows.
impl BundleRecord for serde_json::Value {
    fn id(&self) -> Option<u128> {
        None
    }

    fn check(&self, _: &Reference) -> Result<(), String> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> AccessRecord {
        AccessRecord {
            id: uuid::Uuid::now_v7(),
            month: "2026-11".into(),
            channel: "phone".into(),
            interlocutor: "user".into(),
            reason: "spontaneous".into(),
            needs: vec![("poverty".into(), "housing".into(), "urgent".into())],
            outcomes: vec!["oriented".into()],
            sex: Some("F".into()),
            age_band: "35_44".into(),
            citizenship_area: "italy".into(),
            comune: Some("072046".into()),
            person_key: Some("ab12".into()),
            referred: false,
            desk: None,
            services: Vec::new(),
            unmet: vec![("housing".into(), "full".into(), String::new())],
            complaints: Vec::new(),
        }
    }

    #[test]
    fn a_record_is_checked_like_a_form() {
        let r = crate::assets::reference().unwrap();
        assert_eq!(record().check(&r), Ok(()));
        let bad = |f: fn(&mut AccessRecord)| {
            let mut a = record();
            f(&mut a);
            a.check(&r).unwrap_err()
        };
        assert!(bad(|a| a.month = "2026-13".into()).contains("non è un mese"));
        assert!(bad(|a| a.month = "26-1".into()).contains("non è un mese"));
        assert!(bad(|a| a.channel = "teleport".into()).contains("«teleport» sconosciuto"));
        assert!(bad(|a| a.comune = Some("999999".into())).contains("ISTAT"));
        assert!(bad(|a| a.unmet[0].1 = "boh".into()).contains("unmet.reason"));
        assert!(bad(|a| a.desk = Some("072046".into())).contains("desk"));
        assert!(bad(|a| a.person_key = Some("x\u{0}".into())).contains("chiave"));
        assert!(text("note", "riga\nriga\tcolonna").is_ok());
        assert!(text("note", "nul\u{0}").unwrap_err().contains("U+0000"));
        assert!(text("note", "esc\u{1b}[31m")
            .unwrap_err()
            .contains("U+001B"));
    }
}
