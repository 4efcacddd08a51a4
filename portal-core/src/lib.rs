//! # portal-core
//!
//! The domain, use cases and ports of Portal, an embeddable customer
//! self-service portal for service businesses. No I/O lives here: storage,
//! mail and HTTP are adapters in sibling crates that implement the ports
//! ([`ports`], [`outbox::Mailer`], [`outbox::EventSink`],
//! [`identity::PasswordHasher`], [`shared::Clock`]) or call the [`Portal`]
//! facade.
//!
//! Map of modules, by bounded context:
//! - [`shared`]: ids, parsed e-mail/phone/postal code, clock, pagination
//! - [`access`]: permissions, roles, actors and [`access::authorize`], the
//!   one choke point every use case passes
//! - [`tenancy`]: tenants and their portal settings
//! - [`accounts`]: customer accounts and their communications log
//! - [`blobs`]: uploaded files: the [`blobs::BlobStore`] port, keys, limits
//!   and the checks every upload passes
//! - [`billing`]: invoices, payments, cards on file, autopay, statements and
//!   the payment gateway port
//! - [`identity`]: contacts, credentials, sessions, one-time tokens, passwords
//! - [`contacts`]: an account's contacts and their portal access, managed
//!   by the customer's primary contact
//! - [`outbox`]: mails and host events, delivered after commit with retries,
//!   and the host events' delivery log
//! - [`webhook`]: the signed webhook scheme (signing, [`webhook::verify_signature`]
//!   for receivers) and the body every delivery carries
//! - [`quotes`]: quotes the customer approves (with evidence) or declines
//! - [`properties`]: an account's service locations
//! - [`rentals`]: rental contracts, items out, reservations, call-offs
//! - [`requests`]: service requests of every kind (request service, call
//!   off rent, the host's own kinds), one typed model
//! - [`service_contracts`]: recurring service agreements and blocks of hours
//! - [`assets`]: equipment at the account's properties, with its service history
//! - [`jobs`]: jobs and visits with their timeline, notes, invoices and
//!   equipment
//! - [`tickets`]: support tickets with their threads and attachments
//! - [`documents`]: files the host publishes for an account or the whole
//!   tenant, and their downloads
//! - [`dashboard`]: the dashboard's panels
//! - [`ports`]: the store traits adapters implement
//! - [`Portal`]: the facade, which hands out one service per context (its
//!   use cases) and the host's API

pub mod access;
pub mod accounts;
pub mod assets;
pub mod audit;
pub mod billing;
pub mod blobs;
pub mod communications;
pub mod contacts;
pub mod dashboard;
pub mod documents;
mod error;
mod host;
pub mod identity;
pub mod jobs;
pub mod notifications;
pub mod outbox;
mod portal;
pub mod ports;
pub mod properties;
pub mod quotes;
pub mod rentals;
pub mod requests;
pub mod service_contracts;
pub mod shared;
pub mod tenancy;
pub mod tickets;
pub mod webhook;

pub use error::PortalError;

// The types adapters use most, also at the root (each lives in its context).
pub use accounts::AccountOverview;
pub use billing::{
    AutopayRun, AutopayStatus, InvoiceDocument, InvoiceList, MAX_PAYABLE_INVOICES,
    MAX_PAYMENT_METHODS, PaymentOptions, PaymentPreview,
};
pub use host::HostApi;
pub use identity::{AuthContext, KnownFacts, LinkRequest, NewSession, TokenInfo};
pub use portal::{DEFAULT_RESPONSE_FLOOR, Portal, PortalBuilder, Stores};
