//! Files embedded in the binary: CSS, fonts, icons, reference data.

use rust_embed::RustEmbed;

use crate::domain::belfiore::{BelfioreError, BelfioreRegistry};
use crate::domain::comune::{ComuneRegistry, RegistryError};
use crate::domain::vocabulary::{Vocabularies, VocabularyError};

#[derive(RustEmbed)]
#[folder = "assets/"]
#[exclude = "*.md"]
pub struct Assets;

/// The ISTAT list of comuni shipped with the program.
pub fn comuni() -> Result<ComuneRegistry, RegistryError> {
    let file = Assets::get("data/comuni-istat-2020-01-01.csv")
        .ok_or_else(|| RegistryError::missing("data/comuni-istat-2020-01-01.csv"))?;
    ComuneRegistry::from_csv(&String::from_utf8_lossy(&file.data))
}

/// Belfiore codes of comuni past and present and of foreign states.
pub fn belfiore() -> Result<BelfioreRegistry, BelfioreError> {
    let file = Assets::get("data/belfiore.csv")
        .ok_or_else(|| BelfioreError::missing("data/belfiore.csv"))?;
    BelfioreRegistry::from_csv(&String::from_utf8_lossy(&file.data))
}

/// The vocabularies shipped with the program.
pub fn vocabularies() -> Result<Vocabularies, VocabularyError> {
    let file = Assets::get("vocabularies/vocabularies.json")
        .ok_or_else(|| VocabularyError::missing("vocabularies/vocabularies.json"))?;
    Vocabularies::from_json(&String::from_utf8_lossy(&file.data))
}

/// Labels of the orientation sheet, per language.
pub fn orientation_labels() -> Result<crate::domain::labels::Labels, String> {
    let file = Assets::get("i18n/orientation.json").ok_or("file i18n/orientation.json assente")?;
    crate::domain::labels::Labels::from_json(&String::from_utf8_lossy(&file.data))
}

/// The example directory of a demo Ambito (HSDS JSON), shipped with the program.
pub fn demo_directory() -> Result<serde_json::Value, String> {
    let file = Assets::get("directory/demo-ambito-ba05.hsds.json")
        .ok_or("file directory/demo-ambito-ba05.hsds.json assente")?;
    serde_json::from_slice(&file.data).map_err(|e| format!("elenco di esempio non leggibile: {e}"))
}

/// All reference data at once, for the server and the commands.
pub fn reference() -> Result<crate::domain::reference::Reference, String> {
    Ok(crate::domain::reference::Reference {
        comuni: comuni().map_err(|e| e.to_string())?,
        belfiore: belfiore().map_err(|e| e.to_string())?,
        vocab: vocabularies().map_err(|e| e.to_string())?,
        labels: orientation_labels()?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_list_has_every_comune_of_2020() {
        let reg = super::comuni().unwrap();
        assert_eq!(reg.len(), 7904);
        assert_eq!(reg.get("072046").unwrap().name, "Triggiano");
        assert_eq!(reg.get("001001").unwrap().name, "Agliè");
    }

    #[test]
    fn the_embedded_belfiore_codes_cover_comuni_and_states() {
        let reg = super::belfiore().unwrap();
        assert_eq!(reg.place("L425", None).unwrap().display(), "Triggiano (BA)");
        assert_eq!(reg.place("Z611", None).unwrap().name, "Perù");
        assert!(reg.states().len() > 190);
    }
}
