//! What every request handler shares.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::domain::reference::Reference;
use crate::store::Store;

/// Login attempts allowed per client address: a burst of 10, then one every 6 seconds.
const LOGIN_BURST: NonZeroU32 = match NonZeroU32::new(10) {
    Some(n) => n,
    None => panic!("non-zero"),
};

pub struct AppState {
    pub store: Arc<Store>,
    /// Comuni, Belfiore codes and vocabularies.
    pub reference: Arc<Reference>,
    /// Installation secret that keys form tokens for visitors not logged in.
    pub secret: Vec<u8>,
    pub login_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// The password page's own bucket: mistakes there never slow down a colleague's login.
    pub password_limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Whether cookies carry `Secure` (on when served over TLS).
    pub secure_cookies: bool,
    /// The HTTPS certificate in use, shown on the admin page.
    pub tls: Option<crate::tls::CertInfo>,
    /// The group commit of the audit events of reads.
    pub audit_queue: crate::store::audit_queue::AuditQueue,
}

impl AppState {
    /// The use-case context for `actor`.
    pub fn ctx<'a>(&'a self, actor: &'a crate::domain::policy::Actor) -> crate::app::Ctx<'a> {
        crate::app::Ctx::new(&self.store, &self.reference, actor)
    }

    pub fn new(
        store: Arc<Store>,
        reference: Arc<Reference>,
        tls: Option<crate::tls::CertInfo>,
    ) -> Result<Self, crate::store::StoreError> {
        let secret = store.secret()?;
        let audit_queue = crate::store::audit_queue::AuditQueue::start(&store)
            .map_err(|e| crate::store::StoreError::AuditWriter(e.to_string()))?;
        Ok(Self {
            audit_queue,
            store,
            reference,
            secret,
            login_limiter: RateLimiter::keyed(Quota::per_minute(LOGIN_BURST)),
            password_limiter: RateLimiter::keyed(Quota::per_minute(LOGIN_BURST)),
            secure_cookies: tls.is_some(),
            tls,
        })
    }

    /// The data directory (the database's folder): keys, certificates, bundles.
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.store.path().parent().map_or_else(
            || std::path::PathBuf::from("."),
            std::path::Path::to_path_buf,
        )
    }

    /// Whether a login attempt from `ip` may proceed now (checked before any hashing).
    pub fn allow_login_attempt(&self, ip: IpAddr) -> bool {
        self.login_limiter.retain_recent();
        self.login_limiter.check_key(&ip).is_ok()
    }

    /// Whether a password change from `ip` may proceed now (its own bucket).
    pub fn allow_password_attempt(&self, ip: IpAddr) -> bool {
        self.password_limiter.retain_recent();
        self.password_limiter.check_key(&ip).is_ok()
    }
}

/// Runs the use case `f` for `actor` off the request threads: for one that reads much (the
/// statistics of a district), so that the office's other pages do not wait for it.
pub async fn blocking<T: Send + 'static>(
    state: &actix_web::web::Data<AppState>,
    actor: &crate::domain::policy::Actor,
    f: impl FnOnce(&crate::app::Ctx) -> Result<T, crate::app::AppError> + Send + 'static,
) -> Result<T, crate::app::AppError> {
    let (state, actor) = (state.clone(), actor.clone());
    actix_web::web::block(move || f(&state.ctx(&actor)))
        .await
        .map_err(|e| crate::app::AppError::Internal(e.to_string()))?
}
