//! Every store port in one place. Each context declares its own in its
//! folder (`billing/ports.rs`, `identity/ports.rs`, ...), one trait per
//! aggregate, each method one atomic unit of work; adapters
//! (`portal-store-sqlx`) implement them on SQLite and PostgreSQL, and the
//! conformance suite there tests every "MUST" on both.
//!
//! Scoping: tenant-level methods take a [`TenantId`](crate::shared::TenantId);
//! account-level reads take an [`AccountScope`](crate::access::AccountScope),
//! which only `authorize` hands out. Adapters MUST filter by both in SQL,
//! not after the fact.

pub use crate::accounts::AccountStore;
pub use crate::assets::AssetStore;
pub use crate::audit::AuditStore;
pub use crate::billing::{
    AutopayStore, InvoiceStore, LedgerStore, PaymentMethodStore, PaymentStore,
};
pub use crate::communications::CommunicationStore;
pub use crate::contacts::AccountContactStore;
pub use crate::dashboard::DashboardStore;
pub use crate::documents::DocumentStore;
pub use crate::identity::{
    ContactStore, CredentialStore, LockoutStore, ProfileStore, SessionStore, TokenStore,
};
pub use crate::jobs::JobStore;
pub use crate::notifications::NotificationStore;
pub use crate::outbox::OutboxStore;
pub use crate::properties::PropertyStore;
pub use crate::quotes::QuoteStore;
pub use crate::rentals::RentalStore;
pub use crate::requests::RequestStore;
pub use crate::service_contracts::ServiceContractStore;
pub use crate::shared::StoreError;
pub use crate::tenancy::TenantStore;
pub use crate::tickets::TicketStore;

#[cfg(any(test, feature = "mocks"))]
pub use crate::accounts::MockAccountStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::assets::MockAssetStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::audit::MockAuditStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::billing::{
    MockAutopayStore, MockInvoiceStore, MockLedgerStore, MockPaymentMethodStore, MockPaymentStore,
};
#[cfg(any(test, feature = "mocks"))]
pub use crate::communications::MockCommunicationStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::contacts::MockAccountContactStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::dashboard::MockDashboardStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::documents::MockDocumentStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::identity::{
    MockContactStore, MockCredentialStore, MockLockoutStore, MockProfileStore, MockSessionStore,
    MockTokenStore,
};
#[cfg(any(test, feature = "mocks"))]
pub use crate::jobs::MockJobStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::notifications::MockNotificationStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::outbox::MockOutboxStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::properties::MockPropertyStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::quotes::MockQuoteStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::rentals::MockRentalStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::requests::MockRequestStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::service_contracts::MockServiceContractStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::tenancy::MockTenantStore;
#[cfg(any(test, feature = "mocks"))]
pub use crate::tickets::MockTicketStore;

/// Declares [`Store`] over the listed ports, and implements it for every
/// type that implements them all (the list written once).
macro_rules! store_of {
    ($($port:ident),+ $(,)?) => {
        /// Everything the facade needs from one store. Adapters implement the
        /// context traits; this one comes for free.
        pub trait Store: $($port +)+ {}

        impl<T> Store for T where T: $($port +)+ {}
    };
}

store_of!(
    TenantStore,
    AccountStore,
    ContactStore,
    CredentialStore,
    LockoutStore,
    SessionStore,
    TokenStore,
    OutboxStore,
    DashboardStore,
    InvoiceStore,
    LedgerStore,
    PaymentStore,
    PaymentMethodStore,
    AutopayStore,
    QuoteStore,
    PropertyStore,
    RentalStore,
    ServiceContractStore,
    AssetStore,
    JobStore,
    RequestStore,
    TicketStore,
    NotificationStore,
    CommunicationStore,
    DocumentStore,
    AuditStore,
    ProfileStore,
    AccountContactStore,
);
