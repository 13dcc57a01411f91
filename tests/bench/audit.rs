//! Audit benchmark: a log of N entries (default 100,000; env `SPORTELLO_BENCH_AUDIT`) about 2,000
//! persons plus logins and lists; times one person's entries through the person index (what the
//! art. 15 report and the audit viewer's person filter read) against a scan of the whole log.
//! Run: `cargo bench --bench audit`. Prints figures; asserts nothing about time.

use std::time::Instant;
use uuid::Uuid;

use sportello::domain::audit::{Action, AuditEvent};
use sportello::store::{AuditFilter, Store};

fn main() {
    let total: u64 = std::env::var("SPORTELLO_BENCH_AUDIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(dir.path()).expect("store");
    let persons: Vec<Uuid> = (0..2_000).map(|_| Uuid::now_v7()).collect();
    let started = Instant::now();
    let mut written = 0u64;
    while written < total {
        let batch: Vec<AuditEvent> = (written..(written + 10_000).min(total))
            .map(|i| {
                let p = persons[(i * 7919 % persons.len() as u64) as usize];
                match i % 10 {
                    0 => AuditEvent::new("anna", Action::Login, "anna"),
                    1 => AuditEvent::new("anna", Action::AccessList, "oggi")
                        .about_all(persons.iter().skip((i % 1_900) as usize).take(12).copied()),
                    _ => AuditEvent::new("anna", Action::PersonView, p.to_string()).about(p),
                }
            })
            .collect();
        written += batch.len() as u64;
        store.audit_batch(batch).expect("append");
    }
    let load = started.elapsed();
    let size = std::fs::metadata(store.path()).map_or(0, |m| m.len());
    println!(
        "audit entries: {total} about {} persons; load: {:.1} s; database {:.1} MiB, {} bytes per entry with its index",
        persons.len(),
        load.as_secs_f64(),
        size as f64 / (1024.0 * 1024.0),
        size / total.max(1)
    );
    println!(
        "{:<44} {:>9} {:>9}",
        "one person's entries", "ms", "entries"
    );
    for round in 1..=3 {
        let p = persons[round * 101];
        let t = Instant::now();
        let indexed = store.audit_of_person(p).expect("index");
        let index_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let filter = AuditFilter {
            person: Some(p),
            ..AuditFilter::default()
        };
        let viewer = store.audit_filtered(&filter, 500).expect("viewer");
        let viewer_ms = t.elapsed().as_secs_f64() * 1e3;
        // What the report did before the index: read every entry and look for the id.
        let t = Instant::now();
        let id = p.to_string();
        let scanned = store
            .audit_entries()
            .expect("scan")
            .into_iter()
            .filter(|e| e.subject == id || e.details.contains(&id))
            .count();
        let scan_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "round {round}: person index (art. 15)      {index_ms:>9.2} {:>9}",
            indexed.len()
        );
        println!(
            "round {round}: viewer person filter        {viewer_ms:>9.2} {:>9}",
            viewer.len()
        );
        println!("round {round}: full scan (before the index) {scan_ms:>9.2} {scanned:>9}");
    }
}
