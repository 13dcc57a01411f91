//! Oversight notices: changes every responsabile is shown until one acknowledges them. Kept in
//! the meta table (small, and in every backup), written in the transaction of the change itself.

use crate::domain::audit::Action;
use chrono::Utc;
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::codec::decode;
use super::tables::META;
use super::{audit, meta, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::user::OversightNotice;

const KEY: &str = "oversight_notices";
/// Acknowledged notices kept for reference; older ones are dropped (the audit keeps them all).
const KEEP_ACKNOWLEDGED: usize = 100;

fn all_in(txn: &WriteTransaction) -> Result<Vec<OversightNotice>, StoreError> {
    let table = txn.open_table(META)?;
    let value = table.get(KEY)?;
    value.map_or(Ok(Vec::new()), |v| decode(v.value()))
}

/// Adds a notice inside the transaction of the change it is about.
pub(super) fn raise_in(txn: &WriteTransaction, notice: &OversightNotice) -> Result<(), StoreError> {
    let mut all = all_in(txn)?;
    all.push(notice.clone());
    meta::put(txn, KEY, &all)
}

impl Store {
    /// The notices no responsabile has acknowledged yet, oldest first.
    pub fn open_oversight_notices(&self) -> Result<Vec<OversightNotice>, StoreError> {
        let all: Vec<OversightNotice> = self.get_meta_value(KEY)?.unwrap_or_default();
        Ok(all
            .into_iter()
            .filter(|n| n.acknowledged.is_none())
            .collect())
    }

    /// Marks a notice as seen by `actor` (audited).
    pub fn acknowledge_oversight(&self, id: Uuid, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        let mut all = all_in(&txn)?;
        let notice = all
            .iter_mut()
            .find(|n| n.id == id && n.acknowledged.is_none())
            .ok_or(StoreError::NotFound("Avviso"))?;
        notice.acknowledged = Some((actor.to_string(), Utc::now()));
        let subject = notice.user.clone();
        let what = notice.what.clone();
        let acknowledged = all.iter().filter(|n| n.acknowledged.is_some()).count();
        if acknowledged > KEEP_ACKNOWLEDGED {
            let mut drop = acknowledged - KEEP_ACKNOWLEDGED;
            all.retain(|n| {
                let old = n.acknowledged.is_some() && drop > 0;
                if old {
                    drop -= 1;
                }
                !old
            });
        }
        meta::put(&txn, KEY, &all)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::OversightAcknowledge, subject).details(what),
        )?;
        txn.commit()?;
        Ok(())
    }
}
