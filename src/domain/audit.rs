//! The audit trail: append-only entries, each sealed with the hash of the one before.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Hash that the first entry points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every audited action: a stable code (stored, filtered, exported) and an Italian label
/// (the audit viewer, the art. 15 report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Setup,
    Login,
    LoginFailed,
    LoginLocked,
    Logout,
    PasswordChange,
    PasswordChangeFailed,
    UserCreate,
    UserDisable,
    UserEnable,
    UserRoles,
    UserPasswordReset,
    TokenCreate,
    TokenRevoke,
    PersonView,
    PersonCreate,
    PersonUpdate,
    PersonReport,
    PersonPrivacyNotice,
    PersonPrintNotice,
    PersonConsentGiven,
    PersonConsentWithdrawn,
    PersonRestrict,
    PersonRestrictionLifted,
    PersonMerge,
    PersonMergeUndo,
    AccessCreate,
    AccessView,
    AccessEdit,
    AccessIdentify,
    AccessList,
    AccessPrint,
    AccessPrintOrientation,
    AccessReservedNotesView,
    AccessOrientation,
    AccessUnmetNeed,
    AccessComplaintService,
    AccessDenied,
    AppointmentCreate,
    AppointmentCancel,
    DraftSave,
    DraftDiscard,
    AppointmentRestore,
    AppointmentMove,
    AppointmentOutcome,
    AppointmentList,
    AppointmentPrint,
    ReferralCreate,
    ReferralView,
    ReferralList,
    ReferralPrint,
    ReferralStatus,
    ReferralPrivacyOverride,
    InboxList,
    InboxView,
    InboxStatus,
    InboxUnlink,
    BundleExport,
    BundleImport,
    BundleRefused,
    BulkInsert,
    StatsRebuild,
    StatsPopulation,
    ServiceSave,
    OrganizationSave,
    DirectoryImport,
    DirectoryExport,
    RetentionPropose,
    RetentionApprove,
    RetentionAnonymize,
    OversightAcknowledge,
    SettingsBackup,
    SettingsDeskContacts,
    SettingsPrivacyNotice,
    SettingsReferralOverdueDays,
    SettingsRetentionYears,
    BackupCreate,
    BackupFailed,
    KeysTrust,
    KeysPseudonymKey,
    KeysRotate,
    KeysAnnounced,
    AuditView,
    AuditExport,
    AuditVerifyCopy,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Setup,
        Action::Login,
        Action::LoginFailed,
        Action::LoginLocked,
        Action::Logout,
        Action::PasswordChange,
        Action::PasswordChangeFailed,
        Action::UserCreate,
        Action::UserDisable,
        Action::UserEnable,
        Action::UserRoles,
        Action::UserPasswordReset,
        Action::TokenCreate,
        Action::TokenRevoke,
        Action::PersonView,
        Action::PersonCreate,
        Action::PersonUpdate,
        Action::PersonReport,
        Action::PersonPrivacyNotice,
        Action::PersonPrintNotice,
        Action::PersonConsentGiven,
        Action::PersonConsentWithdrawn,
        Action::PersonRestrict,
        Action::PersonRestrictionLifted,
        Action::PersonMerge,
        Action::PersonMergeUndo,
        Action::AccessCreate,
        Action::AccessView,
        Action::AccessEdit,
        Action::AccessIdentify,
        Action::AccessList,
        Action::AccessPrint,
        Action::AccessPrintOrientation,
        Action::AccessReservedNotesView,
        Action::AccessOrientation,
        Action::AccessUnmetNeed,
        Action::AccessComplaintService,
        Action::AccessDenied,
        Action::AppointmentCreate,
        Action::AppointmentCancel,
        Action::DraftSave,
        Action::DraftDiscard,
        Action::AppointmentRestore,
        Action::AppointmentMove,
        Action::AppointmentOutcome,
        Action::AppointmentList,
        Action::AppointmentPrint,
        Action::ReferralCreate,
        Action::ReferralView,
        Action::ReferralList,
        Action::ReferralPrint,
        Action::ReferralStatus,
        Action::ReferralPrivacyOverride,
        Action::InboxList,
        Action::InboxView,
        Action::InboxStatus,
        Action::InboxUnlink,
        Action::BundleExport,
        Action::BundleImport,
        Action::BundleRefused,
        Action::BulkInsert,
        Action::StatsRebuild,
        Action::StatsPopulation,
        Action::ServiceSave,
        Action::OrganizationSave,
        Action::DirectoryImport,
        Action::DirectoryExport,
        Action::RetentionPropose,
        Action::RetentionApprove,
        Action::RetentionAnonymize,
        Action::OversightAcknowledge,
        Action::SettingsBackup,
        Action::SettingsDeskContacts,
        Action::SettingsPrivacyNotice,
        Action::SettingsReferralOverdueDays,
        Action::SettingsRetentionYears,
        Action::BackupCreate,
        Action::BackupFailed,
        Action::KeysTrust,
        Action::KeysPseudonymKey,
        Action::KeysRotate,
        Action::KeysAnnounced,
        Action::AuditView,
        Action::AuditExport,
        Action::AuditVerifyCopy,
    ];

    /// The stored code, e.g. `person.view`.
    pub fn code(self) -> &'static str {
        match self {
            Action::Setup => "setup",
            Action::Login => "auth.login",
            Action::LoginFailed => "auth.login_failed",
            Action::LoginLocked => "auth.login_locked",
            Action::Logout => "auth.logout",
            Action::PasswordChange => "auth.password_change",
            Action::PasswordChangeFailed => "auth.password_change_failed",
            Action::UserCreate => "user.create",
            Action::UserDisable => "user.disable",
            Action::UserEnable => "user.enable",
            Action::UserRoles => "user.roles",
            Action::UserPasswordReset => "user.password_reset",
            Action::TokenCreate => "token.create",
            Action::TokenRevoke => "token.revoke",
            Action::PersonView => "person.view",
            Action::PersonCreate => "person.create",
            Action::PersonUpdate => "person.update",
            Action::PersonReport => "person.report",
            Action::PersonPrivacyNotice => "person.privacy_notice",
            Action::PersonPrintNotice => "person.print_notice",
            Action::PersonConsentGiven => "person.consent_given",
            Action::PersonConsentWithdrawn => "person.consent_withdrawn",
            Action::PersonRestrict => "person.restrict",
            Action::PersonRestrictionLifted => "person.restriction_lifted",
            Action::PersonMerge => "person.merge",
            Action::PersonMergeUndo => "person.merge_undo",
            Action::AccessCreate => "access.create",
            Action::AccessView => "access.view",
            Action::AccessEdit => "access.edit",
            Action::AccessIdentify => "access.identify",
            Action::AccessList => "access.list",
            Action::AccessPrint => "access.print",
            Action::AccessPrintOrientation => "access.print_orientation",
            Action::AccessReservedNotesView => "access.reserved_notes.view",
            Action::AccessOrientation => "access.orientation",
            Action::AccessUnmetNeed => "access.unmet_need",
            Action::AccessComplaintService => "access.complaint_service",
            Action::AccessDenied => "access.denied",
            Action::AppointmentCreate => "appointment.create",
            Action::AppointmentCancel => "appointment.cancel",
            Action::DraftSave => "draft.save",
            Action::DraftDiscard => "draft.discard",
            Action::AppointmentRestore => "appointment.restore",
            Action::AppointmentMove => "appointment.move",
            Action::AppointmentOutcome => "appointment.outcome",
            Action::AppointmentList => "appointment.list",
            Action::AppointmentPrint => "appointment.print",
            Action::ReferralCreate => "referral.create",
            Action::ReferralView => "referral.view",
            Action::ReferralList => "referral.list",
            Action::ReferralPrint => "referral.print",
            Action::ReferralStatus => "referral.status",
            Action::ReferralPrivacyOverride => "referral.privacy_override",
            Action::InboxList => "inbox.list",
            Action::InboxView => "inbox.view",
            Action::InboxStatus => "inbox.status",
            Action::InboxUnlink => "inbox.unlink",
            Action::BundleExport => "bundle.export",
            Action::BundleImport => "bundle.import",
            Action::BundleRefused => "bundle.refused",
            Action::BulkInsert => "bulk.insert",
            Action::StatsRebuild => "stats.rebuild",
            Action::StatsPopulation => "stats.population",
            Action::ServiceSave => "service.save",
            Action::OrganizationSave => "organization.save",
            Action::DirectoryImport => "directory.import",
            Action::DirectoryExport => "directory.export",
            Action::RetentionPropose => "retention.propose",
            Action::RetentionApprove => "retention.approve",
            Action::RetentionAnonymize => "retention.anonymize",
            Action::OversightAcknowledge => "oversight.acknowledge",
            Action::SettingsBackup => "settings.backup",
            Action::SettingsDeskContacts => "settings.desk_contacts",
            Action::SettingsPrivacyNotice => "settings.privacy_notice",
            Action::SettingsReferralOverdueDays => "settings.referral_overdue_days",
            Action::SettingsRetentionYears => "settings.retention_years",
            Action::BackupCreate => "backup.create",
            Action::BackupFailed => "backup.failed",
            Action::KeysTrust => "keys.trust",
            Action::KeysPseudonymKey => "keys.pseudonym_key",
            Action::KeysRotate => "keys.rotate",
            Action::KeysAnnounced => "keys.announced",
            Action::AuditView => "audit.view",
            Action::AuditExport => "audit.export",
            Action::AuditVerifyCopy => "audit.verify_copy",
        }
    }

    /// What the action means, in Italian.
    pub fn label(self) -> &'static str {
        match self {
            Action::Setup => "Prima configurazione del programma",
            Action::Login => "Accesso al programma",
            Action::LoginFailed => "Accesso non riuscito",
            Action::LoginLocked => "Accesso bloccato per troppi tentativi",
            Action::Logout => "Uscita dal programma",
            Action::PasswordChange => "Cambio della propria password",
            Action::PasswordChangeFailed => "Cambio della password non riuscito",
            Action::UserCreate => "Nuovo utente",
            Action::UserDisable => "Utente disattivato",
            Action::UserEnable => "Utente riattivato",
            Action::UserRoles => "Profili di un utente modificati",
            Action::UserPasswordReset => "Password temporanea assegnata a un utente",
            Action::TokenCreate => "Nuovo token per l'API",
            Action::TokenRevoke => "Token per l'API revocato",
            Action::PersonView => "Consultazione dei dati della persona",
            Action::PersonCreate => "Registrazione della persona",
            Action::PersonUpdate => "Modifica dei dati della persona",
            Action::PersonReport => "Rapporto sui dati trattati (art. 15)",
            Action::PersonPrivacyNotice => "Informativa privacy consegnata",
            Action::PersonPrintNotice => "Stampa dell'informativa privacy",
            Action::PersonConsentGiven => "Consenso registrato",
            Action::PersonConsentWithdrawn => "Consenso revocato",
            Action::PersonRestrict => "Limitazione del trattamento (art. 18)",
            Action::PersonRestrictionLifted => "Limitazione del trattamento revocata",
            Action::PersonMerge => "Unione di due schede della stessa persona",
            Action::PersonMergeUndo => "Annullamento di un'unione di schede",
            Action::AccessCreate => "Registrazione di un accesso",
            Action::AccessView => "Consultazione di un accesso",
            Action::AccessEdit => "Correzione di un accesso",
            Action::AccessIdentify => "Collegamento di un accesso anonimo a una persona",
            Action::AccessList => "Consultazione degli accessi della persona",
            Action::AccessPrint => "Stampa della scheda di un accesso",
            Action::AccessPrintOrientation => "Stampa del foglio di orientamento",
            Action::AccessReservedNotesView => "Lettura delle note riservate",
            Action::AccessOrientation => "Servizi indicati alla persona",
            Action::AccessUnmetNeed => "Bisogno non soddisfatto registrato",
            Action::AccessComplaintService => "Servizio oggetto di un reclamo indicato",
            Action::AccessDenied => "Operazione rifiutata",
            Action::AppointmentCreate => "Appuntamento fissato",
            Action::AppointmentCancel => "Appuntamento annullato",
            Action::DraftSave => "Modulo conservato dopo la scadenza della sessione",
            Action::DraftDiscard => "Bozza di un modulo scartata o inviata",
            Action::AppointmentRestore => "Appuntamento ripristinato",
            Action::AppointmentMove => "Appuntamento spostato",
            Action::AppointmentOutcome => "Esito di un appuntamento",
            Action::AppointmentList => "Consultazione degli appuntamenti",
            Action::AppointmentPrint => "Stampa del promemoria di un appuntamento",
            Action::ReferralCreate => "Invio a un servizio",
            Action::ReferralView => "Consultazione di un invio",
            Action::ReferralList => "Consultazione degli invii",
            Action::ReferralPrint => "Stampa della scheda di invio",
            Action::ReferralStatus => "Stato di un invio cambiato",
            Action::ReferralPrivacyOverride => "Invio senza informativa consegnata (motivato)",
            Action::InboxList => "Consultazione degli invii ricevuti",
            Action::InboxView => "Consultazione di un invio ricevuto",
            Action::InboxStatus => "Decisione su un invio ricevuto",
            Action::InboxUnlink => "Invii ricevuti scollegati",
            Action::BundleExport => "Pacchetto preparato per l'invio",
            Action::BundleImport => "Pacchetto importato",
            Action::BundleRefused => "Pacchetto rifiutato",
            Action::BulkInsert => "Inserimento di dati di prova",
            Action::StatsRebuild => "Statistiche ricontate dai dati",
            Action::StatsPopulation => "Popolazione dei comuni aggiornata",
            Action::ServiceSave => "Servizio salvato nell'elenco",
            Action::OrganizationSave => "Ente salvato nell'elenco",
            Action::DirectoryImport => "Elenco dei servizi importato",
            Action::DirectoryExport => "Elenco dei servizi esportato",
            Action::RetentionPropose => "Proposta di scarto per fine conservazione",
            Action::RetentionApprove => "Scarto per fine conservazione approvato",
            Action::RetentionAnonymize => "Dati resi anonimi per fine conservazione",
            Action::OversightAcknowledge => "Avviso di controllo preso visione",
            Action::SettingsBackup => "Impostazioni del backup modificate",
            Action::SettingsDeskContacts => "Recapiti dello sportello modificati",
            Action::SettingsPrivacyNotice => "Testo dell'informativa modificato",
            Action::SettingsReferralOverdueDays => "Giorni di attesa degli invii modificati",
            Action::SettingsRetentionYears => "Termine di conservazione modificato",
            Action::BackupCreate => "Copia di sicurezza eseguita",
            Action::BackupFailed => "Copia di sicurezza non riuscita",
            Action::KeysTrust => "Chiave di un'altra installazione accettata",
            Action::KeysPseudonymKey => "Chiave di pseudonimizzazione impostata",
            Action::KeysRotate => "Chiavi di firma e cifratura rinnovate",
            Action::KeysAnnounced => "Nuova chiave di un'altra installazione ricevuta",
            Action::AuditView => "Consultazione del registro degli accessi",
            Action::AuditExport => "Esportazione del registro degli accessi",
            Action::AuditVerifyCopy => "Verifica di una copia del registro degli accessi",
        }
    }

    /// What the user did, as the end of an Italian sentence whose subject is the user
    /// ("Maria Rossi (operatore) ha consultato la scheda"): what a citizen reads in the art. 15
    /// report and the responsabile in the audit viewer.
    pub fn deed(self) -> Option<&'static str> {
        Some(match self {
            Action::PersonView => "ha consultato la scheda della persona",
            Action::PersonCreate => "ha registrato la persona",
            Action::PersonUpdate => "ha modificato i dati anagrafici o di contatto",
            Action::PersonReport => "ha preparato il rapporto sui dati trattati (art. 15)",
            Action::PersonPrivacyNotice => "ha registrato la consegna dell'informativa privacy",
            Action::PersonPrintNotice => "ha stampato l'informativa privacy",
            Action::PersonConsentGiven => "ha registrato un consenso",
            Action::PersonConsentWithdrawn => "ha registrato la revoca di un consenso",
            Action::PersonRestrict => "ha limitato il trattamento dei dati (art. 18)",
            Action::PersonRestrictionLifted => "ha tolto la limitazione del trattamento",
            Action::PersonMerge => "ha unito due schede della stessa persona",
            Action::PersonMergeUndo => "ha annullato l'unione di due schede",
            Action::AccessCreate => "ha registrato un accesso allo sportello",
            Action::AccessView => "ha consultato un accesso",
            Action::AccessEdit => "ha corretto un accesso",
            Action::AccessIdentify => "ha collegato alla scheda un accesso registrato come anonimo",
            Action::AccessList => "ha consultato l'elenco degli accessi",
            Action::AccessPrint => "ha stampato la scheda di un accesso",
            Action::AccessPrintOrientation => "ha stampato il foglio di orientamento",
            Action::AccessReservedNotesView => "ha letto le note riservate",
            Action::AccessOrientation => "ha indicato i servizi a cui rivolgersi",
            Action::AccessUnmetNeed => "ha registrato un bisogno non soddisfatto",
            Action::AccessComplaintService => "ha indicato il servizio oggetto di un reclamo",
            Action::AccessDenied => {
                "ha tentato un'operazione non consentita, che è stata rifiutata"
            }
            Action::AppointmentCreate => "ha fissato un appuntamento",
            Action::AppointmentCancel => "ha annullato un appuntamento",
            Action::AppointmentRestore => "ha ripristinato un appuntamento",
            Action::AppointmentMove => "ha spostato un appuntamento",
            Action::AppointmentOutcome => "ha registrato l'esito di un appuntamento",
            Action::AppointmentList => "ha consultato gli appuntamenti",
            Action::AppointmentPrint => "ha stampato il promemoria di un appuntamento",
            Action::DraftSave => "ha conservato un modulo rimasto a metà",
            Action::DraftDiscard => "ha inviato o scartato un modulo conservato",
            Action::ReferralCreate => "ha inviato la persona a un servizio",
            Action::ReferralView => "ha consultato un invio",
            Action::ReferralList => "ha consultato gli invii",
            Action::ReferralPrint => "ha stampato la scheda di invio",
            Action::ReferralStatus => "ha aggiornato lo stato di un invio",
            Action::ReferralPrivacyOverride => {
                "ha inviato la persona prima della consegna dell'informativa, motivandolo"
            }
            Action::InboxList => "ha consultato gli invii ricevuti",
            Action::InboxView => "ha consultato un invio ricevuto",
            Action::InboxStatus => "ha preso una decisione su un invio ricevuto",
            Action::InboxUnlink => "ha scollegato degli invii ricevuti",
            Action::BundleExport => "ha preparato il pacchetto per l'Ambito",
            Action::BundleImport => "ha importato un pacchetto",
            Action::RetentionPropose => "ha proposto lo scarto dei dati per fine conservazione",
            Action::RetentionApprove => "ha approvato lo scarto dei dati per fine conservazione",
            Action::RetentionAnonymize => "ha reso anonimi i dati per fine conservazione",
            Action::AuditView => "ha consultato il registro degli accessi",
            Action::AuditExport => "ha esportato il registro degli accessi",
            Action::AuditVerifyCopy => "ha verificato una copia del registro degli accessi",
            _ => return None,
        })
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.code() == code)
    }
}

/// One audit entry as a sentence: "12/03/2026 10:14 — Maria Rossi (operatore) ha consultato la
/// scheda della persona". `when` is the local time already written; `who` the user's name and
/// role. Never an action code: an unknown one reads as an unspecified operation.
pub fn sentence(when: &str, who: &str, code: &str, subject: &str) -> String {
    let deed = match (Action::from_code(code), shown_in(subject)) {
        (Some(Action::PersonView), Some(shown)) => shown.to_string(),
        (Some(a), _) => a
            .deed()
            .map(str::to_string)
            .unwrap_or_else(|| format!("ha eseguito l'operazione «{}»", a.label())),
        (None, _) => "ha eseguito un'operazione di una versione più recente del programma".into(),
    };
    format!("{when} — {who} {deed}")
}

/// Where a person was shown in a list rather than her file being opened (the subject of a
/// [`Action::PersonView`] entry written for each person of a list).
pub const SHOWN_IN_SEARCH: &str = "ricerca";
pub const SHOWN_SAME_CODE: &str = "codice già registrato";
pub const SHOWN_AS_DUPLICATE: &str = "possibili doppioni";
pub const SHOWN_IN_RETENTION: &str = "proposta di scarto";
pub const SHOWN_IN_RETENTION_PRINT: &str = "stampa proposta di scarto";

/// The deed of a person shown in a list, by the list's subject: so that a search result does
/// not read as her file consulted.
fn shown_in(subject: &str) -> Option<&'static str> {
    Some(match subject {
        SHOWN_IN_SEARCH => "ha visto la persona tra i risultati di una ricerca",
        SHOWN_SAME_CODE => {
            "ha visto la persona, già registrata con lo stesso codice fiscale, registrandone una nuova"
        }
        SHOWN_AS_DUPLICATE => {
            "ha visto la persona tra i possibili doppioni di una nuova registrazione"
        }
        SHOWN_IN_RETENTION => "ha visto la persona nella proposta di scarto dei dati",
        SHOWN_IN_RETENTION_PRINT => "ha stampato la proposta di scarto dei dati, che nomina la persona",
        _ => return None,
    })
}

/// The Italian label of a stored code (the code itself for one this build does not know).
pub fn label_of(code: &str) -> &str {
    match Action::from_code(code) {
        Some(action) => action.label(),
        None => code,
    }
}

/// Who did it, what, to what. `user` is a username, or `sistema` for the command line at setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub user: String,
    pub action: Action,
    pub subject: String,
    pub details: String,
    /// The persons the entry concerns (indexed: "who read this person" is a lookup).
    pub persons: Vec<Uuid>,
}

impl AuditEvent {
    pub fn new(user: impl Into<String>, action: Action, subject: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            action,
            subject: subject.into(),
            details: String::new(),
            persons: Vec::new(),
        }
    }

    /// The entry concerns this person.
    pub fn about(mut self, person: Uuid) -> Self {
        if !self.persons.contains(&person) {
            self.persons.push(person);
        }
        self
    }

    /// The entry concerns these persons (a search result, a list).
    pub fn about_all(mut self, persons: impl IntoIterator<Item = Uuid>) -> Self {
        for p in persons {
            self = self.about(p);
        }
        self
    }

    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = details.into();
        self
    }
}

/// One sealed entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub user: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    /// Persons concerned; absent on entries written before the person index (version 7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<Uuid>,
    pub prev_hash: String,
    pub hash: String,
}

/// The exact bytes that are hashed: fixed field order, time in RFC 3339 with nanoseconds.
#[derive(Serialize)]
struct Sealed<'a> {
    seq: u64,
    time: String,
    user: &'a str,
    action: &'a str,
    subject: &'a str,
    details: &'a str,
    // Left out when empty, so entries from before the person index keep their hash.
    #[serde(skip_serializing_if = "no_persons")]
    persons: &'a [Uuid],
    prev_hash: &'a str,
}

fn no_persons(persons: &&[Uuid]) -> bool {
    persons.is_empty()
}

impl AuditEntry {
    /// Builds the entry that follows `prev` (or the first one), with its hash.
    pub fn seal(event: AuditEvent, time: DateTime<Utc>, prev: Option<(u64, &str)>) -> Self {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_string()),
            None => (1, GENESIS_HASH.to_string()),
        };
        let mut entry = AuditEntry {
            seq,
            time,
            user: event.user,
            action: event.action.code().to_string(),
            subject: event.subject,
            details: event.details,
            persons: event.persons,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    pub fn compute_hash(&self) -> String {
        let sealed = Sealed {
            seq: self.seq,
            time: self.time.to_rfc3339_opts(SecondsFormat::Nanos, true),
            user: &self.user,
            action: &self.action,
            subject: &self.subject,
            details: &self.details,
            persons: &self.persons,
            prev_hash: &self.prev_hash,
        };
        // Serializing plain strings and integers to JSON cannot fail.
        let bytes = serde_json::to_vec(&sealed).unwrap_or_default();
        hex::encode(Sha256::digest(bytes))
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("voce {seq}: numero di sequenza inatteso (atteso {expected})")]
    Sequence { seq: u64, expected: u64 },
    #[error("voce {seq}: non punta all'hash della voce precedente")]
    Link { seq: u64 },
    #[error("voce {seq}: il contenuto non corrisponde al suo hash (alterata)")]
    Content { seq: u64 },
}

/// Checks a whole chain in order; returns the number of entries and the head hash.
pub fn verify_chain<I>(entries: I) -> Result<(u64, String), ChainError>
where
    I: IntoIterator<Item = AuditEntry>,
{
    verify_chain_from(entries, None)
}

/// Checks the entries that follow `start` (the sequence number and hash of an entry verified
/// before; `None`: from the first), in order; returns the head's sequence number and hash.
pub fn verify_chain_from<I>(
    entries: I,
    start: Option<(u64, String)>,
) -> Result<(u64, String), ChainError>
where
    I: IntoIterator<Item = AuditEntry>,
{
    let (mut expected_seq, mut prev_hash) = match start {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    for entry in entries {
        if entry.seq != expected_seq {
            return Err(ChainError::Sequence {
                seq: entry.seq,
                expected: expected_seq,
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(ChainError::Link { seq: entry.seq });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainError::Content { seq: entry.seq });
        }
        prev_hash = entry.hash;
        expected_seq += 1;
    }
    Ok((expected_seq - 1, prev_hash))
}

/// Why an exported copy of the log does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error("riga {line} non leggibile: {reason}")]
    Line { line: usize, reason: String },
    #[error("la copia non contiene alcuna voce")]
    Empty,
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(
        "la copia è incompleta: termina alla voce {last} (hash {last_hash}) e l'ultimo hash annotato \
         ({head}) non c'è; mancano le voci dopo la {last}, tagliate alla fine (o la copia è di un \
         altro registro)"
    )]
    CutShort {
        last: u64,
        last_hash: String,
        head: String,
    },
    #[error("riga {line}: la voce non è scritta come la scrive il programma (campi aggiunti, tolti o riformattati)")]
    NotCanonical { line: usize },
    #[error(
        "la voce {seq} della copia non è nel registro di questo programma (aggiunta o alterata dopo \
         l'esportazione)"
    )]
    NotInLog { seq: u64 },
}

/// A copy verified: its entries, its head, and where the head noted down was found in it
/// (`None`: none was given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyVerified {
    pub count: u64,
    pub head: String,
    pub noted_at: Option<u64>,
}

/// The exported copy of the log: one JSON entry per line, oldest first.
pub fn copy_lines(entries: &[AuditEntry]) -> String {
    let mut text = String::new();
    for e in entries {
        // An entry is plain strings and numbers: it always serializes.
        if let Ok(line) = serde_json::to_string(e) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

/// Verifies an exported copy (JSON lines, as `audit export` writes them) and, when the head
/// noted down at export is given, that the copy reaches it: a chain cut at the end is still a
/// valid chain, so only the head can show that its tail is missing.
pub fn verify_copy(text: &str, noted_head: Option<&str>) -> Result<CopyVerified, CopyError> {
    let mut entries = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let entry: AuditEntry = serde_json::from_str(line).map_err(|e| CopyError::Line {
            line: i + 1,
            reason: e.to_string(),
        })?;
        // Only what is hashed may be in a line: a field added beside it would pass unseen.
        if serde_json::to_string(&entry).ok().as_deref() != Some(line.trim()) {
            return Err(CopyError::NotCanonical { line: i + 1 });
        }
        entries.push(entry);
    }
    if entries.is_empty() {
        return Err(CopyError::Empty);
    }
    let noted = noted_head
        .map(|h| h.trim().to_lowercase())
        .filter(|h| !h.is_empty());
    let noted_at = noted
        .as_ref()
        .and_then(|h| entries.iter().find(|e| e.hash == *h).map(|e| e.seq));
    let (count, head) = verify_chain(entries)?;
    match noted {
        Some(h) if noted_at.is_none() => Err(CopyError::CutShort {
            last: count,
            last_hash: head,
            head: h,
        }),
        _ => Ok(CopyVerified {
            count,
            head,
            noted_at,
        }),
    }
}

/// Checks a verified copy entry by entry against the live log: the chain's hash is public, so
/// entries can be appended to a copy beyond the head noted down, and only the log itself shows
/// they were never written.
pub fn compare_with_log(text: &str, live: &[AuditEntry]) -> Result<(), CopyError> {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry: AuditEntry = serde_json::from_str(line).map_err(|e| CopyError::Line {
            line: 0,
            reason: e.to_string(),
        })?;
        let found = live
            .binary_search_by_key(&entry.seq, |e| e.seq)
            .ok()
            .map(|i| &live[i]);
        if found.is_none_or(|e| e.hash != entry.hash) {
            return Err(CopyError::NotInLog { seq: entry.seq });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_reads_as_an_italian_sentence_without_its_code() {
        assert_eq!(
            sentence(
                "12/03/2026 10:14",
                "Maria Rossi (operatore)",
                "person.view",
                "0190e0aa-0000-7000-8000-000000000001"
            ),
            "12/03/2026 10:14 — Maria Rossi (operatore) ha consultato la scheda della persona"
        );
        // A person among a search's results: not her file consulted.
        assert_eq!(
            sentence(
                "",
                "Maria Rossi (operatore)",
                "person.view",
                SHOWN_IN_SEARCH
            ),
            " — Maria Rossi (operatore) ha visto la persona tra i risultati di una ricerca"
        );
        for subject in [
            SHOWN_SAME_CODE,
            SHOWN_AS_DUPLICATE,
            SHOWN_IN_RETENTION,
            SHOWN_IN_RETENTION_PRINT,
        ] {
            let s = sentence("", "X", "person.view", subject);
            assert!(!s.contains("consultato la scheda"), "{s}");
        }
        for a in Action::ALL {
            let s = sentence("01/01/2026 10:00", "Maria Rossi (operatore)", a.code(), "");
            assert!(!s.contains(a.code()), "{s}");
            assert!(s.contains(" ha "), "{s}");
        }
        assert!(!sentence("", "X", "future.thing", "").contains("future.thing"));
    }

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.seq, e.hash.as_str()));
            let ev = AuditEvent::new("anna", Action::Login, format!("s{i}"));
            out.push(AuditEntry::seal(ev, Utc::now(), prev));
        }
        out
    }

    #[test]
    fn a_copy_cut_at_the_end_is_refused_against_the_noted_head() {
        let entries = chain(5);
        let head = entries[4].hash.clone();
        let lines = |n: usize| {
            entries[..n]
                .iter()
                .map(|e| serde_json::to_string(e).unwrap() + "\n")
                .collect::<String>()
        };
        let whole = verify_copy(&lines(5), Some(&head)).unwrap();
        assert_eq!((whole.count, whole.noted_at), (5, Some(5)));
        // Without the head a cut copy is a valid chain; with it, the missing tail is named.
        assert_eq!(verify_copy(&lines(3), None).unwrap().count, 3);
        let cut = verify_copy(&lines(3), Some(&head.to_uppercase())).unwrap_err();
        assert!(matches!(cut, CopyError::CutShort { last: 3, .. }), "{cut}");
        assert!(cut.to_string().contains("mancano le voci dopo la 3"));
        // A copy taken later than the head noted still reaches it.
        let noted = entries[2].hash.clone();
        assert_eq!(
            verify_copy(&lines(5), Some(&noted)).unwrap().noted_at,
            Some(3)
        );
        assert_eq!(verify_copy("", None), Err(CopyError::Empty));
        assert!(matches!(
            verify_copy("{non json}\n", None),
            Err(CopyError::Line { line: 1, .. })
        ));
    }

    #[test]
    fn a_sealed_chain_verifies_and_any_edit_breaks_it() {
        let entries = chain(4);
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        let (n, head) = verify_chain(entries.clone()).unwrap();
        assert_eq!((n, head.as_str()), (4, entries[3].hash.as_str()));

        let mut edited = entries.clone();
        edited[2].details = "modificato".into();
        assert_eq!(verify_chain(edited), Err(ChainError::Content { seq: 3 }));

        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(removed),
            Err(ChainError::Sequence {
                seq: 3,
                expected: 2
            })
        );

        let mut resealed = entries;
        resealed[1].details = "x".into();
        resealed[1].hash = resealed[1].compute_hash();
        assert_eq!(verify_chain(resealed), Err(ChainError::Link { seq: 3 }));
    }

    #[test]
    fn the_persons_concerned_are_sealed_and_old_entries_keep_their_hash() {
        let person = Uuid::now_v7();
        let event = AuditEvent::new("anna", Action::PersonView, person.to_string());
        let old = AuditEntry::seal(event.clone(), Utc::now(), None);
        // An entry without persons hashes as it did before the field existed.
        let mut legacy = serde_json::to_value(&old).unwrap();
        legacy.as_object_mut().unwrap().remove("persons");
        let legacy: AuditEntry = serde_json::from_value(legacy).unwrap();
        assert_eq!(legacy.compute_hash(), old.hash);

        let tagged = AuditEntry::seal(event.about(person), Utc::now(), None);
        assert_eq!(tagged.persons, vec![person]);
        let mut untagged = tagged.clone();
        untagged.persons.clear();
        assert_ne!(
            untagged.compute_hash(),
            tagged.hash,
            "removing a person breaks the seal"
        );
    }

    #[test]
    fn every_action_has_a_unique_code_and_an_italian_label() {
        let mut codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len());
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(*a));
            assert!(!a.label().is_empty() && a.label() != a.code());
        }
        assert_eq!(
            label_of("person.view"),
            "Consultazione dei dati della persona"
        );
        assert_eq!(label_of("sconosciuta"), "sconosciuta");
    }
}
