//! Orientation: the services suggested for an access, choosing and removing them, needs that found
//! no service, and what the orientation sheet prints.

use crate::domain::audit::Action;
use chrono::{Local, Utc};
use uuid::Uuid;

use super::{check_len, AppError, Ctx};
use crate::domain::access::{Access, Need, UnmetNeed, COMPLAINT};
use crate::domain::directory::{NeedProfile, Organization, Service, Suggestion, UNMET_REASONS};
use crate::domain::person::Person;
use crate::domain::policy;
use crate::domain::suggestion::{offer, territory, Offer};
use crate::domain::Invalid;

/// How many suggestions an access shows.
pub const SUGGESTIONS: usize = 8;
pub const MAX_UNMET_NOTE: usize = 300;

/// What suggestions are matched against: the access's needs and the person's age, comune, language.
pub fn need_profile(access: &Access, person: Option<&Person>) -> NeedProfile {
    let today = Local::now().date_naive();
    NeedProfile {
        areas: access.needs.iter().map(|n| n.area.clone()).collect(),
        categories: access.needs.iter().map(|n| n.category.clone()).collect(),
        age: person.and_then(|p| p.age_on(today)).or_else(|| {
            access
                .anonymous
                .as_ref()
                .and_then(|a| crate::domain::vocabulary::age_of_band(&a.age_band))
        }),
        comune_istat: person.and_then(|p| {
            p.residence_istat
                .clone()
                .or_else(|| p.domicile_istat.clone())
        }),
        language: person
            .and_then(|p| crate::domain::hsds::language_code(&p.language))
            .filter(|code| *code != "it")
            .map(str::to_string),
        sex: person
            .and_then(|p| p.sex)
            .or_else(|| access.anonymous.as_ref().and_then(|a| a.sex)),
        // Known only for a registered person: without a home, or with a residence or domicile.
        homeless: person.and_then(|p| {
            if p.homeless {
                Some(true)
            } else if p.residence_istat.is_some() || p.domicile_istat.is_some() {
                Some(false)
            } else {
                None
            }
        }),
    }
}

/// The services of the directory that fit an access, under each need, and those already chosen.
pub struct Orientation {
    /// Under each need of the access, the services suggested for it, best first.
    pub groups: Vec<(usize, Vec<(Service, Suggestion)>)>,
    /// The person lives outside the comuni the directory covers: only services open to
    /// everyone are suggested.
    pub outside_territory: bool,
    /// The person has no home and no residence: services for a comune's residents are left out.
    pub without_residence: bool,
    pub chosen: Vec<Service>,
    /// Every service of the directory (id, name), by name: what an unmet need or a complaint
    /// may name.
    pub all: Vec<(Uuid, String)>,
}

/// Ranks the directory for an access already read by the caller.
pub fn orientation_of(
    ctx: &Ctx,
    access: &Access,
    person: Option<&Person>,
) -> Result<Orientation, AppError> {
    let directory = ctx.store.directory()?;
    let profile = need_profile(access, person);
    let now = Local::now().naive_local();
    let own = ctx.store.instance()?.map(|i| i.comune.istat);
    let needs: Vec<(String, String)> = access
        .needs
        .iter()
        .map(|n| (n.area.clone(), n.category.clone()))
        .collect();
    let Offer {
        groups,
        outside_territory,
        without_residence,
    } = offer(
        &directory.services,
        &needs,
        &profile,
        &access.services,
        &territory(&directory.services, own.as_deref()),
        now,
        SUGGESTIONS,
    );
    let by_id = |id: Uuid| directory.services.iter().find(|s| s.id == id).cloned();
    let groups = groups
        .into_iter()
        .map(|g| {
            let list = g
                .suggestions
                .into_iter()
                .filter_map(|sug| by_id(sug.service_id).map(|s| (s, sug)))
                .collect();
            (g.need, list)
        })
        .collect();
    let chosen = access
        .services
        .iter()
        .filter_map(|id| directory.services.iter().find(|s| s.id == *id).cloned())
        .collect();
    let mut all: Vec<(Uuid, String)> = directory
        .services
        .iter()
        .map(|s| (s.id, s.name.clone()))
        .collect();
    all.sort_by_key(|s| s.1.to_lowercase());
    Ok(Orientation {
        groups,
        outside_territory,
        without_residence,
        chosen,
        all,
    })
}

impl Orientation {
    /// Every suggestion once, best first (a service that answers two needs counts its best).
    pub fn flat(&self) -> Vec<(&Service, &Suggestion)> {
        let mut out: Vec<(&Service, &Suggestion)> = Vec::new();
        for (_, list) in &self.groups {
            for (s, sug) in list {
                match out.iter_mut().find(|(o, _)| o.id == s.id) {
                    Some(e) if e.1.score < sug.score => e.1 = sug,
                    Some(_) => {}
                    None => out.push((s, sug)),
                }
            }
        }
        out.sort_by(|a, b| {
            b.1.score
                .cmp(&a.1.score)
                .then_with(|| a.0.name.cmp(&b.0.name))
        });
        out
    }
}

/// The suggestions for an access (audited read of the access).
pub fn suggestions(ctx: &Ctx, access_id: Uuid) -> Result<Orientation, AppError> {
    let file = super::reception::view(ctx, access_id, "API, suggerimenti")?;
    orientation_of(ctx, &file.access, file.person.as_ref())
}

/// The access, checked usable: its person (if any) not restricted.
fn usable_access(ctx: &Ctx, id: Uuid) -> Result<Access, AppError> {
    policy::desk_records(ctx.actor)?;
    let access = ctx.store.access(id)?.ok_or(AppError::NotFound("Accesso"))?;
    if let Some(pid) = access.person_id {
        if let Some(p) = ctx.store.person(pid)? {
            policy::act_on(&p)?;
        }
    }
    Ok(access)
}

/// Adds a directory service to the access's orientation (and the outcome "oriented").
pub fn choose(ctx: &Ctx, access_id: Uuid, service_id: Uuid) -> Result<Service, AppError> {
    usable_access(ctx, access_id)?;
    let service = ctx
        .store
        .service(service_id)?
        .ok_or(AppError::NotFound("Servizio"))?;
    ctx.store.modify_access(
        access_id,
        &ctx.actor.username,
        Action::AccessOrientation,
        &format!("servizio aggiunto: {}", service.name),
        |a| {
            if !a.services.contains(&service_id) {
                a.services.push(service_id);
            }
            if !a.outcomes.iter().any(|o| o == "oriented") {
                a.outcomes.push("oriented".into());
            }
            Ok(())
        },
    )?;
    Ok(service)
}

/// Takes a service out of the access's orientation.
pub fn remove(ctx: &Ctx, access_id: Uuid, service_id: Uuid) -> Result<(), AppError> {
    let access = usable_access(ctx, access_id)?;
    if !access.services.contains(&service_id) {
        return Err(AppError::NotFound("Servizio scelto"));
    }
    ctx.store.modify_access(
        access_id,
        &ctx.actor.username,
        Action::AccessOrientation,
        &format!("servizio tolto: {service_id}"),
        |a| {
            a.services.retain(|s| *s != service_id);
            Ok(())
        },
    )?;
    Ok(())
}

/// A need of an access that found no service, and why.
pub struct Unmet<'a> {
    /// Index of the need in the access.
    pub need: usize,
    /// One of `UNMET_REASONS`.
    pub reason: &'a str,
    pub note: &'a str,
    /// The directory service that could not take the person, when there is one.
    pub service: Option<Uuid>,
}

/// Records that a need of the access found no service (replacing an earlier record for it).
pub fn mark_unmet(ctx: &Ctx, access_id: Uuid, input: Unmet) -> Result<(), AppError> {
    let access = usable_access(ctx, access_id)?;
    let mut invalid = Invalid::new();
    if input.need >= access.needs.len() {
        invalid.add("need", "Questo accesso non ha un bisogno con quel numero.");
    }
    if !UNMET_REASONS.iter().any(|(c, _)| *c == input.reason) {
        invalid.add(
            "reason",
            "Motivo: no_service, full, not_eligible o waiting_list.",
        );
    }
    let note = input.note.trim();
    check_len(&mut invalid, "note", "La nota", note, MAX_UNMET_NOTE);
    if let Some(s) = input.service {
        if !in_directory(ctx, s)? {
            invalid.add("service", NOT_IN_DIRECTORY);
        }
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let user = ctx.actor.username.clone();
    ctx.store.modify_access(
        access_id,
        &ctx.actor.username,
        Action::AccessUnmetNeed,
        input.reason,
        |a| {
            a.unmet.retain(|u| u.need != input.need);
            a.unmet.push(UnmetNeed {
                need: input.need,
                reason: input.reason.to_string(),
                service: input.service,
                note: note.to_string(),
                recorded_by: user,
                at: Utc::now(),
            });
            Ok(())
        },
    )?;
    Ok(())
}

const NOT_IN_DIRECTORY: &str = "Questo servizio non è nell'elenco dei servizi.";

fn in_directory(ctx: &Ctx, service: Uuid) -> Result<bool, AppError> {
    Ok(ctx
        .store
        .directory()?
        .services
        .iter()
        .any(|s| s.id == service))
}

/// The services complaints name must be in the directory (new accesses and corrections).
pub(super) fn check_complaint_services(ctx: &Ctx, needs: &[Need]) -> Result<(), AppError> {
    let named: Vec<Uuid> = needs.iter().filter_map(|n| n.service).collect();
    if named.is_empty() {
        return Ok(());
    }
    let directory = ctx.store.directory()?;
    if named
        .iter()
        .all(|id| directory.services.iter().any(|s| s.id == *id))
    {
        Ok(())
    } else {
        Err(Invalid::one("needs", NOT_IN_DIRECTORY).into())
    }
}

/// Names (or, with `None`, forgets) the directory service a complaint of the access is about.
pub fn name_complaint_service(
    ctx: &Ctx,
    access_id: Uuid,
    need: usize,
    service: Option<Uuid>,
) -> Result<(), AppError> {
    let access = usable_access(ctx, access_id)?;
    match access.needs.get(need) {
        Some(n) if n.category == COMPLAINT => {}
        Some(_) => {
            return Err(
                Invalid::one("need", "Questo bisogno non è un reclamo su un servizio.").into(),
            )
        }
        None => {
            return Err(
                Invalid::one("need", "Questo accesso non ha un bisogno con quel numero.").into(),
            )
        }
    }
    if let Some(s) = service {
        if !in_directory(ctx, s)? {
            return Err(Invalid::one("service", NOT_IN_DIRECTORY).into());
        }
    }
    ctx.store.modify_access(
        access_id,
        &ctx.actor.username,
        Action::AccessComplaintService,
        &service.map_or_else(|| "nessun servizio".to_string(), |s| s.to_string()),
        |a| {
            if let Some(n) = a.needs.get_mut(need) {
                n.service = service;
            }
            Ok(())
        },
    )?;
    Ok(())
}

/// What the orientation sheet of an access prints: the person (if registered) and the chosen
/// services with their organizations. Refused when the person is restricted; audited as a print.
pub struct Sheet {
    pub person: Option<Person>,
    pub services: Vec<(Service, Option<Organization>)>,
}

pub fn sheet(ctx: &Ctx, access_id: Uuid, lang: &str) -> Result<Sheet, AppError> {
    if !ctx.reference.labels.has(lang) {
        return Err(AppError::Invalid(Invalid::one(
            "lang",
            "Lingua non disponibile (it, en).",
        )));
    }
    let (access, person) = super::reception::for_print(ctx, access_id)?;
    let directory = ctx.store.directory()?;
    let services = access
        .services
        .iter()
        .filter_map(|sid| directory.services.iter().find(|s| s.id == *sid))
        .map(|s| {
            (
                s.clone(),
                directory
                    .organizations
                    .iter()
                    .find(|o| o.id == s.organization_id)
                    .cloned(),
            )
        })
        .collect();
    ctx.audit_about(
        Action::AccessPrintOrientation,
        access.person_id,
        access_id.to_string(),
        format!("lingua {lang}"),
    )?;
    Ok(Sheet { person, services })
}
