//! Leak canaries: a person with a canary codice fiscale, name and health note, a login with a
//! canary password (also typed, by mistake, as a username); after a day's work (pages, API,
//! search by URL, a backup, a bundle to the district) no log line, backup, bundle or file of
//! the data directory other than the database holds any of them.

use std::path::Path;

use serde_json::json;

use crate::common::*;

const CF: &str = "BNCLRA75C45L049O";
const SURNAME: &str = "Canarinozefiro";
const NOTE: &str = "canarino-salute-diabete-7731";
const PASSWORD: &str = "Canarino-Password-9931";

fn holds(bytes: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    let lower = needle.to_lowercase();
    bytes
        .windows(n.len())
        .any(|w| w == n || w.eq_ignore_ascii_case(lower.as_bytes()))
}

/// Every file under `dir` but the database, with the canaries it holds.
fn leaks(dir: &Path, canaries: &[&str], found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            leaks(&path, canaries, found);
        } else if path.file_name().is_some_and(|n| n != "sportello.redb") {
            let bytes = std::fs::read(&path).unwrap();
            for c in canaries {
                if holds(&bytes, c) {
                    found.push(format!("{c} in {}", path.display()));
                }
            }
        }
    }
}

#[actix_rt::test]
async fn canaries_leak_into_no_log_backup_bundle_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = crate::bundles::pair(dir.path());
    let out = cli(
        &desk,
        &[
            "user",
            "add",
            "--username",
            "canarino",
            "--full-name",
            "Utente Canarino",
            "--role",
            "assistente_sociale",
        ],
        &[("SPORTELLO_PASSWORD", PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(&desk, &["token", "create", "--username", "canarino"], &[]);
    let token = format!("Bearer {}", stdout(&out).lines().last().unwrap());
    let log = dir.path().join("server.log");
    let mut server = Server::logged_to(&desk, &log);

    let mut c = server.client();
    // The password typed as a username first (people do), then properly.
    assert_eq!(c.login(PASSWORD, PASSWORD).await.status, 401);
    assert_eq!(c.login("canarino", PASSWORD).await.location(), "/");
    let h = [("Authorization", token.as_str())];
    let person = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"codice_fiscale": CF, "surname": SURNAME, "given_names": "Lara"}),
        )
        .await;
    assert_eq!(person.status, 201, "{}", person.body);
    let id = person.json()["id"].as_str().unwrap().to_string();
    let access = c
        .post_json("/api/v1/accesses", &h, &json!({"person_id": id, "channel": "in_person", "interlocutor": "user",
            "reason": "spontaneous", "needs": [{"area": "poverty", "category": "health", "description": NOTE}],
            "outcomes": ["oriented"], "notes": NOTE, "reserved_notes": NOTE}))
        .await;
    assert_eq!(access.status, 201, "{}", access.body);
    for url in [
        format!("/persone?q={SURNAME}"),
        format!("/persone?q={CF}"),
        format!("/persone/{id}"),
        format!("/api/v1/persons?q={CF}"),
    ] {
        assert_eq!(c.get_with(&url, &h).await.status, 200, "{url}");
    }
    assert!(server.stop());

    let backup = dir.path().join("backup.age");
    let out = cli(
        &desk,
        &["backup", "--out", backup.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", "una-frase-di-backup-lunga")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bundle = dir.path().join("bundle.age");
    let out = cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The bundle opened as the district opens it: the person was not referred, so none of her.
    let keys = sportello::bundle::keys::InstanceKeys::load_or_create(&district).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut age::Decryptor::new(std::io::BufReader::new(
            std::fs::File::open(&bundle).unwrap(),
        ))
        .unwrap()
        .decrypt(std::iter::once(&keys.age as &dyn age::Identity))
        .unwrap(),
        &mut plain,
    )
    .unwrap();
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(plain.as_slice()),
        &mut unpacked,
    )
    .unwrap();

    let canaries = [CF, SURNAME, NOTE, PASSWORD];
    let mut found = Vec::new();
    for (what, bytes) in [
        ("il log del server", std::fs::read(&log).unwrap()),
        ("il backup", std::fs::read(&backup).unwrap()),
        ("il pacchetto decifrato", unpacked),
    ] {
        for c in canaries {
            if holds(&bytes, c) {
                found.push(format!("{c} in {what}"));
            }
        }
    }
    leaks(&desk, &canaries, &mut found);
    assert!(found.is_empty(), "canaries leaked:\n{}", found.join("\n"));
    // The log was really written at its most verbose (the scan looked at something).
    assert!(std::fs::metadata(&log).unwrap().len() > 1000);
}
