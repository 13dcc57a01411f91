//! The first-run setup wizard.

use maud::{html, Markup};

use super::form::{error_summary, input};
use super::layout::{csrf_field, page as frame, Chrome};
use crate::domain::instance::InstanceRole;
use crate::domain::password::MIN_PASSWORD_CHARS;
use crate::domain::Invalid;

/// What the user typed, to show again when something must be corrected (never the password).
#[derive(Debug, Default, Clone)]
pub struct SetupValues {
    pub role: String,
    pub comune_istat: String,
    pub comune_name: String,
    pub ambito_code: String,
    pub ambito_name: String,
    pub admin_username: String,
    pub admin_full_name: String,
    pub contacts: crate::domain::instance::DeskContacts,
}

pub fn page(chrome: &Chrome, v: &SetupValues, invalid: &Invalid) -> Markup {
    let role_error = invalid.message("role");
    let role = if v.role.is_empty() {
        "desk"
    } else {
        v.role.as_str()
    };
    let pw_help = format!("Almeno {MIN_PASSWORD_CHARS} caratteri.");
    frame(
        chrome,
        "Configurazione iniziale",
        html! {
            h1 { "Configurazione iniziale" }
            p class="lead" {
                "Benvenuta, benvenuto. Questi dati identificano l'installazione e creano il primo utente amministratore. "
                "Si inseriscono una sola volta."
            }
            (error_summary(invalid))
            form method="post" action="/setup" {
                (csrf_field(chrome.csrf))
                fieldset class="mb-4" {
                    legend class="h4" { "1. Tipo di installazione" }
                    @for r in [InstanceRole::Desk, InstanceRole::District] {
                        div class="form-check" {
                            input type="radio" name="role" id={"role-" (r.code())} value=(r.code())
                                checked[role == r.code()]
                                aria-describedby=[role_error.map(|_| "f-role-error")];
                            label for={"role-" (r.code())} { (r.label()) }
                        }
                    }
                    @if let Some(msg) = role_error {
                        div class="invalid-feedback d-block" id="f-role-error" role="alert" { (msg) }
                    }
                }
                fieldset class="mb-4" {
                    legend class="h4" { "2. Comune e Ambito territoriale" }
                    (input("text", "comune_istat", "Codice ISTAT del comune", &v.comune_istat, invalid,
                        Some("6 cifre, per esempio 072046 per Triggiano. Per l'ufficio d'Ambito: il comune capofila."), "off"))
                    (input("text", "comune_name", "Nome del comune", &v.comune_name, invalid,
                        Some("Se lasciato vuoto si usa il nome dell'elenco ISTAT."), "off"))
                    (input("text", "ambito_code", "Codice dell'Ambito territoriale", &v.ambito_code, invalid,
                        Some("Per esempio BA05."), "off"))
                    (input("text", "ambito_name", "Nome dell'Ambito territoriale", &v.ambito_name, invalid, None, "off"))
                }
                fieldset class="mb-4" {
                    legend class="h4" { "3. Primo amministratore" }
                    (input("text", "admin_username", "Nome utente", &v.admin_username, invalid,
                        Some("Lettere senza accenti, cifre, punto o trattino; per esempio m.rossi."), "username"))
                    (input("text", "admin_full_name", "Nome e cognome", &v.admin_full_name, invalid, None, "name"))
                    (input("password", "admin_password", "Password", "", invalid, Some(&pw_help), "new-password"))
                    (input("password", "admin_password_confirm", "Ripeta la password", "", invalid, None, "new-password"))
                }
                fieldset class="mb-4" {
                    legend class="h4" { "4. Recapiti dello sportello (facoltativo)" }
                    p { "Sono stampati sui fogli consegnati ai cittadini, perché sappiano come avvisare o richiamare. Si possono inserire anche dopo, da «Amministrazione»." }
                    (input("text", "desk_address", "Indirizzo", &v.contacts.address, invalid, None, "off"))
                    (input("tel", "desk_phone", "Telefono", &v.contacts.phone, invalid, None, "off"))
                    (input("email", "desk_email", "E-mail", &v.contacts.email, invalid, None, "off"))
                    (input("text", "desk_hours", "Orari di apertura", &v.contacts.hours, invalid, Some("Per esempio: lunedì–venerdì 9:00–12:00."), "off"))
                    (input("text", "desk_dpo", "Responsabile della protezione dei dati (RPD)", &v.contacts.dpo, invalid, Some("Nome e recapito, come nell'informativa."), "off"))
                }
                button type="submit" class="btn btn-primary" { "Completa la configurazione" }
            }
        },
    )
}
