//! The demo's referrals: every access that proposed a *presa in carico* sends the person to the
//! Ambito's Servizio Sociale Professionale, every access that referred her sends her to a service
//! of the directory, and each referral has gone as far along its course as its age allows —
//! drafts, referrals waiting for a bundle, received, accepted or refused by the district, closed.

use chrono::{DateTime, Duration, Utc};

use super::demo::Rng;
use sportello::domain::access::Access;
use sportello::domain::directory::Service;
use sportello::domain::person::Person;
use sportello::domain::referral::StatusChange;
use sportello::domain::referral::{Carried, Referral, ReferralStatus, Target};
use sportello::domain::user::{User, DISTRICT_SUFFIX};

/// The district coordinator who answers the desk in the demo (a user of the other installation).
const COORDINATOR: &str = "coordinatrice";

/// One referral per access that proposed a presa in carico or referred its person.
pub(super) fn referrals(
    rng: &mut Rng,
    accesses: &[Access],
    persons: &[Person],
    services: &[Service],
    workers: &[&User],
    now: DateTime<Utc>,
) -> Vec<Referral> {
    let mut out = Vec::new();
    for a in accesses {
        let Some(person) = a
            .person_id
            .and_then(|id| persons.iter().find(|p| p.id == id))
        else {
            continue;
        };
        let by = workers
            .iter()
            .find(|w| w.id == a.operator_id)
            .map_or_else(|| "operatore".to_string(), |w| w.username.clone());
        let to_ssp = a.outcomes.iter().any(|o| o == "proposed_taking_charge");
        let referred = a.outcomes.iter().any(|o| o == "referred");
        let target = if to_ssp {
            Some((
                Target::Ssp,
                "Servizio Sociale Professionale dell'Ambito".to_string(),
            ))
        } else if referred {
            service_for(rng, a, services).map(|s| (Target::Service(s.id), s.name.clone()))
        } else {
            None
        };
        let Some((target, target_name)) = target else {
            continue;
        };
        let mut r = Referral {
            id: uuid::Uuid::now_v7(),
            access_id: a.id,
            person_id: person.id,
            reason: reason(rng, &target).to_string(),
            urgency: rng
                .weighted(&[("ordinary", 80), ("urgent", 17), ("emergency", 3)])
                .to_string(),
            target,
            target_name,
            status: ReferralStatus::Bozza,
            history: Vec::new(),
            privacy_override: person
                .privacy_notice
                .is_none()
                .then(|| "Informativa da consegnare al prossimo colloquio: la persona è stata informata a voce.".into()),
            created_at: a.time,
            district_notice: None,
            carried: None,
        };
        walk(rng, &mut r, &by, now);
        out.push(r);
    }
    out
}

/// A service of the directory for the access's first need, if one covers its area.
fn service_for<'a>(rng: &mut Rng, a: &Access, services: &'a [Service]) -> Option<&'a Service> {
    let need = a.needs.first()?;
    let fitting: Vec<&Service> = services
        .iter()
        .filter(|s| s.areas.contains(&need.area))
        .collect();
    (!fitting.is_empty()).then(|| *rng.pick(&fitting))
}

const SSP_REASONS: [&str; 4] = [
    "Situazione familiare complessa: serve una valutazione del servizio sociale professionale.",
    "Persona sola con bisogni di assistenza crescenti: proposta di progetto individualizzato.",
    "Nucleo con minori e sfratto in corso: proposta di presa in carico.",
    "Perdita del lavoro e debiti: serve un progetto di accompagnamento.",
];

const SERVICE_REASONS: [&str; 3] = [
    "Richiesta di sostegno per il bisogno registrato all'accesso.",
    "Invio concordato con la persona, che si presenterà con i documenti indicati.",
    "La persona chiede di essere richiamata dal servizio.",
];

fn reason(rng: &mut Rng, target: &Target) -> &'static str {
    match target {
        Target::Ssp => SSP_REASONS[rng.below(SSP_REASONS.len())],
        Target::Service(_) => SERVICE_REASONS[rng.below(SERVICE_REASONS.len())],
    }
}

/// Takes the referral along its course: how far depends on the dice and on how long ago it
/// was made (no step later than `now`).
fn walk(rng: &mut Rng, r: &mut Referral, by: &str, now: DateTime<Utc>) {
    let district = format!("{COORDINATOR}{DISTRICT_SUFFIX}");
    let ssp = r.target == Target::Ssp;
    let answerer = if ssp { district.as_str() } else { by };
    let mut at = r.created_at;
    let step = |r: &mut Referral, status, at: DateTime<Utc>, by: &str, note: &str| {
        r.status = status;
        r.history.push(StatusChange {
            status,
            at,
            by: by.to_string(),
            note: note.to_string(),
        });
    };
    step(r, ReferralStatus::Bozza, at, by, "");
    // A few drafts stay drafts; a few are closed unsent (the person changed her mind).
    if rng.chance(6) {
        return;
    }
    if rng.chance(3) {
        step(
            r,
            ReferralStatus::Chiuso,
            at + Duration::hours(2),
            by,
            "La persona ha preferito non procedere.",
        );
        return;
    }
    at += Duration::minutes(10);
    step(r, ReferralStatus::Inviato, at, by, "");
    if ssp {
        // The weekly bundle on Friday evening carried it.
        let days_to_friday =
            (4 - i64::from(chrono::Datelike::weekday(&at).num_days_from_monday())).rem_euclid(7);
        let left = at + Duration::days(days_to_friday) + Duration::hours(6);
        if left > now {
            return;
        }
        r.carried = Some(Carried {
            sequence: (left - (now - Duration::days(365))).num_weeks().max(0) as u64 + 1,
            at: left,
        });
        at = left;
    }
    let answers: [(ReferralStatus, &str, Duration); 3] = [
        (
            ReferralStatus::Ricevuto,
            "",
            Duration::days(2 + rng.below(3) as i64),
        ),
        if rng.chance(80) {
            (
                ReferralStatus::Accettato,
                if ssp {
                    "Presa in carico: la seguirà l'assistente sociale d'Ambito, primo colloquio fissato."
                } else {
                    "Il servizio ha accolto la persona."
                },
                Duration::days(4 + rng.below(10) as i64),
            )
        } else {
            (
                ReferralStatus::Respinto,
                if ssp {
                    "Non ci sono i presupposti per la presa in carico: proseguire con l'orientamento ai servizi."
                } else {
                    "Requisiti non soddisfatti per questo servizio."
                },
                Duration::days(3 + rng.below(7) as i64),
            )
        },
        (
            ReferralStatus::Chiuso,
            "Percorso concluso.",
            Duration::days(40 + rng.below(60) as i64),
        ),
    ];
    for (status, note, after) in answers {
        at += after;
        // Some referrals are still waiting for their next step, whatever their age.
        if at > now || rng.chance(12) {
            return;
        }
        step(r, status, at, answerer, note);
    }
}
