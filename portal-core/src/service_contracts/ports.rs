//! The service contracts store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{ContractQuery, ContractUpsert, ServiceContract};
use crate::access::AccountScope;
use crate::shared::{ExternalId, Page, ServiceContractId, StoreError, TenantId};

/// Service contracts: upserts by the host's id and the account's reads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ServiceContractStore: Send + Sync {
    /// Creates the contract with this external id in the tenant, or
    /// replaces its fields and terms keeping its id (a recurring contract
    /// may become a block and back). Idempotent: the same upsert again
    /// leaves one contract as it was. MUST return `NotFound` when the
    /// account is not in this tenant, and `Conflict`
    /// (`ContractOfAnotherAccount`, writing nothing) when the contract is
    /// another account's.
    async fn upsert_contract(
        &self,
        tenant: TenantId,
        contract: &ContractUpsert,
        at: DateTime<Utc>,
    ) -> Result<ServiceContract, StoreError>;
    /// The contract with this external id in this tenant (none for
    /// another tenant's).
    async fn contract_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<ServiceContract>, StoreError>;
    /// One page of the account's contracts matching `query`, latest start
    /// first (then id), filtered, sorted and paged in SQL on an index led
    /// by tenant and account. MUST hold only the scope's account's.
    async fn contracts(
        &self,
        scope: &AccountScope,
        query: &ContractQuery,
    ) -> Result<Page<ServiceContract>, StoreError>;
    /// The account's contract with this id; none for another account's.
    async fn contract(
        &self,
        scope: &AccountScope,
        id: ServiceContractId,
    ) -> Result<Option<ServiceContract>, StoreError>;
}
