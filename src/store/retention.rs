//! Retention: finding records past their term, the saved proposal, and the anonymization.

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use redb::{ReadableMultimapTable, ReadableTable};
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{encode, open_id, seal_id};
use super::tables::*;
use super::{audit, persons, Store, StoreError};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::audit::AuditEvent;
use crate::domain::district::InboxReferral;
use crate::domain::person::Person;
use crate::domain::referral::Referral;
use crate::domain::retention::{
    anonymize_access, anonymize_person, is_due, Proposal, Pseudonyms, ANONYMIZED,
};

impl Store {
    /// Identified persons past the term at `now`, with their last activity, oldest first.
    pub fn retention_due(
        &self,
        now: DateTime<Utc>,
        years: u32,
    ) -> Result<Vec<(Person, DateTime<Utc>)>, StoreError> {
        let txn = self.begin_read()?;
        let persons_t = txn.open_table(PERSONS)?;
        let by_person = txn.open_multimap_table(ACCESSES_BY_PERSON)?;
        let accesses = txn.open_table(ACCESSES)?;
        let mut out = Vec::new();
        for row in persons_t.iter()? {
            let (k, v) = row?;
            let p: Person = open_id(txn.sealing(), PERSONS, k.value(), v.value())?;
            if p.surname == ANONYMIZED && p.code().is_none() {
                continue;
            }
            let mut last = p.updated_at.max(p.created_at);
            for id in by_person.get(p.id.as_u128())? {
                let aid = id?.value();
                if let Some(a) = accesses.get(aid)? {
                    let a: Access = open_id(txn.sealing(), ACCESSES, aid, a.value())?;
                    last = last.max(a.time);
                }
            }
            if is_due(last, now, years) {
                out.push((p, last));
            }
        }
        out.sort_by_key(|(_, last)| *last);
        Ok(out)
    }

    pub fn retention_proposal(&self) -> Result<Option<Proposal>, StoreError> {
        self.get_meta_value("retention_proposal")
    }

    pub fn save_retention_proposal(&self, p: &Proposal, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        txn.open_table(META)?
            .insert("retention_proposal", encode(p)?.as_slice())?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::RetentionPropose, "conservazione").details(format!(
                "{} persone oltre {} anni",
                p.persons.len(),
                p.years
            )),
        )?;
        super::stats::commit(txn)?;
        Ok(())
    }

    /// Anonymizes the persons of an approved proposal, with their accesses, referrals,
    /// appointments and change history, in one transaction; `district_key` gives the Ambito's
    /// pseudonym of a person (when the desk is enrolled), kept for the statistics. Returns
    /// (persons, accesses) changed.
    pub fn anonymize(
        &self,
        ids: &[Uuid],
        district_key: &dyn Fn(&Person) -> Option<String>,
        actor: &str,
    ) -> Result<(usize, usize), StoreError> {
        let now = Utc::now();
        let txn = self.begin_write()?;
        let mut people = 0;
        let mut changed_accesses = 0;
        for id in ids {
            let Ok(before) = persons::get_in(&txn, *id) else {
                continue;
            };
            if before.surname == ANONYMIZED && before.code().is_none() {
                continue;
            }
            persons::unindex_in(&txn, &before)?;
            let after = anonymize_person(&before, now);
            // The desk counted a person with a codice fiscale as one: she still counts once.
            let pseudonyms = Pseudonyms {
                desk: before
                    .codice_fiscale
                    .is_some()
                    .then(|| Uuid::now_v7().simple().to_string()),
                district: district_key(&before),
            };
            txn.open_table(PERSONS)?.insert(
                id.as_u128(),
                seal_id(txn.sealing(), PERSONS, id.as_u128(), &after)?.as_slice(),
            )?;
            // Accesses become anonymous statistical records.
            let access_ids: Vec<u128> = txn
                .open_multimap_table(ACCESSES_BY_PERSON)?
                .remove_all(id.as_u128())?
                .map(|v| v.map(|v| v.value()))
                .collect::<Result<_, _>>()?;
            for aid in access_ids {
                let a: Option<Access> = txn
                    .open_table(ACCESSES)?
                    .get(aid)?
                    .map(|v| open_id(txn.sealing(), ACCESSES, aid, v.value()))
                    .transpose()?;
                if let Some(a) = a {
                    let anon = anonymize_access(&a, &before, &pseudonyms);
                    txn.open_table(ACCESSES)?.insert(
                        aid,
                        seal_id(txn.sealing(), ACCESSES, aid, &anon)?.as_slice(),
                    )?;
                    changelog::record(&txn, "access", a.id, ChangeOp::Upsert)?;
                    changed_accesses += 1;
                }
            }
            // Referrals keep their course, not their words.
            let referral_ids: Vec<u128> = txn
                .open_multimap_table(REFERRALS_BY_PERSON)?
                .get(id.as_u128())?
                .map(|v| v.map(|v| v.value()))
                .collect::<Result<_, _>>()?;
            for rid in referral_ids {
                let r: Option<Referral> = txn
                    .open_table(REFERRALS)?
                    .get(rid)?
                    .map(|v| open_id(txn.sealing(), REFERRALS, rid, v.value()))
                    .transpose()?;
                if let Some(mut r) = r {
                    r.reason = String::new();
                    r.privacy_override = r.privacy_override.map(|_| String::new());
                    for h in &mut r.history {
                        h.note = String::new();
                    }
                    txn.open_table(REFERRALS)?
                        .insert(rid, seal_id(txn.sealing(), REFERRALS, rid, &r)?.as_slice())?;
                    changelog::record(&txn, "referral", r.id, ChangeOp::Upsert)?;
                }
            }
            // Appointments and the change history go.
            let appointment_ids: Vec<u128> = txn
                .open_multimap_table(APPOINTMENTS_BY_PERSON)?
                .remove_all(id.as_u128())?
                .map(|v| v.map(|v| v.value()))
                .collect::<Result<_, _>>()?;
            for ap in appointment_ids {
                let a: Option<Appointment> = txn
                    .open_table(APPOINTMENTS)?
                    .remove(ap)?
                    .map(|v| open_id(txn.sealing(), APPOINTMENTS, ap, v.value()))
                    .transpose()?;
                if let Some(a) = a {
                    txn.open_table(APPOINTMENTS_BY_TIME)?
                        .remove((a.start.timestamp_millis(), ap))?;
                    changelog::record(&txn, "appointment", a.id, ChangeOp::Delete)?;
                }
            }
            {
                let mut history = txn.open_table(PERSON_HISTORY)?;
                let keys: Vec<(u128, u64)> = history
                    .range((id.as_u128(), 0)..=(id.as_u128(), u64::MAX))?
                    .map(|r| r.map(|(k, _)| k.value()))
                    .collect::<Result<_, _>>()?;
                for k in keys {
                    history.remove(k)?;
                }
            }
            changelog::record(&txn, "anonymization", *id, ChangeOp::Upsert)?;
            audit::append(
                &txn,
                AuditEvent::new(actor, Action::RetentionAnonymize, id.to_string()).about(*id),
            )?;
            people += 1;
        }
        txn.open_table(META)?.remove("retention_proposal")?;
        super::stats::commit(txn)?;
        Ok((people, changed_accesses))
    }
}

impl Store {
    /// District: the received cases not yet anonymized whose last activity is past the term
    /// at `now`, oldest first.
    pub fn cases_due(
        &self,
        now: DateTime<Utc>,
        years: u32,
    ) -> Result<Vec<(InboxReferral, DateTime<Utc>)>, StoreError> {
        let mut out: Vec<(InboxReferral, DateTime<Utc>)> = self
            .inbox()?
            .into_iter()
            .filter(|e| !e.is_anonymized())
            .map(|e| {
                let last = e.last_activity();
                (e, last)
            })
            .filter(|(_, last)| is_due(*last, now, years))
            .collect();
        out.sort_by_key(|(_, last)| *last);
        Ok(out)
    }

    /// District: anonymizes the received cases of an approved proposal in one transaction;
    /// returns how many were changed.
    pub fn anonymize_cases(&self, ids: &[Uuid], actor: &str) -> Result<usize, StoreError> {
        let txn = self.begin_write()?;
        let mut done = 0;
        {
            let mut inbox = txn.open_table(INBOX)?;
            for id in ids {
                let held: Option<InboxReferral> = inbox
                    .get(id.as_u128())?
                    .map(|v| open_id(txn.sealing(), INBOX, id.as_u128(), v.value()))
                    .transpose()?;
                let Some(mut e) = held.filter(|e| !e.is_anonymized()) else {
                    continue;
                };
                e.anonymize();
                inbox.insert(
                    id.as_u128(),
                    seal_id(txn.sealing(), INBOX, id.as_u128(), &e)?.as_slice(),
                )?;
                changelog::record(&txn, "inbox", *id, ChangeOp::Upsert)?;
                audit::append(
                    &txn,
                    AuditEvent::new(actor, Action::RetentionAnonymize, id.to_string())
                        .details(format!("caso ricevuto da {}", e.comune_name)),
                )?;
                done += 1;
            }
        }
        txn.open_table(META)?.remove("retention_proposal")?;
        super::stats::commit(txn)?;
        Ok(done)
    }
}
