//! The installation itself: whether it is a comune desk or the Ambito's district office, and where.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::comune::{is_istat_code, Comune, ComuneRegistry};
use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceRole {
    /// A comune's Segretariato Sociale desk.
    Desk,
    /// The Ambito's Servizio Sociale Professionale, importing from the desks.
    District,
}

impl InstanceRole {
    pub fn code(self) -> &'static str {
        match self {
            InstanceRole::Desk => "desk",
            InstanceRole::District => "district",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InstanceRole::Desk => "Sportello comunale (Segretariato Sociale)",
            InstanceRole::District => "Ambito territoriale (Servizio Sociale Professionale)",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "desk" => Some(InstanceRole::Desk),
            "district" => Some(InstanceRole::District),
            _ => None,
        }
    }
}

/// The Ambito Territoriale Sociale the comune belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ambito {
    pub code: String,
    pub name: String,
}

impl Ambito {
    /// The Ambito as a title: "Ambito territoriale di Triggiano" names itself; a bare name
    /// ("BA05 Triggiano") gets the words, so no page says "Ambito territoriale: Ambito …".
    pub fn title(&self) -> String {
        if self.name.to_lowercase().starts_with("ambito") {
            self.name.clone()
        } else {
            format!("Ambito territoriale {}", self.name)
        }
    }
}

impl Instance {
    /// The administration this installation serves, as Bootstrap Italia puts it in the header.
    pub fn administration(&self) -> String {
        match self.role {
            InstanceRole::Desk => format!("Comune di {}", self.comune.name),
            InstanceRole::District => self.ambito.title(),
        }
    }

    /// The office within it.
    pub fn office(&self) -> &'static str {
        match self.role {
            InstanceRole::Desk => "Segretariato Sociale",
            InstanceRole::District => "Servizio Sociale Professionale",
        }
    }
}

/// Identity of this installation, fixed at setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub id: Uuid,
    pub role: InstanceRole,
    /// The desk's comune; for a district, the lead comune (*capofila*) of the Ambito.
    pub comune: Comune,
    pub ambito: Ambito,
    pub created_at: DateTime<Utc>,
}

/// Setup answers as typed.
#[derive(Debug, Clone, Default)]
pub struct InstanceForm {
    pub role: String,
    pub comune_istat: String,
    pub comune_name: String,
    pub ambito_code: String,
    pub ambito_name: String,
}

/// A valid setup, plus warnings worth showing (e.g. an ISTAT code newer than the shipped list).
#[derive(Debug, Clone)]
pub struct CheckedInstance {
    pub role: InstanceRole,
    pub comune: Comune,
    pub ambito: Ambito,
    pub warnings: Vec<String>,
}

impl InstanceForm {
    pub fn validate(&self, comuni: &ComuneRegistry) -> Result<CheckedInstance, Invalid> {
        let mut invalid = Invalid::new();
        let mut warnings = Vec::new();
        let role = InstanceRole::from_code(self.role.trim());
        if role.is_none() {
            invalid.add(
                "role",
                "Scegliere se questa installazione è uno sportello comunale o l'ufficio d'Ambito.",
            );
        }
        let istat = self.comune_istat.trim().to_string();
        let mut comune_name = self.comune_name.trim().to_string();
        if !is_istat_code(&istat) {
            invalid.add(
                "comune_istat",
                "Il codice ISTAT del comune è fatto di 6 cifre (per esempio 072046).",
            );
        } else {
            match comuni.get(&istat) {
                Some(info) if comune_name.is_empty() => comune_name = info.name.clone(),
                Some(_) => {}
                None => warnings.push(format!(
                    "Il codice ISTAT {istat} non è nell'elenco dei comuni incluso (aggiornato al 2020): \
                     è stato accettato così come scritto; verificarlo."
                )),
            }
        }
        if comune_name.is_empty() {
            invalid.add("comune_name", "Indicare il nome del comune.");
        } else if comune_name.chars().count() > 100 {
            invalid.add("comune_name", "Il nome del comune è troppo lungo.");
        }
        let ambito_code = self.ambito_code.trim().to_string();
        if ambito_code.is_empty() || ambito_code.chars().count() > 20 {
            invalid.add(
                "ambito_code",
                "Indicare il codice dell'Ambito territoriale (al massimo 20 caratteri, per esempio BA05).",
            );
        }
        let ambito_name = self.ambito_name.trim().to_string();
        if ambito_name.is_empty() || ambito_name.chars().count() > 150 {
            invalid.add(
                "ambito_name",
                "Indicare il nome dell'Ambito territoriale (al massimo 150 caratteri).",
            );
        }
        match role {
            Some(role) if invalid.is_empty() => Ok(CheckedInstance {
                role,
                comune: Comune {
                    istat,
                    name: comune_name,
                },
                ambito: Ambito {
                    code: ambito_code,
                    name: ambito_name,
                },
                warnings,
            }),
            _ => Err(invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> ComuneRegistry {
        ComuneRegistry::from_csv(
            "istat,name,province,region,belfiore,population_2011\n072046,Triggiano,BA,Puglia,L425,27130\n",
        )
        .unwrap()
    }

    #[test]
    fn known_code_fills_the_name_unknown_code_warns() {
        let form = InstanceForm {
            role: "desk".into(),
            comune_istat: "072046".into(),
            comune_name: "".into(),
            ambito_code: "BA05".into(),
            ambito_name: "Ambito di Triggiano".into(),
        };
        let ok = form.validate(&registry()).unwrap();
        assert_eq!(ok.comune.name, "Triggiano");
        assert!(ok.warnings.is_empty());

        let newer = InstanceForm {
            comune_istat: "099999".into(),
            comune_name: "Nuovo Comune".into(),
            ..form.clone()
        };
        assert_eq!(newer.validate(&registry()).unwrap().warnings.len(), 1);

        let bad = InstanceForm {
            role: "x".into(),
            comune_istat: "12".into(),
            ..form
        };
        let err = bad.validate(&registry()).unwrap_err();
        assert!(err.message("role").is_some());
        assert!(err.message("comune_istat").is_some());
    }
}

/// How citizens reach the desk, printed on every document they take home.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskContacts {
    pub address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    /// The DPO (*RPD*) of the comune: name and contact, told to citizens in the art. 15 report.
    #[serde(default)]
    pub dpo: String,
}

impl DeskContacts {
    pub fn validate(self) -> Result<DeskContacts, Invalid> {
        let mut invalid = Invalid::new();
        let trim = |s: String| s.trim().to_string();
        let c = DeskContacts {
            address: trim(self.address),
            phone: trim(self.phone),
            email: trim(self.email),
            hours: trim(self.hours),
            dpo: trim(self.dpo),
        };
        for (field, value, max) in [
            ("address", &c.address, 200),
            ("phone", &c.phone, 60),
            ("email", &c.email, 120),
            ("hours", &c.hours, 300),
            ("dpo", &c.dpo, 200),
        ] {
            if value.chars().count() > max {
                invalid.add(field, format!("Al massimo {max} caratteri."));
            }
        }
        if !c.email.is_empty() && !super::contact::looks_like_email(&c.email) {
            invalid.add("email", "Indirizzo e-mail non valido.");
        }
        if let Err(msg) = super::when::check_times_in(&c.hours) {
            invalid.add("hours", msg);
        }
        invalid.into_result(c)
    }

    /// Whether citizens can be told how to reach the desk (a phone or an e-mail).
    pub fn reachable(&self) -> bool {
        !self.phone.is_empty() || !self.email.is_empty()
    }

    /// Phone and e-mail on one line ("Tel. 080 123 · sportello@comune.it").
    pub fn reach(&self) -> String {
        [("Tel. ", &self.phone), ("", &self.email)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(p, v)| format!("{p}{v}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Lines for the header of printed documents.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.address.is_empty() {
            out.push(self.address.clone());
        }
        if self.reachable() {
            out.push(self.reach());
        }
        if !self.hours.is_empty() {
            out.push(self.hours.clone());
        }
        out
    }
}
