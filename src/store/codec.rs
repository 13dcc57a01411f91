//! The one encoding of every stored record value. A leading format byte leaves room for a sealed
//! (encrypted-at-rest) format to be added here without touching any caller.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;

/// MessagePack with field names: compact, self-describing, tolerant of added fields.
const FORMAT_MSGPACK_NAMED: u8 = 1;
// Format 2 is taken: the compact audit entry (`store::audit`), decoded there.

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
}
