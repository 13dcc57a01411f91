//! District pages: the inbox of referrals received from the desks and the coordinator's decisions.

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
use crate::domain::audit::AuditEvent;
use crate::domain::instance::{Instance, InstanceRole};
use crate::domain::referral::ReferralStatus;
use crate::domain::role::Role;
use crate::domain::Invalid;
use crate::store::StoreError;

/// The inbox is for the district's social workers and coordinator, on a district instance.
fn require_district(auth: &Auth, state: &AppState) -> Result<Instance, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    if instance.role != InstanceRole::District {
        return Err(PageError::NotFound);
    }
    if !auth
        .user
        .has_any_role(&[Role::AssistenteSociale, Role::Responsabile])
    {
        return Err(PageError::Forbidden);
    }
    Ok(instance)
}

pub async fn inbox(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let instance = require_district(&auth, &state)?;
    let entries = state.store.inbox()?;
    let imports = state.store.imports()?;
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "inbox.list", "")
            .details(format!("{} invii", entries.len())),
    )?;
    let chrome = Chrome::for_user(&auth, Some(&instance), "/ambito");
    Ok(ok(views::district::inbox_page(
        &chrome,
        &state.reference,
        &entries,
        &imports,
    )))
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    avviso: String,
}

fn render_detail(
    auth: &Auth,
    state: &AppState,
    instance: &Instance,
    id: Uuid,
    invalid: &Invalid,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let entry = state.store.inbox_referral(id)?.ok_or(PageError::NotFound)?;
    let all = state.store.inbox()?;
    let linked = entry.linked(&all);
    state.store.audit(
        AuditEvent::new(auth.user.username.clone(), "inbox.view", id.to_string())
            .details(entry.comune_name.clone()),
    )?;
    let chrome = Chrome::for_user(auth, Some(instance), "/ambito");
    Ok(html(
        status,
        views::district::inbox_detail_page(
            &chrome,
            &state.reference,
            &entry,
            &linked,
            invalid,
            notice,
            Utc::now(),
        ),
    ))
}

pub async fn detail(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let instance = require_district(&auth, &state)?;
    let notice = (query.avviso == "stato").then_some(
        "Decisione registrata: arriverà allo sportello con il prossimo pacchetto di ritorno.",
    );
    render_detail(
        &auth,
        &state,
        &instance,
        path.into_inner(),
        &Invalid::new(),
        notice,
        StatusCode::OK,
    )
}

pub async fn decide(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let instance = require_district(&auth, &state)?;
    let id = path.into_inner();
    let invalid = match ReferralStatus::from_code(form.get("status")) {
        None => Invalid::one("status", "Scegliere il nuovo stato."),
        Some(to) => match state
            .store
            .decide_inbox(id, to, form.get("note"), &auth.user.username)
        {
            Ok(_) => return Ok(see_other(&format!("/ambito/invii/{id}?avviso=stato"))),
            Err(StoreError::Conflict(msg)) => Invalid::one("status", msg),
            Err(StoreError::NotFound(_)) => return Err(PageError::NotFound),
            Err(e) => return Err(e.into()),
        },
    };
    render_detail(
        &auth,
        &state,
        &instance,
        id,
        &invalid,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The coordinator says two referrals with the same codice fiscale are different persons.
pub async fn unlink(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    require_district(&auth, &state)?;
    let id = path.into_inner();
    let other: Uuid = form
        .get("other")
        .parse()
        .map_err(|_| PageError::BadRequest)?;
    state.store.unlink_inbox(id, other, &auth.user.username)?;
    Ok(see_other(&format!("/ambito/invii/{id}?avviso=scollegato")))
}
