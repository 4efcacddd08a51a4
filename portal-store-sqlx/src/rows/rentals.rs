//! Rental rows and their conversion into core's models. Quantities come
//! back as whole numbers (checked to fit), rates as minor units through
//! the stored currency, reservation items from their JSON list.

use chrono::NaiveDate;
use portal_core::ports::StoreError;
use portal_core::rentals::{
    Contract, ContractLine, ContractStatus, ItemOut, Reservation, ReservationItem,
    ReservationStatus,
};
use portal_core::shared::{AccountId, ExternalId, Money, RentalContractId, ReservationId};
use sqlx::FromRow;
use uuid::Uuid;

use super::billing::currency;
use super::{Timestamp, stored};
use crate::error::backend;

/// A stored count as a whole number of items.
pub(crate) fn quantity(what: &str, value: i64) -> Result<u32, StoreError> {
    stored(what, u32::try_from(value))
}

/// The columns [`ContractRow`] reads, from `rental_contracts`.
macro_rules! contract_columns {
    () => {
        "id, account_id, external_id, number, status, started_on, site, items_out, updated_at"
    };
}
pub(crate) use contract_columns;

/// A contract, selected with [`contract_columns!`].
#[derive(FromRow)]
pub(crate) struct ContractRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    number: String,
    status: String,
    started_on: NaiveDate,
    site: Option<String>,
    items_out: i64,
    updated_at: Timestamp,
}

impl TryFrom<ContractRow> for Contract {
    type Error = StoreError;
    fn try_from(row: ContractRow) -> Result<Self, StoreError> {
        Ok(Contract {
            id: RentalContractId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            status: ContractStatus::parse(&row.status)
                .ok_or_else(|| backend(format!("stored contract status: {}", row.status)))?,
            started_on: row.started_on,
            site: row.site,
            items_out: stored("items_out", u64::try_from(row.items_out))?,
            updated_at: row.updated_at.0,
        })
    }
}

/// The columns [`LineRow`] reads, from `rental_contract_lines`.
macro_rules! line_columns {
    () => {
        "code, name, quantity_out, quantity_returned, out_since, rate_minor, currency"
    };
}
pub(crate) use line_columns;

/// One item line of a contract.
#[derive(FromRow)]
pub(crate) struct LineRow {
    code: String,
    name: String,
    quantity_out: i64,
    quantity_returned: i64,
    out_since: NaiveDate,
    rate_minor: Option<i64>,
    currency: Option<String>,
}

impl TryFrom<LineRow> for ContractLine {
    type Error = StoreError;
    fn try_from(row: LineRow) -> Result<Self, StoreError> {
        let rate = match (row.rate_minor, row.currency.as_deref()) {
            (Some(minor), Some(code)) => Some(Money::from_minor(minor, currency(code)?)),
            _ => None,
        };
        Ok(ContractLine {
            code: row.code,
            name: row.name,
            quantity_out: quantity("quantity_out", row.quantity_out)?,
            quantity_returned: quantity("quantity_returned", row.quantity_returned)?,
            out_since: row.out_since,
            rate,
        })
    }
}

/// A line still out, with its contract (the items-out page).
#[derive(FromRow)]
pub(crate) struct ItemOutRow {
    contract_id: Uuid,
    contract_number: String,
    contract_site: Option<String>,
    #[sqlx(flatten)]
    line: LineRow,
}

impl TryFrom<ItemOutRow> for ItemOut {
    type Error = StoreError;
    fn try_from(row: ItemOutRow) -> Result<Self, StoreError> {
        Ok(ItemOut {
            contract: RentalContractId::from_uuid(row.contract_id),
            contract_number: row.contract_number,
            site: row.contract_site,
            line: row.line.try_into()?,
        })
    }
}

/// The columns [`ReservationRow`] reads, from `rental_reservations`.
macro_rules! reservation_columns {
    () => {
        "id, account_id, external_id, number, status, starts_on, ends_on, items"
    };
}
pub(crate) use reservation_columns;

/// A reservation with its items' JSON.
#[derive(FromRow)]
pub(crate) struct ReservationRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    number: String,
    status: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    items: String,
}

impl TryFrom<ReservationRow> for Reservation {
    type Error = StoreError;
    fn try_from(row: ReservationRow) -> Result<Self, StoreError> {
        Ok(Reservation {
            id: ReservationId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            status: ReservationStatus::parse(&row.status)
                .ok_or_else(|| backend(format!("stored reservation status: {}", row.status)))?,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            items: stored(
                "reservation items",
                serde_json::from_str::<Vec<ReservationItem>>(&row.items),
            )?,
        })
    }
}
