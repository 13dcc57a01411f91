//! The instance's keys: an Ed25519 signing key (minisign format) and an X25519 age identity,
//! kept in the data directory with owner-only permissions; and the public identity shared with
//! the other side at enrollment.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use super::BundleError;
use crate::domain::instance::Instance;

const SIGNING_KEY: &str = "signing.key";
const AGE_KEY: &str = "age.key";
const PREVIOUS: &str = "previous";

/// What the other side needs to know about this instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIdentity {
    pub instance_id: String,
    /// `desk` or `district`.
    pub role: String,
    pub comune_istat: String,
    pub comune_name: String,
    pub ambito_code: String,
    pub ambito_name: String,
    /// minisign public key, base64 (the second line of a `.pub` file).
    pub minisign_public_key: String,
    /// age recipient (`age1…`).
    pub age_recipient: String,
}

/// An identity announced in a bundle: its texts as a person could type them, its keys parsed
/// by the import.
impl crate::domain::bundle_check::BundleRecord for PublicIdentity {
    fn id(&self) -> Option<u128> {
        None
    }

    fn check(&self, _: &crate::domain::reference::Reference) -> Result<(), String> {
        use crate::domain::bundle_check::text;
        text("instance_id", &self.instance_id)?;
        text("comune_name", &self.comune_name)?;
        text("ambito_name", &self.ambito_name)?;
        text("age_recipient", &self.age_recipient)
    }
}

impl PublicIdentity {
    /// A short fingerprint of both public keys, to read over the phone.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.minisign_public_key, &self.age_recipient)
    }

    /// The minisign public key file contents (for `minisign -V -p FILE`).
    pub fn minisign_pub_file(&self) -> String {
        format!(
            "untrusted comment: minisign public key of Sportello {}\n{}\n",
            self.comune_name, self.minisign_public_key
        )
    }
}

pub fn fingerprint(minisign_b64: &str, age_recipient: &str) -> String {
    let digest = Sha256::digest(format!("{minisign_b64}\n{age_recipient}").as_bytes());
    let hex = hex::encode_upper(&digest[..10]);
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The instance's private keys, loaded from (or created in) `<data>/keys`.
pub struct InstanceKeys {
    pub signing: minisign::SecretKey,
    pub signing_public: minisign::PublicKey,
    pub age: age::x25519::Identity,
}

fn keys_dir(data: &Path) -> PathBuf {
    data.join("keys")
}

fn write_private(path: &Path, text: &str) -> Result<(), BundleError> {
    crate::store::write_private_file(path, text.as_bytes())
        .map_err(|e| BundleError::Io(format!("{}: {e}", path.display())))
}

/// Whether this instance's keys have been created.
pub fn present(data: &Path) -> bool {
    let dir = keys_dir(data);
    dir.join(SIGNING_KEY).is_file() && dir.join(AGE_KEY).is_file()
}

impl InstanceKeys {
    /// Loads the keys, creating them the first time.
    pub fn load_or_create(data: &Path) -> Result<Self, BundleError> {
        Self::load_from(&keys_dir(data))
    }

    /// The keys in use before the last rotation, kept to sign the announcement of the new ones and
    /// to open bundles still encrypted to the old key.
    pub fn previous(data: &Path) -> Result<Option<Self>, BundleError> {
        let dir = keys_dir(data).join(PREVIOUS);
        if dir.join(SIGNING_KEY).exists() && dir.join(AGE_KEY).exists() {
            Self::load_from(&dir).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Replaces the keys with new ones; the current ones move to `keys/previous`.
    pub fn rotate(data: &Path) -> Result<Self, BundleError> {
        let dir = keys_dir(data);
        let current = Self::load_from(&dir)?;
        drop(current);
        let previous = dir.join(PREVIOUS);
        crate::store::create_private_dir(&previous)
            .map_err(|e| BundleError::Io(format!("{}: {e}", previous.display())))?;
        for name in [SIGNING_KEY, AGE_KEY] {
            std::fs::rename(dir.join(name), previous.join(name))
                .map_err(|e| BundleError::Io(format!("{name}: {e}")))?;
        }
        Self::load_from(&dir)
    }

    fn load_from(dir: &Path) -> Result<Self, BundleError> {
        let dir = dir.to_path_buf();
        crate::store::create_private_dir(&dir)
            .map_err(|e| BundleError::Io(format!("{}: {e}", dir.display())))?;
        let sk_path = dir.join(SIGNING_KEY);
        if !sk_path.exists() {
            let pair = minisign::KeyPair::generate_unencrypted_keypair()
                .map_err(|e| BundleError::Crypto(e.to_string()))?;
            let text = pair
                .sk
                .to_box(Some("Sportello signing key"))
                .map_err(|e| BundleError::Crypto(e.to_string()))?
                .into_string();
            write_private(&sk_path, &text)?;
        }
        let age_path = dir.join(AGE_KEY);
        if !age_path.exists() {
            let id = age::x25519::Identity::generate();
            let secret = age::secrecy::ExposeSecret::expose_secret(&id.to_string()).to_string();
            write_private(
                &age_path,
                &format!("# Sportello: chiave privata age dell'installazione\n{secret}\n"),
            )?;
        }
        let sk_text =
            std::fs::read_to_string(&sk_path).map_err(|e| BundleError::Io(e.to_string()))?;
        let signing = minisign::SecretKeyBox::from_string(&sk_text)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(|e| BundleError::Crypto(format!("chiave di firma illeggibile: {e}")))?;
        let signing_public = minisign::PublicKey::from_secret_key(&signing)
            .map_err(|e| BundleError::Crypto(e.to_string()))?;
        let age_text =
            std::fs::read_to_string(&age_path).map_err(|e| BundleError::Io(e.to_string()))?;
        let age = age_text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-"))
            .ok_or_else(|| BundleError::Crypto("chiave age dell'installazione assente".into()))?
            .parse::<age::x25519::Identity>()
            .map_err(|e| BundleError::Crypto(format!("chiave age illeggibile: {e}")))?;
        Ok(Self {
            signing,
            signing_public,
            age,
        })
    }

    pub fn identity(&self, instance: &Instance) -> PublicIdentity {
        PublicIdentity {
            instance_id: instance.id.to_string(),
            role: instance.role.code().into(),
            comune_istat: instance.comune.istat.clone(),
            comune_name: instance.comune.name.clone(),
            ambito_code: instance.ambito.code.clone(),
            ambito_name: instance.ambito.name.clone(),
            minisign_public_key: self.signing_public.to_base64(),
            age_recipient: self.age.to_public().to_string(),
        }
    }
}
