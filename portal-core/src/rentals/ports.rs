//! The rentals store port: the host's upserts, the customer's reads, and
//! call-offs (written with their host event, never beyond what is out).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Contract, ContractDetail, ContractQuery, ItemOut, RentalContractUpsert, Reservation,
    ReservationUpsert,
};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::requests::ServiceRequest;
use crate::shared::{ExternalId, Page, PageRequest, RentalContractId, StoreError, TenantId};

/// Rental contracts, reservations and call-offs.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RentalStore: Send + Sync {
    /// Creates the contract with this external id in the tenant, or
    /// updates it keeping its id (its fields and lines replaced).
    /// Idempotent: the same upsert again leaves the same contract. MUST
    /// return `NotFound` when the account is not in this tenant, and
    /// `Conflict(OfAnotherAccount)` (writing nothing) when the contract
    /// belongs to another account.
    async fn upsert_rental_contract(
        &self,
        tenant: TenantId,
        contract: &RentalContractUpsert,
        at: DateTime<Utc>,
    ) -> Result<Contract, StoreError>;

    /// The contract with this external id in this tenant.
    async fn rental_contract_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contract>, StoreError>;

    /// One page of the account's contracts (`query`'s status, if any),
    /// open before closed, newest start first (then id), each with how
    /// many items are still out; paged in SQL on an index led by tenant
    /// and account.
    async fn rental_contracts(
        &self,
        scope: &AccountScope,
        query: &ContractQuery,
    ) -> Result<Page<Contract>, StoreError>;

    /// One contract of the account, with its lines (the host's order) and
    /// its call-offs (newest first, each with its items). `None` for a
    /// contract not in the scope.
    async fn rental_contract(
        &self,
        scope: &AccountScope,
        id: RentalContractId,
    ) -> Result<Option<ContractDetail>, StoreError>;

    /// One page of the lines with items still out (out more than
    /// returned) on the account's open contracts, by contract number then
    /// the host's order; one query, paged in SQL.
    async fn items_out(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<ItemOut>, StoreError>;

    /// Creates or updates the reservation with this external id, like
    /// [`RentalStore::upsert_contract`], with the same `NotFound` and
    /// `Conflict(OfAnotherAccount)` answers.
    async fn upsert_reservation(
        &self,
        tenant: TenantId,
        reservation: &ReservationUpsert,
        at: DateTime<Utc>,
    ) -> Result<Reservation, StoreError>;

    /// One page of the account's reservations, latest start first (then
    /// id), on an index led by tenant and account.
    async fn reservations(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Reservation>, StoreError>;

    /// Writes `call_off` (a request of the kind `call_off`, its contract
    /// the scope's) with `messages`, in one transaction, taking the
    /// account's lock first so call-offs on one account queue. MUST return
    /// `NotFound` for a contract not in the scope, `Conflict(ContractClosed)`
    /// for a closed one, and `Conflict(NotEnoughOut)` when any item asks
    /// for more than is still out less what the contract's open call-offs
    /// hold, or is not on the contract; a refusal writes nothing. Of
    /// concurrent call-offs for the last items one succeeds. The call-off
    /// is then one of the account's requests
    /// ([`crate::requests::RequestStore`]).
    async fn request_call_off(
        &self,
        scope: &AccountScope,
        call_off: &ServiceRequest,
        messages: &[OutboxMessage],
    ) -> Result<ServiceRequest, StoreError>;
}
