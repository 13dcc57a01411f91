//! Persons: search (art. 18 aware), register with the duplicate-person policy, read their file
//! (audited), correct their data with history.

use crate::domain::audit::{self, Action};
use chrono::{Local, Utc};
use uuid::Uuid;

use crate::domain::conflict::Conflict;

use super::{AppError, Ctx};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::person::{
    new_temporary_code, warnings_fingerprint, Person, PersonChange, PersonData, PersonForm,
};
use crate::domain::policy;
use crate::domain::referral::Referral;
use crate::domain::Invalid;
use crate::store::SearchHit;

/// How many results a search shows.
const SEARCH_LIMIT: usize = 50;

/// Persons matching `query`, best first; a restricted person only for their exact code. The
/// typed text may itself be personal: the audit keeps which records were shown, not the text.
pub fn search(ctx: &Ctx, query: &str) -> Result<Vec<SearchHit>, AppError> {
    policy::desk_records(ctx.actor)?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let mut hits: Vec<SearchHit> = Vec::new();
    for mut h in ctx.store.search_persons(query, SEARCH_LIMIT)? {
        // A merged record is found by its old code: the record kept is what is shown.
        if h.person.merged_into.is_some() {
            h.person = live(ctx, h.person.id)?;
        }
        if policy::search_shows(&h.person, query)
            && !hits.iter().any(|o| o.person.id == h.person.id)
        {
            hits.push(h);
        }
    }
    let shown: Vec<Person> = hits.iter().map(|h| h.person.clone()).collect();
    ctx.audit_shown(&shown, audit::SHOWN_IN_SEARCH)?;
    Ok(hits)
}

/// What to do with warnings about the typed values (code letters vs name, unknown codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warnings<'a> {
    /// Save, and return the warnings with the result (the API).
    Return,
    /// Show them first; save once the form comes back with this fingerprint (the pages).
    ConfirmFirst(&'a str),
}

impl Warnings<'_> {
    /// Refuses to go on while there are warnings the user has not seen (pages only).
    pub fn check(self, warnings: &[String]) -> Result<(), AppError> {
        match self {
            Warnings::ConfirmFirst(seen)
                if !warnings.is_empty() && seen != warnings_fingerprint(warnings) =>
            {
                Err(AppError::UnseenWarnings(warnings.to_vec()))
            }
            _ => Ok(()),
        }
    }
}

/// A person to register, as typed.
pub struct NewPerson<'a> {
    pub form: PersonForm,
    /// Register even though persons with a close name and the same birth date exist.
    pub confirm_new: bool,
    pub warnings: Warnings<'a>,
}

/// Checks typed person data against the places and links the household to registered persons.
pub fn checked_data(ctx: &Ctx, form: &PersonForm) -> Result<PersonData, AppError> {
    let mut data = form.validate(&ctx.reference.places(), Local::now().date_naive())?;
    let mut invalid = Invalid::new();
    for (row, code) in std::mem::take(&mut data.household_links) {
        match ctx.store.person_by_code(&code)? {
            Some(p) => {
                if let Some(m) = data.household.get_mut(row) {
                    m.person_id = Some(p.id);
                }
            }
            None => invalid.add(
                "household",
                format!("Nessuna persona registrata con il codice {code}."),
            ),
        }
    }
    invalid.into_result(data).map_err(AppError::Invalid)
}

/// The duplicate-person policy, the same wherever a person is registered: a code that is already
/// registered names that person; a close name with the same birth date asks for confirmation.
/// Naming an existing person is an audited read of that person.
pub fn check_duplicates(ctx: &Ctx, data: &PersonData, confirm_new: bool) -> Result<(), AppError> {
    // The same code: already registered (a merged record's code names the record kept).
    if let Some(cf) = &data.codice_fiscale {
        if let Some(p) = ctx.store.person_by_code(cf.as_str())? {
            let same = if p.merged_into.is_some() {
                live(ctx, p.id)?
            } else {
                p
            };
            ctx.audit_shown(std::slice::from_ref(&same), audit::SHOWN_SAME_CODE)?;
            return Err(AppError::ExistingPerson(Box::new(same)));
        }
    }
    let mut duplicates: Vec<Person> = Vec::new();
    for p in ctx.store.possible_duplicates(data)? {
        let p = if p.merged_into.is_some() {
            live(ctx, p.id)?
        } else {
            p
        };
        if !duplicates.iter().any(|d| d.id == p.id) {
            duplicates.push(p);
        }
    }
    if duplicates.is_empty() || confirm_new {
        return Ok(());
    }
    ctx.audit_shown(&duplicates, audit::SHOWN_AS_DUPLICATE)?;
    Err(AppError::PossibleDuplicate(duplicates))
}

/// A registered person and the warnings worth a look.
pub struct Registered {
    pub person: Person,
    pub warnings: Vec<String>,
}

/// Registers a person after the checks and the duplicate policy.
pub fn register(ctx: &Ctx, input: NewPerson) -> Result<Registered, AppError> {
    policy::desk_records(ctx.actor)?;
    let data = checked_data(ctx, &input.form)?;
    check_duplicates(ctx, &data, input.confirm_new)?;
    input.warnings.check(&data.warnings)?;
    let warnings = data.warnings.clone();
    let person = data.into_new_person(new_temporary_code(), Utc::now());
    match ctx.store.create_person(&person, &ctx.actor.username) {
        Ok(()) => Ok(Registered { person, warnings }),
        Err(crate::store::StoreError::DuplicateCode(id)) => Err(existing(ctx, id)),
        Err(e) => Err(e.into()),
    }
}

/// The person who already holds a code (registered a moment ago by someone else).
fn existing(ctx: &Ctx, id: Uuid) -> AppError {
    match ctx.store.person(id) {
        Ok(Some(p)) => AppError::ExistingPerson(Box::new(p)),
        Ok(None) => AppError::NotFound("Persona"),
        Err(e) => e.into(),
    }
}

/// Everything the desk holds about a person, for their page.
pub struct PersonFile {
    pub person: Person,
    pub accesses: Vec<Access>,
    pub appointments: Vec<Appointment>,
    pub history: Vec<PersonChange>,
    pub referrals: Vec<Referral>,
    /// Other records of the same person merged into this one, with those records.
    pub merges: Vec<(crate::domain::merge::Merge, Option<Person>)>,
}

/// The record a person's id leads to: itself, or the record it was merged into (following a
/// chain of merges), so that work begun on a page opened before a merge lands on the record kept.
pub fn live(ctx: &Ctx, id: Uuid) -> Result<Person, AppError> {
    let mut person = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    for _ in 0..16 {
        match &person.merged_into {
            Some(m) => {
                person = ctx
                    .store
                    .person(m.into)?
                    .ok_or(AppError::NotFound("Persona"))?
            }
            None => return Ok(person),
        }
    }
    Err(AppError::Conflict(Conflict::MergeChain))
}

/// A record merged into another answers with the one kept.
fn not_merged(person: &Person) -> Result<(), AppError> {
    match &person.merged_into {
        Some(m) => Err(AppError::Moved(m.into)),
        None => Ok(()),
    }
}

/// A person's file (audited read). A restricted person's file may be read, not used.
pub fn file(ctx: &Ctx, id: Uuid, channel: &str) -> Result<PersonFile, AppError> {
    policy::desk_records(ctx.actor)?;
    // One snapshot: the page shows the person as she was at one moment.
    let snap = ctx.store.snapshot()?;
    let person = snap.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    not_merged(&person)?;
    let file = PersonFile {
        merges: ctx
            .store
            .merges_into(id)?
            .into_iter()
            .map(|m| {
                let p = snap.person(m.merged)?;
                Ok((m, p))
            })
            .collect::<Result<_, AppError>>()?,
        accesses: snap.accesses_of(id)?,
        appointments: snap.appointments_of(id)?,
        history: {
            // Shown to colleagues: who changed what, by name.
            let names = super::names::Names::load(ctx.store)?;
            let mut history = snap.person_history(id)?;
            for c in &mut history {
                c.user = names.of(&c.user);
            }
            history
        },
        referrals: snap.referrals_of_person(id)?,
        person,
    };
    // The records merged into this one are shown too (their names and codes).
    let shown = std::iter::once(id).chain(file.merges.iter().map(|(m, _)| m.merged));
    ctx.audit_about(Action::PersonView, shown, id.to_string(), channel)?;
    Ok(file)
}

/// One person (audited read), for a form or the API.
pub fn read(ctx: &Ctx, id: Uuid, context: &str) -> Result<Person, AppError> {
    policy::desk_records(ctx.actor)?;
    let person = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    not_merged(&person)?;
    ctx.audit_about(Action::PersonView, [id], id.to_string(), context)?;
    Ok(person)
}

/// One person to work with (a new access, a referral, an appointment): refused when restricted.
pub fn usable(ctx: &Ctx, id: Uuid, context: &str) -> Result<Person, AppError> {
    policy::desk_records(ctx.actor)?;
    let person = live(ctx, id)?;
    policy::act_on(&person)?;
    ctx.audit_about(
        Action::PersonView,
        [person.id],
        person.id.to_string(),
        context,
    )?;
    Ok(person)
}

/// Corrects a person's data; the change is kept in the person's history.
pub fn update(
    ctx: &Ctx,
    id: Uuid,
    form: &PersonForm,
    warnings: Warnings,
) -> Result<Person, AppError> {
    policy::desk_records(ctx.actor)?;
    let before = ctx.store.person(id)?.ok_or(AppError::NotFound("Persona"))?;
    policy::act_on(&before)?;
    let data = checked_data(ctx, form)?;
    warnings.check(&data.warnings)?;
    let (person, _) = ctx.store.update_person(id, data, &ctx.actor.username)?;
    Ok(person)
}
