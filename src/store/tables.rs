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
/// Merge id → `Merge` (two records of one person, and what moved).
pub const MERGES: TableDefinition<u128, &[u8]> = TableDefinition::new("merges");
/// Id of the record kept → ids of the merges into it.
pub const MERGES_BY_INTO: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("merges_by_into");
/// SHA-256 of a draft's id → `Draft` (a form kept when its session had expired).
pub const DRAFTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("drafts");
/// User id → SHA-256 of each of the user's drafts.
pub const DRAFTS_BY_USER: MultimapTableDefinition<u128, &[u8]> =
    MultimapTableDefinition::new("drafts_by_user");
/// SHA-256 of an API token → `ApiToken`.
pub const TOKENS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("api_tokens");
/// User id → SHA-256 of each of the user's API tokens.
pub const TOKENS_BY_USER: MultimapTableDefinition<u128, &[u8]> =
    MultimapTableDefinition::new("api_tokens_by_user");
/// SHA-256 (hex) of the lower-case username typed at login → times of recent failed logins.
pub const LOGIN_FAILURES: TableDefinition<&str, &[u8]> = TableDefinition::new("login_failures");
/// Audit sequence number → `AuditEntry` (append-only, hash-chained).
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// (person id, audit sequence number) → nothing: the entries that concern a person.
pub const AUDIT_BY_PERSON: TableDefinition<(u128, u64), ()> =
    TableDefinition::new("audit_by_person");
/// Change sequence number → `ChangeEntry` (append-only; bundles export from it).
pub const CHANGELOG: TableDefinition<u64, &[u8]> = TableDefinition::new("changelog");
/// Person id → `Person`.
pub const PERSONS: TableDefinition<u128, &[u8]> = TableDefinition::new("persons");
/// Codice fiscale or temporary code → person id.
pub const PERSON_BY_CODE: TableDefinition<&str, u128> = TableDefinition::new("person_by_code");
/// Folded word of a person's surname or given names → person ids (search).
pub const PERSON_BY_WORD: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("person_by_word");
/// Birth date (days from the Common Era) → person ids (duplicate checks).
pub const PERSON_BY_BIRTH: MultimapTableDefinition<i32, u128> =
    MultimapTableDefinition::new("person_by_birth");
/// (person id, change number) → `PersonChange`.
pub const PERSON_HISTORY: TableDefinition<(u128, u64), &[u8]> =
    TableDefinition::new("person_history");
/// Access id → `Access`.
pub const ACCESSES: TableDefinition<u128, &[u8]> = TableDefinition::new("accesses");
/// Person id → ids of the person's accesses.
pub const ACCESSES_BY_PERSON: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("accesses_by_person");
/// (time of the access in Unix milliseconds, access id) → nothing (accesses by day).
pub const ACCESSES_BY_TIME: TableDefinition<(i64, u128), ()> =
    TableDefinition::new("accesses_by_time");
/// Appointment id → `Appointment`.
pub const APPOINTMENTS: TableDefinition<u128, &[u8]> = TableDefinition::new("appointments");
/// (start in Unix milliseconds, appointment id) → nothing (agenda by day and week).
pub const APPOINTMENTS_BY_TIME: TableDefinition<(i64, u128), ()> =
    TableDefinition::new("appointments_by_time");
/// Person id → the person's appointment ids.
pub const APPOINTMENTS_BY_PERSON: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("appointments_by_person");
/// Organization id → `Organization` (service directory).
pub const ORGANIZATIONS: TableDefinition<u128, &[u8]> = TableDefinition::new("organizations");
/// Service id → `Service` (service directory, with its locations and hours).
pub const SERVICES: TableDefinition<u128, &[u8]> = TableDefinition::new("services");
/// Referral id → `Referral`.
pub const REFERRALS: TableDefinition<u128, &[u8]> = TableDefinition::new("referrals");
/// Access id → ids of the referrals made from it.
pub const REFERRALS_BY_ACCESS: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("referrals_by_access");
/// Person id → ids of the person's referrals.
pub const REFERRALS_BY_PERSON: MultimapTableDefinition<u128, u128> =
    MultimapTableDefinition::new("referrals_by_person");
/// District: referral id → `InboxReferral` (referrals received from the desks of the Ambito).
pub const INBOX: TableDefinition<u128, &[u8]> = TableDefinition::new("district_inbox");
/// District: access id → `AccessRecord` (pseudonymous statistical records from the desks).
pub const DISTRICT_ACCESSES: TableDefinition<u128, &[u8]> =
    TableDefinition::new("district_accesses");
/// Bundle id → `ImportRecord` (every bundle applied, from either side).
pub const BUNDLE_IMPORTS: TableDefinition<u128, &[u8]> = TableDefinition::new("bundle_imports");
/// Desk: access id → the `AccessRecord` its statistics count now (what a change takes away).
pub const STAT_RECORDS: TableDefinition<u128, &[u8]> = TableDefinition::new("stat_records");
/// (scope, period, dimension, value) → count: the maintained statistics (`stats::aggregate`).
pub const STAT_COUNTS: TableDefinition<(&str, &str, &str, &str), u64> =
    TableDefinition::new("stat_counts");
/// (year, hash of the person key) → `Presence`: who counts among the distinct persons.
pub const STAT_PRESENCE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("stat_presence");
/// District: access id → nothing: the accesses a received referral was made from.
pub const DISTRICT_REFERRED: TableDefinition<u128, ()> = TableDefinition::new("district_referred");
/// Holder (`user:<id>` or `recovery`) → `seal::Slot`: the data key wrapped for each holder.
pub const KEY_SLOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("key_slots");
/// Sealed databases: hashed beginning of a name word → hashed words that begin so (what a
/// clear index finds by a range of its sorted words).
pub const PERSON_WORD_PREFIX: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("person_word_prefix");
/// Sealed databases: hashed beginning of a codice fiscale (6 and 11 characters) → person ids.
pub const PERSON_BY_CODE_PREFIX: MultimapTableDefinition<&str, u128> =
    MultimapTableDefinition::new("person_by_code_prefix");
