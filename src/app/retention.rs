//! Retention (archival discard): the term, the discard proposal, and its approval by a second
//! responsabile — or, where the desk has only one, by the same person after an explicit
//! confirmation that is recorded.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AppError, Ctx};
use crate::domain::audit::Action;
use crate::domain::district::InboxReferral;
use crate::domain::person::Person;
use crate::domain::policy;
use crate::domain::retention::Proposal;
use crate::domain::role::Role;
use crate::domain::Invalid;

/// A person of the proposal with her last contact.
pub type Due = (Person, DateTime<Utc>);

/// The retention page: the term, how many persons are past it, the proposal with its persons.
pub struct RetentionView {
    pub years: u32,
    pub due: usize,
    pub proposal: Option<Proposal>,
    pub listed: Vec<Due>,
    /// Enabled responsabili of this installation (one: the approval asks for a confirmation).
    pub responsabili: usize,
    /// The proposal was made by the user looking at it.
    pub own_proposal: bool,
    /// Who made the proposal, by name and role.
    pub proposed_by: String,
    /// District: received cases past the term, and those of the proposal.
    pub cases_due: usize,
    pub cases: Vec<Case>,
}

/// District: a received case of the proposal with its last activity.
pub type Case = (InboxReferral, DateTime<Utc>);

/// The cases of the proposal still past the term.
fn proposal_cases(ctx: &Ctx, proposal: &Proposal) -> Result<Vec<Case>, AppError> {
    if proposal.cases.is_empty() {
        return Ok(Vec::new());
    }
    Ok(ctx
        .store
        .cases_due(Utc::now(), proposal.years)?
        .into_iter()
        .filter(|(e, _)| proposal.cases.contains(&e.record.referral.id))
        .collect())
}

/// Audits that the cases were shown (their persons are named on the page or the sheet).
fn audit_cases_shown(ctx: &Ctx, cases: &[Case], channel: &str) -> Result<(), AppError> {
    for (e, _) in cases {
        ctx.audit(
            Action::InboxView,
            e.record.referral.id.to_string(),
            channel.to_string(),
        )?;
    }
    Ok(())
}

fn responsabili(ctx: &Ctx) -> Result<usize, AppError> {
    Ok(ctx
        .store
        .users()?
        .iter()
        .filter(|u| !u.disabled && u.has_role(Role::Responsabile))
        .count())
}

/// The persons of the proposal still past the term, with their last contact.
fn proposal_rows(ctx: &Ctx, proposal: &Proposal) -> Result<Vec<Due>, AppError> {
    Ok(ctx
        .store
        .retention_due(Utc::now(), proposal.years)?
        .into_iter()
        .filter(|(p, _)| proposal.persons.contains(&p.id))
        .collect())
}

pub fn view(ctx: &Ctx) -> Result<RetentionView, AppError> {
    policy::responsabile(ctx.actor)?;
    let years = ctx.store.retention_years()?;
    let due = ctx.store.retention_due(Utc::now(), years)?.len();
    let proposal = ctx.store.retention_proposal()?;
    let listed = match &proposal {
        Some(p) => proposal_rows(ctx, p)?,
        None => Vec::new(),
    };
    let shown: Vec<Person> = listed.iter().map(|(p, _)| p.clone()).collect();
    ctx.audit_shown(&shown, crate::domain::audit::SHOWN_IN_RETENTION)?;
    let cases = match &proposal {
        Some(p) => proposal_cases(ctx, p)?,
        None => Vec::new(),
    };
    audit_cases_shown(ctx, &cases, "proposta di scarto")?;
    Ok(RetentionView {
        cases_due: ctx.store.cases_due(Utc::now(), years)?.len(),
        cases,
        years,
        due,
        own_proposal: proposal
            .as_ref()
            .is_some_and(|p| p.by == ctx.actor.username),
        proposed_by: match &proposal {
            Some(p) => super::names::Names::load(ctx.store)?.of(&p.by),
            None => String::new(),
        },
        proposal,
        listed,
        responsabili: responsabili(ctx)?,
    })
}

pub fn set_years(ctx: &Ctx, years: &str) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    match years.trim().parse::<u32>() {
        Ok(y) if (1..=100).contains(&y) => {
            Ok(ctx.store.set_retention_years(y, &ctx.actor.username)?)
        }
        _ => Err(Invalid::one("years", "Un numero di anni da 1 a 100.").into()),
    }
}

pub fn propose(ctx: &Ctx) -> Result<(), AppError> {
    policy::responsabile(ctx.actor)?;
    let years = ctx.store.retention_years()?;
    let due = ctx.store.retention_due(Utc::now(), years)?;
    let cases = ctx.store.cases_due(Utc::now(), years)?;
    let proposal = Proposal {
        created_at: Utc::now(),
        by: ctx.actor.username.clone(),
        years,
        persons: due.iter().map(|(p, _)| p.id).collect(),
        cases: cases.iter().map(|(e, _)| e.record.referral.id).collect(),
    };
    Ok(ctx
        .store
        .save_retention_proposal(&proposal, &ctx.actor.username)?)
}

/// The proposal, its persons and (district) its cases, for the printed list (audited as shown).
pub fn for_print(ctx: &Ctx) -> Result<(Proposal, Vec<Due>, Vec<Case>), AppError> {
    policy::responsabile(ctx.actor)?;
    let proposal = ctx
        .store
        .retention_proposal()?
        .ok_or(AppError::NotFound("Proposta di scarto"))?;
    let rows = proposal_rows(ctx, &proposal)?;
    let shown: Vec<Person> = rows.iter().map(|(p, _)| p.clone()).collect();
    ctx.audit_shown(&shown, crate::domain::audit::SHOWN_IN_RETENTION_PRINT)?;
    let cases = proposal_cases(ctx, &proposal)?;
    audit_cases_shown(ctx, &cases, "stampa proposta di scarto")?;
    Ok((proposal, rows, cases))
}

/// Approves the proposal and anonymizes its persons still past the term; returns how many
/// persons and accesses were anonymized.
pub fn approve(ctx: &Ctx, confirmed_alone: bool) -> Result<(usize, usize), AppError> {
    let proposal = ctx
        .store
        .retention_proposal()?
        .ok_or(AppError::NotFound("Proposta di scarto"))?;
    policy::approve_retention(ctx.actor, &proposal.by, responsabili(ctx)?, confirmed_alone)?;
    let still_due: Vec<Uuid> = proposal_rows(ctx, &proposal)?
        .into_iter()
        .map(|(p, _)| p.id)
        .collect();
    let how = if proposal.by == ctx.actor.username {
        "proposta e approvata dalla stessa persona (unico responsabile, confermato)".to_string()
    } else {
        format!("proposta da {}", proposal.by)
    };
    let pseudonyms = crate::bundle::pseudonymizer(ctx.store)?;
    let district_key = |p: &Person| {
        let cf = p.codice_fiscale.as_ref()?;
        Some(pseudonyms.as_ref()?.of(cf.as_str()))
    };
    let (persons, accesses) =
        ctx.store
            .anonymize(&still_due, &district_key, &ctx.actor.username)?;
    let cases: Vec<Uuid> = proposal_cases(ctx, &proposal)?
        .iter()
        .map(|(e, _)| e.record.referral.id)
        .collect();
    let cases_done = if cases.is_empty() {
        0
    } else {
        ctx.store.anonymize_cases(&cases, &ctx.actor.username)?
    };
    let done = (persons + cases_done, accesses);
    ctx.audit_about(
        Action::RetentionApprove,
        still_due.iter().copied(),
        "conservazione",
        format!(
            "{} persone, {} casi ricevuti; {how}",
            still_due.len(),
            cases.len()
        ),
    )?;
    Ok(done)
}
