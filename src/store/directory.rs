//! The service directory: organizations and services (small tables, read whole).

use crate::domain::audit::Action;
use redb::{ReadableTable, WriteTransaction};
use uuid::Uuid;

use super::changelog::{self, ChangeOp};
use super::codec::{decode, encode};
use super::tables::{ORGANIZATIONS, SERVICES};
use super::{audit, Store, StoreError};
use crate::domain::audit::AuditEvent;
use crate::domain::directory::{Organization, Service};
use crate::domain::hsds::Directory;

pub(super) fn put_service(txn: &WriteTransaction, s: &Service) -> Result<(), StoreError> {
    txn.open_table(SERVICES)?
        .insert(s.id.as_u128(), encode(s)?.as_slice())?;
    changelog::record(txn, "service", s.id, ChangeOp::Upsert)?;
    Ok(())
}

pub(super) fn put_organization(txn: &WriteTransaction, o: &Organization) -> Result<(), StoreError> {
    txn.open_table(ORGANIZATIONS)?
        .insert(o.id.as_u128(), encode(o)?.as_slice())?;
    changelog::record(txn, "organization", o.id, ChangeOp::Upsert)?;
    Ok(())
}

impl Store {
    /// The whole directory, services by name.
    pub fn directory(&self) -> Result<Directory, StoreError> {
        let txn = self.begin_read()?;
        let mut organizations: Vec<Organization> = txn
            .open_table(ORGANIZATIONS)?
            .iter()?
            .map(|row| decode(row?.1.value()))
            .collect::<Result<_, _>>()?;
        let mut services: Vec<Service> = txn
            .open_table(SERVICES)?
            .iter()?
            .map(|row| decode(row?.1.value()))
            .collect::<Result<_, _>>()?;
        organizations.sort_by(|a, b| a.name.cmp(&b.name));
        services.sort_by(|a, b| a.name.cmp(&b.name));
        let example = !services.is_empty() && services.iter().all(|s| s.example);
        Ok(Directory {
            organizations,
            services,
            example,
        })
    }

    pub fn service(&self, id: Uuid) -> Result<Option<Service>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(SERVICES)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| decode(v.value())).transpose()
    }

    pub fn organization(&self, id: Uuid) -> Result<Option<Organization>, StoreError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(ORGANIZATIONS)?;
        let v = table.get(id.as_u128())?;
        v.map(|v| decode(v.value())).transpose()
    }

    /// Creates or replaces a service (its organization must exist).
    pub fn save_service(&self, s: &Service, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        if txn
            .open_table(ORGANIZATIONS)?
            .get(s.organization_id.as_u128())?
            .is_none()
        {
            return Err(StoreError::NotFound("Organizzazione"));
        }
        put_service(&txn, s)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::ServiceSave, s.id.to_string()).details(s.name.clone()),
        )?;
        txn.commit()?;
        Ok(())
    }

    pub fn save_organization(&self, o: &Organization, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        put_organization(&txn, o)?;
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::OrganizationSave, o.id.to_string())
                .details(o.name.clone()),
        )?;
        txn.commit()?;
        Ok(())
    }

    /// Adds or replaces (by id) every organization and service of `dir`, in one transaction.
    pub fn import_directory(
        &self,
        dir: &Directory,
        actor: &str,
        source: &str,
    ) -> Result<(), StoreError> {
        let txn = self.begin_write()?;
        for o in &dir.organizations {
            put_organization(&txn, o)?;
        }
        for s in &dir.services {
            put_service(&txn, s)?;
        }
        audit::append(
            &txn,
            AuditEvent::new(actor, Action::DirectoryImport, source).details(format!(
                "{} organizzazioni, {} servizi",
                dir.organizations.len(),
                dir.services.len()
            )),
        )?;
        txn.commit()?;
        Ok(())
    }
}
