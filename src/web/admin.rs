//! Administration: the installation and its users.

use crate::web::routes::{Gate, Routes};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use uuid::Uuid;

use super::error::PageError;
use super::forms::Fields;
use super::session::Auth;
use super::state::AppState;
use super::views;
use super::views::admin::{AdminNotice, NewUserValues};
use super::views::layout::Chrome;
use crate::app::{self, AppError};
use crate::domain::password::hash_password;
use crate::domain::role::Role;
use crate::domain::user::NewUser;
use crate::domain::Invalid;
use crate::store::StoreError;

#[derive(serde::Deserialize)]
pub struct AdminQuery {
    #[serde(default)]
    avviso: String,
}

async fn render(
    auth: &Auth,
    state: &AppState,
    status: StatusCode,
    notice: Option<AdminNotice>,
    values: &NewUserValues,
    invalid: &Invalid,
) -> Result<HttpResponse, PageError> {
    let instance = state.store.instance()?.ok_or(PageError::NotSetUp)?;
    let users = state.store.users()?;
    let events = state
        .store
        .recent_audit(20, &["auth.", "user.", "token.", "setup"])?;
    let contacts = state.store.desk_contacts()?;
    let overdue_days = state.store.referral_overdue_days()?;
    let last_good = state.store.last_good_backup()?;
    let backup = views::admin::BackupView {
        settings: state.store.backup_settings()?,
        last: state.store.last_backup()?,
        stale: last_good
            .as_ref()
            .is_none_or(|b| chrono::Utc::now() - b.at > chrono::Duration::days(2)),
        last_good,
    };
    // The checks read the whole audit chain: off the request threads.
    let (store, data, tls) = (state.store.clone(), state.data_dir(), state.tls.clone());
    let checks = web::block(move || {
        crate::doctor::checks(
            &store,
            &data,
            crate::doctor::Integrity::CheckedAtOpen,
            tls.as_ref(),
            chrono::Utc::now(),
        )
    })
    .await
    .map_err(|e| PageError::Internal(e.to_string()))?;
    let health = views::admin::HealthView {
        checks,
        tls: state.tls.clone(),
    };
    let chrome = Chrome::for_user(auth, Some(&instance), "/amministrazione");
    let body = views::admin::page(
        &chrome,
        &instance,
        &contacts,
        overdue_days,
        &backup,
        &health,
        &users,
        &events,
        notice,
        values,
        invalid,
    );
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body.into_string()))
}

fn back(avviso: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/amministrazione?avviso={avviso}"),
        ))
        .finish()
}

pub async fn page(
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let notice = match query.avviso.as_str() {
        "creato" => Some(AdminNotice::Success(
            "Utente creato. Al primo accesso dovrà scegliere una nuova password.".into(),
        )),
        "ruoli" => Some(AdminNotice::Success("Ruoli aggiornati.".into())),
        "disabilitato" => Some(AdminNotice::Success(
            "Utente disabilitato: le sue sessioni e i suoi token sono stati chiusi.".into(),
        )),
        "abilitato" => Some(AdminNotice::Success("Utente riabilitato.".into())),
        "contatti" => Some(AdminNotice::Success(
            "Contatti dello sportello salvati.".into(),
        )),
        _ => None,
    };
    render(
        &auth,
        &state,
        StatusCode::OK,
        notice,
        &NewUserValues::default(),
        &Invalid::new(),
    )
    .await
}

pub async fn create_user(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let values = NewUserValues {
        username: form.get("username").to_string(),
        full_name: form.get("full_name").to_string(),
        roles: form.all("roles").iter().map(|s| s.to_string()).collect(),
    };
    let new = NewUser {
        username: values.username.clone(),
        full_name: values.full_name.clone(),
        roles: values
            .roles
            .iter()
            .filter_map(|c| Role::from_code(c))
            .collect(),
        password: form.get("password").to_string(),
        // The administrator knows this password, so the user must replace it.
        temporary: true,
    };
    let new = match new.validate() {
        Ok(n) => n,
        Err(invalid) => {
            return render(
                &auth,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &values,
                &invalid,
            )
            .await
        }
    };
    let password = new.password.clone();
    let hash = web::block(move || hash_password(&password))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    match state.store.create_user(&new, hash, &auth.user.username) {
        Ok(_) => Ok(back("creato")),
        Err(e @ StoreError::UsernameTaken(_)) => {
            render(
                &auth,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &values,
                &Invalid::one("username", e.to_string()),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The admin page again with the refusal on top, or back to it with the success notice.
async fn conflict_or(
    auth: &Auth,
    state: &AppState,
    result: Result<crate::domain::user::User, AppError>,
    ok: &str,
) -> Result<HttpResponse, PageError> {
    let (status, message) = match result {
        Ok(_) => return Ok(back(ok)),
        Err(AppError::Denied(d)) => (StatusCode::FORBIDDEN, d.to_string()),
        Err(e @ (AppError::LastAdministrator | AppError::NoRoles)) => {
            (StatusCode::CONFLICT, e.to_string())
        }
        Err(e) => return Err(e.into()),
    };
    let mut res = render(
        auth,
        state,
        status,
        Some(AdminNotice::Error(message.clone())),
        &NewUserValues::default(),
        &Invalid::new(),
    )
    .await?;
    if status == StatusCode::FORBIDDEN {
        res.extensions_mut().insert(super::error::Denied(message));
    }
    Ok(res)
}

pub async fn set_roles(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let roles: Vec<Role> = form
        .all("roles")
        .iter()
        .filter_map(|c| Role::from_code(c))
        .collect();
    let result = app::administration::set_roles(&state.ctx(&auth.actor), path.into_inner(), &roles);
    conflict_or(&auth, &state, result, "ruoli").await
}

pub async fn disable(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let result = state
        .store
        .set_user_disabled(path.into_inner(), true, &auth.user.username)
        .map_err(AppError::from);
    conflict_or(&auth, &state, result, "disabilitato").await
}

pub async fn enable(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let result = state
        .store
        .set_user_disabled(path.into_inner(), false, &auth.user.username)
        .map_err(AppError::from);
    conflict_or(&auth, &state, result, "abilitato").await
}

/// Sets a random temporary password, shown once on the resulting page.
pub async fn reset_password(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let id = path.into_inner();
    crate::domain::policy::reset_password(&auth.actor, id).map_err(AppError::from)?;
    let temporary = temporary_password().map_err(PageError::Internal)?;
    let for_hash = temporary.clone();
    let hash = web::block(move || hash_password(&for_hash))
        .await?
        .map_err(|e| PageError::Internal(e.to_string()))?;
    let target = app::administration::reset_password(&state.ctx(&auth.actor), id, hash)?;
    render(
        &auth,
        &state,
        StatusCode::OK,
        Some(AdminNotice::TemporaryPassword {
            username: target.username,
            password: temporary,
        }),
        &NewUserValues::default(),
        &Invalid::new(),
    )
    .await
}

/// 16 characters in groups of four, without look-alikes (0/o, 1/l/i), easy to dictate.
fn temporary_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut random = [0u8; 16];
    getrandom::getrandom(&mut random).map_err(|e| e.to_string())?;
    let chars: Vec<char> = random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

pub async fn save_contacts(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let contacts = crate::domain::instance::DeskContacts {
        address: form.get("desk_address").to_string(),
        phone: form.get("desk_phone").to_string(),
        email: form.get("desk_email").to_string(),
        hours: form.get("desk_hours").to_string(),
    };
    match contacts.validate() {
        Ok(c) => {
            state.store.set_desk_contacts(&c, &auth.user.username)?;
            Ok(back("contatti"))
        }
        Err(invalid) => {
            let renamed = Invalid(
                invalid
                    .0
                    .into_iter()
                    .map(|mut e| {
                        e.field = match e.field {
                            "address" => "desk_address",
                            "phone" => "desk_phone",
                            "email" => "desk_email",
                            _ => "desk_hours",
                        };
                        e
                    })
                    .collect(),
            );
            render(
                &auth,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &NewUserValues::default(),
                &renamed,
            )
            .await
        }
    }
}

pub async fn save_overdue_days(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    match form.get("overdue_days").trim().parse::<i64>() {
        Ok(days) if (1..=365).contains(&days) => {
            state
                .store
                .set_referral_overdue_days(days, &auth.user.username)?;
            Ok(back("invii"))
        }
        _ => {
            render(
                &auth,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &NewUserValues::default(),
                &Invalid::one("overdue_days", "Un numero di giorni da 1 a 365."),
            )
            .await
        }
    }
}

fn backup_invalid(field: &'static str, msg: &str) -> Invalid {
    Invalid::one(field, msg)
}

pub async fn save_backup_settings(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let folder = form.get("backup_folder").trim().to_string();
    let recipient = form.get("backup_recipient").trim().to_string();
    let invalid = if !folder.is_empty() && !std::path::Path::new(&folder).is_absolute() {
        Some(backup_invalid(
            "backup_folder",
            "Indicare il percorso completo della cartella (es. E:\\Backup o /media/usb/backup).",
        ))
    } else if !recipient.is_empty() && recipient.parse::<age::x25519::Recipient>().is_err() {
        Some(backup_invalid(
            "backup_recipient",
            "Chiave pubblica non valida: inizia con age1.",
        ))
    } else {
        None
    };
    if let Some(invalid) = invalid {
        return render(
            &auth,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            &NewUserValues::default(),
            &invalid,
        )
        .await;
    }
    let settings = crate::store::BackupSettings { folder, recipient };
    state
        .store
        .set_backup_settings(&settings, &auth.user.username)?;
    Ok(back("backup"))
}

/// A new backup key pair: the public key is kept, the private key shown once.
pub async fn generate_backup_key(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let identity = age::x25519::Identity::generate();
    let mut settings = state.store.backup_settings()?;
    settings.recipient = identity.to_public().to_string();
    state
        .store
        .set_backup_settings(&settings, &auth.user.username)?;
    let secret = age::secrecy::ExposeSecret::expose_secret(&identity.to_string()).to_string();
    render(
        &auth,
        &state,
        StatusCode::OK,
        Some(AdminNotice::BackupKey(secret)),
        &NewUserValues::default(),
        &Invalid::new(),
    )
    .await
}

pub async fn backup_now(auth: Auth, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    auth.require(Role::Amministratore)?;
    let store = state.store.clone();
    let actor = auth.user.username.clone();
    let outcome = web::block(move || crate::jobs::backup_now(&store, &actor)).await??;
    let notice = match outcome {
        None => {
            AdminNotice::Error("Indicare prima la cartella e la chiave pubblica dei backup.".into())
        }
        Some(b) if b.ok => AdminNotice::Success(format!("Backup scritto: {}", b.message)),
        Some(b) => AdminNotice::Error(format!("Backup non riuscito: {}", b.message)),
    };
    render(
        &auth,
        &state,
        StatusCode::OK,
        Some(notice),
        &NewUserValues::default(),
        &Invalid::new(),
    )
    .await
}

/// The routes of this area, each with its gate.
pub(crate) fn configure(r: &mut Routes) {
    r.get("/amministrazione", Gate::Admin, page);
    r.post("/amministrazione/utenti", Gate::Admin, create_user);
    r.post("/amministrazione/contatti", Gate::Admin, save_contacts);
    r.post("/amministrazione/invii", Gate::Admin, save_overdue_days);
    r.post("/amministrazione/backup", Gate::Admin, save_backup_settings);
    r.post(
        "/amministrazione/backup/chiave",
        Gate::Admin,
        generate_backup_key,
    );
    r.post("/amministrazione/backup/ora", Gate::Admin, backup_now);
    r.post("/amministrazione/utenti/{id}/ruoli", Gate::Admin, set_roles);
    r.post(
        "/amministrazione/utenti/{id}/disabilita",
        Gate::Admin,
        disable,
    );
    r.post("/amministrazione/utenti/{id}/abilita", Gate::Admin, enable);
    r.post(
        "/amministrazione/utenti/{id}/password",
        Gate::Admin,
        reset_password,
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn temporary_passwords_meet_the_policy() {
        let p = super::temporary_password().unwrap();
        assert_eq!(p.len(), 19);
        assert!(crate::domain::password::check_new_password(&p).is_ok());
        assert_ne!(p, super::temporary_password().unwrap());
    }
}
