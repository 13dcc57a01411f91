//! `sportello bench-data`: a new data directory filled at the scale of a large desk or of a whole
//! Ambito, entirely fictional, for the benchmarks and for anyone who wants to try the appliance
//! with years of data. The desk's records are made as `sportello demo` makes them (valid codici
//! fiscali, Italian and foreign names with accents, a desk's seasonality), over five years up to
//! today; the district holds the pseudonymous records of K desks, as if imported from them.

use chrono::{Datelike, Local, Utc};
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

use super::demo::{self, Rng, Who, MONTH_WEIGHTS};
use super::{cli_actor, open_store};
use sportello::domain::district::AccessRecord;
use sportello::domain::referral::{Referral, ReferralStatus, StatusChange, Target};
use sportello::store::district::IncomingDeskBundle;
use sportello::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// Desk: how many persons.
    #[arg(long, default_value_t = 100_000)]
    persons: usize,
    /// How many accesses (desk) or statistical records (district).
    #[arg(long, default_value_t = 500_000)]
    accesses: usize,
    /// A district holding the records of --desks desks, instead of a desk.
    #[arg(long)]
    district: bool,
    /// District: how many desks send records.
    #[arg(long, default_value_t = 20)]
    desks: usize,
}

/// Records written per transaction: large enough to be fast, small enough for little memory.
const CHUNK: usize = 20_000;
/// Five years, as the retention term leaves them.
const MONTHS: i32 = 60;

pub fn run(data: &Path, args: Args) -> Result<(), String> {
    let store = open_store(data)?;
    let reference = sportello::assets::reference()?;
    let role = if args.district { "district" } else { "desk" };
    let users = demo::set_up(&store, &reference, role)?;
    let started = Instant::now();
    let mut rng = Rng(0x5EED_BE7C_0001);
    if args.district {
        district(&store, &reference, &mut rng, &args)?;
    } else {
        desk(&store, &reference, &mut rng, &users[1..], &args)?;
    }
    println!(
        "Dati per le prove di carico (fittizi) in {}, pronti in {:.0} s.",
        data.display(),
        started.elapsed().as_secs_f64()
    );
    println!("Accessi (utente / password):");
    for (u, password) in &users {
        println!("  {:<13} {:<24} {}", u.username, password, u.role_labels());
    }
    println!("Avviare con: sportello --data {} serve", data.display());
    Ok(())
}

/// (year, month) of each of the last `MONTHS` months, oldest first, with how many of `total`
/// records fall in it (the seasonality of a desk's calls).
fn months(total: usize) -> Vec<(i32, u32, usize)> {
    let today = Local::now().date_naive();
    let weight = |m: u32| u64::from(MONTH_WEIGHTS[m as usize - 1]);
    let list: Vec<(i32, u32)> = (0..MONTHS)
        .rev()
        .map(|back| {
            let index = today.year() * 12 + today.month0() as i32 - back;
            (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
        })
        .collect();
    let sum: u64 = list.iter().map(|&(_, m)| weight(m)).sum();
    let mut out: Vec<(i32, u32, usize)> = list
        .iter()
        .map(|&(y, m)| (y, m, (total as u64 * weight(m) / sum.max(1)) as usize))
        .collect();
    let given: usize = out.iter().map(|o| o.2).sum();
    if let Some(last) = out.last_mut() {
        last.2 += total.saturating_sub(given);
    }
    out
}

fn desk(
    store: &Store,
    reference: &sportello::domain::reference::Reference,
    rng: &mut Rng,
    workers: &[(sportello::domain::user::User, String)],
    args: &Args,
) -> Result<(), String> {
    let actor = cli_actor();
    let today = Local::now().date_naive();
    let what = "dati per le prove di carico";
    let mut who: Vec<Who> = Vec::with_capacity(args.persons);
    let mut seen = HashSet::with_capacity(args.persons);
    while who.len() < args.persons {
        let n = CHUNK.min(args.persons - who.len());
        let mut chunk = Vec::with_capacity(n);
        for _ in 0..n {
            let mut p = demo::person(rng, today);
            demo::unique_code(&mut p, &mut seen);
            who.push(Who::of(&p));
            chunk.push(p);
        }
        store
            .bulk_insert(&chunk, &[], &[], &actor, what)
            .map_err(|e| e.to_string())?;
    }
    eprintln!("{} persone", who.len());
    let mut made = 0;
    let mut referrals = Vec::new();
    for (year, month, count) in months(args.accesses) {
        let mut left = count;
        while left > 0 {
            let n = CHUNK.min(left);
            let mut chunk = Vec::with_capacity(n);
            while chunk.len() < n {
                let Some(time) = when(rng, year, month, today) else {
                    break;
                };
                let (worker, _) = rng.pick(workers);
                // One in ten persons comes back often.
                let person = (!who.is_empty() && !rng.chance(30)).then(|| {
                    let i = if rng.chance(40) {
                        rng.below(who.len() / 10 + 1)
                    } else {
                        rng.below(who.len())
                    };
                    &who[i]
                });
                let a = demo::access(rng, time, worker, person);
                if let Some(p) = person.filter(|_| rng.chance(2)) {
                    referrals.push(referral(&a, p.id, &worker.full_name));
                }
                chunk.push(a);
            }
            if chunk.is_empty() {
                break;
            }
            left -= n;
            made += chunk.len();
            store
                .bulk_insert(&[], &chunk, &[], &actor, what)
                .map_err(|e| e.to_string())?;
            if referrals.len() >= CHUNK {
                store
                    .bulk_insert_referrals(&referrals, &actor, what)
                    .map_err(|e| e.to_string())?;
                referrals.clear();
            }
        }
        eprintln!("{year}-{month:02}: {made} accessi");
    }
    store
        .bulk_insert_referrals(&referrals, &actor, what)
        .map_err(|e| e.to_string())?;
    demo::load_example_directory(store, reference, &actor)?;
    println!(
        "Sportello: {} persone, {made} accessi in {MONTHS} mesi, l'elenco di esempio.",
        who.len()
    );
    Ok(())
}

/// A working moment in the month; this month's days still to come fall back on last month's.
fn when(
    rng: &mut Rng,
    year: i32,
    month: u32,
    today: chrono::NaiveDate,
) -> Option<chrono::DateTime<Utc>> {
    demo::desk_time(rng, year, month, today).or_else(|| {
        let (y, m) = if month == 1 {
            (year - 1, 12)
        } else {
            (year, month - 1)
        };
        demo::desk_time(rng, y, m, today)
    })
}

/// A referral to the professional social service, sent the day of the access.
fn referral(a: &sportello::domain::access::Access, person: Uuid, by: &str) -> Referral {
    let step = |status| StatusChange {
        status,
        at: a.time,
        by: by.to_string(),
        note: String::new(),
    };
    Referral {
        id: Uuid::now_v7(),
        access_id: a.id,
        person_id: person,
        target: Target::Ssp,
        target_name: "Servizio Sociale Professionale".into(),
        reason: "Proposta di presa in carico".into(),
        urgency: "ordinary".into(),
        status: ReferralStatus::Inviato,
        history: vec![step(ReferralStatus::Bozza), step(ReferralStatus::Inviato)],
        privacy_override: None,
        created_at: a.time,
        district_notice: None,
        carried: None,
    }
}

/// The ISTAT codes of `k` comuni, the example Ambito's first, then others of Apulia.
fn desk_comuni(reference: &sportello::domain::reference::Reference, k: usize) -> Vec<String> {
    let mut out: Vec<String> = demo::RESIDENCE.iter().map(|(c, _)| c.to_string()).collect();
    'provinces: for province in ["072", "071", "073", "074", "075", "110"] {
        for n in 1..=130 {
            if out.len() >= k {
                break 'provinces;
            }
            let code = format!("{province}{n:03}");
            if reference.comuni.get(&code).is_some() && !out.contains(&code) {
                out.push(code);
            }
        }
    }
    out.truncate(k.max(1));
    out
}

fn district(
    store: &Store,
    reference: &sportello::domain::reference::Reference,
    rng: &mut Rng,
    args: &Args,
) -> Result<(), String> {
    let actor = cli_actor();
    let today = Local::now().date_naive();
    let desks = desk_comuni(reference, args.desks);
    // A person for about every five records; most stay with their desk's comune.
    let population = (args.accesses / 5).max(1) as u64;
    let worker = sportello::domain::user::User {
        id: Uuid::nil(),
        username: "sportello".into(),
        full_name: "Sportello".into(),
        roles: vec![],
        password_hash: String::new(),
        must_change_password: false,
        disabled: false,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let mut sequence = vec![0u64; desks.len()];
    let mut made = 0;
    for (year, month, count) in months(args.accesses) {
        // Each month, every desk sends its records in bundles.
        let per_desk = count / desks.len() + 1;
        for (d, comune) in desks.iter().enumerate() {
            let mut left = per_desk.min(count.saturating_sub(per_desk * d));
            while left > 0 {
                let n = CHUNK.min(left);
                let mut accesses = Vec::with_capacity(n);
                while accesses.len() < n {
                    let Some(time) = when(rng, year, month, today) else {
                        break;
                    };
                    let a = demo::access(rng, time, &worker, None);
                    let identified = !rng.chance(25);
                    let key = identified.then(|| {
                        let person = rng.next() % population;
                        format!("{:064x}", person.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                    });
                    let mut r = AccessRecord::of(a, None, key, false);
                    r.comune = identified.then(|| {
                        if rng.chance(90) {
                            comune.clone()
                        } else {
                            rng.pick(&desks).clone()
                        }
                    });
                    accesses.push(r);
                }
                if accesses.is_empty() {
                    break;
                }
                left -= n;
                made += accesses.len();
                sequence[d] += 1;
                let name = reference
                    .comuni
                    .get(comune)
                    .map_or_else(|| comune.clone(), |c| c.name.clone());
                store
                    .apply_desk_bundle(
                        &IncomingDeskBundle {
                            bundle_id: Uuid::now_v7(),
                            sequence: sequence[d],
                            digest: String::new(),
                            adoption: None,
                            source_instance: format!("sportello-{comune}"),
                            comune_istat: comune.clone(),
                            comune_name: name,
                            accesses,
                            referrals: vec![],
                            anonymizations: vec![],
                        },
                        &actor,
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
        eprintln!("{year}-{month:02}: {made} record");
    }
    println!(
        "Ambito: {made} record statistici di {} sportelli in {MONTHS} mesi.",
        desks.len()
    );
    Ok(())
}
