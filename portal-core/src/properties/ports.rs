//! The properties store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Property, PropertyUpsert};
use crate::access::AccountScope;
use crate::shared::{ExternalId, Page, PageRequest, PropertyId, StoreError, TenantId};

/// Properties: upserts by the host's id and the account's reads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PropertyStore: Send + Sync {
    /// Creates the property with this external id in the tenant, or
    /// updates its name and address keeping its id. Idempotent: the same
    /// upsert again leaves one property as it was. MUST return `NotFound`
    /// when the account is not in this tenant, and `Conflict`
    /// (`PropertyOfAnotherAccount`, writing nothing) when the property
    /// belongs to another account.
    async fn upsert_property(
        &self,
        tenant: TenantId,
        property: &PropertyUpsert,
        at: DateTime<Utc>,
    ) -> Result<Property, StoreError>;
    /// The property with this external id in this tenant (none for
    /// another tenant's).
    async fn property_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Property>, StoreError>;
    /// One page of the account's properties by name (then id), on an index
    /// led by tenant and account. MUST hold only the scope's account's.
    async fn properties(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Property>, StoreError>;
    /// The account's property with this id; none for another account's.
    async fn property(
        &self,
        scope: &AccountScope,
        id: PropertyId,
    ) -> Result<Option<Property>, StoreError>;
}
