//! The service directory: search (one filter for pages and API), a service, editing by the
//! responsabile with the form's caps on every channel, organizations, HSDS import and export,
//! and the unmet-needs report.

use chrono::{Local, Utc};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::{AppError, Ctx};
use crate::domain::audit::Action;
use crate::domain::directory::{Organization, Service};
use crate::domain::hsds::{self, Directory};
use crate::domain::policy;
use crate::domain::service_form::{service_cap_problems, ServiceForm};
use crate::domain::text::{fold, words};
use crate::domain::Invalid;

/// What a desk user looks for in the directory.
#[derive(Debug, Default)]
pub struct ServiceSearch {
    pub q: String,
    pub area: String,
    pub category: String,
    /// ISTAT code of the comune the person lives in.
    pub comune: String,
    pub age: Option<u32>,
}

/// The directory and the ids of the services that match, in directory order.
pub struct Found {
    pub directory: Directory,
    pub services: Vec<Uuid>,
}

impl Found {
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services
            .iter()
            .filter_map(|id| self.directory.services.iter().find(|s| s.id == *id))
    }

    pub fn organization_of(&self, s: &Service) -> Option<&Organization> {
        self.directory
            .organizations
            .iter()
            .find(|o| o.id == s.organization_id)
    }
}

pub fn search(ctx: &Ctx, q: &ServiceSearch) -> Result<Found, AppError> {
    policy::directory(ctx.actor)?;
    let directory = ctx.store.directory()?;
    let wanted = words(&q.q);
    let services = directory
        .services
        .iter()
        .filter(|s| q.area.is_empty() || s.areas.contains(&q.area))
        .filter(|s| q.category.is_empty() || s.categories.contains(&q.category))
        .filter(|s| {
            q.comune.is_empty() || s.comuni_served.is_empty() || s.comuni_served.contains(&q.comune)
        })
        .filter(|s| {
            q.age.is_none_or(|a| {
                s.min_age.is_none_or(|m| a >= m) && s.max_age.is_none_or(|m| a <= m)
            })
        })
        .filter(|s| {
            let org = directory
                .organizations
                .iter()
                .find(|o| o.id == s.organization_id)
                .map_or("", |o| o.name.as_str());
            let text = s.search_text(org);
            wanted.iter().all(|w| text.contains(&fold(w)))
        })
        .map(|s| s.id)
        .collect();
    Ok(Found {
        directory,
        services,
    })
}

/// One service with its organization, for the desk.
pub fn service(ctx: &Ctx, id: Uuid) -> Result<(Service, Option<Organization>), AppError> {
    policy::directory(ctx.actor)?;
    let service = ctx
        .store
        .service(id)?
        .ok_or(AppError::NotFound("Servizio"))?;
    let org = ctx.store.organization(service.organization_id)?;
    Ok((service, org))
}

/// A service to edit (responsabile).
pub fn for_edit(ctx: &Ctx, id: Uuid) -> Result<Service, AppError> {
    policy::responsabile(ctx.actor)?;
    ctx.store.service(id)?.ok_or(AppError::NotFound("Servizio"))
}

/// The organizations services can belong to (responsabile, for the form).
pub fn organizations(ctx: &Ctx) -> Result<Vec<Organization>, AppError> {
    policy::responsabile(ctx.actor)?;
    Ok(ctx.store.directory()?.organizations)
}

/// Saves the service form (`id`: the service edited; none: a new one).
pub fn save_form(ctx: &Ctx, id: Option<Uuid>, form: &ServiceForm) -> Result<Service, AppError> {
    policy::responsabile(ctx.actor)?;
    let existing = match id {
        Some(id) => Some(
            ctx.store
                .service(id)?
                .ok_or(AppError::NotFound("Servizio"))?,
        ),
        None => None,
    };
    let orgs: Vec<Uuid> = ctx
        .store
        .directory()?
        .organizations
        .iter()
        .map(|o| o.id)
        .collect();
    let service = form.validate(
        &ctx.reference.vocab,
        &ctx.reference.comuni,
        &orgs,
        existing.as_ref(),
        Local::now().date_naive(),
    )?;
    ctx.store.save_service(&service, &ctx.actor.username)?;
    Ok(service)
}

/// One HSDS 3.0 service object, checked against the vocabularies and the form's caps.
fn checked(ctx: &Ctx, body: &serde_json::Value) -> Result<Service, AppError> {
    let orgs = ctx.store.directory()?.organizations;
    let service = hsds::import_service(body, &ctx.reference.vocab, &orgs).map_err(hsds_problems)?;
    let caps = service_cap_problems(&service);
    if !caps.is_empty() {
        return Err(AppError::Invalid(caps));
    }
    Ok(service)
}

/// The import's problems, each cut short (a problem may quote a value of any length), at most
/// 100 of them.
fn hsds_problems(errors: Vec<String>) -> AppError {
    let mut invalid = Invalid::new();
    for e in errors.into_iter().take(100) {
        let short: String = e.chars().take(300).collect();
        invalid.add(
            "hsds",
            if short.len() < e.len() {
                format!("{short}…")
            } else {
                short
            },
        );
    }
    AppError::Invalid(invalid)
}

/// Adds a service given as HSDS; one with the same id already held is refused.
pub fn create_hsds(ctx: &Ctx, body: &serde_json::Value) -> Result<Uuid, AppError> {
    policy::responsabile(ctx.actor)?;
    let service = checked(ctx, body)?;
    if ctx.store.service(service.id)?.is_some() {
        return Err(AppError::AlreadyExists(service.id));
    }
    ctx.store.save_service(&service, &ctx.actor.username)?;
    Ok(service.id)
}

/// Replaces service `id` with the HSDS object given, whose id must be the same.
pub fn replace_hsds(ctx: &Ctx, id: Uuid, body: &serde_json::Value) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    ctx.store
        .service(id)?
        .ok_or(AppError::NotFound("Servizio"))?;
    let service = checked(ctx, body)?;
    if service.id != id {
        return Err(Invalid::one("id", "L'id nel corpo deve essere quello dell'indirizzo.").into());
    }
    Ok(ctx.store.save_service(&service, &ctx.actor.username)?)
}

/// "Verified today": the responsabile checked the entry with the provider.
pub fn mark_verified(ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    let mut s = for_edit(ctx, id)?;
    s.verified_on = Some(Local::now().date_naive());
    s.updated_at = Utc::now();
    Ok(ctx.store.save_service(&s, &ctx.actor.username)?)
}

/// The organization form.
#[derive(Debug, Default)]
pub struct OrganizationForm {
    pub name: String,
    pub description: String,
    pub phone: String,
    pub email: String,
    pub website: String,
}

pub const MAX_ORGANIZATION_NAME: usize = 200;
pub const MAX_ORGANIZATION_DESCRIPTION: usize = 2000;

pub fn create_organization(ctx: &Ctx, f: &OrganizationForm) -> Result<Organization, AppError> {
    policy::responsabile(ctx.actor)?;
    let (name, website, email) = (f.name.trim(), f.website.trim(), f.email.trim());
    let mut invalid = Invalid::new();
    if name.is_empty() || name.chars().count() > MAX_ORGANIZATION_NAME {
        invalid.add(
            "name",
            "Indicare il nome dell'ente (al massimo 200 caratteri).",
        );
    }
    super::check_len(
        &mut invalid,
        "description",
        "La descrizione",
        f.description.trim(),
        MAX_ORGANIZATION_DESCRIPTION,
    );
    super::check_len(&mut invalid, "phone", "I telefoni", f.phone.trim(), 200);
    let website = crate::domain::contact::website(website).unwrap_or_else(|message| {
        invalid.add("website", message);
        website.to_string()
    });
    super::check_len(&mut invalid, "website", "Il sito", &website, 500);
    if !email.is_empty() && (!crate::domain::contact::looks_like_email(email) || email.len() > 254)
    {
        invalid.add("email", "Indirizzo e-mail non valido.");
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    let org = Organization {
        id: Uuid::now_v7(),
        name: name.to_string(),
        description: f.description.trim().to_string(),
        email: email.to_string(),
        website,
        phones: f
            .phone
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
    };
    ctx.store.save_organization(&org, &ctx.actor.username)?;
    Ok(org)
}

/// Loads the example directory shipped with the program, only into an empty directory (it would
/// overwrite the responsabile's entries). Returns whether it was loaded.
pub fn load_example(ctx: &Ctx) -> Result<bool, AppError> {
    policy::responsabile(ctx.actor)?;
    if !ctx.store.directory()?.services.is_empty() {
        return Ok(false);
    }
    let doc = crate::assets::demo_directory().map_err(AppError::Internal)?;
    let dir =
        hsds::import(&doc, &ctx.reference.vocab).map_err(|e| AppError::Internal(e.join("; ")))?;
    ctx.store
        .import_directory(&dir, &ctx.actor.username, "elenco di esempio")?;
    Ok(true)
}

/// Imports an HSDS directory (adds or replaces by id): every record is checked, caps included,
/// and nothing changes if one is bad.
pub fn import(ctx: &Ctx, doc: &serde_json::Value, source: &str) -> Result<Directory, AppError> {
    policy::responsabile(ctx.actor)?;
    let dir = hsds::import(doc, &ctx.reference.vocab).map_err(hsds_problems)?;
    let mut invalid = Invalid::new();
    for s in &dir.services {
        for problem in service_cap_problems(s).0 {
            invalid.add(
                problem.field,
                format!("servizio {}: {}", s.id, problem.message),
            );
        }
    }
    for o in &dir.organizations {
        if o.name.chars().count() > MAX_ORGANIZATION_NAME {
            invalid.add("name", format!("ente {}: nome oltre 200 caratteri", o.id));
        }
        if o.email.chars().count() > 254
            || o.website.chars().count() > 500
            || o.phones.len() > 20
            || o.phones.iter().any(|p| p.chars().count() > 50)
        {
            invalid.add(
                "organization",
                format!(
                    "ente {}: recapiti troppo lunghi (e-mail, sito o telefoni)",
                    o.id
                ),
            );
        }
        if o.description.chars().count() > MAX_ORGANIZATION_DESCRIPTION {
            invalid.add(
                "description",
                format!("ente {}: descrizione oltre 2000 caratteri", o.id),
            );
        }
    }
    if !invalid.is_empty() {
        return Err(AppError::Invalid(invalid));
    }
    ctx.store
        .import_directory(&dir, &ctx.actor.username, source)?;
    Ok(dir)
}

/// The whole directory for export (`public`: without confidential locations); audited.
pub fn export(ctx: &Ctx, public: bool, channel: &str) -> Result<serde_json::Value, AppError> {
    policy::directory(ctx.actor)?;
    let dir = ctx.store.directory()?;
    let dir = if public { dir.public() } else { dir };
    ctx.audit(Action::DirectoryExport, channel, "")?;
    Ok(hsds::export(
        &dir,
        &ctx.reference.vocab,
        &ctx.reference.comuni,
    ))
}

/// One row of the unmet-needs report.
pub struct UnmetRow {
    pub area: String,
    pub category: String,
    pub comune: String,
    pub reason: String,
    pub count: usize,
}

/// Unmet needs by area, category, comune and reason, from every access (no personal data).
pub fn unmet(ctx: &Ctx) -> Result<Vec<UnmetRow>, AppError> {
    policy::desk_records(ctx.actor)?;
    let accesses = ctx.store.accesses_with_unmet_needs()?;
    let mut counts: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for (access, comune) in &accesses {
        for u in &access.unmet {
            if let Some(n) = access.needs.get(u.need) {
                *counts
                    .entry((
                        n.area.clone(),
                        n.category.clone(),
                        comune.clone().unwrap_or_default(),
                        u.reason.clone(),
                    ))
                    .or_default() += 1;
            }
        }
    }
    let mut rows: Vec<UnmetRow> = counts
        .into_iter()
        .map(|((area, category, comune, reason), count)| UnmetRow {
            area,
            category,
            comune,
            reason,
            count,
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.count));
    Ok(rows)
}
