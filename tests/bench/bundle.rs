//! Bundle benchmark: a desk holding N accesses (default 1,000,000; env `SPORTELLO_BENCH_RECORDS`)
//! of N/5 persons, enrolled with a district; times the first export of everything (one signed,
//! encrypted bundle) and its import at the district, with the peak memory of each.
//! Targets (issue 12): export ≥ 100 MB/s of payload and ≥ 200,000 records/s, import ≥ 50,000
//! records/s, peak RSS ≤ 200 MB. Run: `cargo bench --bench bundle`. Prints figures only.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

#[path = "common.rs"]
mod common;
use common::{peak_rss_mib, reset_peak_rss, set_up, Rng};

use sportello::bundle;
use sportello::domain::access::{Access, AnonymousProfile, Need};
use sportello::domain::codice_fiscale::compose;
use sportello::domain::person::{new_temporary_code, PersonData, Sex};
use sportello::domain::role::Role;
use sportello::store::Store;

const CHUNK: usize = 20_000;
const CONSONANTS: &[char] = &[
    'B', 'C', 'D', 'F', 'G', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'V', 'Z',
];
const GIVEN: &[&str] = &[
    "Maria", "Giuseppe", "Anna", "Antonio", "Rosa", "Vito", "Lucia", "Nicola", "Ștefan", "Niccolò",
];
const AREAS: &[&str] = &["poverty", "family_minors", "elderly", "disability"];
const CATEGORIES: &[&str] = &["housing", "economic_support", "home_care", "information"];

fn fill(store: &Store, n: usize) {
    let mut rng = Rng(0xB0_2026_0001);
    let base = NaiveDate::from_ymd_opt(1940, 1, 1).expect("date");
    let mut ids = Vec::with_capacity(n / 5);
    let mut seen = std::collections::HashSet::new();
    while ids.len() < n / 5 {
        let mut persons = Vec::with_capacity(CHUNK);
        while persons.len() < CHUNK.min(n / 5 - ids.len()) {
            // Three consonants of the surname and of the name vary, as the codice fiscale does.
            let c = |rng: &mut Rng| CONSONANTS[rng.below(CONSONANTS.len())];
            let surname = format!("{}a{}o{}i", c(&mut rng), c(&mut rng), c(&mut rng));
            let given = GIVEN[rng.below(GIVEN.len())];
            let birth = base + Duration::days(rng.below(25_000) as i64);
            let sex = if rng.below(2) == 0 { Sex::F } else { Sex::M };
            let cf = compose(&surname, given, sex, birth, "A662");
            if !seen.insert(cf.to_string()) {
                continue;
            }
            persons.push(
                PersonData {
                    codice_fiscale: Some(cf),
                    surname,
                    given_names: given.into(),
                    sex: Some(sex),
                    birth_date: Some(birth),
                    birth_place: Some("A662".into()),
                    citizenship: Some("IT".into()),
                    residence_istat: Some("072046".into()),
                    domicile_istat: None,
                    homeless: false,
                    phone: "333 1234567".into(),
                    email: String::new(),
                    language: String::new(),
                    household: vec![],
                    household_links: vec![],
                    warnings: vec![],
                }
                .into_new_person(new_temporary_code(), Utc::now()),
            );
        }
        ids.extend(persons.iter().map(|p| p.id));
        store
            .bulk_insert(&persons, &[], &[], "bench", "bench")
            .expect("persons");
    }
    let start = Utc
        .with_ymd_and_hms(2022, 1, 3, 9, 0, 0)
        .single()
        .expect("time");
    let mut made = 0;
    while made < n {
        let accesses: Vec<Access> = (0..CHUNK.min(n - made))
            .map(|i| {
                let time = start + Duration::minutes(((made + i) * 2) as i64);
                let person = (rng.below(5) != 0).then(|| ids[rng.below(ids.len())]);
                Access {
                    id: Uuid::now_v7(),
                    time,
                    channel: rng.pick(&["in_person", "phone", "email"]).into(),
                    interlocutor: "user".into(),
                    reason: "spontaneous".into(),
                    sending_service: String::new(),
                    person_id: person,
                    anonymous: person.is_none().then(|| AnonymousProfile {
                        sex: Some(Sex::F),
                        age_band: "45_54".into(),
                        citizenship_area: "italy".into(),
                        ..Default::default()
                    }),
                    operator_id: Uuid::nil(),
                    operator_name: "Operatrice".into(),
                    duration_minutes: Some(15),
                    needs: vec![Need {
                        area: rng.pick(AREAS).into(),
                        category: rng.pick(CATEGORIES).into(),
                        description: "Chiede un aiuto per l'affitto".into(),
                        urgency: "ordinary".into(),
                        service: None,
                    }],
                    outcomes: vec!["information_given".into()],
                    notes: "Colloquio telefonico, richiamerà".into(),
                    reserved_notes: String::new(),
                    appointment_id: None,
                    quick: false,
                    created_at: time,
                    services: vec![],
                    unmet: vec![],
                    history: Vec::new(),
                    interlocutor_name: String::new(),
                    interlocutor_relation: String::new(),
                }
            })
            .collect();
        made += accesses.len();
        store
            .bulk_insert(&[], &accesses, &[], "bench", "bench")
            .expect("accesses");
    }
}

fn enroll(desk: &Store, desk_dir: &Path, district: &Store, district_dir: &Path) {
    let id = bundle::own_identity(desk, desk_dir).expect("identity");
    let json = serde_json::to_string(&id).expect("json");
    let (_, reply) = bundle::trust_desk(district, district_dir, &json, "bench").expect("trust");
    bundle::trust_reply(desk, desk_dir, reply.as_slice(), "bench").expect("reply");
}

fn main() {
    let n: usize = std::env::var("SPORTELLO_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let reference = sportello::assets::reference().expect("reference");
    let dir = tempfile::tempdir().expect("tempdir");
    let (desk_dir, district_dir) = (dir.path().join("desk"), dir.path().join("district"));
    let desk = Store::open(&desk_dir).expect("desk");
    let district = Store::open(&district_dir).expect("district");
    set_up(&desk, &reference, "desk", Role::Amministratore);
    set_up(&district, &reference, "district", Role::Amministratore);
    enroll(&desk, &desk_dir, &district, &district_dir);
    let t = Instant::now();
    fill(&desk, n);
    println!(
        "desk: {n} accesses of {} persons written in {:.0} s",
        n / 5,
        t.elapsed().as_secs_f64()
    );

    let file = dir.path().join("bundle.age");
    reset_peak_rss();
    let t = Instant::now();
    let e = bundle::export_desk(
        &desk,
        &desk_dir,
        |_, f| bundle::place_file(f, &file),
        "bench",
    )
    .expect("export");
    let secs = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&file).map_or(0, |m| m.len());
    println!(
        "export: {} records, payload {:.0} MB, file {:.0} MB, in {secs:.2} s: {:.0} records/s, {:.0} MB/s of payload; peak RSS {:.0} MiB",
        e.accesses,
        e.payload_bytes as f64 / 1e6,
        size as f64 / 1e6,
        e.accesses as f64 / secs,
        e.payload_bytes as f64 / 1e6 / secs,
        peak_rss_mib()
    );
    drop(desk);

    reset_peak_rss();
    let t = Instant::now();
    let input = std::fs::File::open(&file).expect("bundle file");
    let outcome = bundle::import(&district, &district_dir, &reference, input, "bench");
    let secs = t.elapsed().as_secs_f64();
    match outcome {
        Ok(_) => println!(
            "import: {} records in {secs:.2} s: {:.0} records/s; peak RSS {:.0} MiB",
            district.district_access_count().unwrap_or(0),
            n as f64 / secs,
            peak_rss_mib()
        ),
        Err(err) => println!(
            "import refused after {secs:.2} s: {err}; peak RSS {:.0} MiB",
            peak_rss_mib()
        ),
    }
}
