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
use crate::domain::role::Role;
use crate::domain::user::NewUser;
use crate::domain::Invalid;

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
    let o = app::administration::overview(&auth.ctx(state))?;
    let backup = views::admin::BackupView {
        settings: o.backup_settings,
        last: o.last_backup,
        stale: o
            .last_good_backup
            .as_ref()
            .is_none_or(|b| chrono::Utc::now() - b.at > chrono::Duration::days(2)),
        last_good: o.last_good_backup,
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
    let chrome = Chrome::for_user(auth, Some(&o.instance), "/amministrazione");
    let body = views::admin::page(
        &chrome,
        &views::admin::AdminPage {
            instance: &o.instance,
            contacts: &o.contacts,
            overdue_days: o.overdue_days,
            backup: &backup,
            health: &health,
            users: &o.users,
            events: &o.events,
            lockouts: &o.lockouts,
        },
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
    crate::domain::policy::administration(&auth.actor).map_err(AppError::from)?;
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

/// Runs a use case off the request threads (password hashing, backups), as the acting user.
async fn blocking<T: Send + 'static>(
    auth: &Auth,
    state: &web::Data<AppState>,
    f: impl FnOnce(&app::Ctx) -> Result<T, AppError> + Send + 'static,
) -> Result<T, PageError> {
    let (state, actor) = (state.clone(), auth.actor.clone());
    Ok(web::block(move || f(&state.ctx(&actor))).await??)
}

/// The page again with the field problems (422).
async fn invalid_page(
    auth: &Auth,
    state: &AppState,
    values: &NewUserValues,
    invalid: &Invalid,
) -> Result<HttpResponse, PageError> {
    render(
        auth,
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        values,
        invalid,
    )
    .await
}

pub async fn create_user(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
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
        temporary: true,
    };
    let result = blocking(&auth, &state, move |ctx| {
        app::administration::create_user(ctx, new)
    })
    .await;
    match result {
        Ok(_) => Ok(back("creato")),
        Err(PageError::Invalid(invalid)) => invalid_page(&auth, &state, &values, &invalid).await,
        Err(e) => Err(e),
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
    let roles: Vec<Role> = form
        .all("roles")
        .iter()
        .filter_map(|c| Role::from_code(c))
        .collect();
    let result = app::administration::set_roles(&auth.ctx(&state), path.into_inner(), &roles);
    conflict_or(&auth, &state, result, "ruoli").await
}

pub async fn disable(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let result = app::administration::set_disabled(&auth.ctx(&state), path.into_inner(), true);
    conflict_or(&auth, &state, result, "disabilitato").await
}

pub async fn enable(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let result = app::administration::set_disabled(&auth.ctx(&state), path.into_inner(), false);
    conflict_or(&auth, &state, result, "abilitato").await
}

/// Sets a random temporary password, shown once on the resulting page.
pub async fn reset_password(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let (target, temporary) = blocking(&auth, &state, move |ctx| {
        app::administration::reset_password(ctx, id)
    })
    .await?;
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

pub async fn save_contacts(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    let contacts = crate::domain::instance::DeskContacts {
        address: form.get("desk_address").to_string(),
        phone: form.get("desk_phone").to_string(),
        email: form.get("desk_email").to_string(),
        hours: form.get("desk_hours").to_string(),
        dpo: form.get("desk_dpo").to_string(),
    };
    match app::administration::save_contacts(&auth.ctx(&state), contacts) {
        Ok(()) => Ok(back("contatti")),
        Err(AppError::Invalid(invalid)) => {
            // The form's fields are named apart from the other forms on the page.
            let renamed = Invalid(
                invalid
                    .0
                    .into_iter()
                    .map(|mut e| {
                        e.field = match e.field {
                            "address" => "desk_address",
                            "phone" => "desk_phone",
                            "email" => "desk_email",
                            "dpo" => "desk_dpo",
                            _ => "desk_hours",
                        };
                        e
                    })
                    .collect(),
            );
            invalid_page(&auth, &state, &NewUserValues::default(), &renamed).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_overdue_days(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    match app::administration::save_overdue_days(&auth.ctx(&state), form.get("overdue_days")) {
        Ok(()) => Ok(back("invii")),
        Err(AppError::Invalid(invalid)) => {
            invalid_page(&auth, &state, &NewUserValues::default(), &invalid).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn save_backup_settings(
    auth: Auth,
    state: web::Data<AppState>,
    form: Fields,
) -> Result<HttpResponse, PageError> {
    match app::administration::save_backup_settings(
        &auth.ctx(&state),
        form.get("backup_folder"),
        form.get("backup_recipient"),
    ) {
        Ok(()) => Ok(back("backup")),
        Err(AppError::Invalid(invalid)) => {
            invalid_page(&auth, &state, &NewUserValues::default(), &invalid).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A new backup key pair: the public key is kept, the private key shown once.
pub async fn generate_backup_key(
    auth: Auth,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let secret = app::administration::generate_backup_key(&auth.ctx(&state))?;
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
    let outcome = blocking(&auth, &state, app::administration::backup_now).await?;
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
