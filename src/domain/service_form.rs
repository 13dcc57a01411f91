//! A directory service as typed by the responsabile in the edit form, and its checks.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::comune::{is_istat_code, ComuneRegistry};
use super::contact::{looks_like_email, website};
use super::directory::{Closure, Location, Service, ServiceStatus, Slot};
use super::person::Sex;
use super::text::fold;
use super::vocabulary::{Kind, Vocabularies};
use super::when::{read_date, read_time, DateError};
use super::Invalid;

/// Every field as text (checkbox groups as lists); multi-value fields one per line or comma.
#[derive(Debug, Clone, Default)]
pub struct ServiceForm {
    pub organization_id: String,
    pub name: String,
    pub description: String,
    pub areas: Vec<String>,
    pub categories: Vec<String>,
    pub eligibility: String,
    pub min_age: String,
    pub max_age: String,
    /// "F", "M" or empty (both).
    pub for_sex: String,
    pub homeless_only: bool,
    pub required_documents: String,
    pub application_process: String,
    pub fees: String,
    pub languages: String,
    pub status: String,
    pub verified_on: String,
    pub alert: String,
    pub url: String,
    pub email: String,
    pub phones: String,
    pub comuni_served: String,
    pub location_name: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub province: String,
    pub location_comune: String,
    pub accessibility: String,
    pub transportation: String,
    pub location_phones: String,
    pub confidential: bool,
    pub hours: String,
    pub closures: String,
}

fn list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Weekday number from an Italian name or its first three letters ("lun", "martedì").
fn weekday_from_name(word: &str) -> Option<u8> {
    let w = fold(word);
    ["lun", "mar", "mer", "gio", "ven", "sab", "dom"]
        .iter()
        .position(|p| w.starts_with(p))
        .map(|i| i as u8 + 1)
}

/// "lunedì 09:00-12:00, 15:00-17:00" → slots.
pub fn parse_hours(text: &str) -> Result<Vec<Slot>, String> {
    let mut slots = Vec::new();
    for line in lines(text) {
        let (day, times) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("Riga d'orario «{line}»: scrivere il giorno e poi gli orari, es. «lunedì 09:00-12:00»."))?;
        let weekday =
            weekday_from_name(day).ok_or_else(|| format!("Giorno non riconosciuto: «{day}»."))?;
        for range in times.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (a, b) = range.split_once(['-', '–']).ok_or_else(|| {
                format!("Orario «{range}»: scrivere inizio e fine, es. 09:00-12:00.")
            })?;
            let parse = read_time;
            match (parse(a), parse(b)) {
                (Ok(opens), Ok(closes)) if opens < closes => slots.push(Slot {
                    weekday,
                    opens,
                    closes,
                }),
                _ => {
                    return Err(format!(
                        "Orario non valido: «{range}» (es. 09:00-12:00, la fine dopo l'inizio)."
                    ))
                }
            }
        }
    }
    Ok(slots)
}

pub fn format_hours(slots: &[Slot]) -> String {
    let s = Service::hours_text(slots);
    s.join("\n")
}

/// "24/12/2026-26/12/2026 Chiuso per le festività" → closures.
pub fn parse_closures(text: &str) -> Result<Vec<Closure>, String> {
    let mut out = Vec::new();
    for line in lines(text) {
        let (dates, note) = line
            .split_once(char::is_whitespace)
            .unwrap_or((line.as_str(), ""));
        let (from, to) = dates.split_once('-').unwrap_or((dates, dates));
        // A day that does not exist is named as such; only a wrong shape asks for the format.
        let read = |t: &str| {
            read_date(t).map_err(|e| match e {
                DateError::Format => format!(
                    "Chiusura «{line}»: scrivere le date come gg/mm/aaaa-gg/mm/aaaa e poi il motivo."
                ),
                other => format!("Chiusura «{line}»: {other}"),
            })
        };
        let (from, to) = (read(from)?, read(to)?);
        if to < from {
            return Err(format!(
                "Chiusura «{line}»: la fine ({}) è prima dell'inizio ({}).",
                to.format("%d/%m/%Y"),
                from.format("%d/%m/%Y")
            ));
        }
        out.push(Closure {
            from,
            to,
            note: note.trim().to_string(),
        });
    }
    Ok(out)
}

pub fn format_closures(c: &[Closure]) -> String {
    c.iter()
        .map(|c| {
            format!(
                "{}-{} {}",
                c.from.format("%d/%m/%Y"),
                c.to.format("%d/%m/%Y"),
                c.note
            )
            .trim()
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl ServiceForm {
    /// The form prefilled from a service (its first location is the one edited).
    pub fn of(s: &Service) -> Self {
        let loc = s.locations.first();
        let get = |f: fn(&Location) -> String| loc.map(f).unwrap_or_default();
        ServiceForm {
            organization_id: s.organization_id.to_string(),
            name: s.name.clone(),
            description: s.description.clone(),
            areas: s.areas.clone(),
            categories: s.categories.clone(),
            eligibility: s.eligibility.clone(),
            min_age: s.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: s.max_age.map(|a| a.to_string()).unwrap_or_default(),
            for_sex: s.for_sex.map(|x| x.code().to_string()).unwrap_or_default(),
            homeless_only: s.homeless_only,
            required_documents: s.required_documents.join("\n"),
            application_process: s.application_process.clone(),
            fees: s.fees.clone(),
            languages: s.languages.join(", "),
            status: s.status.hsds().to_string(),
            verified_on: s
                .verified_on
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            alert: s.alert.clone(),
            url: s.url.clone(),
            email: s.email.clone(),
            phones: s.phones.join(", "),
            comuni_served: s.comuni_served.join(", "),
            location_name: get(|l| l.name.clone()),
            address: get(|l| l.address.clone()),
            postal_code: get(|l| l.postal_code.clone()),
            city: get(|l| l.city.clone()),
            province: get(|l| l.province.clone()),
            location_comune: get(|l| l.comune_istat.clone()),
            accessibility: get(|l| l.accessibility.clone()),
            transportation: get(|l| l.transportation.clone()),
            location_phones: get(|l| l.phones.join(", ")),
            confidential: loc.is_some_and(|l| l.confidential),
            hours: format_hours(&s.hours),
            closures: format_closures(&s.closures),
        }
    }

    /// Checks every field; `existing` keeps the id, the other locations and the example flag.
    pub fn validate(
        &self,
        vocab: &Vocabularies,
        comuni: &ComuneRegistry,
        organizations: &[Uuid],
        existing: Option<&Service>,
        today: NaiveDate,
    ) -> Result<Service, Invalid> {
        let mut invalid = Invalid::new();
        let organization_id = Uuid::parse_str(self.organization_id.trim())
            .ok()
            .filter(|id| organizations.contains(id));
        if organization_id.is_none() {
            invalid.add("organization_id", "Scegliere l'ente che offre il servizio.");
        }
        let name = self.name.trim().to_string();
        if name.is_empty() {
            invalid.add(
                "name",
                "Indicare il nome del servizio (al massimo 200 caratteri).",
            );
        }
        for (field, kind, codes) in [
            ("areas", Kind::Area, &self.areas),
            ("categories", Kind::Category, &self.categories),
        ] {
            if codes.iter().any(|c| !vocab.contains(kind, c)) {
                invalid.add(field, "Codice non previsto.");
            }
        }
        if self.categories.is_empty() {
            invalid.add(
                "categories",
                "Scegliere almeno un bisogno a cui il servizio risponde.",
            );
        }
        let age = |field: &'static str, text: &str, invalid: &mut Invalid| -> Option<u32> {
            match text.trim() {
                "" => None,
                t => t.parse::<u32>().ok().filter(|a| *a <= 130).or_else(|| {
                    invalid.add(field, "Età in anni (un numero).");
                    None
                }),
            }
        };
        let min_age = age("min_age", &self.min_age, &mut invalid);
        let max_age = age("max_age", &self.max_age, &mut invalid);
        if let (Some(a), Some(b)) = (min_age, max_age) {
            if a > b {
                invalid.add("max_age", "L'età massima è minore della minima.");
            }
        }
        let status = ServiceStatus::from_hsds(self.status.trim()).unwrap_or_else(|| {
            invalid.add("status", "Scegliere lo stato del servizio.");
            ServiceStatus::Active
        });
        let verified_on = match self.verified_on.trim() {
            "" => None,
            t => match read_date(t) {
                Ok(d) if d <= today => Some(d),
                Ok(_) => {
                    invalid.add("verified_on", "La data di verifica è nel futuro.");
                    None
                }
                Err(e) => {
                    invalid.add("verified_on", e.to_string());
                    None
                }
            },
        };
        let languages: Vec<String> = list(&self.languages)
            .into_iter()
            .map(|l| l.to_lowercase())
            .collect();
        if languages
            .iter()
            .any(|l| l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            invalid.add(
                "languages",
                "Codici di due lettere separati da virgola (es. it, en, ro).",
            );
        }
        let email = self.email.trim().to_string();
        if !email.is_empty() && !looks_like_email(&email) {
            invalid.add("email", "Indirizzo e-mail non valido.");
        }
        let url = website(&self.url).unwrap_or_else(|msg| {
            invalid.add("url", msg);
            self.url.trim().to_string()
        });
        let mut comuni_served = Vec::new();
        for c in list(&self.comuni_served) {
            if is_istat_code(&c) {
                comuni_served.push(c);
            } else {
                match comuni.find_by_name(&fold(&c)).as_slice() {
                    [one] => comuni_served.push(one.istat.clone()),
                    _ => invalid.add("comuni_served", format!("Comune «{c}» non riconosciuto: usare il nome esatto o il codice ISTAT.")),
                }
            }
        }
        let hours = parse_hours(&self.hours).unwrap_or_else(|e| {
            invalid.add("hours", e);
            Vec::new()
        });
        let closures = parse_closures(&self.closures).unwrap_or_else(|e| {
            invalid.add("closures", e);
            Vec::new()
        });
        let mut location_comune = self.location_comune.trim().to_string();
        if location_comune.is_empty() && !self.city.trim().is_empty() {
            if let [one] = comuni.find_by_name(&fold(self.city.trim())).as_slice() {
                location_comune = one.istat.clone();
            }
        }
        if !location_comune.is_empty() && !is_istat_code(&location_comune) {
            invalid.add("location_comune", "Codice ISTAT di 6 cifre.");
        }
        let mut locations: Vec<Location> = existing
            .map(|s| s.locations.iter().skip(1).cloned().collect())
            .unwrap_or_default();
        if !self.address.trim().is_empty() || !self.location_name.trim().is_empty() {
            let id = existing
                .and_then(|s| s.locations.first())
                .map_or_else(Uuid::now_v7, |l| l.id);
            locations.insert(
                0,
                Location {
                    id,
                    name: self.location_name.trim().to_string(),
                    address: self.address.trim().to_string(),
                    postal_code: self.postal_code.trim().to_string(),
                    city: self.city.trim().to_string(),
                    province: self.province.trim().to_uppercase(),
                    comune_istat: location_comune,
                    accessibility: self.accessibility.trim().to_string(),
                    transportation: self.transportation.trim().to_string(),
                    phones: list(&self.location_phones),
                    confidential: self.confidential,
                },
            );
        }
        invalid.0.extend(
            cap_problems([
                ("name", self.name.trim()),
                ("description", &self.description),
                ("eligibility", &self.eligibility),
                ("application_process", &self.application_process),
                ("fees", &self.fees),
                ("alert", &self.alert),
            ])
            .0,
        );
        let for_sex = match self.for_sex.trim() {
            "" => None,
            code => Sex::from_code(code).or_else(|| {
                invalid.add("for_sex", "Scegliere a chi è riservato il servizio.");
                None
            }),
        };
        match organization_id {
            Some(organization_id) if invalid.is_empty() => Ok(Service {
                id: existing.map_or_else(Uuid::now_v7, |s| s.id),
                organization_id,
                name,
                description: self.description.trim().to_string(),
                areas: self.areas.clone(),
                categories: self.categories.clone(),
                eligibility: self.eligibility.trim().to_string(),
                min_age,
                max_age,
                required_documents: lines(&self.required_documents),
                application_process: self.application_process.trim().to_string(),
                fees: self.fees.trim().to_string(),
                languages,
                status,
                verified_on,
                alert: self.alert.trim().to_string(),
                url,
                email,
                phones: list(&self.phones),
                comuni_served,
                for_sex,
                homeless_only: self.homeless_only,
                locations,
                hours,
                closures,
                example: existing.is_some_and(|s| s.example),
                updated_at: Utc::now(),
            }),
            _ => Err(invalid),
        }
    }
}

/// The length caps of a service's texts, the same for the form, the API and an HSDS import.
pub const TEXT_CAPS: [(&str, usize); 6] = [
    ("name", 200),
    ("description", 4000),
    ("eligibility", 2000),
    ("application_process", 2000),
    ("fees", 1000),
    ("alert", 500),
];

/// The texts over their cap, each named.
pub fn cap_problems(texts: [(&'static str, &str); 6]) -> Invalid {
    let mut invalid = Invalid::new();
    for (field, text) in texts {
        let max = TEXT_CAPS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(usize::MAX, |(_, m)| *m);
        if text.chars().count() > max {
            invalid.add(field, format!("Al massimo {max} caratteri."));
        }
    }
    invalid
}

/// The texts of a service over their cap (a service that came from HSDS or the API), its
/// sub-objects (phones, documents, locations) included, named as the form's fields.
pub fn service_cap_problems(s: &Service) -> Invalid {
    let mut invalid = cap_problems([
        ("name", s.name.as_str()),
        ("description", s.description.as_str()),
        ("eligibility", s.eligibility.as_str()),
        ("application_process", s.application_process.as_str()),
        ("fees", s.fees.as_str()),
        ("alert", s.alert.as_str()),
    ]);
    let mut one = |field: &'static str, text: &str, max: usize| {
        if text.chars().count() > max {
            invalid.add(field, format!("Al massimo {max} caratteri."));
        }
    };
    one("url", &s.url, 500);
    one("email", &s.email, 254);
    let mut many = |field: &'static str, items: &[String], max_items: usize, max: usize| {
        if items.len() > max_items {
            invalid.add(field, format!("Al massimo {max_items} voci."));
        }
        if items.iter().any(|i| i.chars().count() > max) {
            invalid.add(field, format!("Ogni voce al massimo {max} caratteri."));
        }
    };
    many("phones", &s.phones, 20, 50);
    many("required_documents", &s.required_documents, 50, 300);
    many("languages", &s.languages, 30, 10);
    many("comuni_served", &s.comuni_served, 500, 6);
    if s.locations.len() > 20 {
        invalid.add("location_name", "Al massimo 20 sedi.");
    }
    if s.closures.iter().any(|c| c.note.chars().count() > 200) {
        invalid.add(
            "closures",
            "Ogni nota di chiusura al massimo 200 caratteri.",
        );
    }
    if s.hours.len() > 200 || s.closures.len() > 200 {
        invalid.add("hours", "Troppi orari o chiusure.");
    }
    for l in &s.locations {
        for (field, text, max) in [
            ("location_name", &l.name, 200),
            ("address", &l.address, 300),
            ("postal_code", &l.postal_code, 10),
            ("city", &l.city, 100),
            ("province", &l.province, 10),
            ("location_comune", &l.comune_istat, 6),
            ("accessibility", &l.accessibility, 1000),
            ("transportation", &l.transportation, 1000),
        ] {
            if text.chars().count() > max && invalid.message(field).is_none() {
                invalid.add(field, format!("Al massimo {max} caratteri."));
            }
        }
        if l.phones.len() > 20 || l.phones.iter().any(|p| p.chars().count() > 50) {
            invalid.add("location_phones", "Al massimo 20 telefoni di 50 caratteri.");
        }
    }
    invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_closures_parse_from_plain_lines() {
        let slots = parse_hours("Lunedì 09:00-12:00, 15:00-17:30\nmer 9.00–13.00").unwrap();
        assert_eq!(slots.len(), 3);
        assert_eq!(slots[2].weekday, 3);
        assert!(parse_hours("funday 9-10").is_err());
        assert!(parse_hours("lun 12:00-09:00").is_err());
        assert_eq!(
            format_hours(&slots),
            "lunedì 09:00–12:00, 15:00–17:30\nmercoledì 09:00–13:00"
        );
        let c =
            parse_closures("24/12/2026-26/12/2026 Chiuso per le festività\n01/01/2027 Capodanno")
                .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].from, c[1].to);
        assert_eq!(parse_closures(&format_closures(&c)).unwrap(), c);
        assert!(parse_closures("domani").is_err());
        // Review of issue 16: a day that does not exist got the format message.
        assert_eq!(
            parse_closures("31/02/2027 Chiuso").unwrap_err(),
            "Chiusura «31/02/2027 Chiuso»: Il 31/02/2027 non esiste."
        );
        assert!(parse_closures("10/01/2027-01/01/2027")
            .unwrap_err()
            .contains("la fine (01/01/2027) è prima dell'inizio (10/01/2027)"));
    }
}
