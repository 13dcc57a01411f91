//! The findings of the review, each as a test: art. 18 restriction on every list and action,
//! separation of duties, the same limits on the API as on the forms, referral statuses by side,
//! desk pages on a district, the API alone doing what the pages do.

use serde_json::json;

use crate::bundles::{desk_records_a_referral, pair};
use crate::common::*;

fn bearer(data: &std::path::Path, username: &str) -> String {
    let out = cli(data, &["token", "create", "--username", username], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    format!("Bearer {}", stdout(&out).lines().last().unwrap())
}

fn add_user(data: &std::path::Path, username: &str, role: &str) {
    let out = cli(
        data,
        &[
            "user",
            "add",
            "--username",
            username,
            "--full-name",
            &format!("Utente {username}"),
            "--role",
            role,
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

fn denials(data: &std::path::Path) -> Vec<(String, String)> {
    let store = sportello::store::Store::open(data).unwrap();
    store
        .audit_entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "access.denied")
        .map(|e| (e.user, e.subject))
        .collect()
}

#[actix_rt::test]
async fn a_restricted_person_is_found_only_by_exact_code_listed_nowhere_and_not_acted_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    assert!(cli(&data, &["directory", "demo"], &[]).status.success());
    add_user(&data, "operatore1", "operatore");
    add_user(&data, "resp1", "responsabile");
    let op = bearer(&data, "operatore1");
    let h = [("Authorization", op.as_str())];
    let mut server = Server::on(&data);
    let mut c = server.client();

    let person = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"surname": "Riservati", "given_names": "Riservati Anna", "sex": "F"}),
        )
        .await;
    assert_eq!(person.status, 201, "{}", person.body);
    let person_id = person.json()["id"].as_str().unwrap().to_string();
    let code = c
        .get_with(&format!("/api/v1/persons/{person_id}"), &h)
        .await
        .json()["temporary_code"]
        .as_str()
        .unwrap()
        .to_string();
    let access = c
        .post_json(
            "/api/v1/accesses",
            &h,
            &json!({"person_id": person_id, "channel": "in_person", "interlocutor": "user",
                "reason": "spontaneous", "outcomes": ["information_given"],
                "needs": [{"area": "poverty", "category": "housing", "description": "", "urgency": "ordinary"}]}),
        )
        .await;
    assert_eq!(access.status, 201, "{}", access.body);
    let access_id = access.json()["id"].as_str().unwrap().to_string();
    let referral = c
        .post_json(
            "/api/v1/referrals",
            &h,
            &json!({"access_id": access_id, "target": "ssp", "reason": "Valutazione", "privacy_override": "Consegna al prossimo colloquio"}),
        )
        .await;
    assert_eq!(referral.status, 201, "{}", referral.body);
    let referral_id = referral.json()["id"].as_str().unwrap().to_string();
    let tomorrow = chrono::Local::now().date_naive() + chrono::Duration::days(1);
    let start = format!("{tomorrow}T09:00:00Z");
    let booked = c
        .post_json(
            "/api/v1/appointments",
            &h,
            &json!({"person_id": person_id, "start": start}),
        )
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);

    let mut resp = server.logged_in("resp1").await;
    let person_url = format!("/persone/{person_id}");
    let restricted = resp
        .submit(
            &person_url,
            &format!("{person_url}/limitazione"),
            &[("reason", "Opposizione in esame")],
        )
        .await;
    assert_eq!(restricted.status, 303, "{}", restricted.body);
    let read = c
        .get_with(&format!("/api/v1/persons/{person_id}"), &h)
        .await
        .json();
    assert_eq!(read["restricted"], true, "an API client can tell");

    // Search: four words reach any name score, and still do not list her; the exact code does.
    let mut page = server.logged_in("operatore1").await;
    let words = page
        .get("/persone?q=riservati+riservati+riservati+riservati")
        .await;
    assert_eq!(words.status, 200);
    assert!(!words.body.contains(&person_id), "page search lists her");
    let api_words = c
        .get_with(
            "/api/v1/persons?q=riservati%20riservati%20riservati%20riservati",
            &h,
        )
        .await;
    assert_eq!(api_words.status, 200);
    assert!(!api_words.body.contains(&person_id), "API search lists her");
    let exact = page.get(&format!("/persone?q={code}")).await;
    assert!(exact.body.contains(&person_id), "the exact code finds her");
    let api_exact = c.get_with(&format!("/api/v1/persons?q={code}"), &h).await;
    assert!(api_exact.body.contains(&person_id));

    // Lists, on both channels.
    let list = page.get("/invii").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("RISERVATI"), "/invii lists her");
    let api_list = c.get_with("/api/v1/referrals", &h).await;
    assert_eq!(api_list.status, 200);
    assert!(!api_list.body.contains(&referral_id));
    let day = c
        .get_with(&format!("/api/v1/appointments?from={tomorrow}"), &h)
        .await;
    assert_eq!(day.status, 200);
    assert!(!day.body.contains(&person_id), "appointments list her");

    // Acting on her records is refused, on both channels, and the refusals are audited.
    let services = c
        .get_with("/api/v1/services?category=housing", &h)
        .await
        .json();
    let service_id = services[0]["id"].as_str().unwrap().to_string();
    let access_url = format!("/accessi/{access_id}");
    let add = page
        .submit(
            &access_url,
            &format!("{access_url}/servizi"),
            &[("service_id", &service_id)],
        )
        .await;
    assert_eq!(add.status, 409, "{}", add.body);
    let unmet = page
        .submit(
            &access_url,
            &format!("{access_url}/non-soddisfatto"),
            &[("need", "0"), ("reason", "full"), ("note", "")],
        )
        .await;
    assert_eq!(unmet.status, 409);
    let api_add = c
        .post_json(
            &format!("/api/v1/accesses/{access_id}/services"),
            &h,
            &json!({"service_id": service_id}),
        )
        .await;
    assert_eq!(api_add.status, 409);
    assert_eq!(api_add.json()["error"]["code"], "restricted");
    let api_unmet = c
        .post_json(
            &format!("/api/v1/accesses/{access_id}/unmet-needs"),
            &h,
            &json!({"need": 0, "reason": "full"}),
        )
        .await;
    assert_eq!(api_unmet.status, 409);
    let api_status = c
        .post_json(
            &format!("/api/v1/referrals/{referral_id}/status"),
            &h,
            &json!({"status": "chiuso"}),
        )
        .await;
    assert_eq!(api_status.status, 409);

    // Recording the privacy notice changes her record: refused on both channels too.
    let notice_api = c
        .post_json(
            &format!("/api/v1/persons/{person_id}/privacy-notice"),
            &h,
            &json!({"method": "oral"}),
        )
        .await;
    assert_eq!(notice_api.status, 409, "{}", notice_api.body);
    let notice_page = page
        .submit(
            &access_url,
            &format!("/persone/{person_id}/informativa"),
            &[("method", "oral")],
        )
        .await;
    assert_eq!(notice_page.status, 409, "{}", notice_page.body);
    // Withdrawing a consent only reduces processing: it stays possible (giving one is refused).
    let give = page
        .submit(
            &access_url,
            &format!("/persone/{person_id}/consensi"),
            &[("purpose", "reminders"), ("azione", "dai")],
        )
        .await;
    assert_eq!(give.status, 409, "{}", give.body);
    let withdraw = page
        .submit(
            &access_url,
            &format!("/persone/{person_id}/consensi"),
            &[("purpose", "reminders"), ("azione", "revoca")],
        )
        .await;
    assert_eq!(withdraw.status, 303, "{}", withdraw.body);

    // A refusal on her records is found by filtering the audit by her code.
    let audit = resp.get(&format!("/privacy/audit?persona={code}")).await;
    assert!(
        audit.body.contains("Operazione rifiutata"),
        "{}",
        audit.body
    );

    assert!(server.stop());
    let refused = denials(&data);
    assert!(
        refused
            .iter()
            .any(|(u, s)| u == "operatore1" && s.ends_with("/servizi")),
        "{refused:?}"
    );
    assert!(refused
        .iter()
        .any(|(u, s)| u == "operatore1" && s.contains("/api/v1/referrals/")));
}

#[actix_rt::test]
async fn nobody_gives_themselves_roles_and_resets_are_shown_to_the_responsabili() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    add_user(&data, "operatore1", "operatore");
    add_user(&data, "resp1", "responsabile");
    let mut server = Server::on(&data);
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let me = admin.get("/api/v1/me").await.json();
    let admin_id = me["id"].as_str().unwrap().to_string();

    // An administrator cannot add a desk role to themselves (the reserved notes stay closed).
    let own = admin
        .submit(
            "/amministrazione",
            &format!("/amministrazione/utenti/{admin_id}/ruoli"),
            &[("roles", "amministratore"), ("roles", "assistente_sociale")],
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("propri ruoli"));
    let after = admin.get("/api/v1/me").await.json();
    assert_eq!(after["roles"], json!(["amministratore"]));
    assert_eq!(admin.get("/persone").await.status, 403);

    // A reset password is temporary, and every responsabile is told until one acknowledges it.
    let store_users = {
        let page = admin.get("/amministrazione").await;
        let marker = "/amministrazione/utenti/";
        page.body
            .match_indices(marker)
            .map(|(i, _)| page.body[i + marker.len()..i + marker.len() + 36].to_string())
            .filter(|id| *id != admin_id)
            .collect::<Vec<_>>()
    };
    let mut temporary = None;
    for id in &store_users {
        let page = admin
            .submit(
                "/amministrazione",
                &format!("/amministrazione/utenti/{id}/password"),
                &[],
            )
            .await;
        if page.body.contains("operatore1") {
            let at = page.body.find("<code").map(|i| &page.body[i..]).unwrap();
            let start = at.find('>').unwrap() + 1;
            let end = at.find("</code>").unwrap();
            temporary = Some(at[start..end].to_string());
            break;
        }
    }
    let temporary = temporary.expect("temporary password shown");
    let mut as_op = server.client();
    let login = as_op.login("operatore1", &temporary).await;
    assert_eq!(login.location(), "/password", "a reset forces a change");

    let mut resp = server.logged_in("resp1").await;
    let home = resp.get("/").await;
    assert!(
        home.body.contains("Password di «operatore1» reimpostata"),
        "{}",
        home.body
    );
    let marker = "action=\"/avvisi/";
    let at = home.body.find(marker).unwrap() + marker.len();
    let notice_id = home.body[at..at + 36].to_string();
    let seen = resp
        .submit("/", &format!("/avvisi/{notice_id}/visto"), &[])
        .await;
    assert_eq!(seen.status, 303);
    assert!(!resp
        .get("/")
        .await
        .body
        .contains("Password di «operatore1» reimpostata"));

    // A new account with a role that reads personal data is a grant too: shown to the
    // responsabili (an administrator could otherwise make one and use it).
    let created = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "nuova.as"),
                ("full_name", "Nuova Assistente"),
                ("roles", "assistente_sociale"),
                ("password", "una-password-temporanea-1"),
            ],
        )
        .await;
    assert_eq!(created.location(), "/amministrazione?avviso=creato");
    let home = resp.get("/").await;
    assert!(
        home.body
            .contains("A «nuova.as» è stato dato da «admin» un ruolo che legge i dati personali"),
        "{}",
        home.body
    );

    // That account cannot clear the notice of its own grant; another responsabile can.
    let created = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "ombra"),
                ("full_name", "Ombra"),
                ("roles", "responsabile"),
                ("password", "una-password-temporanea-2"),
            ],
        )
        .await;
    assert_eq!(created.location(), "/amministrazione?avviso=creato");
    let mut ombra = server.client();
    assert_eq!(
        ombra
            .login("ombra", "una-password-temporanea-2")
            .await
            .location(),
        "/password"
    );
    let changed = ombra
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", "una-password-temporanea-2"),
                ("new_password", "la-password-di-ombra-3"),
                ("confirm_password", "la-password-di-ombra-3"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let home = ombra.get("/").await;
    let about = "A «ombra» è stato dato";
    let at = home
        .body
        .find(about)
        .expect("ombra sees the notice about herself");
    assert!(home.body[at..].contains("lo prende in visione un altro responsabile"));
    let notice_id = {
        let own = resp.get("/").await;
        let at = own.body.find(about).unwrap();
        let marker = "action=\"/avvisi/";
        let from = own.body[at..].find(marker).unwrap() + at + marker.len();
        own.body[from..from + 36].to_string()
    };
    let own_ack = ombra
        .post_form(
            &format!("/avvisi/{notice_id}/visto"),
            &[("csrf", &home.csrf())],
        )
        .await;
    assert_eq!(own_ack.status, 403, "{}", own_ack.body);
    assert!(
        resp.get("/").await.body.contains(about),
        "still shown to resp1"
    );

    // A new backup key is shown to the responsabili too: its private half reads every backup.
    let key = admin
        .submit("/amministrazione", "/amministrazione/backup/chiave", &[])
        .await;
    assert_eq!(key.status, 200);
    assert!(resp
        .get("/")
        .await
        .body
        .contains("La chiave dei backup è stata cambiata da «admin»"));

    assert!(server.stop());
    let refused = denials(&data);
    assert!(
        refused
            .iter()
            .any(|(u, s)| u == ADMIN && s.ends_with("/ruoli")),
        "{refused:?}"
    );
}

#[actix_rt::test]
async fn the_api_has_the_forms_limits_and_refuses_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    assert!(cli(&data, &["directory", "demo"], &[]).status.success());
    add_user(&data, "resp1", "responsabile");
    let t = bearer(&data, "resp1");
    let h = [("Authorization", t.as_str())];
    let server = Server::on(&data);
    let mut c = server.client();

    let directory = c.get_with("/api/v1/directory.hsds.json", &h).await.json();
    let mut service = directory["services"][0].clone();
    let id = service["id"].as_str().unwrap().to_string();
    service["name"] = json!("N".repeat(200_000));
    let put = c
        .put_json(&format!("/api/v1/services/{id}"), &h, &service)
        .await;
    assert_eq!(put.status, 422, "{}", &put.body[..put.body.len().min(300)]);
    assert_eq!(put.json()["error"]["field"], "name");
    // The same for the service's sub-objects: a phone, a location's address.
    let mut phone = directory["services"][0].clone();
    phone["phones"] = json!([{"number": "3".repeat(200_000)}]);
    let put = c
        .put_json(&format!("/api/v1/services/{id}"), &h, &phone)
        .await;
    assert_eq!(put.status, 422, "{}", &put.body[..put.body.len().min(300)]);
    assert_eq!(put.json()["error"]["details"][0]["field"], "phones");
    assert!(
        put.body.len() < 5_000,
        "the refusal does not echo the value"
    );

    // A whole directory imported with that name is refused the same way, and nothing changes.
    let mut whole = directory.clone();
    whole["services"][0]["name"] = json!("N".repeat(200_000));
    let import = c.post_json("/api/v1/directory.hsds.json", &h, &whole).await;
    assert_eq!(
        import.status,
        422,
        "{}",
        &import.body[..import.body.len().min(300)]
    );
    assert!(
        import.body.contains("Al massimo"),
        "{}",
        &import.body[..import.body.len().min(300)]
    );
    let after = c.get_with("/api/v1/directory.hsds.json", &h).await.json();
    assert_eq!(
        after["services"][0]["name"],
        directory["services"][0]["name"]
    );

    let unknown = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"surname": "Bianchi", "given_names": "Anna", "nickname": "Annina"}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.json()["error"]["field"], "nickname");
    // Unreadable JSON is explained in Italian, not in serde's English.
    let broken = c
        .request(
            "POST",
            "/api/v1/persons",
            &h,
            Some(("application/json", b"{\"surname\": ")),
        )
        .await;
    assert_eq!(broken.status, 400, "{}", broken.body);
    assert_eq!(broken.json()["error"]["message"], "Corpo JSON incompleto.");

    let person = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"surname": "Bianchi", "given_names": "Anna"}),
        )
        .await;
    let person_id = person.json()["id"].as_str().unwrap().to_string();
    let access = c
        .post_json(
            "/api/v1/accesses",
            &h,
            &json!({"person_id": person_id, "channel": "phone", "interlocutor": "user",
                "reason": "spontaneous", "outcomes": ["information_given"],
                "needs": [{"area": "poverty", "category": "housing", "description": "", "urgency": "ordinary"}]}),
        )
        .await;
    let access_id = access.json()["id"].as_str().unwrap().to_string();
    let long_override = c
        .post_json(
            "/api/v1/referrals",
            &h,
            &json!({"access_id": access_id, "target": "ssp", "reason": "x", "privacy_override": "o".repeat(200_000)}),
        )
        .await;
    assert_eq!(long_override.status, 422);
    assert_eq!(long_override.json()["error"]["field"], "privacy_override");

    let huge = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"surname": "x".repeat(300_000), "given_names": "Anna"}),
        )
        .await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    assert_eq!(huge.json()["error"]["code"], "payload_too_large");
}

#[actix_rt::test]
async fn the_api_alone_orients_an_access_and_prints_the_chosen_service() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    assert!(cli(&data, &["directory", "demo"], &[]).status.success());
    add_user(&data, "operatore1", "operatore");
    let t = bearer(&data, "operatore1");
    let h = [("Authorization", t.as_str())];
    let server = Server::on(&data);
    let mut c = server.client();
    let person = c
        .post_json(
            "/api/v1/persons",
            &h,
            &json!({"surname": "Verdi", "given_names": "Luca", "sex": "M", "birth_date": "1970-03-04"}),
        )
        .await;
    let person_id = person.json()["id"].as_str().unwrap().to_string();
    let access = c
        .post_json(
            "/api/v1/accesses",
            &h,
            &json!({"person_id": person_id, "channel": "in_person", "interlocutor": "user",
                "reason": "spontaneous", "outcomes": ["oriented"],
                "needs": [{"area": "poverty", "category": "housing", "description": "", "urgency": "ordinary"}]}),
        )
        .await;
    let access_id = access.json()["id"].as_str().unwrap().to_string();
    let sug = c
        .get_with(&format!("/api/v1/accesses/{access_id}/suggestions"), &h)
        .await;
    assert_eq!(sug.status, 200, "{}", sug.body);
    let first = sug.json()["suggestions"][0].clone();
    let service_id = first["service_id"].as_str().unwrap().to_string();
    let name = first["name"].as_str().unwrap().to_string();
    let chosen = c
        .post_json(
            &format!("/api/v1/accesses/{access_id}/services"),
            &h,
            &json!({"service_id": service_id}),
        )
        .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    let again = c
        .get_with(&format!("/api/v1/accesses/{access_id}/suggestions"), &h)
        .await
        .json();
    assert_eq!(again["chosen"][0], service_id.as_str());
    let unmet = c
        .post_json(
            &format!("/api/v1/accesses/{access_id}/unmet-needs"),
            &h,
            &json!({"need": 0, "reason": "waiting_list", "note": "Lista d'attesa di tre mesi"}),
        )
        .await;
    assert_eq!(unmet.status, 204, "{}", unmet.body);
    let bad_unmet = c
        .post_json(
            &format!("/api/v1/accesses/{access_id}/unmet-needs"),
            &h,
            &json!({"need": 5, "reason": "waiting_list"}),
        )
        .await;
    assert_eq!(bad_unmet.json()["error"]["field"], "need");

    let pdf = c
        .get_bytes_with(&format!("/api/v1/accesses/{access_id}/orientation.pdf"), &h)
        .await;
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let first_words: String = name
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains(&first_words), "{name} not in {flat}");
    }

    // The rest of a desk day through the API alone: correct the person, record consents,
    // the unmet-needs report, the promemoria, an appointment (its reminder, its cancellation), a
    // referral (read back, its letter), the privacy notice to sign.
    let corrected = c
        .put_json(
            &format!("/api/v1/persons/{person_id}"),
            &h,
            &json!({"surname": "Verdi", "given_names": "Luca Maria", "sex": "M", "birth_date": "1970-03-04"}),
        )
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.body);
    let read = c
        .get_with(&format!("/api/v1/persons/{person_id}"), &h)
        .await
        .json();
    assert_eq!(read["given_names"], "Luca Maria");
    let consent = c
        .post_json(
            &format!("/api/v1/persons/{person_id}/consents"),
            &h,
            &json!({"purpose": "reminders", "given": true}),
        )
        .await;
    assert_eq!(consent.status, 200, "{}", consent.body);
    let bad_consent = c
        .post_json(
            &format!("/api/v1/persons/{person_id}/consents"),
            &h,
            &json!({"purpose": "marketing", "given": true}),
        )
        .await;
    assert_eq!(bad_consent.status, 422);
    assert_eq!(bad_consent.json()["error"]["field"], "purpose");
    let report = c.get_with("/api/v1/unmet-needs", &h).await.json();
    assert_eq!(report[0]["reason"], "waiting_list");
    assert_eq!(report[0]["count"], 1);
    for path in [
        format!("/api/v1/accesses/{access_id}/promemoria.pdf"),
        format!("/api/v1/persons/{person_id}/privacy-notice.pdf"),
    ] {
        assert!(
            c.get_bytes_with(&path, &h).await.starts_with(b"%PDF-"),
            "{path}"
        );
    }
    let start = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let appointment = c
        .post_json(
            "/api/v1/appointments",
            &h,
            &json!({"person_id": person_id, "start": start}),
        )
        .await;
    assert_eq!(appointment.status, 201, "{}", appointment.body);
    let appointment_id = appointment.json()["id"].as_str().unwrap().to_string();
    let reminder = c
        .get_bytes_with(
            &format!("/api/v1/appointments/{appointment_id}/reminder.pdf"),
            &h,
        )
        .await;
    assert!(reminder.starts_with(b"%PDF-"));
    let cancelled = c
        .post_json(
            &format!("/api/v1/appointments/{appointment_id}/cancel"),
            &h,
            &json!({"reason": "La persona ha telefonato"}),
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.json()["cancelled"], true);
    let referral = c
        .post_json(
            "/api/v1/referrals",
            &h,
            &json!({"access_id": access_id, "target": service_id, "reason": "Domanda di alloggio",
                "privacy_override": "Informativa da consegnare al prossimo colloquio"}),
        )
        .await;
    assert_eq!(referral.status, 201, "{}", referral.body);
    let referral_id = referral.json()["id"].as_str().unwrap().to_string();
    let back = c
        .get_with(&format!("/api/v1/referrals/{referral_id}"), &h)
        .await
        .json();
    assert_eq!(back["status"], "inviato");
    assert_eq!(back["person_id"], person_id.as_str());
    let letter = c
        .get_bytes_with(&format!("/api/v1/referrals/{referral_id}/letter.pdf"), &h)
        .await;
    assert!(letter.starts_with(b"%PDF-"));
}

#[actix_rt::test]
async fn desk_pages_answer_404_at_the_district_whose_api_decides_received_referrals() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = pair(dir.path());
    desk_records_a_referral(&desk, "072046").await;
    let bundle = dir.path().join("b1.age");
    let out = cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    add_user(&district, "coord", "assistente_sociale");
    let t = bearer(&district, "coord");
    let h = [("Authorization", t.as_str())];

    let referral_id = {
        let server = Server::on(&district);
        let mut page = server.logged_in("coord").await;
        for path in ["/persone", "/accessi/nuovo", "/agenda"] {
            let r = page.get(path).await;
            assert_eq!(r.status, 404, "{path}");
            assert!(r.body.contains("sportello comunale"), "{path}: {}", r.body);
        }
        // The district keeps the Ambito's directory (it sends it to the desks): it may read it.
        let directory = page.get("/servizi").await;
        assert_eq!(directory.status, 200, "{}", directory.body);
        assert!(
            directory.body.contains("href=\"/servizi\""),
            "in the navigation"
        );
        let mut c = server.client();
        let api = c.get_with("/api/v1/persons?q=rossi", &h).await;
        assert_eq!(api.status, 404);
        assert_eq!(api.json()["error"]["code"], "not_available");

        let list = c.get_with("/api/v1/referrals", &h).await;
        assert_eq!(list.status, 200, "{}", list.body);
        let items = list.json();
        assert_eq!(items.as_array().unwrap().len(), 1);
        assert_eq!(items[0]["status"], "ricevuto");
        assert_eq!(items[0]["comune_istat"], "072046");
        assert_eq!(items[0]["person_surname"], "Rossi");
        let id = items[0]["id"].as_str().unwrap().to_string();
        let decided = c
            .post_json(
                &format!("/api/v1/referrals/{id}/status"),
                &h,
                &json!({"status": "respinto", "note": "Non di competenza"}),
            )
            .await;
        assert_eq!(decided.status, 200, "{}", decided.body);
        let wrong = c
            .post_json(
                &format!("/api/v1/referrals/{id}/status"),
                &h,
                &json!({"status": "inviato"}),
            )
            .await;
        assert_eq!(wrong.status, 422);
        id
    };
    // A desk of an earlier version had set the district's own statuses itself.
    {
        use sportello::domain::referral::ReferralStatus::{Accettato, Ricevuto};
        let store = sportello::store::Store::open(&desk).unwrap();
        let id = referral_id.parse().unwrap();
        store.advance_referral(id, Ricevuto, "", None, "t").unwrap();
        store
            .advance_referral(id, Accettato, "", None, "t")
            .unwrap();
    }
    let back = dir.path().join("r1.age");
    let out = cli(
        &district,
        &["export", "--to", "072046", "--out", back.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(&desk, &["import", back.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 invii"), "{}", stdout(&out));
    // The district decides: its answer is applied and the desk is told, never dropped.
    let server = Server::on(&desk);
    let mut page = server.logged_in("assistente1").await;
    let shown = page.get(&format!("/invii/{referral_id}")).await;
    assert!(shown.body.contains("Respinto"), "{}", shown.body);
    assert!(
        shown.body.contains("vale la decisione dell"),
        "{}",
        shown.body
    );
}
