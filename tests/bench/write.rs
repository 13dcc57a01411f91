//! Access write benchmark: N anonymous accesses (default 2,000; env `SPORTELLO_BENCH_WRITES`)
//! written through the store (`create_access`: the record, its time index, the change log and
//! the audit entry, one durable commit) against bare durable redb commits of a value of the same
//! size, in the same run on the same disk. Target (issue 12): ≤ 2× the bare commit.
//! Run: `cargo bench --bench write`. Prints figures; asserts nothing about time.

use chrono::Utc;
use std::time::Instant;
use uuid::Uuid;

use sportello::domain::access::{Access, AnonymousProfile, Need};
use sportello::store::Store;

#[path = "common.rs"]
mod common;
use common::percentiles;

const BARE: redb::TableDefinition<u128, &[u8]> = redb::TableDefinition::new("bare");

fn access() -> Access {
    let now = Utc::now();
    Access {
        id: Uuid::now_v7(),
        time: now,
        channel: "phone".into(),
        interlocutor: "user".into(),
        reason: "spontaneous".into(),
        sending_service: String::new(),
        person_id: None,
        anonymous: Some(AnonymousProfile {
            sex: None,
            age_band: "45_54".into(),
            citizenship_area: "italy".into(),
            ..Default::default()
        }),
        operator_id: Uuid::now_v7(),
        operator_name: "Operatore di prova".into(),
        duration_minutes: Some(10),
        needs: vec![Need {
            area: "poverty".into(),
            category: "housing".into(),
            description: "Cerca una casa in affitto a canone concordato".into(),
            urgency: "ordinary".into(),
            service: None,
        }],
        outcomes: vec!["information_given".into()],
        notes: "Ha chiamato per informazioni sul bando per l'affitto".into(),
        reserved_notes: String::new(),
        appointment_id: None,
        quick: true,
        created_at: now,
        services: Vec::new(),
        unmet: Vec::new(),
        history: Vec::new(),
        interlocutor_name: String::new(),
        interlocutor_relation: String::new(),
    }
}

fn main() {
    let n: usize = std::env::var("SPORTELLO_BENCH_WRITES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(&dir.path().join("store")).expect("store");
    common::seal_if_asked(&store);
    let bare = redb::Database::create(dir.path().join("bare.redb")).expect("bare database");
    let size = serde_json::to_vec(&access()).expect("json").len();
    let value = vec![7u8; size];
    let (mut through_store, mut bare_commit) = (Vec::new(), Vec::new());
    // Interleaved, so both see the same moment of the disk.
    for i in 0..n {
        let a = access();
        let t = Instant::now();
        store.create_access(&a, None, None, "prova").expect("write");
        through_store.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let txn = bare.begin_write().expect("txn");
        txn.open_table(BARE)
            .expect("table")
            .insert(i as u128, value.as_slice())
            .expect("insert");
        txn.commit().expect("commit");
        bare_commit.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (s50, s95, s99, _) = percentiles(through_store);
    let (b50, b95, b99, _) = percentiles(bare_commit);
    println!("writes: {n} accesses of about {size} bytes, each one durable commit");
    println!("{:<34} {:>8} {:>8} {:>8}", "", "p50 ms", "p95 ms", "p99 ms");
    println!(
        "{:<34} {s50:>8.2} {s95:>8.2} {s99:>8.2}",
        "create_access (store)"
    );
    println!(
        "{:<34} {b50:>8.2} {b95:>8.2} {b99:>8.2}",
        "bare redb commit, same size"
    );
    println!("ratio at p50: {:.2}×, at p99: {:.2}×", s50 / b50, s99 / b99);
}
