//! BagIt (RFC 8493) bags packed as gzip-compressed tar, with the tag manifest signed by minisign:
//! building one, and reading one back with strict limits (size, paths, known members only).

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};

use super::BundleError;

/// Directory inside the tar that holds the bag.
pub const ROOT: &str = "bag";
/// Payload files a bundle may carry.
pub const PAYLOAD: [&str; 6] = [
    "identity.jsonl",
    "accesses.jsonl",
    "referrals.jsonl",
    "anonymizations.jsonl",
    "statuses.jsonl",
    "directory.jsonl",
];
const TAG_FILES: [&str; 5] = [
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sha256.txt.minisig",
];
/// Limits on what is read from a bundle file.
pub const MAX_UNPACKED: u64 = 512 * 1024 * 1024;
pub const MAX_MEMBERS: usize = 32;

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The files of a bag, by path relative to the bag root. Tag files are in memory; payload files
/// are in memory or, when unpacked with a spool folder, on disk (removed with the bag).
#[derive(Debug, Default)]
pub struct Bag {
    files: BTreeMap<String, PayloadFile>,
}

impl Bag {
    /// Adds a member held in memory; false if the path was already there.
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) -> bool {
        self.files
            .insert(path.to_string(), PayloadFile::from_bytes(path, bytes))
            .is_none()
    }

    fn member(&self, path: &str) -> Option<&PayloadFile> {
        self.files.get(path)
    }

    /// The payload files (`data/…`), with their SHA-256 and size.
    fn data_files(&self) -> impl Iterator<Item = (&String, &PayloadFile)> {
        self.files.iter().filter(|(k, _)| k.starts_with("data/"))
    }

    /// Each payload file's name (without `data/`) and number of lines, read as a stream.
    pub fn payload_lines(&self) -> Result<Vec<(String, usize)>, BundleError> {
        let mut out = Vec::new();
        for (path, _) in self.data_files() {
            let mut lines = 0;
            if let Some(mut r) = self.lines(path)? {
                loop {
                    let buf = r.fill_buf().map_err(|e| BundleError::Io(e.to_string()))?;
                    if buf.is_empty() {
                        break;
                    }
                    lines += buf.iter().filter(|b| **b == b'\n').count();
                    let n = buf.len();
                    r.consume(n);
                }
            }
            out.push((path.trim_start_matches("data/").to_string(), lines));
        }
        Ok(out)
    }

    /// A member's bytes read whole (small files, tests).
    pub fn read_all(&self, path: &str) -> Result<Option<Vec<u8>>, BundleError> {
        let Some(mut r) = self.lines(path)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| BundleError::Io(e.to_string()))?;
        Ok(Some(out))
    }

    /// A reader of a member, from memory or from its spool file.
    pub fn lines(&self, path: &str) -> Result<Option<Box<dyn BufRead + '_>>, BundleError> {
        let Some(m) = self.member(path) else {
            return Ok(None);
        };
        Ok(Some(match &m.source {
            Source::Memory(bytes) => Box::new(bytes.as_slice()),
            Source::Disk(file) => Box::new(std::io::BufReader::with_capacity(
                256 * 1024,
                std::fs::File::open(file).map_err(|e| BundleError::Io(e.to_string()))?,
            )),
        }))
    }
}

/// A payload file of a bag: its name under `data/`, its SHA-256 and size, and where its bytes are.
#[derive(Debug)]
pub struct PayloadFile {
    pub name: String,
    sha256: String,
    len: u64,
    source: Source,
}

#[derive(Debug)]
enum Source {
    Memory(Vec<u8>),
    /// A spooled file, removed when the payload is dropped.
    Disk(std::path::PathBuf),
}

impl PayloadFile {
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> PayloadFile {
        PayloadFile {
            name: name.to_string(),
            sha256: sha256_hex(&bytes),
            len: bytes.len() as u64,
            source: Source::Memory(bytes),
        }
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for PayloadFile {
    fn drop(&mut self) {
        if let Source::Disk(path) = &self.source {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A JSON-lines payload file written to disk as its records come, hashed on the way, so that a
/// bundle of a million records never sits in memory.
pub struct Spool {
    name: String,
    /// Removed on drop unless `finish` handed it to its payload (an export that fails midway
    /// leaves no personal data behind).
    path: Option<std::path::PathBuf>,
    out: std::io::BufWriter<std::fs::File>,
    hasher: Sha256,
    len: u64,
    line: Vec<u8>,
    pub count: usize,
}

impl Spool {
    /// A new spool file in `dir` (a private temporary folder of the data directory).
    pub fn create(dir: &std::path::Path, name: &str) -> Result<Spool, BundleError> {
        let path = dir.join(format!("{}-{name}", uuid::Uuid::now_v7()));
        let file = std::fs::File::create(&path)
            .map_err(|e| BundleError::Io(format!("{}: {e}", path.display())))?;
        Ok(Spool {
            name: name.to_string(),
            path: Some(path),
            out: std::io::BufWriter::with_capacity(256 * 1024, file),
            hasher: Sha256::new(),
            len: 0,
            line: Vec::with_capacity(1024),
            count: 0,
        })
    }

    pub fn push<T: serde::Serialize>(&mut self, record: &T) -> Result<(), BundleError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)
            .map_err(|e| BundleError::Format(e.to_string()))?;
        self.line.push(b'\n');
        self.hasher.update(&self.line);
        self.len += self.line.len() as u64;
        self.count += 1;
        self.out
            .write_all(&self.line)
            .map_err(|e| BundleError::Io(e.to_string()))
    }

    pub fn finish(mut self) -> Result<PayloadFile, BundleError> {
        self.out
            .flush()
            .map_err(|e| BundleError::Io(e.to_string()))?;
        let path = self
            .path
            .take()
            .ok_or_else(|| BundleError::Io("file temporaneo già consegnato".into()))?;
        Ok(PayloadFile {
            name: std::mem::take(&mut self.name),
            sha256: hex::encode(std::mem::take(&mut self.hasher).finalize()),
            len: self.len,
            source: Source::Disk(path),
        })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Builds a signed bag and packs it as tar.gz in memory (small bundles, tests).
pub fn build(
    info: &[(String, String)],
    payload: &[(&str, Vec<u8>)],
    signer: &minisign::SecretKey,
    signer_public: &minisign::PublicKey,
) -> Result<Vec<u8>, BundleError> {
    let files: Vec<PayloadFile> = payload
        .iter()
        .map(|(name, bytes)| PayloadFile::from_bytes(name, bytes.clone()))
        .collect();
    build_to(info, &files, signer, signer_public, Vec::new())
}

/// Builds a signed bag and streams it as tar.gz into `out`, payload files last, read from
/// where they are; returns `out`.
pub fn build_to<W: std::io::Write>(
    info: &[(String, String)],
    payload: &[PayloadFile],
    signer: &minisign::SecretKey,
    signer_public: &minisign::PublicKey,
    out: W,
) -> Result<W, BundleError> {
    let mut tags: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    tags.insert(
        "bagit.txt",
        b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
    );
    let mut manifest = String::new();
    let mut octets = 0u64;
    for p in payload {
        manifest.push_str(&format!("{}  data/{}\n", p.sha256, p.name));
        octets += p.len;
    }
    let mut bag_info = String::new();
    for (k, v) in info {
        bag_info.push_str(&format!("{k}: {}\n", v.replace('\n', " ")));
    }
    bag_info.push_str(&format!("Payload-Oxum: {octets}.{}\n", payload.len()));
    tags.insert("bag-info.txt", bag_info.into_bytes());
    tags.insert("manifest-sha256.txt", manifest.into_bytes());
    let mut tagmanifest = String::new();
    for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
        tagmanifest.push_str(&format!("{}  {name}\n", sha256_hex(&tags[name])));
    }
    let signature = minisign::sign(
        Some(signer_public),
        signer,
        std::io::Cursor::new(tagmanifest.as_bytes()),
        Some("Sportello bundle"),
        Some("signature from Sportello"),
    )
    .map_err(|e| BundleError::Crypto(e.to_string()))?;
    tags.insert("tagmanifest-sha256.txt", tagmanifest.into_bytes());
    tags.insert(
        "tagmanifest-sha256.txt.minisig",
        signature.into_string().into_bytes(),
    );

    let io = |e: std::io::Error| BundleError::Io(e.to_string());
    // The fastest level: JSON lines still shrink about eightfold, and export is not held up.
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let header = |len: u64| {
        let mut h = tar::Header::new_ustar();
        h.set_size(len);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        h
    };
    for (path, bytes) in &tags {
        tar.append_data(
            &mut header(bytes.len() as u64),
            format!("{ROOT}/{path}"),
            bytes.as_slice(),
        )
        .map_err(io)?;
    }
    for p in payload {
        let path = format!("{ROOT}/data/{}", p.name);
        match &p.source {
            Source::Memory(bytes) => tar
                .append_data(&mut header(p.len), path, bytes.as_slice())
                .map_err(io)?,
            Source::Disk(file) => {
                let f = std::fs::File::open(file).map_err(io)?;
                tar.append_data(&mut header(p.len), path, std::io::BufReader::new(f))
                    .map_err(io)?
            }
        }
    }
    tar.into_inner().map_err(io)?.finish().map_err(io)
}

/// The most a tag file (bag-info, manifests, signature) may hold.
const MAX_TAG: u64 = 1024 * 1024;

/// Unpacks a tar.gz bag in memory, refusing anything that is not a known member of a bag.
pub fn unpack(targz: impl Read) -> Result<Bag, BundleError> {
    unpack_into(targz, None)
}

/// Unpacks a tar.gz bag, its payload files streamed into `spool` (a private folder) while they
/// are hashed, so that memory stays small whatever the bundle holds; at most [`MAX_UNPACKED`]
/// bytes in all, tag files at most 1 MiB each.
pub fn unpack_into(targz: impl Read, spool: Option<&std::path::Path>) -> Result<Bag, BundleError> {
    let limited = RatioCapped::new(targz).take(MAX_UNPACKED + 1);
    let mut archive = tar::Archive::new(limited);
    let mut bag = Bag::default();
    let mut total = 0u64;
    // Raw: GNU long names, PAX headers and sparse maps (which tar would read whole into memory,
    // whatever size they claim) come as members of their own, and are refused below.
    let entries = archive
        .entries()
        .map(|e| e.raw(true))
        .map_err(|e| BundleError::Format(format!("archivio illeggibile: {e}")))?;
    for entry in entries {
        let mut entry = entry
            .map_err(|e| BundleError::Format(format!("archivio troncato o illeggibile: {e}")))?;
        let kind = entry.header().entry_type();
        let path = entry
            .path()
            .map_err(|_| BundleError::Format("nome di file non valido nell'archivio".into()))?
            .to_string_lossy()
            .into_owned();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(BundleError::Format(format!(
                "elemento non ammesso nell'archivio: {path}"
            )));
        }
        let Some(rel) = path.strip_prefix(&format!("{ROOT}/")) else {
            return Err(BundleError::Format(format!("percorso non ammesso: {path}")));
        };
        let is_tag = TAG_FILES.contains(&rel);
        let known = is_tag
            || rel
                .strip_prefix("data/")
                .is_some_and(|n| PAYLOAD.contains(&n));
        if !known || rel.contains("..") {
            return Err(BundleError::Format(format!(
                "file sconosciuto nel pacchetto: {path}"
            )));
        }
        if bag.files.len() >= MAX_MEMBERS {
            return Err(BundleError::Format("pacchetto troppo grande".into()));
        }
        if bag.files.contains_key(rel) {
            return Err(BundleError::Format(format!(
                "file ripetuto nel pacchetto: {path}"
            )));
        }
        // The header's size is only a claim: what counts is what is really read.
        let room = if is_tag {
            MAX_TAG
        } else {
            MAX_UNPACKED - total
        };
        let member = match spool.filter(|_| !is_tag) {
            Some(dir) => spool_from(&mut entry, dir, rel, room)?,
            None => {
                let mut bytes = Vec::new();
                (&mut entry)
                    .take(room + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| BundleError::Format(format!("archivio troncato: {e}")))?;
                if bytes.len() as u64 > room {
                    return Err(BundleError::Format("pacchetto troppo grande".into()));
                }
                PayloadFile::from_bytes(rel, bytes)
            }
        };
        total += member.len;
        if total > MAX_UNPACKED {
            return Err(BundleError::Format("pacchetto troppo grande".into()));
        }
        bag.files.insert(rel.to_string(), member);
    }
    // tar stops at its end blocks: reading to the end checks the gzip checksum and the last
    // encrypted chunk, so a file cut after them is refused too.
    std::io::copy(&mut archive.into_inner(), &mut std::io::sink())
        .map_err(|e| BundleError::Format(format!("archivio troncato o illeggibile: {e}")))?;
    Ok(bag)
}

/// Most plain bytes one compressed byte may become: JSON lines shrink about eightfold, so a
/// stream that grows a hundredfold is a decompression bomb, refused before it fills the disk.
const MAX_RATIO: u64 = 100;
/// Output below which the ratio is not judged (small files can shrink oddly well).
const RATIO_FROM: u64 = 4 * 1024 * 1024;

/// The gzip layer of a bundle, refusing output out of proportion to its input.
struct RatioCapped<R: Read> {
    inner: flate2::read::GzDecoder<Counted<R>>,
    read_in: std::rc::Rc<std::cell::Cell<u64>>,
    out: u64,
}

struct Counted<R> {
    inner: R,
    count: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<R: Read> RatioCapped<R> {
    fn new(input: R) -> Self {
        let read_in = std::rc::Rc::new(std::cell::Cell::new(0));
        RatioCapped {
            inner: flate2::read::GzDecoder::new(Counted {
                inner: input,
                count: read_in.clone(),
            }),
            read_in,
            out: 0,
        }
    }
}

impl<R: Read> Read for RatioCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        if self.out > RATIO_FROM && self.out > MAX_RATIO * self.read_in.get().max(1) {
            return Err(std::io::Error::other(format!(
                "compressione anomala (oltre {MAX_RATIO} a 1): possibile bomba di decompressione"
            )));
        }
        Ok(n)
    }
}

/// Copies a member into a new file of `dir`, hashing it, refusing more than `room` bytes.
fn spool_from(
    input: &mut impl Read,
    dir: &std::path::Path,
    name: &str,
    room: u64,
) -> Result<PayloadFile, BundleError> {
    let path = dir.join(format!(
        "{}-{}",
        uuid::Uuid::now_v7(),
        name.replace('/', "_")
    ));
    let file = std::fs::File::create(&path)
        .map_err(|e| BundleError::Io(format!("{}: {e}", path.display())))?;
    // From here the file is removed whatever happens, with the payload.
    let mut member = PayloadFile {
        name: name.to_string(),
        sha256: String::new(),
        len: 0,
        source: Source::Disk(path),
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input
            .read(&mut buf)
            .map_err(|e| BundleError::Format(format!("archivio troncato: {e}")))?;
        if n == 0 {
            break;
        }
        member.len += n as u64;
        if member.len > room {
            return Err(BundleError::Format("pacchetto troppo grande".into()));
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| BundleError::Io(e.to_string()))?;
    }
    out.flush().map_err(|e| BundleError::Io(e.to_string()))?;
    member.sha256 = hex::encode(hasher.finalize());
    Ok(member)
}

/// A tag file's text (tag files are always held in memory).
fn text<'a>(bag: &'a Bag, name: &str) -> Result<&'a str, BundleError> {
    let bytes = match bag.member(name).map(|m| &m.source) {
        Some(Source::Memory(bytes)) => bytes,
        _ => return Err(BundleError::Format(format!("manca {name}"))),
    };
    std::str::from_utf8(bytes).map_err(|_| BundleError::Format(format!("{name} non è testo UTF-8")))
}

/// The `Key: Value` lines of bag-info.txt.
pub fn bag_info(bag: &Bag) -> Result<BTreeMap<String, String>, BundleError> {
    let mut out = BTreeMap::new();
    for line in text(bag, "bag-info.txt")?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| BundleError::Format(format!("riga di bag-info non valida: {line}")))?;
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

/// The Source-Instance named in bag-info (read before the signature is checked, only to choose
/// which enrolled key to check it with).
pub fn source_instance(bag: &Bag) -> Result<String, BundleError> {
    bag_info(bag)?
        .get("Source-Instance")
        .cloned()
        .ok_or_else(|| BundleError::Format("bag-info senza Source-Instance".into()))
}

fn check_manifest(bag: &Bag, manifest: &str, prefix: &str) -> Result<usize, BundleError> {
    let mut n = 0;
    for line in text(bag, manifest)?
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| BundleError::Format(format!("riga di {manifest} non valida")))?;
        let member = bag.member(path.trim()).ok_or_else(|| {
            BundleError::Format(format!("{manifest} elenca un file assente: {path}"))
        })?;
        if member.sha256 != hash.trim() {
            return Err(BundleError::Integrity(format!("hash errato per {path}")));
        }
        if !path.starts_with(prefix) && prefix == "data/" {
            return Err(BundleError::Format(format!(
                "{manifest}: percorso fuori da data/: {path}"
            )));
        }
        n += 1;
    }
    Ok(n)
}

/// Verifies the signature on the tag manifest (first), then every hash and the Payload-Oxum.
/// The content digest of a bag: SHA-256 of its tag manifest, which names the hash of every
/// other file (bag-info included), so two bags with the same digest hold the same bytes.
pub fn content_digest(bag: &Bag) -> Result<String, BundleError> {
    use sha2::Digest;
    let tagmanifest = text(bag, "tagmanifest-sha256.txt")?;
    Ok(hex::encode(sha2::Sha256::digest(tagmanifest.as_bytes())))
}

pub fn verify(
    bag: &Bag,
    signer: &minisign::PublicKey,
) -> Result<BTreeMap<String, String>, BundleError> {
    let tagmanifest = text(bag, "tagmanifest-sha256.txt")?.as_bytes();
    let sig_text = text(bag, "tagmanifest-sha256.txt.minisig")?;
    let sig = minisign::SignatureBox::from_string(sig_text)
        .map_err(|e| BundleError::Signature(e.to_string()))?;
    // Fuzzing builds skip the signature so the fuzzer reaches the parsers behind it.
    #[cfg(fuzzing)]
    let _ = (signer, &sig, tagmanifest);
    #[cfg(not(fuzzing))]
    minisign::verify(
        signer,
        &sig,
        std::io::Cursor::new(tagmanifest),
        true,
        false,
        false,
    )
    .map_err(|_| {
        BundleError::Signature(
            "firma non valida per la chiave registrata di questo mittente".into(),
        )
    })?;
    check_manifest(bag, "tagmanifest-sha256.txt", "")?;
    let payload_files = check_manifest(bag, "manifest-sha256.txt", "data/")?;
    let data_files = bag.data_files().count();
    if payload_files != data_files {
        return Err(BundleError::Integrity(
            "file in data/ non elencati nel manifest".into(),
        ));
    }
    let info = bag_info(bag)?;
    let octets: u64 = bag.data_files().map(|(_, m)| m.len).sum();
    if info.get("Payload-Oxum") != Some(&format!("{octets}.{data_files}")) {
        return Err(BundleError::Integrity(
            "Payload-Oxum non corrisponde".into(),
        ));
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spool_files_go_with_their_spool_or_payload_and_hash_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let files = || std::fs::read_dir(dir.path()).unwrap().count();
        let mut abandoned = Spool::create(dir.path(), "referrals.jsonl").unwrap();
        abandoned
            .push(&serde_json::json!({"surname": "Rossi"}))
            .unwrap();
        assert_eq!(files(), 1);
        drop(abandoned);
        assert_eq!(
            files(),
            0,
            "an export that fails leaves no personal data behind"
        );

        let mut spool = Spool::create(dir.path(), "accesses.jsonl").unwrap();
        spool.push(&serde_json::json!({"a": 1})).unwrap();
        spool.push(&serde_json::json!({"a": 2})).unwrap();
        let payload = spool.finish().unwrap();
        let same = PayloadFile::from_bytes("accesses.jsonl", b"{\"a\":1}\n{\"a\":2}\n".to_vec());
        assert_eq!(
            (payload.sha256.as_str(), payload.len),
            (same.sha256.as_str(), same.len)
        );
        assert_eq!(files(), 1);
        drop(payload);
        assert_eq!(files(), 0);
    }
}
