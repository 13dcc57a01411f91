//! Login throttling and lockout, forced password change, revocation, CSRF on admin forms.

use crate::common::*;

#[actix_rt::test]
async fn five_wrong_passwords_lock_the_username_and_unknown_names_get_the_same_answer() {
    let server = Server::initialized();
    let mut c = server.client();

    let unknown = c.login("nessuno", "qualunque-password").await;
    let wrong = c.login(ADMIN, "password-sbagliata").await;
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.status, 401);
    let msg = "Nome utente o password non corretti.";
    assert!(unknown.body.contains(msg) && wrong.body.contains(msg));

    for _ in 0..3 {
        assert_eq!(c.login(ADMIN, "password-sbagliata").await.status, 401);
    }
    // Fifth failure: locked, and the message says so.
    let fifth = c.login(ADMIN, "password-sbagliata").await;
    assert!(
        fifth.body.contains("Troppi tentativi falliti"),
        "{}",
        fifth.body
    );
    // Now even the right password is refused, without a session.
    let right = c.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(right.status, 429);
    assert!(
        right.body.contains("bloccato per 15 minuti")
            || right.body.contains("bloccato per 14 minuti")
    );
    assert!(!c.cookies.contains_key("sportello_session"));

    // The lockout survives a restart (it is kept in the database).
    let mut server = server;
    assert!(server.stop(), "clean stop");
    let server2 = Server::on(&server.data);
    let mut c2 = server2.client();
    assert_eq!(c2.login(ADMIN, ADMIN_PASSWORD).await.status, 429);
}

#[actix_rt::test]
async fn a_username_locked_from_one_address_still_logs_in_from_another() {
    let server = Server::with_users(&[("m.rossi", "operatore")]);
    // Someone at another PC guesses the colleague's password five times.
    let mut intruder = Client::from_address(&server.base, "127.0.0.2");
    for _ in 0..5 {
        assert_eq!(
            intruder.login("m.rossi", "password-sbagliata").await.status,
            401
        );
    }
    let refused = intruder.login("m.rossi", USER_PASSWORD).await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("da questo computer") && refused.body.contains("riprovare dalle"),
        "{}",
        refused.body
    );
    // The colleague at her own PC logs in with her password.
    let mut own = server.client();
    assert_eq!(own.login("m.rossi", USER_PASSWORD).await.location(), "/");

    // Wrong "current password" at her password change do not lock her login.
    let page = own.get("/password").await;
    let csrf = page.csrf();
    for i in 0..6 {
        let r = own
            .post_form(
                "/password",
                &[
                    ("csrf", csrf.as_str()),
                    ("current_password", "non-la-mia-password"),
                    ("new_password", "una-nuova-password-9"),
                    ("confirm_password", "una-nuova-password-9"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        if i == 5 {
            // The page's own lock says it is not the login's.
            assert!(
                r.body.contains("L&#39;accesso al programma non è bloccato")
                    || r.body.contains("L'accesso al programma non è bloccato"),
                "{}",
                r.body
            );
        }
    }
    let mut again = server.client();
    assert_eq!(again.login("m.rossi", USER_PASSWORD).await.location(), "/");

    // The administrator sees the lockout, with the address it came from.
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let page = admin.get("/amministrazione").await;
    assert!(
        page.body
            .contains("Accesso bloccato dall&#39;indirizzo 127.0.0.2")
            || page
                .body
                .contains("Accesso bloccato dall'indirizzo 127.0.0.2"),
        "{}",
        page.body
    );
    // The right current password with a mistyped confirmation is not a failed guess: six
    // such mistakes never suspend the change (from the administrator's own PC).
    let mut admin = Client::from_address(&server.base, "127.0.0.4");
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let csrf = admin.get("/password").await.csrf();
    for _ in 0..6 {
        let r = admin
            .post_form(
                "/password",
                &[
                    ("csrf", csrf.as_str()),
                    ("current_password", ADMIN_PASSWORD),
                    ("new_password", "una-nuova-password-9"),
                    ("confirm_password", "una-nuova-password-8"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Le due password non coincidono."));
        assert!(!r.body.contains("Troppi tentativi"), "{}", r.body);
    }
}

#[actix_rt::test]
async fn a_run_from_several_addresses_does_not_keep_the_user_out_of_her_own_browser() {
    let server = Server::with_users(&[("m.rossi", "operatore")]);
    // She works at this browser: a login leaves its mark.
    let mut own = server.client();
    assert_eq!(own.login("m.rossi", USER_PASSWORD).await.location(), "/");
    assert!(own.cookies.contains_key("sportello_dispositivo"));
    let page = own.get("/").await;
    own.post_form("/logout", &[("csrf", page.csrf().as_str())])
        .await;
    // Four failures from each of five other addresses reach the ceiling over all of them.
    for a in 2..7 {
        let mut intruder = Client::from_address(&server.base, &format!("127.0.0.{a}"));
        for _ in 0..4 {
            let r = intruder.login("m.rossi", "password-sbagliata").await;
            assert!(r.status == 401 || r.status == 429, "{}", r.status);
        }
    }
    let mut fresh = Client::from_address(&server.base, "127.0.0.8");
    let refused = fresh.login("m.rossi", USER_PASSWORD).await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("da qualsiasi computer"),
        "{}",
        refused.body
    );
    // Her browser is a source of its own: she is in.
    assert_eq!(own.login("m.rossi", USER_PASSWORD).await.location(), "/");
    // A forged or foreign mark is worth nothing.
    let mut forger = Client::from_address(&server.base, "127.0.0.9");
    let mark = own.cookies["sportello_dispositivo"].clone();
    let forged = format!("{}0", &mark[..mark.len() - 1]);
    forger
        .cookies
        .insert("sportello_dispositivo".into(), forged);
    assert_eq!(forger.login("m.rossi", USER_PASSWORD).await.status, 429);
    let mut other = server.client();
    other.cookies.insert("sportello_dispositivo".into(), mark);
    assert_eq!(other.login(ADMIN, "password-sbagliata").await.status, 401);
}

#[actix_rt::test]
async fn a_user_created_by_the_admin_must_change_the_temporary_password() {
    let server = Server::initialized();
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");

    let created = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "MRossi"),
                ("full_name", "Mario Rossi"),
                ("password", "password-temporanea-42"),
                ("roles", "operatore"),
                ("roles", "assistente_sociale"),
            ],
        )
        .await;
    assert_eq!(
        (created.status, created.location()),
        (303, "/amministrazione?avviso=creato")
    );
    let page = admin.get("/amministrazione?avviso=creato").await;
    assert!(page.body.contains("mrossi"));
    assert!(page.body.contains("password temporanea"));

    // Duplicate and invalid input come back with messages next to the fields.
    let dup = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "mrossi"),
                ("full_name", "Mario Rossi"),
                ("password", "password-temporanea-42"),
                ("roles", "operatore"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("Esiste già un utente"));
    let no_roles = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "lverdi"),
                ("full_name", "Luca Verdi"),
                ("password", "password-temporanea-42"),
            ],
        )
        .await;
    assert_eq!(no_roles.status, 422);
    assert!(no_roles.body.contains("Scegliere almeno un ruolo."));

    let mut mario = server.client();
    let login = mario.login("mrossi", "password-temporanea-42").await;
    assert_eq!(login.location(), "/password");
    assert_eq!(mario.get("/").await.location(), "/password");
    assert_eq!(mario.get("/amministrazione").await.location(), "/password");

    let same = mario
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", "password-temporanea-42"),
                ("new_password", "password-temporanea-42"),
                ("confirm_password", "password-temporanea-42"),
            ],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("diversa da quella attuale"));

    let changed = mario
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", "password-temporanea-42"),
                ("new_password", "la mia frase segreta"),
                ("confirm_password", "la mia frase segreta"),
            ],
        )
        .await;
    assert_eq!(changed.location(), "/?avviso=password");
    let home = mario.get("/?avviso=password").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Password aggiornata."));
    // An operator does not see the administration.
    assert!(!home.body.contains("href=\"/amministrazione\""));
    assert_eq!(mario.get("/amministrazione").await.status, 403);

    // Disabling the user ends the session at once.
    let page = admin.get("/amministrazione").await;
    let user_id = users_id(&page.body, "mrossi");
    let disabled = admin
        .submit(
            "/amministrazione",
            &format!("/amministrazione/utenti/{user_id}/disabilita"),
            &[],
        )
        .await;
    assert_eq!(disabled.location(), "/amministrazione?avviso=disabilitato");
    assert_eq!(mario.get("/").await.location(), "/login");
    // A disabled user gets the same answer as a wrong password: it confirms nothing.
    let refused = mario.login("mrossi", "la mia frase segreta").await;
    assert_eq!(refused.status, 401);
    assert!(refused
        .body
        .contains("Nome utente o password non corretti."));

    // The last administrator cannot be disabled.
    let admin_id = users_id(&admin.get("/amministrazione").await.body, ADMIN);
    let refused = admin
        .submit(
            "/amministrazione",
            &format!("/amministrazione/utenti/{admin_id}/disabilita"),
            &[],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("almeno un amministratore attivo"));

    // The security events are on the administration page.
    let page = admin.get("/amministrazione").await;
    for label in [
        "Nuovo utente",
        "Accesso al programma",
        "Cambio della propria password",
        "Utente disattivato",
        "Accesso non riuscito",
    ] {
        assert!(page.body.contains(label), "missing event {label}");
    }
}

/// The id in the row of `username` on the administration page.
fn users_id(body: &str, username: &str) -> String {
    let row_start = body
        .find(&format!("<strong>{username}</strong>"))
        .expect("user row");
    let marker = "/amministrazione/utenti/";
    let at = body[row_start..].find(marker).unwrap() + row_start + marker.len();
    body[at..at + 36].to_string()
}

#[actix_rt::test]
async fn a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing() {
    let server = Server::initialized();
    let mut admin = server.client();
    admin.login(ADMIN, ADMIN_PASSWORD).await;

    let fields = [
        ("username", "intruso"),
        ("full_name", "Utente Intruso"),
        ("password", "password-intruso-1"),
        ("roles", "amministratore"),
    ];
    let none = admin.post_form("/amministrazione/utenti", &fields).await;
    assert_eq!(none.status, 403);
    let mut with_bad = vec![("csrf", "token-falso")];
    with_bad.extend_from_slice(&fields);
    let bad = admin.post_form("/amministrazione/utenti", &with_bad).await;
    assert_eq!(bad.status, 403);
    // A token of another session does not work either.
    let mut other = server.client();
    other.login(ADMIN, ADMIN_PASSWORD).await;
    let other_token = other.get("/").await.csrf();
    let mut with_other = vec![("csrf", other_token.as_str())];
    with_other.extend_from_slice(&fields);
    assert_eq!(
        admin
            .post_form("/amministrazione/utenti", &with_other)
            .await
            .status,
        403
    );
    // Logout without the token does not log out.
    assert_eq!(admin.post_form("/logout", &[]).await.status, 403);
    assert_eq!(admin.get("/").await.status, 200);

    let page = admin.get("/amministrazione").await;
    assert!(!page.body.contains("intruso"));
    let list = {
        let mut s = server;
        assert!(s.stop());
        cli(&s.data, &["user", "list"], &[])
    };
    assert!(!stdout(&list).contains("intruso"));
}

#[actix_rt::test]
async fn login_attempts_are_throttled_per_address_before_any_hashing() {
    let server = Server::initialized();
    let mut c = server.client();
    let mut statuses = Vec::new();
    for i in 0..12 {
        let r = c.login(&format!("utente{i}"), "password-qualsiasi").await;
        statuses.push(r.status);
        if r.status == 429 {
            assert!(r
                .body
                .contains("Troppi tentativi di accesso da questo computer"));
        }
    }
    // A burst of 10, then refused (the quota refills one attempt every 6 seconds).
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);

    // The names tried were not users: the audit does not keep what was typed.
    let mut s = server;
    assert!(s.stop());
    let store = sportello::store::Store::open(&s.data).unwrap();
    let entries = store.audit_entries().unwrap();
    // setup and first user, then the 10 failures that got as far as a password check.
    assert_eq!(entries.len(), 12);
    let failed: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "auth.login_failed")
        .collect();
    assert_eq!(failed.len(), 10);
    assert!(failed
        .iter()
        .all(|e| e.subject == "(nome utente sconosciuto)"));
    assert!(entries
        .iter()
        .all(|e| !e.subject.contains("utente1") && !e.details.contains("utente1")));
}

#[actix_rt::test]
async fn logout_after_the_session_expired_just_goes_to_login() {
    let server = Server::initialized();
    let mut c = server.client();
    c.cookies
        .insert("sportello_session".into(), "scaduta".into());
    let out = c.post_form("/logout", &[("csrf", "qualunque")]).await;
    assert_eq!((out.status, out.location()), (303, "/login?avviso=uscito"));
}
