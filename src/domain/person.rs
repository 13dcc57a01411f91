//! The people the desk receives: identity, codice fiscale (or a temporary code), residence,
//! contacts, household; and the rules for checking what a worker types.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codice_fiscale::{mismatches, names_agree, CodiceFiscale};
use super::place::{ComuneInput, Places};
use super::text::fold;
use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    M,
    F,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::M => "M",
            Sex::F => "F",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sex::M => "Maschile",
            Sex::F => "Femminile",
        }
    }

    /// "maschile" / "femminile", inside a sentence.
    pub fn adjective(self) -> &'static str {
        match self {
            Sex::M => "maschile",
            Sex::F => "femminile",
        }
    }

    pub fn from_code(code: &str) -> Option<Sex> {
        match code.trim().to_uppercase().as_str() {
            "M" => Some(Sex::M),
            "F" => Some(Sex::F),
            _ => None,
        }
    }
}

/// Someone living with the person: a linked record, or just what was said at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdMember {
    pub person_id: Option<Uuid>,
    pub name: String,
    pub relation: String,
    pub birth_year: Option<i32>,
}

/// A person known to the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub codice_fiscale: Option<CodiceFiscale>,
    /// Given when there is no codice fiscale (people without documents, newborns); replaced later.
    pub temporary_code: Option<String>,
    pub surname: String,
    pub given_names: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    /// Belfiore code of the birth place (a comune or a foreign state).
    pub birth_place: Option<String>,
    /// `IT`, a state's Belfiore code, or `APOLIDE`.
    pub citizenship: Option<String>,
    pub residence_istat: Option<String>,
    pub domicile_istat: Option<String>,
    /// *Senza fissa dimora*.
    pub homeless: bool,
    pub phone: String,
    pub email: String,
    pub language: String,
    pub household: Vec<HouseholdMember>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The privacy notice (GDPR art. 13), once given.
    #[serde(default)]
    pub privacy_notice: Option<NoticeGiven>,
    /// Consents for optional purposes, with withdrawals.
    #[serde(default)]
    pub consents: Vec<super::privacy::Consent>,
    /// Restriction of processing (art. 18), when in force.
    #[serde(default)]
    pub restriction: Option<super::privacy::Restriction>,
    /// Set when this record was merged into another (it stays, as a pointer, until undone).
    #[serde(default)]
    pub merged_into: Option<super::merge::MergedInto>,
}

/// That the privacy notice was given, when, which version and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeGiven {
    pub date: NaiveDate,
    pub version: String,
    /// `signed` (on paper) or `oral` (read aloud, e.g. on the phone).
    pub method: String,
    pub recorded_by: String,
}

impl NoticeGiven {
    pub fn method_label(&self) -> &'static str {
        match self.method.as_str() {
            "signed" => "firmata su carta",
            _ => "letta a voce",
        }
    }
}

impl Person {
    /// "ROSSI Mario".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.surname.to_uppercase(), self.given_names)
    }

    /// The identifying code shown everywhere: the codice fiscale, else the temporary code.
    pub fn code(&self) -> Option<&str> {
        self.codice_fiscale
            .as_ref()
            .map(CodiceFiscale::as_str)
            .or(self.temporary_code.as_deref())
    }

    pub fn age_on(&self, date: NaiveDate) -> Option<u32> {
        let birth = self.birth_date?;
        let mut age = date.year() - birth.year();
        if (date.month(), date.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }

    pub fn is_restricted(&self) -> bool {
        self.restriction.is_some()
    }

    /// Whether the person currently consents to `purpose`.
    pub fn consents_to(&self, purpose: &str) -> bool {
        self.consents
            .iter()
            .any(|c| c.purpose == purpose && c.is_active())
    }

    /// Folded surname and given names, for duplicate checks.
    pub fn folded_name(&self) -> String {
        fold(&format!("{} {}", self.surname, self.given_names))
    }
}

/// A person as typed in a form or sent to the API (every field text, possibly empty).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub codice_fiscale: String,
    #[serde(default)]
    pub surname: String,
    #[serde(default)]
    pub given_names: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub birth_place: String,
    #[serde(default)]
    pub citizenship: String,
    #[serde(default)]
    pub residence_istat: String,
    #[serde(default)]
    pub domicile_istat: String,
    #[serde(default)]
    pub homeless: bool,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub household: Vec<HouseholdForm>,
}

/// One household row as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HouseholdForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub birth_year: String,
    /// Codice fiscale or temporary code of the member, when registered: links the records.
    #[serde(default)]
    pub code: String,
}

/// A short fingerprint of a set of warnings: the form carries it once the warnings were shown, so
/// saving again goes through only for those same warnings (a new one is shown first).
pub fn warnings_fingerprint(warnings: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(warnings.join("\n").as_bytes());
    hex::encode(&digest[..8])
}

/// The checked fields of a person (no id, no dates of record), plus warnings worth showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonData {
    pub codice_fiscale: Option<CodiceFiscale>,
    pub surname: String,
    pub given_names: String,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub citizenship: Option<String>,
    pub residence_istat: Option<String>,
    pub domicile_istat: Option<String>,
    pub homeless: bool,
    pub phone: String,
    pub email: String,
    pub language: String,
    pub household: Vec<HouseholdMember>,
    /// (household row, code typed) to be linked to registered persons by the caller.
    pub household_links: Vec<(usize, String)>,
    pub warnings: Vec<String>,
}

/// Parses a date typed as 2024-03-01 (HTML date input) or 01/03/2024.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    super::when::read_date(text).ok()
}

fn limit(
    invalid: &mut Invalid,
    field: &'static str,
    value: &str,
    max: usize,
    what: &str,
) -> String {
    let v = value.trim().to_string();
    if v.chars().count() > max {
        invalid.add(field, format!("{what}: al massimo {max} caratteri."));
    }
    v
}

impl PersonForm {
    /// Checks every field against the rules and the reference data. A codice fiscale fills in
    /// sex, birth date and place when they are empty, and must agree with them when they are not.
    pub fn validate(&self, places: &Places, today: NaiveDate) -> Result<PersonData, Invalid> {
        let mut invalid = Invalid::new();
        let mut warnings = Vec::new();

        let surname = limit(&mut invalid, "surname", &self.surname, 80, "Cognome");
        if surname.is_empty() {
            invalid.add("surname", "Indicare il cognome.");
        }
        let given_names = limit(&mut invalid, "given_names", &self.given_names, 80, "Nome");
        if given_names.is_empty() {
            invalid.add("given_names", "Indicare il nome.");
        }

        let mut sex = None;
        if !self.sex.trim().is_empty() {
            sex = Sex::from_code(&self.sex);
            if sex.is_none() {
                invalid.add("sex", "Il sesso è M o F.");
            }
        }

        let mut birth_date = None;
        if !self.birth_date.trim().is_empty() {
            match super::when::read_date(&self.birth_date) {
                Ok(d) if d > today => invalid.add("birth_date", "La data di nascita è nel futuro."),
                Ok(d) if d.year() < 1900 => {
                    invalid.add("birth_date", "La data di nascita è precedente al 1900.")
                }
                Ok(d) => birth_date = Some(d),
                Err(e) => invalid.add("birth_date", e.to_string()),
            }
        }

        let mut birth_place = None;
        if !self.birth_place.trim().is_empty() {
            match places.birth_place(&self.birth_place) {
                Ok(code) => birth_place = Some(code),
                Err(msg) => invalid.add("birth_place", msg),
            }
        }

        let mut codice_fiscale = None;
        if !self.codice_fiscale.trim().is_empty() {
            match CodiceFiscale::parse(&self.codice_fiscale) {
                Err(e) => invalid.add("codice_fiscale", e.to_string()),
                Ok(cf) => match cf.decode(today, Some(places.belfiore)) {
                    Err(e) => invalid.add("codice_fiscale", e.to_string()),
                    Ok(mut decoded) => {
                        // A typed date in the other century the code allows is the one that holds.
                        if let Some(date) =
                            birth_date.filter(|d| decoded.possible_dates.contains(d))
                        {
                            decoded.birth_date = date;
                        }
                        for (_, msg) in mismatches(&decoded, sex, birth_date) {
                            invalid.add("codice_fiscale", msg);
                        }
                        if let Some(place) = &birth_place {
                            if *place != decoded.place_code {
                                invalid.add(
                                    "codice_fiscale",
                                    format!(
                                        "Il codice fiscale indica il luogo di nascita {}, diverso da quello indicato ({}).",
                                        places.birth_place_label(&decoded.place_code),
                                        places.birth_place_label(place)
                                    ),
                                );
                            }
                        }
                        if !places.belfiore.knows(&decoded.place_code) {
                            warnings.push(format!(
                                "Il codice catastale {} del codice fiscale non è nell'elenco: verificarlo.",
                                decoded.place_code
                            ));
                        }
                        if !surname.is_empty()
                            && !given_names.is_empty()
                            && !names_agree(&cf, &surname, &given_names)
                        {
                            warnings.push(
                                "Le prime sei lettere del codice fiscale non corrispondono a cognome e nome: \
                                 controllare la grafia (per i nomi stranieri può essere normale)."
                                    .into(),
                            );
                        }
                        sex = sex.or(Some(decoded.sex));
                        birth_date = birth_date.or(Some(decoded.birth_date));
                        if places.belfiore.knows(&decoded.place_code) {
                            birth_place = birth_place.or(Some(decoded.place_code.clone()));
                        }
                        codice_fiscale = Some(cf);
                    }
                },
            }
        }

        let mut citizenship = None;
        if !self.citizenship.trim().is_empty() {
            match places.citizenship(&self.citizenship) {
                Ok(c) => citizenship = Some(c),
                Err(msg) => invalid.add("citizenship", msg),
            }
        }

        let mut comune = |field: &'static str, typed: &str| -> Option<String> {
            if typed.trim().is_empty() {
                return None;
            }
            match places.comune(typed) {
                Ok(ComuneInput::Known(code)) => Some(code),
                Ok(ComuneInput::Unknown(code)) => {
                    warnings.push(format!(
                        "Il codice ISTAT {code} non è nell'elenco dei comuni incluso (aggiornato al 2020): accettato così com'è."
                    ));
                    Some(code)
                }
                Err(msg) => {
                    invalid.add(field, msg);
                    None
                }
            }
        };
        let residence_istat = comune("residence_istat", &self.residence_istat);
        let domicile_istat = comune("domicile_istat", &self.domicile_istat);

        let phone = limit(&mut invalid, "phone", &self.phone, 40, "Telefono");
        if !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '/' | '.' | '(' | ')'))
        {
            invalid.add(
                "phone",
                "Il telefono può contenere cifre, spazi e i segni + - / . ( ).",
            );
        }
        let email = limit(&mut invalid, "email", &self.email, 120, "E-mail");
        if !email.is_empty() && !super::contact::looks_like_email(&email) {
            invalid.add(
                "email",
                "Indirizzo e-mail non valido (esempio: nome@dominio.it).",
            );
        }
        let language = limit(&mut invalid, "language", &self.language, 40, "Lingua");

        let mut household = Vec::new();
        let mut household_links = Vec::new();
        for row in &self.household {
            let name = row.name.trim();
            let blank = [&row.relation, &row.birth_year, &row.code]
                .iter()
                .all(|f| f.trim().is_empty());
            if name.is_empty() && blank {
                continue;
            }
            if name.is_empty() {
                invalid.add(
                    "household",
                    "Per ogni componente del nucleo indicare almeno il nome.",
                );
                continue;
            }
            let birth_year = match row.birth_year.trim() {
                "" => None,
                y => match y.parse::<i32>() {
                    Ok(y) if (1900..=today.year()).contains(&y) => Some(y),
                    _ => {
                        invalid.add(
                            "household",
                            format!("Anno di nascita non valido per {name}: «{y}»."),
                        );
                        None
                    }
                },
            };
            let code = super::codice_fiscale::normalize(&row.code);
            if !code.is_empty() {
                household_links.push((household.len(), code));
            }
            household.push(HouseholdMember {
                person_id: None,
                name: name.chars().take(100).collect(),
                relation: row.relation.trim().chars().take(60).collect(),
                birth_year,
            });
        }

        invalid.into_result(PersonData {
            codice_fiscale,
            surname,
            given_names,
            sex,
            birth_date,
            birth_place,
            citizenship,
            residence_istat,
            domicile_istat,
            homeless: self.homeless,
            phone,
            email,
            language,
            household,
            household_links,
            warnings,
        })
    }
}

/// One field that changed, for the history of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Who changed what and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChange {
    pub time: DateTime<Utc>,
    pub user: String,
    pub changes: Vec<FieldChange>,
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

/// The fields, labelled, as shown to people (for the change history).
fn described(p: &Person) -> Vec<(&'static str, String)> {
    vec![
        (
            "Codice fiscale",
            p.codice_fiscale
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
        ),
        (
            "Codice provvisorio",
            p.temporary_code.clone().unwrap_or_default(),
        ),
        ("Cognome", p.surname.clone()),
        ("Nome", p.given_names.clone()),
        (
            "Sesso",
            p.sex.map(|s| s.code().to_string()).unwrap_or_default(),
        ),
        ("Data di nascita", opt_date(p.birth_date)),
        (
            "Luogo di nascita",
            p.birth_place.clone().unwrap_or_default(),
        ),
        ("Cittadinanza", p.citizenship.clone().unwrap_or_default()),
        (
            "Comune di residenza",
            p.residence_istat.clone().unwrap_or_default(),
        ),
        (
            "Comune di domicilio",
            p.domicile_istat.clone().unwrap_or_default(),
        ),
        (
            "Senza fissa dimora",
            if p.homeless {
                "sì".into()
            } else {
                "no".into()
            },
        ),
        ("Telefono", p.phone.clone()),
        ("E-mail", p.email.clone()),
        ("Lingua", p.language.clone()),
        (
            "Nucleo familiare",
            p.household
                .iter()
                .map(|m| {
                    let linked = m.person_id.map(|id| format!(" [{id}]")).unwrap_or_default();
                    let year = m.birth_year.map(|y| format!(", {y}")).unwrap_or_default();
                    format!("{} ({}{year}){linked}", m.name, m.relation)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

/// The fields that differ between two versions of a person.
pub fn diff(before: &Person, after: &Person) -> Vec<FieldChange> {
    described(before)
        .into_iter()
        .zip(described(after))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| FieldChange {
            field: field.to_string(),
            before: a,
            after: b,
        })
        .collect()
}

impl PersonData {
    /// A new person record from checked data. Without a codice fiscale it gets a temporary code.
    pub fn into_new_person(self, temporary_code: String, now: DateTime<Utc>) -> Person {
        let temporary_code = self.codice_fiscale.is_none().then_some(temporary_code);
        Person {
            id: Uuid::now_v7(),
            codice_fiscale: self.codice_fiscale,
            temporary_code,
            surname: self.surname,
            given_names: self.given_names,
            sex: self.sex,
            birth_date: self.birth_date,
            birth_place: self.birth_place,
            citizenship: self.citizenship,
            residence_istat: self.residence_istat,
            domicile_istat: self.domicile_istat,
            homeless: self.homeless,
            phone: self.phone,
            email: self.email,
            language: self.language,
            household: self.household,
            created_at: now,
            updated_at: now,
            privacy_notice: None,
            consents: Vec::new(),
            restriction: None,
            merged_into: None,
        }
    }

    /// `existing` with these fields. A temporary code stays until a codice fiscale replaces it.
    pub fn apply_to(self, existing: &Person, now: DateTime<Utc>) -> Person {
        // Removing a wrong codice fiscale must not leave the person without any code.
        let temporary_code = if self.codice_fiscale.is_some() {
            None
        } else {
            existing
                .temporary_code
                .clone()
                .or_else(|| Some(new_temporary_code()))
        };
        // Links to other records survive an edit of the household rows that name them.
        let household = self
            .household
            .into_iter()
            .map(|mut m| {
                m.person_id = m.person_id.or_else(|| {
                    existing
                        .household
                        .iter()
                        .find(|old| old.name == m.name)
                        .and_then(|old| old.person_id)
                });
                m
            })
            .collect();
        Person {
            id: existing.id,
            codice_fiscale: self.codice_fiscale,
            temporary_code,
            surname: self.surname,
            given_names: self.given_names,
            sex: self.sex,
            birth_date: self.birth_date,
            birth_place: self.birth_place,
            citizenship: self.citizenship,
            residence_istat: self.residence_istat,
            domicile_istat: self.domicile_istat,
            homeless: self.homeless,
            phone: self.phone,
            email: self.email,
            language: self.language,
            household,
            created_at: existing.created_at,
            updated_at: now,
            privacy_notice: existing.privacy_notice.clone(),
            consents: existing.consents.clone(),
            restriction: existing.restriction.clone(),
            merged_into: existing.merged_into.clone(),
        }
    }
}

/// A temporary code: `PROVV-` and eight characters (no look-alikes), unique in practice.
pub fn new_temporary_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut random = [0u8; 8];
    // If the OS generator fails, the time-ordered id still makes the code unique.
    if getrandom::getrandom(&mut random).is_err() {
        random.copy_from_slice(&Uuid::now_v7().as_bytes()[8..]);
    }
    let tail: String = random
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    format!("PROVV-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codice_fiscale::compose;

    fn places() -> (
        crate::domain::comune::ComuneRegistry,
        crate::domain::belfiore::BelfioreRegistry,
    ) {
        (
            crate::assets::comuni().unwrap(),
            crate::assets::belfiore().unwrap(),
        )
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn the_codice_fiscale_fills_in_and_cross_checks() {
        let (c, b) = places();
        let places = Places {
            comuni: &c,
            belfiore: &b,
        };
        let cf = compose(
            "Popescu",
            "Stefan",
            Sex::M,
            NaiveDate::from_ymd_opt(1988, 4, 2).unwrap(),
            "Z129",
        );
        let form = PersonForm {
            codice_fiscale: cf.to_string().to_lowercase(),
            surname: "Popescu".into(),
            given_names: "Ștefan".into(),
            citizenship: "Romania".into(),
            residence_istat: "Triggiano".into(),
            ..Default::default()
        };
        let data = form.validate(&places, today()).unwrap();
        assert_eq!(data.sex, Some(Sex::M));
        assert_eq!(data.birth_date, NaiveDate::from_ymd_opt(1988, 4, 2));
        assert_eq!(data.birth_place.as_deref(), Some("Z129"));
        assert_eq!(data.citizenship.as_deref(), Some("Z129"));
        assert_eq!(data.residence_istat.as_deref(), Some("072046"));
        assert!(data.warnings.is_empty(), "{:?}", data.warnings);

        let wrong = PersonForm {
            sex: "F".into(),
            birth_date: "03/04/1988".into(),
            ..form.clone()
        };
        let err = wrong.validate(&places, today()).unwrap_err();
        let msgs: Vec<_> = err
            .0
            .iter()
            .filter(|e| e.field == "codice_fiscale")
            .map(|e| e.message.clone())
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("sesso maschile"));
        assert!(msgs[1].contains("02/04/1988"));
    }

    #[test]
    fn a_centenarian_and_a_baby_share_the_code_digits_and_both_are_accepted() {
        let (c, b) = places();
        let places = Places {
            comuni: &c,
            belfiore: &b,
        };
        for (born, typed) in [("1925-09-12", "12/09/1925"), ("2025-09-12", "12/09/2025")] {
            let born = NaiveDate::parse_from_str(born, "%Y-%m-%d").unwrap();
            let cf = compose("Haran", "Nadia", Sex::F, born, "H501");
            assert!(cf.as_str().starts_with("HRNNDA25P52"), "{cf}");
            let form = PersonForm {
                codice_fiscale: cf.to_string(),
                surname: "Haran".into(),
                given_names: "Nadia".into(),
                birth_date: typed.into(),
                ..Default::default()
            };
            let data = form.validate(&places, today()).unwrap();
            assert_eq!(data.birth_date, Some(born));
            assert_eq!(data.sex, Some(Sex::F));
        }
        // With no date typed, decoding keeps the most recent century in the past.
        let cf = compose(
            "Haran",
            "Nadia",
            Sex::F,
            NaiveDate::from_ymd_opt(1925, 9, 12).unwrap(),
            "H501",
        );
        let form = PersonForm {
            codice_fiscale: cf.to_string(),
            surname: "Haran".into(),
            given_names: "Nadia".into(),
            ..Default::default()
        };
        let data = form.validate(&places, today()).unwrap();
        assert_eq!(data.birth_date, NaiveDate::from_ymd_opt(2025, 9, 12));
        // A date in neither century still contradicts the code.
        let wrong = PersonForm {
            birth_date: "12/09/1975".into(),
            ..form
        };
        let refused = wrong.validate(&places, today()).unwrap_err();
        assert_eq!(
            refused.message("codice_fiscale"),
            Some(
                "Il codice fiscale indica la data di nascita 12/09/1925 o 12/09/2025, diversa da \
                 quella indicata (12/09/1975)."
            ),
            "both centuries the code allows are named (review of issue 16)"
        );
    }

    #[test]
    fn bad_fields_are_named_and_nothing_is_guessed() {
        let (c, b) = places();
        let places = Places {
            comuni: &c,
            belfiore: &b,
        };
        let form = PersonForm {
            codice_fiscale: "RSSMRA80A01H501X".into(),
            surname: "".into(),
            given_names: "Mario".into(),
            sex: "X".into(),
            birth_date: "31/02/1980".into(),
            email: "mario@".into(),
            phone: "333-abc".into(),
            residence_istat: "Atlantide".into(),
            ..Default::default()
        };
        let err = form.validate(&places, today()).unwrap_err();
        for field in [
            "surname",
            "sex",
            "birth_date",
            "codice_fiscale",
            "residence_istat",
            "phone",
            "email",
        ] {
            assert!(
                err.message(field).is_some(),
                "no message for {field}: {err:?}"
            );
        }
    }

    #[test]
    fn history_lists_what_changed() {
        let (c, b) = places();
        let places = Places {
            comuni: &c,
            belfiore: &b,
        };
        let form = PersonForm {
            surname: "Rossi".into(),
            given_names: "Maria".into(),
            ..Default::default()
        };
        let p = form
            .clone()
            .validate(&places, today())
            .unwrap()
            .into_new_person(new_temporary_code(), Utc::now());
        assert!(p.temporary_code.as_deref().unwrap().starts_with("PROVV-"));
        let edited = PersonForm {
            phone: "080 123456".into(),
            ..form
        }
        .validate(&places, today())
        .unwrap()
        .apply_to(&p, Utc::now());
        assert_eq!(edited.temporary_code, p.temporary_code);
        let d = diff(&p, &edited);
        assert_eq!(
            d,
            vec![FieldChange {
                field: "Telefono".into(),
                before: "".into(),
                after: "080 123456".into()
            }]
        );
    }
}
