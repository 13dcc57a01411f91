//! Login, logout and the user's own password change.

use crate::domain::audit::Action;
use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use std::net::{IpAddr, Ipv4Addr};

use super::csrf::anonymous_form_token;
use super::error::PageError;
use super::forms::Fields;
use super::session::{current_session, removal_cookie, session_cookie, Auth, SESSION_COOKIE};
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::domain::audit::AuditEvent;
use crate::domain::login::{is_locked, unlocked_at};
use crate::domain::password::{check_new_password, dummy_hash, hash_password, verify_password};
use crate::domain::user::normalize_username;
use crate::domain::Invalid;
use crate::store::Attempt;

const UNKNOWN_USER: &str = "(nome utente sconosciuto)";

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
    let (token, _) = anonymous_form_token(&req, &state)?;
    let chrome = Chrome::anonymous(Some(&instance), &token);
    // Usernames that cannot exist are treated like unknown ones: same answer, same work.
    let username = normalize_username(&typed)
        .unwrap_or_else(|_| typed.trim().to_lowercase().chars().take(64).collect());

    let now = Utc::now();
    let user = state.store.user_by_username(&username)?;
    // A name that is not a user is not written to the audit: it may be a mistyped password.
    let who = user
        .as_ref()
        .map_or_else(|| UNKNOWN_USER.to_string(), |u| u.username.clone());
    if let Attempt::Locked(recent) = state.store.begin_login_attempt(&username, now)? {
        state.store.login_failed(
            AuditEvent::new(who.clone(), Action::LoginLocked, who).details(format!("da {ip}")),
        )?;
        return Ok(html(
            StatusCode::TOO_MANY_REQUESTS,
            views::auth::login(&chrome, &typed, Some(&locked_message(&recent, now)), None),
        ));
    }

    let hash = user
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |u| u.password_hash.clone());
    let verified = web::block(move || verify_password(&password, &hash)).await?;

    match user {
        Some(user) if verified && !user.disabled => {
            // A fresh session id at every login; any session the browser had is ended.
            let previous = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
            let (id, _) = state.store.login_succeeded(
                &user,
                &username,
                previous.as_deref(),
                &ip.to_string(),
            )?;
            state.store.purge_expired_sessions()?;
            let mut resp = see_other(if user.must_change_password {
                "/password"
            } else {
                "/"
            });
            resp.add_cookie(&session_cookie(id, state.secure_cookies))
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(resp)
        }
        other => {
            let reason = match &other {
                Some(u) if verified && u.disabled => "utente disabilitato",
                _ => "credenziali errate",
            };
            let recent = state.store.login_failures(&username, now)?;
            state.store.login_failed(
                AuditEvent::new(who.clone(), Action::LoginFailed, who)
                    .details(format!("{reason}, tentativo {} da {ip}", recent.len())),
            )?;
            // A disabled user with the right password gets the same answer: it confirms nothing.
            let message = if is_locked(&recent, now) {
                locked_message(&recent, now)
            } else {
                "Nome utente o password non corretti.".to_string()
            };
            Ok(html(
                StatusCode::UNAUTHORIZED,
                views::auth::login(&chrome, &typed, Some(&message), None),
            ))
        }
    }
}

fn locked_message(failures: &[chrono::DateTime<Utc>], now: chrono::DateTime<Utc>) -> String {
    let minutes = unlocked_at(failures, now)
        .map(|t| ((t - now).num_seconds() + 59) / 60)
        .unwrap_or(15)
        .max(1);
    format!(
        "Troppi tentativi falliti: l'accesso con questo nome utente è bloccato per {minutes} minut{}. \
         Riprovi più tardi, oppure chieda all'amministratore di reimpostare la password.",
        if minutes == 1 { "o" } else { "i" }
    )
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
    let current = form.get("current_password").to_string();
    let new = form.get("new_password").to_string();
    let confirm = form.get("confirm_password");
    let ip = client_ip(&req);
    let now = Utc::now();
    let mut invalid = Invalid::new();
    // The current password is guessed no more freely here than at login.
    if !state.allow_login_attempt(ip) {
        return Err(PageError::TooManyRequests);
    }
    match state.store.begin_login_attempt(&auth.user.username, now)? {
        Attempt::Locked(recent) => invalid.add("current_password", locked_message(&recent, now)),
        Attempt::Allowed => {
            let hash = auth.user.password_hash.clone();
            let current_for_check = current.clone();
            let current_ok = web::block(move || verify_password(&current_for_check, &hash)).await?;
            if !current_ok {
                state.store.login_failed(
                    AuditEvent::new(
                        auth.user.username.clone(),
                        Action::PasswordChangeFailed,
                        auth.user.username.clone(),
                    )
                    .details(format!("password attuale errata, da {ip}")),
                )?;
                invalid.add("current_password", "La password attuale non è corretta.");
            }
        }
    }
    if let Err(msg) = check_new_password(&new) {
        invalid.add("new_password", msg);
    } else if new == current {
        invalid.add(
            "new_password",
            "La nuova password deve essere diversa da quella attuale.",
        );
    }
    if invalid.message("new_password").is_none() && confirm != new {
        invalid.add("confirm_password", "Le due password non coincidono.");
    }
    if !invalid.is_empty() {
        let instance = state.store.instance()?;
        let chrome = Chrome::for_user(&auth, instance.as_ref(), "/password");
        return Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::auth::password(&chrome, auth.user.must_change_password, &invalid),
        ));
    }
    let new_hash = web::block(move || hash_password(&new))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    // Every session of the user ends (other browsers too); this browser gets a new one.
    let user =
        state
            .store
            .set_password(auth.user.id, new_hash, false, &auth.user.username, None)?;
    let (id, _) = state.store.create_session(user.id, &ip.to_string())?;
    let mut resp = see_other("/?avviso=password");
    resp.add_cookie(&session_cookie(id, state.secure_cookies))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(resp)
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/login", Gate::Open, login_page);
    r.post("/login", Gate::Open, login_submit);
    r.post("/logout", Gate::Open, logout);
    r.get("/password", Gate::User, password_page);
    r.post("/password", Gate::User, password_submit);
}
