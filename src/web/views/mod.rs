//! Pure functions from plain values to HTML. No I/O, no request objects.

pub mod accesses;
pub mod admin;
pub mod agenda;
pub mod auth;
pub mod charts;
pub mod corrections;
pub mod district;
pub mod drafts;
pub mod errors;
pub mod exchange;
pub mod fmt;
pub mod form;
pub mod home;
pub mod layout;
pub mod merges;
pub mod oversight;
pub mod persons;
pub mod privacy;
pub mod referrals;
pub mod services;
pub mod setup;
pub mod sportello;
pub mod statistics;
pub mod subject_report;
