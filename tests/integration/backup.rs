//! Backups: encrypted, unreadable without the key, restored identically with the audit chain intact.

use crate::common::*;

const PASS: &str = "una-password-di-backup-lunga";

#[test]
fn backup_then_restore_gives_the_same_data_and_a_verified_audit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a");
    assert!(cli(&data, &["demo"], &[]).status.success());
    // The exchange keys exist (made on first use) and travel inside the backup.
    let before = stdout(&cli(&data, &["keys", "show"], &[]));
    assert!(data.join("keys").is_dir());
    let file = dir.path().join("backup.age");
    let made = cli(
        &data,
        &["backup", "--out", file.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", PASS)],
    );
    assert!(made.status.success(), "{}", stderr(&made));

    // Nothing personal is readable in the file.
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    let store = sportello::store::Store::open(&data).unwrap();
    let ids: Vec<uuid::Uuid> = store
        .changes_since(0)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == "person")
        .map(|c| c.id)
        .take(40)
        .collect();
    let some = store.persons_by_ids(&ids).unwrap();
    assert_eq!(some.len(), 40);
    for person in &some {
        // A needle shorter than six bytes turns up by chance in megabytes of ciphertext (a
        // three-letter surname once in about 16 MB): only longer ones prove anything.
        for needle in [
            person.surname.as_bytes(),
            person.code().unwrap_or("nessuno").as_bytes(),
        ]
        .into_iter()
        .filter(|n| n.len() >= 6)
        {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "readable {:?} in the backup",
                String::from_utf8_lossy(needle)
            );
        }
    }
    drop(store);

    // Wrong passphrase, non-empty target: refused, nothing written.
    let restored = dir.path().join("b");
    let wrong = cli(
        &restored,
        &["restore", file.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", "password-sbagliata")],
    );
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("impossibile decifrare"),
        "{}",
        stderr(&wrong)
    );
    let busy = cli(
        &data,
        &["restore", file.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", PASS)],
    );
    assert!(stderr(&busy).contains("non è vuota"), "{}", stderr(&busy));

    // A truncated copy fails too, and leaves nothing behind either: the retry needs no cleanup.
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.path().join("cut.age");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let truncated = cli(
        &restored,
        &["restore", cut.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", PASS)],
    );
    assert!(!truncated.status.success());
    assert!(
        !stderr(&truncated).contains("panicked"),
        "{}",
        stderr(&truncated)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !restored.join("sportello.redb").exists() && !left.iter().any(|n| n.contains("ripristino")),
        "a failed restore left {left:?}"
    );

    // Something planted at the staging path (a link to another folder) is removed as a link,
    // never followed: the data and keys land in the target, the other folder stays untouched.
    #[cfg(unix)]
    let elsewhere = {
        let elsewhere = dir.path().join("altrove");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.path().join(".b.ripristino-in-corso")).unwrap();
        elsewhere
    };
    let ok = cli(
        &restored,
        &["restore", file.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", PASS)],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    #[cfg(unix)]
    {
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
        assert!(std::fs::symlink_metadata(&restored).unwrap().is_dir());
    }
    assert!(stdout(&ok).contains("registro di audit integro"));
    assert!(
        stdout(&ok).contains("Ripristinate anche le chiavi"),
        "{}",
        stdout(&ok)
    );
    // Same identity towards the other side after the restore.
    assert_eq!(stdout(&cli(&restored, &["keys", "show"], &[])), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in std::fs::read_dir(restored.join("keys")).unwrap() {
            let f = f.unwrap();
            if f.file_type().unwrap().is_file() {
                let mode = f.metadata().unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "{:?} readable by others", f.path());
            }
        }
    }
    assert!(cli(&restored, &["audit", "verify"], &[]).status.success());

    // Same records: change log, audit, users, directory, and every person with its accesses.
    let a = sportello::store::Store::open(&data).unwrap();
    let b = sportello::store::Store::open(&restored).unwrap();
    assert_eq!(a.changes_since(0).unwrap(), b.changes_since(0).unwrap());
    let audit_a = a.audit_entries().unwrap();
    let audit_b = b.audit_entries().unwrap();
    // The restored copy has the same chain (the backup itself was audited after the dump).
    assert_eq!(audit_a[..audit_b.len()], audit_b[..]);
    assert_eq!(a.users().unwrap(), b.users().unwrap());
    assert_eq!(a.directory().unwrap(), b.directory().unwrap());
    assert_eq!(a.person_count().unwrap(), b.person_count().unwrap());
    for change in a
        .changes_since(0)
        .unwrap()
        .iter()
        .filter(|c| c.kind == "person")
    {
        assert_eq!(a.person(change.id).unwrap(), b.person(change.id).unwrap());
        assert_eq!(
            a.accesses_of(change.id).unwrap(),
            b.accesses_of(change.id).unwrap()
        );
    }
    let from = chrono::Utc::now() - chrono::Duration::days(400);
    let to = chrono::Utc::now() + chrono::Duration::days(400);
    assert_eq!(
        a.accesses_between(from, to).unwrap(),
        b.accesses_between(from, to).unwrap()
    );
    assert_eq!(
        a.appointments_between(from, to).unwrap(),
        b.appointments_between(from, to).unwrap()
    );
    // Indexes came back too: search works on the restored copy.
    let q = &a.search_persons("rossi", 5).unwrap();
    let r = &b.search_persons("rossi", 5).unwrap();
    assert_eq!(
        q.iter().map(|h| h.person.id).collect::<Vec<_>>(),
        r.iter().map(|h| h.person.id).collect::<Vec<_>>()
    );
}

#[test]
fn a_backup_to_a_public_key_opens_only_with_its_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a");
    assert!(init_desk(&data).status.success());
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let key_file = dir.path().join("key.txt");
    std::fs::write(
        &key_file,
        format!(
            "# chiave di prova\n{}\n",
            age::secrecy::ExposeSecret::expose_secret(&identity.to_string())
        ),
    )
    .unwrap();
    let file = dir.path().join("backup.age");
    let made = cli(
        &data,
        &[
            "backup",
            "--out",
            file.to_str().unwrap(),
            "--recipient",
            &recipient,
        ],
        &[],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let restored = dir.path().join("b");
    let no_key = cli(
        &restored,
        &["restore", file.to_str().unwrap()],
        &[("SPORTELLO_BACKUP_PASSPHRASE", PASS)],
    );
    assert!(!no_key.status.success());
    let ok = cli(
        &restored,
        &[
            "restore",
            file.to_str().unwrap(),
            "--identity",
            key_file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&cli(&restored, &["user", "list"], &[])).contains("admin"));
}

#[actix_rt::test]
async fn the_administrator_sets_up_backups_from_the_page_and_they_restore() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("chiavetta");
    let mut server = Server::initialized();
    let mut admin = server.client();
    admin.login(ADMIN, ADMIN_PASSWORD).await;
    let page = admin.get("/amministrazione").await;
    assert!(page
        .body
        .contains("Nessun backup riuscito negli ultimi 2 giorni"));
    let not_ready = admin
        .submit("/amministrazione", "/amministrazione/backup/ora", &[])
        .await;
    assert!(not_ready.body.contains("Indicare prima la cartella"));
    let bad = admin
        .submit(
            "/amministrazione",
            "/amministrazione/backup",
            &[("backup_folder", "relativa"), ("backup_recipient", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let keyed = admin
        .submit("/amministrazione", "/amministrazione/backup/chiave", &[])
        .await;
    let at = keyed
        .body
        .find("AGE-SECRET-KEY-")
        .expect("the private key is shown once");
    let end = keyed.body[at..].find('<').unwrap() + at;
    let secret = keyed.body[at..end].to_string();
    let page = admin.get("/amministrazione").await;
    assert!(!page.body.contains("AGE-SECRET-KEY-"), "shown only once");
    let marker = "name=\"backup_recipient\" value=\"";
    let r = page.body.find(marker).unwrap() + marker.len();
    let recipient = page.body[r..r + page.body[r..].find('"').unwrap()].to_string();
    assert!(recipient.starts_with("age1"));
    let saved = admin
        .submit(
            "/amministrazione",
            "/amministrazione/backup",
            &[
                ("backup_folder", folder.to_str().unwrap()),
                ("backup_recipient", &recipient),
            ],
        )
        .await;
    assert_eq!(saved.location(), "/amministrazione?avviso=backup");
    let done = admin
        .submit("/amministrazione", "/amministrazione/backup/ora", &[])
        .await;
    assert!(done.body.contains("Backup scritto"), "{}", done.body);
    assert!(!admin
        .get("/amministrazione")
        .await
        .body
        .contains("Nessun backup riuscito"));
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("sportello-"));

    // The stick is pulled out: the attempt fails, and the page and `doctor` say so with the
    // reason (and that it is retried every hour) until one succeeds.
    let pulled = dir.path().join("chiavetta-tolta");
    std::fs::rename(&folder, &pulled).unwrap();
    std::fs::write(&folder, b"non una cartella").unwrap();
    admin
        .submit("/amministrazione", "/amministrazione/backup/ora", &[])
        .await;
    let page = admin.get("/amministrazione").await;
    assert!(
        page.body.contains("Ultimo tentativo non riuscito")
            && page.body.contains("riprova da solo ogni ora")
            && page.body.contains("non disponibile"),
        "{}",
        page.body
    );
    assert!(server.stop());
    let doctor = cli(&server.data, &["doctor"], &[]);
    assert!(
        stdout(&doctor).contains("ultimo tentativo non riuscito"),
        "{}",
        stdout(&doctor)
    );
    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(&pulled, &folder).unwrap();

    let key = dir.path().join("key.txt");
    std::fs::write(&key, format!("{secret}\n")).unwrap();
    let restored = dir.path().join("ripristino");
    let ok = cli(
        &restored,
        &[
            "restore",
            files[0].to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
        ],
        &[],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&cli(&restored, &["user", "list"], &[])).contains("admin\tAnna Amministratrice"));
}
