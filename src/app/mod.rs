//! Use cases: every action of a desk or district user, with the desk's rules and the access
//! policy applied once, called alike by the pages, the API and the command line. A use case takes
//! a [`Ctx`] (the store, the reference data, the acting user) and a typed input and returns
//! `Result<T, AppError>`; it never knows HTTP.

pub mod administration;
pub mod agenda;
pub mod auth;
pub mod corrections;
pub mod directory;
pub mod district;
pub mod drafts;
pub mod exchange;
pub mod merges;
pub mod names;
pub mod orientation;
pub mod persons;
pub mod privacy;
pub mod reception;
pub mod referrals;
pub mod retention;
pub mod setup;
pub mod statistics;

use crate::domain::audit::Action;
use crate::domain::audit::AuditEvent;
use crate::domain::person::Person;
use crate::domain::policy::{Actor, Denial};
use crate::domain::reference::Reference;
use crate::domain::referral::ReferralStatus;
use crate::domain::Invalid;
use crate::store::{Store, StoreError};
use uuid::Uuid;

/// Where the audit events of reads go: by default written at once, one commit each; a request
/// hands in a sink that queues them for the group commit and answers the page only once they
/// are durable.
pub trait AuditSink {
    fn record(&self, event: AuditEvent) -> Result<(), AppError>;
}

/// What every use case works with.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub reference: &'a Reference,
    pub actor: &'a Actor,
    sink: Option<&'a dyn AuditSink>,
}

impl<'a> Ctx<'a> {
    pub fn new(store: &'a Store, reference: &'a Reference, actor: &'a Actor) -> Self {
        Ctx {
            store,
            reference,
            actor,
            sink: None,
        }
    }

    /// The same context, its read audits going to `sink`.
    pub fn with_sink(self, sink: &'a dyn AuditSink) -> Self {
        Ctx {
            sink: Some(sink),
            ..self
        }
    }

    /// Records an event done by the acting user that concerns no person.
    pub fn audit(
        &self,
        action: Action,
        subject: impl Into<String>,
        details: impl Into<String>,
    ) -> Result<(), AppError> {
        self.audit_about(action, [], subject, details)
    }

    /// Records an event done by the acting user about these persons (indexed by person).
    pub fn audit_about(
        &self,
        action: Action,
        persons: impl IntoIterator<Item = uuid::Uuid>,
        subject: impl Into<String>,
        details: impl Into<String>,
    ) -> Result<(), AppError> {
        let event = AuditEvent::new(self.actor.username.clone(), action, subject)
            .details(details)
            .about_all(persons);
        match self.sink {
            Some(sink) => sink.record(event),
            None => {
                self.store.audit(event)?;
                Ok(())
            }
        }
    }

    /// Records that these persons were shown (search results, possible duplicates), by id only.
    pub fn audit_shown(&self, persons: &[Person], context: &str) -> Result<(), AppError> {
        if persons.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = persons.iter().map(|p| p.id.to_string()).collect();
        self.audit_about(
            Action::PersonView,
            persons.iter().map(|p| p.id),
            context,
            ids.join(" "),
        )
    }
}

/// Why a use case did not do what was asked. Mapped once to the page and once to the API.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}.", crate::domain::text::not_found(.0))]
    NotFound(&'static str),
    /// The policy said no (403, or 404 for the other kind of instance).
    #[error(transparent)]
    Denied(#[from] Denial),
    /// Field problems, each next to its field.
    #[error("dati non validi")]
    Invalid(Invalid),
    /// The code belongs to this registered person.
    #[error("Esiste già una persona con questo codice (id {}).", .0.id)]
    ExistingPerson(Box<Person>),
    /// Persons with the same birth date and a close name: to confirm before registering another.
    #[error("Esistono persone con la stessa data di nascita e un nome simile: verificare prima di registrarne una nuova.")]
    PossibleDuplicate(Vec<Person>),
    /// Warnings about the typed values (code letters vs name, unknown codes) not yet seen.
    #[error("Verificare gli avvisi prima di salvare.")]
    UnseenWarnings(Vec<String>),
    #[error(
        "Deve restare almeno un amministratore attivo: assegnare prima il ruolo a un altro utente."
    )]
    LastAdministrator,
    #[error("Scegliere almeno un ruolo.")]
    NoRoles,
    /// The installation was set up already (by another tab, or the command line).
    #[error("L'installazione è già configurata.")]
    AlreadySetUp,
    /// A record with this id is already held (create where a replace was meant).
    #[error("Esiste già un servizio con questo id: usare PUT.")]
    AlreadyExists(Uuid),
    #[error("Esiste già un utente con nome «{0}».")]
    UsernameTaken(String),
    #[error("Da «{}» non si può passare a «{}».", from.label(), to.label())]
    IllegalTransition {
        from: ReferralStatus,
        to: ReferralStatus,
    },
    #[error("{0}")]
    SequenceGap(String),
    /// The record is no longer in the state the request assumed (409).
    #[error(transparent)]
    Conflict(crate::domain::conflict::Conflict),
    /// The person's record was merged into this one: read that instead.
    #[error("La scheda è stata unita a un'altra della stessa persona.")]
    Moved(Uuid),
    /// Something that is not the user's doing (a document that could not be made, a task that
    /// did not finish).
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Restricted => AppError::Denied(Denial::Restricted),
            StoreError::DuplicateCode(id) => AppError::Invalid(Invalid::one(
                "codice_fiscale",
                format!(
                    "Questo codice appartiene già a un'altra persona registrata (scheda /persone/{id})."
                ),
            )),
            StoreError::LastAdministrator => AppError::LastAdministrator,
            StoreError::NoRoles => AppError::NoRoles,
            StoreError::UsernameTaken(name) => AppError::UsernameTaken(name),
            StoreError::IllegalTransition { from, to } => AppError::IllegalTransition { from, to },
            e @ (StoreError::SequenceGap { .. } | StoreError::SequenceConflict { .. }) => {
                AppError::SequenceGap(e.to_string())
            }
            StoreError::Conflict(why) => AppError::Conflict(why),
            other => AppError::Store(other),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

/// A text field over its cap, in the words every channel uses.
pub fn too_long(field: &'static str, label: &str, max: usize) -> Invalid {
    Invalid::one(
        field,
        format!("{label} può avere al massimo {max} caratteri."),
    )
}

/// Checks a text's length against its cap (the same cap as the form field).
pub fn check_len(invalid: &mut Invalid, field: &'static str, label: &str, value: &str, max: usize) {
    if value.chars().count() > max {
        invalid.0.extend(too_long(field, label, max).0);
    }
}
