//! The maintained statistics: counters and distinct-person sets changed in the same write
//! transaction as the records they count (the rules are in `stats::aggregate`).
//!
//! Desk: every write that records a change of an access, a person or a referral commits through
//! [`commit`], which refreshes the statistical record of each access concerned (kept in
//! `STAT_RECORDS`, so that a change takes away exactly what was counted). District: the import
//! of a desk's bundle counts its records itself.

use std::collections::BTreeSet;

use redb::{ReadableMultimapTable, ReadableTable};
use uuid::Uuid;

use super::changelog::ChangeEntry;
use super::codec::{decode, encode, open_id, seal_id};
use super::tables::*;
use super::{audit, Store, StoreError};
use crate::domain::access::Access;
use crate::domain::audit::{Action, AuditEvent};
use crate::domain::district::{AccessRecord, InboxReferral};
use crate::domain::person::Person;
use crate::domain::referral::{Referral, Target};
use crate::stats::aggregate::{CountKey, Delta, Presence};

/// The last change-log entry whose effect the statistics hold.
const CURSOR: &str = "stats_cursor";
/// A delta is applied in parts of this many records, so that a rebuild or a large import keeps
/// its memory bounded.
const PART: usize = 50_000;

/// Commits `txn` once the statistics hold the desk's changes recorded in it.
pub(super) fn commit(txn: super::Write) -> Result<(), StoreError> {
    settle(&txn)?;
    txn.commit()?;
    Ok(())
}

fn cursor(txn: &super::Write) -> Result<u64, StoreError> {
    let meta = txn.open_table(META)?;
    let v = meta.get(CURSOR)?;
    Ok(v.map(|v| decode::<u64>(v.value()))
        .transpose()?
        .unwrap_or(0))
}

fn set_cursor(txn: &super::Write, seq: u64) -> Result<(), StoreError> {
    super::meta::put(txn, CURSOR, &seq)
}

/// Refreshes the statistical record of every access changed since the cursor: directly, through
/// its person, or through a referral made from it.
fn settle(txn: &super::Write) -> Result<(), StoreError> {
    let from = cursor(txn)?;
    let mut accesses = BTreeSet::new();
    let mut persons: BTreeSet<u128> = BTreeSet::new();
    let mut referrals = BTreeSet::new();
    let last = {
        let log = txn.open_table(CHANGELOG)?;
        let last = log.last()?.map_or(0, |(k, _)| k.value());
        if last <= from {
            return Ok(());
        }
        for row in log.range(from + 1..)? {
            let e: ChangeEntry = decode(row?.1.value())?;
            match e.kind.as_str() {
                "access" => accesses.insert(e.id.as_u128()),
                "person" => persons.insert(e.id.as_u128()),
                "referral" => referrals.insert(e.id.as_u128()),
                _ => false,
            };
        }
        last
    };
    {
        let by_person = txn.open_multimap_table(ACCESSES_BY_PERSON)?;
        for p in persons {
            for a in by_person.get(p)? {
                accesses.insert(a?.value());
            }
        }
        let table = txn.open_table(REFERRALS)?;
        for r in referrals {
            if let Some(v) = table.get(r)? {
                accesses.insert(
                    open_id::<Referral>(txn.sealing(), REFERRALS, r, v.value())?
                        .access_id
                        .as_u128(),
                );
            }
        }
    }
    let mut delta = Delta::default();
    for id in accesses {
        refresh(txn, id, &mut delta)?;
        if delta.len() >= PART {
            apply(txn, std::mem::take(&mut delta))?;
        }
    }
    apply(txn, delta)?;
    set_cursor(txn, last)
}

/// The statistical record of an access as the desk's records say now.
fn desk_record(txn: &super::Write, id: u128) -> Result<Option<AccessRecord>, StoreError> {
    let access: Access = match txn.open_table(ACCESSES)?.get(id)? {
        Some(v) => open_id(txn.sealing(), ACCESSES, id, v.value())?,
        None => return Ok(None),
    };
    let person: Option<Person> = match access.person_id {
        Some(pid) => txn
            .open_table(PERSONS)?
            .get(pid.as_u128())?
            .map(|v| open_id(txn.sealing(), PERSONS, pid.as_u128(), v.value()))
            .transpose()?,
        None => None,
    };
    let mut referred = false;
    {
        let by_access = txn.open_multimap_table(REFERRALS_BY_ACCESS)?;
        let table = txn.open_table(REFERRALS)?;
        for rid in by_access.get(id)? {
            let rid = rid?.value();
            if let Some(v) = table.get(rid)? {
                let r: Referral = open_id(txn.sealing(), REFERRALS, rid, v.value())?;
                referred |= r.target == Target::Ssp && r.was_sent();
            }
        }
    }
    Ok(AccessRecord::at_desk(access, person.as_ref(), referred))
}

/// Counts the access's record as it is now instead of as it was counted.
fn refresh(txn: &super::Write, id: u128, delta: &mut Delta) -> Result<(), StoreError> {
    let new = desk_record(txn, id)?;
    let mut table = txn.open_table(STAT_RECORDS)?;
    let old: Option<AccessRecord> = table
        .get(id)?
        .map(|v| open_id(txn.sealing(), STAT_RECORDS, id, v.value()))
        .transpose()?;
    if old == new {
        return Ok(());
    }
    if let Some(o) = &old {
        delta.remove(o);
    }
    match &new {
        Some(n) => {
            delta.add(n);
            table.insert(id, seal_id(txn.sealing(), STAT_RECORDS, id, n)?.as_slice())?;
        }
        None => {
            table.remove(id)?;
        }
    }
    Ok(())
}

/// Applies a delta to the counters and the distinct-person sets.
fn apply(txn: &super::Write, delta: Delta) -> Result<(), StoreError> {
    let Delta {
        mut counts,
        presence,
        ..
    } = delta;
    {
        let mut table = txn.open_table(STAT_PRESENCE)?;
        let mut keys: Vec<_> = presence.into_iter().collect();
        keys.sort_unstable_by_key(|k| k.0);
        for (key, changes) in keys {
            let mut p: Presence = table
                .get(&key[..])?
                .map(|v| decode(v.value()))
                .transpose()?
                .unwrap_or_default();
            for (scope, m, sign) in changes {
                p.change(&scope, m, sign, &mut counts);
            }
            if p.is_empty() {
                table.remove(&key[..])?;
            } else {
                table.insert(&key[..], encode(&p)?.as_slice())?;
            }
        }
    }
    let mut table = txn.open_table(STAT_COUNTS)?;
    let mut rows: Vec<_> = counts.into_iter().filter(|(_, n)| *n != 0).collect();
    rows.sort_unstable();
    for ((s, p, d, v), n) in rows {
        let key = (s.as_str(), p.as_str(), d.as_str(), v.as_str());
        let current = table.get(key)?.map_or(0, |g| g.value());
        let next = current.saturating_add_signed(n);
        if n < 0 && current < n.unsigned_abs() {
            tracing::warn!(
                scope = s,
                period = p,
                dim = d,
                value = v,
                "contatore sotto zero"
            );
        }
        if next == 0 {
            table.remove(key)?;
        } else {
            table.insert(key, next)?;
        }
    }
    Ok(())
}

/// District: stores the records of a desk's bundle (new ones, or newer copies of records sent
/// before) and counts them; `referred` when a received referral was made from the access.
/// Returns how many were stored; a record that comes as an error stops it all.
pub(super) fn put_district_records(
    txn: &super::Write,
    records: impl Iterator<Item = Result<AccessRecord, StoreError>>,
) -> Result<usize, StoreError> {
    let mut delta = Delta::default();
    let mut stored = 0;
    {
        let referred = txn.open_table(DISTRICT_REFERRED)?;
        let mut table = txn.open_table(DISTRICT_ACCESSES)?;
        for r in records {
            let mut r = r?;
            stored += 1;
            r.referred = referred.get(r.id.as_u128())?.is_some();
            let old = table
                .insert(
                    r.id.as_u128(),
                    seal_id(txn.sealing(), DISTRICT_ACCESSES, r.id.as_u128(), &r)?.as_slice(),
                )?
                .map(|v| open_id(txn.sealing(), DISTRICT_ACCESSES, r.id.as_u128(), v.value()))
                .transpose()?;
            if let Some(o) = &old {
                delta.remove(o);
            }
            delta.add(&r);
            if delta.len() >= PART {
                apply(txn, std::mem::take(&mut delta))?;
            }
        }
    }
    apply(txn, delta)?;
    Ok(stored)
}

/// District: a referral was received for these accesses; those already held now count as
/// referred (those still to come will, when they arrive).
pub(super) fn mark_district_referred(
    txn: &super::Write,
    accesses: impl Iterator<Item = Uuid>,
) -> Result<(), StoreError> {
    let mut delta = Delta::default();
    {
        let mut referred = txn.open_table(DISTRICT_REFERRED)?;
        let mut table = txn.open_table(DISTRICT_ACCESSES)?;
        for id in accesses {
            referred.insert(id.as_u128(), ())?;
            let held: Option<AccessRecord> = table
                .get(id.as_u128())?
                .map(|v| open_id(txn.sealing(), DISTRICT_ACCESSES, id.as_u128(), v.value()))
                .transpose()?;
            if let Some(mut r) = held.filter(|r| !r.referred) {
                delta.remove(&r);
                r.referred = true;
                delta.add(&r);
                table.insert(
                    id.as_u128(),
                    seal_id(txn.sealing(), DISTRICT_ACCESSES, id.as_u128(), &r)?.as_slice(),
                )?;
            }
        }
    }
    apply(txn, delta)
}

/// Recounts every statistic from the records, in `txn`. Returns the records counted.
pub(super) fn rebuild_in(txn: &super::Write) -> Result<u64, StoreError> {
    txn.delete_table(STAT_COUNTS)?;
    txn.delete_table(STAT_PRESENCE)?;
    txn.delete_table(STAT_RECORDS)?;
    txn.delete_table(DISTRICT_REFERRED)?;
    txn.open_table(STAT_COUNTS)?;
    txn.open_table(STAT_PRESENCE)?;
    txn.open_table(STAT_RECORDS)?;
    // District: which accesses were referred, from the inbox itself.
    let referred: BTreeSet<u128> = {
        let inbox = txn.open_table(INBOX)?;
        let mut ids = BTreeSet::new();
        for row in inbox.iter()? {
            let (k, v) = row?;
            let e: InboxReferral = open_id(txn.sealing(), INBOX, k.value(), v.value())?;
            ids.insert(e.record.referral.access_id.as_u128());
        }
        ids
    };
    {
        let mut t = txn.open_table(DISTRICT_REFERRED)?;
        for id in &referred {
            t.insert(*id, ())?;
        }
    }
    let mut counted = 0u64;
    let mut delta = Delta::default();
    let mut after: Option<u128> = None;
    loop {
        // In parts: the table is rewritten while it is read.
        let part: Vec<AccessRecord> = {
            let table = txn.open_table(DISTRICT_ACCESSES)?;
            let rows = match after {
                Some(a) => table.range(a.saturating_add(1)..)?,
                None => table.range(0..)?,
            };
            rows.take(PART)
                .map(|row| {
                    let (k, v) = row?;
                    open_id(txn.sealing(), DISTRICT_ACCESSES, k.value(), v.value())
                })
                .collect::<Result<_, StoreError>>()?
        };
        let Some(last) = part.last().map(|r| r.id.as_u128()) else {
            break;
        };
        let mut table = txn.open_table(DISTRICT_ACCESSES)?;
        for mut r in part {
            let was = referred.contains(&r.id.as_u128());
            if r.referred != was {
                r.referred = was;
                table.insert(
                    r.id.as_u128(),
                    seal_id(txn.sealing(), DISTRICT_ACCESSES, r.id.as_u128(), &r)?.as_slice(),
                )?;
            }
            delta.add(&r);
            counted += 1;
        }
        drop(table);
        apply(txn, std::mem::take(&mut delta))?;
        if last == u128::MAX {
            break;
        }
        after = Some(last);
    }
    // Desk: each access's record from the live data.
    let mut after: Option<u128> = None;
    loop {
        let ids: Vec<u128> = {
            let table = txn.open_table(ACCESSES)?;
            let rows = match after {
                Some(a) => table.range(a.saturating_add(1)..)?,
                None => table.range(0..)?,
            };
            rows.take(PART)
                .map(|row| Ok(row?.0.value()))
                .collect::<Result<_, StoreError>>()?
        };
        let Some(&last) = ids.last() else { break };
        for id in ids {
            refresh(txn, id, &mut delta)?;
            counted += 1;
        }
        apply(txn, std::mem::take(&mut delta))?;
        if last == u128::MAX {
            break;
        }
        after = Some(last);
    }
    let last = txn
        .open_table(CHANGELOG)?
        .last()?
        .map_or(0, |(k, _)| k.value());
    set_cursor(txn, last)?;
    Ok(counted)
}

fn all_counters(
    txn: &super::Write,
) -> Result<std::collections::HashMap<CountKey, u64>, StoreError> {
    let table = txn.open_table(STAT_COUNTS)?;
    let mut out = std::collections::HashMap::new();
    for row in table.iter()? {
        let (k, v) = row?;
        let (a, b, c, d) = k.value();
        out.insert((a.into(), b.into(), c.into(), d.into()), v.value());
    }
    Ok(out)
}

/// What a recount found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuilt {
    pub records: u64,
    pub counters: usize,
    /// Counters whose value the recount changed (0 when the maintained ones were right).
    pub differed: usize,
}

/// Reports read from the counters, with the scopes and years that hold data.
#[derive(Debug, Clone, Default)]
pub struct StatReports {
    /// One per period asked, in order.
    pub reports: Vec<crate::stats::Report>,
    pub scopes: Vec<String>,
    /// Years with data, newest first.
    pub years: Vec<i32>,
}

/// The counters of some months, with the scopes and years that hold data.
#[derive(Debug, Clone, Default)]
pub struct StatCounters {
    /// (scope, period, dimension, value, count).
    pub rows: Vec<(String, String, String, String, u64)>,
    /// Every scope with data: `""` at the desk; the desks' ISTAT codes and
    /// [`crate::stats::aggregate::WHOLE`] at the district.
    pub scopes: Vec<String>,
    /// Years with data, newest first.
    pub years: Vec<i32>,
}

impl Store {
    /// Recounts every statistic from the records (to check them, or after a repair), audited.
    pub fn rebuild_stats(&self, actor: &str) -> Result<Rebuilt, StoreError> {
        let txn = self.begin_write()?;
        let before = all_counters(&txn)?;
        let records = rebuild_in(&txn)?;
        let after = all_counters(&txn)?;
        let differed = before
            .iter()
            .filter(|(k, v)| after.get(*k) != Some(*v))
            .count()
            + after.keys().filter(|k| !before.contains_key(*k)).count();
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::StatsRebuild, "statistiche").details(format!(
                "{records} accessi ricontati, {differed} contatori corretti"
            )),
        )?;
        txn.commit()?;
        Ok(Rebuilt {
            records,
            counters: after.len(),
            differed,
        })
    }

    /// The scopes with counters and the years with data (newest first): a skip-scan, one seek
    /// per scope and per year, however many counters there are.
    fn scopes_and_years(
        table: &impl ReadableTable<(&'static str, &'static str, &'static str, &'static str), u64>,
    ) -> Result<(Vec<String>, Vec<i32>), StoreError> {
        let mut scopes = Vec::new();
        let mut next = String::new();
        while let Some(row) = table.range((next.as_str(), "", "", "")..)?.next() {
            let s = row?.0.value().0.to_string();
            next = format!("{s}\u{0}");
            scopes.push(s);
        }
        let mut years = BTreeSet::new();
        for s in &scopes {
            let mut from = String::new();
            loop {
                let Some(row) = table.range((s.as_str(), from.as_str(), "", "")..)?.next() else {
                    break;
                };
                let (key, _) = row?;
                let (rs, period, _, _) = key.value();
                if rs != s {
                    break;
                }
                let Some(y) = period.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
                    break;
                };
                years.insert(y);
                from = format!("{:04}", y + 1);
            }
        }
        Ok((scopes, years.into_iter().rev().collect()))
    }

    /// Calls `f` with every counter of the months `from`–`to` (`YYYY-MM`) and of their years,
    /// for `scope` (`None`: every scope), in one read; returns the scopes and years with data.
    fn for_each_counter(
        &self,
        scope: Option<&str>,
        from: &str,
        to: &str,
        mut f: impl FnMut(&str, &str, &str, &str, u64),
    ) -> Result<(Vec<String>, Vec<i32>), StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(STAT_COUNTS)?;
        let (scopes, years) = Self::scopes_and_years(&table)?;
        // From the year of `from` (its `YYYY` key sorts before its months) to the end of `to`.
        let lo = from.get(..4).unwrap_or(from);
        let hi = format!("{to}\u{10ffff}");
        for s in scopes
            .iter()
            .filter(|s| scope.is_none_or(|w| w == s.as_str()))
        {
            for row in table.range((s.as_str(), lo, "", "")..(s.as_str(), hi.as_str(), "", ""))? {
                let (k, v) = row?;
                let (a, b, c, d) = k.value();
                f(a, b, c, d, v.value());
            }
        }
        Ok((scopes, years))
    }

    /// The counters of the months `from`–`to` (`YYYY-MM`) and of their years, for `scope`
    /// (`None`: every scope), in one read.
    pub fn stat_counters(
        &self,
        scope: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<StatCounters, StoreError> {
        let mut rows = Vec::new();
        let (scopes, years) = self.for_each_counter(scope, from, to, |a, b, c, d, n| {
            rows.push((a.into(), b.into(), c.into(), d.into(), n));
        })?;
        Ok(StatCounters {
            rows,
            scopes,
            years,
        })
    }

    /// The reports of `periods` from the counters of `scope` (`None`: every scope), the distinct
    /// and new persons from `people` (a desk's scope, or [`crate::stats::aggregate::WHOLE`]): what `/statistiche` shows.
    pub fn stat_reports(
        &self,
        scope: Option<&str>,
        people: &str,
        dimensions: &[crate::stats::Dimension],
        periods: &[crate::stats::Period],
    ) -> Result<StatReports, StoreError> {
        let (Some(from), Some(to)) = (
            periods.iter().map(|p| p.from).min(),
            periods.iter().map(|p| p.to).max(),
        ) else {
            return Ok(StatReports::default());
        };
        let mut tallies: Vec<crate::stats::aggregate::Tally> = periods
            .iter()
            .map(|p| crate::stats::aggregate::Tally::new(*p, dimensions, people))
            .collect();
        // Each counter straight into every tally: nothing copied.
        let (scopes, years) =
            self.for_each_counter(scope, &from.key(), &to.key(), |s, p, d, v, n| {
                for t in &mut tallies {
                    t.add(s, p, d, v, n);
                }
            })?;
        Ok(StatReports {
            reports: tallies.into_iter().map(|t| t.finish()).collect(),
            scopes,
            years,
        })
    }

    /// The desk's statistical records, as its statistics count them (for a recount).
    pub fn desk_stat_records(&self) -> Result<Vec<AccessRecord>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(STAT_RECORDS)?;
        table
            .iter()?
            .map(|row| {
                let (k, v) = row?;
                open_id(txn.sealing(), STAT_RECORDS, k.value(), v.value())
            })
            .collect()
    }
}
