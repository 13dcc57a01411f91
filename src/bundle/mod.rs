//! Bundles between a desk and its district: keys and enrollment, the signed encrypted BagIt
//! export, and its verification.

pub mod bag;
pub mod keys;

use crate::domain::audit::Action;
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeSet;
use std::io::{BufRead, Read, Write};
use std::path::Path;
use uuid::Uuid;

use self::bag::Spool;
use self::keys::{InstanceKeys, PublicIdentity};
use crate::domain::bundle_check::BundleRecord;
use crate::domain::district::{
    AccessRecord, AnonymizationRecord, ReferralRecord, ReferredPerson, SentReferral,
};
use crate::domain::health::DeskWaiting;
use crate::domain::instance::{Instance, InstanceRole};
use crate::domain::reference::Reference;
use crate::domain::referral::{Carried, Target};
pub use crate::store::district::ImportOutcome;
use crate::store::district::{IncomingDeskBundle, IncomingReturnBundle, KeyAdoption};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("file: {0}")]
    Io(String),
    #[error("cifratura o chiavi: {0}")]
    Crypto(String),
    #[error("pacchetto non valido: {0}")]
    Format(String),
    #[error("integrità: {0}")]
    Integrity(String),
    #[error("firma: {0}")]
    Signature(String),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An enrolled counterpart: its public identity and when it was enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    pub identity: PublicIdentity,
    pub enrolled_at: chrono::DateTime<Utc>,
}

const PEERS: &str = "bundle_peers";
const PSEUDONYM_KEY: &str = "pseudonym_key";
const OUT_STATE: &str = "bundle_out";

/// One export at a time in this process (the only one that owns the database): the sequence read
/// at the start and written at the end is never shared by two bundles.
static EXPORT: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn export_lock() -> std::sync::MutexGuard<'static, ()> {
    EXPORT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where the outgoing bundles are: the last sequence number sent and the last change exported.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OutState {
    pub sequence: u64,
    pub last_change: u64,
}

/// The enrollment reply the district sends to a desk, encrypted to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollmentReply {
    pub district: PublicIdentity,
    /// Key of the pseudonyms of codici fiscali, shared by the whole Ambito (hex).
    pub pseudonym_key: String,
}

/// This instance's keys. When they are missing but a counterpart is enrolled (a restore without
/// them), new keys are not made silently: the other side would refuse everything signed with them.
fn instance_keys(store: &Store, data: &Path) -> Result<InstanceKeys, BundleError> {
    if !keys::present(data) && !peers(store)?.is_empty() {
        return Err(BundleError::Refused(
            "le chiavi di questa installazione mancano ma la registrazione con l'altra parte \
             risulta fatta: ripristinare un backup recente (contiene le chiavi) oppure ripetere \
             la registrazione d'accordo con l'altra parte"
                .into(),
        ));
    }
    InstanceKeys::load_or_create(data)
}

/// Desk: how many changes wait for the next bundle to the district, and when the oldest was made.
/// Desk: what waits for the next bundle to the district (changes it carries, referrals to the
/// SSP not yet carried by any bundle).
pub fn pending_changes(store: &Store) -> Result<DeskWaiting, BundleError> {
    let state: OutState = store.setting(OUT_STATE)?.unwrap_or_default();
    // Only what the next bundle carries (accesses, referrals, anonymizations).
    let changes: Vec<_> = store
        .changes_since(state.last_change)?
        .into_iter()
        .filter(|c| matches!(c.kind.as_str(), "access" | "referral" | "anonymization"))
        .collect();
    let referrals = store
        .referrals()?
        .iter()
        .filter(|r| r.awaits_bundle())
        .count();
    Ok(DeskWaiting {
        changes: changes.len(),
        oldest: changes.first().map(|c| c.time),
        referrals,
    })
}

pub fn peers(store: &Store) -> Result<Vec<Peer>, BundleError> {
    Ok(store.setting::<Vec<Peer>>(PEERS)?.unwrap_or_default())
}

fn add_peer(store: &Store, identity: PublicIdentity, actor: &str) -> Result<(), BundleError> {
    let mut all = peers(store)?;
    all.retain(|p| p.identity.instance_id != identity.instance_id);
    let details = format!(
        "{} {} ({}), impronta {}",
        identity.role,
        identity.comune_name,
        identity.instance_id,
        identity.fingerprint()
    );
    all.push(Peer {
        identity,
        enrolled_at: Utc::now(),
    });
    store.set_setting(PEERS, &all, actor, Action::KeysTrust, &details)?;
    Ok(())
}

fn instance(store: &Store) -> Result<Instance, BundleError> {
    store
        .instance()?
        .ok_or_else(|| BundleError::Refused("installazione non configurata".into()))
}

/// This instance's public identity (keys created on first use).
pub fn own_identity(store: &Store, data: &Path) -> Result<PublicIdentity, BundleError> {
    let keys = instance_keys(store, data)?;
    Ok(keys.identity(&instance(store)?))
}

fn encrypt_to(recipient: &str, plain: &[u8]) -> Result<Vec<u8>, BundleError> {
    let r: age::x25519::Recipient = recipient
        .parse()
        .map_err(|e| BundleError::Crypto(format!("destinatario non valido: {e}")))?;
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .map_err(|e| BundleError::Crypto(e.to_string()))?;
    let mut out = Vec::new();
    let mut w = enc
        .wrap_output(&mut out)
        .map_err(|e| BundleError::Crypto(e.to_string()))?;
    w.write_all(plain)
        .map_err(|e| BundleError::Io(e.to_string()))?;
    w.finish().map_err(|e| BundleError::Io(e.to_string()))?;
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file that is synced and then renamed into place,
/// so the file is either whole or absent (bundles, enrollment replies).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    let tmp = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        BundleError::Io(format!("{}: {e}", path.display()))
    })
}

/// Decrypts a file made for this instance; a file for another receiver is refused clearly.
/// Bundles still encrypted to the key before the last rotation open too.
fn decrypt_for_me(
    store: &Store,
    data: &Path,
    input: impl Read,
    limit: u64,
) -> Result<Vec<u8>, BundleError> {
    let mut out = Vec::new();
    decrypting(store, data, input, limit)?
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| {
            tracing::debug!("decifratura interrotta: {e}");
            BundleError::Format("file troncato o alterato".into())
        })?;
    Ok(out)
}

/// The plain text of a file made for this instance, decrypted as it is read (at most `limit`
/// bytes of ciphertext are read).
fn decrypting<R: Read>(
    store: &Store,
    data: &Path,
    input: R,
    limit: u64,
) -> Result<impl Read, BundleError> {
    let keys = instance_keys(store, data)?;
    let previous = InstanceKeys::previous(data)?;
    let identities: Vec<&dyn age::Identity> = std::iter::once(&keys.age as &dyn age::Identity)
        .chain(previous.as_ref().map(|p| &p.age as &dyn age::Identity))
        .collect();
    let d = age::Decryptor::new(std::io::BufReader::new(input.take(limit)))
        // age's own explanation is English and technical: the log keeps it, the user reads this.
        .map_err(|e| {
            tracing::debug!("intestazione age non valida: {e}");
            BundleError::Format(
                "non è un file cifrato di Sportello (intestazione non valida)".into(),
            )
        })?;
    let plain = d.decrypt(identities.into_iter()).map_err(|_| {
        BundleError::Refused(
            "il pacchetto non è cifrato per questa installazione (destinatario diverso)".into(),
        )
    })?;
    Ok(Decrypted(plain))
}

/// The decrypted stream, whose failures (a chunk that does not authenticate: a cut or altered
/// file) say so in Italian to whatever reads it.
struct Decrypted<R>(R);

impl<R: Read> Read for Decrypted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            tracing::debug!("decifratura interrotta: {e}");
            std::io::Error::other("file troncato o alterato")
        })
    }
}

/// District side: enrolls a desk from its public identity and returns the encrypted reply for it.
pub fn trust_desk(
    store: &Store,
    data: &Path,
    desk_json: &str,
    actor: &str,
) -> Result<(PublicIdentity, Vec<u8>), BundleError> {
    audit_refusal(store, actor, "registrazione di uno sportello", || {
        trust_desk_checked(store, data, desk_json, actor)
    })
}

fn trust_desk_checked(
    store: &Store,
    data: &Path,
    desk_json: &str,
    actor: &str,
) -> Result<(PublicIdentity, Vec<u8>), BundleError> {
    let me = instance(store)?;
    if me.role != InstanceRole::District {
        return Err(BundleError::Refused(
            "solo l'ufficio d'Ambito registra gli sportelli".into(),
        ));
    }
    let desk: PublicIdentity = serde_json::from_str(desk_json)
        .map_err(|e| BundleError::Format(format!("identità dello sportello illeggibile: {e}")))?;
    if desk.role != "desk" {
        return Err(BundleError::Refused(
            "il file non è l'identità di uno sportello".into(),
        ));
    }
    if desk.ambito_code != me.ambito.code {
        return Err(BundleError::Refused(format!(
            "lo sportello appartiene all'Ambito {}, non a {}",
            desk.ambito_code, me.ambito.code
        )));
    }
    minisign::PublicKey::from_base64(&desk.minisign_public_key)
        .map_err(|e| BundleError::Crypto(format!("chiave di firma non valida: {e}")))?;
    let key = match store.setting::<String>(PSEUDONYM_KEY)? {
        Some(k) => k,
        None => {
            let mut k = [0u8; 32];
            getrandom::getrandom(&mut k).map_err(|e| BundleError::Crypto(e.to_string()))?;
            let hexed = hex::encode(k);
            store.set_setting(
                PSEUDONYM_KEY,
                &hexed,
                actor,
                Action::KeysPseudonymKey,
                "creata",
            )?;
            hexed
        }
    };
    let reply = EnrollmentReply {
        district: own_identity(store, data)?,
        pseudonym_key: key,
    };
    let plain = serde_json::to_vec(&reply).map_err(|e| BundleError::Format(e.to_string()))?;
    let sealed = encrypt_to(&desk.age_recipient, &plain)?;
    add_peer(store, desk.clone(), actor)?;
    Ok((desk, sealed))
}

/// Desk side: enrolls the district from its (encrypted) enrollment reply.
pub fn trust_reply(
    store: &Store,
    data: &Path,
    reply: impl Read,
    actor: &str,
) -> Result<PublicIdentity, BundleError> {
    audit_refusal(store, actor, "risposta di registrazione", || {
        trust_reply_checked(store, data, reply, actor)
    })
}

fn trust_reply_checked(
    store: &Store,
    data: &Path,
    reply: impl Read,
    actor: &str,
) -> Result<PublicIdentity, BundleError> {
    let me = instance(store)?;
    if me.role != InstanceRole::Desk {
        return Err(BundleError::Refused(
            "la risposta di registrazione si importa sullo sportello".into(),
        ));
    }
    let plain = decrypt_for_me(store, data, reply, 1024 * 1024)?;
    let reply: EnrollmentReply = serde_json::from_slice(&plain)
        .map_err(|e| BundleError::Format(format!("risposta illeggibile: {e}")))?;
    if reply.district.role != "district" || reply.district.ambito_code != me.ambito.code {
        return Err(BundleError::Refused(
            "la risposta non viene dall'ufficio del proprio Ambito".into(),
        ));
    }
    if hex::decode(&reply.pseudonym_key).map(|k| k.len()) != Ok(32) {
        return Err(BundleError::Format(
            "chiave di pseudonimizzazione non valida".into(),
        ));
    }
    store.set_setting(
        PSEUDONYM_KEY,
        &reply.pseudonym_key,
        actor,
        Action::KeysPseudonymKey,
        "ricevuta dall'Ambito",
    )?;
    add_peer(store, reply.district.clone(), actor)?;
    Ok(reply.district)
}

/// The keyed hash that lets the district count distinct people without knowing who they are.
/// The pseudonym of many codici fiscali under one key (the key prepared once).
pub struct Pseudonymizer(Hmac<Sha256>);

/// The Ambito's pseudonymizer, once the desk is enrolled (the district sent the key).
pub fn pseudonymizer(store: &Store) -> Result<Option<Pseudonymizer>, crate::store::StoreError> {
    Ok(store
        .setting::<String>(PSEUDONYM_KEY)?
        .map(|k| Pseudonymizer::new(&k)))
}

impl Pseudonymizer {
    pub fn new(key_hex: &str) -> Pseudonymizer {
        let key = hex::decode(key_hex).unwrap_or_default();
        Pseudonymizer(
            <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap_or_else(|_| {
                <Hmac<Sha256> as Mac>::new_from_slice(&[0]).expect("fixed key")
            }),
        )
    }

    pub fn of(&self, cf: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(cf.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

pub fn pseudonym(key_hex: &str, cf: &str) -> String {
    Pseudonymizer::new(key_hex).of(cf)
}

/// What a written bundle holds.
#[derive(Debug, Clone)]
pub struct Exported {
    pub bundle_id: Uuid,
    pub sequence: u64,
    pub accesses: usize,
    pub referrals: usize,
    pub anonymizations: usize,
    /// Bytes of the payload files before compression (what the throughput figures count).
    pub payload_bytes: u64,
}

fn jsonl<T: Serialize>(items: &[T]) -> Result<Vec<u8>, BundleError> {
    let mut out = Vec::new();
    for i in items {
        out.extend(serde_json::to_vec(i).map_err(|e| BundleError::Format(e.to_string()))?);
        out.push(b'\n');
    }
    Ok(out)
}

/// Desk side: everything changed since the last bundle, for the enrolled district.
pub fn export_desk(
    store: &Store,
    data: &Path,
    deliver: impl FnOnce(&Exported, &Path) -> Result<(), BundleError>,
    actor: &str,
) -> Result<Exported, BundleError> {
    let _one_at_a_time = export_lock();
    let me = instance(store)?;
    if me.role != InstanceRole::Desk {
        return Err(BundleError::Refused(
            "questa esportazione si fa dallo sportello".into(),
        ));
    }
    let district = peers(store)?
        .into_iter()
        .find(|p| p.identity.role == "district")
        .ok_or_else(|| BundleError::Refused("lo sportello non è ancora registrato presso l'Ambito: nella pagina «Scambi» caricare la risposta di registrazione ricevuta dall'ufficio d'Ambito".into()))?;
    let key: String = store.setting(PSEUDONYM_KEY)?.ok_or_else(|| {
        BundleError::Refused(
            "chiave di pseudonimizzazione assente: ripetere la registrazione".into(),
        )
    })?;
    let keys = instance_keys(store, data)?;
    let state: OutState = store.setting(OUT_STATE)?.unwrap_or_default();
    let spool = spool_dir(data)?;

    // Every record from one moment of the database, written to disk as it is read.
    let snap = store.snapshot()?;
    let changed = snap.changed_since(state.last_change)?;
    let last_change = changed.last;
    let mut referrals = Spool::create(&spool, "referrals.jsonl")?;
    let mut referred_accesses = BTreeSet::new();
    let mut carried = Vec::new();
    for id in changed.of("referral") {
        let Some(r) = snap.referral(id)? else {
            continue;
        };
        if r.target != Target::Ssp || !r.was_sent() {
            continue;
        }
        let Some(person) = snap.person(r.person_id)? else {
            continue;
        };
        if person.is_restricted() {
            continue;
        }
        let access = snap.access(r.access_id)?;
        referred_accesses.insert(r.access_id);
        carried.push(r.id);
        referrals.push(&ReferralRecord {
            referral: SentReferral {
                id: r.id,
                access_id: r.access_id,
                reason: r.reason,
                urgency: r.urgency,
                status: r.status,
                history: r.history,
                created_at: r.created_at,
            },
            person: ReferredPerson {
                id: person.id,
                codice_fiscale: person
                    .codice_fiscale
                    .as_ref()
                    .map(|c| c.as_str().to_string()),
                surname: person.surname,
                given_names: person.given_names,
                sex: person.sex,
                birth_date: person.birth_date,
                birth_place: person.birth_place,
                citizenship: person.citizenship,
                residence_istat: person.residence_istat,
                homeless: person.homeless,
                phone: person.phone,
                email: person.email,
                language: person.language,
                privacy_notice: person.privacy_notice,
            },
            needs: access.as_ref().map(|a| a.needs.clone()).unwrap_or_default(),
            outcomes: access.map(|a| a.outcomes).unwrap_or_default(),
        })?;
    }
    let mut accesses = Spool::create(&spool, "accesses.jsonl")?;
    let pseudonyms = Pseudonymizer::new(&key);
    snap.for_each_access(changed.of("access"), |a| {
        let person = match a.person_id {
            Some(pid) => snap.person(pid)?,
            None => None,
        };
        if person.as_ref().is_some_and(|p| p.is_restricted()) {
            return Ok::<(), BundleError>(());
        }
        // An access anonymized by retention keeps the pseudonym it was counted by.
        let key = match (&person, &a.anonymous) {
            (Some(p), _) => p
                .codice_fiscale
                .as_ref()
                .map(|cf| pseudonyms.of(cf.as_str())),
            (None, Some(anon)) => anon.district_key.clone(),
            (None, None) => None,
        };
        let referred = referred_accesses.contains(&a.id);
        accesses.push(&AccessRecord::of(a, person.as_ref(), key, referred))
    })?;
    let mut anonymizations = Spool::create(&spool, "anonymizations.jsonl")?;
    for person_id in changed.of("anonymization") {
        anonymizations.push(&AnonymizationRecord { person_id })?;
    }
    drop(snap);
    let (audit_count, audit_head) = store
        .verify_audit_since_checkpoint()?
        .map_err(|e| BundleError::Integrity(format!("registro di audit alterato: {e}")))?;

    let sequence = state.sequence + 1;
    let bundle_id = Uuid::now_v7();
    let info = bag_info(
        format!("Comune di {} – Segretariato Sociale", me.comune.name),
        &me,
        &district,
        bundle_id,
        sequence,
        audit_count,
        audit_head,
    );
    let (n_accesses, n_referrals, n_anonymizations) =
        (accesses.count, referrals.count, anonymizations.count);
    let payload = vec![
        accesses.finish()?,
        referrals.finish()?,
        anonymizations.finish()?,
    ];
    let payload_bytes = payload.iter().map(bag::PayloadFile::len).sum();
    let file = write_bundle(store, data, &me, &district, &keys, &info, payload, &spool)?;
    let exported = Exported {
        bundle_id,
        sequence,
        accesses: n_accesses,
        referrals: n_referrals,
        anonymizations: n_anonymizations,
        payload_bytes,
    };
    // The file is stored durably before the sequence moves on: a failure leaves nothing skipped.
    let delivered = deliver(&exported, &file);
    let _ = std::fs::remove_file(&file);
    delivered?;
    announced(store, &district, actor)?;
    store.record_export(
        OUT_STATE,
        &OutState {
            sequence,
            last_change,
        },
        &carried,
        Carried {
            sequence,
            at: Utc::now(),
        },
        actor,
        &format!("pacchetto {sequence} ({bundle_id}): {n_accesses} accessi, {n_referrals} invii"),
    )?;
    Ok(exported)
}

/// A private folder of the data directory for the files an export writes before delivering
/// them; whatever an interrupted export left there is removed (exports run one at a time).
fn spool_dir(data: &Path) -> Result<std::path::PathBuf, BundleError> {
    let dir = data.join("tmp").join("export");
    crate::store::create_private_dir(&dir)
        .map_err(|e| BundleError::Io(format!("{}: {e}", dir.display())))?;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(dir)
}

/// Writes the signed bag of `payload`, encrypted to `receiver`, to a new synced file in `dir`,
/// streaming: no part of it is held whole in memory.
#[allow(clippy::too_many_arguments)]
fn write_bundle(
    store: &Store,
    data: &Path,
    me: &Instance,
    receiver: &Peer,
    keys: &InstanceKeys,
    info: &[(String, String)],
    mut payload: Vec<bag::PayloadFile>,
    dir: &Path,
) -> Result<std::path::PathBuf, BundleError> {
    let path = dir.join(format!("{}.age", Uuid::now_v7()));
    let write = |payload: &mut Vec<bag::PayloadFile>| -> Result<(), BundleError> {
        let io = |e: std::io::Error| BundleError::Io(format!("{}: {e}", path.display()));
        let recipient: age::x25519::Recipient = receiver
            .identity
            .age_recipient
            .parse()
            .map_err(|e| BundleError::Crypto(format!("destinatario non valido: {e}")))?;
        let file = std::fs::File::create(&path).map_err(io)?;
        let sealed =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| BundleError::Crypto(e.to_string()))?
                .wrap_output(std::io::BufWriter::with_capacity(256 * 1024, file))
                .map_err(io)?;
        let sealed = sign_announcing(store, data, me, receiver, keys, info, payload, sealed)?;
        let file = sealed
            .finish()
            .map_err(io)?
            .into_inner()
            .map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)
    };
    write(&mut payload).inspect_err(|_| {
        let _ = std::fs::remove_file(&path);
    })?;
    Ok(path)
}

/// The private folder where an import unpacks payload files (each removed with its bag);
/// leftovers of an interrupted import older than a day are removed.
fn import_spool(data: &Path) -> Result<std::path::PathBuf, BundleError> {
    let dir = data.join("tmp").join("import");
    crate::store::create_private_dir(&dir)
        .map_err(|e| BundleError::Io(format!("{}: {e}", dir.display())))?;
    let day = std::time::Duration::from_secs(24 * 3600);
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
    Ok(dir)
}

/// Puts a written bundle at `dest` whole or not at all, durably: renamed when on the same disk,
/// else copied to a temporary file there, synced and renamed (a USB stick); then the folder
/// that holds it is synced, so the name survives a power cut before the sequence moves on.
pub fn place_file(src: &Path, dest: &Path) -> Result<(), BundleError> {
    let fail = |e: std::io::Error| BundleError::Io(format!("{}: {e}", dest.display()));
    if std::fs::rename(src, dest).is_err() {
        let tmp = dest.with_extension("tmp");
        let copy = || -> std::io::Result<()> {
            std::fs::copy(src, &tmp)?;
            // Windows flushes only a file opened for writing.
            std::fs::OpenOptions::new()
                .write(true)
                .open(&tmp)?
                .sync_all()?;
            std::fs::rename(&tmp, dest)
        };
        copy().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })?;
    }
    sync_parent(dest).map_err(fail)
}

/// Syncs the folder holding `path` (Unix; Windows has no such call and commits renames itself).
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

const ROTATION_PENDING: &str = "key_rotation_pending";

/// Replaces this instance's keys. Every enrolled counterpart learns the new public keys from the
/// next bundle it gets, signed with the old key it trusts.
pub fn rotate_keys(store: &Store, data: &Path, actor: &str) -> Result<PublicIdentity, BundleError> {
    let me = instance(store)?;
    let keys = InstanceKeys::rotate(data)?;
    let pending: Vec<String> = peers(store)?
        .into_iter()
        .map(|p| p.identity.instance_id)
        .collect();
    let identity = keys.identity(&me);
    store.set_setting(
        ROTATION_PENDING,
        &pending,
        actor,
        Action::KeysRotate,
        &format!("nuova impronta {}", identity.fingerprint()),
    )?;
    Ok(identity)
}

/// Signs the bag and streams it into `out`; while the receiver has not yet been told of a key
/// rotation, with the previous key and the new public identity in `identity.jsonl`.
#[allow(clippy::too_many_arguments)]
fn sign_announcing<W: Write>(
    store: &Store,
    data: &Path,
    me: &Instance,
    receiver: &Peer,
    keys: &InstanceKeys,
    info: &[(String, String)],
    payload: &mut Vec<bag::PayloadFile>,
    out: W,
) -> Result<W, BundleError> {
    let pending: Vec<String> = store.setting(ROTATION_PENDING)?.unwrap_or_default();
    if pending.contains(&receiver.identity.instance_id) {
        if let Some(previous) = InstanceKeys::previous(data)? {
            payload.push(bag::PayloadFile::from_bytes(
                "identity.jsonl",
                jsonl(&[keys.identity(me)])?,
            ));
            return bag::build_to(
                info,
                payload,
                &previous.signing,
                &previous.signing_public,
                out,
            );
        }
    }
    bag::build_to(info, payload, &keys.signing, &keys.signing_public, out)
}

fn announced(store: &Store, receiver: &Peer, actor: &str) -> Result<(), BundleError> {
    let mut pending: Vec<String> = store.setting(ROTATION_PENDING)?.unwrap_or_default();
    if pending.contains(&receiver.identity.instance_id) {
        pending.retain(|id| *id != receiver.identity.instance_id);
        store.set_setting(
            ROTATION_PENDING,
            &pending,
            actor,
            Action::KeysAnnounced,
            &receiver.identity.comune_name,
        )?;
    }
    Ok(())
}

fn bag_info(
    organization: String,
    me: &Instance,
    receiver: &Peer,
    bundle_id: Uuid,
    sequence: u64,
    audit_count: u64,
    audit_head: String,
) -> Vec<(String, String)> {
    vec![
        ("Source-Organization".into(), organization),
        ("Source-Instance".into(), me.id.to_string()),
        ("Source-Comune-ISTAT".into(), me.comune.istat.clone()),
        (
            "Receiver-Instance".into(),
            receiver.identity.instance_id.clone(),
        ),
        ("Bundle-Id".into(), bundle_id.to_string()),
        ("Bundle-Sequence".into(), sequence.to_string()),
        (
            "Schema-Version".into(),
            crate::store::SCHEMA_VERSION.to_string(),
        ),
        (
            "Bagging-Date".into(),
            Utc::now().format("%Y-%m-%d").to_string(),
        ),
        ("Audit-Count".into(), audit_count.to_string()),
        ("Audit-Head".into(), audit_head),
    ]
}

/// District side: the return bundle for the desk of comune `istat`: the answers to its referrals
/// given since the last return bundle, and the Ambito's service directory.
pub fn export_return(
    store: &Store,
    data: &Path,
    reference: &Reference,
    istat: &str,
    deliver: impl FnOnce(&Exported, &Path) -> Result<(), BundleError>,
    actor: &str,
) -> Result<Exported, BundleError> {
    let _one_at_a_time = export_lock();
    let me = instance(store)?;
    if me.role != InstanceRole::District {
        return Err(BundleError::Refused(
            "il pacchetto di ritorno si prepara all'ufficio d'Ambito".into(),
        ));
    }
    let desk = peers(store)?
        .into_iter()
        .find(|p| p.identity.role == "desk" && p.identity.comune_istat == istat)
        .ok_or_else(|| {
            BundleError::Refused(format!(
                "nessuno sportello registrato per il comune con codice ISTAT {istat}"
            ))
        })?;
    let keys = instance_keys(store, data)?;
    let state_key = format!("{OUT_STATE}_{}", desk.identity.instance_id);
    let state: OutState = store.setting(&state_key)?.unwrap_or_default();
    let (statuses, last_change) =
        store.inbox_changes_for(&desk.identity.instance_id, state.last_change)?;
    let directory =
        crate::domain::hsds::export(&store.directory()?, &reference.vocab, &reference.comuni);
    let (audit_count, audit_head) = store
        .verify_audit_since_checkpoint()?
        .map_err(|e| BundleError::Integrity(format!("registro di audit alterato: {e}")))?;
    let sequence = state.sequence + 1;
    let bundle_id = Uuid::now_v7();
    let info = bag_info(
        format!("{} – Servizio Sociale Professionale", me.ambito.name),
        &me,
        &desk,
        bundle_id,
        sequence,
        audit_count,
        audit_head,
    );
    let payload = vec![
        bag::PayloadFile::from_bytes("statuses.jsonl", jsonl(&statuses)?),
        bag::PayloadFile::from_bytes("directory.jsonl", jsonl(&[directory])?),
    ];
    let payload_bytes = payload.iter().map(bag::PayloadFile::len).sum();
    let spool = spool_dir(data)?;
    let file = write_bundle(store, data, &me, &desk, &keys, &info, payload, &spool)?;
    let exported = Exported {
        bundle_id,
        sequence,
        accesses: 0,
        referrals: statuses.len(),
        anonymizations: 0,
        payload_bytes,
    };
    let delivered = deliver(&exported, &file);
    let _ = std::fs::remove_file(&file);
    delivered?;
    announced(store, &desk, actor)?;
    store.set_setting(
        &state_key,
        &OutState {
            sequence,
            last_change,
        },
        actor,
        Action::BundleExport,
        &format!(
            "pacchetto di ritorno {sequence} ({bundle_id}) per {}: {} risposte",
            desk.identity.comune_name,
            statuses.len()
        ),
    )?;
    Ok(exported)
}

/// Opens a bundle meant for this instance: decrypts, unpacks with limits, verifies the signature
/// of the enrolled sender before reading any record, then every hash. Returns bag-info and bag.
/// Checks a bundle without applying it (`sportello verify`); a refusal is audited.
pub fn verify(
    store: &Store,
    data: &Path,
    input: impl Read,
    actor: &str,
) -> Result<(std::collections::BTreeMap<String, String>, bag::Bag, Peer), BundleError> {
    audit_refusal(store, actor, "verifica di un pacchetto", || {
        open(store, data, input)
    })
}

/// Runs `f`; when it refuses the file (anything but a storage failure) the refusal is audited with
/// its reason, so a stream of bad or hostile files leaves a trace.
fn audit_refusal<T>(
    store: &Store,
    actor: &str,
    what: &str,
    f: impl FnOnce() -> Result<T, BundleError>,
) -> Result<T, BundleError> {
    let result = f();
    if let Err(e) = &result {
        if !matches!(e, BundleError::Store(_)) {
            let reason: String = e.to_string().chars().take(500).collect();
            store.audit(
                crate::domain::audit::AuditEvent::new(actor, Action::BundleRefused, what)
                    .details(reason),
            )?;
        }
    }
    result
}

fn open(
    store: &Store,
    data: &Path,
    input: impl Read,
) -> Result<(std::collections::BTreeMap<String, String>, bag::Bag, Peer), BundleError> {
    let targz = decrypting(store, data, input, 2 * bag::MAX_UNPACKED)?;
    // Payload files go to disk as they are decrypted: memory stays small before the signature
    // is checked, whatever the file holds.
    let bag = bag::unpack_into(targz, Some(&import_spool(data)?))?;
    let source = bag::source_instance(&bag)?;
    let peer = peers(store)?
        .into_iter()
        .find(|p| p.identity.instance_id == source)
        .ok_or_else(|| {
            BundleError::Refused(format!(
                "mittente non registrato ({source}): la firma non può essere accettata"
            ))
        })?;
    let public = minisign::PublicKey::from_base64(&peer.identity.minisign_public_key)
        .map_err(|e| BundleError::Crypto(e.to_string()))?;
    let info = bag::verify(&bag, &public)?;
    Ok((info, bag, peer))
}

/// Every record a verified bag carries, parsed (what `import` applies).
#[derive(Debug, Default)]
pub struct Records {
    pub accesses: Vec<AccessRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub anonymizations: Vec<AnonymizationRecord>,
    pub statuses: Vec<crate::domain::district::StatusRecord>,
    pub directory: Option<serde_json::Value>,
}

pub fn read_records(bag: &bag::Bag, reference: &Reference) -> Result<Records, BundleError> {
    Ok(Records {
        accesses: records(bag, "accesses.jsonl", reference)?,
        referrals: records(bag, "referrals.jsonl", reference)?,
        anonymizations: records(bag, "anonymizations.jsonl", reference)?,
        statuses: records(bag, "statuses.jsonl", reference)?,
        directory: records::<serde_json::Value>(bag, "directory.jsonl", reference)?
            .into_iter()
            .next(),
    })
}

fn records<T: serde::de::DeserializeOwned + BundleRecord>(
    bag: &bag::Bag,
    name: &'static str,
    reference: &Reference,
) -> Result<Vec<T>, BundleError> {
    JsonLines::open(bag, name, reference)?
        .map(|r| r.map_err(refused))
        .collect()
}

/// The longest line a payload file may have.
const MAX_LINE: u64 = 1024 * 1024;

/// The records of a JSON-lines payload file as an iterator, read line by line, each checked
/// (`BundleRecord::check`, ids unique in the file); a line that does not parse or check comes
/// as `StoreError::Rejected` naming the file and line, which refuses the whole bundle.
struct JsonLines<'a, T> {
    name: &'static str,
    reader: Option<Box<dyn BufRead + 'a>>,
    reference: &'a Reference,
    seen: std::collections::HashSet<u128>,
    line: Vec<u8>,
    number: usize,
    _of: std::marker::PhantomData<T>,
}

impl<'a, T> JsonLines<'a, T> {
    fn open(
        bag: &'a bag::Bag,
        name: &'static str,
        reference: &'a Reference,
    ) -> Result<Self, BundleError> {
        Ok(JsonLines {
            name,
            reader: bag.lines(&format!("data/{name}"))?,
            reference,
            seen: std::collections::HashSet::new(),
            line: Vec::new(),
            number: 0,
            _of: std::marker::PhantomData,
        })
    }

    fn rejected(&self, why: impl std::fmt::Display) -> StoreError {
        StoreError::Rejected(format!("{}, riga {}: {why}", self.name, self.number))
    }
}

impl<T: serde::de::DeserializeOwned + BundleRecord> Iterator for JsonLines<'_, T> {
    type Item = Result<T, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = self.reader.as_mut()?;
        loop {
            self.line.clear();
            // No record is near a megabyte: a longer line is refused, not read into memory.
            match reader
                .by_ref()
                .take(MAX_LINE + 1)
                .read_until(b'\n', &mut self.line)
            {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(StoreError::Rejected(format!("{}: {e}", self.name)))),
            }
            self.number += 1;
            if self.line.len() as u64 > MAX_LINE {
                return Some(Err(self.rejected("riga troppo lunga")));
            }
            let text = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
            if text.is_empty() {
                continue;
            }
            let record: T = match serde_json::from_slice(text) {
                Ok(r) => r,
                Err(e) => return Some(Err(self.rejected(format!("record non valido ({e})")))),
            };
            if let Err(why) = record.check(self.reference) {
                return Some(Err(self.rejected(why)));
            }
            if let Some(id) = record.id() {
                if !self.seen.insert(id) {
                    let id = Uuid::from_u128(id);
                    return Some(Err(self.rejected(format!("identificativo {id} ripetuto"))));
                }
            }
            return Some(Ok(record));
        }
    }
}

fn info_field<'a>(
    info: &'a std::collections::BTreeMap<String, String>,
    key: &str,
) -> Result<&'a str, BundleError> {
    info.get(key)
        .map(String::as_str)
        .ok_or_else(|| BundleError::Format(format!("bag-info.txt senza {key}")))
}

/// Opens and verifies a bundle from the other side (a desk's at the district, the district's
/// return bundle at a desk), then applies it in one transaction.
pub fn import(
    store: &Store,
    data: &Path,
    reference: &Reference,
    input: impl Read,
    actor: &str,
) -> Result<ImportOutcome, BundleError> {
    audit_refusal(store, actor, "importazione di un pacchetto", || {
        import_checked(store, data, reference, input, actor)
    })
}

fn import_checked(
    store: &Store,
    data: &Path,
    reference: &Reference,
    input: impl Read,
    actor: &str,
) -> Result<ImportOutcome, BundleError> {
    let me = instance(store)?;
    let (info, bag, peer) = open(store, data, input)?;
    let expected = match me.role {
        InstanceRole::District => "desk",
        InstanceRole::Desk => "district",
    };
    if peer.identity.role != expected {
        return Err(BundleError::Refused(match me.role {
            InstanceRole::District => "il pacchetto non viene da uno sportello".into(),
            InstanceRole::Desk => "il pacchetto non viene dall'ufficio d'Ambito".into(),
        }));
    }
    if info_field(&info, "Receiver-Instance")? != me.id.to_string() {
        return Err(BundleError::Refused(
            "il pacchetto è indirizzato a un'altra installazione".into(),
        ));
    }
    let sequence: u64 = info_field(&info, "Bundle-Sequence")?
        .parse()
        .map_err(|_| BundleError::Format("Bundle-Sequence non numerico".into()))?;
    let bundle_id: Uuid = info_field(&info, "Bundle-Id")?
        .parse()
        .map_err(|_| BundleError::Format("Bundle-Id non valido".into()))?;
    let announced_identity: Option<PublicIdentity> = records(&bag, "identity.jsonl", reference)?
        .into_iter()
        .next();
    if let Some(new) = &announced_identity {
        if new.instance_id != peer.identity.instance_id || new.role != peer.identity.role {
            return Err(BundleError::Refused(
                "il pacchetto annuncia le chiavi di un'altra installazione".into(),
            ));
        }
        minisign::PublicKey::from_base64(&new.minisign_public_key)
            .map_err(|e| BundleError::Crypto(format!("nuova chiave di firma non valida: {e}")))?;
    }
    let digest = bag::content_digest(&bag)?;
    let adoption = adoption(store, announced_identity)?;
    if me.role == InstanceRole::Desk {
        let parsed = read_records(&bag, reference)?;
        let directory = match &parsed.directory {
            Some(doc) => Some(crate::domain::hsds::import(doc, &reference.vocab).map_err(
                |errors| {
                    BundleError::Format(format!(
                        "elenco dei servizi non valido: {}",
                        errors.join("; ")
                    ))
                },
            )?),
            None => None,
        };
        let incoming = IncomingReturnBundle {
            bundle_id,
            sequence,
            digest,
            adoption,
            source_instance: peer.identity.instance_id.clone(),
            source_name: peer.identity.ambito_name.clone(),
            statuses: parsed.statuses,
            directory,
        };
        return store.apply_return_bundle(&incoming, actor).map_err(refused);
    }
    let incoming = IncomingDeskBundle {
        bundle_id,
        sequence,
        digest,
        adoption,
        source_instance: peer.identity.instance_id.clone(),
        comune_istat: peer.identity.comune_istat.clone(),
        comune_name: peer.identity.comune_name.clone(),
        accesses: Vec::new(),
        referrals: records(&bag, "referrals.jsonl", reference)?,
        anonymizations: records(&bag, "anonymizations.jsonl", reference)?,
    };
    // The access records, possibly a million, go from the file into the transaction one by one.
    let accesses = JsonLines::<AccessRecord>::open(&bag, "accesses.jsonl", reference)?;
    store
        .apply_desk_bundle_with(&incoming, accesses, actor)
        .map_err(refused)
}

/// A sequence the store refuses is a refusal of the bundle, with the store's reason.
fn refused(e: StoreError) -> BundleError {
    if let StoreError::Rejected(reason) = e {
        return BundleError::Format(reason);
    }
    match e {
        e @ (StoreError::SequenceGap { .. }
        | StoreError::SequenceConflict { .. }
        | StoreError::BundleConflict { .. }) => BundleError::Refused(e.to_string()),
        e => e.into(),
    }
}

/// The new keys a counterpart announced in a bundle signed with its old key, to be trusted in
/// the transaction that applies that bundle: a bundle applied before (a replay) changes no key.
fn adoption(
    store: &Store,
    announced: Option<PublicIdentity>,
) -> Result<Option<KeyAdoption>, BundleError> {
    let Some(new) = announced else {
        return Ok(None);
    };
    let mut all = peers(store)?;
    if all.iter().any(|p| p.identity == new) {
        return Ok(None);
    }
    all.retain(|p| p.identity.instance_id != new.instance_id);
    let fingerprint = new.fingerprint();
    let details = format!(
        "{} {} ({}), nuova impronta {fingerprint} annunciata nel pacchetto",
        new.role, new.comune_name, new.instance_id
    );
    all.push(Peer {
        identity: new,
        enrolled_at: Utc::now(),
    });
    Ok(Some(KeyAdoption::new(PEERS, &all, fingerprint, details)?))
}
