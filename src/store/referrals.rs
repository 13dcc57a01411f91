//! Referrals and their status history; the privacy notice record they depend on.

use crate::domain::audit::Action;
use chrono::Utc;
use redb::ReadableTable;
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{open_id, seal_id};
use super::tables::{PERSONS, REFERRALS, REFERRALS_BY_ACCESS, REFERRALS_BY_PERSON};
use super::{audit, persons, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::person::{NoticeGiven, Person};
use crate::domain::referral::{Carried, Referral, ReferralStatus};

pub(super) fn put(txn: &super::Write, r: &Referral) -> Result<(), StoreError> {
    txn.open_table(REFERRALS)?.insert(
        r.id.as_u128(),
        seal_id(txn.sealing(), REFERRALS, r.id.as_u128(), r)?.as_slice(),
    )?;
    changelog::record(txn, "referral", r.id, ChangeOp::Upsert)?;
    Ok(())
}

impl Store {
    /// Stores a new referral; a privacy override is audited on its own line.
    pub fn create_referral(&self, r: &Referral, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put(&txn, r)?;
        txn.open_multimap_table(REFERRALS_BY_ACCESS)?
            .insert(r.access_id.as_u128(), r.id.as_u128())?;
        txn.open_multimap_table(REFERRALS_BY_PERSON)?
            .insert(r.person_id.as_u128(), r.id.as_u128())?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::ReferralCreate, r.id.to_string())
                .details(format!(
                    "{} → {} ({})",
                    r.person_id,
                    r.target_name,
                    r.status.code()
                ))
                .about(r.person_id),
        )?;
        if r.privacy_override.is_some() {
            // The reason is kept in the referral; the audit says that it was given.
            audit::append(
                &txn,
                AuditEvent::new(actor, Action::ReferralPrivacyOverride, r.id.to_string())
                    .details("motivo registrato nell'invio")
                    .about(r.person_id),
            )?;
        }
        super::stats::commit(txn)?;
        Ok(())
    }

    /// Stores many referrals in one transaction (benchmark data), audited as one event.
    pub fn bulk_insert_referrals(
        &self,
        referrals: &[Referral],
        actor: &str,
        what: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        for r in referrals {
            put(&txn, r)?;
            txn.open_multimap_table(REFERRALS_BY_ACCESS)?
                .insert(r.access_id.as_u128(), r.id.as_u128())?;
            txn.open_multimap_table(REFERRALS_BY_PERSON)?
                .insert(r.person_id.as_u128(), r.id.as_u128())?;
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::BulkInsert, what)
                .details(format!("{} invii", referrals.len())),
        )?;
        super::stats::commit(txn)?;
        Ok(())
    }

    /// Moves a referral one step along its lifecycle. `Err(IllegalTransition)` names a step that is not one.
    pub fn advance_referral(
        &self,
        id: Uuid,
        to: ReferralStatus,
        note: &str,
        privacy_override: Option<&str>,
        actor: &str,
    ) -> Result<Referral, StoreError> {
        let txn = self.begin_write()?;
        let mut r: Referral = {
            let table = txn.open_table(REFERRALS)?;
            let v = table
                .get(id.as_u128())?
                .ok_or(StoreError::NotFound("Invio"))?;
            open_id(txn.sealing(), REFERRALS, id.as_u128(), v.value())?
        };
        r.advance(to, actor, note, Utc::now())
            .map_err(|e| StoreError::IllegalTransition {
                from: e.from,
                to: e.to,
            })?;
        if let Some(reason) = privacy_override {
            r.privacy_override = Some(reason.trim().chars().take(500).collect());
            // The reason is kept in the referral; the audit says that it was given.
            audit::append(
                &txn,
                AuditEvent::new(actor, Action::ReferralPrivacyOverride, id.to_string())
                    .details("motivo registrato nell'invio")
                    .about(r.person_id),
            )?;
        }
        put(&txn, &r)?;
        // Free-text notes stay in the referral's history, not in the append-only audit.
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::ReferralStatus, id.to_string())
                .details(to.code())
                .about(r.person_id),
        )?;
        super::stats::commit(txn)?;
        Ok(r)
    }

    /// Records a delivered export in one transaction: the bundle state moves on (`state` under
    /// the setting `state_key`) and each referral the bundle carried for the first time is
    /// marked with it. The mark is the desk's own bookkeeping, not a change for the next bundle.
    pub fn record_export<T: serde::Serialize>(
        &self,
        state_key: &str,
        state: &T,
        carried: &[Uuid],
        bundle: Carried,
        actor: &str,
        details: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        super::meta::put(&txn, state_key, state)?;
        {
            let mut table = txn.open_table(REFERRALS)?;
            for id in carried {
                let mut r: Referral = match table.get(id.as_u128())? {
                    Some(v) => open_id(txn.sealing(), REFERRALS, id.as_u128(), v.value())?,
                    None => continue,
                };
                if r.carried.is_none() {
                    r.carried = Some(bundle);
                    table.insert(
                        id.as_u128(),
                        seal_id(txn.sealing(), REFERRALS, id.as_u128(), &r)?.as_slice(),
                    )?;
                }
            }
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::BundleExport, state_key).details(details),
        )?;
        txn.commit()?;
        Ok(())
    }

    pub fn referral(&self, id: Uuid) -> Result<Option<Referral>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(REFERRALS)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(txn.sealing(), REFERRALS, id.as_u128(), v.value()))
            .transpose()
    }

    /// Every referral, newest first.
    pub fn referrals(&self) -> Result<Vec<Referral>, StoreError> {
        self.snapshot()?.referrals()
    }

    pub fn referrals_of_access(&self, access: Uuid) -> Result<Vec<Referral>, StoreError> {
        self.snapshot()?.referrals_of_access(access)
    }

    pub fn referrals_of_person(&self, person: Uuid) -> Result<Vec<Referral>, StoreError> {
        self.snapshot()?.referrals_of_person(person)
    }

    /// Records that the privacy notice was given to a person.
    pub fn record_privacy_notice(
        &self,
        person: Uuid,
        notice: NoticeGiven,
        actor: &str,
    ) -> Result<Person, StoreError> {
        let txn = self.begin_write()?;
        let mut p = persons::get_in(&txn, person)?;
        let details = format!(
            "versione {}, {}, {}",
            notice.version,
            notice.method_label(),
            notice.date.format("%d/%m/%Y")
        );
        p.privacy_notice = Some(notice);
        txn.open_table(PERSONS)?.insert(
            person.as_u128(),
            seal_id(txn.sealing(), PERSONS, person.as_u128(), &p)?.as_slice(),
        )?;
        changelog::record(&txn, "person", person, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::PersonPrivacyNotice, person.to_string())
                .details(details)
                .about(person),
        )?;
        super::stats::commit(txn)?;
        Ok(p)
    }
}

impl Store {
    /// Changes a person's privacy state (consents, restriction) in one transaction, audited.
    pub fn modify_person_privacy<F>(
        &self,
        id: Uuid,
        actor: &str,
        action: Action,
        details: &str,
        change: F,
    ) -> Result<Person, StoreError>
    where
        F: FnOnce(&mut Person) -> Result<(), StoreError>,
    {
        let txn = self.begin_write()?;
        let mut p = persons::get_in(&txn, id)?;
        change(&mut p)?;
        txn.open_table(PERSONS)?.insert(
            id.as_u128(),
            seal_id(txn.sealing(), PERSONS, id.as_u128(), &p)?.as_slice(),
        )?;
        changelog::record(&txn, "person", id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, action, id.to_string())
                .details(details)
                .about(id),
        )?;
        super::stats::commit(txn)?;
        Ok(p)
    }
}
