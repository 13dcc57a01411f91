//! The route table: every path and method, with the policy gate it passes before its handler
//! runs (so a refused caller is answered before any body is read). Each area's module lists its
//! own routes in a `configure` function; the same list builds the server and `route_table()`,
//! which the access-matrix test walks.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{from_fn, Next};
use actix_web::{guard, web, FromRequest, Handler, HttpMessage, Responder, ResponseError};

use std::rc::Rc;

use super::audit_wait::PendingAudit;
use super::error::{ApiError, PageError};
use super::session::{authenticate_api, authenticate_page};
use crate::app::AppError;
use crate::domain::policy::{self, Actor, Denial};

/// The policy question a route asks first. Finer rules (restricted persons, referral steps, own
/// roles…) are the use cases' and are asked again there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Anyone: health, static files, login, setup, the API description.
    Open,
    /// Any logged-in user.
    User,
    /// Desk records: persons, accesses, referrals, agenda (`policy::desk_records`).
    Desk,
    /// Social work on desk records: reserved notes, the art. 15 report.
    SocialWork,
    /// The district's inbox of received referrals.
    District,
    /// Referrals: those sent at a desk, those received at a district.
    Referrals,
    /// Reading the service directory (desk roles; the district's social-work roles).
    Directory,
    /// The responsabile: directory editing, privacy, statistics, oversight notices.
    Responsabile,
    /// Merging two records of one person: the desk's responsabile (`policy::merge_persons`).
    Merge,
    /// Bundle exchange: responsabile or administrator.
    Exchange,
    /// Users, settings, backups.
    Admin,
}

impl Gate {
    pub fn allows(self, actor: &Actor) -> Result<(), Denial> {
        match self {
            Gate::Open | Gate::User => Ok(()),
            Gate::Desk => policy::desk_records(actor),
            Gate::SocialWork => policy::reserved_notes(actor),
            Gate::District => policy::district_inbox(actor),
            Gate::Referrals => policy::referrals(actor),
            Gate::Directory => policy::directory(actor),
            Gate::Responsabile => policy::responsabile(actor),
            Gate::Merge => policy::merge_persons(actor),
            Gate::Exchange => policy::exchange(actor),
            Gate::Admin => policy::administration(actor),
        }
    }
}

/// One row of the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub gate: Gate,
}

/// Collects routes, and registers them when building the server.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    table: Vec<RouteInfo>,
}

impl<'a> Routes<'a> {
    pub fn registering(cfg: &'a mut web::ServiceConfig) -> Self {
        Routes {
            cfg: Some(cfg),
            table: Vec::new(),
        }
    }

    pub fn listing() -> Routes<'static> {
        Routes {
            cfg: None,
            table: Vec::new(),
        }
    }

    pub fn into_table(self) -> Vec<RouteInfo> {
        self.table
    }

    pub fn get<F, Args>(&mut self, path: &'static str, gate: Gate, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, gate, handler, None)
    }

    pub fn post<F, Args>(&mut self, path: &'static str, gate: Gate, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, gate, handler, None)
    }

    pub fn put<F, Args>(&mut self, path: &'static str, gate: Gate, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::PUT, path, gate, handler, None)
    }

    pub fn delete<F, Args>(&mut self, path: &'static str, gate: Gate, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::DELETE, path, gate, handler, None)
    }

    /// A route whose body may be as large as a whole directory (`limit` bytes).
    pub fn large<F, Args>(
        &mut self,
        method: Method,
        path: &'static str,
        gate: Gate,
        handler: F,
        limit: usize,
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(method, path, gate, handler, Some(limit))
    }

    fn add<F, Args>(
        &mut self,
        method: Method,
        path: &'static str,
        gate: Gate,
        handler: F,
        limit: Option<usize>,
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.table.push(RouteInfo {
            method: method.clone(),
            path,
            gate,
        });
        let Some(cfg) = self.cfg.as_deref_mut() else {
            return self;
        };
        let mut route = web::route().method(method.clone()).to(handler);
        if gate != Gate::Open {
            route = route.wrap(from_fn(move |req, next| check(gate, req, next)));
        }
        let mut resource = web::resource(path).guard(guard::Method(method));
        if let Some(limit) = limit {
            resource = resource
                .app_data(
                    web::JsonConfig::default()
                        .limit(limit)
                        .error_handler(super::json_error),
                )
                .app_data(web::PayloadConfig::default().limit(limit));
        }
        cfg.service(resource.route(route));
        self
    }
}

/// Answers a caller the gate refuses (or who is not logged in) before the handler reads anything;
/// lets the others through with who they are left on the request for the handler's extractor.
async fn check(
    gate: Gate,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The request's read audits: queued for the group commit, awaited before the answer.
    let pending = req
        .app_data::<web::Data<super::AppState>>()
        .map(|s| Rc::new(PendingAudit::new(s.audit_queue.clone())));
    let api = super::is_api(req.request());
    let refused = if api {
        match authenticate_api(req.request()) {
            Ok(mut auth) => match gate.allows(&auth.actor) {
                Ok(()) => {
                    auth.pending = pending.clone();
                    req.extensions_mut().insert(auth);
                    None
                }
                Err(d) => Some(ApiError::from(AppError::Denied(d)).error_response()),
            },
            Err(e) => Some(e.error_response()),
        }
    } else {
        match authenticate_page(req.request()) {
            Ok(mut auth) => match gate.allows(&auth.actor) {
                Ok(()) => {
                    auth.pending = pending.clone();
                    req.extensions_mut().insert(auth);
                    None
                }
                Err(d) => Some(PageError::from(AppError::Denied(d)).error_response()),
            },
            Err(e) => Some(e.error_response()),
        }
    };
    if let Some(response) = refused {
        return Ok(req.into_response(response).map_into_right_body());
    }
    let res = next.call(req).await?;
    if let Some(p) = pending {
        if let Err(e) = p.durable().await {
            // Personal data is never answered without its audit entry on disk.
            tracing::error!("risposta trattenuta, audit non registrato: {e}");
            let (req, _) = res.into_parts();
            let response = if api {
                ApiError::from(AppError::Internal(e)).error_response()
            } else {
                PageError::Internal(e).error_response()
            };
            return Ok(ServiceResponse::new(req, response).map_into_right_body());
        }
    }
    Ok(res.map_into_left_body())
}
