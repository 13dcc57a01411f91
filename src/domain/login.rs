//! Lockout rule for repeated failed logins on one username.

use chrono::{DateTime, Duration, Utc};

/// Failures within the window that lock a username.
pub const MAX_FAILURES: usize = 5;
/// The window (and the lockout) length.
pub const WINDOW_MINUTES: i64 = 15;

/// Failures still inside the window at `now`, oldest first.
pub fn recent_failures(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut recent: Vec<_> = failures.iter().copied().filter(|t| *t > since).collect();
    recent.sort();
    recent
}

/// Whether a username with these failures is locked at `now`.
pub fn is_locked(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> bool {
    recent_failures(failures, now).len() >= MAX_FAILURES
}

/// When a locked username is free again (the oldest counted failure leaves the window).
pub fn unlocked_at(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let recent = recent_failures(failures, now);
    if recent.len() < MAX_FAILURES {
        return None;
    }
    let oldest_counted = recent[recent.len() - MAX_FAILURES];
    Some(oldest_counted + Duration::minutes(WINDOW_MINUTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_in_fifteen_minutes_lock_and_expire() {
        let t0 = Utc::now();
        let fails: Vec<_> = (0..5).map(|i| t0 + Duration::minutes(i)).collect();
        assert!(!is_locked(&fails[..4], t0 + Duration::minutes(5)));
        assert!(is_locked(&fails, t0 + Duration::minutes(5)));
        // The first failure leaves the window 15 minutes after it happened.
        assert_eq!(
            unlocked_at(&fails, t0 + Duration::minutes(5)),
            Some(t0 + Duration::minutes(15))
        );
        assert!(!is_locked(
            &fails,
            t0 + Duration::minutes(15) + Duration::seconds(1)
        ));
    }
}
