//! Referrals: the whole lifecycle through the pages and the API, every step audited, the privacy
//! rule, overdue ones highlighted; the letter prints.

use serde_json::json;

use crate::common::*;

fn id_after(location: &str, prefix: &str) -> String {
    location
        .strip_prefix(prefix)
        .and_then(|r| r.split('?').next())
        .unwrap_or_else(|| panic!("redirect {location}"))
        .to_string()
}

#[actix_rt::test]
async fn a_referral_walks_its_whole_lifecycle_and_every_step_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    assert!(cli(&data, &["directory", "demo"], &[]).status.success());
    let out = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "assistente1",
            "--full-name",
            "Sara Sociale",
            "--role",
            "assistente_sociale",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success());
    let token = stdout(&cli(
        &data,
        &["token", "create", "--username", "assistente1"],
        &[],
    ))
    .lines()
    .last()
    .unwrap()
    .to_string();
    let auth = format!("Bearer {token}");
    let mut server = Server::on(&data);
    let mut c = server.logged_in("assistente1").await;

    let done = c
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("surname", "Amoruso"),
                ("given_names", "Grazia"),
                ("sex", "F"),
                ("birth_date", "12/03/1959"),
                ("residence_istat", "Capurso"),
                ("channel", "in_person"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "poverty"),
                ("need_category", "housing"),
                ("need_description", "Sfratto esecutivo a gennaio"),
                ("need_urgency", "urgent"),
                ("outcome", "proposed_taking_charge"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let access_id = id_after(done.location(), "/accessi/");

    // Without the privacy notice, sending needs a recorded reason.
    let form = format!("/invii/nuovo?accesso={access_id}");
    let refused = c
        .submit(
            &form,
            &form,
            &[
                ("target", "ssp"),
                ("reason", "Rischio di perdita dell'alloggio"),
                ("urgency", "urgent"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused
        .body
        .contains("informativa privacy non risulta consegnata"));
    let draft = c
        .submit(
            &form,
            &form,
            &[
                ("target", "ssp"),
                ("reason", "Rischio di perdita dell'alloggio"),
                ("urgency", "urgent"),
                ("draft", "1"),
            ],
        )
        .await;
    assert_eq!(draft.status, 303, "{}", draft.body);
    let referral_id = id_after(draft.location(), "/invii/");
    let page = c.get(&format!("/invii/{referral_id}")).await;
    assert!(page.body.contains("Bozza"));
    assert!(page.body.contains("Servizio Sociale Professionale"));
    // Each step names who took it, as colleagues know her.
    assert!(
        page.body.contains("Sara Sociale (assistente sociale)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(", assistente1"), "no username alone");

    // Sending the draft: still refused until the notice is given; then it goes.
    let status_url = format!("/invii/{referral_id}/stato");
    let page_url = format!("/invii/{referral_id}");
    let no = c
        .submit(
            &page_url,
            &status_url,
            &[("status", "inviato"), ("note", "")],
        )
        .await;
    assert_eq!(no.status, 422);
    let person_id = {
        let access = c.get(&format!("/accessi/{access_id}")).await;
        let at = access.body.find("href=\"/persone/").unwrap() + "href=\"/persone/".len();
        access.body[at..at + 36].to_string()
    };
    let notice = c
        .submit(
            &format!("/persone/{person_id}"),
            &format!("/persone/{person_id}/informativa"),
            &[("method", "signed")],
        )
        .await;
    assert_eq!(
        notice.location(),
        format!("/persone/{person_id}?avviso=informativa")
    );
    assert!(c
        .get(&format!("/persone/{person_id}"))
        .await
        .body
        .contains("Informativa consegnata il"));
    // A step out of order is refused with the reason.
    let jump = c
        .submit(
            &page_url,
            &status_url,
            &[("status", "accettato"), ("note", "")],
        )
        .await;
    assert_eq!(jump.status, 422);
    assert!(jump.body.contains("non si può passare"));
    let sent = c
        .submit(
            &page_url,
            &status_url,
            &[("status", "inviato"), ("note", "Inviata via PEC")],
        )
        .await;
    assert_eq!(
        sent.location(),
        format!("/invii/{referral_id}?avviso=stato"),
        "{}",
        sent.body
    );
    // Only the district answers a referral to the Servizio Sociale Professionale: the desk cannot
    // set its statuses, on the page or through the API.
    let received = c
        .submit(
            &page_url,
            &status_url,
            &[("status", "ricevuto"), ("note", "Protocollo n. 123")],
        )
        .await;
    assert_eq!(received.status, 422);
    assert!(
        received.body.contains("lo decide l&#39;Ambito")
            || received.body.contains("lo decide l'Ambito")
    );
    let accepted = c
        .post_json(
            &format!("/api/v1/referrals/{referral_id}/status"),
            &[("Authorization", &auth)],
            &json!({"status": "accettato", "note": "Presa in carico dall'AS Rossi"}),
        )
        .await;
    assert_eq!(accepted.status, 422, "{}", accepted.body);
    assert_eq!(accepted.json()["error"]["field"], "status");
    let bad = c
        .post_json(
            &format!("/api/v1/referrals/{referral_id}/status"),
            &[("Authorization", &auth)],
            &json!({"status": "fatto"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["field"], "status");
    let closed = c
        .submit(
            &page_url,
            &status_url,
            &[("status", "chiuso"), ("note", "Progetto avviato")],
        )
        .await;
    assert_eq!(
        closed.status, 422,
        "a sent SSP referral is closed by the district"
    );
    let story = c.get(&page_url).await;
    for step in [
        "Bozza",
        "Registrato per l&#39;invio all&#39;Ambito",
        "Inviata via PEC",
    ] {
        assert!(
            story.body.contains(step) || story.body.contains(&step.replace("&#39;", "'")),
            "missing {step}"
        );
    }
    // The letter prints with what the receiving service needs.
    let pdf = c
        .get_bytes(&format!("/invii/{referral_id}/scheda.pdf"))
        .await;
    assert!(pdf.starts_with(b"%PDF-"));

    // API: list by status with the person's name; create via API (for an existing access).
    let list = c
        .get_with(
            "/api/v1/referrals?status=inviato",
            &[("Authorization", &auth)],
        )
        .await
        .json();
    assert_eq!(list[0]["id"], referral_id.as_str());
    assert_eq!(list[0]["person_name"], "AMORUSO Grazia");
    assert_eq!(list[0]["history"].as_array().unwrap().len(), 2);
    let service = c
        .get_with(
            "/api/v1/services?category=housing",
            &[("Authorization", &auth)],
        )
        .await
        .json();
    let service_id = service[0]["id"].as_str().unwrap().to_string();
    let via_api = c
        .post_json("/api/v1/referrals", &[("Authorization", &auth)], &json!({"access_id": access_id, "target": service_id, "reason": "Alloggio temporaneo", "urgency": "urgent"}))
        .await;
    assert_eq!(via_api.status, 201, "{}", via_api.body);
    let unknown = c
        .post_json(
            "/api/v1/referrals",
            &[("Authorization", &auth)],
            &json!({"access_id": access_id, "target": "nessuno", "reason": "x"}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["error"]["field"], "target");

    assert!(server.stop());
    let store = sportello::store::Store::open(&data).unwrap();
    let entries = store.audit_entries().unwrap();
    let steps: Vec<&str> = entries
        .iter()
        .filter(|e| {
            e.subject == referral_id
                && (e.action == "referral.create" || e.action == "referral.status")
        })
        .map(|e| e.details.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(entries
        .iter()
        .any(|e| e.action == "person.privacy_notice" && e.subject == person_id));
}

#[actix_rt::test]
async fn overdue_referrals_are_highlighted() {
    use sportello::domain::referral::{Referral, ReferralStatus, StatusChange, Target};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    let out = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "operatore1",
            "--full-name",
            "Olga",
            "--role",
            "operatore",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success());
    {
        // A referral sent 20 days ago and never answered (written straight into the store).
        let store = sportello::store::Store::open(&data).unwrap();
        let person = sportello::domain::person::PersonForm {
            surname: "Ventura".into(),
            given_names: "Rocco".into(),
            ..Default::default()
        }
        .validate(
            &sportello::assets::reference().unwrap().places(),
            chrono::Local::now().date_naive(),
        )
        .unwrap()
        .into_new_person("PROVV-TEST0001".into(), chrono::Utc::now());
        store.create_person(&person, "test").unwrap();
        let then = chrono::Utc::now() - chrono::Duration::days(20);
        let r = Referral {
            id: uuid::Uuid::now_v7(),
            access_id: uuid::Uuid::now_v7(),
            person_id: person.id,
            target: Target::Ssp,
            target_name: "Servizio Sociale Professionale".into(),
            reason: "Valutazione".into(),
            urgency: "ordinary".into(),
            status: ReferralStatus::Inviato,
            history: vec![StatusChange {
                status: ReferralStatus::Inviato,
                at: then,
                by: "test".into(),
                note: String::new(),
            }],
            privacy_override: Some("test".into()),
            created_at: then,
            district_notice: None,
            carried: None,
        };
        store.create_referral(&r, "test").unwrap();
    }
    let server = Server::on(&data);
    let mut c = server.logged_in("operatore1").await;
    let list = c.get("/invii").await;
    assert!(list.body.contains("table-warning"), "{}", list.body);
    assert!(list.body.contains("in ritardo"));
    assert!(list.body.contains("VENTURA Rocco"));
}
