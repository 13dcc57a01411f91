//! Login, logout and the user's own password change.

use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use std::net::{IpAddr, Ipv4Addr};

use super::csrf::anonymous_form_token;
use super::error::PageError;
use super::forms::Fields;
use super::session::{
    current_session, device_cookie, removal_cookie, session_cookie, Auth, DEVICE_COOKIE,
    SESSION_COOKIE,
};
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app;
use crate::domain::Invalid;

fn client_ip(req: &HttpRequest) -> IpAddr {
    req.peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip())
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn html(status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// Messages the login page may show after a redirect, chosen by a fixed key.
fn notice_for(key: &str) -> Option<&'static str> {
    match key {
        "configurato" => {
            Some("Configurazione completata. Acceda con l'utente amministratore appena creato.")
        }
        "configurato-istat" => Some(
            "Configurazione completata. Il codice ISTAT indicato non è nell'elenco dei comuni incluso \
             (aggiornato al 2020) ed è stato accettato così com'è: verificarlo. Acceda con l'utente amministratore.",
        ),
        "uscito" => Some("È uscito dal programma."),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    avviso: String,
}

pub async fn login_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, PageError> {
    if state.store.instance()?.is_none() {
        return Ok(see_other("/setup"));
    }
    if current_session(&req, &state)?.is_some() {
        return Ok(see_other("/"));
    }
    let (token, cookie) = anonymous_form_token(&req, &state)?;
    let instance = state.store.instance()?;
    let body = views::auth::login(
        &Chrome::anonymous(instance.as_ref(), &token),
        "",
        None,
        notice_for(&query.avviso),
    );
    let mut resp = html(StatusCode::OK, body);
    if let Some(c) = cookie {
        resp.add_cookie(&c)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(resp)
}

pub async fn login_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let ip = client_ip(&req);
    if !state.allow_login_attempt(ip) {
        return Err(PageError::TooManyRequests);
    }
    let typed = form.get("username").to_string();
    let password = form.get("password").to_string();
    let previous = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let device = req.cookie(DEVICE_COOKIE).map(|c| c.value().to_string());
    let (st, who) = (state.clone(), typed.clone());
    let outcome = web::block(move || {
        let browser = app::auth::Browser {
            previous: previous.as_deref(),
            device: device.as_deref(),
            ip: &ip.to_string(),
        };
        app::auth::login(&st.store, &who, &password, &browser)
    })
    .await??;
    match outcome {
        app::auth::Login::In {
            session_id,
            user_id,
            must_change_password,
            device_token,
        } => {
            let next = if must_change_password {
                "/password"
            } else {
                super::drafts::after_login(&req, &state, user_id).unwrap_or("/")
            };
            let mut resp = see_other(next);
            resp.add_cookie(&session_cookie(session_id, state.secure_cookies))
                .map_err(|e| PageError::Internal(e.to_string()))?;
            resp.add_cookie(&device_cookie(device_token, state.secure_cookies))
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(resp)
        }
        app::auth::Login::Refused { message, locked } => {
            let (token, _) = anonymous_form_token(&req, &state)?;
            let chrome = Chrome::anonymous(Some(&instance), &token);
            let status = if locked {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            Ok(html(
                status,
                views::auth::login(&chrome, &typed, Some(&message), None),
            ))
        }
    }
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        state.store.logout(cookie.value())?;
    }
    let mut resp = see_other("/login?avviso=uscito");
    resp.add_cookie(&removal_cookie(SESSION_COOKIE, state.secure_cookies))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(resp)
}

pub async fn password_page(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/password");
    Ok(html(
        StatusCode::OK,
        views::auth::password(&chrome, auth.user.must_change_password, &Invalid::new()),
    ))
}

pub async fn password_submit(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let ip = client_ip(&req);
    // The current password is guessed no more freely here than at login (in its own bucket).
    if !state.allow_password_attempt(ip) {
        return Err(PageError::TooManyRequests);
    }
    let (st, user) = (state.clone(), auth.user.clone());
    let (current, new, confirm) = (
        form.get("current_password").to_string(),
        form.get("new_password").to_string(),
        form.get("confirm_password").to_string(),
    );
    let result = web::block(move || {
        app::auth::change_password(&st.store, &user, &current, &new, &confirm, &ip.to_string())
    })
    .await?;
    match result {
        Ok(id) => {
            let mut resp = see_other("/?avviso=password");
            resp.add_cookie(&session_cookie(id, state.secure_cookies))
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(resp)
        }
        Err(app::AppError::Invalid(invalid)) => {
            let instance = state.store.instance()?;
            let chrome = Chrome::for_user(&auth, instance.as_ref(), "/password");
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::auth::password(&chrome, auth.user.must_change_password, &invalid),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/login", Gate::Open, login_page);
    r.post("/login", Gate::Open, login_submit);
    r.post("/logout", Gate::Open, logout);
    r.get("/password", Gate::User, password_page);
    r.post("/password", Gate::User, password_submit);
}
