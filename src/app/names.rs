//! Users as others read them: "Maria Rossi (operatore)", never the username alone, on every
//! page and document where one person is shown to another.

use crate::domain::district::ImportRecord;
use crate::domain::user::{described, is_program, User};
use crate::store::{Store, StoreError};

/// The installation's users, to name them.
pub struct Names(Vec<User>);

impl Names {
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        Ok(Names(store.users()?))
    }

    /// Full name and roles of `username` (a sentence for the program itself or an unknown one).
    pub fn of(&self, username: &str) -> String {
        described(username, self.user(username))
    }

    /// As `of`, but a username this installation does not know is named `elsewhere` (the desk
    /// that took a step before sending the referral, seen from the district).
    pub fn of_or(&self, username: &str, elsewhere: &str) -> String {
        match self.user(username) {
            None if !is_program(username) => elsewhere.to_string(),
            user => described(username, user),
        }
    }

    /// Who applied each bundle, by name.
    pub fn name_imports(&self, imports: &mut [ImportRecord]) {
        for i in imports {
            i.by = self.of(&i.by);
        }
    }

    fn user(&self, username: &str) -> Option<&User> {
        self.0.iter().find(|u| u.username == username)
    }
}
