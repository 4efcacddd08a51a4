//! The tenancy store port.

use async_trait::async_trait;

use super::{Tenant, TenantSlug};
use crate::shared::{StoreError, TenantId};

/// Tenants and their settings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Stores a new tenant. MUST return `Conflict` when the slug is taken.
    async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// Replaces a tenant's base URL and settings. MUST return `NotFound` for
    /// an unknown id.
    async fn update_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// The tenant with this id.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// The tenant with this slug.
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
}
