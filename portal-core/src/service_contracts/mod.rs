//! Service contracts: recurring service agreements (a schedule in the
//! host's words, the next visit, a price per period) and blocks of time
//! (hours bought, used and remaining).
//!
//! - The host pushes them in by its own ids ([`ContractUpsert`],
//!   idempotent: the same contract twice is one; a change updates it; a
//!   contract is with one account for good).
//! - A block's remaining hours and overage are derived in one place,
//!   [`HoursBlock`]; used hours exceed the hours bought only when the
//!   host allows overage on that contract.
//! - Customers read the active account's contracts
//!   ([`ServiceContractsService`], `portal.service_contracts()`), with
//!   the services feature and [`crate::access::Permission::ViewServices`].
//!
//! Named `service_contracts` so it is not taken for rental contracts
//! (`rentals`).

mod contract;
mod errors;
mod ports;
mod service;

pub use contract::{
    ContractQuery, ContractStatus, ContractTerms, ContractUpsert, Hours, HoursBlock,
    MAX_BLOCK_HOURS, MAX_CONTRACT_DESCRIPTION, MAX_CONTRACT_NAME, MAX_CONTRACT_NUMBER,
    MAX_SCHEDULE, ServiceContract,
};
pub use errors::ContractsConflict;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockServiceContractStore;
pub use ports::ServiceContractStore;
pub use service::ServiceContractsService;

#[cfg(test)]
pub(crate) use service::tests::{member, portal_for, tenant};
