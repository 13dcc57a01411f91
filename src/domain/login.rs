//! Lockout rule for repeated failed logins on one username. Failures are counted per source
//! address, so guesses from one computer cannot lock a colleague out at another; a larger
//! ceiling over all addresses still stops a guessing run spread across many. A browser where
//! the user has logged in before (a *device cookie*, as OWASP suggests) is a source of its own
//! that the ceiling does not lock: a run from a few addresses cannot keep the user out of the
//! PC she works at, and a guesser holding no such cookie gains nothing from it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Failures from one address within the window that lock the username at that address.
pub const MAX_FAILURES: usize = 5;
/// Failures from all addresses within the window that lock the username everywhere.
pub const MAX_FAILURES_ALL: usize = 20;
/// The window (and the lockout) length.
pub const WINDOW_MINUTES: i64 = 15;
/// How the source of an attempt from a recognised browser is written (then a short id).
pub const DEVICE_PREFIX: &str = "dispositivo:";
/// Days a browser stays recognised after the user's last login there.
pub const DEVICE_DAYS: i64 = 180;

/// One failed (or still unverified) attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub at: DateTime<Utc>,
    /// The source address the attempt came from.
    pub from: String,
}

/// Failures still inside the window at `now`, oldest first.
pub fn recent_failures(failures: &[Failure], now: DateTime<Utc>) -> Vec<Failure> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut recent: Vec<_> = failures.iter().filter(|f| f.at > since).cloned().collect();
    recent.sort_by_key(|f| f.at);
    recent
}

/// A lockout in force: until when, and whether it holds at every address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub until: DateTime<Utc>,
    pub everywhere: bool,
}

/// A user's lockouts in force, for the administration page.
pub struct Lockout {
    pub user: crate::domain::user::User,
    /// The locked address, or empty when the name is locked everywhere.
    pub from: String,
    pub lock: Lock,
    /// Failures counted in the window, from every address.
    pub failures: usize,
}

/// Whether an attempt from `from` is locked at `now`, and until when: the oldest counted
/// failure has to leave the window.
pub fn lock_for(failures: &[Failure], from: &str, now: DateTime<Utc>) -> Option<Lock> {
    let recent = recent_failures(failures, now);
    let window = Duration::minutes(WINDOW_MINUTES);
    let here: Vec<_> = recent.iter().filter(|f| f.from == from).collect();
    let local = (here.len() >= MAX_FAILURES).then(|| here[here.len() - MAX_FAILURES].at + window);
    let recognised = from.starts_with(DEVICE_PREFIX);
    let global = (!recognised && recent.len() >= MAX_FAILURES_ALL)
        .then(|| recent[recent.len() - MAX_FAILURES_ALL].at + window);
    match (local, global) {
        (_, Some(until)) => Some(Lock {
            until: local.map_or(until, |l| l.max(until)),
            everywhere: true,
        }),
        (Some(until), None) => Some(Lock {
            until,
            everywhere: false,
        }),
        (None, None) => None,
    }
}

/// Every lockout in force on a username at `now`: one for all addresses (the ceiling), or one
/// per locked address; and one per recognised browser locked by its own failures.
pub fn locks_in_force(failures: &[Failure], now: DateTime<Utc>) -> Vec<(String, Lock)> {
    let recent = recent_failures(failures, now);
    let mut sources: Vec<&str> = recent.iter().map(|f| f.from.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    // An address never seen stands for "any computer": locked only by the ceiling.
    let everywhere = lock_for(&recent, "", now).filter(|l| l.everywhere);
    let mut out: Vec<(String, Lock)> = everywhere
        .map(|lock| vec![(String::new(), lock)])
        .unwrap_or_default();
    for from in sources {
        let device = from.starts_with(DEVICE_PREFIX);
        if everywhere.is_some() && !device {
            continue;
        }
        if let Some(lock) = lock_for(&recent, from, now) {
            out.push((from.to_string(), lock));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(t0: DateTime<Utc>, n: i64, from: &str) -> Vec<Failure> {
        (0..n)
            .map(|i| Failure {
                at: t0 + Duration::minutes(i),
                from: from.into(),
            })
            .collect()
    }

    #[test]
    fn five_failures_from_one_address_lock_it_there_and_expire() {
        let t0 = Utc::now();
        let f = fails(t0, 5, "10.0.0.9");
        let at = t0 + Duration::minutes(5);
        assert_eq!(lock_for(&f[..4], "10.0.0.9", at), None);
        let lock = lock_for(&f, "10.0.0.9", at).unwrap();
        // The first failure leaves the window 15 minutes after it happened.
        assert_eq!(lock.until, t0 + Duration::minutes(15));
        assert!(!lock.everywhere);
        // A colleague at another computer is not locked out.
        assert_eq!(lock_for(&f, "10.0.0.7", at), None);
        assert_eq!(
            lock_for(
                &f,
                "10.0.0.9",
                t0 + Duration::minutes(15) + Duration::seconds(1)
            ),
            None
        );
        assert_eq!(locks_in_force(&f, at).len(), 1);
    }

    #[test]
    fn a_run_spread_over_many_addresses_locks_the_name_everywhere() {
        let t0 = Utc::now();
        let f: Vec<Failure> = (0..5)
            .flat_map(|a| fails(t0, 4, &format!("10.0.1.{a}")))
            .collect();
        let at = t0 + Duration::minutes(4);
        let lock = lock_for(&f, "10.0.0.7", at).unwrap();
        assert!(lock.everywhere);
        assert_eq!(locks_in_force(&f, at), vec![(String::new(), lock)]);
        // The browser where the user logged in before is not locked by the run…
        let mine = format!("{DEVICE_PREFIX}a1b2c3");
        assert_eq!(lock_for(&f, &mine, at), None);
        // …but its own five failures lock it like an address.
        let mut f = f;
        f.extend(fails(t0, 5, &mine));
        assert!(!lock_for(&f, &mine, at).unwrap().everywhere);
    }
}
