//! Who is asking: the session cookie for pages, a bearer token or the cookie for the API.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use std::future::{ready, Ready};

use super::error::{ApiError, PageError};
use super::state::AppState;
use crate::domain::policy::Actor;
use crate::domain::session::Session;
use crate::domain::user::User;

pub const SESSION_COOKIE: &str = "sportello_session";

/// The session cookie: HttpOnly, SameSite=Strict, Secure under TLS, gone when the browser closes.
pub fn session_cookie(id: String, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, id)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// The mark of a browser where a user logged in (lockout, `domain::login`): it opens nothing
/// by itself, so it outlives the session; only the login path reads it.
pub const DEVICE_COOKIE: &str = "sportello_dispositivo";

pub fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build(DEVICE_COOKIE, token)
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(
            crate::domain::login::DEVICE_DAYS,
        ))
        .finish()
}

/// A cookie that tells the browser to forget `name`.
pub fn removal_cookie(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::build(name, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    c.make_removal();
    c
}

pub fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| PageError::Internal("stato dell'applicazione assente".into()))
}

/// The live session behind the request's cookie, with its (enabled) user.
pub fn current_session(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<(String, Session, User)>, crate::store::StoreError> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let id = cookie.value().to_string();
    let Some(session) = state.store.session(&id)? else {
        return Ok(None);
    };
    let Some(user) = state.store.user(session.user_id)? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    Ok(Some((id, session, user)))
}

/// A logged-in user on a page. Redirects to setup, login or the forced password change.
#[derive(Clone)]
pub struct Auth {
    pub user: User,
    pub session: Session,
    pub session_id: String,
    /// The user as the policy sees them.
    pub actor: Actor,
    /// The request's audit events, awaited by the route's gate before the answer.
    pub pending: Option<std::rc::Rc<super::audit_wait::PendingAudit>>,
    /// The page asked for, for the breadcrumbs.
    pub path: String,
}

impl Auth {
    /// The use-case context for this user in this request.
    pub fn ctx<'a>(&'a self, state: &'a AppState) -> crate::app::Ctx<'a> {
        let ctx = state.ctx(&self.actor);
        match &self.pending {
            Some(p) => ctx.with_sink(p.as_ref()),
            None => ctx,
        }
    }
}

/// The username of the caller, left on the request for the denial audit.
#[derive(Debug, Clone)]
pub struct CallerName(pub String);

impl Auth {
    /// Desk pages with personal records (the policy's answer, for handlers that read directly).
    pub fn desk(&self) -> Result<(), PageError> {
        crate::domain::policy::desk_records(&self.actor)
            .map_err(|d| crate::app::AppError::Denied(d).into())
    }
}

pub(super) fn authenticate_page(req: &HttpRequest) -> Result<Auth, PageError> {
    let state = state(req)?;
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let (session_id, session, user) =
        current_session(req, state)?.ok_or(PageError::LoginRequired)?;
    req.extensions_mut()
        .insert(CallerName(user.username.clone()));
    if user.must_change_password && req.path() != "/password" {
        return Err(PageError::MustChangePassword);
    }
    Ok(Auth {
        actor: Actor::of(&user, Some(instance.role)),
        user,
        session,
        session_id,
        pending: None,
        path: req.path().to_string(),
    })
}

impl FromRequest for Auth {
    type Error = PageError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The route's gate has already authenticated the caller.
        if let Some(auth) = req.extensions().get::<Auth>() {
            return ready(Ok(auth.clone()));
        }
        ready(authenticate_page(req))
    }
}

/// A caller of the JSON API.
#[derive(Clone)]
pub struct ApiAuth {
    pub user: User,
    /// The user as the policy sees them.
    pub actor: Actor,
    /// The request's audit events, awaited by the route's gate before the answer.
    pub pending: Option<std::rc::Rc<super::audit_wait::PendingAudit>>,
}

impl ApiAuth {
    /// The use-case context for this caller in this request.
    pub fn ctx<'a>(&'a self, state: &'a AppState) -> crate::app::Ctx<'a> {
        let ctx = state.ctx(&self.actor);
        match &self.pending {
            Some(p) => ctx.with_sink(p.as_ref()),
            None => ctx,
        }
    }

    /// Desk endpoints with personal records (the policy's answer).
    pub fn desk(&self) -> Result<(), ApiError> {
        crate::domain::policy::desk_records(&self.actor)
            .map_err(|d| crate::app::AppError::Denied(d).into())
    }
}

/// The token of an `Authorization: Bearer …` header, if present.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

pub(super) fn authenticate_api(req: &HttpRequest) -> Result<ApiAuth, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::unauthorized)?;
    let user = if let Some(token) = bearer_token(req) {
        state
            .store
            .token_user(token)?
            .ok_or_else(ApiError::unauthorized)?
    } else {
        current_session(req, state)?
            .map(|(_, _, user)| user)
            .ok_or_else(ApiError::unauthorized)?
    };
    req.extensions_mut()
        .insert(CallerName(user.username.clone()));
    if user.must_change_password {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            "L'utente deve prima cambiare la password temporanea dal browser.",
        ));
    }
    let mode = state.store.instance()?.map(|i| i.role);
    Ok(ApiAuth {
        actor: Actor::of(&user, mode),
        user,
        pending: None,
    })
}

impl FromRequest for ApiAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(auth) = req.extensions().get::<ApiAuth>() {
            return ready(Ok(auth.clone()));
        }
        ready(authenticate_api(req))
    }
}
