//! The keys of the indexes that find a person (code, name words, birth date). In a clear
//! database they are the text itself; in a sealed one, keyed hashes under the index key derived
//! from the data key, so the file holds no codice fiscale, name or birth date, and equal text
//! still finds equal keys. A beginning of a word or of a code, which a clear index finds by a
//! range of sorted keys, is found through its own hashed entries (`PERSON_WORD_PREFIX`,
//! `PERSON_BY_CODE_PREFIX`).

use base64::Engine;
use std::borrow::Cow;

use super::{Sealing, StoreError};
use crate::seal::IndexKey;

/// The longest word beginning indexed in a sealed database (a longer query is a whole word, or
/// one typo away from one).
pub const MAX_PREFIX_CHARS: usize = 16;
/// The beginnings of a codice fiscale indexed in a sealed database: surname and name letters
/// (6), and with the birth date and sex (11). A longer beginning is checked on the records.
pub const CODE_PREFIXES: [usize; 2] = [11, 6];

pub enum IndexKeys {
    Clear,
    Hashed(IndexKey),
}

impl IndexKeys {
    /// The index keys of this moment: personal indexes are neither read nor written while the
    /// store is locked.
    pub fn of(sealing: &Sealing) -> Result<IndexKeys, StoreError> {
        match sealing {
            Sealing::Clear => Ok(IndexKeys::Clear),
            Sealing::Locked => Err(StoreError::Locked),
            Sealing::Open(key) => Ok(IndexKeys::Hashed(key.index_key())),
        }
    }

    pub fn is_hashed(&self) -> bool {
        matches!(self, IndexKeys::Hashed(_))
    }

    fn text(&self, kind: &str, text: &str) -> Cow<'static, str> {
        match self {
            IndexKeys::Clear => Cow::Owned(text.to_string()),
            IndexKeys::Hashed(k) => Cow::Owned(
                // 12 bytes are enough to tell a million values apart; 16 characters stored.
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&k.hash(kind, text)[..12]),
            ),
        }
    }

    /// The key of a codice fiscale or temporary code.
    pub fn code(&self, code: &str) -> Cow<'static, str> {
        self.text("code", code)
    }

    /// The key of the first `CODE_PREFIXES` characters of a code (sealed databases only).
    pub fn code_prefix(&self, prefix: &str) -> Cow<'static, str> {
        self.text("code-prefix", prefix)
    }

    /// The key of a folded name word.
    pub fn word(&self, word: &str) -> Cow<'static, str> {
        self.text("word", word)
    }

    /// The key of the beginning of a folded name word (sealed databases only).
    pub fn word_prefix(&self, prefix: &str) -> Cow<'static, str> {
        self.text("word-prefix", prefix)
    }

    /// The key of a birth date (days from the Common Era). Hashed, a date keeps no order, so a
    /// year is looked up day by day.
    pub fn birth(&self, days: i32) -> i32 {
        match self {
            IndexKeys::Clear => days,
            IndexKeys::Hashed(k) => {
                let h = k.hash("birth", &days.to_string());
                i32::from_be_bytes([h[0], h[1], h[2], h[3]])
            }
        }
    }
}

/// The beginnings of `word` indexed in a sealed database: 1 to `MAX_PREFIX_CHARS` characters,
/// the whole word excluded (it has its own key).
pub fn word_prefixes(word: &str) -> impl Iterator<Item = &str> {
    word.char_indices()
        .skip(1)
        .map(|(i, _)| &word[..i])
        .take(MAX_PREFIX_CHARS)
}

/// The beginnings of a code indexed in a sealed database (a codice fiscale's only).
pub fn code_prefixes(code: &str) -> impl Iterator<Item = &str> {
    let indexed = code.len() == 16 && code.is_ascii();
    CODE_PREFIXES
        .into_iter()
        .filter(move |_| indexed)
        .map(move |n| &code[..n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seal::DataKey;
    use std::sync::Arc;

    #[test]
    fn hashed_keys_hide_the_text_and_stay_equal_for_equal_text() {
        let open = Sealing::Open(Arc::new(DataKey::generate().unwrap()));
        let keys = IndexKeys::of(&open).unwrap();
        let k = keys.word("rossi");
        assert_eq!(k.len(), 16);
        assert!(!k.contains("rossi"));
        assert_eq!(k, keys.word("rossi"));
        assert_ne!(k, keys.word("rosso"));
        // The same text in another index gets another key.
        assert_ne!(keys.word("rossi"), keys.word_prefix("rossi"));
        assert_ne!(keys.birth(720_000), 720_000);
        let clear = IndexKeys::of(&Sealing::Clear).unwrap();
        assert_eq!(clear.word("rossi"), "rossi");
        assert_eq!(clear.birth(720_000), 720_000);
        assert!(matches!(
            IndexKeys::of(&Sealing::Locked),
            Err(StoreError::Locked)
        ));
        assert_eq!(
            word_prefixes("niccolò").collect::<Vec<_>>(),
            ["n", "ni", "nic", "nicc", "nicco", "niccol"]
        );
        assert_eq!(
            code_prefixes("RSSMRA80A01H501U").collect::<Vec<_>>(),
            ["RSSMRA80A01", "RSSMRA"]
        );
        assert_eq!(code_prefixes("PROVV-1234").count(), 0);
    }
}
