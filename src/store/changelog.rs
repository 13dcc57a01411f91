//! Append-only change log: one entry per record change, written in the same transaction.
//! Bundles to the district are built from it.

use chrono::{DateTime, Utc};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codec::{decode, encode};
use super::tables::CHANGELOG;
use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOp {
    Upsert,
    Delete,
}

/// "Record `id` of kind `kind` was created, changed or deleted at `time`."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub kind: String,
    pub id: Uuid,
    pub op: ChangeOp,
}

pub(super) fn record(
    txn: &WriteTransaction,
    kind: &str,
    id: Uuid,
    op: ChangeOp,
) -> Result<u64, StoreError> {
    let mut table = txn.open_table(CHANGELOG)?;
    let seq = match table.last()? {
        Some((k, _)) => k.value() + 1,
        None => 1,
    };
    let entry = ChangeEntry {
        seq,
        time: Utc::now(),
        kind: kind.to_string(),
        id,
        op,
    };
    table.insert(seq, encode(&entry)?.as_slice())?;
    Ok(seq)
}

impl Store {
    /// Changes with a sequence number greater than `after`, in order.
    pub fn changes_since(&self, after: u64) -> Result<Vec<ChangeEntry>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(CHANGELOG)?;
        table
            .range(after.saturating_add(1)..)?
            .map(|row| {
                let (_, v) = row?;
                decode(v.value())
            })
            .collect()
    }
}
