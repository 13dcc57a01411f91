//! Never losing typed work: a full access posted after the session expired is kept for the
//! user who typed it, and saved after the password is asked again.

use crate::common::*;

/// The hidden fields of the form posted to `action` on the page.
fn hidden_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form to {action}: {body}"));
    let form = &body[start..start + body[start..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|s| {
            let attr = |name: &str| {
                let m = format!("{name}=\"");
                let at = s.find(&m).unwrap() + m.len();
                s[at..at + s[at..].find('"').unwrap()]
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&")
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

#[actix_rt::test]
async fn a_full_access_posted_after_the_session_expired_is_saved_after_login() {
    let mut first = Server::with_users(&[("operatore1", "operatore"), ("operatore2", "operatore")]);
    let mut c = first.logged_in("operatore1").await;
    let form = c.get("/accessi/nuovo").await;
    let old_token = form.csrf();
    // Thirty minutes of interview without touching the keyboard.
    assert!(first.stop());
    expire_sessions(&first.data);
    let mut server = Server::on(&first.data);
    let mut c2 = server.client();
    c2.cookies = c.cookies.clone();
    let typed = [
        ("csrf", old_token.as_str()),
        ("person_mode", "new"),
        ("codice_fiscale", "VRDGPP70A01F205V"),
        ("surname", "Verdi"),
        ("given_names", "Giuseppe"),
        ("channel", "in_person"),
        ("interlocutor", "user"),
        ("reason", "spontaneous"),
        ("need_area", "elderly"),
        ("need_category", "home_care"),
        (
            "need_description",
            "Assistenza domiciliare per la madre, «non autosufficiente»",
        ),
        ("outcome", "information_given"),
        (
            "notes",
            "Colloquio di trenta minuti: vive solo, figlia a Milano & nipote vicino.",
        ),
    ];
    let late = c2.post_form("/accessi/nuovo", &typed).await;
    assert_eq!(late.status, 401, "{}", late.body);
    assert!(late.body.contains("Sessione scaduta"), "{}", late.body);
    assert!(late.body.contains("«Nuovo accesso»"));
    assert!(
        late.body.contains("value=\"operatore1\""),
        "asks this user's password again"
    );
    assert!(c2.cookies.contains_key("sportello_bozza"));
    assert!(!c2
        .get("/persone?q=verdi")
        .await
        .body
        .contains("VERDI Giuseppe"));

    // Someone else logging in on this browser does not get it.
    let other = c2.login("operatore2", USER_PASSWORD).await;
    assert_eq!(other.location(), "/");
    assert!(c2
        .get("/bozza")
        .await
        .body
        .contains("Nessun modulo da riprendere"));
    c2.submit("/", "/logout", &[]).await;

    // The one who typed it logs in again and finds it filled, ready to send.
    let back = c2.login("operatore1", USER_PASSWORD).await;
    assert_eq!(back.location(), "/bozza", "{}", back.body);
    let page = c2.get("/bozza").await;
    assert!(page.body.contains("«Nuovo accesso»"), "{}", page.body);
    let fields = hidden_fields(&page.body, "/accessi/nuovo");
    assert!(fields
        .iter()
        .any(|(k, v)| k == "notes" && v.contains("figlia a Milano & nipote")));
    let tokens: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        tokens,
        [page.csrf()],
        "only this session's token, not the old one"
    );
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = c2.post_form("/accessi/nuovo", &refs).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let access = c2.get(saved.location()).await;
    assert!(access.body.contains("VERDI Giuseppe"), "{}", access.body);
    assert!(access.body.contains("figlia a Milano &amp; nipote vicino"));
    // Sent: the draft is gone.
    assert!(c2
        .get("/bozza")
        .await
        .body
        .contains("Nessun modulo da riprendere"));

    // A stale page while still logged in: kept and handed back at once.
    let stale = c2
        .post_form(
            "/accessi/rapido",
            &[
                ("csrf", "vecchio"),
                ("need_area", "poverty"),
                ("need_description", "Orari"),
            ],
        )
        .await;
    assert_eq!(stale.status, 303, "{}", stale.body);
    assert_eq!(stale.location(), "/bozza");
    let page = c2.get("/bozza").await;
    assert!(page.body.contains("«Contatto telefonico rapido»"));
    let discarded = c2.submit("/bozza", "/bozza/scarta", &[]).await;
    assert_eq!(discarded.status, 303);
    assert!(c2
        .get("/bozza")
        .await
        .body
        .contains("Nessun modulo da riprendere"));

    // Forms that are not records (settings, users) are refused as before, not kept.
    let mut anon = server.client();
    let refused = anon
        .post_form(
            "/amministrazione/utenti",
            &[("csrf", "x"), ("username", "y")],
        )
        .await;
    assert_eq!(refused.status, 403);
    // Nor are actions: a stale merge, cancellation or outcome is refused, never replayed later.
    let id = uuid::Uuid::now_v7();
    for action in [
        format!("/agenda/{id}/annulla"),
        format!("/agenda/{id}/esito"),
        format!("/persone/{id}/unisci/{id}"),
        format!("/persone/unioni/{id}/annulla"),
    ] {
        let stale = c2
            .post_form(&action, &[("csrf", "vecchio"), ("reason", "x")])
            .await;
        assert_eq!(stale.status, 403, "{action}: {}", stale.body);
    }
    // A form sent by another site's page is refused even with this session's token.
    let token = c2.get("/accessi/rapido").await.csrf();
    let body = format!("csrf={token}&need_area=poverty&need_category=information&interlocutor=user&outcome=information_given");
    let cross = c2
        .request(
            "POST",
            "/accessi/rapido",
            &[("Origin", "http://evil.example")],
            Some(("application/x-www-form-urlencoded", body.as_bytes())),
        )
        .await;
    assert_eq!(cross.status, 403, "{}", cross.body);
    assert!(!cross.location().contains("bozza"));
    let other_port = c2
        .request(
            "POST",
            "/accessi/rapido",
            &[("Sec-Fetch-Site", "same-site")],
            Some(("application/x-www-form-urlencoded", body.as_bytes())),
        )
        .await;
    assert_eq!(
        other_port.status, 403,
        "another port of this host is another site"
    );
    let own = format!("http://{}", server.base.trim_start_matches("http://"));
    let same = c2
        .request(
            "POST",
            "/accessi/rapido",
            &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")],
            Some(("application/x-www-form-urlencoded", body.as_bytes())),
        )
        .await;
    assert_eq!(
        same.status, 303,
        "the page's own origin passes: {}",
        same.body
    );
    assert!(server.stop());
}

/// Used by the browser test (tests/browser/run.sh): expires the sessions of the stopped server
/// whose data directory is `SPORTELLO_EXPIRE_DIR`, as if its users had left their pages open.
#[test]
#[ignore = "run by tests/browser/run.sh"]
fn expire_the_sessions_of_a_stopped_server() {
    let dir = std::env::var("SPORTELLO_EXPIRE_DIR").expect("SPORTELLO_EXPIRE_DIR");
    expire_sessions(std::path::Path::new(&dir));
}
