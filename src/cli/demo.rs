//! `sportello demo`: a fresh data directory filled with a realistic, entirely fictional desk —
//! a few hundred persons and a year of accesses with the seasonality of a real desk's calls
//! (more in autumn and winter, fewer in spring and summer).

use chrono::{Datelike, Duration, Local, NaiveDate, NaiveTime, Utc, Weekday};
use std::path::Path;
use uuid::Uuid;

use super::{cli_actor, open_store};
use sportello::domain::access::{
    local_instant, Access, AnonymousProfile, Need, UnmetNeed, COMPLAINT,
};
use sportello::domain::appointment::{holiday, Appointment};
use sportello::domain::codice_fiscale::{compose, with_omocodia};
use sportello::domain::instance::InstanceForm;
use sportello::domain::password::hash_password;
use sportello::domain::person::{new_temporary_code, HouseholdMember, NoticeGiven, Person, Sex};
use sportello::domain::role::Role;
use sportello::domain::user::{NewUser, User};
use sportello::domain::vocabulary::{age_band, citizenship_area};

/// Monthly weights, January first: incoming calls of a social operations room (seed 001, 2022).
pub(super) const MONTH_WEIGHTS: [u32; 12] = [
    4613, 3711, 3886, 2949, 3494, 3340, 3331, 3194, 3999, 4236, 4590, 4912,
];
const PERSONS: usize = 320;
const ACCESSES: usize = 1400;

/// Deterministic generator (xorshift64*), so the demo is the same everywhere.
pub(super) struct Rng(pub u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// An item by weight.
    pub(super) fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| *w).sum();
        let mut r = (self.next() % u64::from(total.max(1))) as u32;
        for (item, w) in items {
            if r < *w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1].0
    }
}

const SURNAMES: &[&str] = &[
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Lorusso",
    "Cassano",
    "Loiacono",
    "Dell'Aquila",
    "Tarantino",
    "Scarano",
    "Lerario",
    "Abbrescia",
    "D'Amico",
    "Caputo",
    "Fiore",
    "De Santis",
    "Carbone",
    "Basile",
    "Palumbo",
    "Laterza",
    "Dibenedetto",
    "Semeraro",
    "Amoruso",
    "Ventura",
];
const MALE: &[&str] = &[
    "Giuseppe",
    "Antonio",
    "Giovanni",
    "Vito",
    "Nicola",
    "Francesco",
    "Michele",
    "Domenico",
    "Vincenzo",
    "Luigi",
    "Pasquale",
    "Mario",
    "Leonardo",
    "Marco",
    "Niccolò",
    "Savino",
    "Onofrio",
];
const FEMALE: &[&str] = &[
    "Maria",
    "Anna",
    "Giuseppina",
    "Rosa",
    "Angela",
    "Teresa",
    "Lucia",
    "Carmela",
    "Francesca",
    "Isabella",
    "Antonella",
    "Grazia",
    "Lucrezia",
    "Annamaria",
    "Filomena",
    "Maddalena",
];
/// Foreign residents: state code, surnames, male and female names.
type Community = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);
const FOREIGN: &[Community] = &[
    (
        "Z129",
        &["Popescu", "Ionescu", "Dumitru", "Stan"],
        &["Ștefan", "Mihai", "Andrei"],
        &["Ioana", "Elena", "Mădălina"],
    ),
    (
        "Z100",
        &["Hoxha", "Shehu", "Leka", "Dervishi"],
        &["Arben", "Dritan", "Ilir"],
        &["Elira", "Anila", "Blerta"],
    ),
    (
        "Z330",
        &["El Amrani", "Bennani", "Alaoui"],
        &["Youssef", "Mohamed", "Karim"],
        &["Fatima", "Khadija", "Salma"],
    ),
    (
        "Z335",
        &["Okafor", "Adeyemi", "Eze"],
        &["Chinedu", "Emeka", "Tunde"],
        &["Blessing", "Ngozi", "Grace"],
    ),
    (
        "Z127",
        &["Kowalski", "Nowak", "Wiśniewski"],
        &["Łukasz", "Piotr", "Tomasz"],
        &["Agnieszka", "Małgorzata", "Zofia"],
    ),
    (
        "Z138",
        &["Shevchenko", "Kovalenko", "Bondarenko"],
        &["Andrii", "Oleksandr", "Taras"],
        &["Olena", "Iryna", "Oksana"],
    ),
    (
        "Z343",
        &["Diop", "Ndiaye", "Fall"],
        &["Mamadou", "Ousmane", "Cheikh"],
        &["Awa", "Fatou", "Aminata"],
    ),
];
/// Comuni of the demo Ambito (residence) and frequent birth places.
pub(super) const RESIDENCE: &[(&str, u32)] = &[
    ("072046", 45),
    ("072014", 20),
    ("072048", 20),
    ("072018", 8),
    ("072006", 7),
];
const BIRTH_PLACES: &[(&str, u32)] = &[
    ("L425", 30),
    ("A662", 35),
    ("B716", 6),
    ("L571", 6),
    ("C436", 3),
    ("F923", 4),
    ("F839", 5),
    ("L049", 4),
    ("D643", 3),
    ("H501", 2),
    ("F205", 2),
];

pub(super) fn person(rng: &mut Rng, today: NaiveDate) -> Person {
    let foreign = rng.chance(22);
    let sex = if rng.chance(56) { Sex::F } else { Sex::M };
    let age: i64 = if rng.chance(30) {
        65 + rng.below(30) as i64
    } else {
        19 + rng.below(46) as i64
    };
    let birth = today - Duration::days(age * 365 + rng.below(365) as i64);
    let (surname, names, place, citizenship) = if foreign {
        let (state, surnames, male, female) = rng.pick(FOREIGN);
        let names = if sex == Sex::F {
            rng.pick(female)
        } else {
            rng.pick(male)
        };
        (
            rng.pick(surnames).to_string(),
            names.to_string(),
            state.to_string(),
            state.to_string(),
        )
    } else {
        let names = if sex == Sex::F {
            rng.pick(FEMALE)
        } else {
            rng.pick(MALE)
        };
        (
            rng.pick(SURNAMES).to_string(),
            names.to_string(),
            rng.weighted(BIRTH_PLACES).to_string(),
            "IT".to_string(),
        )
    };
    // Some foreigners have no codice fiscale yet: they get a temporary code.
    let cf = (!foreign || rng.chance(70)).then(|| compose(&surname, &names, sex, birth, &place));
    let homeless = rng.chance(3);
    let mut household = Vec::new();
    if rng.chance(40) {
        for _ in 0..1 + rng.below(3) {
            let child_sex = rng.chance(50);
            let name = if child_sex {
                rng.pick(FEMALE)
            } else {
                rng.pick(MALE)
            };
            household.push(HouseholdMember {
                person_id: None,
                name: format!("{name} {surname}"),
                relation: if child_sex {
                    "figlia".into()
                } else {
                    "figlio".into()
                },
                birth_year: Some(birth.year() + 22 + rng.below(15) as i32),
            });
        }
    }
    let now = Utc::now();
    Person {
        id: Uuid::now_v7(),
        temporary_code: cf.is_none().then(new_temporary_code),
        codice_fiscale: cf,
        surname,
        given_names: names,
        sex: Some(sex),
        birth_date: Some(birth),
        birth_place: Some(place),
        citizenship: Some(citizenship),
        residence_istat: (!homeless).then(|| rng.weighted(RESIDENCE).to_string()),
        domicile_istat: None,
        homeless,
        phone: format!("3{:02} {:07}", 20 + rng.below(80), rng.below(10_000_000)),
        email: String::new(),
        language: if foreign {
            "italiano (base)".into()
        } else {
            String::new()
        },
        household,
        created_at: now,
        updated_at: now,
        privacy_notice: rng.chance(85).then(|| NoticeGiven {
            date: today - Duration::days(rng.below(300) as i64),
            version: "1".into(),
            method: if rng.chance(80) {
                "signed".into()
            } else {
                "oral".into()
            },
            recorded_by: "demo".into(),
        }),
        consents: Vec::new(),
        restriction: None,
        merged_into: None,
    }
}

/// Needs that fit the person: elderly people ask about home care, foreigners about integration…
fn needs(rng: &mut Rng, age: Option<u32>, foreign: bool) -> Vec<Need> {
    let area = if age.is_some_and(|a| a >= 65) && rng.chance(70) {
        "elderly"
    } else if foreign && rng.chance(45) {
        "immigrants"
    } else {
        *rng.weighted(&[
            ("poverty", 35),
            ("family_minors", 30),
            ("disability", 12),
            ("addiction", 4),
            ("multi", 6),
        ])
    };
    let categories: &[(&str, u32)] = match area {
        "elderly" => &[
            ("home_care", 35),
            ("residential_care", 15),
            ("information", 20),
            ("economic_support", 15),
            ("health", 15),
        ],
        "immigrants" => &[
            ("administrative", 35),
            ("social_inclusion", 25),
            ("employment", 20),
            ("housing", 10),
            ("information", 10),
        ],
        "family_minors" => &[
            ("family_support", 35),
            ("economic_support", 20),
            ("child_protection", 10),
            ("administrative", 20),
            ("violence", 5),
        ],
        "disability" => &[
            ("home_care", 30),
            ("administrative", 30),
            ("residential_care", 15),
            ("information", 25),
        ],
        "addiction" => &[("health", 60), ("family_support", 40)],
        _ => &[
            ("economic_support", 35),
            ("housing", 20),
            ("employment", 20),
            ("administrative", 15),
            ("emergency", 5),
            ("complaint", 5),
        ],
    };
    let mut out = vec![Need {
        area: area.into(),
        category: rng.weighted(categories).to_string(),
        description: String::new(),
        urgency: rng
            .weighted(&[("ordinary", 85), ("urgent", 13), ("emergency", 2)])
            .to_string(),
        service: None,
    }];
    if rng.chance(25) {
        let second = rng.weighted(categories).to_string();
        if second != out[0].category {
            out.push(Need {
                area: area.into(),
                category: second,
                description: String::new(),
                urgency: "ordinary".into(),
                service: None,
            });
        }
    }
    out
}

/// The same code twice (a true omocodia case among fictional people) is resolved as the
/// Agenzia delle Entrate does: the later one gets letters for digits. `seen` holds the codes
/// given so far.
pub(super) fn unique_code(p: &mut Person, seen: &mut std::collections::HashSet<String>) {
    if let Some(cf) = p.codice_fiscale.clone() {
        let mut candidate = cf.clone();
        let mut mask = 1;
        while !seen.insert(candidate.to_string()) {
            candidate = with_omocodia(&cf, mask);
            mask += 1;
        }
        p.codice_fiscale = Some(candidate);
    }
}

/// Loads the example service directory (fictional services of the demo Ambito BA05).
pub(super) fn load_example_directory(
    store: &sportello::store::Store,
    reference: &sportello::domain::reference::Reference,
    actor: &str,
) -> Result<sportello::domain::hsds::Directory, String> {
    let directory =
        sportello::domain::hsds::import(&sportello::assets::demo_directory()?, &reference.vocab)
            .map_err(|e| e.join("; "))?;
    store
        .import_directory(&directory, actor, "elenco di esempio")
        .map_err(|e| e.to_string())?;
    Ok(directory)
}

/// What an access needs to know of its person.
pub(super) struct Who {
    pub id: Uuid,
    pub birth: Option<NaiveDate>,
    pub foreign: bool,
}

impl Who {
    pub fn of(p: &Person) -> Who {
        Who {
            id: p.id,
            birth: p.birth_date,
            foreign: p
                .citizenship
                .as_deref()
                .is_some_and(|c| citizenship_area(c) != "italy"),
        }
    }
}

/// One access at `time`, of the person (`None`: an anonymous contact), as a real desk's mix of
/// channels, reasons, needs and outcomes.
pub(super) fn access(
    rng: &mut Rng,
    time: chrono::DateTime<Utc>,
    worker: &User,
    who: Option<&Who>,
) -> Access {
    let anonymous = who.is_none();
    let (person_id, profile, age, foreign) = match who {
        None => {
            let age = 18 + rng.below(70) as u32;
            let area = *rng.weighted(&[("italy", 75), ("non_eu", 18), ("eu", 7)]);
            (
                None,
                Some(AnonymousProfile {
                    sex: Some(if rng.chance(55) { Sex::F } else { Sex::M }),
                    age_band: age_band(Some(age)).into(),
                    citizenship_area: area.into(),
                    ..Default::default()
                }),
                Some(age),
                area != "italy",
            )
        }
        Some(w) => {
            let age = w.birth.and_then(|b| {
                let today = time.date_naive();
                today.years_since(b)
            });
            (Some(w.id), None, age, w.foreign)
        }
    };
    let channel = if anonymous {
        *rng.weighted(&[("phone", 70), ("in_person", 20), ("email", 10)])
    } else {
        *rng.weighted(&[
            ("in_person", 62),
            ("phone", 22),
            ("email", 8),
            ("home_visit", 4),
            ("written_report", 2),
            ("other_remote", 2),
        ])
    };
    let reason = *rng.weighted(&[
        ("spontaneous", 80),
        ("sent_by", 12),
        ("summoned", 7),
        ("decree", 1),
    ]);
    let mut outcomes = vec![rng
        .weighted(&[
            ("information_given", 40),
            ("oriented", 28),
            ("referred", 8),
            ("proposed_taking_charge", 5),
            ("administrative_support", 14),
            ("not_competent", 5),
        ])
        .to_string()];
    if !anonymous && rng.chance(15) {
        outcomes.push("appointment_set".into());
    }
    Access {
        id: Uuid::now_v7(),
        time,
        channel: channel.into(),
        interlocutor: rng
            .weighted(&[
                ("user", 78),
                ("relative", 15),
                ("organization", 4),
                ("institutional", 3),
            ])
            .to_string(),
        reason: reason.into(),
        sending_service: if reason == "sent_by" {
            rng.pick(&[
                "Medico di base",
                "Centro per l'impiego",
                "Scuola",
                "Consultorio",
            ])
            .to_string()
        } else {
            String::new()
        },
        person_id,
        anonymous: profile,
        operator_id: worker.id,
        operator_name: worker.full_name.clone(),
        duration_minutes: Some(if channel == "phone" {
            3 + rng.below(12)
        } else {
            10 + rng.below(40)
        } as u32),
        needs: needs(rng, age, foreign),
        outcomes,
        notes: String::new(),
        reserved_notes: String::new(),
        appointment_id: None,
        quick: anonymous && channel == "phone",
        created_at: time,
        services: Vec::new(),
        unmet: Vec::new(),
        history: Vec::new(),
        interlocutor_name: String::new(),
        interlocutor_relation: String::new(),
    }
}

/// A working moment of a weekday in the month given, at the desk's opening hours.
pub(super) fn desk_time(
    rng: &mut Rng,
    year: i32,
    month: u32,
    today: NaiveDate,
) -> Option<chrono::DateTime<Utc>> {
    for _ in 0..20 {
        let day = NaiveDate::from_ymd_opt(year, month, 1 + rng.below(28) as u32)?;
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
            || holiday(day).is_some()
            || day > today
        {
            continue;
        }
        let afternoon = matches!(day.weekday(), Weekday::Tue | Weekday::Thu) && rng.chance(30);
        let hour = if afternoon {
            15 + rng.below(2)
        } else {
            9 + rng.below(4)
        } as u32;
        let time = NaiveTime::from_hms_opt(hour, rng.below(60) as u32, 0)?;
        // Today only up to now: no access recorded in the future.
        match local_instant(day, time) {
            Some(t) if t > Utc::now() => continue,
            other => return other,
        }
    }
    None
}

/// Sets up a new installation (desk, or district of the example Ambito) with one fictional user
/// per role; refuses a data directory already in use. Returns the users with their passwords,
/// the administrator first.
pub(super) fn set_up(
    store: &sportello::store::Store,
    reference: &sportello::domain::reference::Reference,
    role: &str,
) -> Result<Vec<(User, String)>, String> {
    if store.instance().map_err(|e| e.to_string())?.is_some() {
        return Err(format!(
            "La cartella {} contiene già un'installazione: per i dati di esempio usare una cartella nuova (--data).",
            store.path().parent().unwrap_or(store.path()).display()
        ));
    }
    let checked = InstanceForm {
        role: role.into(),
        comune_istat: "072046".into(),
        comune_name: "Triggiano".into(),
        ambito_code: "BA05".into(),
        ambito_name: "Ambito territoriale di Triggiano (dati di esempio)".into(),
    }
    .validate(&reference.comuni)
    .map_err(|e| format!("{e:?}"))?;
    let actor = cli_actor();
    let accounts = [
        ("admin", "Anna Amministratrice", Role::Amministratore),
        ("responsabile", "Roberta Responsabile", Role::Responsabile),
        (
            "assistente",
            "Sara Assistente Sociale",
            Role::AssistenteSociale,
        ),
        ("operatore", "Ottavio Operatore", Role::Operatore),
    ];
    let mut users: Vec<(User, String)> = Vec::new();
    for (i, (username, full_name, role)) in accounts.iter().enumerate() {
        let password = format!("demo-{username}-2026");
        let new = NewUser {
            username: username.to_string(),
            full_name: full_name.to_string(),
            roles: vec![*role],
            password: password.clone(),
            temporary: false,
        }
        .validate()
        .map_err(|e| format!("{e:?}"))?;
        let hash = hash_password(&password).map_err(|e| e.to_string())?;
        let user = if i == 0 {
            store
                .setup(&checked, &new, hash, &actor)
                .map_err(|e| e.to_string())?
                .1
        } else {
            store
                .create_user(&new, hash, &actor)
                .map_err(|e| e.to_string())?
        };
        users.push((user, password));
    }
    Ok(users)
}

pub fn run(data: &Path) -> Result<(), String> {
    let store = open_store(data)?;
    let reference = sportello::assets::reference()?;
    let users = set_up(&store, &reference, "desk")?;
    let actor = cli_actor();
    let workers: Vec<&User> = users.iter().skip(1).map(|(u, _)| u).collect();

    let mut rng = Rng(0x5EED_2026_0B05);
    let today = Local::now().date_naive();
    let mut persons: Vec<Person> = (0..PERSONS).map(|_| person(&mut rng, today)).collect();
    let mut seen = std::collections::HashSet::new();
    for p in &mut persons {
        unique_code(p, &mut seen);
        // Notices were handed over by the desk's own workers.
        if let Some(n) = &mut p.privacy_notice {
            n.recorded_by = rng.pick(&workers).username.clone();
        }
    }

    let total_weight: u32 = MONTH_WEIGHTS.iter().sum();
    let mut accesses = Vec::with_capacity(ACCESSES);
    for back in (0..12i32).rev() {
        let index = today.year() * 12 + today.month0() as i32 - back;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let mut count = ACCESSES as u32 * MONTH_WEIGHTS[month as usize - 1] / total_weight;
        if back == 0 {
            // The month in course only so far: its accesses must not crowd into the first days.
            count = count * today.day() / 30;
        }
        for _ in 0..count {
            let Some(time) = desk_time(&mut rng, year, month, today) else {
                continue;
            };
            let worker = *rng.pick(&workers);
            // A few people come back often: pick among the first third more frequently.
            let who = (!rng.chance(30)).then(|| {
                let idx = if rng.chance(40) {
                    rng.below(PERSONS / 3)
                } else {
                    rng.below(PERSONS)
                };
                Who::of(&persons[idx])
            });
            accesses.push(access(&mut rng, time, worker, who.as_ref()));
        }
    }

    // This morning's visitors so far, so that the desk's day is not empty.
    if !matches!(today.weekday(), Weekday::Sat | Weekday::Sun) && holiday(today).is_none() {
        for (hour, minute) in [(9, 5), (9, 40), (10, 20), (11, 10), (12, 0)] {
            let time =
                NaiveTime::from_hms_opt(hour, minute, 0).and_then(|t| local_instant(today, t));
            let Some(time) = time.filter(|t| *t <= Utc::now()) else {
                continue;
            };
            let worker = *rng.pick(&workers);
            let who = Who::of(&persons[rng.below(PERSONS)]);
            accesses.push(access(&mut rng, time, worker, Some(&who)));
        }
    }

    // Some needs found no service (the gaps of the Piano di Zona), and a few complaints.
    for a in accesses.iter_mut().filter(|a| a.person_id.is_some()) {
        if rng.chance(4) {
            let reason = *rng.pick(&["no_service", "full", "not_eligible", "waiting_list"]);
            a.unmet.push(UnmetNeed {
                need: 0,
                reason: reason.into(),
                service: None,
                note: String::new(),
                recorded_by: workers
                    .iter()
                    .find(|w| w.id == a.operator_id)
                    .map_or_else(String::new, |w| w.username.clone()),
                at: a.time,
            });
        } else if rng.chance(1) {
            a.needs.push(Need {
                area: "multi".into(),
                category: COMPLAINT.into(),
                description: rng
                    .pick(&[
                        "Attesa troppo lunga per la risposta alla domanda",
                        "Orari dello sportello poco chiari",
                        "Nessuno ha richiamato come promesso",
                    ])
                    .to_string(),
                urgency: "ordinary".into(),
                service: None,
            });
        }
    }

    let mut appointments = Vec::new();
    for i in 0..24 {
        let day = today + Duration::days(1 + (i / 3) as i64);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) || holiday(day).is_some() {
            continue;
        }
        let Some(start) = local_instant(
            day,
            NaiveTime::from_hms_opt(9 + (i % 3) as u32, 30, 0).unwrap_or(NaiveTime::MIN),
        ) else {
            continue;
        };
        let worker = *rng.pick(&workers);
        let p = &persons[rng.below(PERSONS)];
        appointments.push(Appointment {
            id: Uuid::now_v7(),
            person_id: p.id,
            access_id: None,
            operator_id: worker.id,
            operator_name: worker.full_name.clone(),
            start,
            duration_minutes: 30,
            place: "Servizi sociali, Piazza Vittorio Veneto – piano terra".into(),
            purpose: rng
                .pick(&[
                    "Colloquio di approfondimento",
                    "Consegna documenti ISEE",
                    "Domanda di assistenza domiciliare",
                    "Verifica del progetto",
                ])
                .to_string(),
            cancelled: false,
            cancel_reason: String::new(),
            outcome: None,
            history: Vec::new(),
            created_at: Utc::now(),
        });
    }

    store
        .bulk_insert(
            &persons,
            &accesses,
            &appointments,
            &actor,
            "dati di esempio",
        )
        .map_err(|e| e.to_string())?;
    let directory = load_example_directory(&store, &reference, &actor)?;
    let referrals = super::demo_referrals::referrals(
        &mut rng,
        &accesses,
        &persons,
        &directory.services,
        &workers,
        Utc::now(),
    );
    store
        .bulk_insert_referrals(&referrals, &actor, "dati di esempio")
        .map_err(|e| e.to_string())?;
    println!("Dati di esempio (fittizi) caricati in {}:", data.display());
    println!(
        "  {} persone, {} accessi in 12 mesi, {} invii, {} appuntamenti nelle prossime settimane.",
        persons.len(),
        accesses.len(),
        referrals.len(),
        appointments.len()
    );
    println!(
        "  elenco di esempio: {} servizi di {} enti dell'Ambito BA05.",
        directory.services.len(),
        directory.organizations.len()
    );
    println!("Accessi (utente / password):");
    for (u, password) in &users {
        println!("  {:<13} {:<24} {}", u.username, password, u.role_labels());
    }
    println!("Avviare con: sportello --data {} serve", data.display());
    Ok(())
}
