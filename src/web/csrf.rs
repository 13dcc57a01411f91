//! CSRF protection on every state-changing request.
//!
//! Logged-in users: a synchronizer token kept in the server-side session, sent back as the `csrf`
//! form field or the `X-CSRF-Token` header. Visitors not yet logged in (login and setup forms):
//! a random HttpOnly cookie and, in the form, its HMAC under the installation secret.
//! API calls authenticated by a bearer token carry no cookie and are exempt.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpRequest, ResponseError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::{ApiError, PageError};
use super::session::{bearer_token, current_session};
use super::state::AppState;

/// Cookie that anchors the form token of a visitor who is not logged in.
pub const FORM_COOKIE: &str = "sportello_form";
/// Name of the hidden field carrying the token in every form.
pub const FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";

/// Pages whose forms are posted before login.
const ANONYMOUS_FORMS: [&str; 2] = ["/login", "/setup"];

fn anonymous_token(secret: &[u8], anchor: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new_from_slice(&[0]).expect("fixed key"));
    mac.update(anchor.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The form token for a visitor not logged in, and the cookie to set if they have none yet.
pub fn anonymous_form_token(
    req: &HttpRequest,
    state: &AppState,
) -> Result<(String, Option<Cookie<'static>>), PageError> {
    if let Some(c) = req.cookie(FORM_COOKIE) {
        if c.value().len() >= 32 {
            return Ok((anonymous_token(&state.secret, c.value()), None));
        }
    }
    let mut anchor = [0u8; 32];
    getrandom::getrandom(&mut anchor).map_err(|e| PageError::Internal(e.to_string()))?;
    let anchor = URL_SAFE_NO_PAD.encode(anchor);
    let cookie = Cookie::build(FORM_COOKIE, anchor.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.secure_cookies)
        .finish();
    Ok((anonymous_token(&state.secret, &anchor), Some(cookie)))
}

fn equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Whether the browser's own headers allow the request as coming from this application's pages:
/// `Sec-Fetch-Site` (modern browsers) is `same-origin` or `none`, and an `Origin`, when it names
/// one, is this host.
fn same_origin(req: &ServiceRequest) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match header("origin") {
        None | Some("null") => true,
        Some(origin) => {
            let host = req.connection_info().host().to_ascii_lowercase();
            origin
                .split_once("://")
                .is_some_and(|(_, o)| o.to_ascii_lowercase() == host)
        }
    }
}

/// Middleware: refuses any unsafe request whose token does not match, before the handler runs.
/// Refusals are returned as responses (not errors) so the security headers still apply.
pub async fn guard<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let is_api = req.path().starts_with("/api/");
    if safe || (is_api && bearer_token(req.request()).is_some()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let refuse = |req: ServiceRequest, err: &dyn ResponseError| {
        Ok(req
            .into_response(err.error_response())
            .map_into_right_body())
    };
    let refusal: Box<dyn ResponseError> = if is_api {
        Box::new(ApiError::csrf())
    } else {
        Box::new(PageError::Csrf)
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return refuse(req, refusal.as_ref());
    };
    // Defence in depth beside the token: a browser says where the request comes from, and a
    // page of another site or another port of this host never gets through, nor is its form
    // kept. (Our pages send no referrer, so their own forms carry `Origin: null`.)
    if !same_origin(&req) {
        return refuse(req, refusal.as_ref());
    }

    let mut expected: Vec<String> = Vec::new();
    let mut live_user = None;
    match current_session(req.request(), &state) {
        Ok(Some((_, session, user))) => {
            expected.push(session.csrf_token);
            live_user = Some(user.id);
        }
        Ok(None) => {}
        Err(e) => return refuse(req, &PageError::from(e)),
    }
    if ANONYMOUS_FORMS.contains(&req.path()) {
        if let Some(c) = req.cookie(FORM_COOKIE) {
            expected.push(anonymous_token(&state.secret, c.value()));
        }
    }
    if expected.is_empty() && req.path() == "/logout" {
        // Logging out without a live session ends nothing: let an expired page's "Esci" through.
        return Ok(next.call(req).await?.map_into_left_body());
    }

    let mut provided: Option<String> = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    // A file upload (multipart, no JavaScript) carries the token in the action's query string:
    // the body is streamed to the handler and not buffered here.
    let is_upload = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if provided.is_none() && is_upload {
        provided = serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .ok()
            .and_then(|fields| fields.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
    }
    let mut form_body = None;
    let mut sent_again = false;
    if provided.is_none() && is_form {
        let body = match req.extract::<web::Bytes>().await {
            Ok(b) => b,
            Err(e) => return Ok(req.error_response(e).map_into_right_body()),
        };
        let fields = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body).ok();
        sent_again = fields
            .as_ref()
            .is_some_and(|f| f.iter().any(|(k, v)| k == "bozza" && v == "1"));
        provided =
            fields.and_then(|fields| fields.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
        // The body was decoded while reading it: hand it on plain.
        req.headers_mut().remove(header::CONTENT_ENCODING);
        req.set_payload(actix_web::dev::Payload::from(body.clone()));
        form_body = Some(body);
    }
    match provided {
        Some(token) if expected.iter().any(|e| equal(e, &token)) => {
            let mut res = next.call(req).await?;
            if sent_again {
                let http = res.request().clone();
                super::drafts::sent_again(&state, &http, res.response_mut());
            }
            Ok(res.map_into_left_body())
        }
        _ => {
            // A record form that came too late is kept, not lost.
            if let (false, Some(body)) = (is_api, form_body) {
                match super::drafts::keep_refused_form(req.request(), &state, live_user, &body) {
                    Ok(Some(resp)) => return Ok(req.into_response(resp).map_into_right_body()),
                    Ok(None) => {}
                    Err(e) => return refuse(req, &e),
                }
            }
            refuse(req, refusal.as_ref())
        }
    }
}
