//! Plain types and rules of the desk. No I/O: nothing here opens a file, a socket or a database.

pub mod access;
pub mod appointment;
pub mod audit;
pub mod backup_plan;
pub mod belfiore;
pub mod bundle_check;
pub mod codice_fiscale;
pub mod comune;
pub mod conflict;
pub mod correction;
pub mod directory;
pub mod district;
pub mod draft;
pub mod health;
pub mod hsds;
pub mod instance;
pub mod labels;
pub mod login;
pub mod merge;
pub mod password;
pub mod person;
pub mod place;
pub mod policy;
pub mod privacy;
pub mod reference;
pub mod referral;
pub mod retention;
pub mod role;
pub mod service_form;
pub mod session;
pub mod text;
pub mod user;
pub mod validation;
pub mod vocabulary;
pub mod when;

pub use validation::{FieldError, Invalid};
