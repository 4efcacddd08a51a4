//! Rental contracts (with the items out on them) and reservations, as the
//! host sends them and as customers read them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::CallOff;
use crate::error::PortalError;
use crate::shared::check_one_line;
use crate::shared::{
    AccountId, Currency, ExternalId, Money, PageRequest, Reason, RentalContractId, ReservationId,
};

/// The most lines (items) one contract or reservation may have.
pub const MAX_CONTRACT_LINES: usize = 500;

/// The longest item code or name, contract number or site (characters).
const MAX_NAME: usize = 200;

/// Whether a contract still has (or may have) items out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Running: items are out and can be called off.
    Open,
    /// Ended: everything is back, nothing can be called off.
    Closed,
}

impl ContractStatus {
    /// How stores and URLs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The status spelled by [`ContractStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Closed]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// One item line of a contract: what is out, how many, since when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractLine {
    /// The host's item code; unique within the contract, and what a
    /// call-off names the item by.
    pub code: String,
    /// The item's name (`Generator 20 kVA`).
    pub name: String,
    /// How many went out.
    pub quantity_out: u32,
    /// How many came back.
    pub quantity_returned: u32,
    /// Since when they are out.
    pub out_since: NaiveDate,
    /// The host's rate for one item, when it gives one (per its billing
    /// period, as on the host's invoices).
    pub rate: Option<Money>,
}

impl ContractLine {
    /// How many are still out.
    pub fn still_out(&self) -> u32 {
        self.quantity_out.saturating_sub(self.quantity_returned)
    }
}

/// What the host sends to create or update a rental contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RentalContractUpsert {
    /// The host's id of the contract; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account it is for.
    pub account: AccountId,
    /// The number printed on it (`RC-1042`).
    pub number: String,
    /// Open or closed.
    pub status: ContractStatus,
    /// When it started.
    pub started_on: NaiveDate,
    /// The property or site the items are at, as the host names it.
    pub site: Option<String>,
    /// Its items, in the host's order.
    pub lines: Vec<ContractLine>,
}

impl RentalContractUpsert {
    /// Checks the upsert: texts within their limits, item codes unique,
    /// never more returned than went out, rates in the tenant's currency.
    pub fn validate(&self, currency: Currency) -> Result<(), PortalError> {
        check_one_line("number", &self.number, 1, 64)?;
        if let Some(site) = &self.site {
            check_one_line("site", site, 0, MAX_NAME)?;
        }
        if self.lines.len() > MAX_CONTRACT_LINES {
            return Err(PortalError::invalid(
                "lines",
                Reason::Count {
                    min: 0,
                    max: MAX_CONTRACT_LINES,
                },
            ));
        }
        for (index, line) in self.lines.iter().enumerate() {
            check_one_line("code", &line.code, 1, MAX_NAME)?;
            check_one_line("name", &line.name, 1, MAX_NAME)?;
            if self.lines[..index]
                .iter()
                .any(|other| other.code == line.code)
            {
                return Err(PortalError::invalid("code", Reason::ListedTwice));
            }
            if line.quantity_returned > line.quantity_out {
                return Err(PortalError::invalid(
                    "quantity_returned",
                    Reason::AboveMaximum,
                ));
            }
            if let Some(rate) = line.rate {
                if rate.currency() != currency {
                    return Err(PortalError::invalid(
                        "rate",
                        Reason::WrongCurrency { expected: currency },
                    ));
                }
                if rate.is_negative() || rate.to_minor().is_none() {
                    return Err(PortalError::invalid("rate", Reason::TooLarge));
                }
            }
        }
        Ok(())
    }
}

/// A contract as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contract {
    /// Our id.
    pub id: RentalContractId,
    /// The account it is for.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// Its number.
    pub number: String,
    /// Open or closed.
    pub status: ContractStatus,
    /// When it started.
    pub started_on: NaiveDate,
    /// Where the items are.
    pub site: Option<String>,
    /// How many items are still out on it, every line together.
    pub items_out: u64,
    /// When the host last changed it.
    pub updated_at: DateTime<Utc>,
}

/// A contract with its lines and its call-offs (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractDetail {
    /// The contract.
    pub contract: Contract,
    /// Its items, in the host's order.
    pub lines: Vec<ContractLine>,
    /// The call-offs asked on it, newest first.
    pub call_offs: Vec<CallOff>,
}

impl ContractDetail {
    /// How many of the item `code` open call-offs (pending, scheduled or
    /// in progress) already asked for.
    pub fn called_off(&self, code: &str) -> u32 {
        self.call_offs
            .iter()
            .filter(|call_off| call_off.status.is_open())
            .flat_map(|call_off| &call_off.items)
            .filter(|item| item.code == code)
            .fold(0u32, |sum, item| sum.saturating_add(item.quantity))
    }

    /// How many of `line` can still be called off: still out, less what
    /// open call-offs asked for. Pickups the host has made show as
    /// returned once it says so (and the call-off completed), so a
    /// collected item is never counted twice.
    pub fn available(&self, line: &ContractLine) -> u32 {
        line.still_out().saturating_sub(self.called_off(&line.code))
    }

    /// Whether anything on it can be called off now.
    pub fn can_call_off(&self) -> bool {
        self.contract.status == ContractStatus::Open
            && self.lines.iter().any(|line| self.available(line) > 0)
    }
}

/// The contract list's filter and page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ContractQuery {
    /// Only contracts in this status.
    pub status: Option<ContractStatus>,
    /// Which page.
    pub page: PageRequest,
}

/// One item still out, on one of the account's open contracts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemOut {
    /// The contract's id.
    pub contract: RentalContractId,
    /// The contract's number.
    pub contract_number: String,
    /// Where the items are.
    pub site: Option<String>,
    /// The line.
    pub line: ContractLine,
}

/// Where a reservation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationStatus {
    /// Asked for, not confirmed yet.
    Pending,
    /// Confirmed by the host.
    Confirmed,
    /// The items went out (a contract took over).
    Fulfilled,
    /// Cancelled.
    Cancelled,
}

impl ReservationStatus {
    /// Every status.
    pub const ALL: [Self; 4] = [
        Self::Pending,
        Self::Confirmed,
        Self::Fulfilled,
        Self::Cancelled,
    ];

    /// How stores spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }

    /// The status spelled by [`ReservationStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// One item booked ahead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationItem {
    /// The host's item code.
    pub code: String,
    /// The item's name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// What the host sends to create or update a reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservationUpsert {
    /// The host's id; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account it is for.
    pub account: AccountId,
    /// Its number (`RS-88`).
    pub number: String,
    /// Where it stands.
    pub status: ReservationStatus,
    /// The first day the items are booked.
    pub starts_on: NaiveDate,
    /// The last day.
    pub ends_on: NaiveDate,
    /// The items booked.
    pub items: Vec<ReservationItem>,
}

impl ReservationUpsert {
    /// Checks the upsert: texts within limits, at least one item, whole
    /// quantities from 1, the end not before the start.
    pub fn validate(&self) -> Result<(), PortalError> {
        check_one_line("number", &self.number, 1, 64)?;
        if self.ends_on < self.starts_on {
            return Err(PortalError::invalid("ends_on", Reason::AfterEnd));
        }
        if self.items.is_empty() || self.items.len() > MAX_CONTRACT_LINES {
            return Err(PortalError::invalid(
                "items",
                Reason::Count {
                    min: 1,
                    max: MAX_CONTRACT_LINES,
                },
            ));
        }
        for item in &self.items {
            check_one_line("code", &item.code, 1, MAX_NAME)?;
            check_one_line("name", &item.name, 1, MAX_NAME)?;
            if item.quantity == 0 {
                return Err(PortalError::invalid(
                    "quantity",
                    Reason::Malformed(crate::shared::Shape::WholeNumber),
                ));
            }
        }
        Ok(())
    }
}

/// A reservation as the customer reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reservation {
    /// Our id.
    pub id: ReservationId,
    /// The account.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// Its number.
    pub number: String,
    /// Where it stands.
    pub status: ReservationStatus,
    /// First day booked.
    pub starts_on: NaiveDate,
    /// Last day booked.
    pub ends_on: NaiveDate,
    /// The items booked.
    pub items: Vec<ReservationItem>,
}
