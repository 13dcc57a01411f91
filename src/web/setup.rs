//! First-run setup wizard: the installation's identity and its first administrator.

use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::csrf::anonymous_form_token;
use super::error::PageError;
use super::forms::Fields;
use super::respond::see_other;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::setup::SetupValues;
use crate::app;
use crate::domain::instance::InstanceForm;
use crate::domain::Invalid;

/// Until it is set up, anyone who reaches the wizard could make themselves administrator: only
/// a browser on this PC may (the peer address is the socket's, not a header).
fn require_local(req: &HttpRequest) -> Result<(), PageError> {
    match req.peer_addr() {
        Some(addr) if addr.ip().to_canonical().is_loopback() => Ok(()),
        _ => Err(PageError::SetupNotLocal),
    }
}

/// Already set up: the start page (which sends a visitor on to the login).
fn to_start() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/"))
        .finish()
}

pub async fn setup_page(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    if state.store.instance()?.is_some() {
        return Ok(to_start());
    }
    require_local(&req)?;
    let (token, cookie) = anonymous_form_token(&req, &state)?;
    let body = views::setup::page(
        &Chrome::anonymous(None, &token),
        &SetupValues::default(),
        &Invalid::new(),
    );
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body.into_string());
    if let Some(c) = cookie {
        resp.add_cookie(&c)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(resp)
}

pub async fn setup_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    if state.store.instance()?.is_some() {
        return Ok(to_start());
    }
    require_local(&req)?;
    let values = SetupValues {
        role: form.get("role").to_string(),
        comune_istat: form.get("comune_istat").to_string(),
        comune_name: form.get("comune_name").to_string(),
        ambito_code: form.get("ambito_code").to_string(),
        ambito_name: form.get("ambito_name").to_string(),
        admin_username: form.get("admin_username").to_string(),
        admin_full_name: form.get("admin_full_name").to_string(),
        contacts: crate::domain::instance::DeskContacts {
            address: form.get("desk_address").to_string(),
            phone: form.get("desk_phone").to_string(),
            email: form.get("desk_email").to_string(),
            hours: form.get("desk_hours").to_string(),
            dpo: form.get("desk_dpo").to_string(),
        },
    };
    let setup = app::setup::SetupForm {
        instance: InstanceForm {
            role: values.role.clone(),
            comune_istat: values.comune_istat.clone(),
            comune_name: values.comune_name.clone(),
            ambito_code: values.ambito_code.clone(),
            ambito_name: values.ambito_name.clone(),
        },
        admin_username: values.admin_username.clone(),
        admin_full_name: values.admin_full_name.clone(),
        admin_password: form.get("admin_password").to_string(),
        admin_password_confirm: Some(form.get("admin_password_confirm").to_string()),
        contacts: values.contacts.clone(),
    };
    let st = state.clone();
    let result = web::block(move || {
        // The first entry of the audit is made by the administrator being created.
        let actor =
            crate::domain::user::normalize_username(&setup.admin_username).unwrap_or_default();
        app::setup::setup(&st.store, &st.reference.comuni, setup, &actor)
    })
    .await?;
    match result {
        Ok(done) if done.warnings.is_empty() => Ok(see_other("/login?avviso=configurato")),
        Ok(_) => Ok(see_other("/login?avviso=configurato-istat")),
        Err(app::AppError::AlreadySetUp) => Ok(to_start()),
        Err(app::AppError::Invalid(invalid)) => {
            let (token, _) = anonymous_form_token(&req, &state)?;
            let body = views::setup::page(&Chrome::anonymous(None, &token), &values, &invalid);
            Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body.into_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/setup", Gate::Open, setup_page);
    r.post("/setup", Gate::Open, setup_submit);
}
