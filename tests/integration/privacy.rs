//! Privacy duties: notice (PDF, recorded with its version), consents, restriction (art. 18),
//! audit viewer and CSV, data-subject report (art. 15).

use serde_json::json;

use crate::common::*;

#[actix_rt::test]
async fn notice_consents_restriction_report_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    for (u, r) in [("resp1", "responsabile"), ("operatore1", "operatore")] {
        let out = cli(
            &data,
            &[
                "user",
                "add",
                "--username",
                u,
                "--full-name",
                u,
                "--role",
                r,
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success());
    }
    let token = stdout(&cli(
        &data,
        &["token", "create", "--username", "resp1"],
        &[],
    ))
    .lines()
    .last()
    .unwrap()
    .to_string();
    let auth = format!("Bearer {token}");
    let server = Server::on(&data);
    let mut op = server.logged_in("operatore1").await;
    let mut resp = server.logged_in("resp1").await;

    // A person with an access and an appointment.
    let done = op
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("surname", "Semeraro"),
                ("given_names", "Onofrio"),
                ("sex", "M"),
                ("birth_date", "01/02/1950"),
                ("channel", "in_person"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "elderly"),
                ("need_category", "home_care"),
                ("outcome", "information_given"),
                ("appointment_date", "10/10/2099"),
                ("appointment_time", "10:00"),
                ("appointment_purpose", "Visita"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let access_id = done
        .location()
        .trim_start_matches("/accessi/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let access_page = op.get(&format!("/accessi/{access_id}")).await;
    let at = access_page.body.find("href=\"/persone/").unwrap() + "href=\"/persone/".len();
    let person_id = access_page.body[at..at + 36].to_string();
    let person_url = format!("/persone/{person_id}");

    // The notice prints with the name and signature lines; its delivery is recorded with the version.
    let notice = op.get_bytes(&format!("{person_url}/informativa.pdf")).await;
    if let Some(text) = pdf_text(&notice) {
        for expected in [
            "Informativa sul trattamento dei dati personali",
            "Onofrio Semeraro",
            "Firma della persona interessata",
            "Comune di Triggiano",
            "art. 9",
            "Consensi facoltativi",
            "☐ acconsento",
            "Promemoria degli appuntamenti",
        ] {
            assert!(
                text.contains(expected),
                "missing «{expected}» in the notice:\n{text}"
            );
        }
        // The title once, and the Ambito named once.
        assert_eq!(
            text.to_lowercase()
                .matches("informativa sul trattamento dei dati personali")
                .count(),
            1,
            "{text}"
        );
        assert!(!text.contains("Ambito territoriale Ambito"), "{text}");
        // Review of issue 16: the signatures were left alone on the last page.
        let signed = text
            .split('\u{c}')
            .find(|page| page.contains("Firma della persona interessata"))
            .unwrap_or_default();
        assert!(
            signed.contains("Consegnata a") && signed.contains("Versione dell'informativa"),
            "the signatures left the fields they confirm:\n{signed}"
        );
    }
    let rec = op
        .submit(
            &person_url,
            &format!("{person_url}/informativa"),
            &[("method", "oral")],
        )
        .await;
    assert_eq!(rec.status, 303);
    assert!(op
        .get(&person_url)
        .await
        .body
        .contains("versione 1, letta a voce"));

    // The responsabile edits the notice: later deliveries record version 2.
    let short = resp
        .submit(
            "/privacy",
            "/privacy/informativa",
            &[("text", "Troppo breve")],
        )
        .await;
    assert_eq!(short.status, 422);
    let new_text = "INFORMATIVA AGGIORNATA. ".repeat(20);
    assert_eq!(
        resp.submit("/privacy", "/privacy/informativa", &[("text", &new_text)])
            .await
            .location(),
        "/privacy"
    );
    assert!(resp
        .get("/privacy")
        .await
        .body
        .contains("Informativa (versione 2)"));

    // Consents: given, then withdrawn at once.
    let give = op
        .submit(
            &person_url,
            &format!("{person_url}/consensi"),
            &[("purpose", "reminders"), ("azione", "dai")],
        )
        .await;
    assert_eq!(give.status, 303);
    assert!(op.get(&person_url).await.body.contains("revoca"));
    let withdraw = op
        .submit(
            &person_url,
            &format!("{person_url}/consensi"),
            &[("purpose", "reminders"), ("azione", "revoca")],
        )
        .await;
    assert_eq!(withdraw.status, 303);

    // Restriction: the record can be read but not edited, referred, reminded or used for accesses.
    assert_eq!(
        op.submit(
            &person_url,
            &format!("{person_url}/limitazione"),
            &[("reason", "x")]
        )
        .await
        .status,
        403,
        "responsabile only"
    );
    let restricted = resp
        .submit(
            &person_url,
            &format!("{person_url}/limitazione"),
            &[("reason", "Opposizione dell'interessato in esame")],
        )
        .await;
    assert_eq!(restricted.status, 303);
    let page = op.get(&person_url).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Trattamento limitato dal"));
    for url in [
        format!("{person_url}/modifica"),
        format!("/accessi/nuovo?persona={person_id}"),
        format!("/agenda/nuovo?persona={person_id}"),
        format!("/accessi/{access_id}/promemoria.pdf"),
        format!("/invii/nuovo?accesso={access_id}"),
    ] {
        let r = op.get(&url).await;
        if url.starts_with("/invii") {
            assert!(r.body.contains("limitato"), "{url}");
        } else {
            assert_eq!(r.status, 409, "{url}");
            assert!(r.body.contains("Trattamento limitato"), "{url}");
        }
    }
    let agenda = op.get("/agenda?giorno=2099-10-10").await;
    assert!(
        !agenda.body.contains("SEMERARO"),
        "restricted persons leave the lists"
    );
    let referral = op
        .post_json("/api/v1/referrals", &[("Authorization", &auth)], &json!({"access_id": access_id, "target": "ssp", "reason": "x", "privacy_override": "y"}))
        .await;
    assert_eq!(referral.status, 409, "{}", referral.body);
    assert_eq!(referral.json()["error"]["code"], "restricted");
    assert_eq!(
        op.get("/persone?q=semeraro")
            .await
            .body
            .matches(&person_url)
            .count(),
        0
    );
    assert_eq!(
        resp.submit(
            &person_url,
            &format!("{person_url}/limitazione/rimuovi"),
            &[]
        )
        .await
        .status,
        303
    );
    assert_eq!(
        op.get(&format!("/persone/{person_id}/modifica"))
            .await
            .status,
        200,
        "lifted"
    );

    // Art. 15 report: every record and every audited access to them.
    let report = op
        .get_with(
            &format!("/api/v1/persons/{person_id}/report.json"),
            &[("Authorization", &auth)],
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let r = report.json();
    assert_eq!(r["person"]["surname"], "Semeraro");
    assert_eq!(r["accesses"].as_array().unwrap().len(), 1);
    assert_eq!(r["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(r["person"]["consents"][0]["purpose"], "reminders");
    assert!(r["person"]["consents"][0]["withdrawn_on"].is_string());
    // Every operation as an Italian sentence with the user's name and role, never a code.
    let sentences: Vec<&str> = r["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["sentence"].as_str().unwrap())
        .collect();
    for expected in [
        "ha registrato la persona",
        "ha registrato un accesso allo sportello",
        "ha fissato un appuntamento",
        "ha consultato la scheda della persona",
        "ha consultato un accesso",
        "ha stampato l'informativa privacy",
        "ha registrato la consegna dell'informativa privacy",
        "ha registrato un consenso",
        "ha registrato la revoca di un consenso",
        "ha limitato il trattamento dei dati (art. 18)",
        "ha tolto la limitazione del trattamento",
    ] {
        assert!(
            sentences.iter().any(|s| s.contains(expected)),
            "audit of the person lacks «{expected}»: {sentences:?}"
        );
    }
    let users: Vec<&str> = r["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["by"].as_str().unwrap())
        .collect();
    assert!(
        users.iter().any(|u| u.ends_with("(operatore)"))
            && users.iter().any(|u| u.contains("(responsabile")),
        "{users:?}"
    );
    // (Here the users' full names are their usernames; the demo test checks names apart.)
    assert!(!report.body.contains("person.view"));
    let info: Vec<&str> = r["information"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    for section in [
        "Finalità e basi giuridiche",
        "Destinatari",
        "Periodo di conservazione",
        "Diritti",
        "Titolare del trattamento",
    ] {
        assert!(info.contains(&section), "{info:?}");
    }
    assert_eq!(
        op.get(&format!("/persone/{person_id}/rapporto"))
            .await
            .status,
        403,
        "operatori do not print the art. 15 report"
    );
    let review = format!("/persone/{person_id}/rapporto");
    let (status, pdf) = resp
        .submit_bytes(&review, &format!("/persone/{person_id}/rapporto.pdf"), &[])
        .await;
    assert_eq!(status, 200);
    if let Some(text) = pdf_text(&pdf) {
        assert!(
            text.contains("Semeraro") && text.contains("Chi ha consultato"),
            "{text}"
        );
    }

    // The record of processing (art. 30) prints from the settings.
    let record = resp.get_bytes("/privacy/registro.pdf").await;
    assert!(record.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&record) {
        assert!(
            text.contains("Registro delle attività di trattamento") && text.contains("10 anni"),
            "{text}"
        );
    }

    // The audit viewer filters by person and exports CSV; operatori cannot open it.
    assert_eq!(op.get("/privacy/audit").await.status, 403);
    let viewer = resp
        .get(&format!("/privacy/audit?soggetto={person_id}"))
        .await;
    assert!(viewer.body.contains("Catena integra"));
    assert!(viewer
        .body
        .contains("ha limitato il trattamento dei dati (art. 18)"));
    let csv = resp
        .get(&format!(
            "/privacy/audit.csv?soggetto={person_id}&azione=person."
        ))
        .await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.body.starts_with("seq;ora;utente;azione"));
    assert!(csv.body.contains("\"person.consent_withdrawn\""));
    assert!(!csv.body.contains("\"access.view\""), "filtered by action");

    // Filtered by person through the person index: reads of her access (whose subject is the
    // access, not her) are hers too, with Italian labels; an unknown code is refused at the field.
    let by_person = resp
        .get(&format!("/privacy/audit?persona={person_id}"))
        .await;
    assert_eq!(by_person.status, 200);
    assert!(
        by_person
            .body
            .contains("resp1 (responsabile) ha consultato un accesso")
            || by_person
                .body
                .contains("(operatore) ha consultato un accesso"),
        "{}",
        by_person.body
    );
    assert!(by_person
        .body
        .contains("ha limitato il trattamento dei dati (art. 18)"));
    assert!(by_person.body.contains("SEMERARO"));
    assert!(
        !by_person.body.contains("«Accesso al programma»"),
        "logins concern no person"
    );
    assert!(
        !by_person.body.contains("<td>person."),
        "no action codes in the lines"
    );
    assert!(
        !by_person.body.contains(&format!("<td>{person_id}")),
        "no record ids in the lines"
    );
    // By name, as the responsabile knows her: the same lines.
    let by_name = resp.get("/privacy/audit?persona=semeraro").await;
    assert_eq!(by_name.status, 200, "{}", by_name.body);
    assert!(by_name.body.contains("Operazioni che riguardano"));
    assert!(by_name
        .body
        .contains("ha limitato il trattamento dei dati (art. 18)"));
    let unknown = resp.get("/privacy/audit?persona=XXXXXX00X00X000X").await;
    assert_eq!(unknown.status, 422);
    assert!(unknown
        .body
        .contains("Nessuna persona con questo nome o codice"));
}

#[actix_rt::test]
async fn a_copy_of_the_audit_cut_at_the_end_is_refused_against_the_noted_head() {
    let mut server = Server::with_users(&[("resp", "responsabile")]);
    let mut c = server.logged_in("resp").await;
    let page = c.get("/privacy/audit").await;
    assert!(
        page.body.contains("Scarica la copia completa"),
        "{}",
        page.body
    );
    let copy = String::from_utf8(c.get_bytes("/privacy/audit.jsonl").await).unwrap();
    let lines: Vec<&str> = copy.lines().collect();
    let head = serde_json::from_str::<serde_json::Value>(lines[lines.len() - 1]).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    let cut: String = lines[..lines.len() - 2]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();

    let page = c.get("/privacy/audit").await;
    let action = format!("/privacy/audit/verifica?csrf={}", page.csrf());
    let refused = c
        .upload_with(&action, "copia.jsonl", cut.as_bytes(), &[("head", &head)])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Copia NON valida") && refused.body.contains("mancano le voci dopo"),
        "{}",
        refused.body
    );
    let no_head = c
        .upload_with(&action, "copia.jsonl", cut.as_bytes(), &[])
        .await;
    assert_eq!(no_head.status, 422);
    let whole = c
        .upload_with(&action, "copia.jsonl", copy.as_bytes(), &[("head", &head)])
        .await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    assert!(
        whole.body.contains("Copia integra e completa"),
        "{}",
        whole.body
    );
    // An entry invented after the noted head, with its hash computed as the chain does: the
    // live log shows it was never written.
    use sportello::domain::audit::{Action, AuditEntry, AuditEvent};
    let last: AuditEntry = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    let forged = AuditEntry::seal(
        AuditEvent::new("resp", Action::PersonView, "inventata"),
        last.time,
        Some((last.seq, &last.hash)),
    );
    let padded = format!("{copy}{}\n", serde_json::to_string(&forged).unwrap());
    let refused = c
        .upload_with(
            &action,
            "copia.jsonl",
            padded.as_bytes(),
            &[("head", &head)],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("non è nel registro di questo programma"),
        "{}",
        refused.body
    );
    // A field added beside the hashed ones.
    let extra = copy.replacen("{\"seq\"", "{\"nota\":\"aggiunta\",\"seq\"", 1);
    let refused = c
        .upload_with(&action, "copia.jsonl", extra.as_bytes(), &[("head", &head)])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("non è scritta come la scrive il programma"),
        "{}",
        refused.body
    );
    // Each check is in the log, with its outcome.
    let log = String::from_utf8(c.get_bytes("/privacy/audit.jsonl").await).unwrap();
    assert!(
        log.contains("audit.verify_copy")
            && log.contains("integra: ")
            && log.contains("non valida")
    );

    // The same from the command line: export prints what to note down, verify names the tail.
    assert!(server.stop());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registro.jsonl");
    let export = cli(
        &server.data,
        &["audit", "export", "--out", file.to_str().unwrap()],
        &[],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let printed = stdout(&export);
    assert!(
        printed.contains("Da annotare:") && printed.contains("--head"),
        "{printed}"
    );
    let noted = printed
        .split("ultimo hash ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap()
        .to_string();
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text.lines().collect();
    let cut_file = dir.path().join("tagliata.jsonl");
    std::fs::write(&cut_file, kept[..kept.len() - 1].join("\n")).unwrap();
    let file_arg = cut_file.to_str().unwrap();
    let plain = cli(&server.data, &["audit", "verify", "--file", file_arg], &[]);
    assert!(
        !plain.status.success() && stderr(&plain).contains("--head"),
        "without the noted head a cut copy would pass: {}",
        stdout(&plain)
    );
    let against = cli(
        &server.data,
        &["audit", "verify", "--file", file_arg, "--head", &noted],
        &[],
    );
    assert!(!against.status.success());
    assert!(
        stderr(&against).contains("mancano le voci dopo"),
        "{}",
        stderr(&against)
    );
    let whole = cli(
        &server.data,
        &[
            "audit",
            "verify",
            "--file",
            file.to_str().unwrap(),
            "--head",
            &noted,
        ],
        &[],
    );
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(stdout(&whole).contains("nessuna voce manca"));

    // An entry appended past the noted head (the chain's hash is public): the live log shows it
    // was never written.
    let last: sportello::domain::audit::AuditEntry =
        serde_json::from_str(kept[kept.len() - 1]).unwrap();
    let event = sportello::domain::audit::AuditEvent::new(
        "responsabile",
        sportello::domain::audit::Action::Login,
        "inventata",
    );
    let extra = sportello::domain::audit::AuditEntry::seal(
        event,
        chrono::Utc::now(),
        Some((last.seq, last.hash.as_str())),
    );
    let mut forged_text: Vec<String> = kept.iter().map(|l| l.to_string()).collect();
    forged_text.push(serde_json::to_string(&extra).unwrap());
    let forged_file = dir.path().join("allungata.jsonl");
    std::fs::write(&forged_file, forged_text.join("\n")).unwrap();
    let out = cli(
        &server.data,
        &[
            "audit",
            "verify",
            "--file",
            forged_file.to_str().unwrap(),
            "--head",
            &noted,
        ],
        &[],
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("non è nel registro"),
        "{}",
        stderr(&out)
    );

    // On a PC without the database (the DPO's), only up to the noted head can be trusted.
    let elsewhere = dir.path().join("altro-pc");
    let whole_there = cli(
        &elsewhere,
        &[
            "audit",
            "verify",
            "--file",
            file.to_str().unwrap(),
            "--head",
            &noted,
        ],
        &[],
    );
    assert!(whole_there.status.success(), "{}", stderr(&whole_there));
    let earlier: serde_json::Value = serde_json::from_str(kept[kept.len() - 2]).unwrap();
    let past_head = cli(
        &elsewhere,
        &[
            "audit",
            "verify",
            "--file",
            file.to_str().unwrap(),
            "--head",
            earlier["hash"].as_str().unwrap(),
        ],
        &[],
    );
    assert!(!past_head.status.success());
    assert!(
        stderr(&past_head).contains("NON verificabile"),
        "{}",
        stderr(&past_head)
    );
}

#[actix_rt::test]
async fn the_art_15_report_of_a_five_thousand_access_history_renders() {
    const ACCESSES: usize = 5_000;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(init_desk(&data).status.success());
    crate::bundles::desk_records_a_referral(&data, "Triggiano").await;
    // Years of visits: the one recorded at the desk, repeated back in time.
    let person_id = {
        let store = sportello::store::Store::open(&data).unwrap();
        let person = store.person_by_code("RSSMRA80A01H501U").unwrap().unwrap();
        let first = store.accesses_of(person.id).unwrap().remove(0);
        let history: Vec<_> = (1..ACCESSES)
            .map(|i| sportello::domain::access::Access {
                id: uuid::Uuid::now_v7(),
                time: first.time - chrono::Duration::hours(7 * i as i64),
                ..first.clone()
            })
            .collect();
        store
            .bulk_insert(&[], &history, &[], "prova", "storia lunga")
            .unwrap();
        store.close().unwrap();
        person.id
    };
    let server = Server::on(&data);
    let mut c = server.logged_in("assistente1").await;
    let started = std::time::Instant::now();
    let (_, pdf) = c
        .submit_bytes(
            &format!("/persone/{person_id}/rapporto"),
            &format!("/persone/{person_id}/rapporto.pdf"),
            &[],
        )
        .await;
    let took = started.elapsed();
    assert!(
        pdf.starts_with(b"%PDF"),
        "{}",
        String::from_utf8_lossy(&pdf[..pdf.len().min(300)])
    );
    println!(
        "rapporto art. 15 di {ACCESSES} accessi: {} KiB in {:.1} s (build {})",
        pdf.len() / 1024,
        took.as_secs_f64(),
        if cfg!(debug_assertions) {
            "di debug"
        } else {
            "release"
        }
    );
    if let Some(text) = pdf_text(&pdf) {
        assert!(text.contains("Sfratto imminente"));
        let oldest = chrono::Local::now() - chrono::Duration::hours(7 * (ACCESSES as i64 - 1));
        assert!(
            text.contains(&oldest.format("%d/%m/%Y").to_string())
                || text.contains(
                    &(oldest - chrono::Duration::days(1))
                        .format("%d/%m/%Y")
                        .to_string()
                ),
            "the oldest access is in the report"
        );
        // pdftotext ends every page with a form feed.
        let pages = text.matches('\u{c}').count();
        println!("{pages} pagine");
        assert!(pages > 100, "{pages} pages: more than the old cap");
    }
}

#[actix_rt::test]
async fn reserved_notes_can_be_withheld_from_the_art_15_report_with_a_reason() {
    let server = Server::with_users(&[("sara", "assistente_sociale"), ("resp", "responsabile")]);
    let mut c = server.logged_in("sara").await;
    let done = c
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("surname", "Caputo"),
                ("given_names", "Lidia"),
                ("sex", "F"),
                ("channel", "in_person"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "poverty"),
                ("need_category", "housing"),
                ("outcome", "information_given"),
                (
                    "reserved_notes",
                    "Il fratello Marco riferisce minacce del marito",
                ),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let access = c.get(done.location()).await;
    let at = access.body.find("href=\"/persone/").unwrap() + "href=\"/persone/".len();
    let person_id = access.body[at..at + 36].to_string();
    let review_path = format!("/persone/{person_id}/rapporto");
    let action = format!("/persone/{person_id}/rapporto.pdf");

    // The review shows what will be given, reserved notes included, and offers to withhold them.
    let review = c.get(&review_path).await;
    assert_eq!(review.status, 200);
    assert!(review
        .body
        .contains("Il fratello Marco riferisce minacce del marito"));
    assert!(review
        .body
        .contains("Omettere le note riservate (art. 15.4)"));
    // Withholding needs a reason.
    let refused = c.submit(&review_path, &action, &[("withhold", "1")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .body
        .contains("Indicare perché le note riservate non vengono date"));

    let reason = "Riguardano il fratello, che ha chiesto riservatezza";
    let (status, pdf) = c
        .submit_bytes(
            &review_path,
            &action,
            &[("withhold", "1"), ("withhold_reason", reason)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!flat.contains("fratello Marco"), "{flat}");
        assert!(
            flat.contains("Alcune note riservate degli operatori non sono riportate"),
            "{flat}"
        );
        assert!(!flat.contains(reason), "the reason stays in the audit log");
    }
    // Given in full, the notes are there.
    let (_, full) = c.submit_bytes(&review_path, &action, &[]).await;
    if let Some(text) = pdf_text(&full) {
        assert!(text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("fratello Marco"));
    }
    // The reason is recorded with the report given.
    let mut r = server.logged_in("resp").await;
    let csv = String::from_utf8(r.get_bytes("/privacy/audit.csv").await).unwrap();
    assert!(csv.contains(reason), "{csv}");
}

/// Review of issue 16: the viewer showed record ids, role and installation codes, put a chosen
/// namesake's id in the Persona box, and ignored a date that does not exist or a reversed period.
#[actix_rt::test]
async fn the_audit_viewer_names_persons_and_roles_and_says_what_is_wrong_with_a_period() {
    let server = Server::with_users(&[("resp", "responsabile"), ("as1", "assistente_sociale")]);
    let mut resp = server.logged_in("resp").await;
    let mut persons = Vec::new();
    for birth in ["01/02/1950", "03/04/1960"] {
        let done = resp
            .submit(
                "/accessi/nuovo",
                "/accessi/nuovo",
                &[
                    ("person_mode", "new"),
                    ("surname", "Lopane"),
                    ("given_names", "Vito"),
                    ("sex", "M"),
                    ("birth_date", birth),
                    ("channel", "in_person"),
                    ("interlocutor", "user"),
                    ("reason", "spontaneous"),
                    ("need_area", "elderly"),
                    ("need_category", "home_care"),
                    ("outcome", "information_given"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let access = done.location().trim_start_matches("/accessi/");
        let access = access.split(['?', '#']).next().unwrap().to_string();
        let printed = resp
            .get_bytes(&format!("/accessi/{access}/promemoria.pdf"))
            .await;
        assert!(printed.starts_with(b"%PDF-"));
        let page = resp.get(&format!("/accessi/{access}")).await;
        assert!(
            page.body
                .contains("<li class=\"breadcrumb-item\"><a href=\"/persone\">Persone</a>"),
            "the access sits under Persone › her name: {}",
            page.body
        );
        let at = page.body.find("href=\"/persone/").unwrap() + "href=\"/persone/".len();
        persons.push(page.body[at..at + 36].to_string());
    }

    let all = resp.get("/privacy/audit").await;
    assert_eq!(all.status, 200);
    let table = &all.body[all.body.find("<tbody>").unwrap()..];
    let table = &table[..table.find("</tbody>").unwrap()];
    assert!(
        !has_uuid(table),
        "no record id in the lines of the log:\n{table}"
    );
    assert!(table.contains("Assistente sociale"), "{table}");
    assert!(!table.contains("assistente_sociale"), "{table}");
    assert!(
        table.contains("Sportello comunale (Segretariato Sociale)"),
        "{table}"
    );
    assert!(!table.contains("desk –"), "{table}");
    assert!(table.contains("persona LOPANE Vito"), "{table}");
    assert!(
        table.contains("Utente as1 (assistente sociale): Assistente sociale"),
        "a new user's row names the user: {table}"
    );

    // Two namesakes: choosing one keeps her name in the box and lists her lines only.
    let both = resp
        .get("/privacy/audit?persona=lopane&dal=01/01/2020")
        .await;
    assert!(
        both.body.contains("Più persone corrispondono"),
        "{}",
        both.body
    );
    let at = both.body.find("href=\"/privacy/audit?persona=").unwrap() + "href=\"".len();
    let link = both.body[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let chosen = resp.get(&link).await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert!(
        chosen.body.contains("Operazioni che riguardano"),
        "{}",
        chosen.body
    );
    let boxed = chosen.body.find("id=\"a-persona\"").unwrap();
    let input = &chosen.body[chosen.body[..boxed].rfind('<').unwrap()..];
    let input = &input[..input.find('>').unwrap()];
    assert!(input.contains("LOPANE Vito"), "{input}");
    assert!(
        !has_uuid(input),
        "the box shows her name, not her id: {input}"
    );
    assert!(
        chosen.body.contains("value=\"01/01/2020\""),
        "the period is kept"
    );
    // The filter stays on her when the page's own form is sent again.
    let again = resp
        .get(&format!(
            "/privacy/audit?persona={}&scelta={}",
            urlencoding(&persons_name(&chosen.body)),
            chosen_id(&chosen.body)
        ))
        .await;
    assert!(
        again.body.contains("Operazioni che riguardano"),
        "{}",
        again.body
    );
    assert!(persons.contains(&chosen_id(&chosen.body)));

    // Dates: a day that does not exist, a wrong shape, a reversed period: each said at its field.
    let bad = resp
        .get("/privacy/audit?dal=31/02/2024&al=99/99/9999")
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("Il 31/02/2024 non esiste."),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("id=\"f-al-error\""), "{}", bad.body);
    let reversed = resp
        .get("/privacy/audit?dal=10/03/2024&al=01/03/2024")
        .await;
    assert_eq!(reversed.status, 422);
    assert!(reversed
        .body
        .contains("La fine del periodo (01/03/2024) è prima del suo inizio (10/03/2024)."));
    let csv = resp.get("/privacy/audit.csv?dal=31/02/2024").await;
    assert_eq!(csv.status, 422, "the CSV refuses it too");
}

fn has_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(35)).any(|i| {
        b[i..i + 36].iter().enumerate().all(|(j, c)| match j {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
    })
}

fn chosen_id(body: &str) -> String {
    let at = body.find("name=\"scelta\" value=\"").unwrap() + "name=\"scelta\" value=\"".len();
    body[at..at + 36].to_string()
}

fn persons_name(body: &str) -> String {
    let at = body.find("id=\"a-persona\"").unwrap();
    let tail = &body[at..];
    let v = tail.find("value=\"").unwrap() + "value=\"".len();
    tail[v..].split('"').next().unwrap().to_string()
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
