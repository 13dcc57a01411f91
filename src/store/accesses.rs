//! Accesses and appointments, with the person index and the by-time indexes (day lists, agenda).

use crate::domain::audit::Action;
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{open_id, seal_id};
use super::tables::{
    ACCESSES, ACCESSES_BY_PERSON, ACCESSES_BY_TIME, APPOINTMENTS, APPOINTMENTS_BY_PERSON,
    APPOINTMENTS_BY_TIME, PERSONS,
};
use super::{audit, persons, Store, StoreError};
use crate::domain::access::Access;
use crate::domain::appointment::Appointment;
use crate::domain::audit::AuditEvent;
use crate::domain::person::Person;

fn put_appointment(txn: &super::Write, a: &Appointment) -> Result<(), StoreError> {
    txn.open_table(APPOINTMENTS)?.insert(
        a.id.as_u128(),
        seal_id(txn.sealing(), APPOINTMENTS, a.id.as_u128(), a)?.as_slice(),
    )?;
    txn.open_table(APPOINTMENTS_BY_TIME)?
        .insert((a.start.timestamp_millis(), a.id.as_u128()), ())?;
    txn.open_multimap_table(APPOINTMENTS_BY_PERSON)?
        .insert(a.person_id.as_u128(), a.id.as_u128())?;
    changelog::record(txn, "appointment", a.id, ChangeOp::Upsert)?;
    Ok(())
}

impl Store {
    /// Records an access — with a person registered at the same moment and a follow-up
    /// appointment, when given — all in one transaction.
    pub fn create_access(
        &self,
        access: &Access,
        new_person: Option<&Person>,
        appointment: Option<&Appointment>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        if let Some(p) = new_person {
            persons::insert_in(&txn, p, actor)?;
        }
        if let Some(pid) = access.person_id {
            if txn.open_table(PERSONS)?.get(pid.as_u128())?.is_none() {
                return Err(StoreError::NotFound("Persona"));
            }
            txn.open_multimap_table(ACCESSES_BY_PERSON)?
                .insert(pid.as_u128(), access.id.as_u128())?;
        }
        txn.open_table(ACCESSES)?.insert(
            access.id.as_u128(),
            seal_id(txn.sealing(), ACCESSES, access.id.as_u128(), access)?.as_slice(),
        )?;
        txn.open_table(ACCESSES_BY_TIME)?
            .insert((access.time.timestamp_millis(), access.id.as_u128()), ())?;
        changelog::record(&txn, "access", access.id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::AccessCreate, access.id.to_string())
                .details(
                    access
                        .person_id
                        .map_or_else(|| "anonimo".to_string(), |p| format!("persona {p}")),
                )
                .about_all(access.person_id),
        )?;
        if let Some(a) = appointment {
            put_appointment(&txn, a)?;
            audit::append(
                &txn,
                AuditEvent::new(actor, Action::AppointmentCreate, a.id.to_string())
                    .details(format!("persona {}", a.person_id))
                    .about(a.person_id),
            )?;
        }
        super::stats::commit(txn)?;
        Ok(())
    }

    pub fn access(&self, id: Uuid) -> Result<Option<Access>, StoreError> {
        self.snapshot()?.access(id)
    }

    /// Accesses of a person, newest first.
    pub fn accesses_of(&self, person: Uuid) -> Result<Vec<Access>, StoreError> {
        self.snapshot()?.accesses_of(person)
    }

    /// Accesses with `from <= time < to`, oldest first.
    pub fn accesses_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Access>, StoreError> {
        self.snapshot()?.accesses_between(from, to)
    }

    pub fn create_appointment(&self, a: &Appointment, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        if txn
            .open_table(PERSONS)?
            .get(a.person_id.as_u128())?
            .is_none()
        {
            return Err(StoreError::NotFound("Persona"));
        }
        put_appointment(&txn, a)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::AppointmentCreate, a.id.to_string())
                .details(format!("persona {}", a.person_id))
                .about(a.person_id),
        )?;
        super::stats::commit(txn)?;
        Ok(())
    }

    /// Reads an appointment inside the write transaction, lets `change` apply a step and say
    /// what it did (the audit's details), then stores it; a new start moves the time index.
    pub fn modify_appointment<F>(
        &self,
        id: Uuid,
        actor: &str,
        action: Action,
        change: F,
    ) -> Result<Appointment, StoreError>
    where
        F: FnOnce(&mut Appointment) -> Result<String, StoreError>,
    {
        let txn = self.begin_write()?;
        let mut a: Appointment = {
            let table = txn.open_table(APPOINTMENTS)?;
            let v = table
                .get(id.as_u128())?
                .ok_or(StoreError::NotFound("Appuntamento"))?;
            open_id(txn.sealing(), APPOINTMENTS, id.as_u128(), v.value())?
        };
        let before = a.start;
        let details = change(&mut a)?;
        if a.start != before {
            let mut by_time = txn.open_table(APPOINTMENTS_BY_TIME)?;
            by_time.remove((before.timestamp_millis(), id.as_u128()))?;
            by_time.insert((a.start.timestamp_millis(), id.as_u128()), ())?;
        }
        txn.open_table(APPOINTMENTS)?.insert(
            id.as_u128(),
            seal_id(txn.sealing(), APPOINTMENTS, id.as_u128(), &a)?.as_slice(),
        )?;
        changelog::record(&txn, "appointment", id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, action, id.to_string())
                .details(details)
                .about(a.person_id),
        )?;
        super::stats::commit(txn)?;
        Ok(a)
    }

    pub fn appointment(&self, id: Uuid) -> Result<Option<Appointment>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(APPOINTMENTS)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| open_id(txn.sealing(), APPOINTMENTS, id.as_u128(), v.value()))
            .transpose()
    }

    /// Appointments starting in `[from, to)`, in time order.
    pub fn appointments_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError> {
        self.snapshot()?.appointments_between(from, to)
    }

    /// A person's appointments, in time order.
    pub fn appointments_of(&self, person: Uuid) -> Result<Vec<Appointment>, StoreError> {
        self.snapshot()?.appointments_of(person)
    }
}

impl Store {
    /// Loads many records in one transaction (demo data, benchmarks, imports), audited as one
    /// event. Fails, changing nothing, if any person's code is already taken.
    pub fn bulk_insert(
        &self,
        persons: &[Person],
        accesses: &[Access],
        appointments: &[Appointment],
        actor: &str,
        what: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        for p in persons {
            persons::insert_quietly(&txn, p)?;
        }
        {
            let mut table = txn.open_table(ACCESSES)?;
            let mut by_time = txn.open_table(ACCESSES_BY_TIME)?;
            let mut by_person = txn.open_multimap_table(ACCESSES_BY_PERSON)?;
            for a in accesses {
                table.insert(
                    a.id.as_u128(),
                    seal_id(txn.sealing(), ACCESSES, a.id.as_u128(), a)?.as_slice(),
                )?;
                by_time.insert((a.time.timestamp_millis(), a.id.as_u128()), ())?;
                if let Some(pid) = a.person_id {
                    by_person.insert(pid.as_u128(), a.id.as_u128())?;
                }
            }
        }
        for a in accesses {
            changelog::record(&txn, "access", a.id, ChangeOp::Upsert)?;
        }
        for a in appointments {
            put_appointment(&txn, a)?;
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::BulkInsert, what).details(format!(
                "{} persone, {} accessi, {} appuntamenti",
                persons.len(),
                accesses.len(),
                appointments.len()
            )),
        )?;
        super::stats::commit(txn)?;
        Ok(())
    }
}

impl Store {
    /// Changes an access in one transaction (orientation: services chosen, unmet needs), with the
    /// change log and an audit entry.
    pub fn modify_access<F>(
        &self,
        id: Uuid,
        actor: &str,
        action: Action,
        details: &str,
        change: F,
    ) -> Result<Access, StoreError>
    where
        F: FnOnce(&mut Access) -> Result<(), StoreError>,
    {
        let txn = self.begin_write()?;
        let mut access: Access = {
            let table = txn.open_table(ACCESSES)?;
            let v = table
                .get(id.as_u128())?
                .ok_or(StoreError::NotFound("Accesso"))?;
            open_id(txn.sealing(), ACCESSES, id.as_u128(), v.value())?
        };
        change(&mut access)?;
        txn.open_table(ACCESSES)?.insert(
            id.as_u128(),
            seal_id(txn.sealing(), ACCESSES, id.as_u128(), &access)?.as_slice(),
        )?;
        changelog::record(&txn, "access", id, ChangeOp::Upsert)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, action, id.to_string())
                .details(details)
                .about_all(access.person_id),
        )?;
        super::stats::commit(txn)?;
        Ok(access)
    }
}

impl Store {
    /// Accesses with at least one unmet need, each with the comune of residence of its person.
    pub fn accesses_with_unmet_needs(&self) -> Result<Vec<(Access, Option<String>)>, StoreError> {
        let txn = self.begin_read()?;
        let accesses = txn.open_table(ACCESSES)?;
        let persons = txn.open_table(PERSONS)?;
        let mut out = Vec::new();
        for row in accesses.iter()? {
            let (k, v) = row?;
            let a: Access = open_id(txn.sealing(), ACCESSES, k.value(), v.value())?;
            if a.unmet.is_empty() {
                continue;
            }
            let comune = match a.person_id {
                Some(pid) => persons
                    .get(pid.as_u128())?
                    .map(|v| open_id(txn.sealing(), PERSONS, pid.as_u128(), v.value()))
                    .transpose()?
                    .and_then(|p: Person| p.residence_istat),
                None => None,
            };
            out.push((a, comune));
        }
        Ok(out)
    }
}

impl Store {
    /// The desk's own statistical records of every access, computed from the records (what the
    /// maintained statistics must equal; see `AccessRecord::at_desk`).
    pub fn desk_access_records(
        &self,
    ) -> Result<Vec<crate::domain::district::AccessRecord>, StoreError> {
        use crate::domain::referral::Target;
        let accesses = self.accesses_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)?;
        let referred: std::collections::BTreeSet<Uuid> = self
            .referrals()?
            .into_iter()
            .filter(|r| r.target == Target::Ssp && r.was_sent())
            .map(|r| r.access_id)
            .collect();
        let ids: Vec<Uuid> = accesses.iter().filter_map(|a| a.person_id).collect();
        let persons: std::collections::HashMap<Uuid, crate::domain::person::Person> = self
            .persons_by_ids(&ids)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(accesses
            .into_iter()
            .filter_map(|a| {
                let person = a.person_id.and_then(|id| persons.get(&id));
                let was_referred = referred.contains(&a.id);
                crate::domain::district::AccessRecord::at_desk(a, person, was_referred)
            })
            .collect())
    }
}
