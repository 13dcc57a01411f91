//! Referrals: create from an access, follow through their lifecycle, print the letter.

use crate::web::routes::{Gate, Routes};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::respond::{html, ok, see_other};
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::referrals::ReferralValues;
use crate::app::referrals::{NewReferral, Step};
use crate::app::{self, AppError};
use crate::domain::referral::ReferralStatus;
use crate::domain::Invalid;

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    stato: String,
}

pub async fn list(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let status = ReferralStatus::from_code(&query.stato);
    let (rows, days) = app::referrals::list(&auth.ctx(&state), status, "")?;
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/invii");
    Ok(ok(views::referrals::list_page(
        &chrome,
        &state.reference,
        &rows,
        status,
        days,
    )))
}

#[derive(serde::Deserialize)]
pub struct AccessQuery {
    accesso: Uuid,
}

async fn render_new(
    auth: &Auth,
    state: &AppState,
    access_id: Uuid,
    values: &ReferralValues,
    invalid: &Invalid,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (access, person, services) = app::referrals::form_for(&auth.ctx(state), access_id)?;
    let services: Vec<_> = services.iter().collect();
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let chrome = Chrome::for_user(auth, Some(&instance), "/invii");
    Ok(html(
        status,
        views::referrals::new_page(
            &chrome,
            &state.reference,
            &views::referrals::NewReferral {
                access: &access,
                person: &person,
                services: &services,
                ambito: &instance.ambito.name,
            },
            values,
            invalid,
        ),
    ))
}

pub async fn new_form(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AccessQuery>,
) -> Result<HttpResponse, PageError> {
    let values = ReferralValues {
        target: "ssp".into(),
        urgency: "ordinary".into(),
        ..Default::default()
    };
    render_new(
        &auth,
        &state,
        query.accesso,
        &values,
        &Invalid::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AccessQuery>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let values = ReferralValues {
        target: form.get("target").to_string(),
        reason: form.get("reason").to_string(),
        urgency: form.get("urgency").to_string(),
        draft: form.get("draft") == "1",
        privacy_override: form.get("privacy_override").to_string(),
    };
    let input = NewReferral {
        target: values.target.clone(),
        reason: values.reason.clone(),
        urgency: values.urgency.clone(),
        draft: values.draft,
        privacy_override: values.privacy_override.clone(),
    };
    match app::referrals::create(&auth.ctx(&state), query.accesso, &input) {
        Ok(referral) => Ok(see_other(&format!("/invii/{}?avviso=creato", referral.id))),
        Err(AppError::Invalid(invalid)) => {
            render_new(
                &auth,
                &state,
                query.accesso,
                &values,
                &invalid,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

async fn render_detail(
    auth: &Auth,
    state: &AppState,
    id: Uuid,
    invalid: &Invalid,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let file = app::referrals::detail(&auth.ctx(state), id)?;
    let now = Utc::now();
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(auth, instance.as_ref(), "/invii");
    Ok(html(
        status,
        views::referrals::detail_page(&chrome, &state.reference, &file, invalid, notice, now),
    ))
}

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = match query.avviso.as_str() {
        "creato" => Some("Invio registrato."),
        "stato" => Some("Stato aggiornato."),
        _ => None,
    };
    render_detail(
        &auth,
        &state,
        path.into_inner(),
        &Invalid::new(),
        notice,
        StatusCode::OK,
    )
    .await
}

pub async fn change_status(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let step = Step {
        status: form.get("status"),
        note: form.get("note"),
        privacy_override: form.get("privacy_override"),
    };
    match app::referrals::advance(&auth.ctx(&state), id, step) {
        Ok(_) => Ok(see_other(&format!("/invii/{id}?avviso=stato"))),
        Err(AppError::Invalid(invalid)) => {
            render_detail(
                &auth,
                &state,
                id,
                &invalid,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e @ AppError::IllegalTransition { .. }) => {
            render_detail(
                &auth,
                &state,
                id,
                &Invalid::one("status", e.to_string()),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The referral letter (PDF), audited.
pub async fn letter(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let bytes = super::documents::referral_letter(&state, &auth.actor, path.into_inner()).await?;
    Ok(super::respond::pdf(bytes, "scheda-invio.pdf"))
}

/// Records that the privacy notice was given (from the person's page).
pub async fn privacy_notice(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    crate::app::privacy::record_notice(&auth.ctx(&state), id, form.get("method"), None)?;
    Ok(see_other(&format!("/persone/{id}?avviso=informativa")))
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/invii", Gate::Desk, list);
    r.get("/invii/nuovo", Gate::Desk, new_form);
    r.post("/invii/nuovo", Gate::Desk, create);
    r.get("/invii/{id}", Gate::Desk, detail);
    r.post("/invii/{id}/stato", Gate::Desk, change_status);
    r.get("/invii/{id}/scheda.pdf", Gate::Desk, letter);
    r.post("/persone/{id}/informativa", Gate::Desk, privacy_notice);
}
