//! Crash harness: writes of every kind (persons, accesses, referrals, appointments, audited
//! reads) from concurrent clients, the server killed (SIGKILL) at a random moment, then
//! restarted: every acknowledged write must be there and the database intact. Rounds: 10 here;
//! `SPORTELLO_HARNESS=long` runs 100 (or `SPORTELLO_CRASH_ROUNDS`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use serde_json::json;

use crate::common::*;

/// A small deterministic generator: the seed is printed, so a failing run can be repeated
/// (`SPORTELLO_CRASH_SEED`).
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Rng {
        let seed = std::env::var("SPORTELLO_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(7, |d| d.as_nanos() as u64)
            });
        println!("seme: {seed}");
        Rng(seed | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// What the server acknowledged (2xx with the new record's id), across rounds.
#[derive(Default, Clone)]
struct Acked {
    persons: Vec<String>,
    /// (access, person)
    accesses: Vec<(String, String)>,
    referrals: Vec<String>,
    /// (appointment, person)
    appointments: Vec<(String, String)>,
    /// Audited reads answered, per person.
    reads: BTreeMap<String, usize>,
}

fn rounds() -> usize {
    if let Some(n) = std::env::var("SPORTELLO_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("SPORTELLO_HARNESS").as_deref() == Ok("long") {
        100
    } else {
        10
    }
}

/// One writer: a person, then accesses, referrals, appointments and reads about her, until told
/// to stop (or the server dies under it).
async fn writer(
    c: Client,
    token: String,
    id: usize,
    round: usize,
    acked: Rc<RefCell<Acked>>,
    stop: Rc<Cell<bool>>,
) {
    let h = [("Authorization", token.as_str())];
    let mut n = 0usize;
    while !stop.get() {
        n += 1;
        let surname = format!("Crash{round}w{id}n{n}");
        let Some((201, p)) = c
            .try_json(
                "POST",
                "/api/v1/persons",
                &h,
                Some(&json!({"surname": surname, "given_names": "Prova"})),
            )
            .await
        else {
            return;
        };
        let person = p["id"].as_str().unwrap_or_default().to_string();
        acked.borrow_mut().persons.push(person.clone());
        let access_body = json!({
            "person_id": person, "channel": "phone", "interlocutor": "user", "reason": "spontaneous",
            "needs": [{"area": "poverty", "category": "housing", "description": "Sfratto"}],
            "outcomes": ["proposed_taking_charge"]
        });
        let Some((201, a)) = c
            .try_json("POST", "/api/v1/accesses", &h, Some(&access_body))
            .await
        else {
            return;
        };
        let access = a["id"].as_str().unwrap_or_default().to_string();
        acked
            .borrow_mut()
            .accesses
            .push((access.clone(), person.clone()));
        let referral = json!({"access_id": access, "target": "ssp", "reason": "Valutazione",
                              "privacy_override": "Consegna al prossimo colloquio"});
        let Some((201, r)) = c
            .try_json("POST", "/api/v1/referrals", &h, Some(&referral))
            .await
        else {
            return;
        };
        acked
            .borrow_mut()
            .referrals
            .push(r["id"].as_str().unwrap_or_default().to_string());
        // A slot of its own for every appointment: 2090 onwards, one minute apart.
        let minute = (round * 10_000 + id * 1_000 + n) as i64;
        let start = chrono::DateTime::parse_from_rfc3339("2090-01-02T08:00:00+01:00").unwrap()
            + chrono::Duration::minutes(minute);
        let appointment = json!({"person_id": person, "start": start.to_rfc3339()});
        match c
            .try_json("POST", "/api/v1/appointments", &h, Some(&appointment))
            .await
        {
            Some((201, ap)) => acked.borrow_mut().appointments.push((
                ap["id"].as_str().unwrap_or_default().to_string(),
                person.clone(),
            )),
            Some((status, body)) => panic!("appointment refused: {status} {body}"),
            None => return,
        }
        for _ in 0..3 {
            match c
                .try_json("GET", &format!("/api/v1/persons/{person}"), &h, None)
                .await
            {
                Some((200, _)) => *acked.borrow_mut().reads.entry(person.clone()).or_default() += 1,
                Some((status, body)) => panic!("read refused: {status} {body}"),
                None => return,
            }
        }
    }
}

/// Every acknowledged write is in the database as redb opens it after the kill (read directly,
/// so that checking adds nothing to the file and a round costs the same however many came before).
fn check_in_store(store: &sportello::store::Store, acked: &Acked) {
    let id = |s: &str| uuid::Uuid::parse_str(s).unwrap();
    for p in &acked.persons {
        assert!(store.person(id(p)).unwrap().is_some(), "person {p} lost");
    }
    for (a, p) in &acked.accesses {
        let access = store.access(id(a)).unwrap();
        assert!(
            access.is_some_and(|x| x.person_id == Some(id(p))),
            "access {a} lost"
        );
    }
    for r in &acked.referrals {
        assert!(
            store.referral(id(r)).unwrap().is_some(),
            "referral {r} lost"
        );
    }
    for (ap, p) in &acked.appointments {
        let appointment = store.appointment(id(ap)).unwrap();
        assert!(
            appointment.is_some_and(|x| x.person_id == id(p)),
            "appointment {ap} lost"
        );
    }
}

/// Every acknowledged write is readable through the API after the restart.
async fn check_all_there(server: &Server, token: &str, acked: &Acked) {
    let c = server.client();
    let h = [("Authorization", token)];
    let ok = |r: Option<(u16, serde_json::Value)>, what: &str| match r {
        Some((200, body)) => body,
        other => panic!("{what} lost after the crash: {other:?}"),
    };
    for p in &acked.persons {
        ok(
            c.try_json("GET", &format!("/api/v1/persons/{p}"), &h, None)
                .await,
            &format!("person {p}"),
        );
    }
    for (a, p) in &acked.accesses {
        let list = ok(
            c.try_json("GET", &format!("/api/v1/persons/{p}/accesses"), &h, None)
                .await,
            "accesses",
        );
        assert!(
            list.as_array()
                .is_some_and(|l| l.iter().any(|x| x["id"] == a.as_str())),
            "access {a} lost after the crash"
        );
    }
    for r in &acked.referrals {
        ok(
            c.try_json("GET", &format!("/api/v1/referrals/{r}"), &h, None)
                .await,
            &format!("referral {r}"),
        );
    }
    for (ap, p) in &acked.appointments {
        let list = ok(
            c.try_json(
                "GET",
                &format!("/api/v1/persons/{p}/appointments"),
                &h,
                None,
            )
            .await,
            "appointments",
        );
        assert!(
            list.as_array()
                .is_some_and(|l| l.iter().any(|x| x["id"] == ap.as_str())),
            "appointment {ap} lost after the crash"
        );
    }
}

#[actix_rt::test]
async fn acknowledged_writes_survive_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(init_desk(&data).status.success());
    let out = cli(
        &data,
        &[
            "user",
            "add",
            "--username",
            "sara",
            "--full-name",
            "Sara Bianchi",
            "--role",
            "assistente_sociale",
        ],
        &[("SPORTELLO_PASSWORD", USER_PASSWORD)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = cli(&data, &["token", "create", "--username", "sara"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = format!("Bearer {}", stdout(&out).lines().last().unwrap());

    let mut rng = Rng::seeded();
    let acked = Rc::new(RefCell::new(Acked::default()));
    let rounds = rounds();
    for round in 0..rounds {
        let mut server = Server::on(&data);
        let stop = Rc::new(Cell::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                writer(
                    server.client(),
                    token.clone(),
                    w,
                    round,
                    acked.clone(),
                    stop.clone(),
                )
            })
            .collect();
        let after = Duration::from_millis(100 + rng.below(500));
        let killer = async {
            actix_rt::time::sleep(after).await;
            server.kill();
            stop.set(true);
        };
        futures_util::future::join(futures_util::future::join_all(writers), killer).await;

        // The database as redb finds it after the kill: intact, audit chain whole.
        let mut store = sportello::store::Store::open(&data).unwrap();
        store
            .check_integrity()
            .expect("database damaged by the kill");
        assert!(store.verify_audit().unwrap().is_ok(), "audit chain broken");
        check_in_store(&store, &acked.borrow());
        drop(store);
    }
    let server = Server::on(&data);
    let so_far = acked.borrow().clone();
    check_all_there(&server, &token, &so_far).await;
    drop(server);

    // Every audited read answered has its entry.
    let store = sportello::store::Store::open(&data).unwrap();
    let mut logged: BTreeMap<String, usize> = BTreeMap::new();
    for e in store.audit_entries().unwrap() {
        if e.action == "person.view" {
            *logged.entry(e.subject.clone()).or_default() += 1;
        }
    }
    let a = acked.borrow();
    for (person, reads) in &a.reads {
        let found = logged.get(person).copied().unwrap_or(0);
        assert!(
            found >= *reads,
            "{person}: {reads} reads answered, {found} in the audit"
        );
    }
    let writes = a.persons.len() + a.accesses.len() + a.referrals.len() + a.appointments.len();
    let reads: usize = a.reads.values().sum();
    println!(
        "{rounds} round con SIGKILL: {writes} scritture confermate ({} persone, {} accessi, {} invii, {} appuntamenti) e {reads} letture registrate, nessuna persa",
        a.persons.len(),
        a.accesses.len(),
        a.referrals.len(),
        a.appointments.len()
    );
    assert!(
        writes > rounds,
        "the harness wrote almost nothing: {writes}"
    );
}
