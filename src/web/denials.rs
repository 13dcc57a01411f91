//! Every refusal is audited: a response marked [`Denied`] (403, a restricted person, a page of the
//! other kind of installation, a failed CSRF check) leaves an entry with who, what and why.

use crate::domain::audit::Action;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use super::error::Denied;
use super::session::{bearer_token, current_session, CallerName};
use super::state::AppState;
use crate::domain::audit::AuditEvent;

/// Who made a refused request: the name the extractor left, or the session or token behind it.
fn caller(req: &actix_web::HttpRequest, state: &AppState) -> String {
    if let Some(name) = req.extensions().get::<CallerName>() {
        return name.0.clone();
    }
    let from_token = bearer_token(req).and_then(|t| state.store.token_user(t).ok().flatten());
    let from_session = || {
        current_session(req, state)
            .ok()
            .flatten()
            .map(|(_, _, u)| u)
    };
    from_token
        .or_else(from_session)
        .map_or_else(|| "(non autenticato)".to_string(), |u| u.username)
}

/// The persons whose records the refused path names (a person, or her access, referral or
/// appointment), so that "who tried to read this person" finds refusals too.
fn persons_in(path: &str, state: &AppState) -> Vec<uuid::Uuid> {
    let Ok(snap) = state.store.snapshot() else {
        return Vec::new();
    };
    path.split('/')
        .filter_map(|segment| uuid::Uuid::parse_str(segment).ok())
        .filter_map(|id| snap.owner_of(id).ok().flatten())
        .collect()
}

pub async fn audit<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, Error> {
    let res = next.call(req).await?;
    let reason = res.response().extensions().get::<Denied>().cloned();
    if let Some(Denied(reason)) = reason {
        let req = res.request();
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            let who = caller(req, state);
            // The path only: a query string could carry search terms about people.
            let subject = format!("{} {}", req.method(), req.path());
            let event = AuditEvent::new(who, Action::AccessDenied, subject)
                .details(format!("{} – {reason}", res.status().as_u16()))
                .about_all(persons_in(req.path(), state));
            if let Err(e) = state.store.audit(event) {
                tracing::error!("diniego non registrato nel registro di audit: {e}");
            }
        }
    }
    Ok(res)
}
