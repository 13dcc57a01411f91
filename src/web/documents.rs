//! PDF documents made from what a use case returned, rendered off the request threads; shared
//! by the pages and the API.

use actix_web::web;
use chrono::Utc;
use uuid::Uuid;

use super::state::AppState;
use crate::app::{self, AppError};
use crate::domain::policy::Actor;

/// Renders the orientation sheet of access `id` (shared by the page and the API).
pub async fn orientation_sheet(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    lang: &str,
) -> Result<Vec<u8>, AppError> {
    let sheet = app::orientation::sheet(&state.ctx(actor), id, lang)?;
    let instance = state
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let contacts = state.store.desk_contacts()?;
    let doc = crate::pdf::documents::orientation_sheet(
        &instance,
        &contacts,
        &state.reference,
        lang,
        &sheet,
        Utc::now(),
    );
    render_pdf(doc).await
}

/// The letterhead every document prints: the installation and the desk's contacts.
fn letterhead(
    state: &AppState,
) -> Result<
    (
        crate::domain::instance::Instance,
        crate::domain::instance::DeskContacts,
    ),
    AppError,
> {
    let instance = state
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    Ok((instance, state.store.desk_contacts()?))
}

/// The citizen's promemoria of access `id`.
pub async fn promemoria(state: &AppState, actor: &Actor, id: Uuid) -> Result<Vec<u8>, AppError> {
    let (access, person, appointment) = app::reception::promemoria(&state.ctx(actor), id)?;
    let (instance, contacts) = letterhead(state)?;
    render_pdf(crate::pdf::documents::access_promemoria(
        &instance,
        &contacts,
        &state.reference,
        &access,
        &person,
        appointment.as_ref(),
    ))
    .await
}

/// The referral letter (*scheda di invio*) of referral `id`.
pub async fn referral_letter(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<u8>, AppError> {
    let (r, person, access) = app::referrals::for_letter(&state.ctx(actor), id)?;
    let (instance, contacts) = letterhead(state)?;
    render_pdf(crate::pdf::documents::referral_letter(
        &instance,
        &contacts,
        &state.reference,
        &r,
        &person,
        &access,
    ))
    .await
}

/// The privacy notice with person `id`'s name and the signature lines.
pub async fn privacy_notice(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<u8>, AppError> {
    let (person, version, text) = app::privacy::notice_for(&state.ctx(actor), id)?;
    let (instance, contacts) = letterhead(state)?;
    render_pdf(crate::pdf::documents::privacy_notice(
        &instance,
        &contacts,
        &text,
        version,
        &person,
        chrono::Local::now().date_naive(),
    ))
    .await
}

/// The reminder of appointment `id`.
pub async fn appointment_reminder(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<u8>, AppError> {
    let (appointment, person) = app::agenda::for_reminder(&state.ctx(actor), id)?;
    let (instance, contacts) = letterhead(state)?;
    render_pdf(crate::pdf::documents::appointment_reminder(
        &instance,
        &contacts,
        &appointment,
        &person,
    ))
    .await
}

/// Renders a document off the request threads.
pub async fn render_pdf(doc: crate::pdf::Document) -> Result<Vec<u8>, AppError> {
    web::block(move || crate::pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The art. 15 report as a PDF (`how`: the format and channel, audited). Gathered and rendered
/// off the request threads, whatever its length: a history of thousands of accesses takes
/// seconds and hundreds of pages.
pub async fn subject_report(
    state: &web::Data<AppState>,
    actor: &Actor,
    id: Uuid,
    how: &'static str,
    withhold_reserved: Option<String>,
) -> Result<Vec<u8>, AppError> {
    let st = state.clone();
    super::state::blocking(state, actor, move |ctx| {
        let release = app::privacy::Release {
            how,
            withhold_reserved: withhold_reserved.as_deref(),
        };
        let report = app::privacy::report(ctx, id, &release)?;
        crate::pdf::render(&report_pdf(&st, &report)?)
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
}

/// The art. 15 report as a document.
fn report_pdf(
    state: &AppState,
    r: &app::privacy::SubjectReport,
) -> Result<crate::pdf::Document, AppError> {
    let (instance, contacts) = letterhead(state)?;
    Ok(crate::pdf::documents::subject_report(
        &instance,
        &contacts,
        &state.reference,
        r,
    ))
}

/// The statistics report as a document, as the page and the API print it.
pub fn statistics_pdf(
    state: &AppState,
    c: &app::statistics::Statistics,
) -> Result<crate::pdf::Document, AppError> {
    let (instance, contacts) = letterhead(state)?;
    let labeller = |d: crate::stats::Dimension, code: &str| c.label(&state.reference, d, code);
    Ok(crate::pdf::report::statistics_report(
        &instance,
        &contacts,
        &c.scope(),
        &c.now,
        &c.before,
        (&c.referrals, &c.referrals_before),
        &labeller,
        &|code, n| c.per_thousand(code, n),
        chrono::Local::now().date_naive(),
    ))
}
