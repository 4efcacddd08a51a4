//! [`Conflict`]: why a change clashed with the current state, as a value a
//! caller can act on. Each context names its own rules
//! ([`crate::billing::BillingConflict`], [`crate::identity::IdentityConflict`],
//! [`crate::quotes::QuotesConflict`]);
//! uniqueness rules are shared. No sentence for people lives here: the
//! HTTP layer words each rule for customers.

use crate::assets::AssetsConflict;
use crate::billing::BillingConflict;
use crate::contacts::ContactsConflict;
use crate::identity::IdentityConflict;
use crate::jobs::JobsConflict;
use crate::properties::PropertiesConflict;
use crate::quotes::QuotesConflict;
use crate::rentals::RentalsConflict;
use crate::requests::RequestsConflict;
use crate::service_contracts::ContractsConflict;
use crate::tickets::TicketsConflict;

/// The rule a change broke.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// A value that must be unique is taken.
    #[error("{0:?} already in use")]
    Taken(Unique),
    /// A rule of the identity context.
    #[error(transparent)]
    Identity(#[from] IdentityConflict),
    /// A rule of the billing context.
    #[error(transparent)]
    Billing(#[from] BillingConflict),
    /// A rule of the quotes context.
    #[error(transparent)]
    Quotes(#[from] QuotesConflict),
    /// A rule of the properties context.
    #[error(transparent)]
    Properties(#[from] PropertiesConflict),
    /// A rule of the rentals context.
    #[error(transparent)]
    Rentals(#[from] RentalsConflict),
    /// A rule of the service contracts context.
    #[error(transparent)]
    ServiceContracts(#[from] ContractsConflict),
    /// A rule of the assets context.
    #[error(transparent)]
    Assets(#[from] AssetsConflict),
    /// A rule of the jobs context.
    #[error(transparent)]
    Jobs(#[from] JobsConflict),
    /// A rule of the tickets context.
    #[error(transparent)]
    Tickets(#[from] TicketsConflict),
    /// A rule of the requests context.
    #[error(transparent)]
    Requests(#[from] RequestsConflict),
    /// A rule of the contacts context.
    #[error(transparent)]
    Contacts(#[from] ContactsConflict),
}

/// Values that must be unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    /// A contact's e-mail within the tenant.
    Email,
    /// A contact's phone number within the tenant.
    Phone,
    /// A tenant's slug.
    TenantSlug,
    /// Another unique rule of the store's.
    Other,
}
