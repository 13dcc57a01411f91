//! The recovery key of the *foglio di recupero*: 32 random bytes written as 13 groups of four
//! letters and digits (base32), then a group that checks them, so a key typed back from paper
//! with a slip is refused as mistyped rather than as the wrong key.

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{random, SealError};

/// A recovery key, wiped from memory when dropped.
pub struct RecoveryKey(Zeroizing<[u8; 32]>);

const GROUP: usize = 4;

impl RecoveryKey {
    pub fn generate() -> Result<Self, SealError> {
        Ok(RecoveryKey(Zeroizing::new(random::<32>()?)))
    }

    /// The secret a slot is wrapped under.
    pub fn secret(&self) -> &[u8] {
        &self.0[..]
    }

    /// As printed on the sheet: "ABCD EFGH … WXYZ" (14 groups, the last one the check).
    pub fn text(&self) -> Zeroizing<String> {
        let body = Zeroizing::new(BASE32_NOPAD.encode(&self.0[..]));
        let all = Zeroizing::new(format!("{}{}", body.as_str(), check(body.as_bytes())));
        let grouped: Vec<&str> = all
            .as_bytes()
            .chunks(GROUP)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Zeroizing::new(grouped.join(" "))
    }

    /// Reads a key typed back: spaces, dashes and case do not matter; 0, 1 and 8 are read as
    /// the letters O, I and B that base32 uses instead.
    pub fn parse(typed: &str) -> Result<Self, SealError> {
        let clean: Zeroizing<String> = Zeroizing::new(
            typed
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| match c.to_ascii_uppercase() {
                    '0' => 'O',
                    '1' => 'I',
                    '8' => 'B',
                    other => other,
                })
                .collect(),
        );
        let body_len = BASE32_NOPAD.encode_len(32);
        if clean.len() != body_len + GROUP {
            return Err(SealError::BadRecoveryKey(format!(
                "sono attesi {} caratteri (14 gruppi di 4), ne sono stati scritti {}",
                body_len + GROUP,
                clean.len()
            )));
        }
        let (body, sum) = clean.split_at(body_len);
        if check(body.as_bytes()) != sum {
            return Err(SealError::BadRecoveryKey(
                "un carattere è stato trascritto male: ricontrollare il foglio".into(),
            ));
        }
        let bytes = Zeroizing::new(
            BASE32_NOPAD
                .decode(body.as_bytes())
                .map_err(|_| SealError::BadRecoveryKey("caratteri non previsti".into()))?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SealError::BadRecoveryKey("lunghezza errata".into()))?;
        Ok(RecoveryKey(Zeroizing::new(key)))
    }
}

/// Four base32 characters of SHA-256 of the body.
fn check(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    BASE32_NOPAD.encode(&digest[..3])[..GROUP].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_key_reads_back_from_paper_and_a_slip_is_caught() {
        let key = RecoveryKey::generate().unwrap();
        let text = key.text();
        let groups: Vec<&str> = text.split(' ').collect();
        assert_eq!(groups.len(), 14, "{}", text.as_str());
        assert!(groups.iter().all(|g| g.len() == 4));
        // Typed back in lower case, with dashes instead of spaces.
        let typed = text.replace(' ', "-").to_lowercase();
        assert_eq!(RecoveryKey::parse(&typed).unwrap().secret(), key.secret());
        // One character changed: refused as a slip.
        let mut slip: Vec<char> = text.chars().collect();
        slip[0] = if slip[0] == 'A' { 'B' } else { 'A' };
        let slip: String = slip.into_iter().collect();
        assert!(matches!(
            RecoveryKey::parse(&slip),
            Err(SealError::BadRecoveryKey(m)) if m.contains("trascritto male")
        ));
        assert!(matches!(
            RecoveryKey::parse("ABCD EFGH"),
            Err(SealError::BadRecoveryKey(m)) if m.contains("14 gruppi")
        ));
    }
}
