//! Files embedded in the binary: CSS, fonts, icons, reference data.

use rust_embed::RustEmbed;

use crate::domain::comune::{ComuneRegistry, RegistryError};

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

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_list_has_every_comune_of_2020() {
        let reg = super::comuni().unwrap();
        assert_eq!(reg.len(), 7904);
        assert_eq!(reg.get("072046").unwrap().name, "Triggiano");
        assert_eq!(reg.get("001001").unwrap().name, "Agliè");
    }
}
