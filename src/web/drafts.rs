//! Never losing typed work. A record form posted after its session expired (or from a page whose
//! token is stale) is kept for the user who typed it, and the same address answers with the
//! password asked again; after login the form comes back filled, to be sent with one click.

use crate::web::routes::{Gate, Routes};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::csrf::anonymous_form_token;
use super::error::PageError;
use super::respond::{html, ok, see_other};
use super::session::{removal_cookie, Auth, SESSION_COOKIE};
use super::state::AppState;
use super::views;
use super::views::layout::Chrome;
use crate::app;

/// The browser's handle on its kept form (the store has only its hash).
pub const DRAFT_COOKIE: &str = "sportello_bozza";

fn draft_cookie(id: String, secure: bool) -> Cookie<'static> {
    Cookie::build(DRAFT_COOKIE, id)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish()
}

/// For a form refused by the CSRF check: keeps it if it is a record form of a known user (a live
/// session with a stale page, or a session that expired) and answers; `None`: refuse as usual.
pub fn keep_refused_form(
    req: &HttpRequest,
    state: &AppState,
    live_user: Option<uuid::Uuid>,
    body: &[u8],
) -> Result<Option<HttpResponse>, PageError> {
    let expired_user = match (live_user, req.cookie(SESSION_COOKIE)) {
        (Some(_), _) | (None, None) => None,
        (None, Some(c)) => state.store.expired_session_user(c.value())?,
    };
    let Some(user_id) = live_user.or(expired_user) else {
        return Ok(None);
    };
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| PageError::BadRequest)?;
    let action = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    let Some(id) = app::drafts::keep(&state.store, user_id, &action, fields)? else {
        return Ok(None);
    };
    let mut resp = if live_user.is_some() {
        // Still logged in (a stale page): straight to the kept form.
        see_other("/bozza")
    } else {
        let (token, form_cookie) = anonymous_form_token(req, state)?;
        let instance = state.store.instance()?;
        let username = state
            .store
            .user(user_id)?
            .map(|u| u.username)
            .unwrap_or_default();
        let what = crate::domain::draft::Draft::new(user_id, &action, vec![], chrono::Utc::now());
        let mut resp = html(
            StatusCode::UNAUTHORIZED,
            views::drafts::expired(
                &Chrome::anonymous(instance.as_ref(), &token),
                &username,
                what.title(),
            ),
        );
        if let Some(c) = form_cookie {
            resp.add_cookie(&c)
                .map_err(|e| PageError::Internal(e.to_string()))?;
        }
        resp
    };
    resp.add_cookie(&draft_cookie(id, state.secure_cookies))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(Some(resp))
}

/// Where a successful login goes: the kept form when this browser holds one of the user's.
pub fn after_login(
    req: &HttpRequest,
    state: &AppState,
    user_id: uuid::Uuid,
) -> Option<&'static str> {
    let cookie = req.cookie(DRAFT_COOKIE)?;
    app::drafts::waiting(&state.store, cookie.value(), user_id)
        .ok()
        .filter(|w| *w)
        .map(|_| "/bozza")
}

/// Once a kept form has been sent again and answered (saved, or back with its problems on
/// screen), the draft is no longer needed.
pub fn sent_again<B>(state: &AppState, req: &HttpRequest, resp: &mut HttpResponse<B>) {
    let Some(cookie) = req.cookie(DRAFT_COOKIE) else {
        return;
    };
    let refused = matches!(
        resp.status(),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) || resp.status().is_server_error();
    if refused {
        return;
    }
    let Ok(Some((_, _, user))) = super::session::current_session(req, state) else {
        return;
    };
    let actor = crate::domain::policy::Actor::of(&user, None);
    match app::drafts::discard(&state.ctx(&actor), cookie.value()) {
        Ok(_) => {
            let _ = resp.add_cookie(&removal_cookie(DRAFT_COOKIE, state.secure_cookies));
        }
        Err(e) => tracing::warn!("bozza non eliminata: {e}"),
    }
}

pub async fn page(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let draft = match req.cookie(DRAFT_COOKIE) {
        Some(c) => app::drafts::recovered(&auth.ctx(&state), c.value())?,
        None => None,
    };
    let instance = state.store.instance()?;
    let chrome = Chrome::for_user(&auth, instance.as_ref(), "/");
    Ok(ok(views::drafts::recovered(&chrome, draft.as_ref())))
}

pub async fn discard(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    if let Some(c) = req.cookie(DRAFT_COOKIE) {
        app::drafts::discard(&auth.ctx(&state), c.value())?;
    }
    let mut resp = see_other("/");
    resp.add_cookie(&removal_cookie(DRAFT_COOKIE, state.secure_cookies))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(resp)
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/bozza", Gate::User, page);
    r.post("/bozza/scarta", Gate::User, discard);
}
