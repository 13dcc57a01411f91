//! The agenda without traps: the access form books with the worker chosen, a clash or a Sunday
//! is a warning to confirm, cancelling asks for a reason and can be undone, appointments take an
//! outcome and can be moved (the reminder follows), through pages and the API.

use serde_json::json;

use crate::common::*;

const CF: &str = "BNCLRA75C45L049O";

/// The value of the `<option>` whose text is `label`.
fn option_value(body: &str, label: &str) -> String {
    let at = body
        .find(&format!(">{label}</option>"))
        .unwrap_or_else(|| panic!("no option «{label}»"));
    let start = body[..at].rfind("value=\"").unwrap() + 7;
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

/// The id of the appointment whose `/agenda/ID/<what>` link is first on the page.
fn appointment_link(body: &str, what: &str) -> String {
    let at = body.find(&format!("/{what}\"")).expect("appointment link");
    let start = body[..at].rfind("/agenda/").unwrap() + "/agenda/".len();
    body[start..at].to_string()
}

fn token(data: &std::path::Path, username: &str) -> String {
    let out = cli(data, &["token", "create", "--username", username], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    format!("Bearer {}", stdout(&out).lines().last().unwrap())
}

#[actix_rt::test]
async fn appointments_warn_cancel_with_a_reason_restore_take_an_outcome_and_move() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    for u in ["operatore1", "operatore2"] {
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
                "operatore",
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let api = token(&data, "operatore1");
    let server = Server::on(&data);
    let mut op = server.logged_in("operatore1").await;

    // The access form's follow-up appointment is with the worker chosen in «Con».
    let form = op.get("/accessi/nuovo").await;
    assert!(form.body.contains("id=\"f-appointment_operator\""));
    let other = option_value(&form.body, "Utente operatore2");
    let done = op
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("codice_fiscale", CF),
                ("surname", "Bianchi"),
                ("given_names", "Laura"),
                ("channel", "in_person"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "poverty"),
                ("need_category", "housing"),
                ("outcome", "information_given"),
                ("appointment_date", "03/03/2099"),
                ("appointment_time", "09:00"),
                ("appointment_operator", &other),
                ("appointment_purpose", "Colloquio"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let day = op.get("/agenda?giorno=2099-03-03").await;
    assert!(day.body.contains("Utente operatore2"), "{}", day.body);
    let first = appointment_link(&day.body, "sposta");
    let access = op.get(done.location()).await;
    let person = access
        .body
        .split("href=\"/persone/")
        .nth(1)
        .map(|s| s[..36].to_string())
        .unwrap();

    // Another appointment of the same worker at 09:15: a warning first, booked once confirmed.
    let new = format!("/agenda/nuovo?persona={person}");
    let slot = [
        ("date", "03/03/2099"),
        ("time", "09:15"),
        ("duration_minutes", "30"),
        ("operator", other.as_str()),
        ("purpose", "Secondo colloquio"),
    ];
    let warned = op.submit(&new, &new, &slot).await;
    assert_eq!(warned.status, 422, "{}", warned.body);
    assert!(
        warned
            .body
            .contains("Utente operatore2 ha già un appuntamento alle 09:00"),
        "{}",
        warned.body
    );
    let seen = {
        let marker = "name=\"warnings_seen\" value=\"";
        let at = warned.body.find(marker).unwrap() + marker.len();
        warned.body[at..at + warned.body[at..].find('"').unwrap()].to_string()
    };
    let csrf = warned.csrf();
    let mut confirmed: Vec<(&str, &str)> = vec![("csrf", &csrf), ("warnings_seen", &seen)];
    confirmed.extend_from_slice(&slot);
    let booked = op.post_form(&new, &confirmed).await;
    assert_eq!(booked.status, 303, "{}", booked.body);

    // A Sunday through the API: booked, with the warning returned.
    let sunday = op
        .post_json(
            "/api/v1/appointments",
            &[("Authorization", &api)],
            &json!({"person_id": person, "start": "2099-03-08T10:00:00+01:00"}),
        )
        .await;
    assert_eq!(sunday.status, 201, "{}", sunday.body);
    assert!(sunday.body.contains("domenica"), "{}", sunday.body);

    // Cancel asks for confirmation and a reason; it can be restored.
    let confirm = op.get(&format!("/agenda/{first}/annulla")).await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("Annullare l&#39;appuntamento?")
            || confirm.body.contains("Annullare l'appuntamento?")
    );
    let no_reason = op
        .submit(
            &format!("/agenda/{first}/annulla"),
            &format!("/agenda/{first}/annulla"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(no_reason.body.contains("Indicare il motivo"));
    let cancelled = op
        .submit(
            &format!("/agenda/{first}/annulla"),
            &format!("/agenda/{first}/annulla"),
            &[("reason", "Ha telefonato: è malata")],
        )
        .await;
    assert_eq!(cancelled.status, 303);
    let day = op.get("/agenda?giorno=2099-03-03").await;
    assert!(
        day.body.contains("Motivo: Ha telefonato: è malata"),
        "{}",
        day.body
    );
    assert!(day.body.contains(&format!("/agenda/{first}/ripristina")));
    let restored = op
        .submit(
            "/agenda?giorno=2099-03-03",
            &format!("/agenda/{first}/ripristina"),
            &[],
        )
        .await;
    assert_eq!(restored.status, 303);
    let day = op.get("/agenda?giorno=2099-03-03").await;
    assert!(!day.body.contains(&format!("/agenda/{first}/ripristina")));

    // An outcome, shown in the agenda and on the person's page.
    let outcome = op
        .submit(
            "/agenda?giorno=2099-03-03",
            &format!("/agenda/{first}/esito"),
            &[("outcome", "missed")],
        )
        .await;
    assert_eq!(outcome.status, 422, "not yet happened: {}", outcome.body);
    assert!(outcome.body.contains("si può solo indicare che è rinviato"));
    let outcome = op
        .submit(
            "/agenda?giorno=2099-03-03",
            &format!("/agenda/{first}/esito"),
            &[("outcome", "postponed")],
        )
        .await;
    assert_eq!(outcome.status, 303);
    let file = op.get(&format!("/persone/{person}")).await;
    assert!(file.body.contains("(rinviato)"), "{}", file.body);
    assert!(
        file.body.contains("Annullato: Ha telefonato"),
        "the appointment's history"
    );

    // Moved to Wednesday 10:00: the agenda and the reminder follow.
    let moved = op
        .submit(
            &format!("/agenda/{first}/sposta"),
            &format!("/agenda/{first}/sposta"),
            &[
                ("date", "04/03/2099"),
                ("time", "10:00"),
                ("duration_minutes", "30"),
                ("operator", &other),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert!(moved.location().contains("giorno=2099-03-04"));
    let wednesday = op.get("/agenda?giorno=2099-03-04").await;
    assert!(wednesday.body.contains(&format!("/agenda/{first}/sposta")));
    let pdf = op
        .get_bytes(&format!("/agenda/{first}/promemoria.pdf"))
        .await;
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&pdf) {
        assert!(
            text.contains("mercoledì 4 marzo 2099"),
            "the reminder shows the new day: {text}"
        );
    }

    // The API: cancel needs a reason; restore; a wrong outcome; a move with its warnings.
    let h = [("Authorization", api.as_str())];
    let path = |what: &str| format!("/api/v1/appointments/{first}/{what}");
    let empty = op
        .post_json(&path("cancel"), &h, &json!({"reason": ""}))
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(empty.json()["error"]["field"], "reason");
    let ok = op
        .post_json(
            &path("cancel"),
            &h,
            &json!({"reason": "Sciopero dei trasporti"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["cancel_reason"], "Sciopero dei trasporti");
    let twice = op
        .post_json(&path("cancel"), &h, &json!({"reason": "di nuovo"}))
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    let back = op.request("POST", &path("restore"), &h, None).await;
    assert_eq!(back.status, 200, "{}", back.body);
    let wrong = op
        .post_json(&path("outcome"), &h, &json!({"outcome": "boh"}))
        .await;
    assert_eq!(wrong.status, 422);
    let held = op
        .post_json(&path("outcome"), &h, &json!({"outcome": "held"}))
        .await;
    assert_eq!(
        held.status, 422,
        "a future appointment was not held: {}",
        held.body
    );
    let postponed = op
        .post_json(&path("outcome"), &h, &json!({"outcome": "postponed"}))
        .await;
    assert_eq!(postponed.json()["outcome"], "postponed");
    let to_sunday = op
        .post_json(
            &path("move"),
            &h,
            &json!({"start": "2099-03-08T11:00:00+01:00"}),
        )
        .await;
    assert_eq!(to_sunday.status, 200, "{}", to_sunday.body);
    let v = to_sunday.json();
    assert_eq!(
        v["appointment"]["operator"], "Utente operatore2",
        "the same worker"
    );
    assert_eq!(
        v["appointment"]["outcome"],
        json!(null),
        "a moved appointment's outcome starts again"
    );
    assert!(v["warnings"][0].as_str().unwrap().contains("domenica"));
}
