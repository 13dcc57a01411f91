//! Correcting the record: an anonymous access attached later to the person it was (then
//! referred), an access corrected with its history visible, both through pages and the API.

use serde_json::json;

use crate::common::*;

fn token(data: &std::path::Path, username: &str) -> String {
    let out = cli(data, &["token", "create", "--username", username], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    format!("Bearer {}", stdout(&out).lines().last().unwrap())
}

/// A desk with two operators, a social worker and a responsabile, and API tokens for them.
fn desk(dir: &std::path::Path) -> (std::path::PathBuf, Vec<String>) {
    let data = dir.join("d");
    assert!(init_desk(&data).status.success());
    let users = [
        ("operatore1", "operatore"),
        ("operatore2", "operatore"),
        ("assistente1", "assistente_sociale"),
        ("resp1", "responsabile"),
    ];
    for (u, r) in users {
        let out = cli(
            &data,
            &[
                "user",
                "add",
                "--username",
                u,
                "--full-name",
                &format!("Utente {u}"),
                "--role",
                r,
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let tokens = users.iter().map(|(u, _)| token(&data, u)).collect();
    (data, tokens)
}

/// The audit log as exported for the DPO (JSON lines).
fn audit_of(data: &std::path::Path) -> String {
    let out = data.with_file_name("audit.jsonl");
    let done = cli(
        data,
        &["audit", "export", "--out", out.to_str().unwrap()],
        &[],
    );
    assert!(done.status.success(), "{}", stderr(&done));
    std::fs::read_to_string(out).unwrap()
}

/// The id in the first `/accessi/ID` link of a page.
fn first_access(body: &str) -> String {
    let rest = body
        .split("href=\"/accessi/")
        .find(|s| s.as_bytes().first().is_some_and(u8::is_ascii_hexdigit) && s.len() > 36)
        .expect("an access link");
    rest[..36].to_string()
}

#[actix_rt::test]
async fn an_anonymous_caller_identified_later_can_be_referred() {
    let dir = tempfile::tempdir().unwrap();
    let (data, tokens) = desk(dir.path());
    let server = Server::on(&data);
    let mut op = server.logged_in("operatore1").await;
    let quick = op
        .submit(
            "/accessi/rapido",
            "/accessi/rapido",
            &[
                ("need_area", "poverty"),
                ("need_category", "housing"),
                ("interlocutor", "user"),
                ("outcome", "information_given"),
                ("anonymous_sex", "F"),
                ("anonymous_age_band", "45_54"),
                ("need_description", "Sfratto"),
            ],
        )
        .await;
    assert_eq!(quick.status, 303, "{}", quick.body);
    let id = first_access(&op.get("/").await.body);
    let page = op.get(&format!("/accessi/{id}")).await;
    assert!(page.body.contains("Collega a una persona"), "{}", page.body);
    assert!(
        !page.body.contains("Nuovo invio"),
        "an anonymous access cannot be referred"
    );

    // A new person, checked as at intake: a bad code is refused next to its field.
    let link = format!("/accessi/{id}/persona");
    let bad = op
        .submit(
            &link,
            &format!("{link}/nuova"),
            &[
                ("codice_fiscale", "RSSMRA80A01H501X"),
                ("surname", "Rossi"),
                ("given_names", "Maria"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"riepilogo-errori\""));
    let made = op
        .submit(
            &link,
            &format!("{link}/nuova"),
            &[
                ("codice_fiscale", "RSSMRA65P41H501B"),
                ("surname", "Rossi"),
                ("given_names", "Maria"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location(), format!("/accessi/{id}?avviso=collegato"));
    let page = op.get(&format!("/accessi/{id}")).await;
    assert!(page.body.contains("ROSSI Maria"), "{}", page.body);
    assert!(page.body.contains("Collegato a una persona"));
    assert!(
        page.body.contains("persona anonima (Femminile"),
        "the anonymous profile stays in the history: {}",
        page.body
    );
    assert!(!page.body.contains("Collega a una persona"));
    // Now a referral is possible.
    let form = format!("/invii/nuovo?accesso={id}");
    let sent = op
        .submit(
            &form,
            &form,
            &[
                ("target", "ssp"),
                ("reason", "Valutazione"),
                ("urgency", "ordinary"),
                ("privacy_override", "Consegna al prossimo colloquio"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    // Her file lists the access.
    let person = page
        .body
        .split("href=\"/persone/")
        .nth(1)
        .map(|s| s[..36].to_string())
        .unwrap();
    let file = op.get(&format!("/persone/{person}")).await;
    assert!(file.body.contains(&format!("/accessi/{id}")));

    // Through the API: another anonymous access attached to her; a second attach is a conflict.
    let created = op
        .post_json(
            "/api/v1/accesses",
            &[("Authorization", &tokens[0])],
            &json!({"anonymous": {}, "channel": "phone", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "poverty", "category": "information"}], "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let other: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let other = other["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/accesses/{other}/person");
    let linked = op
        .post_json(
            &path,
            &[("Authorization", &tokens[0])],
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    let v: serde_json::Value = serde_json::from_str(&linked.body).unwrap();
    assert_eq!(v["person_id"], json!(person));
    assert_eq!(v["anonymous"], json!(null));
    assert_eq!(v["corrections"][0]["kind"], "identified");
    let again = op
        .post_json(
            &path,
            &[("Authorization", &tokens[0])],
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    // Another operator did not record it: refused.
    let third = op
        .post_json(
            "/api/v1/accesses",
            &[("Authorization", &tokens[0])],
            &json!({"anonymous": {}, "channel": "phone", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "poverty", "category": "information"}], "outcomes": ["information_given"]}),
        )
        .await;
    let third: serde_json::Value = serde_json::from_str(&third.body).unwrap();
    let path = format!("/api/v1/accesses/{}/person", third["id"].as_str().unwrap());
    let refused = op
        .post_json(
            &path,
            &[("Authorization", &tokens[1])],
            &json!({"person_id": person}),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // The audit names the access and the person.
    drop(server);
    let audit = audit_of(&data);
    let line = audit
        .lines()
        .find(|l| l.contains("access.identify") && l.contains(&id))
        .unwrap_or_else(|| panic!("no access.identify entry in {audit}"));
    assert!(line.contains(&person), "the entry names the person: {line}");
}

#[actix_rt::test]
async fn an_access_is_corrected_with_its_history_shown_and_reserved_notes_kept_private() {
    let dir = tempfile::tempdir().unwrap();
    let (data, tokens) = desk(dir.path());
    let server = Server::on(&data);
    let mut sw = server.logged_in("assistente1").await;
    let done = sw
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("codice_fiscale", "VRDGPP70A01F205V"),
                ("surname", "Verdi"),
                ("given_names", "Giuseppe"),
                ("channel", "phone"),
                ("interlocutor", "relative"),
                ("interlocutor_name", "Anna Verdi"),
                ("interlocutor_relation", "la figlia"),
                ("reason", "spontaneous"),
                ("need_area", "elderly"),
                ("need_category", "home_care"),
                ("need_description", "Assistenza domiciliare"),
                ("outcome", "information_given"),
                ("reserved_notes", "Nota riservata iniziale"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let id = done.location()[9..45].to_string();
    let page = sw.get(&format!("/accessi/{id}")).await;
    assert!(
        page.body.contains("Anna Verdi") && page.body.contains("(la figlia)"),
        "who spoke is on the access: {}",
        page.body
    );

    // The author corrects the channel and the reserved notes.
    let edit = format!("/accessi/{id}/modifica");
    let form = sw.get(&edit).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Nota riservata iniziale"));
    let bad = sw
        .submit(
            &edit,
            &edit,
            &[
                ("channel", "teleport"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"riepilogo-errori\""));
    let saved = sw
        .submit(
            &edit,
            &edit,
            &[
                ("channel", "in_person"),
                ("interlocutor", "relative"),
                ("interlocutor_name", "Anna Verdi"),
                ("interlocutor_relation", "la figlia"),
                ("reason", "spontaneous"),
                ("need_area", "elderly"),
                ("need_category", "home_care"),
                ("need_description", "Assistenza domiciliare"),
                ("outcome", "information_given"),
                ("reserved_notes", "Nota riservata corretta"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = sw.get(&format!("/accessi/{id}?avviso=corretto")).await;
    assert!(
        page.body.contains("Storia delle correzioni"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Modalità di accesso: prima"));
    assert!(
        page.body.contains("Nota riservata iniziale"),
        "the social worker sees what was there before"
    );

    // An operator who did not record it may not correct it; a responsabile may, and sees the
    // history without the reserved text only if she may not read it (she may).
    let mut other = server.logged_in("operatore2").await;
    assert_eq!(other.get(&edit).await.status, 403);
    let page = other.get(&format!("/accessi/{id}")).await;
    assert!(page.body.contains("Storia delle correzioni"));
    assert!(
        !page.body.contains("Nota riservata iniziale"),
        "reserved text stays hidden"
    );
    assert!(page.body.contains("Note riservate corrette (visibili solo"));
    assert!(
        !page.body.contains("Correggi l&#39;accesso") && !page.body.contains("Correggi l'accesso")
    );

    // Through the API: a wrong value is a 422, a correction a 200 with the corrections listed,
    // and an operator's PUT without reserved notes keeps them.
    let put = format!("/api/v1/accesses/{id}");
    let wrong = sw
        .put_json(
            &put,
            &[("Authorization", &tokens[2])],
            &json!({"channel": "fax", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "elderly", "category": "home_care"}], "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let refused = other
        .put_json(
            &put,
            &[("Authorization", &tokens[1])],
            &json!({"channel": "phone", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "elderly", "category": "home_care"}], "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let mut resp = server.logged_in("resp1").await;
    let ok = resp
        .put_json(
            &put,
            &[("Authorization", &tokens[3])],
            &json!({"channel": "phone", "interlocutor": "user", "reason": "spontaneous", "duration_minutes": 20,
                    "interlocutor_name": "", "interlocutor_relation": "", "notes": "Nota del responsabile",
                    "needs": [{"area": "elderly", "category": "home_care", "description": "Assistenza domiciliare"}],
                    "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let v: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    assert_eq!(v["channel"], "phone");
    assert_eq!(
        v["reserved_notes"], "Nota riservata corretta",
        "kept when left out"
    );
    assert_eq!(v["interlocutor_name"], "");
    assert_eq!(v["corrections"].as_array().unwrap().len(), 2);
    let fields: Vec<&str> = v["corrections"][1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"duration_minutes") && fields.contains(&"interlocutor_name"),
        "{fields:?}"
    );
    // A name for who spoke when the person spoke herself is a mistake to correct, not to drop.
    let odd = resp
        .put_json(
            &put,
            &[("Authorization", &tokens[3])],
            &json!({"channel": "phone", "interlocutor": "user", "interlocutor_name": "Anna", "reason": "spontaneous",
                    "needs": [{"area": "elderly", "category": "home_care"}], "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(odd.status, 422, "{}", odd.body);
    // Optional fields left out keep their values.
    let partial = resp
        .put_json(
            &put,
            &[("Authorization", &tokens[3])],
            &json!({"channel": "in_person", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "elderly", "category": "home_care", "description": "Assistenza domiciliare"}],
                    "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(partial.status, 200, "{}", partial.body);
    let v = partial.json();
    assert_eq!(v["notes"], "Nota del responsabile");
    assert_eq!(v["duration_minutes"], 20);
    drop(server);
    let audit = audit_of(&data);
    assert!(
        audit
            .lines()
            .any(|l| l.contains("access.edit") && l.contains("campi corretti")),
        "{audit}"
    );
    assert!(
        !audit.contains("Nota riservata"),
        "no free text in the audit"
    );
}

/// The district holds one statistical record per access: once an anonymous access is attached to
/// a person, the next bundle updates that record (one person, not two; no access counted twice).
#[actix_rt::test]
async fn an_access_identified_later_is_updated_at_the_district_not_counted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = crate::bundles::pair(dir.path());
    for (data, user, role) in [
        (&desk, "operatore1", "operatore"),
        (&district, "resp", "responsabile"),
    ] {
        let out = cli(
            data,
            &[
                "user",
                "add",
                "--username",
                user,
                "--full-name",
                user,
                "--role",
                role,
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let year = chrono::Local::now().format("%Y").to_string();
    let send = |n: u32| {
        let file = dir.path().join(format!("bundle-{n}.age"));
        let out = cli(&desk, &["export", "--out", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let counts = |server: &Server| {
        let server_base = server.client();
        let year = year.clone();
        async move {
            let mut c = server_base;
            assert_eq!(c.login("resp", USER_PASSWORD).await.location(), "/");
            let s = c
                .get(&format!("/api/v1/statistics?year={year}"))
                .await
                .json();
            (
                s["accesses"].as_u64().unwrap(),
                s["people"].as_u64().unwrap(),
                s["unidentified"].as_u64().unwrap(),
            )
        }
    };

    let id = {
        let mut server = Server::on(&desk);
        let mut op = server.logged_in("operatore1").await;
        let quick = op
            .submit(
                "/accessi/rapido",
                "/accessi/rapido",
                &[
                    ("need_area", "poverty"),
                    ("need_category", "housing"),
                    ("interlocutor", "user"),
                    ("outcome", "information_given"),
                ],
            )
            .await;
        assert_eq!(quick.status, 303);
        let id = first_access(&op.get("/").await.body);
        assert!(server.stop());
        id
    };
    send(1);
    {
        let mut server = Server::on(&district);
        assert_eq!(counts(&server).await, (1, 0, 1));
        assert!(server.stop());
    }
    {
        let mut server = Server::on(&desk);
        let mut op = server.logged_in("operatore1").await;
        let link = format!("/accessi/{id}/persona");
        let made = op
            .submit(
                &link,
                &format!("{link}/nuova"),
                &[
                    ("codice_fiscale", "RSSMRA65P41H501B"),
                    ("surname", "Rossi"),
                    ("given_names", "Maria"),
                ],
            )
            .await;
        assert_eq!(made.status, 303, "{}", made.body);
        assert!(server.stop());
    }
    send(2);
    let mut server = Server::on(&district);
    assert_eq!(
        counts(&server).await,
        (1, 1, 0),
        "the same access, now of one identified person"
    );
    assert!(server.stop());
}
