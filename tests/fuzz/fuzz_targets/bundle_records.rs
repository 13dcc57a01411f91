//! The parsers behind the signature (skipped in fuzzing builds): manifests, Payload-Oxum and the
//! JSONL records. The input is the bag's files, split by a small header so the fuzzer can shape
//! each one: `name\n` then `length (decimal)\n` then the bytes, repeated.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sportello::bundle::{bag, read_records};

fn split(mut data: &[u8]) -> bag::Bag {
    let mut b = bag::Bag::default();
    while let Some(nl) = data.iter().position(|c| *c == b'\n') {
        let name = String::from_utf8_lossy(&data[..nl]).into_owned();
        data = &data[nl + 1..];
        let Some(nl) = data.iter().position(|c| *c == b'\n') else {
            break;
        };
        let len: usize = std::str::from_utf8(&data[..nl])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
            .min(data.len() - nl - 1);
        data = &data[nl + 1..];
        b.insert(&name, data[..len].to_vec());
        data = &data[len..];
    }
    b
}

static KEY: std::sync::OnceLock<minisign::PublicKey> = std::sync::OnceLock::new();
static REFERENCE: std::sync::OnceLock<sportello::domain::reference::Reference> =
    std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let b = split(data);
    // Any key will do: the signature is not checked in fuzzing builds.
    let key = KEY.get_or_init(|| {
        minisign::KeyPair::generate_unencrypted_keypair()
            .expect("key pair")
            .pk
    });
    let _ = bag::verify(&b, key);
    let reference =
        REFERENCE.get_or_init(|| sportello::assets::reference().expect("embedded reference data"));
    let _ = read_records(&b, reference);
});
