//! Tenants on SQLite: one row each, the settings as a JSON document.

use async_trait::async_trait;
use portal_core::ports::{StoreError, TenantStore};
use portal_core::shared::TenantId;
use portal_core::tenancy::{Tenant, TenantSlug};
use sqlx::types::Json;

use super::SqliteStore;
use crate::error::store_error;
use crate::rows::TenantRow;

#[async_trait]
impl TenantStore for SqliteStore {
    async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO tenants (id, slug, base_url, settings) VALUES ($1, $2, $3, $4)")
            .bind(tenant.id.as_uuid())
            .bind(tenant.slug.as_str())
            .bind(tenant.base_url.as_str())
            .bind(Json(&tenant.settings))
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn update_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE tenants SET base_url = $2, settings = $3 WHERE id = $1")
            .bind(tenant.id.as_uuid())
            .bind(tenant.base_url.as_str())
            .bind(Json(&tenant.settings))
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<_, TenantRow>(
            "SELECT id, slug, base_url, settings FROM tenants WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(Tenant::try_from)
        .transpose()
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        sqlx::query_as::<_, TenantRow>(
            "SELECT id, slug, base_url, settings FROM tenants WHERE slug = $1",
        )
        .bind(slug.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(Tenant::try_from)
        .transpose()
    }
}
