//! Service contract rows and their conversion into core's models: one
//! row holds either kind's terms (the migration's check makes sure of
//! it); money comes back as whole minor units, hours as hundredths.

use chrono::NaiveDate;
use portal_core::ports::StoreError;
use portal_core::service_contracts::{
    ContractStatus, ContractTerms, Hours, HoursBlock, ServiceContract,
};
use portal_core::shared::{AccountId, ExternalId, Money, ServiceContractId};
use sqlx::FromRow;
use uuid::Uuid;

use super::billing::currency;
use super::stored;
use crate::error::backend;

/// The columns [`ContractRow`] reads, from `service_contracts`.
macro_rules! contract_columns {
    () => {
        "id, account_id, external_id, number, name, description, status, starts_on, ends_on, \
         kind, schedule, next_visit_on, price_minor, currency, hours_bought_hundredths, \
         hours_used_hundredths, overage_allowed"
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
    name: String,
    description: String,
    status: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    kind: String,
    schedule: Option<String>,
    next_visit_on: Option<NaiveDate>,
    price_minor: Option<i64>,
    currency: Option<String>,
    hours_bought_hundredths: Option<i64>,
    hours_used_hundredths: Option<i64>,
    overage_allowed: bool,
}

impl ContractRow {
    fn terms(&self) -> Result<ContractTerms, StoreError> {
        match self.kind.as_str() {
            "recurring" => {
                let price = match (self.price_minor, self.currency.as_deref()) {
                    (Some(minor), Some(code)) => Some(Money::from_minor(minor, currency(code)?)),
                    _ => None,
                };
                Ok(ContractTerms::Recurring {
                    schedule: self.schedule.clone().unwrap_or_default(),
                    next_visit_on: self.next_visit_on,
                    price_per_period: price,
                })
            }
            "time_block" => {
                let hours = |value: Option<i64>| Hours::from_hundredths(value.unwrap_or(0));
                let block = HoursBlock::new(
                    hours(self.hours_bought_hundredths),
                    hours(self.hours_used_hundredths),
                    self.overage_allowed,
                );
                Ok(ContractTerms::TimeBlock(stored("hours block", block)?))
            }
            other => Err(backend(format!("stored contract kind is unknown: {other}"))),
        }
    }
}

impl TryFrom<ContractRow> for ServiceContract {
    type Error = StoreError;
    fn try_from(row: ContractRow) -> Result<Self, StoreError> {
        let terms = row.terms()?;
        Ok(ServiceContract {
            id: ServiceContractId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            name: row.name,
            description: row.description,
            status: ContractStatus::parse(&row.status).ok_or_else(|| {
                backend(format!("stored contract status is unknown: {}", row.status))
            })?,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            terms,
        })
    }
}
