//! Requests that no longer fit the record's state (someone else acted first, or the step makes no
//! sense now): each case named, with the Italian message the user reads.

/// Why a change cannot be made to the record as it is now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("L'accesso è già collegato a una persona.")]
    AlreadyIdentified,
    #[error("L'appuntamento è già annullato.")]
    AlreadyCancelled,
    #[error("L'appuntamento non è annullato.")]
    NotCancelled,
    #[error("L'appuntamento è annullato: ripristinarlo prima di indicarne l'esito.")]
    CancelledNoOutcome,
    #[error("L'appuntamento è annullato: ripristinarlo prima di spostarlo.")]
    CancelledNoMove,
    #[error("Scegliere due schede diverse.")]
    SameRecord,
    #[error("Una delle due schede è già stata unita a un'altra.")]
    AlreadyMerged,
    #[error("L'unione è già stata annullata.")]
    MergeUndone,
    #[error("La scheda unita è cambiata dopo l'unione: non si può annullare.")]
    MergedRecordChanged,
    #[error("Il codice {0} appartiene ora a un'altra scheda: non si può annullare l'unione.")]
    CodeTaken(String),
    #[error("L'unione è più vecchia del termine di conservazione: non si può più annullare.")]
    MergeTooOld,
    #[error("Catena di schede unite troppo lunga.")]
    MergeChain,
}
