//! Tenants on either database ([`TenantStore`]): one row each, the
//! settings as a JSON document.

use async_trait::async_trait;
use portal_core::ports::{StoreError, TenantStore};
use portal_core::shared::TenantId;
use portal_core::tenancy::{Tenant, TenantSlug};

use super::{Arg, Backend, Conn, SqlStore};
use crate::rows::TenantRow;

/// The tenant found by `$1` in the column `sql` names.
async fn tenant_where<C: Conn>(
    conn: &mut C,
    sql: &'static str,
    key: Arg<'_>,
) -> Result<Option<Tenant>, StoreError> {
    conn.fetch_optional::<TenantRow>(sql, &[key])
        .await?
        .map(Tenant::try_from)
        .transpose()
}

/// The tenant with this id: the port's read, and billing's way to the
/// tenant's currency.
pub(crate) async fn tenant_by_id<C: Conn>(
    conn: &mut C,
    id: TenantId,
) -> Result<Option<Tenant>, StoreError> {
    let sql = "SELECT id, slug, base_url, settings FROM tenants WHERE id = $1";
    tenant_where(conn, sql, Arg::Id(id.as_uuid())).await
}

#[async_trait]
impl<B: Backend> TenantStore for SqlStore<B> {
    /// Adds the tenant; a taken slug is a `Conflict`.
    async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        self.writer()
            .await?
            .execute(
                "INSERT INTO tenants (id, slug, base_url, settings) VALUES ($1, $2, $3, $4)",
                &[
                    Arg::Id(tenant.id.as_uuid()),
                    Arg::Text(tenant.slug.as_str()),
                    Arg::Text(tenant.base_url.as_str()),
                    Arg::Settings(&tenant.settings),
                ],
            )
            .await?;
        Ok(())
    }

    /// Changes the tenant's base URL and settings (its slug stays);
    /// `NotFound` when there is no such tenant.
    async fn update_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        let done = self
            .writer()
            .await?
            .execute(
                "UPDATE tenants SET base_url = $2, settings = $3 WHERE id = $1",
                &[
                    Arg::Id(tenant.id.as_uuid()),
                    Arg::Text(tenant.base_url.as_str()),
                    Arg::Settings(&tenant.settings),
                ],
            )
            .await?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        tenant_by_id(&mut *self.reader().await?, id).await
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        let sql = "SELECT id, slug, base_url, settings FROM tenants WHERE slug = $1";
        tenant_where(&mut *self.reader().await?, sql, Arg::Text(slug.as_str())).await
    }
}
