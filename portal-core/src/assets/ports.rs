//! The assets store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Asset, AssetJob, AssetQuery, AssetUpsert};
use crate::access::AccountScope;
use crate::shared::{AssetId, ExternalId, Page, PageRequest, StoreError, TenantId};

/// Assets: upserts by the host's id, the account's reads, and each
/// asset's service history.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AssetStore: Send + Sync {
    /// Creates the asset with this external id in the tenant at the
    /// property with the upsert's property external id, or replaces its
    /// fields (and property) keeping its id. Idempotent: the same upsert
    /// again leaves one asset as it was. MUST return `NotFound` when the
    /// account or the property is not in this tenant, and `Conflict`
    /// (writing nothing) when the asset is another account's
    /// (`AssetOfAnotherAccount`) or the property is
    /// (`PropertyOfAnotherAccount`).
    async fn upsert_asset(
        &self,
        tenant: TenantId,
        asset: &AssetUpsert,
        at: DateTime<Utc>,
    ) -> Result<Asset, StoreError>;
    /// The asset with this external id in this tenant (none for another
    /// tenant's).
    async fn asset_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Asset>, StoreError>;
    /// One page of the account's assets, at one property when the query
    /// names one, ordered by property then name (then id), on an index led
    /// by tenant and account. MUST hold only the scope's account's (a
    /// property of another account lists nothing).
    async fn assets(
        &self,
        scope: &AccountScope,
        query: &AssetQuery,
    ) -> Result<Page<Asset>, StoreError>;
    /// The account's asset with this id; none for another account's.
    async fn asset(&self, scope: &AccountScope, id: AssetId) -> Result<Option<Asset>, StoreError>;
    /// One page of the jobs that touched the account's asset `id` (linked
    /// by its external id), newest first (by when they were scheduled,
    /// else created, then id), in one query on an index led by tenant and
    /// the asset's external id. MUST hold
    /// only the scope's account's jobs, and nothing for another
    /// account's asset.
    async fn asset_history(
        &self,
        scope: &AccountScope,
        id: AssetId,
        page: PageRequest,
    ) -> Result<Page<AssetJob>, StoreError>;
}
