//! Key slots, as LUKS has them: the data key wrapped under a key derived with argon2id from a
//! secret (a data user's password, or the recovery key). Each slot opens alone; dropping a slot
//! removes that secret's access without touching the data.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{random, DataKey, SealError};

/// The cost of deriving a slot's key, kept in the slot so it can be raised later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotKdf {
    /// Memory in KiB.
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl SlotKdf {
    /// As for login passwords (OWASP's argon2id minimum: 19 MiB, 2 passes).
    pub const DEFAULT: SlotKdf = SlotKdf {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };

    /// Cheap on purpose, for tests that check the wrapping, not the cost.
    #[cfg(test)]
    pub const FAST_FOR_TESTS: SlotKdf = SlotKdf {
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };
}

/// One wrapped copy of the data key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Whose: a username, or `recovery`.
    pub holder: String,
    pub kdf: SlotKdf,
    pub salt: [u8; 16],
    /// The data key sealed under the derived key, the holder as associated data.
    pub wrapped: Vec<u8>,
}

/// The table name a slot's wrapping is authenticated under (not a redb table).
const SLOT_PLACE: &str = "slot";

impl Slot {
    /// Wraps `data` for `holder` under `secret`.
    pub fn wrap(
        data: &DataKey,
        holder: &str,
        secret: &[u8],
        kdf: SlotKdf,
    ) -> Result<Slot, SealError> {
        let salt = random::<16>()?;
        let wrapping = derive(secret, &salt, kdf)?;
        let wrapped = wrapping.seal(SLOT_PLACE, holder.as_bytes(), data.bytes())?;
        Ok(Slot {
            holder: holder.to_string(),
            kdf,
            salt,
            wrapped,
        })
    }

    /// The data key, when `secret` is this slot's.
    pub fn unwrap(&self, secret: &[u8]) -> Result<DataKey, SealError> {
        let wrapping = derive(secret, &self.salt, self.kdf)?;
        let bytes = Zeroizing::new(
            wrapping
                .open(SLOT_PLACE, self.holder.as_bytes(), &self.wrapped)
                .map_err(|_| SealError::WrongSecret)?,
        );
        let key: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SealError::WrongSecret)?;
        Ok(DataKey::from_bytes(key))
    }
}

fn derive(secret: &[u8], salt: &[u8; 16], kdf: SlotKdf) -> Result<DataKey, SealError> {
    let params = Params::new(kdf.memory_kib, kdf.passes, kdf.lanes, Some(32))
        .map_err(|_| SealError::WrongSecret)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(secret, salt, out.as_mut_slice())
        .map_err(|_| SealError::WrongSecret)?;
    Ok(DataKey::from_bytes(*out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: SlotKdf = SlotKdf::FAST_FOR_TESTS;

    #[test]
    fn a_slot_opens_with_its_secret_only_and_gives_back_the_same_key() {
        let data = DataKey::generate().unwrap();
        let slot = Slot::wrap(&data, "assistente", b"una frase lunga e segreta", FAST).unwrap();
        let opened = slot.unwrap(b"una frase lunga e segreta").unwrap();
        assert_eq!(opened.bytes(), data.bytes());
        assert_eq!(
            slot.unwrap(b"un'altra frase").err(),
            Some(SealError::WrongSecret)
        );
        // A slot given to another holder does not open: the holder is authenticated.
        let mut moved = slot.clone();
        moved.holder = "admin".into();
        assert_eq!(
            moved.unwrap(b"una frase lunga e segreta").err(),
            Some(SealError::WrongSecret)
        );
        // Two slots of one key with one password still differ (their salts).
        let again = Slot::wrap(&data, "assistente", b"una frase lunga e segreta", FAST).unwrap();
        assert_ne!(again.wrapped, slot.wrapped);
        // The data key sealed before opens with the key from the slot.
        let sealed = data.seal("persons", b"1", b"nota").unwrap();
        assert_eq!(opened.open("persons", b"1", &sealed).unwrap(), b"nota");
    }
}
