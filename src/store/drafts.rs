//! Drafts: forms kept for their user when they arrived after the session had expired. Found by
//! the SHA-256 of a random id held in the browser's cookie, and only for the user who typed them.

use chrono::Utc;
use redb::{ReadableMultimapTable, ReadableTable, TableError, TableHandle};
use uuid::Uuid;

use super::codec::{open, seal};
use super::sessions::{key_of, random_secret};
use super::tables::{DRAFTS, DRAFTS_BY_USER};
use super::{audit, Store, StoreError};
use crate::domain::audit::{Action, AuditEvent};
use crate::domain::draft::{Draft, MAX_PER_USER};

impl Store {
    /// Keeps a draft; returns the id for the browser's cookie. The user's stale drafts, and the
    /// oldest beyond the cap, go. Audited without its content.
    pub fn save_draft(&self, draft: &Draft, username: &str) -> Result<String, StoreError> {
        let id = random_secret()?;
        let key = key_of(&id);
        let now = Utc::now();
        let txn = self.begin_write()?;
        {
            let mut drafts = txn.open_table(DRAFTS)?;
            let mut by_user = txn.open_multimap_table(DRAFTS_BY_USER)?;
            let mut mine: Vec<(Vec<u8>, Draft)> = Vec::new();
            for k in by_user.get(draft.user_id.as_u128())? {
                let k = k?.value().to_vec();
                if let Some(v) = drafts.get(k.as_slice())? {
                    mine.push((
                        k.clone(),
                        open(txn.sealing(), DRAFTS.name(), &k, v.value())?,
                    ));
                }
            }
            mine.sort_by_key(|(_, d)| d.created_at);
            let over = (mine.len() + 1).saturating_sub(MAX_PER_USER);
            for (i, (k, d)) in mine.iter().enumerate() {
                if i < over || d.is_stale(now) {
                    drafts.remove(k.as_slice())?;
                    by_user.remove(draft.user_id.as_u128(), k.as_slice())?;
                }
            }
            let sealed = seal(txn.sealing(), DRAFTS.name(), &key, draft)?;
            drafts.insert(key.as_slice(), sealed.as_slice())?;
            by_user.insert(draft.user_id.as_u128(), key.as_slice())?;
        }
        audit::append(
            &txn,
            AuditEvent::new(username, Action::DraftSave, draft.path())
                .details("modulo conservato dopo la scadenza della sessione"),
        )?;
        txn.commit()?;
        Ok(id)
    }

    /// The draft behind a cookie, if it is `user`'s and not stale.
    pub fn draft(&self, id: &str, user: Uuid) -> Result<Option<Draft>, StoreError> {
        let txn = self.begin_read()?;
        let drafts = match txn.open_table(DRAFTS) {
            Ok(t) => t,
            // A database restored from a backup has no drafts until one is kept.
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let key = key_of(id);
        let Some(v) = drafts.get(key.as_slice())? else {
            return Ok(None);
        };
        let d: Draft = open(txn.sealing(), DRAFTS.name(), &key, v.value())?;
        Ok((d.user_id == user && !d.is_stale(Utc::now())).then_some(d))
    }

    /// Removes `user`'s draft (sent again, or discarded). `Ok(false)`: there was none.
    pub fn discard_draft(&self, id: &str, user: Uuid, username: &str) -> Result<bool, StoreError> {
        let key = key_of(id);
        let txn = self.begin_write()?;
        let found = {
            let mut drafts = txn.open_table(DRAFTS)?;
            let owned = match drafts.get(key.as_slice())? {
                Some(v) => {
                    open::<Draft>(txn.sealing(), DRAFTS.name(), &key, v.value())?.user_id == user
                }
                None => false,
            };
            if owned {
                drafts.remove(key.as_slice())?;
                txn.open_multimap_table(DRAFTS_BY_USER)?
                    .remove(user.as_u128(), key.as_slice())?;
            }
            owned
        };
        if found {
            audit::append(
                &txn,
                AuditEvent::new(username, Action::DraftDiscard, "bozza"),
            )?;
        }
        txn.commit()?;
        Ok(found)
    }

    /// Deletes every stale draft; returns how many.
    pub fn purge_stale_drafts(&self) -> Result<usize, StoreError> {
        let now = Utc::now();
        let stale: Vec<(Vec<u8>, Uuid)> = {
            let txn = self.begin_read()?;
            let drafts = match txn.open_table(DRAFTS) {
                Ok(t) => t,
                Err(TableError::TableDoesNotExist(_)) => return Ok(0),
                Err(e) => return Err(e.into()),
            };
            let mut out = Vec::new();
            for row in drafts.iter()? {
                let (k, v) = row?;
                let d: Draft = open(txn.sealing(), DRAFTS.name(), k.value(), v.value())?;
                if d.is_stale(now) {
                    out.push((k.value().to_vec(), d.user_id));
                }
            }
            out
        };
        if !stale.is_empty() {
            let txn = self.begin_write()?;
            {
                let mut drafts = txn.open_table(DRAFTS)?;
                let mut by_user = txn.open_multimap_table(DRAFTS_BY_USER)?;
                for (k, user) in &stale {
                    drafts.remove(k.as_slice())?;
                    by_user.remove(user.as_u128(), k.as_slice())?;
                }
            }
            txn.commit()?;
        }
        Ok(stale.len())
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::draft::Draft;
    use crate::store::test_support::temp_store;
    use chrono::{Duration, Utc};
    use uuid::Uuid;

    #[test]
    fn a_draft_is_found_only_by_its_user_and_not_after_a_day() {
        let (_dir, store) = temp_store();
        let (anna, bruno) = (Uuid::now_v7(), Uuid::now_v7());
        let fields = vec![("notes".to_string(), "Colloquio lungo".to_string())];
        let d = Draft::new(anna, "/accessi/nuovo", fields, Utc::now());
        let id = store.save_draft(&d, "anna").unwrap();
        assert_eq!(store.draft(&id, anna).unwrap(), Some(d.clone()));
        assert_eq!(store.draft(&id, bruno).unwrap(), None);
        assert!(!store.discard_draft(&id, bruno, "bruno").unwrap());
        let old = Draft {
            created_at: Utc::now() - Duration::hours(25),
            ..d.clone()
        };
        let stale = store.save_draft(&old, "anna").unwrap();
        assert_eq!(store.draft(&stale, anna).unwrap(), None);
        assert_eq!(store.purge_stale_drafts().unwrap(), 1);
        assert!(store.discard_draft(&id, anna, "anna").unwrap());
        assert_eq!(store.draft(&id, anna).unwrap(), None);
    }
}
