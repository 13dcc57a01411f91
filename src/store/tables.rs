//! Every table of the database. Record values are codec bytes (see `codec`).

use redb::{MultimapTableDefinition, TableDefinition};

/// Setting name → codec value (schema version, instance, secrets).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// User id (UUIDv7 as u128) → `User`.
pub const USERS: TableDefinition<u128, &[u8]> = TableDefinition::new("users");
/// Lower-case username → user id.
pub const USER_BY_USERNAME: TableDefinition<&str, u128> = TableDefinition::new("user_by_username");
/// SHA-256 of a session id → `Session`.
pub const SESSIONS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("sessions");
/// User id → SHA-256 of each of the user's session ids.
pub const SESSIONS_BY_USER: MultimapTableDefinition<u128, &[u8]> =
    MultimapTableDefinition::new("sessions_by_user");
/// SHA-256 of an API token → `ApiToken`.
pub const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("api_tokens");
/// User id → SHA-256 of each of the user's API tokens.
pub const TOKENS_BY_USER: MultimapTableDefinition<u128, &[u8]> =
    MultimapTableDefinition::new("api_tokens_by_user");
/// SHA-256 (hex) of the lower-case username typed at login → times of recent failed logins.
pub const LOGIN_FAILURES: TableDefinition<&str, &[u8]> = TableDefinition::new("login_failures");
/// Audit sequence number → `AuditEntry` (append-only, hash-chained).
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Change sequence number → `ChangeEntry` (append-only; bundles export from it).
pub const CHANGELOG: TableDefinition<u64, &[u8]> = TableDefinition::new("changelog");
