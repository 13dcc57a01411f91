//! Retention: propose → approve → anonymized, with the statistics unchanged and the audit intact.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};

use crate::common::*;
use sportello::domain::access::{Access, Need};
use sportello::domain::person::{new_temporary_code, PersonForm};

/// Accesses counted by month, channel, area, category, sex and age band: what statistics use.
fn stats(store: &sportello::store::Store) -> BTreeMap<String, usize> {
    let from = Utc::now() - Duration::days(20 * 365);
    let mut out = BTreeMap::new();
    for a in store.accesses_between(from, Utc::now()).unwrap() {
        let (sex, band) = match (&a.anonymous, a.person_id) {
            (Some(p), _) => (p.sex.map(|s| s.code().to_string()), p.age_band.clone()),
            (None, Some(pid)) => {
                let p = store.person(pid).unwrap().unwrap();
                (
                    p.sex.map(|s| s.code().to_string()),
                    sportello::domain::vocabulary::age_band(p.age_on(a.time.date_naive()))
                        .to_string(),
                )
            }
            _ => (None, String::new()),
        };
        for n in &a.needs {
            let key = format!(
                "{}|{}|{}|{}|{:?}|{}",
                a.time.format("%Y-%m"),
                a.channel,
                n.area,
                n.category,
                sex,
                band
            );
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

#[actix_rt::test]
async fn propose_approve_and_anonymize_keeping_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(init_desk(&data).status.success());
    let out = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "resp1",
            "--full-name",
            "Resp",
            "--role",
            "responsabile",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success());
    let (old_ids, before) = {
        let store = sportello::store::Store::open(&data).unwrap();
        let reference = sportello::assets::reference().unwrap();
        let user = store.user_by_username("resp1").unwrap().unwrap();
        let mut persons = Vec::new();
        let mut accesses = Vec::new();
        for (i, (surname, years_ago)) in [("Vecchiotti", 12), ("Antichi", 11), ("Recenti", 1)]
            .into_iter()
            .enumerate()
        {
            let mut p = PersonForm {
                surname: surname.into(),
                given_names: "Maria".into(),
                sex: "F".into(),
                birth_date: format!("0{}/03/1950", i + 1),
                citizenship: "italiana".into(),
                residence_istat: "072046".into(),
                phone: "080 1234567".into(),
                ..Default::default()
            }
            .validate(&reference.places(), chrono::Local::now().date_naive())
            .unwrap()
            .into_new_person(new_temporary_code(), Utc::now());
            // Two of them with a codice fiscale: they count among the distinct persons.
            let cf = ["RSSMRA80A01H501U", "VRDGPP70A01F205V"].get(i);
            p.codice_fiscale =
                cf.map(|c| sportello::domain::codice_fiscale::CodiceFiscale::parse(c).unwrap());
            let when = Utc::now() - Duration::days(365 * years_ago);
            p.created_at = when;
            p.updated_at = when;
            accesses.push(Access {
                id: uuid::Uuid::now_v7(),
                time: when,
                channel: "in_person".into(),
                interlocutor: "user".into(),
                reason: "spontaneous".into(),
                sending_service: String::new(),
                person_id: Some(p.id),
                anonymous: None,
                operator_id: user.id,
                operator_name: user.full_name.clone(),
                duration_minutes: Some(20),
                needs: vec![Need {
                    area: "elderly".into(),
                    category: "home_care".into(),
                    description: format!("Parla di {surname}"),
                    urgency: "ordinary".into(),
                    service: None,
                }],
                outcomes: vec!["information_given".into()],
                notes: format!("La signora {surname} abita sola"),
                reserved_notes: "Riservato".into(),
                appointment_id: None,
                quick: false,
                created_at: when,
                services: vec![],
                unmet: vec![],
                history: Vec::new(),
                interlocutor_name: String::new(),
                interlocutor_relation: String::new(),
            });
            persons.push(p);
        }
        store
            .bulk_insert(&persons, &accesses, &[], "test", "dati vecchi")
            .unwrap();
        (
            persons[..2].iter().map(|p| p.id).collect::<Vec<_>>(),
            (stats(&store), stat_rows(&store)),
        )
    };

    let dry = cli(&data, &["retention", "propose"], &[]);
    assert!(
        stdout(&dry).contains("2 persone (2 accessi)"),
        "{}",
        stdout(&dry)
    );

    let mut server = Server::on(&data);
    let mut resp = server.logged_in("resp1").await;
    let page = resp.get("/privacy/conservazione").await;
    assert!(
        page.body.contains("<strong>2</strong> persone"),
        "{}",
        page.body
    );
    let proposed = resp
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/proposta",
            &[],
        )
        .await;
    assert_eq!(proposed.location(), "/privacy/conservazione");
    let page = resp.get("/privacy/conservazione").await;
    assert!(
        page.body.contains("VECCHIOTTI Maria")
            && page.body.contains("ANTICHI Maria")
            && !page.body.contains("RECENTI")
    );
    assert!(resp
        .get_bytes("/privacy/conservazione/proposta.pdf")
        .await
        .starts_with(b"%PDF-"));
    // The only responsabile approves her own proposal only after saying so explicitly.
    let page = resp.get("/privacy/conservazione").await;
    assert!(page
        .body
        .contains("Sono l'unico responsabile dello sportello"));
    let unconfirmed = resp
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/approva",
            &[],
        )
        .await;
    assert_eq!(unconfirmed.status, 403);
    assert!(unconfirmed.body.contains("confermare esplicitamente"));
    let approved = resp
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/approva",
            &[("da_solo", "si")],
        )
        .await;
    assert_eq!(
        approved.location(),
        "/privacy/conservazione?anonimizzate=2&accessi=2"
    );
    assert!(resp
        .get("/persone?q=vecchiotti")
        .await
        .body
        .contains("Nessuna persona trovata"));
    assert!(resp
        .get("/persone?q=recenti")
        .await
        .body
        .contains("RECENTI Maria"));
    assert!(server.stop());

    let store = sportello::store::Store::open(&data).unwrap();
    for id in &old_ids {
        let p = store.person(*id).unwrap().unwrap();
        assert_eq!(p.surname, "(anonimizzato)");
        assert!(p.code().is_none() && p.phone.is_empty());
        assert!(
            store.accesses_of(*id).unwrap().is_empty(),
            "accesses detached"
        );
    }
    let after = (stats(&store), stat_rows(&store));
    assert_eq!(before.0, after.0, "statistics unchanged");
    // Every table of the statistics: distinct persons and comuni of residence included.
    assert!(before.1.iter().any(|r| r.2 == "_persone" && r.4 > 0));
    assert!(before
        .1
        .iter()
        .any(|r| r.2 == "comune_residenza" && r.3 == "072046"));
    assert_eq!(before.1, after.1, "every statistical table unchanged");
    let from = Utc::now() - Duration::days(20 * 365);
    for a in store.accesses_between(from, Utc::now()).unwrap() {
        assert!(!a.notes.contains("Vecchiotti") && !a.notes.contains("Antichi"));
        assert!(a
            .needs
            .iter()
            .all(|n| !n.description.contains("Vecchiotti")));
    }
    let changes = store.changes_since(0).unwrap();
    assert_eq!(
        changes.iter().filter(|c| c.kind == "anonymization").count(),
        2,
        "the district learns it"
    );
    assert!(
        store.verify_audit().unwrap().is_ok(),
        "the audit survives retention"
    );
}

#[actix_rt::test]
async fn with_two_responsabili_the_proposal_is_approved_by_the_other() {
    let server = Server::with_users(&[("resp1", "responsabile"), ("resp2", "responsabile")]);
    let mut first = server.logged_in("resp1").await;
    let mut second = server.logged_in("resp2").await;
    let proposed = first
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/proposta",
            &[],
        )
        .await;
    assert_eq!(proposed.location(), "/privacy/conservazione");
    let page = first.get("/privacy/conservazione").await;
    assert!(page.body.contains("va approvata da un altro responsabile"));
    let own = first
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/approva",
            &[("da_solo", "si")],
        )
        .await;
    assert_eq!(
        own.status, 403,
        "the proposer cannot approve, even confirming"
    );
    assert!(own.body.contains("responsabile diverso"));
    let approved = second
        .submit(
            "/privacy/conservazione",
            "/privacy/conservazione/approva",
            &[],
        )
        .await;
    assert_eq!(
        approved.location(),
        "/privacy/conservazione?anonimizzate=0&accessi=0"
    );
    let csv = second
        .get("/privacy/audit.csv?azione=retention.approve")
        .await;
    assert!(csv.body.contains("proposta da resp1"), "{}", csv.body);
}
