//! The audit trail: append-only entries, each sealed with the hash of the one before.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash that the first entry points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Names of audited actions, stable for filters and reports.
pub mod action {
    pub const SETUP: &str = "setup";
    pub const LOGIN: &str = "auth.login";
    pub const LOGIN_FAILED: &str = "auth.login_failed";
    pub const LOGIN_LOCKED: &str = "auth.login_locked";
    pub const LOGOUT: &str = "auth.logout";
    pub const PASSWORD_CHANGE: &str = "auth.password_change";
    pub const PASSWORD_CHANGE_FAILED: &str = "auth.password_change_failed";
    pub const USER_CREATE: &str = "user.create";
    pub const USER_DISABLE: &str = "user.disable";
    pub const USER_ENABLE: &str = "user.enable";
    pub const USER_ROLES: &str = "user.roles";
    pub const USER_PASSWORD_RESET: &str = "user.password_reset";
    pub const TOKEN_CREATE: &str = "token.create";
    pub const TOKEN_REVOKE: &str = "token.revoke";
}

/// Who did it, what, to what. `user` is a username, or `sistema` for the command line at setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub user: String,
    pub action: &'static str,
    pub subject: String,
    pub details: String,
}

impl AuditEvent {
    pub fn new(user: impl Into<String>, action: &'static str, subject: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            action,
            subject: subject.into(),
            details: String::new(),
        }
    }

    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = details.into();
        self
    }
}

/// One sealed entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub user: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The exact bytes that are hashed: fixed field order, time in RFC 3339 with nanoseconds.
#[derive(Serialize)]
struct Sealed<'a> {
    seq: u64,
    time: String,
    user: &'a str,
    action: &'a str,
    subject: &'a str,
    details: &'a str,
    prev_hash: &'a str,
}

impl AuditEntry {
    /// Builds the entry that follows `prev` (or the first one), with its hash.
    pub fn seal(event: AuditEvent, time: DateTime<Utc>, prev: Option<(u64, &str)>) -> Self {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_string()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let mut entry = AuditEntry {
            seq,
            time,
            user: event.user,
            action: event.action.to_string(),
            subject: event.subject,
            details: event.details,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    pub fn compute_hash(&self) -> String {
        let sealed = Sealed {
            seq: self.seq,
            time: self.time.to_rfc3339_opts(SecondsFormat::Nanos, true),
            user: &self.user,
            action: &self.action,
            subject: &self.subject,
            details: &self.details,
            prev_hash: &self.prev_hash,
        };
        // Serializing plain strings and integers to JSON cannot fail.
        let bytes = serde_json::to_vec(&sealed).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("voce {seq}: numero di sequenza inatteso (atteso {expected})")]
    Sequence { seq: u64, expected: u64 },
    #[error("voce {seq}: non punta all'hash della voce precedente")]
    Link { seq: u64 },
    #[error("voce {seq}: il contenuto non corrisponde al suo hash (alterata)")]
    Content { seq: u64 },
}

/// Checks a whole chain in order; returns the number of entries and the head hash.
pub fn verify_chain<I>(entries: I) -> Result<(u64, String), ChainError>
where
    I: IntoIterator<Item = AuditEntry>,
{
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    for entry in entries {
        if entry.seq != expected_seq {
            return Err(ChainError::Sequence {
                seq: entry.seq,
                expected: expected_seq,
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(ChainError::Link { seq: entry.seq });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainError::Content { seq: entry.seq });
        }
        prev_hash = entry.hash;
        expected_seq += 1;
    }
    Ok((expected_seq - 1, prev_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
            let ev = AuditEvent::new("anna", action::LOGIN, format!("s{i}"));
            out.push(AuditEntry::seal(ev, Utc::now(), prev));
        }
        out
    }

    #[test]
    fn a_sealed_chain_verifies_and_any_edit_breaks_it() {
        let entries = chain(4);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        let (n, head) = verify_chain(entries.clone()).unwrap();
        assert_eq!((n, head.as_str()), (4, entries[3].hash.as_str()));

        let mut edited = entries.clone();
        edited[2].details = "modificato".into();
        assert_eq!(verify_chain(edited), Err(ChainError::Content { seq: 3 }));

        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(removed),
            Err(ChainError::Sequence {
                seq: 3,
                expected: 2
            })
        );

        let mut resealed = entries;
        resealed[1].details = "x".into();
        resealed[1].hash = resealed[1].compute_hash();
        assert_eq!(verify_chain(resealed), Err(ChainError::Link { seq: 3 }));
    }
}
