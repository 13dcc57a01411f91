//! Bundles between a desk and its district (two instances in temp dirs): enrollment, export,
//! verification, and every kind of bad file refused with a clear reason.

use std::path::{Path, PathBuf};

use crate::common::*;

fn init(data: &Path, role: &str, istat: &str) {
    let out = cli(
        data,
        &[
            "init",
            "--role",
            role,
            "--comune-istat",
            istat,
            "--ambito-code",
            "BA05",
            "--ambito-name",
            "Ambito di Triggiano",
            "--admin",
            "admin",
        ],
        &[("SPORTELLO_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A desk and a district enrolled with each other.
pub fn pair(dir: &Path) -> (PathBuf, PathBuf) {
    let desk = dir.join("desk");
    let district = dir.join("district");
    init(&district, "district", "072046");
    enrol(dir, &district, &desk, "072046");
    (desk, district)
}

/// A new desk for the comune `istat`, enrolled with `district`.
pub fn enrol(dir: &Path, district: &Path, desk: &Path, istat: &str) {
    init(desk, "desk", istat);
    let desk_pub = dir.join(format!("desk-{istat}.pub.json"));
    let reply = dir.join(format!("reply-{istat}.age"));
    let out = cli(
        desk,
        &["keys", "export", "--out", desk_pub.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let fingerprint = stdout(&cli(desk, &["keys", "show"], &[]))
        .lines()
        .last()
        .unwrap()
        .to_string();
    let out = cli(
        district,
        &[
            "keys",
            "trust",
            desk_pub.to_str().unwrap(),
            "--reply",
            reply.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&fingerprint),
        "the district shows the desk's fingerprint to compare"
    );
    let out = cli(desk, &["keys", "trust", reply.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[actix_rt::test]
async fn a_desk_bundle_is_verified_by_its_district_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = pair(dir.path());
    desk_records_a_referral(&desk, "Triggiano").await;

    let bundle = dir.path().join("bundle-1.age");
    let out = cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Pacchetto 1") && stdout(&out).contains("1 invii"),
        "{}",
        stdout(&out)
    );

    // No readable name or code in the file.
    let bytes = std::fs::read(&bundle).unwrap();
    for needle in [&b"Rossi"[..], b"RSSMRA80A01H501U", b"Sfratto"] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }

    let ok = cli(&district, &["verify", bundle.to_str().unwrap()], &[]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let text = stdout(&ok);
    assert!(text.contains("Bundle-Sequence: 1"));
    assert!(text.contains("Source-Organization: Comune di Triggiano"));
    assert!(
        text.contains("accesses.jsonl: 2 righe") && text.contains("referrals.jsonl: 1 righe"),
        "{text}"
    );

    // After decryption, the access records hold no name, no code and no free text; only the
    // referral carries the person the professional service must call back.
    {
        let store = sportello::store::Store::open(&district).unwrap();
        let (_, bag, _) =
            sportello::bundle::verify(&store, &district, bytes.as_slice(), "test").unwrap();
        let accesses =
            String::from_utf8(bag.read_all("data/accesses.jsonl").unwrap().unwrap()).unwrap();
        for needle in [
            "Rossi",
            "Mario",
            "RSSMRA80A01H501U",
            "Sfratto",
            "Chiede degli orari",
            "Nota libera",
        ] {
            assert!(!accesses.contains(needle), "{needle} in {accesses}");
        }
        assert!(accesses.contains("\"person_key\":\""), "{accesses}");
        let referrals =
            String::from_utf8(bag.read_all("data/referrals.jsonl").unwrap().unwrap()).unwrap();
        assert!(referrals.contains("RSSMRA80A01H501U") && !referrals.contains("Nota libera"));
        store.close().unwrap();
    }

    // A flipped byte, a truncated file, a file for another receiver, a non-enrolled sender.
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let truncated = bytes[..bytes.len() * 2 / 3].to_vec();
    for (name, content, reason) in [
        ("flipped", &flipped, "alterato"),
        ("truncated", &truncated, ""),
    ] {
        let f = dir.path().join(name);
        std::fs::write(&f, content).unwrap();
        let out = cli(&district, &["verify", f.to_str().unwrap()], &[]);
        assert!(!out.status.success(), "{name} accepted");
        assert!(
            stderr(&out).contains("Pacchetto rifiutato"),
            "{name}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(reason), "{name}: {}", stderr(&out));
    }
    let other = dir.path().join("other-district");
    init(&other, "district", "072014");
    let out = cli(&other, &["verify", bundle.to_str().unwrap()], &[]);
    assert!(
        stderr(&out).contains("destinatario diverso"),
        "{}",
        stderr(&out)
    );
    // A second desk of the Ambito that the district never enrolled signs a bundle for it.
    let rogue = dir.path().join("rogue");
    init(&rogue, "desk", "072014");
    // The rogue desk cannot even obtain an enrollment reply, so it cannot export; a bundle signed by
    // an unknown instance is refused by the district before any record is read.
    let out = cli(
        &rogue,
        &[
            "export",
            "--out",
            dir.path().join("rogue.age").to_str().unwrap(),
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("non è ancora registrato presso l'Ambito"));

    // A bundle that cannot be written does not use up its sequence number.
    let nowhere = dir.path().join("no-such-folder").join("bundle.age");
    let out = cli(&desk, &["export", "--out", nowhere.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no-such-folder"), "{}", stderr(&out));

    // The next export starts after the last one: only new changes, sequence 2; then 3.
    let second = dir.path().join("bundle-2.age");
    let out = cli(&desk, &["export", "--out", second.to_str().unwrap()], &[]);
    assert!(
        stdout(&out).contains("Pacchetto 2") && stdout(&out).contains("0 accessi"),
        "{}",
        stdout(&out)
    );
    let third = dir.path().join("bundle-3.age");
    assert!(
        cli(&desk, &["export", "--out", third.to_str().unwrap()], &[])
            .status
            .success()
    );

    // The district applies bundle 1; the same file again changes nothing.
    let snapshot = dir.path().join("district-before-rogue");
    copy_dir(&district, &snapshot);
    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Pacchetto 1 di Triggiano applicato: 2 accessi, 1 invii"),
        "{}",
        stdout(&out)
    );
    let before = db_bytes(&district);
    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("già applicato"), "{}", stdout(&out));
    assert!(
        db_bytes(&district) == before,
        "a re-import changed the database"
    );

    // Bundle 3 before bundle 2 is refused naming 2; so are the bad files, each leaving the
    // district database byte for byte as it was.
    let flipped_file = dir.path().join("flipped");
    let truncated_file = dir.path().join("truncated");
    for (file, reason) in [
        (&third, "manca il pacchetto 2"),
        (&flipped_file, "alterato"),
        (&truncated_file, "Pacchetto rifiutato"),
    ] {
        let out = cli(&district, &["import", file.to_str().unwrap()], &[]);
        assert!(!out.status.success(), "{} accepted", file.display());
        assert!(stderr(&out).contains(reason), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("nessuna modifica"),
            "{}",
            stderr(&out)
        );
        assert!(
            db_bytes(&district) == before,
            "{} changed the database",
            file.display()
        );
    }
    // Each refusal is in the audit trail, with its reason.
    {
        let store = sportello::store::Store::open(&district).unwrap();
        let refused: Vec<_> = store
            .audit_entries()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "bundle.refused")
            .collect();
        let imports: Vec<_> = refused
            .iter()
            .filter(|e| e.subject == "importazione di un pacchetto")
            .collect();
        assert_eq!(imports.len(), 3, "{refused:?}");
        assert!(refused
            .iter()
            .any(|e| e.subject == "verifica di un pacchetto"));
        let refused = imports;
        assert!(
            refused[0].details.contains("manca il pacchetto 2"),
            "{refused:?}"
        );
    }
    let other_before = db_bytes(&other);
    let out = cli(&other, &["import", bundle.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("destinatario diverso"),
        "{}",
        stderr(&out)
    );
    assert!(
        db_bytes(&other) == other_before,
        "a bundle for another receiver changed nothing"
    );
    for file in [&second, &third] {
        let out = cli(&district, &["import", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("applicato"), "{}", stdout(&out));
    }

    // A desk enrolled after the snapshot signs a bundle: the district copy that never enrolled
    // it refuses the bundle before reading any record, and stays as it was.
    let rogue_pub = dir.path().join("rogue.pub.json");
    let rogue_reply = dir.path().join("rogue-reply.age");
    assert!(cli(
        &rogue,
        &["keys", "export", "--out", rogue_pub.to_str().unwrap()],
        &[]
    )
    .status
    .success());
    let out = cli(
        &district,
        &[
            "keys",
            "trust",
            rogue_pub.to_str().unwrap(),
            "--reply",
            rogue_reply.to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(cli(
        &rogue,
        &["keys", "trust", rogue_reply.to_str().unwrap()],
        &[]
    )
    .status
    .success());
    let rogue_bundle = dir.path().join("rogue.age");
    assert!(cli(
        &rogue,
        &["export", "--out", rogue_bundle.to_str().unwrap()],
        &[]
    )
    .status
    .success());
    let untouched = db_bytes(&snapshot);
    let out = cli(&snapshot, &["import", rogue_bundle.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("mittente non registrato"),
        "{}",
        stderr(&out)
    );
    assert!(db_bytes(&snapshot) == untouched);

    // The desk enrolled later (Capurso) refers the same person: its bundle goes in after the
    // enrollment; the inbox shows the two referrals as linked, the coordinator unlinks them.
    desk_records_a_referral(&rogue, "Capurso").await;
    let capurso = dir.path().join("capurso-2.age");
    assert!(
        cli(&rogue, &["export", "--out", capurso.to_str().unwrap()], &[])
            .status
            .success()
    );
    for file in [&rogue_bundle, &capurso] {
        let out = cli(&district, &["import", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    // A desk cannot open a bundle meant for the district.
    let out = cli(&desk, &["import", bundle.to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("destinatario diverso"),
        "{}",
        stderr(&out)
    );

    // The district's coordinator sees the referral in the inbox and accepts it.
    let out = cli(
        &district,
        &[
            "user",
            "add",
            "--username",
            "coordinatrice",
            "--full-name",
            "Anna Coordinatrice",
            "--role",
            "responsabile",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    {
        let mut server = Server::on(&district);
        let mut c = server.logged_in("coordinatrice").await;
        let inbox = c.get("/ambito").await;
        assert_eq!(inbox.status, 200);
        assert!(inbox.body.contains("Comune di Triggiano"), "{}", inbox.body);
        assert!(inbox.body.contains("Comune di Capurso"), "{}", inbox.body);
        assert!(inbox.body.contains("Rossi Mario"));
        assert!(inbox.body.contains("Pacchetto 3 di Triggiano"));
        let triggiano = inbox.body.split_once("Comune di Triggiano").unwrap().1;
        let href = triggiano.split("href=\"/ambito/invii/").nth(1).unwrap();
        let id = &href[..36];
        let page = format!("/ambito/invii/{id}");
        let detail = c.get(&page).await;
        assert!(
            detail
                .body
                .contains("Stesso codice fiscale in invii di altri comuni"),
            "{}",
            detail.body
        );
        let other_href = detail
            .body
            .split("Stesso codice fiscale")
            .nth(1)
            .unwrap()
            .split("href=\"/ambito/invii/")
            .nth(1)
            .unwrap();
        let other = &other_href[..36];
        let unlinked = c
            .submit(&page, &format!("{page}/scollega"), &[("other", other)])
            .await;
        assert_eq!(unlinked.status, 303, "{}", unlinked.body);
        let detail = c.get(&page).await;
        assert!(!detail
            .body
            .contains("Stesso codice fiscale in invii di altri comuni"));
        assert!(!c
            .get(&format!("/ambito/invii/{other}"))
            .await
            .body
            .contains("Stesso codice fiscale"));
        let detail = c.get(&page).await;
        assert!(
            detail.body.contains("RSSMRA80A01H501U") && detail.body.contains("Sfratto imminente")
        );
        let bad = c
            .submit(
                &page,
                &format!("{page}/stato"),
                &[("status", "chiuso"), ("note", "")],
            )
            .await;
        assert_eq!(
            bad.status, 422,
            "a closing straight from received is refused"
        );
        assert!(bad.body.contains("non si può passare"));
        let done = c
            .submit(
                &page,
                &format!("{page}/stato"),
                &[
                    ("status", "accettato"),
                    ("note", "Presa in carico: colloquio il 2 dicembre"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let after = c.get(&page).await;
        assert!(after.body.contains("Accettato (presa in carico)"));
        // Steps by name: the desk's under the desk's name, the coordinator's with her roles.
        assert!(
            after.body.contains("Segretariato Sociale di Triggiano"),
            "{}",
            after.body
        );
        assert!(after.body.contains("Anna Coordinatrice (responsabile)"));
        assert!(!after.body.contains(", coordinatrice"));
        let inbox = c.get("/ambito").await;
        assert!(
            inbox
                .body
                .contains("Un comando dato sul PC dello sportello"),
            "{}",
            inbox.body
        );
        assert!(!inbox.body.contains("riga-di-comando"));
        assert!(server.stop());
    }

    // The return bundle carries the answer; the desk shows it.
    let back = dir.path().join("return-1.age");
    let out = cli(
        &district,
        &["export", "--to", "072046", "--out", back.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 risposte"), "{}", stdout(&out));
    let out = cli(&desk, &["import", back.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("applicato"), "{}", stdout(&out));
    let desk_state = db_bytes(&desk);
    let out = cli(&desk, &["import", back.to_str().unwrap()], &[]);
    assert!(stdout(&out).contains("già applicato"), "{}", stdout(&out));
    assert!(db_bytes(&desk) == desk_state);
    let out = cli(&district, &["import", back.to_str().unwrap()], &[]);
    assert!(
        !out.status.success(),
        "the district cannot open a bundle meant for the desk"
    );
    {
        let mut server = Server::on(&desk);
        let mut c = server.logged_in("assistente1").await;
        let list = c.get("/invii").await;
        assert!(
            list.body.contains("Accettato (presa in carico)"),
            "{}",
            list.body
        );
        assert!(server.stop());
    }

    // The desk anonymizes the person under its retention rule: the next bundle tells the district,
    // which anonymizes its copy of the referral.
    let district_stats = {
        let store = sportello::store::Store::open(&district).unwrap();
        let rows = stat_rows(&store);
        store.close().unwrap();
        rows
    };
    {
        let store = sportello::store::Store::open(&desk).unwrap();
        let rossi = store.person_by_code("RSSMRA80A01H501U").unwrap().unwrap();
        let pseudonyms = sportello::bundle::pseudonymizer(&store).unwrap().unwrap();
        store
            .anonymize(
                &[rossi.id],
                &|p| Some(pseudonyms.of(p.codice_fiscale.as_ref()?.as_str())),
                "responsabile",
            )
            .unwrap();
        store.close().unwrap();
    }
    let fourth = dir.path().join("bundle-4.age");
    let out = cli(&desk, &["export", "--out", fourth.to_str().unwrap()], &[]);
    assert!(
        stdout(&out).contains("1 anonimizzazioni"),
        "{}",
        stdout(&out)
    );
    let out = cli(&district, &["import", fourth.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = sportello::store::Store::open(&district).unwrap();
    assert_eq!(
        stat_rows(&store),
        district_stats,
        "the district's statistics survive the desk's retention"
    );
    let inbox = store.inbox().unwrap();
    let triggiano = inbox.iter().find(|e| e.comune_name == "Triggiano").unwrap();
    // Taken in charge: the district keeps the case, under its own retention term.
    assert!(triggiano.taken_in_charge());
    assert!(
        !triggiano.record.person.is_anonymized(),
        "{:?}",
        triggiano.record.person
    );
    assert_eq!(triggiano.record.person.surname, "Rossi");
    assert!(triggiano.desk_discarded.is_some());
    let capurso = inbox.iter().find(|e| e.comune_name == "Capurso").unwrap();
    assert!(
        !capurso.record.person.is_anonymized() && capurso.desk_discarded.is_none(),
        "only that desk's person"
    );
    // The district's term (2 years from the last decision) then anonymizes it, statistics kept.
    let id = triggiano.record.referral.id;
    let later = chrono::Utc::now() + chrono::Duration::days(3 * 366);
    assert!(store.cases_due(chrono::Utc::now(), 2).unwrap().is_empty());
    let due = store.cases_due(later, 2).unwrap();
    assert!(due.iter().any(|(e, _)| e.record.referral.id == id));
    let before = stat_rows(&store);
    assert_eq!(store.anonymize_cases(&[id], "coord").unwrap(), 1);
    let case = store
        .inbox()
        .unwrap()
        .into_iter()
        .find(|e| e.record.referral.id == id)
        .unwrap();
    assert!(case.is_anonymized() && case.record.person.phone.is_empty());
    assert!(case.record.referral.reason.is_empty());
    assert!(case.decisions.iter().all(|d| d.note.is_empty()));
    assert_eq!(
        case.status,
        sportello::domain::referral::ReferralStatus::Accettato
    );
    assert_eq!(stat_rows(&store), before);
    assert!(store.verify_audit().unwrap().is_ok());
    store.close().unwrap();

    // A case never taken in charge follows the desk: Capurso anonymizes, the district too.
    {
        let store = sportello::store::Store::open(&rogue).unwrap();
        let rossi = store.person_by_code("RSSMRA80A01H501U").unwrap().unwrap();
        store.anonymize(&[rossi.id], &|_| None, "resp").unwrap();
        store.close().unwrap();
    }
    let capurso_3 = dir.path().join("capurso-3.age");
    let out = cli(
        &rogue,
        &["export", "--out", capurso_3.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(&district, &["import", capurso_3.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = sportello::store::Store::open(&district).unwrap();
    let capurso = store
        .inbox()
        .unwrap()
        .into_iter()
        .find(|e| e.comune_name == "Capurso")
        .unwrap();
    assert!(!capurso.taken_in_charge());
    assert!(capurso.is_anonymized() && capurso.desk_discarded.is_none());
    assert!(capurso.record.referral.reason.is_empty());
    store.close().unwrap();

    // Key rotation: the desk's next bundle is signed with the old key and announces the new one;
    // the one after is signed with the new key and still accepted. Same from the district side.
    let before = stdout(&cli(&desk, &["keys", "show"], &[]));
    let out = cli(&desk, &["keys", "rotate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&cli(&desk, &["keys", "show"], &[])) != before);
    for n in [5, 6] {
        let f = dir.path().join(format!("bundle-{n}.age"));
        let out = cli(&desk, &["export", "--out", f.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", f.to_str().unwrap()], &[]);
        assert!(out.status.success(), "bundle {n}: {}", stderr(&out));
        // The bundle that announces the new key says it was adopted; the next one is plain.
        assert_eq!(
            stdout(&out).contains("Nuova chiave di firma di Triggiano adottata"),
            n == 5,
            "bundle {n}: {}",
            stdout(&out)
        );
    }
    let out = cli(&district, &["keys", "rotate"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A desk bundle made before the desk learns the district's new key still opens there.
    let f7 = dir.path().join("bundle-7.age");
    let out = cli(&desk, &["export", "--out", f7.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for n in [2, 3] {
        let f = dir.path().join(format!("return-{n}.age"));
        let out = cli(
            &district,
            &["export", "--to", "072046", "--out", f.to_str().unwrap()],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&desk, &["import", f.to_str().unwrap()], &[]);
        assert!(out.status.success(), "return {n}: {}", stderr(&out));
    }
    let out = cli(&district, &["import", f7.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The logical contents of a data directory's records, audit trail aside (`sportello digest
/// --records`): a refused bundle changes nothing but the audit entry of its refusal.
fn db_bytes(data: &Path) -> String {
    let out = cli(data, &["digest", "--records"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A desk user records an anonymous access and a person (Mario Rossi) referred to the SSP.
pub async fn desk_records_a_referral(data: &Path, residence: &str) {
    let out = cli(
        data,
        &[
            "user",
            "add",
            "--username",
            "assistente1",
            "--full-name",
            "Sara",
            "--role",
            "assistente_sociale",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success());

    // The desk records an anonymous access and a referred person.
    {
        let mut server = Server::on(data);
        let mut c = server.logged_in("assistente1").await;
        let anon = c
            .submit(
                "/accessi/rapido",
                "/accessi/rapido",
                &[
                    ("need_area", "poverty"),
                    ("need_category", "information"),
                    ("interlocutor", "user"),
                    ("outcome", "information_given"),
                    ("need_description", "Chiede degli orari"),
                ],
            )
            .await;
        assert_eq!(anon.status, 303);
        let done = c
            .submit(
                "/accessi/nuovo",
                "/accessi/nuovo",
                &[
                    ("person_mode", "new"),
                    ("codice_fiscale", "RSSMRA80A01H501U"),
                    ("surname", "Rossi"),
                    ("given_names", "Mario"),
                    ("residence_istat", residence),
                    ("channel", "in_person"),
                    ("interlocutor", "user"),
                    ("reason", "spontaneous"),
                    ("need_area", "poverty"),
                    ("need_category", "housing"),
                    ("need_description", "Sfratto imminente"),
                    ("outcome", "proposed_taking_charge"),
                    ("notes", "Nota libera da non esportare"),
                ],
            )
            .await;
        let access_id = done
            .location()
            .trim_start_matches("/accessi/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let form = format!("/invii/nuovo?accesso={access_id}");
        let sent = c
            .submit(
                &form,
                &form,
                &[
                    ("target", "ssp"),
                    ("reason", "Proposta di presa in carico"),
                    ("urgency", "urgent"),
                    ("privacy_override", "Consegna al prossimo colloquio"),
                ],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        assert!(server.stop());
    }
}

/// Used by the interop script in CI: leaves a bundle and the keys on disk and prints their paths.
#[test]
#[ignore = "run by tests/interop/bundle.sh"]
fn write_a_bundle_for_the_stock_tools() {
    let dir = PathBuf::from(std::env::var("SPORTELLO_INTEROP_DIR").expect("SPORTELLO_INTEROP_DIR"));
    let (desk, district) = pair(&dir);
    let bundle = dir.join("bundle.age");
    assert!(
        cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[])
            .status
            .success()
    );
    // Written by `enrol` for the desk of comune 072046.
    let desk_pub = dir.join("desk-072046.pub.json");
    let id: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(desk_pub).unwrap()).unwrap();
    std::fs::write(
        dir.join("desk.minisign.pub"),
        format!(
            "untrusted comment: desk\n{}\n",
            id["minisign_public_key"].as_str().unwrap()
        ),
    )
    .unwrap();
    std::fs::copy(
        district.join("keys").join("age.key"),
        dir.join("district-age.key"),
    )
    .unwrap();
}

/// The same handshake and exchange from the Scambi page, as a responsabile does it without the
/// command line.
#[actix_rt::test]
async fn enrollment_and_bundles_work_from_the_scambi_page() {
    let dir = tempfile::tempdir().unwrap();
    let desk = dir.path().join("desk");
    let district = dir.path().join("district");
    init(&desk, "desk", "072046");
    init(&district, "district", "072046");
    for data in [&desk, &district] {
        let out = cli(
            data,
            &[
                "user",
                "add",
                "--username",
                "resp",
                "--full-name",
                "Responsabile",
                "--role",
                "responsabile",
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let mut desk_server = Server::on(&desk);
    let mut district_server = Server::on(&district);
    let mut d = desk_server.logged_in("resp").await;
    let mut a = district_server.logged_in("resp").await;

    // Desk identity → district → reply → desk.
    let identity = d.get_bytes("/scambi/identita").await;
    let page = a.get("/scambi").await;
    let csrf = page.csrf();
    let bad = a
        .upload(
            &format!("/scambi/registra?csrf={csrf}"),
            "x.json",
            b"not json",
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("identità dello sportello illeggibile"),
        "{}",
        bad.body
    );
    let no_token = a
        .upload("/scambi/registra", "desk.pub.json", &identity)
        .await;
    assert_eq!(
        no_token.status, 403,
        "an upload without the CSRF token is refused"
    );
    let enrolled = a
        .upload(
            &format!("/scambi/registra?csrf={csrf}"),
            "desk.pub.json",
            &identity,
        )
        .await;
    assert_eq!(enrolled.status, 200, "{}", enrolled.body);
    assert!(enrolled.body.contains("Sportello di Triggiano registrato"));
    let reply_link = enrolled
        .body
        .split("href=\"/scambi/inviati/")
        .nth(1)
        .unwrap();
    let reply_name = &reply_link[..reply_link.find('"').unwrap()];
    let reply = a.get_bytes(&format!("/scambi/inviati/{reply_name}")).await;
    let csrf = d.get("/scambi").await.csrf();
    let ok = d
        .upload(
            &format!("/scambi/registra?csrf={csrf}"),
            "reply.age",
            &reply,
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("registrato"));

    // Desk bundle → district; the same upload again changes nothing.
    let exported = d.submit("/scambi", "/scambi/esporta", &[]).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    assert!(exported.body.contains("Pacchetto 1 pronto"));
    let link = exported
        .body
        .split("href=\"/scambi/inviati/")
        .nth(1)
        .unwrap();
    let name = &link[..link.find('"').unwrap()];
    let bundle = d.get_bytes(&format!("/scambi/inviati/{name}")).await;
    assert!(d.get("/scambi/inviati/..%2Fsportello.redb").await.status == 404);
    let csrf = a.get("/scambi").await.csrf();
    let applied = a
        .upload(&format!("/scambi/importa?csrf={csrf}"), name, &bundle)
        .await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert!(
        applied.body.contains("Pacchetto 1 di Triggiano applicato"),
        "{}",
        applied.body
    );
    let again = a
        .upload(&format!("/scambi/importa?csrf={csrf}"), name, &bundle)
        .await;
    assert!(again.body.contains("era già stato applicato"));
    let mut flipped = bundle.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    let refused = a
        .upload(&format!("/scambi/importa?csrf={csrf}"), name, &flipped)
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Pacchetto rifiutato, nessuna modifica"),
        "{}",
        refused.body
    );

    // Return bundle from the district page, applied at the desk.
    let back = a
        .submit("/scambi", "/scambi/esporta", &[("to", "072046")])
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    let link = back.body.split("href=\"/scambi/inviati/").nth(1).unwrap();
    let name = &link[..link.find('"').unwrap()];
    let bytes = a.get_bytes(&format!("/scambi/inviati/{name}")).await;
    let csrf = d.get("/scambi").await.csrf();
    let applied = d
        .upload(&format!("/scambi/importa?csrf={csrf}"), name, &bytes)
        .await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert!(applied.body.contains("applicato"));
    assert!(desk_server.stop());
    assert!(district_server.stop());
}

#[test]
fn keys_lost_after_enrollment_are_not_silently_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, _district) = pair(dir.path());
    // As after a restore without the keys folder.
    std::fs::remove_dir_all(desk.join("keys")).unwrap();
    for args in [
        vec!["keys", "show"],
        vec![
            "export",
            "--out",
            dir.path().join("b.age").to_str().unwrap(),
        ],
    ] {
        let out = cli(&desk, &args, &[]);
        assert!(!out.status.success(), "{args:?} made new keys");
        assert!(
            stderr(&out).contains("le chiavi di questa installazione mancano"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!desk.join("keys").join("signing.key").exists());
    let doctor = cli(&desk, &["doctor"], &[]);
    assert!(stdout(&doctor).contains("[Problema] Chiavi per gli scambi"));
}

#[test]
fn two_exports_at_the_same_moment_never_share_a_sequence_number() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, _district) = pair(dir.path());
    let store = std::sync::Arc::new(sportello::store::Store::open(&desk).unwrap());
    for round in 0..3 {
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let (store, start, desk) = (store.clone(), start.clone(), desk.clone());
                std::thread::spawn(move || {
                    start.wait();
                    sportello::bundle::export_desk(
                        &store,
                        &desk,
                        |_, _| Ok(()),
                        &format!("thread{t}"),
                    )
                    .map(|e| e.sequence)
                })
            })
            .collect();
        let mut sequences: Vec<u64> = threads
            .into_iter()
            .map(|t| t.join().unwrap().expect("export"))
            .collect();
        sequences.sort();
        assert_eq!(
            sequences,
            vec![round * 2 + 1, round * 2 + 2],
            "round {round}: each export has its own number, with no gap"
        );
    }
}

/// A referral to the SSP is not "sent" while it is still on the desk's PC: it says it waits for
/// the bundle (and the health check counts it, and says when the desk is not registered), and
/// once a bundle carried it, which bundle and when.
#[actix_rt::test]
async fn a_referral_to_the_ssp_says_sent_only_once_a_bundle_carried_it() {
    let dir = tempfile::tempdir().unwrap();
    // Not registered with the Ambito: nothing can leave, and the admin page says so.
    let alone = dir.path().join("alone");
    init(&alone, "desk", "072046");
    desk_records_a_referral(&alone, "072046").await;
    {
        let mut server = Server::on(&alone);
        let mut c = server.logged_in("assistente1").await;
        let list = c.get("/invii").await;
        assert!(
            list.body.contains("Da inviare all&#39;Ambito")
                || list.body.contains("Da inviare all'Ambito"),
            "{}",
            list.body
        );
        let mut admin = server.client();
        admin.login(ADMIN, ADMIN_PASSWORD).await;
        let health = admin.get("/amministrazione").await;
        assert!(
            health.body.contains("non è registrato presso l&#39;Ambito")
                || health.body.contains("non è registrato presso l'Ambito"),
            "{}",
            health.body
        );
        let refused = admin.submit("/scambi", "/scambi/esporta", &[]).await;
        assert!(refused.body.contains("pagina «Scambi»"), "{}", refused.body);
        assert!(
            !refused.body.contains("sportello keys"),
            "no command line in the web UI"
        );
        assert!(server.stop());
    }

    let (desk, _district) = pair(dir.path());
    desk_records_a_referral(&desk, "072046").await;
    let mut server = Server::on(&desk);
    let mut c = server.logged_in("assistente1").await;
    let list = c.get("/invii").await;
    let link = list.body.split("href=\"/invii/").nth(1).unwrap();
    let referral = format!("/invii/{}", &link[..link.find('"').unwrap()]);
    let before = c.get(&referral).await;
    assert!(
        before
            .body
            .contains("non ha ancora lasciato questo computer"),
        "{}",
        before.body
    );
    assert!(!before.body.contains("pacchetto n."));
    let mut admin = server.client();
    admin.login(ADMIN, ADMIN_PASSWORD).await;
    let health = admin.get("/amministrazione").await;
    assert!(
        health
            .body
            .contains("1 invio al Servizio Sociale Professionale non ancora partito"),
        "{}",
        health.body
    );
    let exported = admin.submit("/scambi", "/scambi/esporta", &[]).await;
    assert!(
        exported.body.contains("Pacchetto 1 pronto"),
        "{}",
        exported.body
    );
    let after = c.get(&referral).await;
    let today = chrono::Local::now().format("%d/%m/%Y").to_string();
    assert!(
        after
            .body
            .contains(&format!("Inviato il {today} (pacchetto n. 1)")),
        "{}",
        after.body
    );
    assert!(!after
        .body
        .contains("non ha ancora lasciato questo computer"));
    let health = admin.get("/amministrazione").await;
    assert!(!health.body.contains("non ancora partito"));
    assert!(server.stop());
}

/// The desk's bundle at `bundle`, opened with the district's key, changed by `edit` (bag-info
/// fields, payload files) and signed again with the desk's own key: what a buggy or older desk
/// could send, validly signed.
fn resigned(
    bundle: &Path,
    desk: &Path,
    district: &Path,
    edit: impl FnOnce(&mut Vec<(String, String)>, &mut Vec<(String, Vec<u8>)>),
) -> Vec<u8> {
    use sportello::bundle::{bag, keys::InstanceKeys};
    use std::io::Write;
    let district_keys = InstanceKeys::load_or_create(district).unwrap();
    let desk_keys = InstanceKeys::load_or_create(desk).unwrap();
    let file = std::io::BufReader::new(std::fs::File::open(bundle).unwrap());
    let plain = age::Decryptor::new(file)
        .unwrap()
        .decrypt(std::iter::once(&district_keys.age as &dyn age::Identity))
        .unwrap();
    let b = bag::unpack(plain).unwrap();
    let mut info: Vec<(String, String)> = bag::bag_info(&b)
        .unwrap()
        .into_iter()
        .filter(|(k, _)| k != "Payload-Oxum")
        .collect();
    let mut payload: Vec<(String, Vec<u8>)> = b
        .payload_lines()
        .unwrap()
        .into_iter()
        .map(|(name, _)| {
            let bytes = b.read_all(&format!("data/{name}")).unwrap().unwrap();
            (name, bytes)
        })
        .collect();
    edit(&mut info, &mut payload);
    let files: Vec<(&str, Vec<u8>)> = payload
        .iter()
        .map(|(n, bytes)| (n.as_str(), bytes.clone()))
        .collect();
    let targz = bag::build(&info, &files, &desk_keys.signing, &desk_keys.signing_public).unwrap();
    let recipient = district_keys.age.to_public();
    let mut out = Vec::new();
    let mut w = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .unwrap()
        .wrap_output(&mut out)
        .unwrap();
    w.write_all(&targz).unwrap();
    w.finish().unwrap();
    out
}

/// Edits every record of payload file `name` with `f`.
fn edit_records(
    payload: &mut [(String, Vec<u8>)],
    name: &str,
    f: impl Fn(&mut Vec<serde_json::Value>),
) {
    let (_, bytes) = payload.iter_mut().find(|(n, _)| n == name).unwrap();
    let mut records: Vec<serde_json::Value> = String::from_utf8(bytes.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    f(&mut records);
    *bytes = records
        .iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes();
}

#[actix_rt::test]
async fn a_signed_bundle_with_bad_content_or_a_replayed_id_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = pair(dir.path());
    desk_records_a_referral(&desk, "Triggiano").await;
    let bundle = dir.path().join("bundle-1.age");
    let out = cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = db_bytes(&district);

    type Edit = fn(&mut Vec<serde_json::Value>);
    let cases: [(&str, Edit, &str); 5] = [
        (
            "accesses.jsonl",
            |r| r[0]["month"] = "2026-13".into(),
            "non è un mese",
        ),
        (
            "accesses.jsonl",
            |r| r[0]["channel"] = "teleport".into(),
            "«teleport» sconosciuto",
        ),
        (
            "referrals.jsonl",
            |r| r[0]["referral"]["reason"] = "sfratto\u{0}".into(),
            "U+0000",
        ),
        (
            "accesses.jsonl",
            |r| {
                let first = r[0].clone();
                r.push(first);
            },
            "ripetuto",
        ),
        (
            "referrals.jsonl",
            |r| r[0]["person"]["residence_istat"] = "000000".into(),
            "codice ISTAT",
        ),
    ];
    for (i, (file, edit, why)) in cases.into_iter().enumerate() {
        let bad = dir.path().join(format!("bad-{i}.age"));
        std::fs::write(
            &bad,
            resigned(&bundle, &desk, &district, |_, p| {
                edit_records(p, file, edit)
            }),
        )
        .unwrap();
        let out = cli(&district, &["import", bad.to_str().unwrap()], &[]);
        assert!(!out.status.success(), "case {i} applied: {}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains(file) && err.contains("riga") && err.contains(why),
            "case {i}: {err}"
        );
        assert_eq!(db_bytes(&district), before, "case {i} changed the district");
    }

    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let applied = db_bytes(&district);
    let peers_before = {
        let store = sportello::store::Store::open(&district).unwrap();
        sportello::bundle::peers(&store).unwrap()
    };

    // The same Bundle-Id with other content: refused as a conflict naming the id.
    let other = dir.path().join("other.age");
    let mut id = String::new();
    std::fs::write(
        &other,
        resigned(&bundle, &desk, &district, |info, p| {
            id = info
                .iter()
                .find(|(k, _)| k == "Bundle-Id")
                .unwrap()
                .1
                .clone();
            edit_records(p, "accesses.jsonl", |r| {
                r.truncate(1);
                r[0]["outcomes"] = serde_json::json!(["information_given"]);
            });
        }),
    )
    .unwrap();
    let out = cli(&district, &["import", other.to_str().unwrap()], &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(&id) && stderr(&out).contains("contenuto diverso"),
        "{}",
        stderr(&out)
    );

    // A replay that slips in a new signing key: refused, the key stays.
    let swapped = dir.path().join("swapped.age");
    std::fs::write(
        &swapped,
        resigned(&bundle, &desk, &district, |_, p| {
            let mut identity = serde_json::to_value(&peers_before[0].identity).unwrap();
            let rogue = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
            identity["minisign_public_key"] = rogue.pk.to_base64().into();
            p.push((
                "identity.jsonl".into(),
                format!("{identity}\n").into_bytes(),
            ));
        }),
    )
    .unwrap();
    let out = cli(&district, &["import", swapped.to_str().unwrap()], &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("contenuto diverso"),
        "{}",
        stderr(&out)
    );
    // The very same bundle again: nothing to do, and nothing changed.
    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("già applicato"));
    assert_eq!(db_bytes(&district), applied);
    let store = sportello::store::Store::open(&district).unwrap();
    assert_eq!(sportello::bundle::peers(&store).unwrap(), peers_before);
}

/// A bundle-shaped bomb for `recipient`: `mib` MiB that compress to almost nothing, as the
/// member `path` of type `kind` (or as bare gzip without any tar around it).
fn bomb(
    recipient: &age::x25519::Recipient,
    kind: Option<tar::EntryType>,
    path: &str,
    mib: u64,
) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let sealed = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .unwrap()
        .wrap_output(&mut out)
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(sealed, flate2::Compression::fast());
    let size = mib * 1024 * 1024;
    let filler = || std::io::Read::take(std::io::repeat(b'a'), size);
    match kind {
        Some(kind) => {
            let mut tar = tar::Builder::new(&mut gz);
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(kind);
            header.set_path(path).unwrap();
            header.set_size(size);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append(&header, filler()).unwrap();
            tar.finish().unwrap();
        }
        None => {
            std::io::copy(&mut filler(), &mut gz).unwrap();
        }
    }
    let mut sealed = gz.finish().unwrap();
    sealed.flush().unwrap();
    sealed.finish().unwrap();
    out
}

#[test]
fn decompression_bombs_are_refused_within_the_memory_cap() {
    const CAP: usize = 64 * 1024 * 1024;
    let mib: u64 = std::env::var("SPORTELLO_BOMB_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let dir = tempfile::tempdir().unwrap();
    let (_, district) = pair(dir.path());
    let recipient = sportello::bundle::keys::InstanceKeys::load_or_create(&district)
        .unwrap()
        .age
        .to_public();
    let bombs = [
        (
            "un file del pacchetto",
            Some(tar::EntryType::Regular),
            "bag/data/accesses.jsonl",
        ),
        (
            "un nome lungo GNU",
            Some(tar::EntryType::GNULongName),
            "LongLink",
        ),
        (
            "un'intestazione PAX",
            Some(tar::EntryType::XHeader),
            "bag/PaxHeader",
        ),
        ("gzip senza archivio", None, ""),
    ];
    let store = sportello::store::Store::open(&district).unwrap();
    let reference = sportello::assets::reference().unwrap();
    let before = store.records_digest().unwrap();
    for (what, kind, path) in bombs {
        let bytes = bomb(&recipient, kind, path, mib);
        let (result, peak) = crate::memory::peak_heap(|| {
            sportello::bundle::import(&store, &district, &reference, bytes.as_slice(), "prova")
        });
        let err = result.expect_err(what).to_string();
        println!(
            "bomba in {what}: {mib} MiB compressi in {} KiB, rifiutata con al più {:.1} MiB di memoria: {err}",
            bytes.len() / 1024,
            peak as f64 / (1024.0 * 1024.0)
        );
        assert!(peak < CAP, "{what}: {peak} bytes held before the refusal");
        assert_eq!(store.records_digest().unwrap(), before, "{what}");
    }
    // Nothing left in the import spool either.
    let spool = district.join("tmp").join("import");
    let left = std::fs::read_dir(&spool).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "files left in {}", spool.display());
}
