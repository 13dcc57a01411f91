//! Server-side login sessions and their lifetime rules.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A session ends after this long without requests.
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
/// A session ends this long after login, however active.
pub const ABSOLUTE_TIMEOUT_HOURS: i64 = 12;
/// `last_seen` is rewritten at most this often, to spare a disk write per request.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

/// What the server keeps for one logged-in browser. Stored under the SHA-256 of its id,
/// so the database alone does not hand out live sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Synchronizer token that every state-changing request of this session must carry.
    pub csrf_token: String,
    /// Client address at login, for the audit trail.
    pub ip: String,
}

impl Session {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen > Duration::minutes(IDLE_TIMEOUT_MINUTES)
            || now - self.created_at > Duration::hours(ABSOLUTE_TIMEOUT_HOURS)
    }

    /// Expired for so long that nothing needs it any more: a form typed before the expiry is
    /// kept as a draft for its user only while the expired session still names them.
    pub fn is_gone(&self, now: DateTime<Utc>) -> bool {
        let grace = Duration::hours(super::draft::MAX_AGE_HOURS);
        now - self.last_seen > Duration::minutes(IDLE_TIMEOUT_MINUTES) + grace
            || now - self.created_at > Duration::hours(ABSOLUTE_TIMEOUT_HOURS) + grace
    }

    pub fn needs_touch(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen > Duration::seconds(TOUCH_EVERY_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: DateTime<Utc>, seen: DateTime<Utc>) -> Session {
        Session {
            user_id: Uuid::now_v7(),
            created_at: created,
            last_seen: seen,
            csrf_token: String::new(),
            ip: String::new(),
        }
    }

    #[test]
    fn idle_and_absolute_timeouts() {
        let t0 = Utc::now();
        let s = session(t0, t0);
        assert!(!s.is_expired(t0 + Duration::minutes(29)));
        assert!(s.is_expired(t0 + Duration::minutes(31)));
        let busy = session(t0, t0 + Duration::hours(12));
        assert!(!busy.is_expired(t0 + Duration::hours(12)));
        assert!(busy.is_expired(t0 + Duration::hours(12) + Duration::minutes(1)));
        assert!(!s.is_gone(t0 + Duration::hours(24)));
        assert!(s.is_gone(t0 + Duration::hours(25)));
    }
}
