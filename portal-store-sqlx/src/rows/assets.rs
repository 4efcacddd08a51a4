//! Asset rows (with their property's name) and the lines of an asset's
//! service history, and their conversion into core's models.

use chrono::NaiveDate;
use portal_core::assets::{Asset, AssetJob, JobStatus};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, AssetId, ExternalId, JobId, PropertyId};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, stored};
use crate::error::backend;

/// The columns [`AssetRow`] reads, from `assets a` joined to
/// `properties p`.
macro_rules! asset_columns {
    () => {
        "a.id, a.account_id, a.external_id, a.property_id, p.name AS property_name, a.name, \
         a.make, a.model, a.serial_number, a.location, a.installed_on, a.next_maintenance_on"
    };
}
pub(crate) use asset_columns;

/// An asset, selected with [`asset_columns!`].
#[derive(FromRow)]
pub(crate) struct AssetRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    property_id: Uuid,
    property_name: String,
    name: String,
    make: String,
    model: String,
    serial_number: String,
    location: String,
    installed_on: Option<NaiveDate>,
    next_maintenance_on: Option<NaiveDate>,
}

impl TryFrom<AssetRow> for Asset {
    type Error = StoreError;
    fn try_from(row: AssetRow) -> Result<Self, StoreError> {
        Ok(Asset {
            id: AssetId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            property: PropertyId::from_uuid(row.property_id),
            property_name: row.property_name,
            name: row.name,
            make: row.make,
            model: row.model,
            serial_number: row.serial_number,
            location: row.location,
            installed_on: row.installed_on,
            next_maintenance_on: row.next_maintenance_on,
        })
    }
}

/// A job of an asset's history.
#[derive(FromRow)]
pub(crate) struct AssetJobRow {
    job_id: Uuid,
    job_number: String,
    job_title: String,
    job_status: String,
    job_scheduled_for: Option<Timestamp>,
}

impl TryFrom<AssetJobRow> for AssetJob {
    type Error = StoreError;
    fn try_from(row: AssetJobRow) -> Result<Self, StoreError> {
        Ok(AssetJob {
            job: JobId::from_uuid(row.job_id),
            number: row.job_number,
            title: row.job_title,
            status: JobStatus::parse(&row.job_status).ok_or_else(|| {
                backend(format!("stored job status is unknown: {}", row.job_status))
            })?,
            scheduled_for: row.job_scheduled_for.map(|at| at.0),
        })
    }
}
