//! The command line: init without a browser, one owner of the database, tokens, audit, shutdown.

use std::time::{Duration, Instant};

use crate::common::*;

#[actix_rt::test]
async fn init_then_serve_reaches_the_same_state_without_a_browser() {
    let mut server = Server::initialized();
    let mut c = server.client();
    let health = c.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(health.json()["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(c.get("/").await.location(), "/login");
    assert_eq!(c.get("/setup").await.location(), "/");
    assert_eq!(c.login(ADMIN, ADMIN_PASSWORD).await.location(), "/");

    // While the server runs, a command on the same data dir stops at once, clearly.
    let started = Instant::now();
    let busy = cli(&server.data, &["user", "list"], &[]);
    assert!(!busy.status.success());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        stderr(&busy).contains("già aperto da un altro processo Sportello"),
        "{}",
        stderr(&busy)
    );
    // ...and the server is unharmed.
    assert_eq!(c.get("/").await.status, 200);

    // SIGTERM stops it cleanly; the database opens again at once.
    assert!(server.stop(), "clean exit on SIGTERM");
    let list = cli(&server.data, &["user", "list"], &[]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(stdout(&list).contains("admin\tAnna Amministratrice\tamministratore\tattivo"));

    // init twice is refused.
    let again = init_desk(&server.data);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("già configurata"));
}

#[test]
fn init_and_user_commands_validate_their_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    // Users belong to an installation: none before `init`.
    let early = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "presto",
            "--full-name",
            "Troppo Presto",
            "--role",
            "operatore",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(!early.status.success());
    assert!(
        stderr(&early).contains("non è ancora configurata"),
        "{}",
        stderr(&early)
    );
    let bad = cli(
        &data,
        &[
            "init",
            "--role",
            "comune",
            "--comune-istat",
            "12",
            "--ambito-code",
            "BA05",
            "--ambito-name",
            "X",
            "--admin",
            "admin",
        ],
        &[("SPORTELLO_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("6 cifre"));
    assert!(stderr(&bad).contains("sportello comunale"));

    // No password in the environment and no terminal: a clear message, not a hang.
    let no_pw = cli(
        &data,
        &[
            "init",
            "--role",
            "desk",
            "--comune-istat",
            "072046",
            "--ambito-code",
            "BA05",
            "--ambito-name",
            "X",
            "--admin",
            "admin",
        ],
        &[],
    );
    assert!(!no_pw.status.success());
    assert!(
        stderr(&no_pw).contains("SPORTELLO_ADMIN_PASSWORD"),
        "{}",
        stderr(&no_pw)
    );

    assert!(init_desk(&data).status.success());
    let short = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "ope",
            "--full-name",
            "Ope Ratore",
            "--role",
            "operatore",
        ],
        &[("SPORTELLO_PASSWORD", "corta")],
    );
    assert!(!short.status.success());
    assert!(stderr(&short).contains("almeno 12 caratteri"));
    let role = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "ope",
            "--full-name",
            "Ope Ratore",
            "--role",
            "capo",
        ],
        &[("SPORTELLO_PASSWORD", "password-lunga-op")],
    );
    assert!(stderr(&role).contains("Ruolo sconosciuto «capo»"));
    let ok = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "ope",
            "--full-name",
            "Ope Ratore",
            "--role",
            "operatore",
            "--role",
            "responsabile",
            "--temporary",
        ],
        &[("SPORTELLO_PASSWORD", "password-lunga-op")],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let list = stdout(&cli(&data, &["user", "list"], &[]));
    assert!(
        list.contains("ope\tOpe Ratore\toperatore,responsabile\tpassword temporanea"),
        "{list}"
    );
    let dis = cli(&data, &["user", "disable", "ope"], &[]);
    assert!(dis.status.success());
    assert!(stdout(&cli(&data, &["user", "list"], &[])).contains("\tdisabilitato"));
    let pw = cli(
        &data,
        &["user", "passwd", "admin"],
        &[("SPORTELLO_PASSWORD", "un'altra password lunga")],
    );
    assert!(pw.status.success(), "{}", stderr(&pw));
    assert!(!cli(&data, &["user", "disable", "nessuno"], &[])
        .status
        .success());
}

#[actix_rt::test]
async fn api_tokens_authenticate_and_can_be_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    let created = cli(
        &data,
        &["token", "create", "--username", "admin", "--label", "test"],
        &[],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let out = stdout(&created);
    let token = out.lines().last().unwrap().to_string();
    assert!(token.starts_with("spt_") && token.len() > 40, "{token}");
    let listed = stdout(&cli(&data, &["token", "list", "--username", "admin"], &[]));
    let token_id = listed.split('\t').next().unwrap().to_string();
    assert!(!listed.contains(&token), "secrets are never listed");

    let mut server = Server::on(&data);
    let mut c = server.client();
    let anon = c.get("/api/v1/me").await;
    assert_eq!(anon.status, 401);
    assert_eq!(anon.json()["error"]["code"], "unauthorized");
    assert!(anon.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Autenticazione"));
    let bad = c
        .get_with("/api/v1/me", &[("Authorization", "Bearer spt_falso")])
        .await;
    assert_eq!(bad.status, 401);
    let auth = format!("Bearer {token}");
    let me = c.get_with("/api/v1/me", &[("Authorization", &auth)]).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["username"], "admin");
    assert_eq!(me["roles"][0], "amministratore");
    assert_eq!(me["instance"]["comune"]["istat"], "072046");
    assert_eq!(me["instance"]["comune"]["name"], "Triggiano");
    assert_eq!(me["instance"]["role"], "desk");

    // A bearer call needs no CSRF token; a cookie call does.
    let unknown = c
        .post_json(
            "/api/v1/nulla",
            &[("Authorization", &auth)],
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["code"], "not_found");
    c.login(ADMIN, ADMIN_PASSWORD).await;
    let cookie_me = c.get("/api/v1/me").await;
    assert_eq!(cookie_me.status, 200);
    let no_csrf = c
        .post_json("/api/v1/nulla", &[], &serde_json::json!({}))
        .await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"]["code"], "csrf");

    assert!(server.stop());
    let revoked = cli(&data, &["token", "revoke", &token_id], &[]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let server = Server::on(&data);
    let mut c = server.client();
    let after = c.get_with("/api/v1/me", &[("Authorization", &auth)]).await;
    assert_eq!(after.status, 401);
}

#[actix_rt::test]
async fn the_audit_chain_records_logins_and_user_changes_and_verifies() {
    let mut server = Server::initialized();
    let mut c = server.client();
    c.login(ADMIN, "password-sbagliata").await;
    c.login(ADMIN, ADMIN_PASSWORD).await;
    let created = c
        .submit(
            "/amministrazione",
            "/amministrazione/utenti",
            &[
                ("username", "lverdi"),
                ("full_name", "Lucia Verdi"),
                ("password", "password-temporanea-7"),
                ("roles", "responsabile"),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let home = c.get("/").await;
    c.post_form("/logout", &[("csrf", &home.csrf())]).await;
    assert!(server.stop());

    let verify = cli(&server.data, &["audit", "verify"], &[]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    // setup + admin created (init), failed login, login, user created, logout.
    assert!(
        stdout(&verify).contains("integro: 6 voci"),
        "{}",
        stdout(&verify)
    );
}

#[actix_rt::test]
async fn demo_fills_a_fresh_data_dir_and_refuses_a_used_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = cli(&data, &["demo"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Dati di esempio (fittizi)"));
    assert!(text.contains("320 persone"));
    assert!(text.contains("demo-operatore-2026"));
    let again = cli(&data, &["demo"], &[]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("contiene già un'installazione"));

    let server = Server::on(&data);
    let mut c = server.client();
    assert_eq!(
        c.login("operatore", "demo-operatore-2026").await.location(),
        "/"
    );
    let search = c.get("/persone?q=rossi").await;
    assert!(
        search.body.contains("risultati per «rossi»"),
        "{}",
        search.body
    );
    let week = c.get("/agenda?vista=settimana").await;
    assert_eq!(week.status, 200);

    // The art. 15 report of a demo person, reviewed then given: Italian sentences with names
    // and roles, the art. 15.1 sections, no action code, no username alone.
    let person_id = search
        .body
        .match_indices("href=\"/persone/")
        .filter_map(|(i, m)| search.body.get(i + m.len()..i + m.len() + 36))
        .find(|id| uuid::Uuid::parse_str(id).is_ok())
        .expect("a person in the results")
        .to_string();
    let mut sw = server.client();
    assert_eq!(
        sw.login("assistente", "demo-assistente-2026")
            .await
            .location(),
        "/"
    );
    // The operatore reads the person, so that the report names him.
    c.get(&format!("/persone/{person_id}")).await;
    let review_path = format!("/persone/{person_id}/rapporto");
    let review = sw.get(&review_path).await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(review.body.contains("Che cosa contiene"), "{}", review.body);
    assert!(review
        .body
        .contains("Ottavio Operatore (operatore) ha consultato la scheda della persona"));
    // She was first among the results of his search: said so, not as her file consulted.
    assert!(review.body.contains(
        "Ottavio Operatore (operatore) ha visto la persona tra i risultati di una ricerca"
    ));
    let (status, pdf) = sw
        .submit_bytes(
            &review_path,
            &format!("/persone/{person_id}/rapporto.pdf"),
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    if let Some(text) = pdf_text(&pdf) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needed in [
            "Ottavio Operatore (operatore) ha consultato la scheda della persona",
            "Finalità e basi giuridiche",
            "Destinatari",
            "Periodo di conservazione",
            "Diritti",
            "Garante per la protezione dei dati personali",
        ] {
            assert!(flat.contains(needed), "«{needed}» missing: {flat}");
        }
        for a in sportello::domain::audit::Action::ALL {
            assert!(
                !flat.contains(a.code()),
                "action code {} in the report",
                a.code()
            );
        }
        for username in ["operatore", "assistente", "responsabile", "admin"] {
            for shape in [
                format!("– {username} –"),
                format!("({username})"),
                format!(" {username} ha "),
            ] {
                if matches!(username, "operatore" | "responsabile")
                    && shape == format!("({username})")
                {
                    continue; // the role, after a name
                }
                assert!(!flat.contains(&shape), "username alone: {shape}");
            }
        }
    }
    let json = sw
        .get_with(&format!("/api/v1/persons/{person_id}/report.json"), &[])
        .await;
    assert_eq!(json.status, 200, "{}", json.body);
    for line in json.json()["audit"].as_array().unwrap() {
        let by = line["by"].as_str().unwrap();
        assert!(by.contains(" (") || by.starts_with("Il programma"), "{by}");
    }
    let verify = {
        let mut s = server;
        assert!(s.stop());
        cli(&data, &["audit", "verify"], &[])
    };
    assert!(verify.status.success());
    // Fictional, but never in the future: statistics of the month in course stay true.
    let store = sportello::store::Store::open(&data).unwrap();
    let now = chrono::Utc::now();
    let later = store
        .accesses_between(now, now + chrono::Duration::days(400))
        .unwrap();
    assert!(later.is_empty(), "{} accesses after now", later.len());
    // Gaps and complaints to look at, and the month in course not crowded into its first days.
    let year = store
        .accesses_between(now - chrono::Duration::days(400), now)
        .unwrap();
    assert!(year.iter().filter(|a| !a.unmet.is_empty()).count() >= 20);
    assert!(year
        .iter()
        .any(|a| a.needs.iter().any(|n| n.category == "complaint")));
    let today = chrono::Local::now().date_naive();
    let on_today = year
        .iter()
        .filter(|a| a.time.with_timezone(&chrono::Local).date_naive() == today)
        .count();
    assert!(on_today <= 40, "{on_today} accesses today");
    // Review of issue 16: no visitor yet today, appointments on 8 December, notices handed over
    // by "a user no longer registered".
    use chrono::{Datelike, Timelike};
    let local = chrono::Local::now();
    let working = !matches!(local.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)
        && sportello::domain::appointment::holiday(today).is_none();
    if working && (local.hour(), local.minute()) >= (9, 6) {
        assert!(on_today >= 1, "a working day with no visitor so far");
    }
    let booked = store
        .appointments_between(now, now + chrono::Duration::days(60))
        .unwrap();
    assert!(!booked.is_empty());
    for a in &booked {
        let day = a.start.with_timezone(&chrono::Local).date_naive();
        assert!(
            sportello::domain::appointment::holiday(day).is_none(),
            "an appointment on a public holiday, {day}"
        );
    }
    let users: Vec<String> = store
        .users()
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    let ids: Vec<uuid::Uuid> = year.iter().filter_map(|a| a.person_id).collect();
    let persons = store.persons_by_ids(&ids).unwrap();
    let notices: Vec<_> = persons
        .iter()
        .filter_map(|p| p.privacy_notice.as_ref())
        .collect();
    assert!(!notices.is_empty());
    assert!(
        notices.iter().all(|n| users.contains(&n.recorded_by)),
        "notices recorded by someone who is not a user"
    );
    // Referrals in every state, some to the Ambito accepted by the district, none in the future.
    use sportello::domain::referral::{ReferralStatus, Target};
    let referrals = store.referrals().unwrap();
    for status in ReferralStatus::ALL {
        assert!(
            referrals.iter().any(|r| r.status == status),
            "no demo referral {status:?}"
        );
    }
    let by_district = |r: &&sportello::domain::referral::Referral| {
        r.target == Target::Ssp
            && r.history.iter().any(|h| {
                h.status == ReferralStatus::Accettato
                    && h.by.ends_with(sportello::domain::user::DISTRICT_SUFFIX)
            })
    };
    let accepted = referrals
        .iter()
        .find(by_district)
        .expect("one accepted by the district");
    assert!(referrals
        .iter()
        .any(|r| matches!(r.target, Target::Service(_))));
    assert!(referrals
        .iter()
        .all(|r| r.history.iter().all(|h| h.at <= now) && !r.history.is_empty()));
    let accepted_id = accepted.id;
    drop(store);
    let server = Server::on(&data);
    let mut c = server.client();
    c.login("operatore", "demo-operatore-2026").await;
    let page = c.get(&format!("/invii/{accepted_id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Il Servizio sociale professionale dell&#39;Ambito")
            || page
                .body
                .contains("Il Servizio sociale professionale dell'Ambito"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("coordinatrice"), "{}", page.body);
    let list = c.get("/invii").await;
    assert_eq!(list.status, 200);
}

#[actix_rt::test]
async fn bench_data_builds_a_desk_and_a_district_whose_statistics_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let desk = dir.path().join("desk");
    let out = cli(
        &desk,
        &["bench-data", "--persons", "400", "--accesses", "3000"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Sportello: 400 persone, 3000 accessi in 60 mesi"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("demo-responsabile-2026"));
    let again = cli(&desk, &["bench-data"], &[]);
    assert!(stderr(&again).contains("contiene già un'installazione"));
    let rebuilt = cli(&desk, &["stats", "rebuild"], &[]);
    assert!(
        stdout(&rebuilt).contains("ricontate da 3000 accessi"),
        "{}",
        stdout(&rebuilt)
    );
    assert!(stdout(&rebuilt).contains("Nessuna differenza"));

    let district = dir.path().join("district");
    let out = cli(
        &district,
        &[
            "bench-data",
            "--district",
            "--desks",
            "3",
            "--accesses",
            "4000",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Ambito: 4000 record statistici di 3 sportelli in 60 mesi"),
        "{}",
        stdout(&out)
    );
    let server = Server::on(&district);
    let mut c = server.client();
    assert_eq!(
        c.login("responsabile", "demo-responsabile-2026")
            .await
            .location(),
        "/"
    );
    // The three desks' views add up to the Ambito's.
    let year = chrono::Local::now().format("%Y").to_string();
    let whole = c
        .get(&format!("/api/v1/statistics?year={year}"))
        .await
        .json();
    let mut sum = 0;
    for code in ["072046", "072014", "072048"] {
        let one = c
            .get(&format!("/api/v1/statistics?year={year}&desk={code}"))
            .await
            .json();
        sum += one["accesses"].as_u64().unwrap();
    }
    assert!(sum > 0);
    assert_eq!(whole["accesses"].as_u64().unwrap(), sum);
}

#[test]
fn an_exported_audit_copy_reveals_a_modified_removed_or_reordered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    for u in ["uno", "due", "tre"] {
        let out = cli(
            &data,
            &[
                "user",
                "add",
                "--username",
                &format!("utente.{u}"),
                "--full-name",
                u,
                "--role",
                "operatore",
            ],
            &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
        );
        assert!(out.status.success());
    }
    let copy = dir.path().join("audit.jsonl");
    let out = cli(
        &data,
        &["audit", "export", "--out", copy.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let noted = stdout(&out)
        .split("ultimo hash ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .unwrap()
        .to_string();
    let verify = |lines: &[String]| {
        let f = dir.path().join("tampered.jsonl");
        std::fs::write(&f, lines.join("\n")).unwrap();
        cli(
            &data,
            &[
                "audit",
                "verify",
                "--file",
                f.to_str().unwrap(),
                "--head",
                &noted,
            ],
            &[],
        )
    };
    let lines: Vec<String> = std::fs::read_to_string(&copy)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 5, "setup, admin, three users");
    assert!(verify(&lines).status.success());

    let mut modified = lines.clone();
    modified[2] = modified[2].replace("utente.uno", "utente.zzz");
    let out = verify(&modified);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("voce 3"), "{}", stderr(&out));

    let mut removed = lines.clone();
    removed.remove(1);
    assert!(stderr(&verify(&removed)).contains("voce 3"));

    let mut reordered = lines.clone();
    reordered.swap(2, 3);
    assert!(!verify(&reordered).status.success());
}
