//! Statistics benchmark: a district receiving N pseudonymous access records (default 5,000,000;
//! env `SPORTELLO_BENCH_ACCESSES`) from 20 desks, as imported bundles. At every fifth of N it
//! times what one view of `/statistiche` does (`app::statistics::compute`: the Ambito and one
//! desk, this year and a past one), so the figures show whether a view grows with the records.
//! Also prints the import rate (records/s, counters included) and the peak memory.
//! Run: `cargo bench --bench stats`. Prints figures; asserts nothing about time.

use std::time::Instant;
use uuid::Uuid;

use sportello::app::statistics::{compute, StatsQuery};
use sportello::app::Ctx;
use sportello::domain::district::AccessRecord;
use sportello::domain::policy::Actor;
use sportello::domain::role::Role;
use sportello::store::district::IncomingDeskBundle;
use sportello::store::Store;

#[path = "common.rs"]
mod common;
use common::{peak_rss_mib as rss_mib, Rng};

const AREAS: &[&str] = &[
    "family",
    "disability",
    "addiction",
    "elderly",
    "immigrants",
    "poverty",
    "multiutenza",
];
const CATEGORIES: &[&str] = &[
    "information",
    "housing",
    "economic",
    "home_care",
    "work",
    "health",
    "legal",
];
const CHANNELS: &[&str] = &["in_person", "phone", "email"];
const OUTCOMES: &[&str] = &[
    "information_given",
    "oriented_to_service",
    "proposed_taking_charge",
];
const BANDS: &[&str] = &[
    "0_17", "18_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus",
];

fn record(rng: &mut Rng, year: i32) -> AccessRecord {
    let needs = (0..1 + rng.next() % 3)
        .map(|_| {
            (
                rng.pick(AREAS).to_string(),
                rng.pick(CATEGORIES).to_string(),
                "ordinary".to_string(),
            )
        })
        .collect();
    AccessRecord {
        id: Uuid::now_v7(),
        month: format!("{year}-{:02}", 1 + rng.next() % 12),
        channel: rng.pick(CHANNELS).into(),
        interlocutor: "user".into(),
        reason: "spontaneous".into(),
        needs,
        outcomes: vec![rng.pick(OUTCOMES).into()],
        sex: Some(
            if rng.next().is_multiple_of(2) {
                "F"
            } else {
                "M"
            }
            .into(),
        ),
        age_band: rng.pick(BANDS).into(),
        citizenship_area: "italy".into(),
        comune: Some(format!("0720{:02}", 1 + rng.next() % 40)),
        person_key: (!rng.next().is_multiple_of(5))
            .then(|| format!("{:016x}", rng.next() % 200_000)),
        referred: rng.next().is_multiple_of(20),
        desk: None,
        services: Vec::new(),
        // One access in ten has a need no service met.
        unmet: if rng.next().is_multiple_of(10) {
            vec![(
                rng.pick(CATEGORIES).to_string(),
                "full".into(),
                String::new(),
            )]
        } else {
            Vec::new()
        },
        complaints: Vec::new(),
    }
}

/// Milliseconds of each view, best and worst of five.
fn time_view(ctx: &Ctx, query: &StatsQuery) -> (f64, f64, usize) {
    let mut times = Vec::new();
    let mut accesses = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let s = compute(ctx, query).expect("statistics");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        accesses = s.now.totals.accesses as usize;
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() - 1], accesses)
}

fn main() {
    let total: usize = std::env::var("SPORTELLO_BENCH_ACCESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let reference = sportello::assets::reference().expect("reference");
    let user = common::set_up(&store, &reference, "district", Role::Responsabile);
    let actor = Actor {
        id: user.id,
        username: user.username.clone(),
        full_name: user.full_name.clone(),
        roles: user.roles.clone(),
        mode: Some(sportello::domain::instance::InstanceRole::District),
    };
    let ctx = Ctx::new(&store, &reference, &actor);
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    let desks = 20;
    let per_bundle = 25_000;
    let step = (total / 5).max(1);
    let mut made = 0;
    let mut loading = 0.0;
    let mut sequence = vec![0u64; desks];
    println!("records    import rec/s   view (best–worst of 5, ms)");
    while made < total {
        let started = Instant::now();
        let target = (made + step).min(total);
        while made < target {
            let d = made / per_bundle % desks;
            sequence[d] += 1;
            let n = per_bundle.min(target - made);
            // Five years of activity, the newest the busiest.
            let accesses = (0..n)
                .map(|i| record(&mut rng, 2022 + ((made + i) % 15).min(4) as i32))
                .collect();
            let bundle = IncomingDeskBundle {
                digest: String::new(),
                adoption: None,
                bundle_id: Uuid::now_v7(),
                sequence: sequence[d],
                source_instance: format!("desk-{d}"),
                comune_istat: format!("0720{:02}", d + 1),
                comune_name: format!("Comune {d}"),
                accesses,
                referrals: vec![],
                anonymizations: vec![],
            };
            store.apply_desk_bundle(&bundle, "bench").expect("apply");
            made += n;
        }
        let secs = started.elapsed().as_secs_f64();
        loading += secs;
        let rate = step as f64 / secs;
        println!("{made:>9}  {rate:>12.0}");
        for (what, query) in [
            (
                "the Ambito, 2026",
                StatsQuery {
                    year: Some(2026),
                    ..Default::default()
                },
            ),
            (
                // Twelve months across two years: the distinct persons from the presences.
                "the Ambito, 2025-07 – 2026-06",
                StatsQuery {
                    from: Some("2025-07".into()),
                    to: Some("2026-06".into()),
                    ..Default::default()
                },
            ),
            (
                "the Ambito, 2023",
                StatsQuery {
                    year: Some(2023),
                    ..Default::default()
                },
            ),
            (
                "one desk,   2026",
                StatsQuery {
                    year: Some(2026),
                    desk: Some("072001".into()),
                    ..Default::default()
                },
            ),
        ] {
            let (best, worst, accesses) = time_view(&ctx, &query);
            println!("             {what}: {best:7.2} – {worst:7.2}   ({accesses} accesses)");
        }
    }
    let size = std::fs::metadata(store.path()).map_or(0, |m| m.len());
    println!(
        "{total} records from {desks} desks loaded in {loading:.0} s ({:.0} records/s with their counters); database {} MiB",
        total as f64 / loading,
        size / (1024 * 1024)
    );
    println!("peak memory (VmHWM): {:.0} MiB", rss_mib());
}
