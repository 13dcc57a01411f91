//! Pure functions from plain values to HTML. No I/O, no request objects.

pub mod admin;
pub mod auth;
pub mod errors;
pub mod form;
pub mod home;
pub mod layout;
pub mod setup;
