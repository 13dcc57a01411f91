//! The administration page: installation data, users, recent security events.

use crate::domain::health::{Check, Level};
use crate::tls::CertInfo;
use chrono::Local;
use maud::{html, Markup};

use super::form::{alert, error_summary, field_errors, input};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::audit::AuditEntry;
use crate::domain::instance::{DeskContacts, Instance};
use crate::domain::login::Lockout;
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::role::Role;
use crate::domain::user::User;
use crate::domain::Invalid;

/// Backup state shown on the administration page.
pub struct BackupView {
    pub settings: crate::store::BackupSettings,
    pub last: Option<crate::store::LastBackup>,
    pub last_good: Option<crate::store::LastBackup>,
    /// No successful backup in the last 2 days.
    pub stale: bool,
}

/// A message at the top of the page after an action.
pub enum AdminNotice {
    Success(String),
    Error(String),
    /// A new backup key: the private part is shown once, to be printed and kept off this PC.
    BackupKey(String),
    /// Shown once, right after a reset: the administrator passes it on to the user.
    TemporaryPassword {
        username: String,
        password: String,
    },
}

/// The new-user form as typed (never the password).
#[derive(Debug, Default)]
pub struct NewUserValues {
    pub username: String,
    pub full_name: String,
    pub roles: Vec<String>,
}

fn when(entry: &AuditEntry) -> String {
    entry
        .time
        .with_timezone(&Local)
        .format("%d/%m/%Y %H:%M:%S")
        .to_string()
}

fn user_state(user: &User) -> &'static str {
    if user.disabled {
        "Disabilitato"
    } else if user.must_change_password {
        "Attivo, password temporanea"
    } else {
        "Attivo"
    }
}

fn role_checkboxes(prefix: &str, checked: &dyn Fn(Role) -> bool) -> Markup {
    html! {
        @for role in Role::ALL {
            div class="form-check form-check-inline" {
                input type="checkbox" name="roles" value=(role.code()) id={(prefix) "-" (role.code())}
                    checked[checked(role)];
                label for={(prefix) "-" (role.code())} { (role.label()) }
            }
        }
    }
}

/// The health checks (as `sportello doctor`) and the HTTPS certificate in use.
pub struct HealthView {
    pub checks: Vec<Check>,
    pub tls: Option<CertInfo>,
}

fn level_badge(level: Level) -> Markup {
    let class = match level {
        Level::Ok => "badge bg-success",
        Level::Attention => "badge bg-warning text-dark",
        Level::Problem => "badge bg-danger",
    };
    html! { span class=(class) { (level.label()) } }
}

fn health_section(health: &HealthView) -> Markup {
    html! {
        section class="mb-5" aria-labelledby="h-health" {
            h2 id="h-health" class="h4" { "Stato dell'installazione" }
            p { "Controlli aggiornati a ogni apertura di questa pagina." }
            div class="table-responsive" tabindex="0" role="region" aria-label={ "Controlli dell'installazione" ", scorre in orizzontale" } {
                table class="table" {
                    caption class="visually-hidden" { "Controlli dell'installazione" }
                    thead { tr { th scope="col" { "Controllo" } th scope="col" { "Esito" } th scope="col" { "Dettaglio" } th scope="col" { "Cosa fare" } } }
                    tbody {
                        @for c in &health.checks {
                            tr {
                                th scope="row" { (c.name) }
                                td { (level_badge(c.level)) }
                                td { (c.finding) }
                                td { (c.suggestion) }
                            }
                        }
                    }
                }
            }
            @if let Some(cert) = &health.tls {
                h3 class="h5" { "Accesso dagli altri PC dell'ufficio (HTTPS)" }
                p {
                    "Alla prima apertura il browser dei colleghi avvisa che il certificato non è riconosciuto. "
                    "Prima di proseguire, confrontare l'impronta mostrata dal browser con questa: se coincide, il collegamento è con questo PC."
                }
                dl class="row" {
                    dt class="col-sm-3" { "Impronta SHA-256" } dd class="col-sm-9" { code class="text-break" id="tls-fingerprint" { (cert.fingerprint) } }
                    dt class="col-sm-3" { "Indirizzi validi" } dd class="col-sm-9" { (cert.names.join(", ")) }
                    dt class="col-sm-3" { "Scadenza" } dd class="col-sm-9" { (cert.not_after.format("%d/%m/%Y")) }
                    dt class="col-sm-3" { "Origine" } dd class="col-sm-9" {
                        @if cert.generated { "creato da Sportello (si rinnova da solo)" } @else { "fornito dal comune" }
                    }
                }
            }
        }
    }
}

/// The state of the installation the administration page shows.
pub struct AdminPage<'a> {
    pub instance: &'a Instance,
    pub contacts: &'a DeskContacts,
    pub overdue_days: i64,
    pub backup: &'a BackupView,
    pub health: &'a HealthView,
    pub users: &'a [User],
    pub events: &'a [AuditEntry],
    pub lockouts: &'a [Lockout],
}

/// A lockout in force, as the user table states it.
fn lockout_note(l: &Lockout) -> String {
    let until = l.lock.until.with_timezone(&Local).format("%H:%M");
    let place = if l.lock.everywhere {
        "da qualsiasi computer (tranne i browser dove l'utente ha già avuto accesso)".to_string()
    } else if l.from.starts_with(crate::domain::login::DEVICE_PREFIX) {
        "da un browser dove l'utente aveva già avuto accesso".to_string()
    } else {
        format!("dall'indirizzo {}", l.from)
    };
    format!(
        "Accesso bloccato {place} fino alle {until} dopo {} tentativi falliti",
        l.failures
    )
}

/// Who did it: the user's name and roles, what the program or a command is, or the name typed
/// at a login that is no user's.
fn who(users: &[User], e: &AuditEntry) -> String {
    let user = users.iter().find(|u| u.username == e.user);
    if e.action.starts_with("auth.") {
        crate::domain::user::described_at_login(&e.user, user)
    } else {
        crate::domain::user::described(&e.user, user)
    }
}

/// What an event is about: a user by name; a username typed at a failed login as typed (it may
/// be no one's); a token or the setup as the details say.
fn subject_of(users: &[User], e: &AuditEntry) -> String {
    match users.iter().find(|u| u.username == e.subject) {
        Some(u) => crate::domain::user::described(&u.username, Some(u)),
        None if e.action.starts_with("auth.") => e.subject.clone(),
        None => String::new(),
    }
}

pub fn page(
    chrome: &Chrome,
    state: &AdminPage,
    notice: Option<AdminNotice>,
    values: &NewUserValues,
    invalid: &Invalid,
) -> Markup {
    let AdminPage {
        instance,
        contacts,
        overdue_days,
        backup,
        health,
        users,
        events,
        lockouts,
    } = *state;
    let pw_help = format!(
        "Temporanea, almeno {MIN_PASSWORD_CHARS} caratteri: l'utente dovrà cambiarla al primo accesso."
    );
    frame(
        chrome,
        "Amministrazione",
        html! {
            h1 { "Amministrazione" }
            @match &notice {
                Some(AdminNotice::Success(m)) => (alert("success", m)),
                Some(AdminNotice::Error(m)) => (alert("danger", m)),
                Some(AdminNotice::BackupKey(secret)) => {
                    div class="alert alert-warning" role="alert" {
                        strong { "Chiave privata dei backup: " } code class="text-break" { (secret) }
                        br;
                        "Stamparla o copiarla su una chiavetta da tenere in cassaforte, lontano da questo PC: serve per "
                        "ripristinare i backup e non verrà più mostrata. Il programma conserva solo la chiave pubblica."
                    }
                }
                Some(AdminNotice::TemporaryPassword { username, password }) => {
                    div class="alert alert-warning" role="alert" {
                        "Nuova password temporanea per " strong { (username) } ": "
                        code class="fs-5" { (password) }
                        br;
                        "La comunichi all'utente di persona o per telefono: non verrà più mostrata. "
                        "Al primo accesso l'utente dovrà sceglierne una nuova."
                    }
                }
                None => {}
            }

            section class="mb-5" aria-labelledby="h-instance" {
                h2 id="h-instance" class="h4" { "Installazione" }
                dl class="row" {
                    dt class="col-sm-3" { "Tipo" } dd class="col-sm-9" { (instance.role.label()) }
                    dt class="col-sm-3" { "Comune" } dd class="col-sm-9" { (instance.comune.name) " (ISTAT " (instance.comune.istat) ")" }
                    dt class="col-sm-3" { "Ambito" } dd class="col-sm-9" { (instance.ambito.title()) " (" (instance.ambito.code) ")" }
                    dt class="col-sm-3" { "Identificativo" } dd class="col-sm-9" { code { (instance.id) } }
                }
            }

            (health_section(health))

            section class="mb-5" aria-labelledby="h-contacts" {
                h2 id="h-contacts" class="h4" { "Contatti dello sportello" }
                p { "Stampati sui promemoria e sulle schede di orientamento consegnati ai cittadini." }
                form method="post" action="/amministrazione/contatti" {
                    (csrf_field(chrome.csrf))
                    div class="row" {
                        div class="col-12 col-md-6" { (input("text", "desk_address", "Indirizzo", &contacts.address, invalid, None, "off")) }
                        div class="col-12 col-md-3" { (input("tel", "desk_phone", "Telefono", &contacts.phone, invalid, None, "off")) }
                        div class="col-12 col-md-3" { (input("email", "desk_email", "E-mail", &contacts.email, invalid, None, "off")) }
                    }
                    (input("text", "desk_hours", "Orari di apertura", &contacts.hours, invalid, Some("Per esempio: lunedì–venerdì 9:00–12:00, martedì e giovedì anche 15:00–17:00."), "off"))
                    (input("text", "desk_dpo", "Responsabile della protezione dei dati (RPD)", &contacts.dpo, invalid, Some("Nome e recapito, come nell'informativa: è scritto nel rapporto dato ai cittadini (art. 15)."), "off"))
                    button type="submit" class="btn btn-outline-primary" { "Salva i contatti" }
                }
            }

            section class="mb-5" aria-labelledby="h-backup" {
                h2 id="h-backup" class="h4" { "Backup" }
                @if backup.stale {
                    (alert("danger", "Nessun backup riuscito negli ultimi 2 giorni: configurare la cartella e la chiave, o controllare la chiavetta/cartella di rete."))
                }
                p {
                    "Ultimo backup riuscito: "
                    @if let Some(b) = &backup.last_good { strong { (b.at.with_timezone(&Local).format("%d/%m/%Y %H:%M")) } " – " (b.message) } @else { strong { "mai" } }
                }
                @if let Some(b) = backup.last.as_ref().filter(|b| !b.ok) {
                    (alert("danger", &format!("Ultimo tentativo non riuscito ({}): {}", b.at.with_timezone(&Local).format("%d/%m/%Y %H:%M"), b.message)))
                }
                p { "Ogni notte, dopo l'una, il programma salva un backup cifrato nella cartella indicata e conserva 7 giorni, 4 settimane e 12 mesi." }
                form method="post" action="/amministrazione/backup" {
                    (csrf_field(chrome.csrf))
                    (input("text", "backup_folder", "Cartella dei backup (chiavetta USB o cartella di rete)", &backup.settings.folder, invalid, None, "off"))
                    (input("text", "backup_recipient", "Chiave pubblica (age1…)", &backup.settings.recipient, invalid, Some("Si può generare qui sotto."), "off"))
                    button type="submit" class="btn btn-outline-primary me-2" { "Salva" }
                }
                form method="post" action="/amministrazione/backup/chiave" class="d-inline" {
                    (csrf_field(chrome.csrf))
                    button type="submit" class="btn btn-outline-secondary btn-sm mt-2 me-2" { "Genera una nuova coppia di chiavi" }
                }
                form method="post" action="/amministrazione/backup/ora" class="d-inline" {
                    (csrf_field(chrome.csrf))
                    button type="submit" class="btn btn-primary btn-sm mt-2" { "Esegui il backup ora" }
                }
            }

            section class="mb-5" aria-labelledby="h-referrals" {
                h2 id="h-referrals" class="h4" { "Invii" }
                form method="post" action="/amministrazione/invii" class="row align-items-end" {
                    (csrf_field(chrome.csrf))
                    div class="col-12 col-md-6" {
                        (input("number", "overdue_days", "Giorni senza risposta dopo i quali un invio è in ritardo", &overdue_days.to_string(), invalid, None, "off"))
                    }
                    div class="col-12 col-md-6" { button type="submit" class="btn btn-outline-primary mb-3" { "Salva" } }
                }
            }

            section class="mb-5" aria-labelledby="h-users" {
                h2 id="h-users" class="h4" { "Utenti" }
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Utenti del programma" ", scorre in orizzontale" } {
                    table class="table table-striped" {
                        caption class="visually-hidden" { "Utenti del programma" }
                        thead { tr {
                            th scope="col" { "Utente" }
                            th scope="col" { "Stato" }
                            th scope="col" { "Ruoli" }
                            th scope="col" { "Azioni" }
                        } }
                        tbody {
                            @for u in users {
                                tr {
                                    td { strong { (u.username) } br; (u.full_name) }
                                    td {
                                        (user_state(u))
                                        @for l in lockouts.iter().filter(|l| l.user.id == u.id) {
                                            br; span class="badge bg-danger text-wrap text-start" { (lockout_note(l)) }
                                        }
                                    }
                                    td {
                                        form method="post" action={"/amministrazione/utenti/" (u.id) "/ruoli"} {
                                            (csrf_field(chrome.csrf))
                                            fieldset {
                                                legend class="visually-hidden" { "Ruoli di " (u.username) }
                                                (role_checkboxes(&format!("r-{}", u.id), &|r| u.has_role(r)))
                                            }
                                            button type="submit" class="btn btn-outline-primary btn-sm" { "Salva ruoli" }
                                        }
                                    }
                                    td {
                                        @if u.disabled {
                                            form method="post" action={"/amministrazione/utenti/" (u.id) "/abilita"} class="mb-2" {
                                                (csrf_field(chrome.csrf))
                                                button type="submit" class="btn btn-outline-primary btn-sm" { "Riabilita " span class="visually-hidden" { (u.username) } }
                                            }
                                        } @else {
                                            form method="post" action={"/amministrazione/utenti/" (u.id) "/disabilita"} class="mb-2" {
                                                (csrf_field(chrome.csrf))
                                                button type="submit" class="btn btn-outline-danger btn-sm" { "Disabilita " span class="visually-hidden" { (u.username) } }
                                            }
                                        }
                                        form method="post" action={"/amministrazione/utenti/" (u.id) "/password"} {
                                            (csrf_field(chrome.csrf))
                                            button type="submit" class="btn btn-outline-secondary btn-sm" { "Reimposta password " span class="visually-hidden" { (u.username) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            section class="mb-5" aria-labelledby="h-new-user" {
                h2 id="h-new-user" class="h4" { "Nuovo utente" }
                (error_summary(invalid))
                form method="post" action="/amministrazione/utenti" {
                    (csrf_field(chrome.csrf))
                    div class="row" {
                        div class="col-12 col-md-6" {
                            (input("text", "username", "Nome utente", &values.username, invalid,
                                Some("Lettere senza accenti, cifre, punto o trattino; per esempio m.rossi."), "off"))
                        }
                        div class="col-12 col-md-6" {
                            (input("text", "full_name", "Nome e cognome", &values.full_name, invalid, None, "off"))
                        }
                    }
                    (input("password", "password", "Password iniziale", "", invalid, Some(&pw_help), "new-password"))
                    fieldset class="mb-4" {
                        legend class="h6" { "Ruoli" }
                        (role_checkboxes("new", &|r| values.roles.iter().any(|c| c == r.code())))
                        (field_errors(invalid, "roles"))
                    }
                    button type="submit" class="btn btn-primary" { "Crea utente" }
                }
            }

            section aria-labelledby="h-events" {
                h2 id="h-events" class="h4" { "Ultimi eventi di sicurezza" }
                div class="table-responsive" tabindex="0" role="region" aria-label={ "Accessi e modifiche agli utenti più recenti" ", scorre in orizzontale" } {
                    table class="table table-sm" {
                        caption class="visually-hidden" { "Accessi e modifiche agli utenti più recenti" }
                        thead { tr {
                            th scope="col" { "Quando" }
                            th scope="col" { "Chi" }
                            th scope="col" { "Evento" }
                            th scope="col" { "Su" }
                            th scope="col" { "Dettagli" }
                        } }
                        tbody {
                            @for e in events {
                                tr {
                                    td { (when(e)) }
                                    td { (who(users, e)) }
                                    td { (crate::domain::audit::label_of(&e.action)) }
                                    td { (subject_of(users, e)) }
                                    td { (crate::domain::audit_details::readable_details(&e.action, &e.details, |_| None)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
