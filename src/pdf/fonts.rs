//! Fonts of the PDF documents: loading them from the embedded assets, glyph coverage,
//! advance widths, and the choice between Titillium Web and the DejaVu Sans fallback.
//!
//! Fonts are parsed with printpdf's own `ParsedFont` (azul-layout underneath), so the
//! glyph lookups used for measuring are exactly the ones printpdf uses when it writes the
//! text: widths measured here are widths drawn there.

use printpdf::ParsedFont;
use unicode_normalization::UnicodeNormalization;

use super::layout::Measure;
use super::PdfError;
use crate::assets::Assets;

const TITILLIUM_REGULAR: &str = "fonts/titillium-web/titillium-web-v10-latin-ext_latin-regular.ttf";
const TITILLIUM_BOLD: &str = "fonts/titillium-web/titillium-web-v10-latin-ext_latin-700.ttf";
const DEJAVU_REGULAR: &str = "fonts/dejavu/DejaVuSans.ttf";
const DEJAVU_BOLD: &str = "fonts/dejavu/DejaVuSans-Bold.ttf";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Titillium Web, the font of the web interface (Latin, Latin Extended-A, Romanian).
    Titillium,
    /// DejaVu Sans: Greek, Cyrillic and much more, for the words Titillium cannot draw.
    DejaVu,
}

/// One font file, parsed.
pub struct Face {
    font: ParsedFont,
    units_per_em: f32,
}

impl Face {
    fn load(path: &'static str) -> Result<Self, PdfError> {
        let file = Assets::get(path).ok_or(PdfError::FontMissing(path))?;
        let mut warnings = Vec::new();
        let font = ParsedFont::from_bytes(&file.data, 0, &mut warnings)
            .ok_or(PdfError::FontUnreadable(path))?;
        let units_per_em = font.pdf_font_metrics.units_per_em;
        if units_per_em == 0 {
            return Err(PdfError::FontUnreadable(path));
        }
        Ok(Face {
            font,
            units_per_em: f32::from(units_per_em),
        })
    }

    pub fn parsed(&self) -> &ParsedFont {
        &self.font
    }

    /// Glyph id for `c`; glyph 0 is `.notdef`, i.e. no glyph.
    fn glyph(&self, c: char) -> Option<u16> {
        match self.font.lookup_glyph_index(u32::from(c)) {
            Some(0) | None => None,
            Some(gid) => Some(gid),
        }
    }

    pub fn covers(&self, c: char) -> bool {
        self.glyph(c).is_some()
    }

    /// Advance width of `text` in points. printpdf writes plain glyph runs (no kerning,
    /// no ligatures), so the sum of the advances is exactly the drawn width.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| f32::from(self.font.get_horizontal_advance(self.glyph(c).unwrap_or(0))))
            .sum();
        units * size / self.units_per_em
    }
}

/// Titillium regular and bold, plus DejaVu Sans regular and bold once some text needs it.
pub struct FontSet {
    regular: Face,
    bold: Face,
    fallback: Option<(Face, Face)>,
}

impl FontSet {
    pub fn load() -> Result<Self, PdfError> {
        Ok(FontSet {
            regular: Face::load(TITILLIUM_REGULAR)?,
            bold: Face::load(TITILLIUM_BOLD)?,
            fallback: None,
        })
    }

    /// Loads DejaVu Sans. Kept separate because parsing its 1.4 MB is wasted work for the
    /// usual Italian-only document.
    pub fn load_fallback(&mut self) -> Result<(), PdfError> {
        if self.fallback.is_none() {
            self.fallback = Some((Face::load(DEJAVU_REGULAR)?, Face::load(DEJAVU_BOLD)?));
        }
        Ok(())
    }

    /// The face for a family and weight; Titillium if the fallback is not loaded.
    pub fn face(&self, family: Family, weight: Weight) -> &Face {
        match (family, weight, &self.fallback) {
            (Family::DejaVu, Weight::Regular, Some((regular, _))) => regular,
            (Family::DejaVu, Weight::Bold, Some((_, bold))) => bold,
            (_, Weight::Regular, _) => &self.regular,
            (_, Weight::Bold, _) => &self.bold,
        }
    }

    /// Every loaded face, to be registered with the PDF document.
    pub fn faces(&self) -> Vec<(Family, Weight, &Face)> {
        let mut faces = vec![
            (Family::Titillium, Weight::Regular, &self.regular),
            (Family::Titillium, Weight::Bold, &self.bold),
        ];
        if let Some((regular, bold)) = &self.fallback {
            faces.push((Family::DejaVu, Weight::Regular, regular));
            faces.push((Family::DejaVu, Weight::Bold, bold));
        }
        faces
    }

    /// Whether Titillium alone can draw `text` (line breaks aside).
    pub fn primary_covers(&self, text: &str, weight: Weight) -> bool {
        let face = self.face(Family::Titillium, weight);
        text.chars().all(|c| c == '\n' || face.covers(c))
    }

    /// Rewrites the characters Titillium lacks but whose compatibility decomposition it
    /// has entirely: ligatures ("ﬁ" → "fi"), "ĳ" → "ij", full-width letters. Done before
    /// choosing the fallback, so such a word stays in the main font.
    pub fn simplify(&self, text: &str, weight: Weight) -> String {
        let face = self.face(Family::Titillium, weight);
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\n' || face.covers(c) {
                out.push(c);
                continue;
            }
            let decomposed: String = std::iter::once(c).nfkd().collect();
            if !decomposed.is_empty() && decomposed.chars().all(|d| face.covers(d)) {
                out.push_str(&decomposed);
            } else {
                out.push(c);
            }
        }
        out
    }

    fn drawable(&self, c: char, weight: Weight) -> bool {
        self.face(Family::Titillium, weight).covers(c)
            || self
                .fallback
                .as_ref()
                .is_some_and(|(regular, bold)| match weight {
                    Weight::Regular => regular.covers(c),
                    Weight::Bold => bold.covers(c),
                })
    }

    /// Replaces the characters no loaded font can draw: first by the drawable part of
    /// their compatibility decomposition (a letter keeps its base letter when no font
    /// has its accent), else by '?'. A visible '?' beats an empty box that also vanishes from the text
    /// layer (printpdf leaves unmapped glyphs out of the ToUnicode map).
    pub fn substitute(&self, text: &str, weight: Weight) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\n' || self.drawable(c, weight) {
                out.push(c);
                continue;
            }
            let base: String = std::iter::once(c)
                .nfkd()
                .filter(|d| self.drawable(*d, weight))
                .collect();
            if base.is_empty() {
                out.push('?');
            } else {
                out.push_str(&base);
            }
        }
        out
    }
}

impl Measure for FontSet {
    fn family_for(&self, word: &str, weight: Weight) -> Family {
        if self.fallback.is_some() && !self.primary_covers(word, weight) {
            Family::DejaVu
        } else {
            Family::Titillium
        }
    }

    fn width(&self, text: &str, family: Family, weight: Weight, size: f32) -> f32 {
        self.face(family, weight).width(text, size)
    }
}

/// Normalizes text before layout: NFC (so "e" + combining grave becomes the single "è"
/// that Titillium has), every kind of space and tab becomes a plain space, `"\r\n"`
/// becomes `'\n'`, and invisible characters (soft hyphen, zero-width and bidi controls)
/// go. Non-breaking spaces become plain spaces too: a font maps both to one glyph, and
/// printpdf's ToUnicode map keeps only one character per glyph, so mixing them would
/// make copied text come out with the wrong kind of space.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            '\n' => out.push('\n'),
            // Windows line ends: the '\n' that follows makes the break.
            '\r' => {}
            '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' => {}
            c if c.is_whitespace() => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titillium_draws_italian_polish_and_romanian() {
        let fonts = FontSet::load().expect("fonts");
        for weight in [Weight::Regular, Weight::Bold] {
            assert!(fonts.primary_covers("àèéìòù ÀÈÉÌÒÙ Łł Śś Żż Ćć Ńń Ąą Ęę Ó", weight));
            assert!(fonts.primary_covers("Șș Țț Ăă Ââ Îî • – € «»", weight));
            assert!(!fonts.primary_covers("Олена", weight));
            assert!(!fonts.primary_covers("Ελένη", weight));
        }
    }

    #[test]
    fn widths_come_from_the_font() {
        let fonts = FontSet::load().expect("fonts");
        let face = fonts.face(Family::Titillium, Weight::Regular);
        let i = face.width("i", 10.0);
        let m = face.width("m", 10.0);
        assert!(i > 0.5 && i < m && m < 12.0, "i {i}, m {m}");
        assert!((face.width("mi", 10.0) - (i + m)).abs() < 0.001);
        assert!((face.width("m", 20.0) - 2.0 * m).abs() < 0.001);
        let bold = fonts.face(Family::Titillium, Weight::Bold);
        assert!(bold.width("Promemoria", 11.0) > face.width("Promemoria", 11.0));
    }

    #[test]
    fn only_words_titillium_lacks_go_to_dejavu() {
        let mut fonts = FontSet::load().expect("fonts");
        // Without the fallback loaded, everything stays in Titillium.
        assert_eq!(
            fonts.family_for("Олена", Weight::Regular),
            Family::Titillium
        );
        fonts.load_fallback().expect("fallback");
        assert_eq!(
            fonts.family_for("Ștefan", Weight::Regular),
            Family::Titillium
        );
        assert_eq!(fonts.family_for("Łukasz", Weight::Bold), Family::Titillium);
        assert_eq!(fonts.family_for("Олена", Weight::Regular), Family::DejaVu);
        assert_eq!(fonts.family_for("Ελένη", Weight::Bold), Family::DejaVu);
        assert!(fonts.face(Family::DejaVu, Weight::Regular).covers('Ж'));
    }

    #[test]
    fn compatibility_characters_become_titillium_letters() {
        let fonts = FontSet::load().expect("fonts");
        assert_eq!(
            fonts.simplify("uﬃcio Ĳsselmeer", Weight::Regular),
            "ufficio IJsselmeer"
        );
        // Not a compatibility character: left for the fallback.
        assert_eq!(fonts.simplify("Олена\nй", Weight::Bold), "Олена\nй");
    }

    #[test]
    fn undrawable_characters_are_replaced() {
        let mut fonts = FontSet::load().expect("fonts");
        fonts.load_fallback().expect("fallback");
        // No CJK in either font.
        assert_eq!(fonts.substitute("Li 李\nok", Weight::Regular), "Li ?\nok");
        assert_eq!(
            fonts.substitute("Niccolò Олена", Weight::Regular),
            "Niccolò Олена"
        );
    }

    #[test]
    fn cleaning_composes_accents_and_flattens_spaces() {
        assert_eq!(clean("Forli\u{0300}"), "Forlì");
        assert_eq!(clean("a\tb\u{00A0}c\r\nd\u{00AD}e\u{200B}f"), "a b c\ndef");
        assert_eq!(clean("x\u{0007}y"), "xy");
    }
}
