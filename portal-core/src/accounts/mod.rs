//! Accounts: the tenant's customers (a business, a group, a household), and
//! the communications log the dashboard shows.

mod host;
mod ports;
mod service;
pub use ports::AccountStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockAccountStore;
pub use service::{AccountOverview, AccountService};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::shared::{AccountId, EmailAddress, ExternalId, PhoneNumber, PostalCode, TenantId};

/// A customer of a tenant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Our id.
    pub id: AccountId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The host's id for it.
    pub external_id: ExternalId,
    /// The account number customers see on invoices.
    pub number: String,
    /// The account's name.
    pub name: String,
    /// Billing address.
    pub address: Address,
    /// The phone number on file.
    pub phone: Option<PhoneNumber>,
    /// The e-mail on file.
    pub email: Option<EmailAddress>,
    /// The postal code on file (for known-facts registration).
    pub postal_code: Option<PostalCode>,
    /// Host-defined fields; the tenant's settings say which customers see.
    pub custom_fields: BTreeMap<String, String>,
    /// Whether the account's contacts may use the portal at all.
    pub portal_enabled: bool,
    /// Whether the account has history (a contract, a quote) the host counts
    /// as enough to register, when the tenant requires it.
    pub has_history: bool,
}

/// A postal address; every line optional because hosts hold them unevenly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// Suite, floor, building.
    pub line2: String,
    /// City or town.
    pub city: String,
    /// State, province or county.
    pub region: String,
    /// Postal or ZIP code as written.
    pub postal_code: String,
    /// Country, as the host writes it.
    pub country: String,
}

impl Address {
    /// The non-empty lines, for display.
    pub fn lines(&self) -> Vec<String> {
        let city_line = [
            self.city.as_str(),
            self.region.as_str(),
            self.postal_code.as_str(),
        ]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        [
            self.line1.clone(),
            self.line2.clone(),
            city_line,
            self.country.clone(),
        ]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect()
    }
}

/// What the host sends to create or update an account, keyed by its own id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountUpsert {
    /// The host's id; the same id updates the same account.
    pub external_id: ExternalId,
    /// The account number.
    pub number: String,
    /// The name.
    pub name: String,
    /// Billing address.
    pub address: Address,
    /// Phone on file.
    pub phone: Option<PhoneNumber>,
    /// E-mail on file.
    pub email: Option<EmailAddress>,
    /// Postal code on file.
    pub postal_code: Option<PostalCode>,
    /// Host-defined fields.
    pub custom_fields: BTreeMap<String, String>,
    /// Whether the portal is on for this account.
    pub portal_enabled: bool,
    /// See [`Account::has_history`].
    pub has_history: bool,
}

pub use crate::communications::Communication;
