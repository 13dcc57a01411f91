//! The maintained statistics always equal a full recount of the records, after any sequence of
//! creates, edits, referrals, restrictions, anonymizations (desk) and bundle imports (district).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::district::IncomingDeskBundle;
use super::test_support::{clear_temp_store, temp_store};
use super::Store;
use crate::domain::access::{Access, Need};
use crate::domain::audit::Action;
use crate::domain::codice_fiscale::compose;
use crate::domain::district::{AccessRecord, ReferralRecord, ReferredPerson, SentReferral};
use crate::domain::person::{new_temporary_code, Person, PersonData, Sex};
use crate::domain::privacy::Restriction;
use crate::domain::referral::{Referral, ReferralStatus, Target};
use crate::stats::aggregate::WHOLE;
use crate::stats::{Counter, Dimension, Month, Period, Report};

const AREAS: [&str; 3] = ["family", "poverty", "elderly"];
const CATEGORIES: [&str; 3] = ["housing", "economic", "information"];
const CHANNELS: [&str; 3] = ["in_person", "phone", "email"];
const COMUNI: [&str; 3] = ["072006", "072011", "072043"];
const YEARS: [i32; 3] = [2024, 2025, 2026];

#[derive(Debug, Clone)]
enum DeskOp {
    NewPerson {
        cf: bool,
        female: bool,
        comune: usize,
    },
    NewAccess {
        person: Option<usize>,
        month: u32,
        needs: Vec<(usize, usize)>,
        channel: usize,
    },
    EditPerson {
        person: usize,
        cf: bool,
        comune: Option<usize>,
        female: bool,
    },
    EditAccess {
        access: usize,
        needs: Vec<(usize, usize)>,
        channel: usize,
    },
    /// Orientation: a service chosen, the first need unmet (at a service or not), a
    /// complaint about a service.
    Orient {
        access: usize,
        service: usize,
        unmet: bool,
    },
    Refer {
        access: usize,
        sent: bool,
    },
    SendDraft {
        referral: usize,
    },
    Restrict {
        person: usize,
        on: bool,
    },
    Anonymize {
        person: usize,
    },
    Rebuild,
}

fn needs() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..3usize, 0..3usize), 0..3)
}

fn desk_op() -> impl Strategy<Value = DeskOp> {
    prop_oneof![
        3 => (any::<bool>(), any::<bool>(), 0..3usize)
            .prop_map(|(cf, female, comune)| DeskOp::NewPerson { cf, female, comune }),
        6 => (prop::option::of(0..8usize), 0..36u32, needs(), 0..3usize).prop_map(
            |(person, month, needs, channel)| DeskOp::NewAccess { person, month, needs, channel }
        ),
        2 => (0..8usize, any::<bool>(), prop::option::of(0..3usize), any::<bool>()).prop_map(
            |(person, cf, comune, female)| DeskOp::EditPerson { person, cf, comune, female }
        ),
        2 => (0..16usize, needs(), 0..3usize)
            .prop_map(|(access, needs, channel)| DeskOp::EditAccess { access, needs, channel }),
        2 => (0..16usize, any::<bool>()).prop_map(|(access, sent)| DeskOp::Refer { access, sent }),
        2 => (0..16usize, 0..3usize, any::<bool>())
            .prop_map(|(access, service, unmet)| DeskOp::Orient { access, service, unmet }),
        1 => (0..4usize).prop_map(|referral| DeskOp::SendDraft { referral }),
        1 => (0..8usize, any::<bool>()).prop_map(|(person, on)| DeskOp::Restrict { person, on }),
        1 => (0..8usize).prop_map(|person| DeskOp::Anonymize { person }),
        1 => Just(DeskOp::Rebuild),
    ]
}

fn birth(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Duration::days(i as i64 * 400)
}

fn data(i: usize, cf: bool, female: bool, comune: Option<usize>) -> PersonData {
    let sex = if female { Sex::F } else { Sex::M };
    let surname = format!("Rossi{}", char::from(b'a' + (i % 26) as u8));
    PersonData {
        codice_fiscale: cf.then(|| compose(&surname, "Maria", sex, birth(i), "H501")),
        surname,
        given_names: "Maria".into(),
        sex: Some(sex),
        birth_date: Some(birth(i)),
        birth_place: None,
        citizenship: Some(if i.is_multiple_of(2) { "ITA" } else { "MAR" }.into()),
        residence_istat: comune.map(|c| COMUNI[c].to_string()),
        domicile_istat: None,
        homeless: false,
        phone: String::new(),
        email: String::new(),
        language: String::new(),
        household: vec![],
        household_links: vec![],
        warnings: vec![],
    }
}

/// The 15th of a month from January 2024, at noon (far from any month's edge in any zone).
fn month_time(m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024 + (m / 12) as i32, 1 + m % 12, 15, 12, 0, 0)
        .unwrap()
}

fn to_needs(n: &[(usize, usize)]) -> Vec<Need> {
    n.iter()
        .map(|&(a, c)| Need {
            area: AREAS[a].into(),
            category: CATEGORIES[c].into(),
            description: String::new(),
            urgency: "ordinary".into(),
            service: None,
        })
        .collect()
}

fn access(person: Option<Uuid>, m: u32, needs: &[(usize, usize)], channel: usize) -> Access {
    let time = month_time(m);
    Access {
        id: Uuid::now_v7(),
        time,
        channel: CHANNELS[channel].into(),
        interlocutor: "self".into(),
        reason: "information".into(),
        sending_service: String::new(),
        person_id: person,
        anonymous: person
            .is_none()
            .then(|| crate::domain::access::AnonymousProfile {
                sex: Some(Sex::F),
                age_band: "35_44".into(),
                citizenship_area: "italy".into(),
                ..Default::default()
            }),
        operator_id: Uuid::nil(),
        operator_name: "test".into(),
        duration_minutes: None,
        needs: to_needs(needs),
        outcomes: vec!["information_given".into()],
        notes: String::new(),
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
}

fn dimensions(district_whole: bool) -> Vec<Dimension> {
    let mut d = Vec::new();
    if district_whole {
        d.push(Dimension::Desk);
    }
    d.extend(Dimension::DESK);
    if district_whole {
        d.push(Dimension::UnmetDesk);
    }
    d
}

/// The periods compared: each calendar year, single months, and spans across years (whose
/// distinct persons are counted from the presences).
fn periods() -> Vec<Period> {
    let m = |s: &str| Month::parse(s).unwrap();
    let mut out: Vec<Period> = YEARS.iter().map(|y| Period::year(*y)).collect();
    for (from, to) in [
        ("2025-03", "2025-03"),
        ("2024-06", "2025-05"),
        ("2025-11", "2026-02"),
        ("2024-01", "2026-12"),
    ] {
        out.push(Period::new(m(from), m(to)).unwrap());
    }
    out
}

/// A period's report as `/statistiche` reads it from the maintained counters.
fn maintained(store: &Store, scope: Option<&str>, people: &str, p: Period, whole: bool) -> Report {
    store
        .stat_reports(scope, people, &dimensions(whole), &[p])
        .unwrap()
        .reports
        .remove(0)
}

fn recount(records: &[AccessRecord], desk: Option<&str>, p: Period, whole: bool) -> Report {
    let mut c = Counter::new(p, desk, &dimensions(whole));
    for r in records {
        c.add(r);
    }
    c.finish()
}

fn run_desk(ops: &[DeskOp]) -> Result<(), TestCaseError> {
    let (dir, store) = temp_store();
    drop(store);
    run_desk_on(dir.path(), ops)
}

fn run_desk_on(dir: &std::path::Path, ops: &[DeskOp]) -> Result<(), TestCaseError> {
    let store = Store::open(dir).unwrap();
    let mut persons: Vec<Person> = Vec::new();
    let mut accesses: Vec<Uuid> = Vec::new();
    let mut referrals: Vec<Uuid> = Vec::new();
    for op in ops {
        // A refusal (restricted person, illegal step) is a legitimate outcome: the invariant
        // must hold whatever the store accepted.
        match op {
            DeskOp::NewPerson { cf, female, comune } => {
                let p = data(persons.len(), *cf, *female, Some(*comune))
                    .into_new_person(new_temporary_code(), Utc::now());
                if store.create_person(&p, "t").is_ok() {
                    persons.push(p);
                }
            }
            DeskOp::NewAccess {
                person,
                month,
                needs,
                channel,
            } => {
                let pid = person.and_then(|i| persons.get(i)).map(|p| p.id);
                let a = access(pid, *month, needs, *channel);
                if store.create_access(&a, None, None, "t").is_ok() {
                    accesses.push(a.id);
                }
            }
            DeskOp::EditPerson {
                person,
                cf,
                comune,
                female,
            } => {
                if persons.get(*person).is_some() {
                    let _ = store.update_person(
                        persons[*person].id,
                        data(*person, *cf, *female, *comune),
                        "t",
                    );
                }
            }
            DeskOp::EditAccess {
                access,
                needs,
                channel,
            } => {
                if let Some(id) = accesses.get(*access) {
                    let _ = store.modify_access(*id, "t", Action::AccessOrientation, "", |a| {
                        a.needs = to_needs(needs);
                        a.channel = CHANNELS[*channel].into();
                        Ok(())
                    });
                }
            }
            DeskOp::Orient {
                access,
                service,
                unmet,
            } => {
                if let Some(id) = accesses.get(*access) {
                    let service = Uuid::from_u128(*service as u128 + 1);
                    let _ = store.modify_access(*id, "t", Action::AccessOrientation, "", |a| {
                        a.services.retain(|s| *s != service);
                        a.services.push(service);
                        if let Some(n) = a.needs.first_mut() {
                            if *unmet {
                                n.category = crate::domain::access::COMPLAINT.into();
                                n.service = Some(service);
                            }
                        }
                        a.unmet.retain(|u| u.need != 0);
                        if !a.needs.is_empty() {
                            a.unmet.push(crate::domain::access::UnmetNeed {
                                need: 0,
                                reason: if *unmet { "full" } else { "no_service" }.into(),
                                service: unmet.then_some(service),
                                note: String::new(),
                                recorded_by: "t".into(),
                                at: Utc::now(),
                            });
                        }
                        Ok(())
                    });
                }
            }
            DeskOp::Refer { access, sent } => {
                let Some(a) = accesses
                    .get(*access)
                    .and_then(|id| store.access(*id).unwrap())
                else {
                    continue;
                };
                let Some(pid) = a.person_id else { continue };
                let r = Referral {
                    id: Uuid::now_v7(),
                    access_id: a.id,
                    person_id: pid,
                    target: Target::Ssp,
                    target_name: "Servizio Sociale Professionale".into(),
                    reason: "x".into(),
                    urgency: "ordinary".into(),
                    status: if *sent {
                        ReferralStatus::Inviato
                    } else {
                        ReferralStatus::Bozza
                    },
                    history: vec![],
                    privacy_override: None,
                    created_at: Utc::now(),
                    district_notice: None,
                    carried: None,
                };
                if store.create_referral(&r, "t").is_ok() {
                    referrals.push(r.id);
                }
            }
            DeskOp::SendDraft { referral } => {
                if let Some(id) = referrals.get(*referral) {
                    let _ = store.advance_referral(*id, ReferralStatus::Inviato, "", None, "t");
                }
            }
            DeskOp::Restrict { person, on } => {
                if let Some(p) = persons.get(*person) {
                    let on = *on;
                    let _ = store.modify_person_privacy(p.id, "t", Action::PersonUpdate, "", |p| {
                        p.restriction = on.then(|| Restriction {
                            since: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                            reason: "richiesta".into(),
                            by: "t".into(),
                        });
                        Ok(())
                    });
                }
            }
            DeskOp::Anonymize { person } => {
                if let Some(p) = persons.get(*person) {
                    store.anonymize(&[p.id], &|_| None, "t").unwrap();
                }
            }
            DeskOp::Rebuild => {
                let r = store.rebuild_stats("t").unwrap();
                prop_assert_eq!(r.differed, 0, "the recount found drift after {:?}", ops);
            }
        }
    }
    let records = store.desk_access_records().unwrap();
    for p in periods() {
        prop_assert_eq!(
            maintained(&store, Some(""), "", p, false),
            recount(&records, None, p, false),
            "{}",
            p.label()
        );
    }
    prop_assert_eq!(store.rebuild_stats("t").unwrap().differed, 0);
    Ok(())
}

#[derive(Debug, Clone)]
struct Rec {
    desk: usize,
    /// Some(i): a newer copy of the i-th record sent before (by whichever desk).
    resend: Option<usize>,
    month: u32,
    person: Option<u8>,
    needs: Vec<(usize, usize)>,
    channel: usize,
}

#[derive(Debug, Clone)]
struct Bundle {
    desk: usize,
    records: Vec<Rec>,
    /// Referrals for the i-th record sent so far (or of this bundle).
    referrals: Vec<usize>,
}

fn bundle() -> impl Strategy<Value = Bundle> {
    let rec = (
        0..3usize,
        prop::option::weighted(0.2, 0..30usize),
        0..36u32,
        prop::option::of(0..10u8),
        needs(),
        0..3usize,
    )
        .prop_map(|(desk, resend, month, person, needs, channel)| Rec {
            desk,
            resend,
            month,
            person,
            needs,
            channel,
        });
    (
        0..3usize,
        prop::collection::vec(rec, 0..12),
        prop::collection::vec(0..30usize, 0..3),
    )
        .prop_map(|(desk, records, referrals)| Bundle {
            desk,
            records,
            referrals,
        })
}

fn referral_record(access_id: Uuid) -> ReferralRecord {
    ReferralRecord {
        referral: SentReferral {
            id: Uuid::now_v7(),
            access_id,
            reason: "x".into(),
            urgency: "ordinary".into(),
            status: ReferralStatus::Inviato,
            history: vec![],
            created_at: Utc::now(),
        },
        person: ReferredPerson {
            id: Uuid::now_v7(),
            codice_fiscale: None,
            surname: "Rossi".into(),
            given_names: "Maria".into(),
            sex: None,
            birth_date: None,
            birth_place: None,
            citizenship: None,
            residence_istat: None,
            homeless: false,
            phone: String::new(),
            email: String::new(),
            language: String::new(),
            privacy_notice: None,
        },
        needs: vec![],
        outcomes: vec![],
    }
}

fn run_district(bundles: &[Bundle]) -> Result<(), TestCaseError> {
    let (_dir, store) = temp_store();
    let mut sent: Vec<Uuid> = Vec::new();
    let mut sequence = [0u64; 3];
    for b in bundles {
        let mut accesses = Vec::new();
        for r in &b.records {
            let id = r
                .resend
                .and_then(|i| sent.get(i).copied())
                .unwrap_or_else(Uuid::now_v7);
            let a = access(None, r.month, &r.needs, r.channel);
            let mut rec = AccessRecord::of(
                Access { id, ..a },
                None,
                r.person.map(|p| format!("{p:064x}")),
                false,
            );
            rec.comune = Some(COMUNI[r.desk].into());
            // Some needs found no service: the district's gap report counts them.
            if r.channel == 0 {
                rec.unmet = r
                    .needs
                    .iter()
                    .map(|&(_, c)| (CATEGORIES[c].into(), "full".into(), String::new()))
                    .collect();
            }
            if !sent.contains(&id) {
                sent.push(id);
            }
            accesses.push(rec);
        }
        let referrals = b
            .referrals
            .iter()
            .filter_map(|i| sent.get(*i))
            .map(|id| referral_record(*id))
            .collect();
        sequence[b.desk] += 1;
        let incoming = IncomingDeskBundle {
            bundle_id: Uuid::now_v7(),
            sequence: sequence[b.desk],
            digest: String::new(),
            adoption: None,
            source_instance: format!("desk-{}", b.desk),
            comune_istat: COMUNI[b.desk].into(),
            comune_name: format!("Comune {}", b.desk),
            accesses,
            referrals,
            anonymizations: vec![],
        };
        store.apply_desk_bundle(&incoming, "t").unwrap();
    }
    let mut records = Vec::new();
    store
        .for_each_district_access(|r| records.push(r.clone()))
        .unwrap();
    for p in periods() {
        prop_assert_eq!(
            maintained(&store, None, WHOLE, p, true),
            recount(&records, None, p, true),
            "the Ambito, {}",
            p.label()
        );
        for desk in COMUNI {
            prop_assert_eq!(
                maintained(&store, Some(desk), desk, p, false),
                recount(&records, Some(desk), p, false),
                "desk {}, {}",
                desk,
                p.label()
            );
        }
    }
    prop_assert_eq!(store.rebuild_stats("t").unwrap().differed, 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn desk_statistics_equal_a_recount(ops in prop::collection::vec(desk_op(), 1..40)) {
        run_desk(&ops)?;
    }

    #[test]
    fn district_statistics_equal_a_recount(bundles in prop::collection::vec(bundle(), 1..8)) {
        run_district(&bundles)?;
    }
}

// A database of version 7 predates sealing: it is clear.
#[test]
fn a_database_from_before_maintained_statistics_gets_them_on_upgrade() {
    let (dir, store) = clear_temp_store();
    let ops = [
        DeskOp::NewPerson {
            cf: true,
            female: true,
            comune: 0,
        },
        DeskOp::NewAccess {
            person: Some(0),
            month: 30,
            needs: vec![(0, 0), (1, 2)],
            channel: 1,
        },
        DeskOp::NewAccess {
            person: None,
            month: 31,
            needs: vec![(2, 1)],
            channel: 0,
        },
        DeskOp::Refer {
            access: 0,
            sent: true,
        },
    ];
    drop(store);
    run_desk_on(dir.path(), &ops).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let expected = maintained(&store, Some(""), "", Period::year(2026), false);
    assert_eq!(expected.totals.accesses, 2);
    assert_eq!((expected.totals.people, expected.totals.referred), (1, 1));
    {
        // As version 7 left it: no counters.
        let txn = store.begin_write().unwrap();
        txn.delete_table(super::tables::STAT_RECORDS).unwrap();
        txn.delete_table(super::tables::STAT_COUNTS).unwrap();
        txn.delete_table(super::tables::STAT_PRESENCE).unwrap();
        super::meta::set_schema_version(&txn, 7).unwrap();
        txn.commit().unwrap();
    }
    store.close().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), super::SCHEMA_VERSION);
    assert_eq!(
        maintained(&store, Some(""), "", Period::year(2026), false),
        expected
    );
}
