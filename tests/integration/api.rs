//! The reception API: vocabularies, persons, accesses, appointments; errors as 4xx JSON.

use serde_json::json;

use crate::common::*;

fn hdr(t: &str) -> [(&'static str, &str); 1] {
    [("Authorization", t)]
}

fn token(data: &std::path::Path, username: &str) -> String {
    let out = cli(data, &["token", "create", "--username", username], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    format!("Bearer {}", stdout(&out).lines().last().unwrap())
}

#[actix_rt::test]
async fn persons_and_accesses_through_the_api() {
    // Tokens are made before the server owns the database.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    for (u, r) in [
        ("operatore1", "operatore"),
        ("assistente1", "assistente_sociale"),
    ] {
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
    let op = token(&data, "operatore1");
    let social = token(&data, "assistente1");
    let admin = token(&data, "admin");
    let server = Server::on(&data);
    let mut c = server.client();

    let vocab = c.get_with("/api/v1/vocabularies", &hdr(&op)).await.json();
    for key in [
        "channel",
        "interlocutor",
        "reason",
        "area",
        "category",
        "outcome",
        "urgency",
        "age_band",
        "citizenship_area",
    ] {
        let list = vocab[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} missing"));
        assert!(!list.is_empty());
        assert!(list[0]["code"].is_string() && list[0]["label"].is_string());
    }
    assert!(vocab["channel"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["code"] == "phone" && t["label"] == "Telefono"));

    // An administrator alone does not read personal records.
    let forbidden = c.get_with("/api/v1/persons?q=rossi", &hdr(&admin)).await;
    assert_eq!(forbidden.status, 403);

    let bad_cf = c
        .post_json("/api/v1/persons", &hdr(&op), &json!({"codice_fiscale": "RSSMRA80A01H501X", "surname": "Rossi", "given_names": "Mario"}))
        .await;
    assert_eq!(bad_cf.status, 422);
    assert_eq!(bad_cf.json()["error"]["field"], "codice_fiscale");
    let inconsistent = c
        .post_json(
            "/api/v1/persons",
            &hdr(&op),
            &json!({"codice_fiscale": "RSSMRA80A01H501U", "surname": "Rossi", "given_names": "Mario", "sex": "F", "birth_date": "1980-01-01"}),
        )
        .await;
    assert_eq!(inconsistent.status, 422);
    assert_eq!(inconsistent.json()["error"]["field"], "codice_fiscale");
    assert!(inconsistent.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("sesso maschile"));
    let malformed = c
        .post_json("/api/v1/persons", &hdr(&op), &json!({"surname": 3}))
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.json()["error"]["code"], "bad_json");

    let created = c
        .post_json(
            "/api/v1/persons",
            &hdr(&op),
            &json!({
                "codice_fiscale": "RSSMRA80A01H501U", "surname": "Rossi", "given_names": "Mario", "sex": "M",
                "birth_date": "1980-01-01", "birth_place": "H501", "citizenship": "IT", "residence_istat": "072046",
                "phone": "080 123456", "email": "mario.rossi@example.it"
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let again = c
        .post_json("/api/v1/persons", &hdr(&op), &json!({"codice_fiscale": "rssmra80a01h501u", "surname": "Rossi", "given_names": "Mario"}))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.json()["error"]["existing_id"], id.as_str());

    let person = c
        .get_with(&format!("/api/v1/persons/{id}"), &hdr(&op))
        .await
        .json();
    assert_eq!(person["codice_fiscale"], "RSSMRA80A01H501U");
    assert_eq!(person["birth_place_name"], "Roma (RM)");
    assert_eq!(person["residence_istat"], "072046");
    assert_eq!(
        c.get_with(
            "/api/v1/persons/01234567-89ab-7def-8123-456789abcdef",
            &hdr(&op)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        c.get_with("/api/v1/persons/non-un-id", &hdr(&op))
            .await
            .status,
        404
    );

    let found = c
        .get_with("/api/v1/persons?q=Rosi%20Mario", &hdr(&op))
        .await
        .json();
    assert_eq!(
        found[0]["id"],
        id.as_str(),
        "misspelled surname still finds the person"
    );
    assert_eq!(
        c.get_with("/api/v1/persons?q=", &hdr(&op)).await.status,
        422
    );

    let access = c
        .post_json(
            "/api/v1/accesses",
            &hdr(&social),
            &json!({
                "person_id": id, "channel": "phone", "interlocutor": "user", "reason": "spontaneous",
                "needs": [
                    {"area": "poverty", "category": "housing", "description": "Sfratto", "urgency": "urgent"},
                    {"area": "poverty", "category": "economic_support", "description": "Bollette"}
                ],
                "outcomes": ["oriented"], "notes": "Richiamare", "reserved_notes": "Situazione delicata"
            }),
        )
        .await;
    assert_eq!(access.status, 201, "{}", access.body);
    let access_id = access.json()["id"].as_str().unwrap().to_string();

    // The operatore cannot write or read reserved notes.
    let write = c
        .post_json(
            "/api/v1/accesses",
            &hdr(&op),
            &json!({"person_id": id, "channel": "phone", "interlocutor": "user", "reason": "spontaneous",
                    "needs": [{"area": "poverty", "category": "housing"}], "outcomes": ["oriented"], "reserved_notes": "x"}),
        )
        .await;
    assert_eq!(write.status, 403);
    let list = c
        .get_with(&format!("/api/v1/persons/{id}/accesses"), &hdr(&op))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["needs"].as_array().unwrap().len(), 2);
    assert_eq!(list[0]["has_reserved_notes"], true);
    assert!(list[0].get("reserved_notes").is_none());
    let denied = c
        .get_with(
            &format!("/api/v1/accesses/{access_id}/reserved-notes"),
            &hdr(&op),
        )
        .await;
    assert_eq!(denied.status, 403);
    let read = c
        .get_with(
            &format!("/api/v1/accesses/{access_id}/reserved-notes"),
            &hdr(&social),
        )
        .await;
    assert_eq!(read.json()["reserved_notes"], "Situazione delicata");

    // Bad access input: 422 naming the field; unknown person: 404; nothing saved.
    let bad = c
        .post_json(
            "/api/v1/accesses",
            &hdr(&op),
            &json!({"anonymous": {"sex": "F"}, "channel": "fax", "interlocutor": "user", "reason": "spontaneous", "needs": [], "outcomes": []}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["field"], "channel");
    assert!(bad.json()["error"]["details"].as_array().unwrap().len() >= 3);
    let ghost = c
        .post_json(
            "/api/v1/accesses",
            &hdr(&op),
            &json!({"person_id": "01234567-89ab-7def-8123-456789abcdef", "channel": "phone", "interlocutor": "user",
                    "reason": "spontaneous", "needs": [{"area": "poverty", "category": "housing"}], "outcomes": ["oriented"]}),
        )
        .await;
    assert_eq!(ghost.status, 404);
    let anon = c
        .post_json(
            "/api/v1/accesses",
            &hdr(&op),
            &json!({"anonymous": {"sex": "F", "age_band": "35_44", "citizenship_area": "non_eu"}, "channel": "phone",
                    "interlocutor": "user", "reason": "spontaneous", "needs": [{"area": "immigrants", "category": "information"}],
                    "outcomes": ["information_given"]}),
        )
        .await;
    assert_eq!(anon.status, 201, "{}", anon.body);

    let appt = c
        .post_json(
            "/api/v1/appointments",
            &hdr(&op),
            &json!({"person_id": id, "start": "2099-05-04T08:30:00Z", "purpose": "Documenti ISEE", "operator": "assistente1"}),
        )
        .await;
    assert_eq!(appt.status, 201, "{}", appt.body);
    let past = c
        .post_json(
            "/api/v1/appointments",
            &hdr(&op),
            &json!({"person_id": id, "start": "2001-01-01T08:30:00Z"}),
        )
        .await;
    assert_eq!(past.status, 422);
    assert_eq!(past.json()["error"]["field"], "start");
    let mine = c
        .get_with(&format!("/api/v1/persons/{id}/appointments"), &hdr(&op))
        .await
        .json();
    assert_eq!(mine[0]["purpose"], "Documenti ISEE");
    assert_eq!(mine[0]["operator"], "assistente1");
    let day = c
        .get_with(
            "/api/v1/appointments?from=2099-05-01&to=2099-05-31",
            &hdr(&op),
        )
        .await
        .json();
    assert_eq!(day.as_array().unwrap().len(), 1);

    let doc = c.get("/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/vocabularies",
        "/api/v1/persons",
        "/api/v1/persons/{id}",
        "/api/v1/accesses",
        "/api/v1/persons/{id}/accesses",
        "/api/v1/appointments",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} not documented");
    }
}
