//! What a user of the desk may do. A user may hold several roles.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Front-desk worker: receives citizens, registers accesses, orients.
    Operatore,
    /// Social worker: like operatore, and reads reserved notes.
    AssistenteSociale,
    /// Head of the desk: directory, audit, retention, statistics.
    Responsabile,
    /// Setup, users, backups, keys. Does not by itself read personal records.
    Amministratore,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Operatore,
        Role::AssistenteSociale,
        Role::Responsabile,
        Role::Amministratore,
    ];

    /// Stable code used on the command line, in forms and in the API.
    pub fn code(self) -> &'static str {
        match self {
            Role::Operatore => "operatore",
            Role::AssistenteSociale => "assistente_sociale",
            Role::Responsabile => "responsabile",
            Role::Amministratore => "amministratore",
        }
    }

    /// Label shown in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Role::Operatore => "Operatore",
            Role::AssistenteSociale => "Assistente sociale",
            Role::Responsabile => "Responsabile",
            Role::Amministratore => "Amministratore",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether this role may read personal records (persons, accesses, notes).
    pub fn reads_personal_data(self) -> bool {
        !matches!(self, Role::Amministratore)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_admin_alone_reads_nothing_personal() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("admin"), None);
        assert!(!Role::Amministratore.reads_personal_data());
        assert!(Role::Operatore.reads_personal_data());
    }
}
