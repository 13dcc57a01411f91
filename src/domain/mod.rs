//! Plain types and rules of the desk. No I/O: nothing here opens a file, a socket or a database.

pub mod audit;
pub mod comune;
pub mod instance;
pub mod login;
pub mod password;
pub mod role;
pub mod session;
pub mod user;
pub mod validation;

pub use validation::{FieldError, Invalid};
