//! Search benchmark: builds a store with N persons (default 1,000,000; env
//! `SPORTELLO_BENCH_PERSONS`) and times the one-box search for codes and names.
//! Run: `cargo bench --bench search`. Prints figures; asserts nothing about time.

use chrono::{Duration, NaiveDate, Utc};
use std::time::Instant;

use sportello::domain::codice_fiscale::compose;
use sportello::domain::person::{new_temporary_code, PersonData, Sex};
use sportello::store::Store;

#[path = "common.rs"]
mod common;
use common::{peak_rss_mib as rss_mib, percentiles, Rng};

const SYLLABLES: &[&str] = &[
    "ro", "ss", "ba", "ri", "co", "lo", "ma", "ne", "ti", "gra", "ve", "sa", "di", "pe", "lu",
    "ca", "fe", "mo", "to", "na", "li", "ce", "po", "ga", "ru", "be", "de", "chi", "sca", "tta",
];
const GIVEN: &[&str] = &[
    "Giuseppe",
    "Maria",
    "Antonio",
    "Anna",
    "Giovanni",
    "Rosa",
    "Vito",
    "Angela",
    "Nicola",
    "Lucia",
    "Francesco",
    "Teresa",
    "Michele",
    "Carmela",
    "Domenico",
    "Francesca",
    "Luigi",
    "Grazia",
    "Mario",
    "Isabella",
    "Ștefan",
    "Łukasz",
    "Fatima",
    "Olena",
    "Mamadou",
    "Ioana",
    "Arben",
    "Niccolò",
];

fn surname(rng: &mut Rng) -> String {
    let parts = 2 + rng.below(2);
    let mut s: String = (0..parts)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect();
    s.push(['i', 'o', 'a'][rng.below(3)]);
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or(s)
}

/// Builds a query from a person known to be in the store.
type QueryMaker = Box<dyn Fn(&sportello::domain::person::Person) -> String>;

fn main() {
    let n: usize = std::env::var("SPORTELLO_BENCH_PERSONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("store");
    common::seal_if_asked(&store);
    let mut rng = Rng(0xB0E5_2026);
    let base = NaiveDate::from_ymd_opt(1930, 1, 1).expect("date");
    let places = [
        "L425", "A662", "H501", "F205", "Z129", "Z330", "F839", "B716",
    ];

    let started = Instant::now();
    let mut samples = Vec::new();
    let batch = 25_000;
    let mut made = 0;
    let mut seen = std::collections::HashSet::new();
    while made < n {
        let mut persons = Vec::with_capacity(batch);
        while persons.len() < batch.min(n - made) {
            let sn = surname(&mut rng);
            let given = GIVEN[rng.below(GIVEN.len())].to_string();
            let birth = base + Duration::days(rng.below(33_000) as i64);
            let sex = if rng.below(2) == 0 { Sex::M } else { Sex::F };
            let cf = compose(&sn, &given, sex, birth, places[rng.below(places.len())]);
            if !seen.insert(cf.to_string()) {
                continue;
            }
            let p = PersonData {
                codice_fiscale: Some(cf),
                surname: sn,
                given_names: given,
                sex: Some(sex),
                birth_date: Some(birth),
                birth_place: None,
                citizenship: None,
                residence_istat: None,
                domicile_istat: None,
                homeless: false,
                phone: String::new(),
                email: String::new(),
                language: String::new(),
                household: vec![],
                household_links: vec![],
                warnings: vec![],
            }
            .into_new_person(new_temporary_code(), Utc::now());
            if rng.below(2000) == 0 {
                samples.push(p.clone());
            }
            persons.push(p);
        }
        made += persons.len();
        store
            .bulk_insert(&persons, &[], &[], "bench", "benchmark")
            .expect("insert");
    }
    let load_s = started.elapsed().as_secs_f64();
    let size_mib = std::fs::metadata(store.path())
        .map(|m| m.len() as f64 / 1_048_576.0)
        .unwrap_or(f64::NAN);
    println!(
        "persons: {n}; load: {load_s:.1} s ({:.0} persons/s); database: {size_mib:.0} MiB",
        n as f64 / load_s
    );

    let queries: Vec<(&str, QueryMaker)> = vec![
        (
            "codice fiscale, whole",
            Box::new(|p| {
                p.codice_fiscale
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            }),
        ),
        (
            "codice fiscale, first 11",
            Box::new(|p| {
                p.codice_fiscale
                    .as_ref()
                    .map(|c| c.as_str()[..11].to_string())
                    .unwrap_or_default()
            }),
        ),
        (
            "surname + name",
            Box::new(|p| format!("{} {}", p.surname, p.given_names)),
        ),
        (
            "name + surname, lower case",
            Box::new(|p| format!("{} {}", p.given_names, p.surname).to_lowercase()),
        ),
        (
            "surname with one typo + name",
            Box::new(|p| {
                let mut s: Vec<char> = p.surname.chars().collect();
                s.swap(1, 2);
                format!("{} {}", s.into_iter().collect::<String>(), p.given_names)
            }),
        ),
        ("surname alone", Box::new(|p| p.surname.clone())),
        (
            "surname + name + birth year",
            Box::new(|p| {
                format!(
                    "{} {} {}",
                    p.surname,
                    p.given_names,
                    p.birth_date
                        .map(|d| d.format("%Y").to_string())
                        .unwrap_or_default()
                )
            }),
        ),
        (
            "surname with one typo + birth date",
            Box::new(|p| {
                let mut s: Vec<char> = p.surname.chars().collect();
                s.swap(1, 2);
                format!(
                    "{} {}",
                    s.into_iter().collect::<String>(),
                    p.birth_date
                        .map(|d| d.format("%d/%m/%Y").to_string())
                        .unwrap_or_default()
                )
            }),
        ),
    ];
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "query (over sampled persons)", "p50 ms", "p95 ms", "p99 ms", "max ms", "found"
    );
    for (label, make) in &queries {
        let mut times = Vec::new();
        let mut found = 0;
        for p in &samples {
            let q = make(p);
            let t = Instant::now();
            let hits = store.search_persons(&q, 20).expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if hits.iter().any(|h| h.person.id == p.id) {
                found += 1;
            }
        }
        let (p50, p95, p99, max) = percentiles(times);
        println!(
            "{label:<32} {p50:>9.2} {p95:>9.2} {p99:>9.2} {max:>9.2} {:>7.0}%",
            100.0 * found as f64 / samples.len() as f64
        );
    }
    println!("peak memory (VmHWM): {:.0} MiB", rss_mib());
}
