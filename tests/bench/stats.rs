//! Statistics benchmark: a district holding N pseudonymous access records (default 1,000,000; env
//! `SPORTELLO_BENCH_ACCESSES`) from 20 desks, as imported bundles; times reading them back and
//! summarizing one year, which is what one view of `/statistiche` does.
//! Run: `cargo bench --bench stats`. Prints figures; asserts nothing about time.

use std::time::Instant;
use uuid::Uuid;

use sportello::domain::district::AccessRecord;
use sportello::stats::{Counter, Dimension};
use sportello::store::district::IncomingDeskBundle;
use sportello::store::Store;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

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

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

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
    }
}

fn main() {
    let total: usize = std::env::var("SPORTELLO_BENCH_ACCESSES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    let mut rng = Rng(0x5eed_5eed_1234_5678);
    let desks = 20;
    let per_bundle = 25_000;
    let started = Instant::now();
    let mut made = 0;
    let mut sequence = vec![0u64; desks];
    while made < total {
        let d = made / per_bundle % desks;
        sequence[d] += 1;
        let n = per_bundle.min(total - made);
        // Five years of activity, the newest the busiest.
        let accesses = (0..n)
            .map(|i| record(&mut rng, 2022 + ((made + i) % 15).min(4) as i32))
            .collect();
        let bundle = IncomingDeskBundle {
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
    let load = started.elapsed().as_secs_f64();
    let size = std::fs::metadata(store.path()).map_or(0, |m| m.len());
    println!(
        "access records: {total} from {desks} desks; load: {load:.1} s; database: {} MiB",
        size / (1024 * 1024)
    );

    let mut dims = vec![Dimension::Desk];
    dims.extend(Dimension::DESK);
    println!("one view of /statistiche (read + count)   ms");
    for round in 1..=3 {
        let t = Instant::now();
        let mut ambito = Counter::new(2026, None, &dims);
        store
            .for_each_district_access(|r| ambito.add(r))
            .expect("read");
        let summary = ambito.finish();
        let all = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let mut desk = Counter::new(2026, Some("072001"), &dims);
        store
            .for_each_district_access(|r| desk.add(r))
            .expect("read");
        let one = desk.finish();
        let one_desk = t.elapsed().as_secs_f64() * 1000.0;
        println!(
            "round {round}: the whole Ambito   {all:9.0}   ({} accesses in 2026)",
            summary.accesses
        );
        println!(
            "round {round}: one desk           {one_desk:9.0}   ({} accesses)",
            one.accesses
        );
    }
    println!("peak memory (VmHWM): {:.0} MiB", rss_mib());
}
