//! The access matrix: every route of the route table × method × {operatore, assistente sociale,
//! responsabile, amministratore, logged out} × {desk, district}, against the allow table below.
//! A route added without a row, or a row whose route is gone, fails the test. Refusals are
//! 401/403 (or a redirect to the login page, or 404 "not here" for the other kind of
//! installation), carry no record data and are audited.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// Who may use each route: on a desk, and on a district. Letters: o operatore, s assistente
/// sociale, r responsabile, a amministratore, - logged out.
type Row = (&'static str, &'static str, &'static str, &'static str);

const ALLOW: &[Row] = &[
    ("GET", "/healthz", "-osra", "-osra"),
    ("GET", "/api/v1/me", "osra", "osra"),
    ("GET", "/api/v1/vocabularies", "osra", "osra"),
    ("GET", "/api/v1/openapi.json", "-osra", "-osra"),
    ("GET", "/assets/{path:.*}", "-osra", "-osra"),
    ("GET", "/setup", "-osra", "-osra"),
    ("POST", "/setup", "-osra", "-osra"),
    ("GET", "/login", "-osra", "-osra"),
    ("POST", "/login", "-osra", "-osra"),
    ("POST", "/logout", "-osra", "-osra"),
    ("GET", "/password", "osra", "osra"),
    ("GET", "/bozza", "osra", "osra"),
    ("POST", "/bozza/scarta", "osra", "osra"),
    ("POST", "/password", "osra", "osra"),
    ("GET", "/", "osra", "osra"),
    ("POST", "/avvisi/{id}/visto", "r", "r"),
    // Desk records: desk roles, on a desk only.
    ("GET", "/persone", "osr", ""),
    ("GET", "/persone/nuova", "osr", ""),
    ("POST", "/persone/nuova", "osr", ""),
    ("GET", "/persone/{id}", "osr", ""),
    ("GET", "/persone/{id}/modifica", "osr", ""),
    ("POST", "/persone/{id}/modifica", "osr", ""),
    // Merging records of one person: the desk's responsabile.
    ("GET", "/persone/{id}/unisci", "r", ""),
    ("GET", "/persone/{id}/unisci/{other}", "r", ""),
    ("POST", "/persone/{id}/unisci/{other}", "r", ""),
    ("POST", "/persone/unioni/{id}/annulla", "r", ""),
    ("POST", "/api/v1/persons/{id}/merge", "r", ""),
    ("POST", "/api/v1/merges/{id}/undo", "r", ""),
    ("GET", "/accessi/nuovo", "osr", ""),
    ("POST", "/accessi/nuovo", "osr", ""),
    ("GET", "/accessi/rapido", "osr", ""),
    ("POST", "/accessi/rapido", "osr", ""),
    ("GET", "/accessi/{id}", "osr", ""),
    ("GET", "/accessi/{id}/note-riservate", "sr", ""),
    ("GET", "/accessi/{id}/promemoria.pdf", "osr", ""),
    ("POST", "/accessi/{id}/servizi", "osr", ""),
    ("POST", "/accessi/{id}/servizi/{service}/rimuovi", "osr", ""),
    ("POST", "/accessi/{id}/non-soddisfatto", "osr", ""),
    ("POST", "/accessi/{id}/reclamo", "osr", ""),
    ("GET", "/accessi/{id}/orientamento.pdf", "osr", ""),
    // Corrections: desk roles at the gate; the author or a responsabile in the use case.
    ("GET", "/accessi/{id}/modifica", "osr", ""),
    ("POST", "/accessi/{id}/modifica", "osr", ""),
    ("GET", "/accessi/{id}/persona", "osr", ""),
    ("POST", "/accessi/{id}/persona", "osr", ""),
    ("POST", "/accessi/{id}/persona/nuova", "osr", ""),
    ("PUT", "/api/v1/accesses/{id}", "osr", ""),
    ("POST", "/api/v1/accesses/{id}/person", "osr", ""),
    // The directory: read at the desk, edited by the responsabile.
    ("GET", "/servizi", "osr", "sr"),
    ("POST", "/servizi/esempio", "r", "r"),
    ("GET", "/servizi/nuovo", "r", "r"),
    ("POST", "/servizi/nuovo", "r", "r"),
    ("GET", "/servizi/enti/nuovo", "r", "r"),
    ("POST", "/servizi/enti/nuovo", "r", "r"),
    ("GET", "/servizi/{id}/modifica", "r", "r"),
    ("POST", "/servizi/{id}/modifica", "r", "r"),
    ("POST", "/servizi/{id}/verificato", "r", "r"),
    ("GET", "/servizi/bisogni-non-soddisfatti", "osr", ""),
    ("GET", "/servizi/{id}", "osr", "sr"),
    ("GET", "/invii", "osr", ""),
    ("GET", "/invii/nuovo", "osr", ""),
    ("POST", "/invii/nuovo", "osr", ""),
    ("GET", "/invii/{id}", "osr", ""),
    ("POST", "/invii/{id}/stato", "osr", ""),
    ("GET", "/invii/{id}/scheda.pdf", "osr", ""),
    ("POST", "/persone/{id}/informativa", "osr", ""),
    ("GET", "/persone/{id}/informativa.pdf", "osr", ""),
    ("POST", "/persone/{id}/consensi", "osr", ""),
    // Privacy duties.
    ("POST", "/persone/{id}/limitazione", "r", "r"),
    ("POST", "/persone/{id}/limitazione/rimuovi", "r", "r"),
    ("GET", "/persone/{id}/rapporto", "sr", ""),
    ("POST", "/persone/{id}/rapporto.pdf", "sr", ""),
    ("GET", "/privacy", "r", "r"),
    ("POST", "/privacy/informativa", "r", "r"),
    ("GET", "/privacy/audit", "r", "r"),
    ("GET", "/privacy/audit.csv", "r", "r"),
    ("GET", "/privacy/audit.jsonl", "r", "r"),
    ("POST", "/privacy/audit/verifica", "r", "r"),
    ("GET", "/privacy/conservazione", "r", "r"),
    ("GET", "/privacy/registro.pdf", "r", "r"),
    ("POST", "/privacy/conservazione/termine", "r", "r"),
    ("POST", "/privacy/conservazione/proposta", "r", "r"),
    ("GET", "/privacy/conservazione/proposta.pdf", "r", "r"),
    ("POST", "/privacy/conservazione/approva", "r", "r"),
    // Bundles: the responsabile and the administrator.
    ("GET", "/scambi", "ra", "ra"),
    ("GET", "/scambi/identita", "ra", "ra"),
    ("POST", "/scambi/esporta", "ra", "ra"),
    ("GET", "/scambi/inviati/{name}", "ra", "ra"),
    ("POST", "/scambi/importa", "ra", "ra"),
    ("POST", "/scambi/registra", "ra", "ra"),
    // The district's inbox: social work roles, at the district only.
    ("GET", "/ambito", "", "sr"),
    ("GET", "/ambito/invii/{id}", "", "sr"),
    ("POST", "/ambito/invii/{id}/stato", "", "sr"),
    ("POST", "/ambito/invii/{id}/scollega", "", "sr"),
    ("GET", "/agenda", "osr", ""),
    ("GET", "/agenda/nuovo", "osr", ""),
    ("POST", "/agenda/nuovo", "osr", ""),
    ("GET", "/agenda/{id}/annulla", "osr", ""),
    ("POST", "/agenda/{id}/annulla", "osr", ""),
    ("POST", "/agenda/{id}/ripristina", "osr", ""),
    ("POST", "/agenda/{id}/esito", "osr", ""),
    ("GET", "/agenda/{id}/sposta", "osr", ""),
    ("POST", "/agenda/{id}/sposta", "osr", ""),
    ("GET", "/agenda/{id}/promemoria.pdf", "osr", ""),
    ("GET", "/statistiche", "r", "r"),
    ("GET", "/statistiche.csv", "r", "r"),
    ("GET", "/statistiche/rapporto.pdf", "r", "r"),
    ("GET", "/statistiche/popolazione", "r", "r"),
    ("POST", "/statistiche/popolazione", "r", "r"),
    // Administration: the administrator alone.
    ("GET", "/amministrazione", "a", "a"),
    ("POST", "/amministrazione/utenti", "a", "a"),
    ("POST", "/amministrazione/contatti", "a", "a"),
    ("POST", "/amministrazione/invii", "a", "a"),
    ("POST", "/amministrazione/backup", "a", "a"),
    ("POST", "/amministrazione/backup/chiave", "a", "a"),
    ("POST", "/amministrazione/backup/ora", "a", "a"),
    ("POST", "/amministrazione/utenti/{id}/ruoli", "a", "a"),
    ("POST", "/amministrazione/utenti/{id}/disabilita", "a", "a"),
    ("POST", "/amministrazione/utenti/{id}/abilita", "a", "a"),
    ("POST", "/amministrazione/utenti/{id}/password", "a", "a"),
    // The API: the same rules as the pages.
    ("POST", "/api/v1/persons", "osr", ""),
    ("GET", "/api/v1/persons", "osr", ""),
    ("GET", "/api/v1/persons/{id}", "osr", ""),
    ("GET", "/api/v1/persons/{id}/accesses", "osr", ""),
    ("GET", "/api/v1/persons/{id}/appointments", "osr", ""),
    ("POST", "/api/v1/accesses", "osr", ""),
    ("GET", "/api/v1/accesses/{id}", "osr", ""),
    ("GET", "/api/v1/accesses/{id}/reserved-notes", "sr", ""),
    ("POST", "/api/v1/appointments", "osr", ""),
    ("GET", "/api/v1/appointments", "osr", ""),
    ("GET", "/api/v1/services", "osr", "sr"),
    ("POST", "/api/v1/services", "r", "r"),
    ("PUT", "/api/v1/services/{id}", "r", "r"),
    ("POST", "/api/v1/referrals", "osr", ""),
    // Referrals sent (desk) or received (district).
    ("GET", "/api/v1/referrals", "osr", "sr"),
    ("POST", "/api/v1/referrals/{id}/status", "osr", "sr"),
    ("GET", "/api/v1/accesses/{id}/orientation.pdf", "osr", ""),
    ("POST", "/api/v1/persons/{id}/privacy-notice", "osr", ""),
    ("GET", "/api/v1/directory.hsds.json", "osr", "sr"),
    ("POST", "/api/v1/directory.hsds.json", "r", "r"),
    ("GET", "/api/v1/accesses/{id}/suggestions", "osr", ""),
    ("POST", "/api/v1/accesses/{id}/services", "osr", ""),
    (
        "DELETE",
        "/api/v1/accesses/{id}/services/{service_id}",
        "osr",
        "",
    ),
    ("POST", "/api/v1/accesses/{id}/unmet-needs", "osr", ""),
    ("POST", "/api/v1/accesses/{id}/complaint", "osr", ""),
    ("GET", "/api/v1/persons/{id}/report.json", "sr", ""),
    ("GET", "/api/v1/persons/{id}/report.pdf", "sr", ""),
    ("GET", "/api/v1/statistics", "r", "r"),
    ("GET", "/api/v1/stats", "r", "r"),
    ("GET", "/api/v1/stats.csv", "r", "r"),
    ("GET", "/api/v1/stats/report.pdf", "r", "r"),
    ("PUT", "/api/v1/persons/{id}", "osr", ""),
    ("POST", "/api/v1/persons/{id}/consents", "osr", ""),
    ("POST", "/api/v1/appointments/{id}/cancel", "osr", ""),
    ("POST", "/api/v1/appointments/{id}/restore", "osr", ""),
    ("POST", "/api/v1/appointments/{id}/outcome", "osr", ""),
    ("POST", "/api/v1/appointments/{id}/move", "osr", ""),
    ("GET", "/api/v1/referrals/{id}", "osr", ""),
    ("GET", "/api/v1/unmet-needs", "osr", ""),
    ("GET", "/api/v1/accesses/{id}/promemoria.pdf", "osr", ""),
    ("GET", "/api/v1/referrals/{id}/letter.pdf", "osr", ""),
    ("GET", "/api/v1/persons/{id}/privacy-notice.pdf", "osr", ""),
    ("GET", "/api/v1/appointments/{id}/reminder.pdf", "osr", ""),
];

const ROLES: [(char, &str); 4] = [
    ('o', "operatore"),
    ('s', "assistente_sociale"),
    ('r', "responsabile"),
    ('a', "amministratore"),
];

/// An id that names no record: an allowed caller gets "not found", a refused one a refusal.
const NO_SUCH_ID: &str = "0190a0b0-0000-7000-8000-000000000001";

fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        let name = &rest[start + 1..end - 1];
        out.push_str(match name {
            "path:.*" => "sportello.css",
            "name" => "pacchetto.sportello",
            _ => NO_SUCH_ID,
        });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn init(data: &Path, role: &str) {
    let out = cli(
        data,
        &[
            "init",
            "--role",
            role,
            "--comune-istat",
            "072046",
            "--ambito-code",
            "BA05",
            "--ambito-name",
            "Ambito territoriale di Triggiano",
            "--admin",
            ADMIN,
        ],
        &[("SPORTELLO_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for (_, role) in ROLES {
        let username = format!("m_{role}");
        let out = cli(
            data,
            &[
                "user",
                "add",
                "--username",
                &username,
                "--full-name",
                &username,
                "--role",
                role,
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

/// Whether the response refuses the caller (rather than answering, even "not found").
fn refused(r: &Resp) -> bool {
    match r.status {
        403 => true,
        401 => r.body.starts_with('{'),
        300..=399 => r.location() == "/login",
        404 => {
            r.body.contains("Pagina non disponibile qui") || r.body.contains("\"not_available\"")
        }
        _ => false,
    }
}

/// Walks every route as every kind of caller on one installation; returns the mismatches.
async fn walk(mode: &str, column: fn(&Row) -> &'static str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join(mode);
    init(&data, mode);
    let server = Server::on(&data);
    let table = sportello::web::route_table();
    let rows: BTreeMap<(&str, &str), &Row> =
        ALLOW.iter().map(|row| ((row.0, row.1), row)).collect();
    let mut problems = Vec::new();
    for route in &table {
        if !rows.contains_key(&(route.method.as_str(), route.path)) {
            problems.push(format!("{} {}: no row in ALLOW", route.method, route.path));
        }
    }
    for row in ALLOW {
        if !table
            .iter()
            .any(|r| r.method.as_str() == row.0 && r.path == row.1)
        {
            problems.push(format!("{} {}: row for a route that is gone", row.0, row.1));
        }
    }
    // Every API route is in the OpenAPI document, with its method.
    let openapi = server.client().get("/api/v1/openapi.json").await.json();
    for route in table.iter().filter(|r| r.path.starts_with("/api/v1/")) {
        if route.path == "/api/v1/openapi.json" {
            continue;
        }
        let method = route.method.as_str().to_lowercase();
        let op = &openapi["paths"][route.path][&method];
        if op.is_null() {
            problems.push(format!(
                "{} {}: not in the OpenAPI document",
                route.method, route.path
            ));
        }
        // A parameter documented "in path" is one the path has.
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default();
            if p["in"] == "path" && !route.path.contains(&format!("{{{name}}}")) {
                problems.push(format!(
                    "{} {}: parameter {name} documented in the path",
                    route.method, route.path
                ));
            }
        }
    }
    let mut callers: Vec<(char, Client)> = Vec::new();
    for (letter, role) in ROLES {
        callers.push((letter, server.logged_in(&format!("m_{role}")).await));
    }
    callers.push(('-', server.client()));
    let mut auditor = server.logged_in("m_responsabile").await;
    let mut refusals = 0;
    for (letter, client) in callers.iter_mut() {
        // A token for forms: the session's for users, the login form's for visitors.
        let form_page = if *letter == '-' {
            "/login"
        } else {
            "/password"
        };
        let csrf = client.get(form_page).await.csrf();
        // Logging out last keeps the session for the other routes.
        let mut ordered: Vec<_> = table.iter().collect();
        ordered.sort_by_key(|r| r.path == "/logout");
        for route in ordered {
            let path = concrete(route.path);
            let method = route.method.as_str();
            // `da_solo`: the only responsabile confirms approving her own discard proposal.
            let form = format!("csrf={csrf}&da_solo=si");
            let resp = if method == "GET" {
                client.get(&path).await
            } else if route.path.starts_with("/api/") {
                client
                    .request(
                        method,
                        &path,
                        &[("X-CSRF-Token", &csrf)],
                        Some(("application/json", b"{}")),
                    )
                    .await
            } else {
                client
                    .request(
                        method,
                        &path,
                        &[],
                        Some(("application/x-www-form-urlencoded", form.as_bytes())),
                    )
                    .await
            };
            let allowed = rows
                .get(&(method, route.path))
                .is_some_and(|row| column(row).contains(*letter));
            if resp.status >= 500 {
                problems.push(format!(
                    "{mode} {letter} {method} {}: {} {}",
                    route.path,
                    resp.status,
                    resp.body.chars().take(200).collect::<String>()
                ));
                continue;
            }
            let was_refused = refused(&resp);
            if was_refused == allowed {
                problems.push(format!(
                    "{mode} {letter} {method} {}: expected {}, got {} {}",
                    route.path,
                    if allowed { "allowed" } else { "refused" },
                    resp.status,
                    resp.body.chars().take(120).collect::<String>()
                ));
            }
            if was_refused && *letter != '-' && resp.status != 303 {
                refusals += 1;
                assert!(
                    !resp.body.contains(NO_SUCH_ID),
                    "{method} {}: a refusal repeats the record id",
                    route.path
                );
            }
        }
    }
    // Every refusal of a logged-in user left an audit entry.
    let csv = auditor
        .get("/privacy/audit.csv?azione=access.denied")
        .await
        .body;
    let audited = csv.lines().count().saturating_sub(1);
    if audited < refusals {
        problems.push(format!(
            "{mode}: {refusals} refusals but {audited} access.denied entries"
        ));
    }
    problems
}

#[actix_rt::test]
async fn every_route_answers_each_role_as_the_allow_table_says() {
    let mut problems = walk("desk", |row: &Row| row.2).await;
    problems.extend(walk("district", |row: &Row| row.3).await);
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
