//! Users of the system: who they are, what roles they hold, and the rules for their names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::password::check_new_password;
use super::role::Role;
use super::Invalid;

/// A person who works with the program (not a citizen: those are `Person`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    /// PHC string of the argon2id hash.
    pub password_hash: String,
    /// Set for temporary passwords: the user must choose a new one at next login.
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A change that lets someone read personal data or log in as another user (a role that reads
/// personal data granted, a password reset), shown to every responsabile until one acknowledges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OversightNotice {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Username of who made the change.
    pub by: String,
    /// Username of the user changed.
    pub user: String,
    /// What happened, in Italian.
    pub what: String,
    /// Who acknowledged it, and when.
    pub acknowledged: Option<(String, DateTime<Utc>)>,
}

/// The user behind the desk's own automatic work (retention, nightly backups).
pub const SYSTEM_USERNAME: &str = "sistema";

/// The actor of a command typed at the PC's terminal, followed by the operating system's user.
pub const COMMAND_LINE_PREFIX: &str = "riga-di-comando:";

/// Whether `username` is the program's own work: "sistema" alone, or "sistema:backup-notturno"
/// for a named job.
pub fn is_program(username: &str) -> bool {
    username.split(':').next() == Some(SYSTEM_USERNAME)
}

/// Appended to the username of a district user in a desk's referral history, where the
/// district's decisions arrive by bundle.
pub const DISTRICT_SUFFIX: &str = " (Ambito)";

/// How a user is named to others (a citizen, the DPO): full name and roles, never the username
/// Who made a login attempt under a name that is no user's (a typo, or someone trying names):
/// said as typed, not as "a user no longer registered".
pub fn described_at_login(username: &str, user: Option<&User>) -> String {
    match user {
        None if !is_program(username) && !username.starts_with(COMMAND_LINE_PREFIX) => {
            format!("Qualcuno che ha digitato il nome utente «{username}»")
        }
        user => described(username, user),
    }
}

/// alone. `user` is `None` for a username this installation does not know.
pub fn described(username: &str, user: Option<&User>) -> String {
    match user {
        Some(u) => {
            let roles: Vec<String> = u.roles.iter().map(|r| r.label().to_lowercase()).collect();
            if roles.is_empty() {
                u.full_name.clone()
            } else {
                format!("{} ({})", u.full_name, roles.join(", "))
            }
        }
        None if is_program(username) => "Il programma (operazione automatica)".into(),
        None if username.starts_with(COMMAND_LINE_PREFIX) => format!(
            "Un comando dato sul PC dello sportello (utente del sistema «{}»)",
            &username[COMMAND_LINE_PREFIX.len()..]
        ),
        None if username.ends_with(DISTRICT_SUFFIX) => {
            "Il Servizio sociale professionale dell'Ambito".into()
        }
        None => "Un utente di un'altra installazione o non più registrato".into(),
    }
}

impl User {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    /// Roles as a comma-separated list of labels, for display.
    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A user about to be created, as typed in a form or on the command line.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    pub password: String,
    pub temporary: bool,
}

impl NewUser {
    /// Checks every field and returns the cleaned-up user or every problem found.
    pub fn validate(mut self) -> Result<NewUser, Invalid> {
        let mut invalid = Invalid::new();
        match normalize_username(&self.username) {
            Ok(u) => self.username = u,
            Err(msg) => invalid.add("username", msg),
        }
        self.full_name = self.full_name.trim().to_string();
        if self.full_name.chars().count() < 2 {
            invalid.add("full_name", "Indicare nome e cognome.");
        } else if self.full_name.chars().count() > 100 {
            invalid.add(
                "full_name",
                "Il nome è troppo lungo (al massimo 100 caratteri).",
            );
        }
        self.roles.sort();
        self.roles.dedup();
        if self.roles.is_empty() {
            invalid.add("roles", "Scegliere almeno un ruolo.");
        }
        if let Err(msg) = check_new_password(&self.password) {
            invalid.add("password", msg);
        }
        invalid.into_result(self)
    }
}

/// Usernames are compared in lower case; letters, digits, dot, dash and underscore only.
pub fn normalize_username(raw: &str) -> Result<String, &'static str> {
    let username = raw.trim().to_lowercase();
    if username.len() < 3 || username.len() > 32 {
        return Err("Il nome utente deve avere da 3 a 32 caratteri.");
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err("Il nome utente può contenere solo lettere senza accenti, cifre, punto, trattino e trattino basso.");
    }
    Ok(username)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> NewUser {
        NewUser {
            username: " MRossi ".into(),
            full_name: "Mario Rossi".into(),
            roles: vec![Role::Responsabile, Role::Operatore, Role::Operatore],
            password: "una-password-lunga".into(),
            temporary: false,
        }
    }

    #[test]
    fn a_valid_user_is_cleaned_up() {
        let user = valid().validate().expect("valid");
        assert_eq!(user.username, "mrossi");
        assert_eq!(user.roles, vec![Role::Operatore, Role::Responsabile]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = NewUser {
            username: "è".into(),
            full_name: "".into(),
            roles: vec![],
            password: "corta".into(),
            temporary: false,
        };
        let invalid = bad.validate().unwrap_err();
        let fields: Vec<_> = invalid.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["username", "full_name", "roles", "password"]);
        assert!(invalid.message("password").unwrap().contains("12"));
    }

    /// Review of issue 16: a failed login as "nessuno" read as "a user no longer registered".
    #[test]
    fn a_login_under_an_unknown_name_is_said_as_typed() {
        assert_eq!(
            described_at_login("nessuno", None),
            "Qualcuno che ha digitato il nome utente «nessuno»"
        );
        assert_eq!(
            described_at_login("sistema:backup-notturno", None),
            described("sistema:backup-notturno", None)
        );
    }

    #[test]
    fn who_others_are_named_without_usernames() {
        assert_eq!(
            described("sistema", None),
            "Il programma (operazione automatica)"
        );
        assert_eq!(
            described("sistema:backup-notturno", None),
            "Il programma (operazione automatica)"
        );
        assert_eq!(
            described("coordinatrice (Ambito)", None),
            "Il Servizio sociale professionale dell'Ambito"
        );
        let cli = described(&format!("{COMMAND_LINE_PREFIX}mario"), None);
        assert!(
            cli.contains("«mario»") && !cli.contains("riga-di-comando"),
            "{cli}"
        );
        assert!(described("m.rossi", None).contains("non più registrato"));
    }
}
