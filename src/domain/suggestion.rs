//! Which services of the directory to suggest for the needs of one access: grouped under each
//! need, and only those the person may use (sex, age, comune, housing), best first.

use chrono::{Duration, NaiveDateTime};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::directory::{Service, ServiceStatus};
use super::person::Sex;

/// What a suggestion is matched against: needs and the person's traits (each `None` when not
/// known: an anonymous caller's sex or home is not guessed, and nothing is excluded for it).
#[derive(Debug, Clone, Default)]
pub struct NeedProfile {
    pub areas: Vec<String>,
    pub categories: Vec<String>,
    pub age: Option<u32>,
    pub comune_istat: Option<String>,
    /// ISO 639-1 code of the language the person speaks, if not Italian.
    pub language: Option<String>,
    pub sex: Option<Sex>,
    /// `Some(true)`: senza fissa dimora; `Some(false)`: has a home (residence or domicile).
    pub homeless: Option<bool>,
}

/// A service ranked for a need, with the reasons shown to the worker.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub service_id: Uuid,
    pub score: i32,
    pub reasons: Vec<String>,
    pub open_now: bool,
    pub next_opening: Option<NaiveDateTime>,
}

/// Whether the person may use the service at all, whatever the need.
fn eligible(service: &Service, p: &NeedProfile) -> bool {
    if service.status == ServiceStatus::Inactive {
        return false;
    }
    if let Some(age) = p.age {
        if service.min_age.is_some_and(|m| age < m) || service.max_age.is_some_and(|m| age > m) {
            return false;
        }
    }
    if let Some(c) = &p.comune_istat {
        if !service.comuni_served.is_empty() && !service.comuni_served.contains(c) {
            return false;
        }
    }
    // A service of some comuni serves their residents; a person without a home and without a
    // residence is a resident of none, so only services open to all or meant for persons
    // without a home are hers.
    if without_residence(p) && !service.comuni_served.is_empty() && !service.homeless_only {
        return false;
    }
    if let (Some(only), Some(sex)) = (service.for_sex, p.sex) {
        if only != sex {
            return false;
        }
    }
    if service.homeless_only && p.homeless == Some(false) {
        return false;
    }
    true
}

/// Known to be without a home and with no comune of residence or domicile.
fn without_residence(p: &NeedProfile) -> bool {
    p.homeless == Some(true) && p.comune_istat.is_none()
}

/// Scores a service for a need profile; `None` when it cannot serve the person at all
/// (inactive, outside the age range, another comune, reserved to the other sex or to persons
/// without a home) or matches nothing of the need.
pub fn suggest(service: &Service, need: &NeedProfile, now: NaiveDateTime) -> Option<Suggestion> {
    if !eligible(service, need) {
        return None;
    }
    let mut score = 0;
    let mut reasons = Vec::new();
    let categories = need
        .categories
        .iter()
        .filter(|c| service.categories.contains(c))
        .count() as i32;
    let areas = need
        .areas
        .iter()
        .filter(|a| service.areas.contains(a))
        .count() as i32;
    if categories == 0 && areas == 0 {
        return None;
    }
    if categories > 0 {
        score += 50 * categories;
        reasons.push("risponde al bisogno".to_string());
    }
    if areas > 0 {
        score += 20 * areas;
        reasons.push("area di utenza".to_string());
    }
    if need.age.is_some() && (service.min_age.is_some() || service.max_age.is_some()) {
        score += 5;
        reasons.push("età adatta".to_string());
    }
    if need.comune_istat.is_some() && !service.comuni_served.is_empty() {
        score += 5;
        reasons.push("comune servito".to_string());
    }
    match service.for_sex {
        Some(Sex::F) => reasons.push("riservato alle donne".to_string()),
        Some(Sex::M) => reasons.push("riservato agli uomini".to_string()),
        None => {}
    }
    if service.homeless_only {
        if need.homeless == Some(true) {
            score += 15;
        }
        reasons.push("per persone senza dimora".to_string());
    }
    if let Some(lang) = &need.language {
        if service.languages.contains(lang) {
            score += 10;
            reasons.push("parla la lingua della persona".to_string());
        }
    }
    let open_now = service.open_at(now);
    let next_opening = service.next_opening(now);
    if open_now {
        score += 8;
        reasons.push("aperto ora".to_string());
    } else if next_opening.is_some_and(|t| t - now <= Duration::days(2)) {
        score += 4;
        reasons.push("apre a breve".to_string());
    }
    if service.status == ServiceStatus::TemporarilyClosed {
        score -= 40;
        reasons.push("temporaneamente chiuso".to_string());
    }
    Some(Suggestion {
        service_id: service.id,
        score,
        reasons,
        open_now,
        next_opening,
    })
}

/// The suggestions for one need of the access.
#[derive(Debug, Clone)]
pub struct NeedSuggestions {
    /// Index of the need in the access.
    pub need: usize,
    pub area: String,
    pub category: String,
    /// Best first, at most the number asked; none already chosen.
    pub suggestions: Vec<Suggestion>,
}

/// What the desk is offered for an access.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    pub groups: Vec<NeedSuggestions>,
    /// The person lives in a comune the directory's services do not cover (outside the Ambito):
    /// only services open to everyone are offered, and the page says so.
    pub outside_territory: bool,
    /// The person has no home and no residence: services reserved to a comune's residents are
    /// not offered, and the page says so (and how a residence is obtained).
    pub without_residence: bool,
}

/// The comuni the directory covers: every comune a service names, and the installation's own.
pub fn territory(services: &[Service], own: Option<&str>) -> BTreeSet<String> {
    services
        .iter()
        .flat_map(|s| s.comuni_served.iter().cloned())
        .chain(own.map(str::to_string))
        .collect()
}

/// Suggestions grouped under each need `(area, category)`, services already `chosen` left out
/// (they are shown as chosen, not suggested).
pub fn offer(
    services: &[Service],
    needs: &[(String, String)],
    person: &NeedProfile,
    chosen: &[Uuid],
    territory: &BTreeSet<String>,
    now: NaiveDateTime,
    per_need: usize,
) -> Offer {
    let outside_territory = person
        .comune_istat
        .as_ref()
        .is_some_and(|c| !territory.is_empty() && !territory.contains(c));
    let groups = needs
        .iter()
        .enumerate()
        .map(|(i, (area, category))| {
            let one = NeedProfile {
                areas: vec![area.clone()],
                categories: vec![category.clone()],
                ..person.clone()
            };
            let mut ranked: Vec<(&Service, Suggestion)> = services
                .iter()
                .filter(|s| !chosen.contains(&s.id))
                .filter_map(|s| suggest(s, &one, now).map(|sug| (s, sug)))
                .collect();
            ranked.sort_by(|a, b| {
                b.1.score
                    .cmp(&a.1.score)
                    .then_with(|| a.0.name.cmp(&b.0.name))
            });
            ranked.truncate(per_need);
            NeedSuggestions {
                need: i,
                area: area.clone(),
                category: category.clone(),
                suggestions: ranked.into_iter().map(|(_, s)| s).collect(),
            }
        })
        .collect();
    Offer {
        groups,
        outside_territory,
        without_residence: without_residence(person),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::tests::service;

    /// A small directory of the Ambito of Triggiano (072046) and Capurso (072017).
    fn directory() -> Vec<Service> {
        let named = |name: &str, cats: &[&str], areas: &[&str]| {
            let mut s = service(cats, areas);
            s.name = name.into();
            s.min_age = None;
            s.comuni_served = vec!["072046".into(), "072017".into()];
            s
        };
        let mut shelter = named("Casa rifugio", &["housing", "violence"], &["women"]);
        shelter.for_sex = Some(Sex::F);
        let mut night = named("Dormitorio", &["housing"], &["poverty"]);
        night.homeless_only = true;
        let agency = named("Agenzia sociale per l'abitare", &["housing"], &["poverty"]);
        let mut helpline = named(
            "Numero verde anti tratta",
            &["housing", "violence"],
            &["poverty"],
        );
        helpline.comuni_served.clear();
        let sad = {
            let mut s = named("Assistenza domiciliare", &["home_care"], &["elderly"]);
            s.min_age = Some(65);
            s
        };
        vec![shelter, night, agency, helpline, sad]
    }

    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-11-23 10:00", "%Y-%m-%d %H:%M").unwrap()
    }

    fn names(services: &[Service], g: &NeedSuggestions) -> Vec<String> {
        g.suggestions
            .iter()
            .map(|s| {
                services
                    .iter()
                    .find(|x| x.id == s.service_id)
                    .unwrap()
                    .name
                    .clone()
            })
            .collect()
    }

    fn housing() -> Vec<(String, String)> {
        vec![("poverty".into(), "housing".into())]
    }

    fn person(sex: Sex, homeless: bool, comune: &str, age: u32) -> NeedProfile {
        NeedProfile {
            age: Some(age),
            comune_istat: Some(comune.into()),
            sex: Some(sex),
            homeless: Some(homeless),
            ..Default::default()
        }
    }

    /// Review of issue 16: a man without a home or a residence was offered a comune's services
    /// for its residents (the Ufficio Casa, a utilities contribution).
    #[test]
    fn a_person_without_home_or_residence_is_offered_no_service_reserved_to_residents() {
        let dir = directory();
        let mut homeless = person(Sex::M, true, "072046", 40);
        homeless.comune_istat = None;
        let territory = territory(&dir, Some("072046"));
        let offer = offer(&dir, &housing(), &homeless, &[], &territory, now(), 5);
        assert_eq!(
            names(&dir, &offer.groups[0]),
            ["Dormitorio", "Numero verde anti tratta"],
            "the night shelter and what is open to all; not the agency of two comuni"
        );
        assert!(offer.without_residence && !offer.outside_territory);
        // With a residence (even a fictitious street of the comune) the comune's services return.
        let resident = person(Sex::M, true, "072046", 40);
        let offer_r = super::offer(&dir, &housing(), &resident, &[], &territory, now(), 5);
        assert!(
            names(&dir, &offer_r.groups[0]).contains(&"Agenzia sociale per l'abitare".to_string())
        );
        assert!(!offer_r.without_residence);
        // Not known to be homeless (an anonymous caller): nothing is excluded for it.
        let mut unknown = homeless.clone();
        unknown.homeless = None;
        let offer_u = super::offer(&dir, &housing(), &unknown, &[], &territory, now(), 5);
        assert!(!offer_u.without_residence);
        assert!(
            names(&dir, &offer_u.groups[0]).contains(&"Agenzia sociale per l'abitare".to_string())
        );
    }

    #[test]
    fn the_womens_shelter_is_not_offered_to_a_man_and_the_night_shelter_not_to_a_person_with_a_home(
    ) {
        let dir = directory();
        let t = territory(&dir, Some("072046"));
        let man = person(Sex::M, false, "072046", 45);
        let o = offer(&dir, &housing(), &man, &[], &t, now(), 8);
        let got = names(&dir, &o.groups[0]);
        assert!(!got.contains(&"Casa rifugio".to_string()), "{got:?}");
        assert!(!got.contains(&"Dormitorio".to_string()), "{got:?}");
        assert!(got.contains(&"Agenzia sociale per l'abitare".to_string()));
        assert!(!o.outside_territory);

        let woman_without_home = person(Sex::F, true, "072046", 45);
        let o = offer(&dir, &housing(), &woman_without_home, &[], &t, now(), 8);
        let got = names(&dir, &o.groups[0]);
        assert_eq!(
            got[0], "Dormitorio",
            "the night shelter first for a person without a home: {got:?}"
        );
        assert!(got.contains(&"Casa rifugio".to_string()));

        // An anonymous caller: nothing is excluded for what is not known.
        let unknown = NeedProfile::default();
        let o = offer(&dir, &housing(), &unknown, &[], &t, now(), 8);
        assert_eq!(o.groups[0].suggestions.len(), 4);
    }

    #[test]
    fn suggestions_are_grouped_under_each_need_and_a_chosen_service_is_not_suggested() {
        let dir = directory();
        let t = territory(&dir, Some("072046"));
        let needs = vec![
            ("poverty".to_string(), "housing".to_string()),
            ("elderly".to_string(), "home_care".to_string()),
        ];
        let old = person(Sex::F, false, "072017", 82);
        let agency = dir
            .iter()
            .find(|s| s.name.starts_with("Agenzia"))
            .unwrap()
            .id;
        let o = offer(&dir, &needs, &old, &[agency], &t, now(), 8);
        assert_eq!(o.groups.len(), 2);
        assert_eq!(o.groups[0].need, 0);
        let housing = names(&dir, &o.groups[0]);
        assert!(
            !housing.contains(&"Agenzia sociale per l'abitare".to_string()),
            "chosen"
        );
        assert_eq!(names(&dir, &o.groups[1]), vec!["Assistenza domiciliare"]);
        // Too young for home care: the group stays, empty.
        let young = person(Sex::F, false, "072017", 40);
        let o = offer(&dir, &needs, &young, &[], &t, now(), 8);
        assert!(o.groups[1].suggestions.is_empty());
    }

    #[test]
    fn a_resident_outside_the_territory_is_told_and_offered_what_is_open_to_everyone() {
        let dir = directory();
        let t = territory(&dir, Some("072046"));
        let bari = person(Sex::F, false, "072006", 30);
        let o = offer(&dir, &housing(), &bari, &[], &t, now(), 8);
        assert!(o.outside_territory);
        assert_eq!(names(&dir, &o.groups[0]), vec!["Numero verde anti tratta"]);
    }

    #[test]
    fn suggestions_rank_by_need_and_respect_age_and_comune() {
        let home_care = service(&["home_care"], &["elderly"]);
        let info = service(&["information"], &["elderly"]);
        let need = NeedProfile {
            areas: vec!["elderly".into()],
            categories: vec!["home_care".into()],
            age: Some(82),
            comune_istat: Some("072046".into()),
            ..Default::default()
        };
        let a = suggest(&home_care, &need, now()).unwrap();
        let b = suggest(&info, &need, now()).unwrap();
        assert!(a.score > b.score);
        assert!(a.open_now);
        let young = NeedProfile {
            age: Some(40),
            ..need.clone()
        };
        assert!(
            suggest(&home_care, &young, now()).is_none(),
            "minimum age 65"
        );
        let elsewhere = NeedProfile {
            comune_istat: Some("072014".into()),
            ..need.clone()
        };
        assert!(
            suggest(&home_care, &elsewhere, now()).is_none(),
            "comune not served"
        );
        let unrelated = NeedProfile {
            areas: vec!["poverty".into()],
            categories: vec!["housing".into()],
            ..need
        };
        assert!(suggest(&home_care, &unrelated, now()).is_none());
    }
}
