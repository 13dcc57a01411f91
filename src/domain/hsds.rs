//! The directory as Open Referral HSDS 3.0 JSON ("sportello-1" profile): organizations and
//! services with their phones, languages, documents, schedules, service areas (comuni by ISTAT
//! code), locations (address, accessibility, directions, confidential flag) and the desk's area and
//! need-category codes as attributes with taxonomy terms. Export then import gives back the same
//! directory; import checks every record and reports every problem.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::comune::{is_istat_code, ComuneRegistry};
use super::directory::{
    weekday_code, weekday_of, Closure, Location, Organization, Service, ServiceStatus, Slot,
};
use super::person::Sex;
use super::vocabulary::{Kind, Vocabularies};

pub const PROFILE: &str = "sportello-1";

/// A whole directory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
    /// Example data, to be shown as such.
    pub example: bool,
}

impl Directory {
    /// The directory for publishing (the comune's website, open data): the same services without
    /// their confidential locations (anti-violence centres, shelters), which only travel between
    /// the desk and its district.
    pub fn public(&self) -> Directory {
        let mut out = self.clone();
        for s in &mut out.services {
            s.locations.retain(|l| !l.confidential);
        }
        out
    }
}

/// Stable ids for the sub-records HSDS wants (phones, schedules, …), so exports are repeatable.
fn sub_id(parent: Uuid, what: &str, index: usize) -> String {
    Uuid::new_v5(&parent, format!("{what}/{index}").as_bytes()).to_string()
}

fn phones(parent: Uuid, owner_key: &str, numbers: &[String]) -> Value {
    Value::Array(
        numbers
            .iter()
            .enumerate()
            .map(|(i, n)| json!({"id": sub_id(parent, "phone", i), owner_key: parent.to_string(), "number": n, "type": "voice"}))
            .collect(),
    )
}

fn put_if(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        map.insert(key.into(), Value::String(value.into()));
    }
}

fn eligibility_label(value: &str) -> &'static str {
    match value {
        "women" => "Riservato alle donne",
        "men" => "Riservato agli uomini",
        _ => "Riservato alle persone senza dimora",
    }
}

fn term(kind: &str, code: &str, label: &str) -> Value {
    let taxonomy = format!("sportello-{kind}");
    json!({
        "id": Uuid::new_v5(&Uuid::NAMESPACE_URL, format!("{taxonomy}/{code}").as_bytes()).to_string(),
        "code": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
    })
}

fn location_json(l: &Location) -> Value {
    let mut loc = Map::new();
    loc.insert("id".into(), json!(l.id.to_string()));
    loc.insert("location_type".into(), json!("physical"));
    put_if(&mut loc, "name", &l.name);
    put_if(&mut loc, "transportation", &l.transportation);
    if !l.comune_istat.is_empty() {
        loc.insert("external_identifier".into(), json!(l.comune_istat));
        loc.insert("external_identifier_type".into(), json!("istat_comune"));
    }
    loc.insert(
        "addresses".into(),
        json!([{
            "id": sub_id(l.id, "address", 0),
            "location_id": l.id.to_string(),
            "address_1": l.address,
            "city": l.city,
            "state_province": l.province,
            "postal_code": l.postal_code,
            "country": "IT",
            "address_type": "physical",
        }]),
    );
    if !l.accessibility.is_empty() {
        loc.insert(
            "accessibility".into(),
            json!([{"id": sub_id(l.id, "accessibility", 0), "location_id": l.id.to_string(), "description": l.accessibility}]),
        );
    }
    loc.insert("phones".into(), phones(l.id, "location_id", &l.phones));
    if l.confidential {
        loc.insert(
            "attributes".into(),
            json!([{"id": sub_id(l.id, "confidential", 0), "link_id": l.id.to_string(), "link_entity": "location",
                    "link_type": "confidential", "value": "true"}]),
        );
    }
    Value::Object(loc)
}

fn service_json(s: &Service, vocab: &Vocabularies, comuni: &ComuneRegistry) -> Value {
    let id = s.id.to_string();
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert(
        "organization_id".into(),
        json!(s.organization_id.to_string()),
    );
    m.insert("name".into(), json!(s.name));
    m.insert("description".into(), json!(s.description));
    put_if(&mut m, "url", &s.url);
    put_if(&mut m, "email", &s.email);
    m.insert("status".into(), json!(s.status.hsds()));
    put_if(&mut m, "application_process", &s.application_process);
    put_if(&mut m, "fees_description", &s.fees);
    put_if(&mut m, "eligibility_description", &s.eligibility);
    if let Some(a) = s.min_age {
        m.insert("minimum_age".into(), json!(a));
    }
    if let Some(a) = s.max_age {
        m.insert("maximum_age".into(), json!(a));
    }
    if let Some(d) = s.verified_on {
        m.insert(
            "assured_date".into(),
            json!(d.format("%Y-%m-%d").to_string()),
        );
    }
    put_if(&mut m, "alert", &s.alert);
    m.insert(
        "last_modified".into(),
        json!(s
            .updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    m.insert("phones".into(), phones(s.id, "service_id", &s.phones));
    m.insert(
        "languages".into(),
        Value::Array(
            s.languages
                .iter()
                .enumerate()
                .map(|(i, code)| json!({"id": sub_id(s.id, "language", i), "service_id": id, "name": language_name(code), "code": code}))
                .collect(),
        ),
    );
    m.insert(
        "required_documents".into(),
        Value::Array(
            s.required_documents
                .iter()
                .enumerate()
                .map(|(i, d)| json!({"id": sub_id(s.id, "document", i), "service_id": id, "document": d}))
                .collect(),
        ),
    );
    let mut schedules: Vec<Value> = s
        .hours
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            json!({"id": sub_id(s.id, "slot", i), "service_id": id, "freq": "WEEKLY", "wkst": "MO",
                   "byday": weekday_code(slot.weekday), "opens_at": slot.opens.format("%H:%M").to_string(),
                   "closes_at": slot.closes.format("%H:%M").to_string()})
        })
        .collect();
    schedules.extend(s.closures.iter().enumerate().map(|(i, c)| {
        json!({"id": sub_id(s.id, "closure", i), "service_id": id, "valid_from": c.from.format("%Y-%m-%d").to_string(),
               "valid_to": c.to.format("%Y-%m-%d").to_string(), "description": c.note})
    }));
    m.insert("schedules".into(), Value::Array(schedules));
    m.insert(
        "service_areas".into(),
        Value::Array(
            s.comuni_served
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let name = comuni.get(c).map_or_else(|| c.clone(), |info| info.name.clone());
                    json!({"id": sub_id(s.id, "area", i), "service_id": id, "name": name, "extent_type": "istat_comune", "extent": c})
                })
                .collect(),
        ),
    );
    let mut attributes = Vec::new();
    for (kind, codes, vkind) in [
        ("area", &s.areas, Kind::Area),
        ("category", &s.categories, Kind::Category),
    ] {
        for (i, code) in codes.iter().enumerate() {
            attributes.push(json!({
                "id": sub_id(s.id, kind, i), "link_id": id, "link_entity": "service", "link_type": kind, "value": code,
                "taxonomy_term": term(kind, code, vocab.label(vkind, code)),
            }));
        }
    }
    // Who may use it, beyond age: kept as attributes so the file stays plain HSDS.
    let eligibility = [
        (s.for_sex == Some(Sex::F), "women"),
        (s.for_sex == Some(Sex::M), "men"),
        (s.homeless_only, "homeless"),
    ];
    for (i, (_, value)) in eligibility.iter().filter(|(on, _)| *on).enumerate() {
        attributes.push(json!({
            "id": sub_id(s.id, "eligibility", i), "link_id": id, "link_entity": "service",
            "link_type": "eligibility", "value": value,
            "taxonomy_term": term("eligibility", value, eligibility_label(value)),
        }));
    }
    if s.example {
        attributes.push(
            json!({"id": sub_id(s.id, "example", 0), "link_id": id, "link_entity": "service",
                               "link_type": "example_data", "value": "true"}),
        );
    }
    m.insert("attributes".into(), Value::Array(attributes));
    m.insert(
        "service_at_locations".into(),
        Value::Array(
            s.locations
                .iter()
                // Named by the location, so the public export (fewer locations) keeps the same ids.
                .map(|l| json!({"id": sub_id(s.id, &format!("at/{}", l.id), 0), "service_id": id, "location_id": l.id.to_string(), "location": location_json(l)}))
                .collect(),
        ),
    );
    Value::Object(m)
}

/// Italian name of a language code, for the HSDS `name` field.
pub fn language_name(code: &str) -> &str {
    match code {
        "it" => "italiano",
        "en" => "inglese",
        "fr" => "francese",
        "es" => "spagnolo",
        "de" => "tedesco",
        "ro" => "rumeno",
        "ar" => "arabo",
        "sq" => "albanese",
        "uk" => "ucraino",
        "ru" => "russo",
        "pl" => "polacco",
        "zh" => "cinese",
        "wo" => "wolof",
        other => other,
    }
}

/// The directory as one HSDS JSON document.
pub fn export(dir: &Directory, vocab: &Vocabularies, comuni: &ComuneRegistry) -> Value {
    json!({
        "hsds_version": "3.0",
        "profile": PROFILE,
        "example_data": dir.example,
        "organizations": dir.organizations.iter().map(|o| {
            let mut m = Map::new();
            m.insert("id".into(), json!(o.id.to_string()));
            m.insert("name".into(), json!(o.name));
            m.insert("description".into(), json!(o.description));
            put_if(&mut m, "email", &o.email);
            put_if(&mut m, "website", &o.website);
            m.insert("phones".into(), phones(o.id, "organization_id", &o.phones));
            Value::Object(m)
        }).collect::<Vec<_>>(),
        "services": dir.services.iter().map(|s| service_json(s, vocab, comuni)).collect::<Vec<_>>(),
    })
}

/// Reads fields of one record, collecting problems with the record's name in them.
struct Reader<'a, 'e> {
    obj: &'a Map<String, Value>,
    label: String,
    errors: &'e mut Vec<String>,
}

impl<'a> Reader<'a, '_> {
    fn err(&mut self, msg: impl std::fmt::Display) {
        self.errors.push(format!("{}: {msg}", self.label));
    }

    fn string(&mut self, key: &str) -> String {
        match self.obj.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(_) => {
                self.err(format!("«{key}» deve essere un testo"));
                String::new()
            }
        }
    }

    fn required(&mut self, key: &str) -> String {
        let s = self.string(key);
        if s.is_empty() {
            self.err(format!("manca «{key}»"));
        }
        s
    }

    fn uuid(&mut self, key: &str) -> Uuid {
        let s = self.required(key);
        Uuid::parse_str(&s).unwrap_or_else(|_| {
            if !s.is_empty() {
                self.err(format!("«{key}» non è un UUID: «{s}»"));
            }
            Uuid::nil()
        })
    }

    fn age(&mut self, key: &str) -> Option<u32> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64().filter(|a| *a <= 130) {
                Some(a) => Some(a as u32),
                None => {
                    self.err(format!("«{key}» deve essere un numero intero di anni"));
                    None
                }
            },
        }
    }

    fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let s = self.string(key);
        if s.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().or_else(|| {
            self.err(format!("«{key}» non è una data AAAA-MM-GG: «{s}»"));
            None
        })
    }

    fn array(&mut self, key: &str) -> Vec<&'a Map<String, Value>> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item.as_object() {
                        Some(o) => out.push(o),
                        None => {
                            self.err(format!("«{key}» contiene un elemento che non è un oggetto"))
                        }
                    }
                }
                out
            }
            Some(_) => {
                self.err(format!("«{key}» deve essere un elenco"));
                Vec::new()
            }
        }
    }
}

fn text(o: &Map<String, Value>, key: &str) -> String {
    o.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string()
}

fn phone_numbers(r: &mut Reader<'_, '_>) -> Vec<String> {
    let items = r.array("phones");
    items
        .into_iter()
        .map(|p| text(p, "number"))
        .filter(|n| !n.is_empty())
        .collect()
}

fn read_location(o: &Map<String, Value>, label: String, errors: &mut Vec<String>) -> Location {
    let mut r = Reader {
        obj: o,
        label,
        errors,
    };
    let id = r.uuid("id");
    let name = r.string("name");
    let transportation = r.string("transportation");
    let comune_istat = r.string("external_identifier");
    if !comune_istat.is_empty() && !is_istat_code(&comune_istat) {
        r.err(format!(
            "«external_identifier» non è un codice ISTAT: «{comune_istat}»"
        ));
    }
    let addresses = r.array("addresses");
    let address = addresses.first().copied();
    let accessibility = r
        .array("accessibility")
        .into_iter()
        .map(|a| text(a, "description"))
        .collect::<Vec<_>>()
        .join("; ");
    let phones = phone_numbers(&mut r);
    let confidential = r
        .array("attributes")
        .into_iter()
        .any(|a| text(a, "link_type") == "confidential" && text(a, "value") == "true");
    Location {
        id,
        name,
        address: address.map(|a| text(a, "address_1")).unwrap_or_default(),
        postal_code: address.map(|a| text(a, "postal_code")).unwrap_or_default(),
        city: address.map(|a| text(a, "city")).unwrap_or_default(),
        province: address
            .map(|a| text(a, "state_province"))
            .unwrap_or_default(),
        comune_istat,
        accessibility,
        transportation,
        phones,
        confidential,
    }
}

fn read_service(
    o: &Map<String, Value>,
    index: usize,
    vocab: &Vocabularies,
    organizations: &[Organization],
    errors: &mut Vec<String>,
) -> Service {
    let name = text(o, "name");
    let label = format!("servizio {} «{}»", index + 1, name);
    let mut r = Reader {
        obj: o,
        label: label.clone(),
        errors,
    };
    let id = r.uuid("id");
    let organization_id = r.uuid("organization_id");
    if !organization_id.is_nil() && !organizations.iter().any(|org| org.id == organization_id) {
        r.err("«organization_id» non corrisponde a nessuna organizzazione del file");
    }
    r.required("name");
    let status_text = r.required("status");
    let status = ServiceStatus::from_hsds(&status_text).unwrap_or_else(|| {
        if !status_text.is_empty() {
            r.err(format!("«status» non previsto: «{status_text}»"));
        }
        ServiceStatus::Inactive
    });
    let min_age = r.age("minimum_age");
    let max_age = r.age("maximum_age");
    if let (Some(a), Some(b)) = (min_age, max_age) {
        if a > b {
            r.err("età minima maggiore della massima");
        }
    }
    let verified_on = r.date("assured_date");
    let updated_at = match r.string("last_modified").as_str() {
        "" => Utc::now(),
        s => DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|_| {
                r.err(format!(
                    "«last_modified» non è una data e ora RFC 3339: «{s}»"
                ));
                Utc::now()
            }),
    };
    let phones = phone_numbers(&mut r);
    let languages = r
        .array("languages")
        .into_iter()
        .map(|l| text(l, "code"))
        .filter(|c| !c.is_empty())
        .collect();
    let required_documents = r
        .array("required_documents")
        .into_iter()
        .map(|d| text(d, "document"))
        .filter(|d| !d.is_empty())
        .collect();
    let mut hours = Vec::new();
    let mut closures = Vec::new();
    for sched in r.array("schedules") {
        let byday = text(sched, "byday");
        if !byday.is_empty() {
            let wd = weekday_of(&byday);
            let opens = NaiveTime::parse_from_str(&text(sched, "opens_at"), "%H:%M").ok();
            let closes = NaiveTime::parse_from_str(&text(sched, "closes_at"), "%H:%M").ok();
            match (wd, opens, closes) {
                (Some(weekday), Some(opens), Some(closes)) if opens < closes => hours.push(Slot {
                    weekday,
                    opens,
                    closes,
                }),
                _ => r.err(format!(
                    "orario non valido ({byday} {}–{})",
                    text(sched, "opens_at"),
                    text(sched, "closes_at")
                )),
            }
        } else {
            let from = NaiveDate::parse_from_str(&text(sched, "valid_from"), "%Y-%m-%d").ok();
            let to = NaiveDate::parse_from_str(&text(sched, "valid_to"), "%Y-%m-%d").ok();
            match (from, to) {
                (Some(from), Some(to)) if from <= to => closures.push(Closure {
                    from,
                    to,
                    note: text(sched, "description"),
                }),
                _ => r.err("chiusura senza date valide (valid_from, valid_to)"),
            }
        }
    }
    let mut comuni_served = Vec::new();
    for area in r.array("service_areas") {
        let code = text(area, "extent");
        if text(area, "extent_type") == "istat_comune" && is_istat_code(&code) {
            comuni_served.push(code);
        } else {
            r.err(format!(
                "area servita senza codice ISTAT valido («{}»)",
                text(area, "name")
            ));
        }
    }
    let mut areas = Vec::new();
    let mut categories = Vec::new();
    let mut example = false;
    let mut for_sex = None;
    let mut homeless_only = false;
    for attr in r.array("attributes") {
        let value = text(attr, "value");
        match text(attr, "link_type").as_str() {
            "area" if vocab.contains(Kind::Area, &value) => areas.push(value),
            "category" if vocab.contains(Kind::Category, &value) => categories.push(value),
            "area" | "category" => {
                r.err(format!("codice di classificazione sconosciuto «{value}»"))
            }
            "example_data" => example = value == "true",
            "eligibility" => match value.as_str() {
                "women" => for_sex = Some(Sex::F),
                "men" => for_sex = Some(Sex::M),
                "homeless" => homeless_only = true,
                _ => r.err(format!("requisito sconosciuto «{value}»")),
            },
            _ => {}
        }
    }
    let at_locations = r.array("service_at_locations");
    let mut locations = Vec::new();
    for (i, sal) in at_locations.into_iter().enumerate() {
        match sal.get("location").and_then(Value::as_object) {
            Some(loc) => locations.push(read_location(
                loc,
                format!("{label}, sede {}", i + 1),
                r.errors,
            )),
            None => r.err(format!("sede {} senza «location»", i + 1)),
        }
    }
    Service {
        id,
        organization_id,
        name,
        description: r.string("description"),
        areas,
        categories,
        eligibility: r.string("eligibility_description"),
        min_age,
        max_age,
        required_documents,
        application_process: r.string("application_process"),
        fees: r.string("fees_description"),
        languages,
        status,
        verified_on,
        alert: r.string("alert"),
        url: r.string("url"),
        email: r.string("email"),
        phones,
        comuni_served,
        for_sex,
        homeless_only,
        locations,
        hours,
        closures,
        example,
        updated_at,
    }
}

/// Reads an HSDS document; every problem is reported (in Italian), and nothing is returned unless
/// the whole document is valid.
pub fn import(doc: &Value, vocab: &Vocabularies) -> Result<Directory, Vec<String>> {
    let mut errors = Vec::new();
    let Some(root) = doc.as_object() else {
        return Err(vec!["il file non contiene un oggetto JSON".into()]);
    };
    let example = root
        .get("example_data")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut top = Reader {
        obj: root,
        label: "file".into(),
        errors: &mut errors,
    };
    let org_items = top.array("organizations");
    let service_items = top.array("services");
    if !root.contains_key("services") {
        top.err("manca l'elenco «services»");
    }
    let mut organizations = Vec::new();
    for (i, o) in org_items.into_iter().enumerate() {
        let mut r = Reader {
            obj: o,
            label: format!("organizzazione {} «{}»", i + 1, text(o, "name")),
            errors: &mut errors,
        };
        let id = r.uuid("id");
        let name = r.required("name");
        organizations.push(Organization {
            id,
            name,
            description: r.string("description"),
            email: r.string("email"),
            website: r.string("website"),
            phones: phone_numbers(&mut r),
        });
    }
    let services: Vec<Service> = service_items
        .into_iter()
        .enumerate()
        .map(|(i, o)| read_service(o, i, vocab, &organizations, &mut errors))
        .collect();
    let mut ids = std::collections::HashSet::new();
    for s in &services {
        if !s.id.is_nil() && !ids.insert(s.id) {
            errors.push(format!("servizio «{}»: id ripetuto {}", s.name, s.id));
        }
    }
    if errors.is_empty() {
        Ok(Directory {
            organizations,
            services,
            example,
        })
    } else {
        Err(errors)
    }
}

/// The language code for a language named in Italian (or already a code), if known.
pub fn language_code(name: &str) -> Option<&'static str> {
    const CODES: [&str; 13] = [
        "it", "en", "fr", "es", "de", "ro", "ar", "sq", "uk", "ru", "pl", "zh", "wo",
    ];
    let folded = super::text::fold(name);
    let first = folded
        .split(|c: char| !c.is_alphabetic())
        .find(|w| !w.is_empty())?;
    CODES.into_iter().find(|code| {
        *code == first
            || super::text::fold(language_name(code)) == first
            || (first == "romeno" && *code == "ro")
    })
}

/// Reads one HSDS service object (API create/update) against the organizations known.
pub fn import_service(
    value: &Value,
    vocab: &Vocabularies,
    organizations: &[Organization],
) -> Result<Service, Vec<String>> {
    let Some(obj) = value.as_object() else {
        return Err(vec!["il corpo non è un oggetto JSON".into()]);
    };
    let mut errors = Vec::new();
    let service = read_service(obj, 0, vocab, organizations, &mut errors);
    if errors.is_empty() {
        Ok(service)
    } else {
        Err(errors)
    }
}

/// One service as an HSDS object (API read).
pub fn export_service(s: &Service, vocab: &Vocabularies, comuni: &ComuneRegistry) -> Value {
    service_json(s, vocab, comuni)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_records_are_all_reported() {
        let vocab = crate::assets::vocabularies().unwrap();
        let doc = json!({
            "organizations": [{"id": "not-a-uuid", "name": ""}],
            "services": [
                {"id": "0191e0e0-0000-7000-8000-000000000001", "organization_id": "0191e0e0-0000-7000-8000-0000000000ff",
                 "name": "A", "status": "open", "minimum_age": "ten",
                 "attributes": [{"link_type": "area", "value": "martians"}],
                 "schedules": [{"byday": "XX", "opens_at": "9", "closes_at": "8"}]},
                {"name": "B"}
            ]
        });
        let errors = import(&doc, &vocab).unwrap_err();
        let all = errors.join("\n");
        for expected in [
            "non è un UUID",
            "manca «name»",
            "«status» non previsto",
            "minimum_age",
            "martians",
            "orario non valido",
            "non corrisponde a nessuna organizzazione",
            "servizio 2 «B»: manca «id»",
        ] {
            assert!(all.contains(expected), "missing «{expected}» in:\n{all}");
        }
    }
}
