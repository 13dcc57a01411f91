//! Labels of printed documents in several languages, as data (assets/i18n), so that a language
//! can be added without touching code.

use std::collections::BTreeMap;

/// Language code → label key → text.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Labels(BTreeMap<String, BTreeMap<String, String>>);

impl Labels {
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("etichette non leggibili: {e}"))
    }

    /// Languages available, with their own names.
    pub fn languages(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .map(|(code, l)| {
                (
                    code.as_str(),
                    l.get("language_name").map_or(code.as_str(), String::as_str),
                )
            })
            .collect()
    }

    pub fn has(&self, lang: &str) -> bool {
        self.0.contains_key(lang)
    }

    /// A label in `lang`, falling back to Italian, then to the key itself.
    pub fn get<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.0
            .get(lang)
            .and_then(|l| l.get(key))
            .or_else(|| self.0.get("it").and_then(|l| l.get(key)))
            .map_or(key, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_language_has_every_italian_key() {
        let labels = crate::assets::orientation_labels().unwrap();
        let keys: Vec<String> = labels.0["it"].keys().cloned().collect();
        for (lang, map) in &labels.0 {
            for k in &keys {
                assert!(map.contains_key(k), "{lang} lacks {k}");
            }
        }
        assert!(labels.has("en"));
        assert_eq!(labels.get("en", "hours"), "Opening hours");
        assert_eq!(labels.get("xx", "hours"), "Orari");
    }
}
