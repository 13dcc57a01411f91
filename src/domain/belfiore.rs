//! Belfiore (cadastral) codes: the birth place inside a codice fiscale, for comuni past and
//! present (with their validity dates) and for foreign states (codes Z…).

use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashMap;

/// One period of one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BelfiorePlace {
    pub code: String,
    pub name: String,
    /// Province abbreviation; `EE` for foreign states.
    pub province: String,
    pub active: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl BelfiorePlace {
    pub fn is_foreign(&self) -> bool {
        self.code.starts_with('Z')
    }

    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from.is_none_or(|from| date >= from) && self.valid_to.is_none_or(|to| date <= to)
    }

    /// "Triggiano (BA)" or "Romania".
    pub fn display(&self) -> String {
        if self.is_foreign() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.province)
        }
    }
}

#[derive(Deserialize)]
struct Row {
    code: String,
    name: String,
    province: String,
    active: String,
    created: String,
    deleted: String,
}

/// All Belfiore codes, each with its periods.
#[derive(Debug, Default)]
pub struct BelfioreRegistry {
    by_code: HashMap<String, Vec<BelfiorePlace>>,
}

#[derive(Debug, thiserror::Error)]
#[error("elenco dei codici catastali non leggibile: {0}")]
pub struct BelfioreError(String);

impl BelfioreError {
    pub fn missing(what: &str) -> Self {
        BelfioreError(format!("file {what} assente"))
    }
}

impl BelfioreRegistry {
    /// Parses `assets/data/belfiore.csv`.
    pub fn from_csv(text: &str) -> Result<Self, BelfioreError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut by_code: HashMap<String, Vec<BelfiorePlace>> = HashMap::new();
        for row in reader.deserialize::<Row>() {
            let row = row.map_err(|e| BelfioreError(e.to_string()))?;
            let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            by_code
                .entry(row.code.clone())
                .or_default()
                .push(BelfiorePlace {
                    valid_from: date(&row.created),
                    valid_to: date(&row.deleted),
                    code: row.code,
                    name: row.name,
                    province: row.province,
                    active: row.active == "1",
                });
        }
        Ok(Self { by_code })
    }

    pub fn knows(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// The place with this code as it was on `date`, else its latest known form.
    pub fn place(&self, code: &str, date: Option<NaiveDate>) -> Option<&BelfiorePlace> {
        let periods = self.by_code.get(code)?;
        date.and_then(|d| periods.iter().find(|p| p.valid_on(d)))
            .or_else(|| periods.iter().find(|p| p.active))
            .or_else(|| periods.iter().max_by_key(|p| p.valid_to))
    }

    /// Whether the code existed on `date` (true for codes with no dates on record).
    pub fn valid_on(&self, code: &str, date: NaiveDate) -> Option<bool> {
        self.by_code
            .get(code)
            .map(|periods| periods.iter().any(|p| p.valid_on(date)))
    }

    /// Foreign states, by name (for citizenship and birth-place choices).
    pub fn states(&self) -> Vec<&BelfiorePlace> {
        let mut states: Vec<&BelfiorePlace> = self
            .by_code
            .values()
            .filter_map(|periods| periods.iter().find(|p| p.active && p.is_foreign()))
            .collect();
        states.sort_by(|a, b| a.name.cmp(&b.name));
        states
    }
}

#[cfg(test)]
pub(crate) fn sample() -> BelfioreRegistry {
    BelfioreRegistry::from_csv(
        "code,name,province,active,created,deleted\n\
         L425,Triggiano,BA,1,1861-03-17,\n\
         H501,Roma,RM,1,1871-01-15,\n\
         F205,Milano,MI,1,1861-03-17,\n\
         A001,Abano,PD,0,1866-11-19,1924-11-13\n\
         A001,Abano Terme,PD,1,1924-11-14,\n\
         C800,Codevigo Vecchio,PD,0,1861-03-17,1930-01-01\n\
         Z129,Romania,EE,1,1900-01-01,\n\
         Z127,Polonia,EE,1,1900-01-01,\n",
    )
    .expect("sample registry")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_resolves_to_the_name_it_had_on_the_date() {
        let reg = sample();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            reg.place("A001", Some(d("1900-01-01"))).unwrap().name,
            "Abano"
        );
        assert_eq!(
            reg.place("A001", Some(d("1990-01-01"))).unwrap().name,
            "Abano Terme"
        );
        assert_eq!(reg.place("A001", None).unwrap().name, "Abano Terme");
        assert_eq!(reg.place("Z129", None).unwrap().display(), "Romania");
        assert_eq!(reg.place("L425", None).unwrap().display(), "Triggiano (BA)");
        assert_eq!(reg.valid_on("C800", d("1990-01-01")), Some(false));
        assert_eq!(reg.valid_on("XXXX", d("1990-01-01")), None);
        assert_eq!(reg.states().len(), 2);
    }
}
