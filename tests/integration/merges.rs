//! Merging two records of the same person: records moved, the old address redirects, the
//! undo restores, and the district counts one person after the next bundle.

use serde_json::json;

use crate::common::*;

const KEPT_CF: &str = "RSSMRA80A01H501U";
/// The same man, registered again with a day wrong in his code.
const DUPLICATE_CF: &str = "RSSMRA80A02H501Z";

fn token(data: &std::path::Path, username: &str) -> String {
    let out = cli(data, &["token", "create", "--username", username], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    format!("Bearer {}", stdout(&out).lines().last().unwrap())
}

fn add_user(data: &std::path::Path, user: &str, role: &str) {
    let out = cli(
        data,
        &[
            "user",
            "add",
            "--username",
            user,
            "--full-name",
            &format!("Utente {user}"),
            "--role",
            role,
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Registers an access for a new person; returns the person's id.
async fn person_with_access(c: &mut Client, cf: &str, need: &str) -> String {
    let done = c
        .submit(
            "/accessi/nuovo",
            "/accessi/nuovo",
            &[
                ("person_mode", "new"),
                ("codice_fiscale", cf),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
                ("channel", "in_person"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "poverty"),
                ("need_category", need),
                ("outcome", "information_given"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = c.get(done.location()).await;
    let rest = page.body.split("href=\"/persone/").nth(1).unwrap();
    rest[..36].to_string()
}

#[actix_rt::test]
async fn two_records_of_one_person_are_merged_redirected_undone_and_counted_once_at_the_district() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, district) = crate::bundles::pair(dir.path());
    add_user(&desk, "operatore1", "operatore");
    add_user(&desk, "resp1", "responsabile");
    add_user(&district, "resp", "responsabile");
    let (op_token, resp_token) = (token(&desk, "operatore1"), token(&desk, "resp1"));
    let year = chrono::Local::now().format("%Y").to_string();
    let send = |n: u32| {
        let file = dir.path().join(format!("bundle-{n}.age"));
        let out = cli(&desk, &["export", "--out", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = cli(&district, &["import", file.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let district_people = || {
        let district = district.clone();
        let year = year.clone();
        async move {
            let mut server = Server::on(&district);
            let mut c = server.logged_in("resp").await;
            let s = c
                .get(&format!("/api/v1/statistics?year={year}"))
                .await
                .json();
            assert!(server.stop());
            (
                s["accesses"].as_u64().unwrap(),
                s["people"].as_u64().unwrap(),
            )
        }
    };

    let (kept, dup) = {
        let mut server = Server::on(&desk);
        let mut op = server.logged_in("operatore1").await;
        let kept = person_with_access(&mut op, KEPT_CF, "housing").await;
        let dup = person_with_access(&mut op, DUPLICATE_CF, "economic_support").await;
        assert!(server.stop());
        (kept, dup)
    };
    send(1);
    assert_eq!(district_people().await, (2, 2), "two records, two persons");

    let mut server = Server::on(&desk);
    // Only the responsabile merges.
    let mut op = server.logged_in("operatore1").await;
    assert_eq!(op.get(&format!("/persone/{dup}/unisci")).await.status, 403);
    let refused = op
        .post_json(
            &format!("/api/v1/persons/{dup}/merge"),
            &[("Authorization", &op_token)],
            &json!({"into": kept}),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let mut resp = server.logged_in("resp1").await;
    let page = resp.get(&format!("/persone/{dup}")).await;
    assert!(
        page.body.contains(&format!("/persone/{dup}/unisci")),
        "È la stessa persona di…"
    );
    let found = resp
        .get(&format!("/persone/{dup}/unisci?q=rossi+mario"))
        .await;
    assert!(
        found
            .body
            .contains(&format!("/persone/{dup}/unisci/{kept}")),
        "{}",
        found.body
    );
    let compare = format!("/persone/{dup}/unisci/{kept}");
    let side_by_side = resp.get(&compare).await;
    assert_eq!(side_by_side.status, 200, "{}", side_by_side.body);
    assert!(side_by_side.body.contains(KEPT_CF) && side_by_side.body.contains(DUPLICATE_CF));
    let merged = resp.submit(&compare, &compare, &[("keep", &kept)]).await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    assert_eq!(merged.location(), format!("/persone/{kept}?avviso=unita"));

    // The old address and id lead to the record kept, which holds both accesses.
    let old = resp.get(&format!("/persone/{dup}")).await;
    assert_eq!(old.status, 303);
    assert_eq!(old.location(), format!("/persone/{kept}?avviso=rimando"));
    let api = resp
        .get_with(
            &format!("/api/v1/persons/{dup}"),
            &[("Authorization", &resp_token)],
        )
        .await;
    assert_eq!(api.status, 308);
    assert_eq!(
        api.header("location"),
        Some(format!("/api/v1/persons/{kept}").as_str())
    );
    let accesses = resp
        .get_with(
            &format!("/api/v1/persons/{kept}/accesses"),
            &[("Authorization", &resp_token)],
        )
        .await;
    assert_eq!(
        accesses.json().as_array().unwrap().len(),
        2,
        "{}",
        accesses.body
    );
    let page = resp.get(&format!("/persone/{kept}")).await;
    assert!(page.body.contains("Schede unite a questa"), "{}", page.body);
    assert!(page.body.contains(DUPLICATE_CF));
    let search = resp.get("/persone?q=rossi+mario").await;
    assert!(
        !search.body.contains(&format!("/persone/{dup}\"")),
        "the pointer is not a result"
    );
    assert!(search.body.contains(&format!("/persone/{kept}\"")));
    // The art. 15 report of the record kept tells what was done with the merged one too.
    let report = resp
        .get_with(
            &format!("/api/v1/persons/{kept}/report.json"),
            &[("Authorization", &resp_token)],
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let audit = report.json()["audit"].clone();
    assert_eq!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["sentence"]
                .as_str()
                .unwrap()
                .ends_with("ha registrato la persona"))
            .count(),
        2,
        "both records' registration: {audit}"
    );
    // The old code still finds the person (the record kept), and is not registered again.
    let by_code = resp.get(&format!("/persone?q={DUPLICATE_CF}")).await;
    assert!(
        by_code.body.contains(&format!("/persone/{kept}\"")),
        "{}",
        by_code.body
    );
    let again = resp
        .submit(
            "/persone/nuova",
            "/persone/nuova",
            &[
                ("codice_fiscale", DUPLICATE_CF),
                ("surname", "Rossi"),
                ("given_names", "Mario"),
            ],
        )
        .await;
    assert_eq!(
        again.location(),
        format!("/persone/{kept}?avviso=esistente"),
        "the merged code is not registered again: it leads to the record kept"
    );
    // A form opened on the old record before the merge is saved with the record kept.
    let late = op
        .submit(
            &format!("/accessi/nuovo?persona={dup}"),
            "/accessi/nuovo",
            &[
                ("person_mode", "existing"),
                ("person_id", &dup),
                ("channel", "phone"),
                ("interlocutor", "user"),
                ("reason", "spontaneous"),
                ("need_area", "poverty"),
                ("need_category", "information"),
                ("outcome", "information_given"),
            ],
        )
        .await;
    assert_eq!(late.status, 303, "{}", late.body);
    let accesses = resp
        .get_with(
            &format!("/api/v1/persons/{kept}/accesses"),
            &[("Authorization", &resp_token)],
        )
        .await;
    assert_eq!(accesses.json().as_array().unwrap().len(), 3);
    assert!(server.stop());

    send(2);
    assert_eq!(
        district_people().await,
        (3, 1),
        "one person after the merge"
    );

    // Undo: each record has again what it had.
    let mut server = Server::on(&desk);
    let mut resp = server.logged_in("resp1").await;
    let page = resp.get(&format!("/persone/{kept}")).await;
    let link = page.body.split("action=\"/persone/unioni/").nth(1).unwrap();
    let merge_id = &link[..36];
    let undone = resp
        .submit(
            &format!("/persone/{kept}"),
            &format!("/persone/unioni/{merge_id}/annulla"),
            &[],
        )
        .await;
    assert_eq!(undone.status, 303, "{}", undone.body);
    assert_eq!(undone.location(), format!("/persone/{dup}?avviso=separata"));
    let h = [("Authorization", resp_token.as_str())];
    let of = |id: &str| format!("/api/v1/persons/{id}/accesses");
    assert_eq!(
        resp.get_with(&of(&kept), &h)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2,
        "the record kept keeps the access added after the merge"
    );
    assert_eq!(
        resp.get_with(&of(&dup), &h)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(resp.get(&format!("/persone/{dup}")).await.status, 200);
    let again = resp
        .submit(
            &format!("/persone/{kept}"),
            &format!("/persone/unioni/{merge_id}/annulla"),
            &[],
        )
        .await;
    assert_eq!(again.status, 422, "undone once: {}", again.body);

    // The same through the API.
    let m = resp
        .post_json(
            &format!("/api/v1/persons/{dup}/merge"),
            &h,
            &json!({"into": kept}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    let m = m.json();
    assert_eq!(m["accesses"].as_array().unwrap().len(), 1);
    let twice = resp
        .post_json(
            &format!("/api/v1/persons/{dup}/merge"),
            &h,
            &json!({"into": kept}),
        )
        .await;
    assert_eq!(
        twice.status, 403,
        "the pointer cannot be merged again: {}",
        twice.body
    );
    let undo = resp
        .request(
            "POST",
            &format!("/api/v1/merges/{}/undo", m["id"].as_str().unwrap()),
            &h,
            None,
        )
        .await;
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(undo.json()["undone"], true);
    assert!(server.stop());

    // The audit names both persons.
    let out = dir.path().join("audit.jsonl");
    assert!(cli(
        &desk,
        &["audit", "export", "--out", out.to_str().unwrap()],
        &[]
    )
    .status
    .success());
    let audit = std::fs::read_to_string(out).unwrap();
    let line = audit
        .lines()
        .find(|l| l.contains("person.merge\"") || l.contains("\"person.merge"))
        .unwrap();
    assert!(line.contains(&kept) && line.contains(&dup), "{line}");
    assert!(audit.contains("person.merge_undo"));
}
