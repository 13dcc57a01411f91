//! The store's own transactions: a redb transaction together with the sealing state it began
//! under, so that every record value of personal data is sealed and opened in the one codec with
//! the data key of that moment (and refused while the appliance is locked).

use redb::{ReadTransaction, ReadableDatabase, WriteTransaction};
use std::ops::Deref;
use std::sync::Arc;

use super::{Store, StoreError};
use crate::seal::DataKey;

/// Whether personal record values are sealed in this database, and with which key.
#[derive(Clone)]
pub enum Sealing {
    /// No data key was ever made for this database: values are written in clear, as before
    /// sealing existed (a database not yet migrated).
    Clear,
    /// Values are sealed, and the data key is not in memory: personal records can be neither
    /// read nor written until a user with a key slot logs in.
    Locked,
    /// Values are sealed with this key, held in memory only.
    Open(Arc<DataKey>),
}

impl Sealing {
    pub fn is_locked(&self) -> bool {
        matches!(self, Sealing::Locked)
    }
}

/// A write transaction of the store. It reads as the redb transaction it wraps.
pub struct Write {
    txn: WriteTransaction,
    sealing: Sealing,
}

impl Deref for Write {
    type Target = WriteTransaction;
    fn deref(&self) -> &WriteTransaction {
        &self.txn
    }
}

impl Write {
    pub fn sealing(&self) -> &Sealing {
        &self.sealing
    }

    /// A transaction taken on the database as it is opened (migrations): sealed values, if
    /// any, are locked, since no key is in memory yet.
    pub(super) fn at_open(txn: WriteTransaction, sealing: Sealing) -> Write {
        Write { txn, sealing }
    }

    pub fn commit(self) -> Result<(), StoreError> {
        self.txn.commit()?;
        Ok(())
    }

    pub fn abort(self) -> Result<(), StoreError> {
        self.txn.abort()?;
        Ok(())
    }
}

/// A read transaction of the store. It reads as the redb transaction it wraps.
pub struct Read {
    txn: ReadTransaction,
    sealing: Sealing,
}

impl Deref for Read {
    type Target = ReadTransaction;
    fn deref(&self) -> &ReadTransaction {
        &self.txn
    }
}

impl Read {
    pub fn sealing(&self) -> &Sealing {
        &self.sealing
    }
}

impl Store {
    pub(crate) fn begin_write(&self) -> Result<Write, StoreError> {
        Ok(Write {
            txn: self.db.begin_write().map_err(redb::Error::from)?,
            sealing: self.sealing(),
        })
    }

    pub(crate) fn begin_read(&self) -> Result<Read, StoreError> {
        Ok(Read {
            txn: self.db.begin_read().map_err(redb::Error::from)?,
            sealing: self.sealing(),
        })
    }

    /// The sealing state of this moment.
    pub fn sealing(&self) -> Sealing {
        match self.sealing.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}
