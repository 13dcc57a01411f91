//! District side of the bundles: applying a desk's bundle in one transaction, the inbox of
//! referrals and the coordinator's decisions, the log of applied bundles.

use crate::domain::audit::Action;
use chrono::Utc;
use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{decode, encode, open_id, seal_id};
use super::tables::{BUNDLE_IMPORTS, DISTRICT_ACCESSES, INBOX, REFERRALS};
use super::{audit, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::district::{
    check_sequence, same_content, AccessRecord, AnonymizationRecord, ImportRecord, InboxReferral,
    ReferralRecord, SequenceCheck, StatusRecord,
};
use crate::domain::hsds::Directory;
use crate::domain::referral::{Referral, ReferralStatus, StatusChange};

/// New keys announced by the sender, adopted in the transaction that applies its bundle (so
/// never by a replay of a bundle applied before): the peers setting to store, encoded, and
/// what the audit says of it.
#[derive(Debug, Clone)]
pub struct KeyAdoption {
    pub setting: &'static str,
    pub encoded: Vec<u8>,
    pub fingerprint: String,
    pub details: String,
}

impl KeyAdoption {
    pub fn new<T: serde::Serialize>(
        setting: &'static str,
        peers: &T,
        fingerprint: String,
        details: String,
    ) -> Result<Self, StoreError> {
        Ok(KeyAdoption {
            setting,
            encoded: encode(peers)?,
            fingerprint,
            details,
        })
    }
}

fn adopt_in(
    txn: &WriteTransaction,
    adoption: Option<&KeyAdoption>,
    actor: &str,
) -> Result<Option<String>, StoreError> {
    let Some(a) = adoption else {
        return Ok(None);
    };
    txn.open_table(super::tables::META)?
        .insert(a.setting, a.encoded.as_slice())?;
    audit::append(
        txn,
        AuditEvent::new(actor, Action::KeysTrust, a.setting).details(a.details.clone()),
    )?;
    Ok(Some(a.fingerprint.clone()))
}

/// A verified bundle from a desk, parsed and ready to apply.
#[derive(Debug, Clone)]
pub struct IncomingDeskBundle {
    pub bundle_id: Uuid,
    pub sequence: u64,
    pub digest: String,
    pub adoption: Option<KeyAdoption>,
    pub source_instance: String,
    pub comune_istat: String,
    pub comune_name: String,
    pub accesses: Vec<AccessRecord>,
    pub referrals: Vec<ReferralRecord>,
    pub anonymizations: Vec<AnonymizationRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Applied(ImportRecord),
    AlreadyApplied(ImportRecord),
}

/// Refuses a gap or a conflicting sequence; `Some` when this very bundle was applied before.
fn sequence_gate(
    txn: &WriteTransaction,
    bundle_id: Uuid,
    digest: &str,
    source: &str,
    sequence: u64,
    source_name: &str,
) -> Result<Option<ImportRecord>, StoreError> {
    let imports = txn.open_table(BUNDLE_IMPORTS)?;
    let mut last = 0;
    let mut seen = None;
    for row in imports.iter()? {
        let (k, v) = row?;
        let rec: ImportRecord = decode(v.value())?;
        if k.value() == bundle_id.as_u128() {
            seen = Some(rec.clone());
        }
        if rec.source_instance == source {
            last = last.max(rec.sequence);
        }
    }
    if seen.as_ref().is_some_and(|s| !same_content(s, digest)) {
        return Err(StoreError::BundleConflict { bundle_id });
    }
    match check_sequence(last, sequence, seen.is_some()) {
        SequenceCheck::AlreadyApplied => Ok(seen),
        SequenceCheck::Gap(missing) => Err(StoreError::SequenceGap {
            missing,
            sequence,
            source_name: source_name.to_string(),
        }),
        SequenceCheck::Conflicting => Err(StoreError::SequenceConflict {
            sequence,
            source_name: source_name.to_string(),
        }),
        SequenceCheck::Apply => Ok(None),
    }
}

/// A verified return bundle from the district, parsed and ready to apply at the desk.
#[derive(Debug, Clone)]
pub struct IncomingReturnBundle {
    pub bundle_id: Uuid,
    pub sequence: u64,
    pub digest: String,
    pub adoption: Option<KeyAdoption>,
    pub source_instance: String,
    pub source_name: String,
    pub statuses: Vec<StatusRecord>,
    pub directory: Option<Directory>,
}

impl Store {
    /// Desk side: applies the district's answers to referrals and its service directory, all of it
    /// or nothing. Desk-local services are kept (the directory adds or replaces by id).
    pub fn apply_return_bundle(
        &self,
        b: &IncomingReturnBundle,
        actor: &str,
    ) -> Result<ImportOutcome, StoreError> {
        let txn = self.begin_write()?;
        if let Some(rec) = sequence_gate(
            &txn,
            b.bundle_id,
            &b.digest,
            &b.source_instance,
            b.sequence,
            &b.source_name,
        )? {
            return Ok(ImportOutcome::AlreadyApplied(rec));
        }
        let mut updated = 0;
        for s in &b.statuses {
            let mut r: Referral = {
                let table = txn.open_table(REFERRALS)?;
                let Some(v) = table.get(s.referral_id.as_u128())? else {
                    continue;
                };
                open_id(txn.sealing(), REFERRALS, s.referral_id.as_u128(), v.value())?
            };
            let before = r.history.len();
            for d in &s.decisions {
                // Every bundle carries the whole list of decisions: skip those already applied.
                let applied = r
                    .history
                    .iter()
                    .any(|h| h.status == d.status && h.at == d.at);
                if applied || r.status == d.status {
                    continue;
                }
                if !r.status.reaches(d.status) {
                    // The district decides; the desk is told that its own status was overruled.
                    r.district_notice = Some(format!(
                        "L'Ambito ha comunicato «{}» mentre qui l'invio risultava «{}»: vale la decisione dell'Ambito.",
                        d.status.label(),
                        r.status.label()
                    ));
                }
                r.status = d.status;
                r.history.push(StatusChange {
                    status: d.status,
                    at: d.at,
                    by: format!("{}{}", d.by, crate::domain::user::DISTRICT_SUFFIX),
                    note: d.note.clone(),
                });
            }
            if r.history.len() != before {
                super::referrals::put(&txn, &r)?;
                updated += 1;
            }
        }
        let (organizations, services) = match &b.directory {
            Some(dir) => {
                for o in &dir.organizations {
                    super::directory::put_organization(&txn, o)?;
                }
                for s in &dir.services {
                    super::directory::put_service(&txn, s)?;
                }
                (dir.organizations.len(), dir.services.len())
            }
            None => (0, 0),
        };
        let rec = ImportRecord {
            bundle_id: b.bundle_id,
            source_instance: b.source_instance.clone(),
            comune_name: b.source_name.clone(),
            sequence: b.sequence,
            at: Utc::now(),
            by: actor.to_string(),
            accesses: 0,
            referrals: updated,
            anonymizations: 0,
            digest: b.digest.clone(),
            adopted_key: adopt_in(&txn, b.adoption.as_ref(), actor)?,
        };
        txn.open_table(BUNDLE_IMPORTS)?
            .insert(b.bundle_id.as_u128(), encode(&rec)?.as_slice())?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::BundleImport, b.bundle_id.to_string()).details(format!(
                "pacchetto di ritorno {} da {}: {updated} invii aggiornati, {organizations} organizzazioni e {services} servizi",
                b.sequence, b.source_name
            )),
        )?;
        super::stats::commit(txn)?;
        Ok(ImportOutcome::Applied(rec))
    }

    /// District side: the answers to a desk's referrals changed after change `after`, and the
    /// last change number looked at.
    pub fn inbox_changes_for(
        &self,
        source_instance: &str,
        after: u64,
    ) -> Result<(Vec<StatusRecord>, u64), StoreError> {
        let changes = self.changes_since(after)?;
        let last = changes.last().map_or(after, |c| c.seq);
        let ids: std::collections::BTreeSet<Uuid> = changes
            .iter()
            .filter(|c| c.kind == "inbox")
            .map(|c| c.id)
            .collect();
        let mut out = Vec::new();
        for id in ids {
            if let Some(e) = self.inbox_referral(id)? {
                if e.source_instance == source_instance {
                    out.push(StatusRecord {
                        referral_id: id,
                        status: e.status,
                        decisions: e.decisions,
                    });
                }
            }
        }
        Ok((out, last))
    }

    /// Applies a desk's bundle, all of it or nothing. A gap or a conflicting sequence is refused
    /// (`SequenceGap`, `SequenceConflict`); a bundle applied before changes nothing.
    pub fn apply_desk_bundle(
        &self,
        b: &IncomingDeskBundle,
        actor: &str,
    ) -> Result<ImportOutcome, StoreError> {
        self.apply_desk_bundle_with(b, b.accesses.iter().cloned().map(Ok), actor)
    }

    /// As [`Store::apply_desk_bundle`], with the access records read one at a time from
    /// `accesses` (instead of `b.accesses`): a record that comes as an error (a bundle's line
    /// that does not parse) refuses the whole bundle.
    pub fn apply_desk_bundle_with(
        &self,
        b: &IncomingDeskBundle,
        accesses: impl Iterator<Item = Result<AccessRecord, StoreError>>,
        actor: &str,
    ) -> Result<ImportOutcome, StoreError> {
        let txn = self.begin_write()?;
        {
            if let Some(rec) = sequence_gate(
                &txn,
                b.bundle_id,
                &b.digest,
                &b.source_instance,
                b.sequence,
                &b.comune_name,
            )? {
                return Ok(ImportOutcome::AlreadyApplied(rec));
            }
            let now = Utc::now();
            // Referrals first: an access they were made from counts as referred.
            super::stats::mark_district_referred(
                &txn,
                b.referrals.iter().map(|r| r.referral.access_id),
            )?;
            let stored = super::stats::put_district_records(
                &txn,
                accesses.map(|a| {
                    a.map(|a| AccessRecord {
                        desk: Some(b.comune_istat.clone()),
                        ..a
                    })
                }),
            )?;
            let mut imports = txn.open_table(BUNDLE_IMPORTS)?;
            let mut inbox = txn.open_table(INBOX)?;
            // Persons the desk anonymized under its retention rule.
            let gone: std::collections::BTreeSet<Uuid> =
                b.anonymizations.iter().map(|a| a.person_id).collect();
            for r in &b.referrals {
                let key = r.referral.id.as_u128();
                let existing: Option<InboxReferral> = match inbox.get(key)? {
                    Some(v) => Some(open_id(txn.sealing(), INBOX, key, v.value())?),
                    None => None,
                };
                let entry = match existing {
                    // The desk's newer copy; the district's own decisions stay.
                    Some(mut e) => {
                        // The desk's anonymization does not reach a case taken in charge: the
                        // district keeps its copy, under its own retention term.
                        if e.taken_in_charge() && gone.contains(&r.person.id) {
                            e.desk_discarded.get_or_insert(now);
                        } else {
                            e.record = r.clone();
                        }
                        e
                    }
                    None => InboxReferral {
                        source_instance: b.source_instance.clone(),
                        comune_istat: b.comune_istat.clone(),
                        comune_name: b.comune_name.clone(),
                        received_at: now,
                        record: r.clone(),
                        status: ReferralStatus::Ricevuto,
                        decisions: vec![StatusChange {
                            status: ReferralStatus::Ricevuto,
                            at: now,
                            by: actor.to_string(),
                            note: format!("pacchetto {} di {}", b.sequence, b.comune_name),
                        }],
                        unlinked: Vec::new(),
                        desk_discarded: None,
                    },
                };
                inbox.insert(key, seal_id(txn.sealing(), INBOX, key, &entry)?.as_slice())?;
                changelog::record(&txn, "inbox", r.referral.id, ChangeOp::Upsert)?;
            }
            if !b.anonymizations.is_empty() {
                let mut changed = Vec::new();
                for row in inbox.iter()? {
                    let (k, v) = row?;
                    let mut e: InboxReferral = open_id(txn.sealing(), INBOX, k.value(), v.value())?;
                    if e.source_instance == b.source_instance && gone.contains(&e.record.person.id)
                    {
                        // A case taken in charge follows the district's own retention.
                        if e.taken_in_charge() {
                            if e.desk_discarded.is_some() {
                                continue;
                            }
                            e.desk_discarded = Some(now);
                        } else {
                            e.anonymize();
                        }
                        changed.push((k.value(), e));
                    }
                }
                for (k, e) in changed {
                    inbox.insert(k, seal_id(txn.sealing(), INBOX, k, &e)?.as_slice())?;
                }
            }
            let rec = ImportRecord {
                bundle_id: b.bundle_id,
                source_instance: b.source_instance.clone(),
                comune_name: b.comune_name.clone(),
                sequence: b.sequence,
                at: now,
                by: actor.to_string(),
                accesses: stored,
                referrals: b.referrals.len(),
                anonymizations: b.anonymizations.len(),
                digest: b.digest.clone(),
                adopted_key: adopt_in(&txn, b.adoption.as_ref(), actor)?,
            };
            imports.insert(b.bundle_id.as_u128(), encode(&rec)?.as_slice())?;
            audit::append(
                &txn,
                AuditEvent::new(actor, Action::BundleImport, b.bundle_id.to_string()).details(
                    format!(
                        "pacchetto {} di {}: {} accessi, {} invii, {} anonimizzazioni",
                        b.sequence, b.comune_name, rec.accesses, rec.referrals, rec.anonymizations
                    ),
                ),
            )?;
            drop((imports, inbox));
            txn.commit()?;
            Ok(ImportOutcome::Applied(rec))
        }
    }

    /// Every bundle applied, newest first.
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(BUNDLE_IMPORTS)?;
        let mut all = table
            .iter()?
            .map(|row| decode::<ImportRecord>(row?.1.value()))
            .collect::<Result<Vec<_>, _>>()?;
        all.sort_by_key(|r| std::cmp::Reverse(r.at));
        Ok(all)
    }

    /// The district's inbox, newest first. Reading it shows personal data: the caller audits.
    pub fn inbox(&self) -> Result<Vec<InboxReferral>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(INBOX)?;
        let mut all = table
            .iter()?
            .map(|row| {
                let (k, v) = row?;
                open_id::<InboxReferral>(txn.sealing(), INBOX, k.value(), v.value())
            })
            .collect::<Result<Vec<_>, _>>()?;
        all.sort_by_key(|r| std::cmp::Reverse(r.received_at));
        Ok(all)
    }

    pub fn inbox_referral(&self, id: Uuid) -> Result<Option<InboxReferral>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(INBOX)?;
        table
            .get(id.as_u128())?
            .map(|v| open_id(txn.sealing(), INBOX, id.as_u128(), v.value()))
            .transpose()
    }

    /// The coordinator accepts, rejects or closes a received referral, with a note.
    pub fn decide_inbox(
        &self,
        id: Uuid,
        to: ReferralStatus,
        note: &str,
        actor: &str,
    ) -> Result<InboxReferral, StoreError> {
        let txn = self.begin_write()?;
        let entry = {
            let mut table = txn.open_table(INBOX)?;
            let mut e: InboxReferral = match table.get(id.as_u128())? {
                Some(v) => open_id(txn.sealing(), INBOX, id.as_u128(), v.value())?,
                None => return Err(StoreError::NotFound("Invio ricevuto")),
            };
            if !e.status.next().contains(&to) {
                return Err(StoreError::IllegalTransition { from: e.status, to });
            }
            e.status = to;
            e.decisions.push(StatusChange {
                status: to,
                at: Utc::now(),
                by: actor.to_string(),
                note: note.trim().chars().take(1000).collect(),
            });
            table.insert(
                id.as_u128(),
                seal_id(txn.sealing(), INBOX, id.as_u128(), &e)?.as_slice(),
            )?;
            e
        };
        changelog::record(&txn, "inbox", id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::InboxStatus, id.to_string()).details(to.code()),
        )?;
        txn.commit()?;
        Ok(entry)
    }

    /// Records that two received referrals with the same codice fiscale are not the same person;
    /// kept across later bundles.
    pub fn unlink_inbox(&self, id: Uuid, other: Uuid, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        {
            let mut table = txn.open_table(INBOX)?;
            for (a, b) in [(id, other), (other, id)] {
                let mut e: InboxReferral = match table.get(a.as_u128())? {
                    Some(v) => open_id(txn.sealing(), INBOX, a.as_u128(), v.value())?,
                    None => return Err(StoreError::NotFound("Invio ricevuto")),
                };
                if !e.unlinked.contains(&b) {
                    e.unlinked.push(b);
                }
                table.insert(
                    a.as_u128(),
                    seal_id(txn.sealing(), INBOX, a.as_u128(), &e)?.as_slice(),
                )?;
            }
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::InboxUnlink, id.to_string()).details(other.to_string()),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// District: every statistical access record received from the desks, one at a time (a
    /// district may hold millions); `referred` when a referral for it is in the inbox, even if
    /// it was sent after the access travelled.
    pub fn for_each_district_access(
        &self,
        mut f: impl FnMut(&AccessRecord),
    ) -> Result<(), StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(DISTRICT_ACCESSES)?;
        for row in table.iter()? {
            let (k, v) = row?;
            f(&open_id(
                txn.sealing(),
                DISTRICT_ACCESSES,
                k.value(),
                v.value(),
            )?);
        }
        Ok(())
    }

    pub fn district_access_count(&self) -> Result<usize, StoreError> {
        let txn = self.begin_read()?;
        Ok(txn.open_table(DISTRICT_ACCESSES)?.len()? as usize)
    }
}
