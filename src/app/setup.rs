//! The first setup of an installation (the browser wizard and `sportello init` alike): the
//! comune, the Ambito, the kind of installation and its first administrator.

use super::AppError;
use crate::domain::comune::ComuneRegistry;
use crate::domain::instance::{DeskContacts, Instance, InstanceForm};
use crate::domain::password::hash_password;
use crate::domain::role::Role;
use crate::domain::user::{NewUser, User};
use crate::domain::Invalid;
use crate::store::{Store, StoreError};

/// What the wizard or the command line was given.
pub struct SetupForm {
    pub instance: InstanceForm,
    pub admin_username: String,
    pub admin_full_name: String,
    pub admin_password: String,
    /// The password typed twice (the wizard); `None` where it was read once (the command line).
    pub admin_password_confirm: Option<String>,
    /// The desk's contacts, printed on the citizens' sheets (the wizard asks; may be left empty).
    pub contacts: DeskContacts,
}

pub struct SetUp {
    pub instance: Instance,
    pub admin: User,
    /// Worth telling (e.g. an ISTAT code newer than the shipped list).
    pub warnings: Vec<String>,
}

/// Checks everything, every problem at its field (`admin_*` for the administrator's), then
/// creates the installation and its administrator in one transaction. Hashes the password: run
/// it off the request threads. `AlreadySetUp` when another setup won the race.
pub fn setup(
    store: &Store,
    comuni: &ComuneRegistry,
    form: SetupForm,
    actor: &str,
) -> Result<SetUp, AppError> {
    if store.instance()?.is_some() {
        return Err(AppError::AlreadySetUp);
    }
    let mut invalid = Invalid::new();
    let checked = form.instance.validate(comuni);
    if let Err(e) = &checked {
        invalid.0.extend(e.0.iter().cloned());
    }
    let admin = NewUser {
        username: form.admin_username,
        full_name: form.admin_full_name,
        roles: vec![Role::Amministratore],
        password: form.admin_password,
        temporary: false,
    }
    .validate();
    if let Err(e) = &admin {
        for err in &e.0 {
            let field = match err.field {
                "username" => "admin_username",
                "full_name" => "admin_full_name",
                "password" => "admin_password",
                other => other,
            };
            invalid.add(field, err.message.clone());
        }
    }
    let contacts = form.contacts.validate().map_err(|e| {
        for err in e.0 {
            invalid.add(
                match err.field {
                    "address" => "desk_address",
                    "phone" => "desk_phone",
                    "email" => "desk_email",
                    "dpo" => "desk_dpo",
                    _ => "desk_hours",
                },
                err.message,
            );
        }
    });
    if let (Ok(a), Some(confirm)) = (&admin, &form.admin_password_confirm) {
        if &a.password != confirm {
            invalid.add("admin_password_confirm", "Le due password non coincidono.");
        }
    }
    let (checked, admin, contacts) = match (checked, admin, contacts) {
        (Ok(c), Ok(a), Ok(d)) if invalid.is_empty() => (c, a, d),
        _ => return Err(AppError::Invalid(invalid)),
    };
    let hash = hash_password(&admin.password).map_err(|e| AppError::Internal(e.to_string()))?;
    match store.setup(&checked, &admin, hash, actor) {
        Ok((instance, admin)) => {
            let mut warnings = checked.warnings;
            if contacts != DeskContacts::default() {
                // The installation exists now; contacts not saved are asked again by the checks.
                if let Err(e) = store.set_desk_contacts(&contacts, actor) {
                    warnings.push(format!("Recapiti dello sportello non salvati: {e}"));
                }
            }
            Ok(SetUp {
                instance,
                admin,
                warnings,
            })
        }
        Err(StoreError::AlreadySetUp) => Err(AppError::AlreadySetUp),
        Err(e) => Err(e.into()),
    }
}
