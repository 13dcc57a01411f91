//! Statistics: the desk's own counts, and the district's over the records of every desk, equal
//! for the same accesses; only the head of the service sees them; CSV for spreadsheets.

use crate::bundles::{desk_records_a_referral, pair};
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
