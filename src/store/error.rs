//! Errors of the store, with messages a desk worker or an installer can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Il database {path} è già aperto da un altro processo Sportello (probabilmente il server è in esecuzione). \
         Usare l'interfaccia web, oppure fermare il server e ripetere il comando."
    )]
    AlreadyOpen { path: PathBuf },
    #[error(
        "Il database è stato creato da una versione più recente di Sportello (schema {found}; questa versione \
         arriva allo schema {supported}). Installare la versione più recente del programma: il database non è stato modificato."
    )]
    TooNew { found: u32, supported: u32 },
    #[error("Impossibile creare o leggere la cartella dei dati {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "L'aggiornamento del database dallo schema {from} non è riuscito ({reason}). Una copia del database \
         com'era prima dell'aggiornamento è in {backup}: per tornare indietro, reinstallare la versione \
         precedente di Sportello e copiare quel file al posto di sportello.redb nella cartella dei dati."
    )]
    UpgradeFailed {
        from: u32,
        backup: PathBuf,
        reason: String,
    },
    #[error("Errore del database: {0}")]
    Database(#[from] redb::Error),
    #[error("Dato registrato non leggibile ({0}): il database potrebbe essere danneggiato.")]
    Codec(String),
    #[error("{0} non trovato.")]
    NotFound(&'static str),
    #[error("Esiste già una persona con questo codice.")]
    DuplicateCode(uuid::Uuid),
    /// Art. 18: the person's processing is restricted, so their records are not changed.
    #[error("{}", crate::domain::privacy::RESTRICTED)]
    Restricted,
    #[error("Esiste già un utente con nome «{0}».")]
    UsernameTaken(String),
    #[error(
        "Deve restare almeno un amministratore attivo: assegnare prima il ruolo a un altro utente."
    )]
    LastAdministrator,
    #[error("Scegliere almeno un ruolo.")]
    NoRoles,
    #[error("Questa installazione è già configurata.")]
    AlreadySetUp,
    #[error("Da «{}» non si può passare a «{}».", from.label(), to.label())]
    IllegalTransition {
        from: crate::domain::referral::ReferralStatus,
        to: crate::domain::referral::ReferralStatus,
    },
    #[error(
        "manca il pacchetto {missing} di {source_name}: importarlo prima del pacchetto {sequence}"
    )]
    SequenceGap {
        missing: u64,
        sequence: u64,
        source_name: String,
    },
    #[error(
        "il pacchetto {sequence} di {source_name} è già stato applicato con un contenuto diverso \
         (il mittente è stato forse ripristinato da un backup): contattare il mittente"
    )]
    SequenceConflict { sequence: u64, source_name: String },
    #[error(
        "il pacchetto {bundle_id} è già stato applicato con un contenuto diverso: rifiutato come \
         conflitto (lo stesso identificativo non può portare dati diversi; chiedere al mittente un \
         pacchetto nuovo)"
    )]
    BundleConflict { bundle_id: uuid::Uuid },
    #[error("generatore casuale non disponibile: {0}")]
    Random(String),
    #[error("Backup: {0}.")]
    Backup(String),
    #[error("Impossibile avviare la scrittura del registro di audit: {0}")]
    AuditWriter(String),
    #[error(
        "L'installazione non è ancora configurata: eseguire `sportello init` o aprire il browser."
    )]
    NotSetUp,
    /// A record handed to the store while it was applying them (a bundle's line) was not
    /// valid: nothing is applied.
    #[error("{0}")]
    Rejected(String),
    /// The data key is not in memory: personal records stay sealed until a user with a key
    /// slot logs in (issue 17).
    #[error(
        "L'archivio è chiuso a chiave: i dati delle persone si aprono con l'accesso di un \
         operatore, di un'assistente sociale o del responsabile."
    )]
    Locked,
    #[error("L'archivio è già sigillato.")]
    AlreadySealed,
    #[error("L'archivio non è sigillato: non c'è una chiave da aprire.")]
    NotSealed,
    #[error("La chiave offerta non è quella di questo archivio.")]
    WrongDataKey,
    /// Sealing without a slot, or dropping the recovery slot or the last one: the data could
    /// no longer be opened.
    #[error(
        "Serve almeno una chiave per aprire l'archivio: quella del foglio di recupero e l'ultima \
         rimasta non si tolgono."
    )]
    NoKeySlot,
    /// A sealed value or a key slot did not open.
    #[error("Dato sigillato: {0}")]
    Seal(#[from] crate::seal::SealError),
    /// The record changed meanwhile so that the write no longer makes sense.
    #[error(transparent)]
    Conflict(crate::domain::conflict::Conflict),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Database(e.into())
            }
        }
    )*};
}

from_redb!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
