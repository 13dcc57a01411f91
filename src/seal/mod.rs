//! Sealing at rest (issue 17): the data key that encrypts personal records, the keyed hashes
//! that let indexes work without clear text, and the key slots (one per data user, one for the
//! recovery sheet) that hold the data key wrapped under a password or the recovery key.
//!
//! Nothing here touches the store: the store codec calls [`DataKey::seal`] and
//! [`DataKey::open`], the use cases keep the slots.

mod recovery;
mod slot;

pub use recovery::RecoveryKey;
pub use slot::{Slot, SlotKdf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Why a sealed value, a slot or a recovery key was not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Wrong key, wrong place (table or key other than the one it was sealed for) or altered
    /// bytes: authenticated encryption cannot tell these apart, and must not.
    #[error("dato sigillato non apribile: chiave errata, dato spostato o alterato")]
    Unopenable,
    #[error("formato del dato sigillato sconosciuto (versione {0})")]
    UnknownVersion(u8),
    #[error("dato sigillato troppo corto")]
    Truncated,
    #[error("la password non apre questa chiave")]
    WrongSecret,
    #[error("chiave di recupero non valida: {0}")]
    BadRecoveryKey(String),
    #[error("generatore di numeri casuali non disponibile: {0}")]
    Random(String),
}

/// The format byte in front of every sealed value, so a later format can be told apart.
const VERSION: u8 = 1;
const NONCE: usize = 24;
const TAG: usize = 16;

/// Random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], SealError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|e| SealError::Random(e.to_string()))?;
    Ok(out)
}

/// The key that seals personal data. It lives only in memory, and is wiped when dropped.
pub struct DataKey {
    key: Zeroizing<[u8; 32]>,
    /// The sealing key derived from it, once (every record read or written uses it).
    sealing: Zeroizing<[u8; 32]>,
}

impl DataKey {
    pub fn generate() -> Result<Self, SealError> {
        Ok(DataKey::from_bytes(random::<32>()?))
    }

    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        let key = Zeroizing::new(bytes);
        let sealing = derive(&key, "seal");
        DataKey { key, sealing }
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Seals `plain` for its place: `table` and record `key` are authenticated with it, so a
    /// value copied under another record or table does not open.
    pub fn seal(&self, table: &str, key: &[u8], plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce = random::<NONCE>()?;
        let cipher = XChaCha20Poly1305::new(self.sealing.as_slice().into());
        let aad = place(table, key);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Unopenable)?;
        let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`DataKey::seal`] sealed for the same `table` and `key`.
    pub fn open(&self, table: &str, key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Truncated)?;
        if version != VERSION {
            return Err(SealError::UnknownVersion(version));
        }
        if rest.len() < NONCE + TAG {
            return Err(SealError::Truncated);
        }
        let (nonce, body) = rest.split_at(NONCE);
        let cipher = XChaCha20Poly1305::new(self.sealing.as_slice().into());
        let aad = place(table, key);
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Unopenable)
    }

    /// The key of the keyed hashes that replace clear index keys.
    pub fn index_key(&self) -> IndexKey {
        IndexKey::new(&derive(&self.key, "index"))
    }
}

/// A key of its own for one use, derived from the data key (HMAC-SHA-256 as a PRF over the
/// purpose): the index key never seals, the sealing key never hashes.
fn derive(key: &[u8; 32], purpose: &str) -> Zeroizing<[u8; 32]> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&key[..]).expect("HMAC takes a key of any length");
    mac.update(b"sportello/");
    mac.update(purpose.as_bytes());
    Zeroizing::new(mac.finalize().into_bytes().into())
}

/// Associated data: the table's name, a separator no table name holds, the record's key.
fn place(table: &str, key: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(table.len() + 1 + key.len());
    aad.extend_from_slice(table.as_bytes());
    aad.push(0);
    aad.extend_from_slice(key);
    aad
}

/// Keyed hashes for index keys (a name's n-gram, a codice fiscale, a phone): equal text gives
/// equal hashes under one installation's key, and nothing readable in the file.
pub struct IndexKey {
    /// HMAC keyed once: a typo-tolerant search hashes hundreds of variants of a word, and
    /// keying HMAC costs as much as hashing a short word.
    mac: Hmac<Sha256>,
}

impl IndexKey {
    fn new(key: &[u8; 32]) -> IndexKey {
        IndexKey {
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&key[..])
                .expect("HMAC takes a key of any length"),
        }
    }

    /// 16 bytes of HMAC-SHA-256 of `text` in `kind` (so the same text in two indexes differs).
    pub fn hash(&self, kind: &str, text: &str) -> [u8; 16] {
        let mut mac = self.mac.clone();
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        let full: [u8; 32] = mac.finalize().into_bytes().into();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_place_with_its_key() {
        let key = DataKey::generate().unwrap();
        let plain = "RSSMRA80A01H501U – nota sanitaria".as_bytes();
        let sealed = key.seal("persons", b"id-1", plain).unwrap();
        assert!(
            !sealed.windows(16).any(|w| w == &plain[..16]),
            "no clear text in the sealed bytes"
        );
        assert_eq!(key.open("persons", b"id-1", &sealed).unwrap(), plain);
        // Moved under another record or table, altered, cut, or under another key: refused.
        assert_eq!(
            key.open("persons", b"id-2", &sealed),
            Err(SealError::Unopenable)
        );
        assert_eq!(
            key.open("accesses", b"id-1", &sealed),
            Err(SealError::Unopenable)
        );
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert_eq!(
            key.open("persons", b"id-1", &altered),
            Err(SealError::Unopenable)
        );
        assert_eq!(
            key.open("persons", b"id-1", &sealed[..20]),
            Err(SealError::Truncated)
        );
        let other = DataKey::generate().unwrap();
        assert_eq!(
            other.open("persons", b"id-1", &sealed),
            Err(SealError::Unopenable)
        );
        let mut future = sealed.clone();
        future[0] = 9;
        assert_eq!(
            key.open("persons", b"id-1", &future),
            Err(SealError::UnknownVersion(9))
        );
        // Two seals of the same value differ (a fresh nonce each time).
        assert_ne!(sealed, key.seal("persons", b"id-1", plain).unwrap());
    }

    #[test]
    fn index_hashes_are_stable_per_installation_and_per_kind() {
        let key = DataKey::generate().unwrap();
        let index = key.index_key();
        assert_eq!(index.hash("cf", "RSSMRA"), index.hash("cf", "RSSMRA"));
        assert_ne!(index.hash("cf", "RSSMRA"), index.hash("name", "RSSMRA"));
        let other = DataKey::generate().unwrap().index_key();
        assert_ne!(index.hash("cf", "RSSMRA"), other.hash("cf", "RSSMRA"));
        // The index key is not the sealing key.
        assert_ne!(&derive(&key.key, "index")[..], &key.sealing[..]);
    }
}
