//! Backups: a logical dump of every table taken inside one read transaction (never a copy of
//! the open file), gzip-compressed and encrypted with age; and its restore into an empty data
//! directory, in one write transaction, followed by the usual migrations and an audit check.
//!
//! Dump layout (inside gzip inside age): a JSON header line, then per table a frame
//! `name-len u16 | name | kind u8 (0 table, 1 multimap) | rows u64`, then per row
//! `key-len u32 | key | value-len u32 | value`, with redb's own byte encodings. After the tables,
//! a frame `files` (kind 2) carries the installation's key files (`keys/…`: bundle signing and
//! encryption keys; `tls/…`: the HTTPS certificate), each as path | contents, so that a desk
//! restored on a new PC keeps its identity towards the Ambito and its certificate fingerprint.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use redb::{
    Key, MultimapTableDefinition, ReadTransaction, ReadableMultimapTable, ReadableTable,
    TableDefinition, Value, WriteTransaction,
};
use serde::{Deserialize, Serialize};

use super::tables::*;
use super::{Store, StoreError};

const FORMAT: &str = "sportello-dump";
const FORMAT_VERSION: u32 = 1;
/// Larger keys or values than this cannot come from Sportello: the file is refused.
const MAX_ITEM: usize = 64 * 1024 * 1024;

/// What a dump holds, written first so a restore can check it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DumpHeader {
    pub format: String,
    pub version: u32,
    pub schema_version: u32,
    pub created_at: DateTime<Utc>,
    /// Rows per table, to verify the restore.
    pub rows: Vec<(String, u64)>,
    /// Key files carried after the tables (paths relative to the data directory).
    #[serde(default)]
    pub files: Vec<String>,
}

/// No key file is larger than this; anything bigger is not ours.
const MAX_KEY_FILE: u64 = 1024 * 1024;

/// The files that travel in backups, relative to the data directory: the bundle keys (current
/// and previous) and the HTTPS certificate. Nothing else is ever written by a restore.
const KEY_FILES: [&str; 6] = [
    "keys/signing.key",
    "keys/age.key",
    "keys/previous/signing.key",
    "keys/previous/age.key",
    "tls/cert.pem",
    "tls/key.pem",
];

/// Whether `path` (relative, `/`-separated) is one of [`KEY_FILES`].
fn is_key_path(path: &str) -> bool {
    KEY_FILES.contains(&path)
}

/// The key files of `data_dir`, with their relative paths (in a fixed order, so backups are
/// repeatable).
fn key_files(data_dir: &Path) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut out = Vec::new();
    for rel in KEY_FILES {
        let path = rel
            .split('/')
            .fold(data_dir.to_path_buf(), |p, part| p.join(part));
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() && m.len() <= MAX_KEY_FILE => {
                out.push((rel.to_string(), std::fs::read(&path).map_err(err)?));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Where a backup is encrypted to.
pub enum Seal<'a> {
    Passphrase(&'a str),
    /// An age recipient (`age1…`).
    Recipient(&'a str),
}

/// How a backup is opened.
pub enum Unseal<'a> {
    Passphrase(&'a str),
    /// An age identity (`AGE-SECRET-KEY-1…`).
    Identity(&'a str),
}

fn err(msg: impl std::fmt::Display) -> StoreError {
    StoreError::Backup(msg.to_string())
}

struct Dumper<'t, W: Write> {
    txn: &'t ReadTransaction,
    out: W,
    rows: Vec<(String, u64)>,
    /// Tables left out (the digest of the records without the audit trail).
    skip: &'static [&'static str],
}

fn frame_header(out: &mut impl Write, name: &str, kind: u8, rows: u64) -> std::io::Result<()> {
    out.write_all(&(name.len() as u16).to_le_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&[kind])?;
    out.write_all(&rows.to_le_bytes())
}

fn item(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_le_bytes())?;
    out.write_all(bytes)
}

impl<W: Write> Dumper<'_, W> {
    fn table<K: Key + 'static, V: Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<(), StoreError> {
        let name = redb::TableHandle::name(&def).to_string();
        if self.skip.contains(&name.as_str()) {
            return Ok(());
        }
        let table = self.txn.open_table(def)?;
        let n = redb::ReadableTableMetadata::len(&table)?;
        frame_header(&mut self.out, &name, 0, n).map_err(err)?;
        for row in table.iter()? {
            let (k, v) = row?;
            item(&mut self.out, K::as_bytes(&k.value()).as_ref()).map_err(err)?;
            item(&mut self.out, V::as_bytes(&v.value()).as_ref()).map_err(err)?;
        }
        self.rows.push((name, n));
        Ok(())
    }

    fn multimap<K: Key + 'static, V: Key + 'static>(
        &mut self,
        def: MultimapTableDefinition<K, V>,
    ) -> Result<(), StoreError> {
        let table = self.txn.open_multimap_table(def)?;
        // Counted first (same snapshot) so the frame can say how many pairs follow.
        let mut n = 0u64;
        for row in table.iter()? {
            let (_, values) = row?;
            n += values.len();
        }
        let name = redb::MultimapTableHandle::name(&def).to_string();
        frame_header(&mut self.out, &name, 1, n).map_err(err)?;
        for row in table.iter()? {
            let (k, values) = row?;
            let kv = k.value();
            let kb = K::as_bytes(&kv);
            for v in values {
                item(&mut self.out, kb.as_ref()).map_err(err)?;
                item(&mut self.out, V::as_bytes(&v?.value()).as_ref()).map_err(err)?;
            }
        }
        self.rows.push((name, n));
        Ok(())
    }
}

/// Every table a backup carries, in a fixed order (new tables go at the end). Sessions and login
/// failures are left out on purpose: a restored system starts with nobody logged in.
macro_rules! each_table {
    ($x:ident) => {{
        $x.table(META)?;
        $x.table(USERS)?;
        $x.table(USER_BY_USERNAME)?;
        $x.table(TOKENS)?;
        $x.multimap(TOKENS_BY_USER)?;
        $x.table(AUDIT)?;
        $x.table(CHANGELOG)?;
        $x.table(PERSONS)?;
        $x.table(PERSON_BY_CODE)?;
        $x.multimap(PERSON_BY_WORD)?;
        $x.multimap(PERSON_BY_BIRTH)?;
        $x.table(PERSON_HISTORY)?;
        $x.table(ACCESSES)?;
        $x.multimap(ACCESSES_BY_PERSON)?;
        $x.table(ACCESSES_BY_TIME)?;
        $x.table(APPOINTMENTS)?;
        $x.table(APPOINTMENTS_BY_TIME)?;
        $x.multimap(APPOINTMENTS_BY_PERSON)?;
        $x.table(ORGANIZATIONS)?;
        $x.table(SERVICES)?;
        $x.table(REFERRALS)?;
        $x.multimap(REFERRALS_BY_ACCESS)?;
        $x.multimap(REFERRALS_BY_PERSON)?;
        $x.table(INBOX)?;
        $x.table(DISTRICT_ACCESSES)?;
        $x.table(BUNDLE_IMPORTS)?;
        $x.table(AUDIT_BY_PERSON)?;
        $x.table(STAT_RECORDS)?;
        $x.table(STAT_COUNTS)?;
        $x.table(STAT_PRESENCE)?;
        $x.table(DISTRICT_REFERRED)?;
        $x.table(MERGES)?;
        $x.multimap(MERGES_BY_INTO)?;
        $x.table(KEY_SLOTS)?;
        $x.multimap(PERSON_WORD_PREFIX)?;
        $x.multimap(PERSON_BY_CODE_PREFIX)?;
    }};
}

/// Tables deliberately not in backups (drafts live a day, for the session that typed them).
pub const NOT_BACKED_UP: [&str; 5] = [
    "sessions",
    "sessions_by_user",
    "login_failures",
    "drafts",
    "drafts_by_user",
];

fn encryptor(seal: &Seal) -> Result<age::Encryptor, StoreError> {
    match seal {
        Seal::Passphrase(p) => Ok(age::Encryptor::with_user_passphrase(
            age::secrecy::SecretString::from(p.to_string()),
        )),
        Seal::Recipient(r) => {
            let recipient: age::x25519::Recipient = r
                .trim()
                .parse()
                .map_err(|e| err(format!("chiave pubblica di backup non valida: {e}")))?;
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(err)
        }
    }
}

struct Restorer<'t, R: Read> {
    txn: &'t WriteTransaction,
    input: R,
    /// The next frame (name, kind, rows), read but not yet used.
    pending: Option<(String, u8, u64)>,
    rows: Vec<(String, u64)>,
}

fn read_exact<R: Read>(input: &mut R, n: usize) -> Result<Vec<u8>, StoreError> {
    let mut buf = vec![0u8; n];
    input
        .read_exact(&mut buf)
        .map_err(|e| err(format!("file di backup troncato o illeggibile: {e}")))?;
    Ok(buf)
}

fn read_u32<R: Read>(input: &mut R) -> Result<usize, StoreError> {
    let b = read_exact(input, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Checks bytes before redb decodes them (its decoders assume well-formed input).
fn check<T: Value>(bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(w) = T::fixed_width() {
        if bytes.len() != w {
            return Err(err("valore di lunghezza errata nel file di backup"));
        }
    }
    if T::type_name().name() == "&str" && std::str::from_utf8(bytes).is_err() {
        return Err(err("testo non UTF-8 nel file di backup"));
    }
    Ok(())
}

impl<R: Read> Restorer<'_, R> {
    fn next_frame(&mut self) -> Result<Option<(String, u8, u64)>, StoreError> {
        if let Some(p) = self.pending.take() {
            return Ok(Some(p));
        }
        let mut len = [0u8; 2];
        match self.input.read(&mut len[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => return Err(err(e)),
        }
        self.input.read_exact(&mut len[1..]).map_err(err)?;
        let name = String::from_utf8(read_exact(
            &mut self.input,
            u16::from_le_bytes(len) as usize,
        )?)
        .map_err(|_| err("nome di tabella non valido nel file di backup"))?;
        let kind = read_exact(&mut self.input, 1)?[0];
        let rows = read_exact(&mut self.input, 8)?;
        let mut n = [0u8; 8];
        n.copy_from_slice(&rows);
        Ok(Some((name, kind, u64::from_le_bytes(n))))
    }

    /// The frame for `name`, if the dump has it (a dump from an older version may not).
    fn frame_for(&mut self, name: &str, kind: u8) -> Result<Option<u64>, StoreError> {
        match self.next_frame()? {
            Some((n, k, rows)) if n == name => {
                if k != kind {
                    return Err(err(format!("tabella {name} di tipo inatteso")));
                }
                Ok(Some(rows))
            }
            other => {
                self.pending = other;
                Ok(None)
            }
        }
    }

    fn pair(&mut self) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
        let kl = read_u32(&mut self.input)?;
        if kl > MAX_ITEM {
            return Err(err("chiave troppo grande nel file di backup"));
        }
        let k = read_exact(&mut self.input, kl)?;
        let vl = read_u32(&mut self.input)?;
        if vl > MAX_ITEM {
            return Err(err("valore troppo grande nel file di backup"));
        }
        let v = read_exact(&mut self.input, vl)?;
        Ok((k, v))
    }

    fn table<K: Key + 'static, V: Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<(), StoreError> {
        let name = redb::TableHandle::name(&def).to_string();
        let Some(n) = self.frame_for(&name, 0)? else {
            return Ok(());
        };
        let mut table = self.txn.open_table(def)?;
        for _ in 0..n {
            let (k, v) = self.pair()?;
            check::<K>(&k)?;
            check::<V>(&v)?;
            table.insert(K::from_bytes(&k), V::from_bytes(&v))?;
        }
        self.rows.push((name, n));
        Ok(())
    }

    fn multimap<K: Key + 'static, V: Key + 'static>(
        &mut self,
        def: MultimapTableDefinition<K, V>,
    ) -> Result<(), StoreError> {
        let name = redb::MultimapTableHandle::name(&def).to_string();
        let Some(n) = self.frame_for(&name, 1)? else {
            return Ok(());
        };
        let mut table = self.txn.open_multimap_table(def)?;
        for _ in 0..n {
            let (k, v) = self.pair()?;
            check::<K>(&k)?;
            check::<V>(&v)?;
            table.insert(K::from_bytes(&k), V::from_bytes(&v))?;
        }
        self.rows.push((name, n));
        Ok(())
    }
}

impl Store {
    /// Writes an encrypted, compressed dump of every table to `out`, from one consistent snapshot.
    pub fn backup_to<W: Write>(&self, out: W, seal: &Seal) -> Result<DumpHeader, StoreError> {
        let txn = self.begin_read()?;
        let schema_version = {
            let meta = txn.open_table(META)?;
            let v = meta.get("schema_version")?;
            v.map(|v| super::codec::decode::<u32>(v.value()))
                .transpose()?
                .unwrap_or(0)
        };
        let files = match self.path.parent() {
            Some(dir) => key_files(dir)?,
            None => Vec::new(),
        };
        let mut header = DumpHeader {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            schema_version,
            created_at: Utc::now(),
            rows: Vec::new(),
            files: files.iter().map(|(p, _)| p.clone()).collect(),
        };
        let sealed = encryptor(seal)?.wrap_output(out).map_err(err)?;
        let mut gz = flate2::write::GzEncoder::new(sealed, flate2::Compression::default());
        let mut line = serde_json::to_vec(&header).map_err(err)?;
        line.push(b'\n');
        gz.write_all(&line).map_err(err)?;
        let rows = {
            let mut d = Dumper {
                txn: &txn,
                out: &mut gz,
                rows: Vec::new(),
                skip: &[],
            };
            each_table!(d);
            d.rows
        };
        frame_header(&mut gz, "files", 2, files.len() as u64).map_err(err)?;
        for (path, bytes) in &files {
            item(&mut gz, path.as_bytes()).map_err(err)?;
            item(&mut gz, bytes).map_err(err)?;
        }
        let sealed = gz.finish().map_err(err)?;
        sealed.finish().map_err(err)?;
        header.rows = rows;
        Ok(header)
    }

    /// SHA-256 of the logical contents of every backed-up table (hex): two databases with the same
    /// records have the same digest, whatever redb's file layout. Used to show that a refused
    /// bundle or a restore left the data exactly as expected.
    pub fn content_digest(&self) -> Result<String, StoreError> {
        self.digest_skipping(&[])
    }

    /// The same digest without the audit trail: what a refused bundle must leave unchanged (its
    /// refusal is itself audited).
    pub fn records_digest(&self) -> Result<String, StoreError> {
        self.digest_skipping(&["audit", "audit_by_person"])
    }

    fn digest_skipping(&self, skip: &'static [&'static str]) -> Result<String, StoreError> {
        use sha2::Digest;
        struct Hashing(sha2::Sha256);
        impl Write for Hashing {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.update(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let txn = self.begin_read()?;
        let mut hasher = Hashing(sha2::Sha256::new());
        {
            let mut d = Dumper {
                txn: &txn,
                out: &mut hasher,
                rows: Vec::new(),
                skip,
            };
            each_table!(d);
        }
        Ok(hex::encode(hasher.0.finalize()))
    }

    /// Writes a backup file atomically (a temporary file renamed into place once complete).
    pub fn backup_file(&self, path: &Path, seal: &Seal) -> Result<DumpHeader, StoreError> {
        let tmp = path.with_extension("tmp");
        let file = std::fs::File::create(&tmp)
            .map_err(|e| err(format!("impossibile creare {}: {e}", tmp.display())))?;
        let mut writer = std::io::BufWriter::new(file);
        let header = self.backup_to(&mut writer, seal)?;
        let file = writer
            .into_inner()
            .map_err(|e| err(e.error().to_string()))?;
        file.sync_all().map_err(err)?;
        super::restrict_to_owner(&tmp).map_err(err)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(err)?;
        Ok(header)
    }
}

/// What a restore gives back: the dump's header, rows restored per table, the opened store.
pub type Restored = (DumpHeader, Vec<(String, u64)>, Store);

/// Restores a backup into `data_dir`, which must be empty or absent; then opens it (running any
/// migrations) and verifies the audit chain. Returns the header and the rows restored per table.
/// All or nothing: the data is built in a staging folder beside the target and moved into place
/// only once it verifies, so a failed restore leaves the folder as it was and can be retried.
pub fn restore(input: impl Read, data_dir: &Path, unseal: &Unseal) -> Result<Restored, StoreError> {
    if data_dir.exists() && std::fs::read_dir(data_dir).map_err(err)?.next().is_some() {
        return Err(err(format!(
            "la cartella {} non è vuota: il ripristino si fa solo in una cartella nuova o vuota",
            data_dir.display()
        )));
    }
    let staging = staging_dir(data_dir);
    // Left by a restore that was cut off (power lost, process killed): never data in use. A
    // link or a file there is removed as such, never followed.
    let cleared = match std::fs::symlink_metadata(&staging) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&staging),
        Ok(_) => std::fs::remove_file(&staging),
        Err(_) => Ok(()),
    };
    cleared.map_err(|e| {
        err(format!(
            "impossibile togliere {} (resto di un ripristino interrotto): {e}; rimuoverlo a mano",
            staging.display()
        ))
    })?;
    let restored = restore_into(input, &staging, unseal);
    let (header, rows) = match restored {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let moved = (|| {
        if data_dir.exists() {
            std::fs::remove_dir(data_dir)?;
        }
        std::fs::rename(&staging, data_dir)
    })();
    if let Err(e) = moved {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(err(format!(
            "impossibile spostare i dati ripristinati in {}: {e}",
            data_dir.display()
        )));
    }
    let store = Store::open(data_dir)?;
    Ok((header, rows, store))
}

/// The staging folder of a restore into `data_dir`: a hidden sibling, on the same disk so the
/// final move is a rename.
fn staging_dir(data_dir: &Path) -> std::path::PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dati".into());
    let parent = data_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.ripristino-in-corso"))
}

/// The restore proper, into a folder of its own (created here).
fn restore_into(
    input: impl Read,
    data_dir: &Path,
    unseal: &Unseal,
) -> Result<(DumpHeader, Vec<(String, u64)>), StoreError> {
    let decryptor = age::Decryptor::new(BufReader::new(input))
        .map_err(|e| err(format!("file di backup non riconosciuto: {e}")))?;
    let reader = match unseal {
        Unseal::Passphrase(p) => {
            let identity =
                age::scrypt::Identity::new(age::secrecy::SecretString::from(p.to_string()));
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        Unseal::Identity(key) => {
            let identity: age::x25519::Identity = key
                .trim()
                .parse()
                .map_err(|e| err(format!("chiave privata non valida: {e}")))?;
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
    }
    .map_err(|e| {
        err(format!(
            "impossibile decifrare il backup (password o chiave errata?): {e}"
        ))
    })?;
    let mut input = BufReader::new(flate2::read::GzDecoder::new(reader));
    let mut first = Vec::new();
    input
        .read_until(b'\n', &mut first)
        .map_err(|e| err(format!("backup illeggibile: {e}")))?;
    let header: DumpHeader =
        serde_json::from_slice(&first).map_err(|_| err("intestazione del backup non valida"))?;
    if header.format != FORMAT || header.version != FORMAT_VERSION {
        return Err(err("formato di backup sconosciuto"));
    }
    if header.schema_version > super::SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: header.schema_version,
            supported: super::SCHEMA_VERSION,
        });
    }
    // Created here and now, not reused: anything put at this path meanwhile (a link to a folder
    // of someone else's) makes the restore fail instead of writing the data and keys there.
    if let Some(parent) = data_dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        super::create_private_dir(parent).map_err(|source| StoreError::DataDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    super::create_new_private_dir(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let path = data_dir.join(super::DB_FILE);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let rows = {
        let db = super::open_db(&path, true)?;
        let txn = db.begin_write()?;
        let rows = {
            let mut r = Restorer {
                txn: &txn,
                input: &mut input,
                pending: None,
                rows: Vec::new(),
            };
            each_table!(r);
            if let Some(n) = r.frame_for("files", 2)? {
                if n > KEY_FILES.len() as u64 {
                    return Err(err("troppi file nel backup"));
                }
                for _ in 0..n {
                    let (path, bytes) = r.pair()?;
                    if bytes.len() as u64 > MAX_KEY_FILE {
                        return Err(err("file delle chiavi troppo grande nel backup"));
                    }
                    let path = String::from_utf8(path)
                        .ok()
                        .filter(|p| is_key_path(p))
                        .ok_or_else(|| err("percorso di file non valido nel backup"))?;
                    files.push((path, bytes));
                }
            }
            if r.next_frame()?.is_some() {
                return Err(err(
                    "il backup contiene tabelle sconosciute a questa versione",
                ));
            }
            r.rows
        };
        txn.commit()?;
        db.close()?;
        rows
    };
    super::restrict_to_owner(&path).map_err(|source| StoreError::DataDir {
        path: path.clone(),
        source,
    })?;
    for (rel, bytes) in &files {
        let target = rel
            .split('/')
            .fold(data_dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = target.parent() {
            super::create_private_dir(parent).map_err(err)?;
        }
        std::fs::write(&target, bytes).map_err(err)?;
        super::restrict_to_owner(&target).map_err(err)?;
    }
    let store = Store::open(data_dir)?;
    if let Err(broken) = store.verify_audit()? {
        return Err(err(format!(
            "registro di audit del backup non integro: {broken}"
        )));
    }
    drop(store);
    Ok((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn only_key_files_may_be_restored() {
        for ok in [
            "keys/age.key",
            "keys/previous/signing.key",
            "tls/cert.pem",
            "tls/key.pem",
        ] {
            assert!(is_key_path(ok), "{ok}");
        }
        for bad in [
            "../etc/passwd",
            "keys/../../x",
            "sportello.redb",
            "keys/a/b/c",
            "/keys/age.key",
            "keys/",
            "tls/ce rt.pem",
            "keys\\age.key",
            "keys/CON",
            "keys/notes.txt",
        ] {
            assert!(!is_key_path(bad), "{bad}");
        }
    }

    #[test]
    fn every_table_is_backed_up_or_deliberately_left_out() {
        let (_dir, store) = temp_store();
        let mut out = Vec::new();
        let header = store
            .backup_to(&mut out, &Seal::Passphrase("una-password-di-prova"))
            .unwrap();
        let dumped: Vec<&str> = header.rows.iter().map(|(n, _)| n.as_str()).collect();
        let txn = store.begin_read().unwrap();
        let mut all: Vec<String> = txn
            .list_tables()
            .unwrap()
            .map(|t| redb::TableHandle::name(&t).to_string())
            .collect();
        all.extend(
            txn.list_multimap_tables()
                .unwrap()
                .map(|t| redb::MultimapTableHandle::name(&t).to_string()),
        );
        for name in all {
            assert!(
                dumped.contains(&name.as_str()) || NOT_BACKED_UP.contains(&name.as_str()),
                "table {name} is neither backed up nor listed in NOT_BACKED_UP"
            );
        }
    }
}
