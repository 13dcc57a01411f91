//! Sportello: the Segretariato Sociale desk of an Italian comune, and the Ambito's district office.
#![forbid(unsafe_code)]

pub mod app;
pub mod assets;
pub mod bundle;
pub mod doctor;
pub mod domain;
pub mod jobs;
pub mod pdf;
pub mod seal;
pub mod stats;
pub mod store;
pub mod tls;
pub mod web;
