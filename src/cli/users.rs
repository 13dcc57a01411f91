//! `init`, `user …` and `token …`.

use clap::{Args, Subcommand};
use std::path::Path;
use uuid::Uuid;

use super::{cli_actor, open_store};
use sportello::domain::instance::InstanceForm;
use sportello::domain::password::hash_password;
use sportello::domain::role::Role;
use sportello::domain::user::{normalize_username, NewUser};
use sportello::domain::Invalid;

#[derive(Args)]
pub struct InitArgs {
    /// `desk` (a comune's desk) or `district` (the Ambito's office).
    #[arg(long)]
    role: String,
    /// ISTAT code of the comune (6 digits); for a district, the lead comune.
    #[arg(long)]
    comune_istat: String,
    /// Name of the comune (taken from the ISTAT list if empty).
    #[arg(long, default_value = "")]
    comune_name: String,
    #[arg(long)]
    ambito_code: String,
    #[arg(long)]
    ambito_name: String,
    /// Username of the first administrator (password from SPORTELLO_ADMIN_PASSWORD, else asked).
    #[arg(long)]
    admin: String,
    /// Full name of the first administrator (defaults to the username).
    #[arg(long)]
    admin_full_name: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user (password from SPORTELLO_PASSWORD, else asked).
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// operatore, assistente_sociale, responsabile, amministratore (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The user must change the password at first login.
        #[arg(long)]
        temporary: bool,
    },
    /// List users.
    List,
    /// Disable a user: ends their sessions and API tokens.
    Disable { username: String },
    /// Set a user's password (from SPORTELLO_PASSWORD, else asked).
    Passwd {
        username: String,
        /// The user must change it at next login.
        #[arg(long)]
        temporary: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token; printed alone on the last line, shown only once.
    Create {
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "riga di comando")]
        label: String,
    },
    /// List a user's tokens (ids, never secrets).
    List {
        #[arg(long)]
        username: String,
    },
    /// Revoke a token by id.
    Revoke { id: Uuid },
}

/// A password from `env`, or typed twice at the terminal.
fn read_password(env: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| {
        format!(
            "Impossibile leggere la password dal terminale ({e}): impostare la variabile {env}."
        )
    })?;
    let second = rpassword::prompt_password("Ripeta la password: ")
        .map_err(|e| format!("Impossibile leggere la password dal terminale: {e}"))?;
    if first != second {
        return Err("Le due password non coincidono.".into());
    }
    Ok(first)
}

pub(super) fn describe(invalid: &Invalid) -> String {
    invalid
        .0
        .iter()
        .map(|e| {
            // Named as the command line names them.
            let field = match e.field {
                "admin_username" => "--admin",
                "admin_full_name" => "--admin-full-name",
                "admin_password" => "password",
                "comune_istat" => "--comune-istat",
                "comune_name" => "--comune-name",
                "ambito_code" => "--ambito-code",
                "ambito_name" => "--ambito-name",
                "role" => "--role",
                other => other,
            };
            format!("{field}: {}", e.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_roles(codes: &[String]) -> Result<Vec<Role>, String> {
    codes
        .iter()
        .map(|c| {
            Role::from_code(c).ok_or_else(|| {
                format!(
                    "Ruolo sconosciuto «{c}». Ruoli: operatore, assistente_sociale, responsabile, amministratore."
                )
            })
        })
        .collect()
}

pub fn init(data: &Path, args: InitArgs) -> Result<(), String> {
    let store = open_store(data)?;
    if store.instance().map_err(|e| e.to_string())?.is_some() {
        return Err(format!(
            "L'installazione in {} è già configurata.",
            data.display()
        ));
    }
    let comuni = sportello::assets::comuni().map_err(|e| e.to_string())?;
    let form = sportello::app::setup::SetupForm {
        instance: InstanceForm {
            role: args.role,
            comune_istat: args.comune_istat,
            comune_name: args.comune_name,
            ambito_code: args.ambito_code,
            ambito_name: args.ambito_name,
        },
        admin_full_name: args.admin_full_name.unwrap_or_else(|| args.admin.clone()),
        admin_username: args.admin,
        admin_password: read_password("SPORTELLO_ADMIN_PASSWORD")?,
        admin_password_confirm: None,
        // Entered afterwards on the admin page; `doctor` reminds until they are.
        contacts: Default::default(),
    };
    let done = match sportello::app::setup::setup(&store, &comuni, form, &cli_actor()) {
        Ok(done) => done,
        Err(sportello::app::AppError::Invalid(invalid)) => return Err(describe(&invalid)),
        Err(e) => return Err(e.to_string()),
    };
    for w in &done.warnings {
        eprintln!("attenzione: {w}");
    }
    let (instance, user) = (done.instance, done.admin);
    println!(
        "Installazione configurata: {} – {} ({}), Ambito {} – {}.",
        instance.role.label(),
        instance.comune.name,
        instance.comune.istat,
        instance.ambito.code,
        instance.ambito.name
    );
    println!(
        "Amministratore: {}. Avviare il server con `sportello serve`.",
        user.username
    );
    Ok(())
}

fn find_user(
    store: &sportello::store::Store,
    username: &str,
) -> Result<sportello::domain::user::User, String> {
    let name = normalize_username(username).map_err(|m| m.to_string())?;
    store
        .user_by_username(&name)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("Utente «{name}» non trovato."))
}

pub fn user(data: &Path, cmd: UserCommand) -> Result<(), String> {
    let store = open_store(data)?;
    let actor = cli_actor();
    match cmd {
        UserCommand::Add {
            username,
            full_name,
            roles,
            temporary,
        } => {
            // Users belong to an installation: without one, the wizard would still be open.
            if store.instance().map_err(|e| e.to_string())?.is_none() {
                return Err(format!(
                    "L'installazione in {} non è ancora configurata: eseguire prima `sportello init`.",
                    data.display()
                ));
            }
            let new = NewUser {
                username,
                full_name,
                roles: parse_roles(&roles)?,
                password: read_password("SPORTELLO_PASSWORD")?,
                temporary,
            }
            .validate()
            .map_err(|e| describe(&e))?;
            let hash = hash_password(&new.password).map_err(|e| e.to_string())?;
            let user = store
                .create_user(&new, hash, &actor)
                .map_err(|e| e.to_string())?;
            println!("Utente {} creato ({}).", user.username, user.role_labels());
        }
        UserCommand::List => {
            for u in store.users().map_err(|e| e.to_string())? {
                let state = if u.disabled {
                    "disabilitato"
                } else if u.must_change_password {
                    "password temporanea"
                } else {
                    "attivo"
                };
                let roles: Vec<_> = u.roles.iter().map(|r| r.code()).collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.full_name,
                    roles.join(","),
                    state
                );
            }
        }
        UserCommand::Disable { username } => {
            let u = find_user(&store, &username)?;
            store
                .set_user_disabled(u.id, true, &actor)
                .map_err(|e| e.to_string())?;
            println!(
                "Utente {} disabilitato: sessioni e token chiusi.",
                u.username
            );
        }
        UserCommand::Passwd {
            username,
            temporary,
        } => {
            let u = find_user(&store, &username)?;
            let password = read_password("SPORTELLO_PASSWORD")?;
            sportello::domain::password::check_new_password(&password)?;
            let hash = hash_password(&password).map_err(|e| e.to_string())?;
            let notice = sportello::app::administration::password_reset_notice(&actor, &u.username);
            store
                .set_password(u.id, hash, temporary, &actor, Some(&notice))
                .map_err(|e| e.to_string())?;
            println!(
                "Password di {} aggiornata; le sue sessioni sono state chiuse.",
                u.username
            );
        }
    }
    Ok(())
}

pub fn token(data: &Path, cmd: TokenCommand) -> Result<(), String> {
    let store = open_store(data)?;
    match cmd {
        TokenCommand::Create { username, label } => {
            let u = find_user(&store, &username)?;
            if u.disabled {
                return Err(format!("L'utente {} è disabilitato.", u.username));
            }
            let (secret, token) = store
                .create_token(&u, &label, &cli_actor())
                .map_err(|e| e.to_string())?;
            println!(
                "Token {} creato per {}. Conservarlo ora: non sarà più mostrato.",
                token.id, u.username
            );
            println!("{secret}");
        }
        TokenCommand::List { username } => {
            let u = find_user(&store, &username)?;
            for t in store.tokens(u.id).map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}",
                    t.id,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    t.label
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if store
                .revoke_token(id, &cli_actor())
                .map_err(|e| e.to_string())?
            {
                println!("Token {id} revocato.");
            } else {
                return Err(format!("Nessun token con id {id}."));
            }
        }
    }
    Ok(())
}
