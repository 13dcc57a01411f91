//! Statistics: the desk's own counts, and the district's over the records of every desk, equal
//! for the same accesses; only the head of the service sees them; CSV for spreadsheets.

use crate::bundles::{desk_records_a_referral, enrol, pair};
use crate::common::*;

fn add_user(data: &std::path::Path, username: &str, role: &str) {
    let out = cli(
        data,
        &[
            "user",
            "add",
            "--username",
            username,
            "--full-name",
            "Responsabile di prova",
            "--role",
            role,
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

fn value(body: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = body.find(&marker).unwrap_or_else(|| panic!("{id} missing")) + marker.len();
    let end = body[start..].find('<').unwrap() + start;
    body[start..end].trim().to_string()
}

#[actix_rt::test]
async fn desk_and_district_count_the_same_accesses() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = pair(dir.path());
    // An anonymous phone contact, and Mario Rossi referred to the SSP (this year).
    desk_records_a_referral(&desk, "Triggiano").await;
    add_user(&desk, "resp", "responsabile");
    let year = chrono::Local::now().format("%Y").to_string();

    {
        let mut server = Server::on(&desk);
        let mut worker = server.logged_in("assistente1").await;
        assert_eq!(worker.get("/statistiche").await.status, 403);

        let mut c = server.logged_in("resp").await;
        let page = c.get("/statistiche").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("href=\"/statistiche\""),
            "not in the navigation"
        );
        assert_eq!(value(&page.body, "stat-accessi"), "2");
        assert_eq!(value(&page.body, "stat-persone"), "1");
        assert_eq!(value(&page.body, "stat-invii_ssp"), "1");
        // Labels, not codes: the area of both needs, the comune of residence.
        assert!(page.body.contains("Accessi per area di utenza"));
        assert!(page.body.contains("Triggiano"));
        assert!(
            !page.body.contains("Rossi"),
            "a name on the statistics page"
        );

        let csv = c.get(&format!("/statistiche.csv?anno={year}")).await;
        assert_eq!(csv.status, 200);
        assert!(csv
            .header("content-disposition")
            .unwrap_or("")
            .contains(&format!("statistiche-{year}.csv")));
        assert!(
            csv.body.contains("totali;accessi;Accessi;2"),
            "{}",
            csv.body
        );
        assert!(csv
            .body
            .contains("totali;invii_ssp;Invii al Servizio Sociale Professionale;1"));
        assert!(
            csv.body.contains("comune_residenza;072046;Triggiano;1"),
            "{}",
            csv.body
        );

        // The API gives the same figures, with labels; a social worker is refused there too.
        let api = c.get("/api/v1/statistics").await;
        assert_eq!(api.status, 200, "{}", api.body);
        let json = api.json();
        assert_eq!(json["accesses"], 2);
        assert_eq!(json["people"], 1);
        assert_eq!(json["referred"], 1);
        assert_eq!(json["district"], false);
        let comuni = json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["dimension"] == "comune_residenza")
            .expect("comune table");
        assert_eq!(comuni["rows"][0]["label"], "Triggiano");
        assert_eq!(worker.get("/api/v1/statistics").await.status, 403);
        assert_eq!(c.get("/api/v1/statistics?anno=2026").await.status, 400);

        // A year without accesses says so.
        let empty = c.get("/statistiche?anno=1999").await;
        assert_eq!(empty.status, 200);
        assert!(server.stop());
    }
    // The recount from the records finds what was kept up to date with every write.
    let out = cli(&desk, &["stats", "rebuild"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Statistiche ricontate da 2 accessi"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("Nessuna differenza"),
        "{}",
        stdout(&out)
    );

    // The district receives the same accesses and counts them the same way.
    let bundle = dir.path().join("bundle.age");
    assert!(
        cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[])
            .status
            .success()
    );
    let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The payload was unpacked to disk on the way in, and nothing of it is left there.
    let spool = district.join("tmp").join("import");
    assert!(spool.is_dir());
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
    add_user(&district, "coord", "responsabile");
    // Counters lost (a repaired file, a bug): the recount says so and puts them right.
    {
        let db = redb::Database::open(district.join("sportello.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        let def: redb::TableDefinition<(&str, &str, &str, &str), u64> =
            redb::TableDefinition::new("stat_counts");
        txn.open_table(def).unwrap().retain(|_, _| false).unwrap();
        txn.commit().unwrap();
    }
    let out = cli(&district, &["stats", "rebuild"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("differivano da quelli tenuti aggiornati e sono stati corretti"),
        "{}",
        stdout(&out)
    );
    let server = Server::on(&district);
    let mut c = server.logged_in("coord").await;
    let page = c.get("/statistiche").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(value(&page.body, "stat-accessi"), "2");
    assert_eq!(value(&page.body, "stat-persone"), "1");
    assert_eq!(value(&page.body, "stat-invii_ssp"), "1");
    assert!(page.body.contains("Accessi per sportello comunale"));
    let one = c.get("/statistiche?sportello=072046").await;
    assert_eq!(value(&one.body, "stat-accessi"), "2");
    assert!(!one.body.contains("Accessi per sportello comunale"));
    let api = c.get("/api/v1/statistics?desk=072046").await.json();
    assert_eq!(
        (api["accesses"].clone(), api["district"].clone()),
        (2.into(), true.into())
    );
    let csv = c.get("/statistiche.csv").await;
    assert!(
        csv.body.contains("sportello;072046;Triggiano;2"),
        "{}",
        csv.body
    );
}

#[actix_rt::test]
async fn a_referral_sent_after_its_access_travelled_still_counts_at_the_district() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = pair(dir.path());
    add_user(&desk, "assistente1", "assistente_sociale");
    add_user(&district, "coord", "responsabile");

    // Bundle 1: the access alone.
    let access_id = {
        let mut server = Server::on(&desk);
        let mut c = server.logged_in("assistente1").await;
        let done = c
            .submit(
                "/accessi/nuovo",
                "/accessi/nuovo",
                &[
                    ("person_mode", "new"),
                    ("codice_fiscale", "RSSMRA80A01H501U"),
                    ("surname", "Rossi"),
                    ("given_names", "Mario"),
                    ("channel", "in_person"),
                    ("interlocutor", "user"),
                    ("reason", "spontaneous"),
                    ("need_area", "poverty"),
                    ("need_category", "housing"),
                    ("outcome", "proposed_taking_charge"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(server.stop());
        done.location()
            .trim_start_matches("/accessi/")
            .split('?')
            .next()
            .unwrap()
            .to_string()
    };
    for (n, make_referral) in [(1, false), (2, true)] {
        if make_referral {
            // Bundle 2: the referral, made and sent a week later.
            let mut server = Server::on(&desk);
            let mut c = server.logged_in("assistente1").await;
            let form = format!("/invii/nuovo?accesso={access_id}");
            let sent = c
                .submit(
                    &form,
                    &form,
                    &[
                        ("target", "ssp"),
                        ("reason", "Proposta di presa in carico"),
                        ("urgency", "urgent"),
                        ("privacy_override", "Consegna al prossimo colloquio"),
                    ],
                )
                .await;
            assert_eq!(sent.status, 303, "{}", sent.body);
            assert!(server.stop());
        }
        let bundle = dir.path().join(format!("bundle-{n}.age"));
        let out = cli(&desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    let server = Server::on(&district);
    let mut c = server.logged_in("coord").await;
    let page = c.get("/statistiche").await;
    assert_eq!(value(&page.body, "stat-accessi"), "1");
    assert_eq!(value(&page.body, "stat-invii_ssp"), "1");
}

#[actix_rt::test]
async fn at_the_district_two_desks_add_up_and_a_person_seen_at_both_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let (triggiano, district) = pair(dir.path());
    let capurso = dir.path().join("capurso");
    enrol(dir.path(), &district, &capurso, "072014");
    add_user(&district, "coord", "responsabile");
    // Each desk: an anonymous caller, and Mario Rossi (the same codice fiscale) referred.
    desk_records_a_referral(&triggiano, "Triggiano").await;
    desk_records_a_referral(&capurso, "Capurso").await;
    for (desk, name) in [(&triggiano, "t.age"), (&capurso, "c.age")] {
        let bundle = dir.path().join(name);
        let out = cli(desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let server = Server::on(&district);
    let mut c = server.logged_in("coord").await;
    let whole = c.get("/api/v1/stats").await.json();
    let one = |code: &'static str| {
        let path = format!("/api/v1/stats?desk={code}");
        async move { path }
    };
    let mut desks = Vec::new();
    for code in ["072046", "072014"] {
        let path = one(code).await;
        desks.push(c.get(&path).await.json());
    }
    let sum = |key: &str| desks.iter().map(|d| d[key].as_u64().unwrap()).sum::<u64>();
    assert_eq!(whole["accesses"].as_u64(), Some(4));
    assert_eq!(whole["accesses"].as_u64(), Some(sum("accesses")));
    assert_eq!(whole["referred"].as_u64(), Some(sum("referred")));
    assert_eq!(whole["unidentified"].as_u64(), Some(sum("unidentified")));
    // Rossi counts at each desk, and once in the Ambito; new to it once.
    assert_eq!(sum("people"), 2);
    assert_eq!(whole["people"].as_u64(), Some(1));
    assert_eq!(whole["new_people"].as_u64(), Some(1));
    // The referrals received: two, none answered yet.
    let line = |j: &serde_json::Value, code: &str| {
        j["referrals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["code"] == code)
            .map(|l| l["value"].clone())
    };
    assert_eq!(line(&whole, "inviati"), Some(2.0.into()));
    assert_eq!(line(&desks[1], "inviati"), Some(1.0.into()));
    assert_eq!(
        line(&whole, "giorni_risposta"),
        Some(serde_json::Value::Null)
    );
    let page = c.get("/statistiche").await;
    assert_eq!(value(&page.body, "stat-persone"), "1");
    assert_eq!(value(&page.body, "invii-inviati"), "2");
    assert!(page.body.contains("Capurso") && page.body.contains("Triggiano"));
    let csv = c.get("/api/v1/stats.csv?table=sportello").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains("sportello;072014;Capurso;2;"),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("totali;"));
    assert_eq!(c.get("/api/v1/stats.csv?table=nulla").await.status, 422);
    // A desk that is not one: refused, never the Ambito's figures passed off as one desk's.
    for desk in ["xyz", "072099"] {
        let r = c.get(&format!("/api/v1/stats?desk={desk}")).await;
        assert_eq!(r.status, 422, "{desk}: {}", r.body);
        assert!(r.body.contains("desk"), "{}", r.body);
    }
    let page = c.get("/statistiche?sportello=xyz").await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("Sportello sconosciuto"), "{}", page.body);
}

/// The number in a CSV line `table;code;label;count;…`.
fn csv_count(csv: &str, table: &str, code: &str) -> Option<u64> {
    csv.lines().find_map(|l| {
        let f: Vec<&str> = l.split(';').collect();
        (f.first() == Some(&table) && f.get(1) == Some(&code))
            .then(|| f.get(3)?.parse().ok())
            .flatten()
    })
}

#[actix_rt::test]
async fn on_the_demo_data_the_page_csv_json_and_pdf_agree() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    assert!(cli(&data, &["demo"], &[]).status.success());
    let server = Server::on(&data);
    let mut c = server.client();
    assert_eq!(
        c.login("responsabile", "demo-responsabile-2026")
            .await
            .location(),
        "/"
    );
    // The last twelve months (across two years) and the calendar year.
    let today = chrono::Local::now().date_naive();
    let to = today.format("%Y-%m").to_string();
    let from = (today - chrono::Duration::days(330))
        .format("%Y-%m")
        .to_string();
    let year = today.format("%Y").to_string();
    for (api_q, page_q) in [
        (format!("from={from}&to={to}"), format!("da={from}&a={to}")),
        (format!("year={year}"), format!("anno={year}")),
    ] {
        let json = c.get(&format!("/api/v1/stats?{api_q}")).await.json();
        let accesses = json["accesses"].as_u64().unwrap();
        assert!(accesses > 0, "{json}");
        let months: u64 = json["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["accesses"].as_u64().unwrap())
            .sum();
        assert_eq!(months, accesses, "the months add up");

        let page = c.get(&format!("/statistiche?{page_q}")).await;
        assert_eq!(page.status, 200);
        let number = |id: &str| value(&page.body, id).replace('.', "");
        for key in ["accessi", "persone", "nuove_persone", "invii_ssp"] {
            let json_key = match key {
                "accessi" => "accesses",
                "persone" => "people",
                "nuove_persone" => "new_people",
                _ => "referred",
            };
            assert_eq!(
                number(&format!("stat-{key}")),
                json[json_key].to_string(),
                "{key}"
            );
        }
        // Charts are SVG with a title, next to their tables.
        assert!(page.body.contains("<svg") && page.body.contains("Accessi per mese</title>"));
        assert!(page.body.contains("id=\"tabella-mese-canale\""));
        assert!(page.body.contains("Piramide delle età"));

        let csv = c.get(&format!("/api/v1/stats.csv?{api_q}")).await.body;
        let page_csv = c.get(&format!("/statistiche.csv?{page_q}")).await.body;
        assert_eq!(csv, page_csv, "the page and the API give the same CSV");
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(csv_count(&csv, "totali", "accessi"), Some(accesses));
        assert_eq!(
            csv_count(&csv, "totali", "persone"),
            json["people"].as_u64()
        );
        for t in json["tables"].as_array().unwrap() {
            let dim = t["dimension"].as_str().unwrap();
            for r in t["rows"].as_array().unwrap() {
                assert_eq!(
                    csv_count(&csv, dim, r["code"].as_str().unwrap()),
                    r["count"].as_u64(),
                    "{dim} {}",
                    r["code"]
                );
            }
        }
        // A row that fell to nothing stays, with the year before: each access has one
        // channel, so the column of the year before adds up to its total.
        let channel = json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["dimension"] == "canale")
            .unwrap();
        let previous: u64 = channel["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["previous"].as_u64().unwrap())
            .sum();
        assert_eq!(previous, json["previous"]["accesses"].as_u64().unwrap());
        // Negative changes are numbers in a spreadsheet; codes are never labels.
        assert!(!csv.contains(";'-"), "{csv}");
        for t in json["tables"].as_array().unwrap() {
            for r in t["rows"].as_array().unwrap() {
                assert!(!r["label"].as_str().unwrap().contains('|'), "{r}");
            }
        }
        // Age bands in age order.
        let ages = json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["dimension"] == "eta")
            .unwrap()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>();
        let mut sorted = ages.clone();
        sorted.sort_by_key(|c| {
            c.split('_')
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or(u32::MAX)
        });
        assert_eq!(ages, sorted);

        let pdf = c
            .get_bytes(&format!("/statistiche/rapporto.pdf?{page_q}"))
            .await;
        assert!(pdf.starts_with(b"%PDF-"));
        let api_pdf = c
            .get_bytes(&format!("/api/v1/stats/report.pdf?{api_q}"))
            .await;
        assert!(api_pdf.starts_with(b"%PDF-"));
        // The page's report also takes the API's names of the months.
        let same = c
            .get_bytes(&format!("/statistiche/rapporto.pdf?{api_q}"))
            .await;
        if let (Some(a), Some(b)) = (pdf_text(&same), pdf_text(&pdf)) {
            let strip = |t: &str| {
                t.lines()
                    .filter(|l| !l.contains("/20"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(&a), strip(&b));
        }
        if let Some(text) = pdf_text(&pdf) {
            let label = json["period"]["label"].as_str().unwrap();
            assert!(text.contains("Osservatorio dei bisogni"), "{text}");
            assert!(text.contains(label), "{label}: {text}");
            for expected in [
                "Accessi per fascia d'età",
                "Quota di donne",
                "Accessi per mese e canale",
                "Piramide delle età",
                "Persone nuove (al primo accesso qui)",
                "Un anno prima",
            ] {
                assert!(text.contains(expected), "{expected}: {text}");
            }
            let formatted = sportello::domain::text::thousands(accesses);
            assert!(text.contains(&formatted), "{formatted}: {text}");
        }
    }
    // A span that cannot be: said next to the field, the year shown instead; the API says 400.
    let bad = c.get("/statistiche?da=2026-06&a=2026-01").await;
    assert_eq!(bad.status, 400);
    assert!(bad
        .body
        .contains("Il mese di inizio viene dopo quello di fine."));
    let api = c.get("/api/v1/stats?from=2026-13").await;
    assert_eq!(api.status, 422);
    assert!(api.body.contains("from"), "{}", api.body);
    // A year that is no number: the page says so, not a bare error.
    let bad = c.get("/statistiche?anno=abc").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("Un anno di quattro cifre"),
        "{}",
        bad.body
    );
    // One desk is chosen only at the district.
    assert_eq!(c.get("/api/v1/stats?desk=072046").await.status, 422);
    // An empty table name is the whole file.
    let all = c.get("/api/v1/stats.csv?table=").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("totali;accessi;"));
}

/// A desk records a complaint about a service, and the same need as one a full service could not
/// meet.
async fn complaint_and_unmet(c: &mut Client, service: &str) {
    let quick = c
        .submit(
            "/accessi/rapido",
            "/accessi/rapido",
            &[
                ("need_area", "poverty"),
                ("need_category", "complaint"),
                ("interlocutor", "user"),
                ("outcome", "information_given"),
                ("need_description", "Il centro non risponde al telefono"),
            ],
        )
        .await;
    assert_eq!(quick.status, 303, "{}", quick.body);
    // Today's accesses, newest first, on the home page.
    let home = c.get("/").await.body;
    let start = home.find("href=\"/accessi/0").expect("today's access") + "href=\"".len();
    let end = start + home[start..].find('"').unwrap();
    let page_path = home[start..end].to_string();
    let id = page_path.trim_start_matches("/accessi/").to_string();
    let page = c.get(&page_path).await;
    assert!(
        page.body.contains("Servizio oggetto del reclamo"),
        "{}",
        page.body
    );
    let named = c
        .submit(
            &page_path,
            &format!("/accessi/{id}/reclamo"),
            &[("need", "0"), ("service", service)],
        )
        .await;
    assert_eq!(named.status, 303, "{}", named.body);
    let unmet = c
        .submit(
            &page_path,
            &format!("/accessi/{id}/non-soddisfatto"),
            &[
                ("need", "0"),
                ("reason", "full"),
                ("service", service),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(unmet.status, 303, "{}", unmet.body);
    let page = c.get(&page_path).await;
    assert!(page.body.contains("Servizio esistente ma senza posti"));
    // A service not in the directory is refused, next to the field.
    let wrong = c
        .submit(
            &page_path,
            &format!("/accessi/{id}/reclamo"),
            &[
                ("need", "0"),
                ("service", "0191f0a0-0000-7000-8000-000000000000"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("non è nell'elenco dei servizi"));
}

#[actix_rt::test]
async fn complaints_and_unmet_needs_name_the_service_and_reach_the_districts_gap_report() {
    let dir = tempfile::tempdir().unwrap();
    let (triggiano, district) = pair(dir.path());
    let capurso = dir.path().join("capurso");
    enrol(dir.path(), &district, &capurso, "072014");
    add_user(&district, "coord", "responsabile");
    let mut service = String::new();
    let mut name = String::new();
    for (desk, comune) in [(&triggiano, "Triggiano"), (&capurso, "Capurso")] {
        assert!(cli(desk, &["directory", "demo"], &[]).status.success());
        add_user(desk, "resp", "responsabile");
        desk_records_a_referral(desk, comune).await;
        let (id, n) = {
            let store = sportello::store::Store::open(desk).unwrap();
            let s = store.directory().unwrap().services[0].clone();
            store.close().unwrap();
            (s.id.to_string(), s.name)
        };
        (service, name) = (id, n);
        let mut server = Server::on(desk);
        let mut c = server.logged_in("assistente1").await;
        complaint_and_unmet(&mut c, &service).await;
        // The service page tells the responsabile how many complaints it had.
        let mut r = server.logged_in("resp").await;
        let page = r.get(&format!("/servizi/{service}")).await;
        assert!(
            page.body
                .contains("Reclami su questo servizio negli ultimi 12 mesi: <strong>1</strong>"),
            "{}",
            page.body
        );
        let worker = c.get(&format!("/servizi/{service}")).await;
        assert!(
            !worker.body.contains("id=\"reclami\""),
            "only for the responsabile"
        );
        let json = r.get("/api/v1/stats").await.json();
        let table = |dim: &str| {
            json["tables"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["dimension"] == dim)
                .cloned()
                .unwrap()
        };
        assert_eq!(table("reclamo")["rows"][0]["label"], name.as_str());
        assert_eq!(table("non_soddisfatto_servizio")["rows"][0]["count"], 1);
        assert!(server.stop());
        let bundle = dir.path().join(format!("{comune}.age"));
        let out = cli(desk, &["export", "--out", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", bundle.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // The district sees the gaps of both comuni, by need, by service and by comune (its
    // directory, the one it sends the desks, names the services).
    assert!(cli(&district, &["directory", "demo"], &[]).status.success());
    let server = Server::on(&district);
    let mut c = server.logged_in("coord").await;
    let csv = c
        .get("/api/v1/stats.csv?table=non_soddisfatto_sportello")
        .await;
    assert_eq!(csv.status, 200);
    for comune in ["Triggiano", "Capurso"] {
        assert!(
            csv.body.contains(&format!(
                "Segnalazione di disservizio o reclamo verso un servizio – {comune}"
            )),
            "{}",
            csv.body
        );
    }
    let csv = c.get("/api/v1/stats.csv?table=non_soddisfatto").await;
    assert!(
        csv.body.contains(
            "non_soddisfatto;complaint|full;Segnalazione di disservizio o reclamo verso un servizio – Servizio esistente ma senza posti;2;"
        ),
        "{}",
        csv.body
    );
    let csv = c.get("/api/v1/stats.csv?table=reclamo").await;
    assert!(
        csv.body.contains(&format!("reclamo;{service};{name};2;")),
        "{}",
        csv.body
    );
    let page = c.get("/statistiche").await;
    assert!(page
        .body
        .contains("Bisogni non soddisfatti, per sportello comunale"));
    assert!(page.body.contains("Reclami per servizio"));
}

#[actix_rt::test]
async fn rates_per_thousand_residents_use_the_population_entered_or_else_the_census() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, _district) = pair(dir.path());
    desk_records_a_referral(&desk, "Triggiano").await;
    add_user(&desk, "resp", "responsabile");
    let server = Server::on(&desk);
    let mut c = server.logged_in("resp").await;
    let rate = |j: &serde_json::Value| {
        j["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["dimension"] == "comune_residenza")
            .unwrap()["rows"][0]["per_thousand"]
            .as_f64()
    };
    // Rossi lives in Triggiano: 1 access over its 27,007 residents of the 2011 census.
    let json = c.get("/api/v1/stats").await.json();
    let census = rate(&json).unwrap();
    assert!((census - 1000.0 / 27_007.0).abs() < 1e-9, "{census}");
    let form = c.get("/statistiche/popolazione").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Triggiano") && form.body.contains("27.007"));
    // A wrong number is refused next to the field and what was typed stays.
    let bad = c
        .submit(
            "/statistiche/popolazione",
            "/statistiche/popolazione",
            &[("istat", "072046"), ("residenti", "ventimila")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad
        .body
        .contains("Residenti di Triggiano: un numero intero di abitanti"));
    assert!(bad.body.contains("value=\"ventimila\""));
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let absurd = c
        .submit(
            "/statistiche/popolazione",
            "/statistiche/popolazione",
            &[("istat", "072046"), ("residenti", "1")],
        )
        .await;
    assert_eq!(absurd.status, 422, "one resident is no comune");
    let saved = c
        .submit(
            "/statistiche/popolazione",
            "/statistiche/popolazione",
            &[("istat", "072046"), ("residenti", "10.000")],
        )
        .await;
    assert_eq!(saved.location(), "/statistiche/popolazione?avviso=salvato");
    let json = c.get("/api/v1/stats").await.json();
    assert_eq!(rate(&json), Some(0.1));
    let page = c.get("/statistiche").await;
    assert!(page.body.contains("Per 1.000 residenti"));
    // Emptied, the census is used again.
    c.submit(
        "/statistiche/popolazione",
        "/statistiche/popolazione",
        &[("istat", "072046"), ("residenti", "")],
    )
    .await;
    assert_eq!(rate(&c.get("/api/v1/stats").await.json()), Some(census));
}
