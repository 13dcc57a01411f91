//! Turning what a worker types (a code, a name) into comuni and states.

use super::belfiore::BelfioreRegistry;
use super::comune::{is_istat_code, ComuneRegistry};
use super::text::fold;
use super::vocabulary::{ITALIAN, STATELESS};

/// Reference data for places: the ISTAT list and the Belfiore codes.
pub struct Places<'a> {
    pub comuni: &'a ComuneRegistry,
    pub belfiore: &'a BelfioreRegistry,
}

/// A comune of residence as typed: an ISTAT code, or a name that identifies one comune.
pub enum ComuneInput {
    Known(String),
    /// A well-formed code missing from the shipped list (a comune born after it): kept, with a warning.
    Unknown(String),
}

impl Places<'_> {
    /// ISTAT code from a code or a unique name.
    pub fn comune(&self, typed: &str) -> Result<ComuneInput, String> {
        let t = typed.trim();
        if is_istat_code(t) {
            return Ok(if self.comuni.get(t).is_some() {
                ComuneInput::Known(t.to_string())
            } else {
                ComuneInput::Unknown(t.to_string())
            });
        }
        let found = self.named(t);
        match found.as_slice() {
            [one] => Ok(ComuneInput::Known(one.istat.clone())),
            [] => Err(format!(
                "Comune «{t}» non trovato: scrivere il nome esatto o il codice ISTAT (6 cifre)."
            )),
            _ => Err(format!(
                "Più comuni si chiamano «{t}»: indicare il codice ISTAT (6 cifre)."
            )),
        }
    }

    /// The comuni called `typed`, which may end with its province as labels write it
    /// ("Triggiano (BA)").
    fn named(&self, typed: &str) -> Vec<&super::comune::ComuneInfo> {
        let (name, province) = name_and_province(typed);
        self.comuni
            .find_by_name(&fold(name))
            .into_iter()
            .filter(|c| province.is_none_or(|p| c.province.eq_ignore_ascii_case(p)))
            .collect()
    }

    /// How a stored comune is put back in a form: its label when the label reads back as the
    /// same comune, else its code (which always does).
    pub fn comune_typed(&self, istat: &str) -> String {
        let label = self.comune_label(istat);
        match self.comune(&label) {
            Ok(ComuneInput::Known(code)) if code == istat => label,
            _ => istat.to_string(),
        }
    }

    /// How a stored birth place is put back in a form (label, or code when ambiguous).
    pub fn birth_place_typed(&self, code: &str) -> String {
        reads_back(code, self.birth_place_label(code), |t| self.birth_place(t))
    }

    /// How a stored citizenship is put back in a form (label, or code).
    pub fn citizenship_typed(&self, code: &str) -> String {
        reads_back(code, self.citizenship_label(code), |t| self.citizenship(t))
    }

    /// "Triggiano (BA)" for an ISTAT code, or the code itself when unknown.
    pub fn comune_label(&self, istat: &str) -> String {
        self.comuni.get(istat).map_or_else(
            || istat.to_string(),
            |c| format!("{} ({})", c.name, c.province),
        )
    }

    /// Belfiore code of a birth place from a Belfiore code, an ISTAT code, or a unique name.
    pub fn birth_place(&self, typed: &str) -> Result<String, String> {
        let t = typed.trim();
        let upper = t.to_uppercase();
        if upper.len() == 4 && self.belfiore.knows(&upper) {
            return Ok(upper);
        }
        if is_istat_code(t) {
            return self
                .comuni
                .get(t)
                .map(|c| c.belfiore.clone())
                .ok_or_else(|| format!("Codice ISTAT {t} non trovato nell'elenco dei comuni."));
        }
        let wanted = fold(t);
        let comuni = self.named(t);
        if let [one] = comuni.as_slice() {
            return Ok(one.belfiore.clone());
        }
        if let Some(state) = self
            .belfiore
            .states()
            .into_iter()
            .find(|s| fold(&s.name) == wanted)
        {
            return Ok(state.code.clone());
        }
        if comuni.len() > 1 {
            return Err(format!(
                "Più comuni si chiamano «{t}»: indicare il codice catastale (per esempio L425)."
            ));
        }
        Err(format!("Luogo di nascita «{t}» non trovato: scrivere il comune o lo Stato estero, o il codice catastale."))
    }

    /// "Triggiano (BA)" or "Romania" for a Belfiore code.
    pub fn birth_place_label(&self, code: &str) -> String {
        self.belfiore
            .place(code, None)
            .map_or_else(|| code.to_string(), |p| p.display())
    }

    /// Citizenship code (`IT`, a state's Belfiore code, or `APOLIDE`) from a code or name.
    pub fn citizenship(&self, typed: &str) -> Result<String, String> {
        let t = typed.trim();
        let folded = fold(t);
        if matches!(
            folded.as_str(),
            "it" | "ita" | "italia" | "italiana" | "italiano"
        ) {
            return Ok(ITALIAN.into());
        }
        if matches!(folded.as_str(), "apolide" | "apolidi") {
            return Ok(STATELESS.into());
        }
        let upper = t.to_uppercase();
        if upper.starts_with('Z') && self.belfiore.states().iter().any(|s| s.code == upper) {
            return Ok(upper);
        }
        self.belfiore
            .states()
            .into_iter()
            .find(|s| fold(&s.name) == folded)
            .map(|s| s.code.clone())
            .ok_or_else(|| format!("Cittadinanza «{t}» non riconosciuta: scrivere il nome dello Stato (per esempio Romania) o «italiana»."))
    }

    pub fn citizenship_label(&self, code: &str) -> String {
        match code {
            ITALIAN => "Italiana".into(),
            STATELESS => "Apolide".into(),
            other => self.birth_place_label(other),
        }
    }
}

/// `label` when reading it back gives `code` again, else `code` (which always does).
fn reads_back(code: &str, label: String, read: impl Fn(&str) -> Result<String, String>) -> String {
    if read(&label).as_deref() == Ok(code) {
        label
    } else {
        code.to_string()
    }
}

/// "Triggiano (BA)" → ("Triggiano", Some("BA")); any other text as it is.
fn name_and_province(typed: &str) -> (&str, Option<&str>) {
    let t = typed.trim();
    t.strip_suffix(')')
        .and_then(|inner| inner.rsplit_once(" ("))
        .filter(|(_, p)| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map_or((t, None), |(name, p)| (name.trim(), Some(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Review of issue 16: the person's edit form showed A662, IT and 072046.
    #[test]
    fn a_stored_place_goes_back_to_the_form_as_its_name_and_reads_back_the_same() {
        let (comuni, belfiore) = (
            crate::assets::comuni().unwrap(),
            crate::assets::belfiore().unwrap(),
        );
        let places = Places {
            comuni: &comuni,
            belfiore: &belfiore,
        };
        assert_eq!(places.comune_typed("072046"), "Triggiano (BA)");
        assert!(matches!(
            places.comune("Triggiano (BA)"),
            Ok(ComuneInput::Known(c)) if c == "072046"
        ));
        assert_eq!(places.birth_place_typed("A662"), "Bari (BA)");
        assert_eq!(places.birth_place("bari (ba)").as_deref(), Ok("A662"));
        assert_eq!(places.citizenship_typed("IT"), "Italiana");
        assert_eq!(places.citizenship_typed("Z129"), "Romania");
        // A province that does not match is not taken for another comune of that name.
        assert!(places.comune("Triggiano (MI)").is_err());
        // A code missing from the lists stays a code.
        assert_eq!(places.comune_typed("999999"), "999999");
    }
}
