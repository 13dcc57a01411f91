//! Users, the setup of the installation, and the username index.

use crate::domain::audit::Action;
use chrono::Utc;
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{decode, encode};
use super::tables::{LOGIN_FAILURES, USERS, USER_BY_USERNAME};
use super::{audit, meta, sessions, tokens, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::instance::{CheckedInstance, Instance};
use crate::domain::role::Role;
use crate::domain::user::{NewUser, OversightNotice, User};

const KIND: &str = "user";

fn put(txn: &WriteTransaction, user: &User) -> Result<(), StoreError> {
    txn.open_table(USERS)?
        .insert(user.id.as_u128(), encode(user)?.as_slice())?;
    txn.open_table(USER_BY_USERNAME)?
        .insert(user.username.as_str(), user.id.as_u128())?;
    changelog::record(txn, KIND, user.id, ChangeOp::Upsert)?;
    Ok(())
}

fn get_in(txn: &WriteTransaction, id: Uuid) -> Result<User, StoreError> {
    let table = txn.open_table(USERS)?;
    let bytes = table
        .get(id.as_u128())?
        .ok_or(StoreError::NotFound("Utente"))?;
    decode(bytes.value())
}

fn insert_new(
    txn: &WriteTransaction,
    new: &NewUser,
    password_hash: String,
) -> Result<User, StoreError> {
    if txn
        .open_table(USER_BY_USERNAME)?
        .get(new.username.as_str())?
        .is_some()
    {
        return Err(StoreError::UsernameTaken(new.username.clone()));
    }
    let now = Utc::now();
    let user = User {
        id: Uuid::now_v7(),
        username: new.username.clone(),
        full_name: new.full_name.clone(),
        roles: new.roles.clone(),
        password_hash,
        must_change_password: new.temporary,
        disabled: false,
        created_at: now,
        updated_at: now,
    };
    put(txn, &user)?;
    Ok(user)
}

/// Whether some user other than `except` is an enabled administrator.
fn another_active_admin(txn: &WriteTransaction, except: Uuid) -> Result<bool, StoreError> {
    let table = txn.open_table(USERS)?;
    for row in table.iter()? {
        let (_, v) = row?;
        let user: User = decode(v.value())?;
        if user.id != except && !user.disabled && user.has_role(Role::Amministratore) {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Store {
    /// First setup: the installation's identity and its first administrator, together or not at all.
    pub fn setup(
        &self,
        checked: &CheckedInstance,
        admin: &NewUser,
        password_hash: String,
        actor: &str,
    ) -> Result<(Instance, User), StoreError> {
        let txn = self.begin_write()?;
        if meta::instance_in(&txn)?.is_some() {
            return Err(StoreError::AlreadySetUp);
        }
        let instance = Instance {
            id: Uuid::now_v7(),
            role: checked.role,
            comune: checked.comune.clone(),
            ambito: checked.ambito.clone(),
            created_at: Utc::now(),
        };
        meta::put_instance(&txn, &instance)?;
        let mut admin = admin.clone();
        if !admin.roles.contains(&Role::Amministratore) {
            admin.roles.push(Role::Amministratore);
            admin.roles.sort();
        }
        let user = insert_new(&txn, &admin, password_hash)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::Setup, instance.id.to_string()).details(format!(
                "{} – {} ({}), Ambito {} – {}",
                instance.role.label(),
                instance.comune.name,
                instance.comune.istat,
                instance.ambito.code,
                instance.ambito.name
            )),
        )?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::UserCreate, user.username.clone())
                .details(roles_text(&user.roles)),
        )?;
        txn.commit()?;
        Ok((instance, user))
    }

    pub fn create_user(
        &self,
        new: &NewUser,
        password_hash: String,
        actor: &str,
    ) -> Result<User, StoreError> {
        self.create_user_noticed(new, password_hash, actor, None)
    }

    /// Creates a user; `notice` (a role that reads personal data given) is raised with it.
    pub fn create_user_noticed(
        &self,
        new: &NewUser,
        password_hash: String,
        actor: &str,
        notice: Option<&OversightNotice>,
    ) -> Result<User, StoreError> {
        let txn = self.begin_write()?;
        let user = insert_new(&txn, new, password_hash)?;
        if let Some(n) = notice {
            super::oversight::raise_in(&txn, n)?;
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::UserCreate, user.username.clone()).details(format!(
                "{}{}",
                roles_text(&user.roles),
                if new.temporary {
                    "; password temporanea"
                } else {
                    ""
                }
            )),
        )?;
        txn.commit()?;
        Ok(user)
    }

    pub fn user(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(USERS)?;
        let value = table.get(id.as_u128())?;
        value.map(|v| decode(v.value())).transpose()
    }

    pub fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let txn = self.begin_read()?;
        let index = txn.open_table(USER_BY_USERNAME)?;
        let Some(id) = index.get(username)? else {
            return Ok(None);
        };
        let table = txn.open_table(USERS)?;
        let value = table.get(id.value())?;
        value.map(|v| decode(v.value())).transpose()
    }

    /// All users, by username.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let txn = self.begin_read()?;
        let index = txn.open_table(USER_BY_USERNAME)?;
        let table = txn.open_table(USERS)?;
        let mut out = Vec::new();
        for row in index.iter()? {
            let (_, id) = row?;
            if let Some(v) = table.get(id.value())? {
                out.push(decode(v.value())?);
            }
        }
        Ok(out)
    }

    /// Disables or re-enables a user. Disabling ends the user's sessions and API tokens at once.
    pub fn set_user_disabled(
        &self,
        id: Uuid,
        disabled: bool,
        actor: &str,
    ) -> Result<User, StoreError> {
        let txn = self.begin_write()?;
        let mut user = get_in(&txn, id)?;
        if disabled && user.has_role(Role::Amministratore) && !another_active_admin(&txn, id)? {
            return Err(StoreError::LastAdministrator);
        }
        user.disabled = disabled;
        user.updated_at = Utc::now();
        put(&txn, &user)?;
        if disabled {
            sessions::revoke_all_in(&txn, id)?;
            tokens::revoke_all_in(&txn, id)?;
        }
        let act = if disabled {
            Action::UserDisable
        } else {
            Action::UserEnable
        };
        audit::append(&txn, AuditEvent::new(actor, act, user.username.clone()))?;
        txn.commit()?;
        Ok(user)
    }

    /// Sets a user's roles; `notice` (a role that reads personal data granted) is raised with it.
    pub fn set_user_roles(
        &self,
        id: Uuid,
        roles: &[Role],
        actor: &str,
        notice: Option<&OversightNotice>,
    ) -> Result<User, StoreError> {
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(StoreError::NoRoles);
        }
        let txn = self.begin_write()?;
        let mut user = get_in(&txn, id)?;
        if user.has_role(Role::Amministratore)
            && !roles.contains(&Role::Amministratore)
            && !another_active_admin(&txn, id)?
        {
            return Err(StoreError::LastAdministrator);
        }
        let before = roles_text(&user.roles);
        user.roles = roles;
        user.updated_at = Utc::now();
        put(&txn, &user)?;
        if let Some(n) = notice {
            super::oversight::raise_in(&txn, n)?;
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::UserRoles, user.username.clone())
                .details(format!("da [{before}] a [{}]", roles_text(&user.roles))),
        )?;
        txn.commit()?;
        Ok(user)
    }

    /// Sets a new password hash and ends every session of the user. `temporary` forces a change at
    /// next login (an administrator's reset); the user's own change clears that flag.
    pub fn set_password(
        &self,
        id: Uuid,
        password_hash: String,
        temporary: bool,
        actor: &str,
        notice: Option<&OversightNotice>,
    ) -> Result<User, StoreError> {
        let txn = self.begin_write()?;
        if let Some(n) = notice {
            super::oversight::raise_in(&txn, n)?;
        }
        let mut user = get_in(&txn, id)?;
        user.password_hash = password_hash;
        user.must_change_password = temporary;
        user.updated_at = Utc::now();
        put(&txn, &user)?;
        sessions::revoke_all_in(&txn, id)?;
        let failures_key = super::login::key_in(&txn, &user.username)?;
        let password_key = super::login::password_key_in(&txn, &user)?;
        let mut failures = txn.open_table(LOGIN_FAILURES)?;
        failures.remove(failures_key.as_str())?;
        failures.remove(password_key.as_str())?;
        drop(failures);
        let act = if actor == user.username && !temporary {
            Action::PasswordChange
        } else {
            Action::UserPasswordReset
        };
        audit::append(&txn, AuditEvent::new(actor, act, user.username.clone()))?;
        txn.commit()?;
        Ok(user)
    }
}

/// Roles as the audit viewer and the DPO's copy read them.
fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    fn new_user(name: &str, roles: Vec<Role>) -> NewUser {
        NewUser {
            username: name.into(),
            full_name: "Nome Cognome".into(),
            roles,
            password: "una-password-lunga".into(),
            temporary: false,
        }
    }

    #[test]
    fn usernames_are_unique_and_the_last_admin_stays() {
        let (_dir, store) = temp_store();
        let admin = store
            .create_user(
                &new_user("admin", vec![Role::Amministratore]),
                "h".into(),
                "t",
            )
            .unwrap();
        let dup = store.create_user(&new_user("admin", vec![Role::Operatore]), "h".into(), "t");
        assert!(matches!(dup, Err(StoreError::UsernameTaken(_))));
        assert!(matches!(
            store.set_user_disabled(admin.id, true, "t"),
            Err(StoreError::LastAdministrator)
        ));
        assert!(matches!(
            store.set_user_roles(admin.id, &[Role::Operatore], "t", None),
            Err(StoreError::LastAdministrator)
        ));
        let op = store
            .create_user(&new_user("op", vec![Role::Operatore]), "h".into(), "t")
            .unwrap();
        assert!(store.set_user_disabled(op.id, true, "t").unwrap().disabled);
        let names: Vec<_> = store
            .users()
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, vec!["admin", "op"]);
        // Every change went to the change log, in order.
        let kinds: Vec<_> = store
            .changes_since(0)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(kinds, vec![admin.id, op.id, op.id]);
    }
}
