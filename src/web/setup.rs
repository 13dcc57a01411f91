//! First-run setup wizard: the installation's identity and its first administrator.

use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::csrf::anonymous_form_token;
use super::error::PageError;
use super::forms::Fields;
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use super::views::setup::SetupValues;
use crate::domain::instance::InstanceForm;
use crate::domain::password::hash_password;
use crate::domain::role::Role;
use crate::domain::user::NewUser;
use crate::domain::Invalid;
use crate::store::StoreError;

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
    };
    let instance_form = InstanceForm {
        role: values.role.clone(),
        comune_istat: values.comune_istat.clone(),
        comune_name: values.comune_name.clone(),
        ambito_code: values.ambito_code.clone(),
        ambito_name: values.ambito_name.clone(),
    };
    let admin = NewUser {
        username: values.admin_username.clone(),
        full_name: values.admin_full_name.clone(),
        roles: vec![Role::Amministratore],
        password: form.get("admin_password").to_string(),
        temporary: false,
    };
    let mut invalid = Invalid::new();
    let checked = instance_form.validate(&state.reference.comuni);
    if let Err(e) = &checked {
        invalid.0.extend(e.0.iter().cloned());
    }
    let admin = match admin.validate() {
        Ok(a) => Some(a),
        Err(e) => {
            for err in e.0 {
                let field = match err.field {
                    "username" => "admin_username",
                    "full_name" => "admin_full_name",
                    "password" => "admin_password",
                    other => other,
                };
                invalid.add(field, err.message);
            }
            None
        }
    };
    if invalid.message("admin_password").is_none()
        && form.get("admin_password") != form.get("admin_password_confirm")
    {
        invalid.add("admin_password_confirm", "Le due password non coincidono.");
    }
    let (checked, admin) = match (checked, admin) {
        (Ok(c), Some(a)) if invalid.is_empty() => (c, a),
        _ => {
            let (token, _) = anonymous_form_token(&req, &state)?;
            let body = views::setup::page(&Chrome::anonymous(None, &token), &values, &invalid);
            return Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
                .content_type("text/html; charset=utf-8")
                .body(body.into_string()));
        }
    };
    let target = if checked.warnings.is_empty() {
        "/login?avviso=configurato"
    } else {
        "/login?avviso=configurato-istat"
    };
    let password = admin.password.clone();
    let hash = web::block(move || hash_password(&password))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    match state.store.setup(&checked, &admin, hash, &admin.username) {
        Ok(_) | Err(StoreError::AlreadySetUp) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, target))
            .finish()),
        Err(e) => Err(e.into()),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/setup", Gate::Open, setup_page);
    r.post("/setup", Gate::Open, setup_submit);
}
