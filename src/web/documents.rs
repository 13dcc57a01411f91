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

/// Renders a document off the request threads.
pub async fn render_pdf(doc: crate::pdf::Document) -> Result<Vec<u8>, AppError> {
    web::block(move || crate::pdf::render(&doc))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The art. 15 report as a document.
pub fn report_pdf(
    state: &AppState,
    r: &app::privacy::SubjectReport,
) -> Result<crate::pdf::Document, AppError> {
    let instance = state
        .store
        .instance()?
        .ok_or(AppError::NotFound("Installazione"))?;
    let contacts = state.store.desk_contacts()?;
    Ok(crate::pdf::documents::subject_report(
        &instance,
        &contacts,
        &state.reference,
        r,
    ))
}
