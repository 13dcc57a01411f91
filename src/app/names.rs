//! Users as others read them: "Maria Rossi (operatore)", never the username alone, on every
//! page and document where one person is shown to another.

use crate::domain::user::{described, User};
use crate::store::{Store, StoreError};

/// The installation's users, to name them.
pub struct Names(Vec<User>);

impl Names {
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        Ok(Names(store.users()?))
    }

    /// Full name and roles of `username` (a sentence for the program itself or an unknown one).
    pub fn of(&self, username: &str) -> String {
        described(username, self.0.iter().find(|u| u.username == username))
    }
}
