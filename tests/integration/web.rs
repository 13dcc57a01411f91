//! Cross-cutting web behaviour: security headers, error pages, API errors, OpenAPI, assets.

use crate::common::*;

#[actix_rt::test]
async fn headers_errors_openapi_and_assets() {
    let server = Server::initialized();
    let mut c = server.client();

    let login = c.get("/login").await;
    let csp = login.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(login.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(login.header("referrer-policy"), Some("no-referrer"));
    assert!(login.header("permissions-policy").is_some());
    assert!(login.body.contains("<html lang=\"it\">"));
    assert!(!login.body.contains("style=\""), "no inline styles");
    assert!(!login.body.contains("<script"), "no scripts");
    let cookie = login.header("set-cookie").unwrap().to_lowercase();
    assert!(cookie.contains("httponly") && cookie.contains("samesite=strict"));

    c.login(ADMIN, ADMIN_PASSWORD).await;
    let admin = c.get("/amministrazione").await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.header("cache-control"), Some("no-store"));
    assert!(!admin.body.contains("style=\""));
    // Security events name who, not the username (review of issue 16).
    let events = &admin.body[admin.body.find("id=\"h-events\"").unwrap()..];
    assert!(
        events.contains("<td>Anna Amministratrice (amministratore)</td>"),
        "{events}"
    );
    assert!(!events.contains(&format!("<td>{ADMIN}</td>")), "{events}");

    let missing = c.get("/non-esiste").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Pagina non trovata"));
    // Under the comune's name, as every page (review of issue 16: it said "Sportello").
    assert!(
        missing
            .body
            .contains("<div class=\"it-brand-title\">Comune di Triggiano</div>"),
        "{}",
        missing.body
    );
    let bad_id = c.get("/amministrazione/utenti/non-un-id/ruoli").await;
    assert_eq!(bad_id.status, 404);
    let api_missing = c.get("/api/v1/non-esiste").await;
    assert_eq!(api_missing.status, 404);
    assert_eq!(api_missing.json()["error"]["code"], "not_found");

    let doc = c.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    assert!(doc["paths"]["/healthz"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let css = c.get("/assets/css/bootstrap-italia.min.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("max-age"));
    let etag = css.header("etag").unwrap().to_string();
    let again = c
        .get_with(
            "/assets/css/bootstrap-italia.min.css",
            &[("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(again.status, 304);
    let font = c
        .get("/assets/fonts/titillium-web/titillium-web-v10-latin-ext_latin-regular.woff2")
        .await;
    assert_eq!(font.status, 200);
    assert_eq!(c.get("/assets/../Cargo.toml").await.status, 404);
    assert_eq!(c.get("/assets/data/README.md").await.status, 404);
}

#[actix_rt::test]
async fn errors_made_by_the_framework_are_italian_and_carry_the_security_headers() {
    let server = Server::initialized();
    let mut c = server.client();
    // Wrong method on a path that only takes POST: an Italian "not found" with every header.
    let wrong = c.get("/logout").await;
    assert_eq!(wrong.status, 404);
    assert!(wrong.body.contains("Pagina non trovata"), "{}", wrong.body);
    assert!(wrong.header("content-security-policy").is_some());
    // A refused form still carries every security header.
    let refused = c.post_form("/login", &[("username", "admin")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.header("content-security-policy").is_some());
    assert_eq!(refused.header("x-frame-options"), Some("DENY"));
    assert_eq!(refused.header("cache-control"), Some("no-store"));
    // An oversized form body is refused in Italian, not in English plain text.
    let page = c.get("/login").await;
    let csrf = page.csrf();
    let huge = "x".repeat(300 * 1024);
    let big = c
        .post_form(
            "/login",
            &[("csrf", &csrf), ("username", &huge), ("password", "x")],
        )
        .await;
    assert_eq!(big.status, 413);
    assert!(big.body.contains("troppo grandi"), "{}", big.body);
}

#[actix_rt::test]
async fn hostile_input_gets_answers_not_crashes() {
    let server = Server::with_users(&[("operatore1", "operatore")]);
    let mut c = server.logged_in("operatore1").await;
    // A very long search (would cost gigabytes of typo variants uncapped).
    let long = "abcdefghij".repeat(2000);
    let r = c.get(&format!("/persone?q={long}")).await;
    assert_eq!(r.status, 200);
    // Far-off dates would overflow date arithmetic.
    for url in [
        "/agenda?giorno=%2B262142-12-31",
        "/agenda?giorno=262142-12-31&vista=settimana",
        "/agenda?giorno=31%2F12%2F99999",
    ] {
        assert_eq!(c.get(url).await.status, 200, "{url}");
    }
    let mut s = server;
    assert!(s.stop(), "the server is still alive and stops cleanly");
}

/// The error summary of every form that comes back with errors: it takes the focus, counts the
/// problems, and each of its links leads to the message next to its field on the same page.
fn assert_summary_leads_to_fields(body: &str, what: &str) {
    let start = body
        .find("id=\"riepilogo-errori\"")
        .unwrap_or_else(|| panic!("{what}: no error summary in {body}"));
    let summary = &body[start..start + body[start..].find("</div>").unwrap()];
    assert!(
        summary.contains("autofocus"),
        "{what}: the summary takes the focus"
    );
    let links: Vec<&str> = summary
        .split("href=\"#")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert!(!links.is_empty(), "{what}: the summary links to its fields");
    for id in links {
        assert!(
            body.contains(&format!("id=\"{id}\"")),
            "{what}: the summary links to #{id}, which is not on the page"
        );
    }
}

#[actix_rt::test]
async fn every_form_with_errors_leads_to_its_fields() {
    let server = Server::with_users(&[("operatore1", "operatore")]);
    let mut c = server.logged_in("operatore1").await;
    // The quick contact without an area: the message sits under the area, which is marked.
    let quick = c
        .submit(
            "/accessi/rapido",
            "/accessi/rapido",
            &[("need_area", ""), ("duration_minutes", "tanto")],
        )
        .await;
    assert_eq!(quick.status, 422, "{}", quick.body);
    assert_summary_leads_to_fields(&quick.body, "contatto rapido");
    let area = &quick.body[quick.body.find("id=\"f-need_area\"").unwrap()..];
    let area_end = area.find("</select>").unwrap();
    assert!(area[..area_end].contains("aria-invalid=\"true\""));
    let after_area = &area[area_end..];
    let next_label = after_area.find("<label").unwrap();
    assert!(
        after_area[..next_label].contains("id=\"f-needs-error\""),
        "the need's message is right under the area, not under another field"
    );

    let full = c
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "anonymous"),
                ("date", "31/02/2026"),
                ("time", "25:00"),
            ],
        )
        .await;
    assert_eq!(full.status, 422);
    assert!(full.body.contains("Il 31/02/2026 non esiste."));
    assert!(full.body.contains("Ora non valida (00:00–23:59)."));
    assert_summary_leads_to_fields(&full.body, "nuovo accesso");

    let mut admin = server.client();
    admin.login(ADMIN, ADMIN_PASSWORD).await;
    let user = admin
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "x y"),
                ("full_name", ""),
                ("password", "corta"),
            ],
        )
        .await;
    assert_eq!(user.status, 422, "{}", user.body);
    assert_summary_leads_to_fields(&user.body, "nuovo utente");
}
