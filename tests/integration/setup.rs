//! First run in the browser: the wizard, then login; bad input; CSRF.

use crate::common::*;

#[actix_rt::test]
async fn the_wizard_sets_up_the_instance_then_login_and_logout_work() {
    let server = Server::fresh();
    let mut c = server.client();

    let home = c.get("/").await;
    assert_eq!((home.status, home.location()), (303, "/setup"));
    let login = c.get("/login").await;
    assert_eq!((login.status, login.location()), (303, "/setup"));

    let page = c.get("/setup").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Configurazione iniziale"));
    let csrf = page.csrf();

    // Without the form token nothing happens.
    let forged = c
        .post_form(
            "/setup",
            &[
                ("role", "desk"),
                ("comune_istat", "072046"),
                ("ambito_code", "BA05"),
                ("ambito_name", "Ambito di Triggiano"),
                ("admin_username", "mallory"),
                ("admin_full_name", "Mallory"),
                ("admin_password", "password-di-mallory"),
                ("admin_password_confirm", "password-di-mallory"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("Modulo scaduto"));
    assert_eq!(c.get("/setup").await.status, 200, "still not set up");

    // Bad input: every problem named next to its field, in Italian, nothing saved.
    let bad = c
        .post_form(
            "/setup",
            &[
                ("csrf", &csrf),
                ("role", "desk"),
                ("comune_istat", "7204"),
                ("ambito_code", ""),
                ("ambito_name", "Ambito di Triggiano"),
                ("admin_username", "Anna Bianchi"),
                ("admin_full_name", "Anna Bianchi"),
                ("admin_password", "corta"),
                ("admin_password_confirm", "corta"),
                ("desk_hours", "lunedì 9:00-25:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad
        .body
        .contains("Orario «25:00» non valido (00:00–23:59)."));
    assert!(bad.body.contains("6 cifre"), "{}", bad.body);
    assert!(bad.body.contains("codice dell&#39;Ambito") || bad.body.contains("codice dell'Ambito"));
    assert!(bad.body.contains("almeno 12 caratteri"));
    assert!(bad.body.contains("solo lettere senza accenti"));
    assert!(
        bad.body.contains("value=\"Ambito di Triggiano\""),
        "typed values are kept"
    );
    assert_eq!(c.get("/setup").await.status, 200, "still not set up");

    let done = c
        .post_form(
            "/setup",
            &[
                ("csrf", &csrf),
                ("role", "desk"),
                ("comune_istat", "072046"),
                ("comune_name", ""),
                ("ambito_code", "BA05"),
                ("ambito_name", "Ambito territoriale di Triggiano"),
                ("admin_username", "admin"),
                ("admin_full_name", "Anna Amministratrice"),
                ("admin_password", ADMIN_PASSWORD),
                ("admin_password_confirm", ADMIN_PASSWORD),
                ("desk_phone", "080 4628 111"),
                ("desk_hours", "lunedì–venerdì 9:00–12:00"),
            ],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/login?avviso=configurato")
    );
    // The wizard is gone once the instance exists.
    assert_eq!(c.get("/setup").await.location(), "/");

    let login = c.login("admin", ADMIN_PASSWORD).await;
    assert_eq!((login.status, login.location()), (303, "/"));
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Anna Amministratrice"));
    assert!(
        home.body.contains("Triggiano"),
        "name filled in from the ISTAT list"
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    // The desk's contacts typed in the wizard are the ones the sheets print.
    let admin = c.get("/amministrazione").await;
    assert!(
        admin.body.contains("value=\"080 4628 111\""),
        "{}",
        admin.body
    );
    assert!(admin.body.contains("Recapiti dello sportello"));

    let old_cookie = c
        .cookies
        .get("sportello_session")
        .cloned()
        .expect("session cookie");
    let csrf = home.csrf();
    let out = c.post_form("/logout", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location()), (303, "/login?avviso=uscito"));
    assert!(!c.cookies.contains_key("sportello_session"));

    // The old cookie no longer opens anything.
    let mut replay = server.client();
    replay
        .cookies
        .insert("sportello_session".into(), old_cookie);
    let again = replay.get("/").await;
    assert_eq!((again.status, again.location()), (303, "/login"));
}
