//! The one encoding of every stored record value. A leading format byte tells a clear value from
//! a sealed one: personal records go through [`seal`] and [`open`], which encrypt them under the
//! data key with their table and record key as associated data (issue 17).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Sealing, StoreError};

/// MessagePack with field names: compact, self-describing, tolerant of added fields.
const FORMAT_MSGPACK_NAMED: u8 = 1;
// Format 2 is taken: the compact audit entry (`store::audit`), decoded there.
/// A format-1 value sealed by `seal::DataKey` for its table and key.
const FORMAT_SEALED: u8 = 3;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = vec![FORMAT_MSGPACK_NAMED];
    rmp_serde::encode::write_named(&mut out, value)
        .map_err(|e| StoreError::Codec(e.to_string()))?;
    Ok(out)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_MSGPACK_NAMED, body)) => {
            rmp_serde::from_slice(body).map_err(|e| StoreError::Codec(e.to_string()))
        }
        Some((other, _)) => Err(StoreError::Codec(format!("formato {other} sconosciuto"))),
        None => Err(StoreError::Codec("valore vuoto".into())),
    }
}

/// Encodes a personal record for its place (`table`, record `key`): sealed when the database is
/// sealed, refused while it is locked, clear in a database that has no data key yet.
pub fn seal<T: Serialize>(
    sealing: &Sealing,
    table: &str,
    key: &[u8],
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    match sealing {
        Sealing::Clear => encode(value),
        Sealing::Locked => Err(StoreError::Locked),
        Sealing::Open(data_key) => {
            let plain = zeroize::Zeroizing::new(encode(value)?);
            let mut out = vec![FORMAT_SEALED];
            out.extend(data_key.seal(table, key, &plain)?);
            Ok(out)
        }
    }
}

/// Decodes a personal record read from its place. A clear value (written before the database
/// was sealed) still reads; a sealed one needs the data key.
pub fn open<T: DeserializeOwned>(
    sealing: &Sealing,
    table: &str,
    key: &[u8],
    bytes: &[u8],
) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&FORMAT_SEALED, body)) => match sealing {
            Sealing::Open(data_key) => {
                let plain = zeroize::Zeroizing::new(data_key.open(table, key, body)?);
                decode(&plain)
            }
            Sealing::Locked => Err(StoreError::Locked),
            // A sealed value in a database without a data key: a copied or altered file.
            Sealing::Clear => Err(StoreError::Codec(
                "dato sigillato in un archivio senza chiave".into(),
            )),
        },
        _ => decode(bytes),
    }
}

/// [`seal`] for a record of a table keyed by its id.
pub fn seal_id<T: Serialize>(
    sealing: &Sealing,
    table: redb::TableDefinition<u128, &[u8]>,
    id: u128,
    value: &T,
) -> Result<Vec<u8>, StoreError> {
    seal(
        sealing,
        redb::TableHandle::name(&table),
        &id.to_be_bytes(),
        value,
    )
}

/// [`open`] for a record of a table keyed by its id.
pub fn open_id<T: DeserializeOwned>(
    sealing: &Sealing,
    table: redb::TableDefinition<u128, &[u8]>,
    id: u128,
    bytes: &[u8],
) -> Result<T, StoreError> {
    open(
        sealing,
        redb::TableHandle::name(&table),
        &id.to_be_bytes(),
        bytes,
    )
}

/// The record key of a history entry (record id, change number) as sealed with it.
pub fn history_key(id: u128, n: u64) -> [u8; 24] {
    let mut k = [0u8; 24];
    k[..16].copy_from_slice(&id.to_be_bytes());
    k[16..].copy_from_slice(&n.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;
    use chrono::Utc;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        name: String,
        roles: Vec<Role>,
        at: chrono::DateTime<Utc>,
    }

    #[test]
    fn round_trips_and_rejects_garbage() {
        let s = Sample {
            name: "Łukasz Ștefan".into(),
            roles: vec![Role::Operatore],
            at: Utc::now(),
        };
        let bytes = encode(&s).unwrap();
        assert_eq!(bytes[0], 1);
        assert_eq!(decode::<Sample>(&bytes).unwrap(), s);
        assert!(decode::<Sample>(&[]).is_err());
        assert!(decode::<Sample>(&[9, 1, 2]).is_err());
        assert!(decode::<Sample>(&[1, 0xc1]).is_err());
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_in_its_place() {
        let s = Sample {
            name: "RSSMRA80A01H501U Maria Rossi".into(),
            roles: vec![Role::Operatore],
            at: Utc::now(),
        };
        let key = std::sync::Arc::new(crate::seal::DataKey::generate().unwrap());
        let open_state = Sealing::Open(key);
        let bytes = seal(&open_state, "persons", &7u128.to_be_bytes(), &s).unwrap();
        assert_eq!(bytes[0], FORMAT_SEALED);
        assert!(!String::from_utf8_lossy(&bytes).contains("Rossi"));
        assert!(!String::from_utf8_lossy(&bytes).contains("RSSMRA"));
        assert_eq!(
            open::<Sample>(&open_state, "persons", &7u128.to_be_bytes(), &bytes).unwrap(),
            s
        );
        // Another record's place, another table, another key, or no key at all: refused.
        assert!(open::<Sample>(&open_state, "persons", &8u128.to_be_bytes(), &bytes).is_err());
        assert!(open::<Sample>(&open_state, "accesses", &7u128.to_be_bytes(), &bytes).is_err());
        let other = Sealing::Open(std::sync::Arc::new(
            crate::seal::DataKey::generate().unwrap(),
        ));
        assert!(open::<Sample>(&other, "persons", &7u128.to_be_bytes(), &bytes).is_err());
        assert!(matches!(
            open::<Sample>(&Sealing::Locked, "persons", &7u128.to_be_bytes(), &bytes),
            Err(StoreError::Locked)
        ));
        assert!(matches!(
            seal(&Sealing::Locked, "persons", &7u128.to_be_bytes(), &s),
            Err(StoreError::Locked)
        ));
        // A clear value written before sealing still reads once the database is sealed.
        let clear = seal(&Sealing::Clear, "persons", &7u128.to_be_bytes(), &s).unwrap();
        assert_eq!(
            open::<Sample>(&open_state, "persons", &7u128.to_be_bytes(), &clear).unwrap(),
            s
        );
    }
}
