//! Comuni, identified by their ISTAT code, and the reference list they are checked against.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A comune: 6-digit ISTAT code and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comune {
    pub istat: String,
    pub name: String,
}

/// Whether `code` has the shape of an ISTAT comune code (exactly six digits).
pub fn is_istat_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// One row of the ISTAT list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComuneInfo {
    pub istat: String,
    pub name: String,
    pub province: String,
    pub region: String,
    pub belfiore: String,
    /// Residents at the 2011 census (ISTAT), where known.
    pub population_2011: Option<u32>,
}

/// The ISTAT list of comuni (as of its reference date), looked up by code.
#[derive(Debug, Default)]
pub struct ComuneRegistry {
    by_istat: HashMap<String, ComuneInfo>,
}

#[derive(Debug, thiserror::Error)]
#[error("elenco dei comuni non leggibile: {0}")]
pub struct RegistryError(String);

impl RegistryError {
    pub fn missing(what: &str) -> Self {
        RegistryError(format!("file {what} assente"))
    }
}

#[derive(Deserialize)]
struct Row {
    istat: String,
    name: String,
    province: String,
    region: String,
    belfiore: String,
    #[serde(default)]
    population_2011: Option<u32>,
}

impl ComuneRegistry {
    /// Parses the CSV shipped in assets (`istat,name,province,region,belfiore,population_2011`).
    pub fn from_csv(text: &str) -> Result<Self, RegistryError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut by_istat = HashMap::new();
        for row in reader.deserialize::<Row>() {
            let row = row.map_err(|e| RegistryError(e.to_string()))?;
            by_istat.insert(
                row.istat.clone(),
                ComuneInfo {
                    istat: row.istat,
                    name: row.name,
                    province: row.province,
                    region: row.region,
                    belfiore: row.belfiore,
                    population_2011: row.population_2011,
                },
            );
        }
        Ok(Self { by_istat })
    }

    pub fn get(&self, istat: &str) -> Option<&ComuneInfo> {
        self.by_istat.get(istat)
    }

    /// Comuni whose folded name is `folded` (several comuni may share a name).
    pub fn find_by_name(&self, folded: &str) -> Vec<&ComuneInfo> {
        let mut found: Vec<&ComuneInfo> = self
            .by_istat
            .values()
            .filter(|c| super::text::fold(&c.name) == folded)
            .collect();
        found.sort_by(|a, b| a.istat.cmp(&b.istat));
        found
    }

    pub fn len(&self) -> usize {
        self.by_istat.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_istat.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_checks_code_shape() {
        let csv = "istat,name,province,region,belfiore,population_2011\n\
                   072046,Triggiano,BA,Puglia,L425,27130\n";
        let reg = ComuneRegistry::from_csv(csv).unwrap();
        assert_eq!(reg.get("072046").unwrap().name, "Triggiano");
        assert!(is_istat_code("072046"));
        assert!(!is_istat_code("72043"));
        assert!(!is_istat_code("07204a"));
    }
}
