//! Privacy by design: the notice text (versioned), consents for optional purposes, restriction of
//! processing (art. 18).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Optional purposes that need consent: code and label.
pub const CONSENT_PURPOSES: [(&str, &str); 2] = [
    (
        "reminders",
        "Promemoria degli appuntamenti via SMS o e-mail",
    ),
    (
        "third_sector",
        "Condivisione dei dati con gli enti del terzo settore dell'elenco servizi",
    ),
];

pub fn purpose_label(code: &str) -> &str {
    CONSENT_PURPOSES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}

/// A consent given for one purpose, and its withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub purpose: String,
    pub given_on: NaiveDate,
    pub withdrawn_on: Option<NaiveDate>,
    pub recorded_by: String,
}

impl Consent {
    pub fn is_active(&self) -> bool {
        self.withdrawn_on.is_none()
    }
}

/// Restriction of processing (art. 18 GDPR): the record stays but nothing may use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restriction {
    pub since: NaiveDate,
    pub reason: String,
    pub by: String,
}

/// The message shown whenever a restricted record would be used.
pub const RESTRICTED: &str = "Il trattamento dei dati di questa persona è limitato (art. 18 GDPR): la scheda si può \
consultare, ma non modificare, inviare, esportare né usare per promemoria o nuovi accessi finché il \
responsabile non toglie la limitazione.";

/// One version of the privacy notice text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeText {
    pub version: u32,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub by: String,
}

/// The default notice, with `{comune}`, `{ambito}` and `{retention}` filled in.
pub fn default_notice(template: &str, comune: &str, ambito: &str, retention_years: u32) -> String {
    template
        .replace("{comune}", comune)
        .replace("{ambito}", ambito)
        .replace("{retention}", &retention_years.to_string())
}

/// Purposes of the desk's processing and their legal bases: the same in the record of
/// processing (art. 30) and in what the data subject is told (art. 15.1.a).
pub const PURPOSES: [&str; 4] = [
    "Accoglienza, ascolto, orientamento e invio ai servizi sociali e socio-sanitari (L. 328/2000): interesse pubblico, art. 6.1.e GDPR",
    "Dati relativi alla salute e ad altre categorie particolari: motivi di interesse pubblico rilevante, art. 9.2.g GDPR; artt. 2-ter e 2-sexies D.Lgs. 196/2003",
    "Promemoria via SMS/e-mail e condivisione con enti del terzo settore: consenso dell'interessato, revocabile",
    "Statistiche per l'Ambito e il Piano di Zona: dati pseudonimi o anonimi",
];

/// Categories of personal data held (art. 15.1.b, art. 30.1.c).
pub const DATA_CATEGORIES: [&str; 2] = [
    "Dati anagrafici e di contatto, codice fiscale, cittadinanza, residenza",
    "Bisogni espressi, anche relativi a salute, situazione economica, violenza; note degli operatori (note riservate per i soli assistenti sociali)",
];

/// The rights of the data subject and how to use them (art. 15.1.e–f).
pub const RIGHTS: [&str; 4] = [
    "Chiedere la rettifica dei dati inesatti e l'integrazione di quelli incompleti (art. 16)",
    "Chiedere la cancellazione (art. 17) nei limiti degli obblighi di conservazione, o la limitazione del trattamento (art. 18); opporsi al trattamento (art. 21)",
    "Revocare in ogni momento i consensi dati, senza effetto sui trattamenti già fatti",
    "Proporre reclamo al Garante per la protezione dei dati personali (www.garanteprivacy.it)",
];

/// What the office knows of itself when it answers an art. 15 request.
pub struct SubjectFacts<'a> {
    /// "Comune di Triggiano – Segretariato Sociale".
    pub controller: &'a str,
    /// "Ambito territoriale di Triggiano".
    pub ambito: &'a str,
    pub retention_years: u32,
    /// The person was referred to the Ambito's professional social service or to other services.
    pub referred_to: Vec<String>,
    /// The DPO's name and contact, as entered in the settings (empty: not entered).
    pub dpo: &'a str,
    /// How the office is reached (phone, e-mail), for exercising the rights.
    pub office_contact: &'a str,
}

/// The information GDPR art. 15.1 a–h asks to give with the data, as titled sections.
pub fn art15_information(f: &SubjectFacts) -> Vec<(&'static str, Vec<String>)> {
    let mut recipients = vec![format!(
        "{}: dati statistici pseudonimi; i dati personali solo dei casi inviati al Servizio Sociale Professionale",
        f.ambito
    )];
    if f.referred_to.is_empty() {
        recipients
            .push("Nessun invio a servizi: i dati non sono stati comunicati ad altri.".into());
    } else {
        for r in &f.referred_to {
            recipients.push(format!("{r}: i dati necessari all'invio"));
        }
    }
    recipients.push("Nessun trasferimento fuori dall'Unione europea".into());
    let mut rights: Vec<String> = RIGHTS.iter().map(|s| s.to_string()).collect();
    rights.insert(
        0,
        format!(
            "Le richieste si presentano allo sportello{}",
            if f.office_contact.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.office_contact)
            }
        ),
    );
    vec![
        (
            "Titolare del trattamento",
            vec![
                f.controller.to_string(),
                if f.dpo.is_empty() {
                    "Responsabile della protezione dei dati (RPD): rivolgersi al Comune".into()
                } else {
                    format!("Responsabile della protezione dei dati (RPD): {}", f.dpo)
                },
            ],
        ),
        ("Finalità e basi giuridiche", PURPOSES.iter().map(|s| s.to_string()).collect()),
        ("Categorie di dati", DATA_CATEGORIES.iter().map(|s| s.to_string()).collect()),
        ("Destinatari", recipients),
        (
            "Periodo di conservazione",
            vec![format!(
                "{} anni dall'ultimo contatto; poi i dati identificativi sono cancellati e restano solo dati statistici anonimi",
                f.retention_years
            )],
        ),
        ("Diritti", rights),
        (
            "Origine dei dati",
            vec!["Raccolti presso la persona stessa o chi l'ha accompagnata o ha telefonato per lei; nessun processo decisionale automatizzato".into()],
        ),
    ]
}
