//! The reference data every screen needs: comuni, Belfiore codes, vocabularies.

use super::belfiore::BelfioreRegistry;
use super::comune::ComuneRegistry;
use super::place::Places;
use super::vocabulary::{Kind, Vocabularies};

pub struct Reference {
    pub comuni: ComuneRegistry,
    pub belfiore: BelfioreRegistry,
    pub vocab: Vocabularies,
    /// Labels of the orientation sheet per language.
    pub labels: super::labels::Labels,
}

impl Reference {
    pub fn places(&self) -> Places<'_> {
        Places {
            comuni: &self.comuni,
            belfiore: &self.belfiore,
        }
    }

    /// Label of a vocabulary code.
    pub fn label<'a>(&'a self, kind: Kind, code: &'a str) -> &'a str {
        self.vocab.label(kind, code)
    }
}
