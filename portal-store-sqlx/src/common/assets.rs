//! Assets ([`AssetStore`]) on either database: the host's upserts, the
//! customer's list (all or one property's), one asset, and its service
//! history.
//!
//! An upsert resolves the host's property id inside the tenant first
//! (unknown: `NotFound`; another account's: a conflict), then inserts
//! (`ON CONFLICT DO NOTHING`) or updates the row while it is the
//! account's. The history is one query over the link of jobs to assets
//! touched, by the asset's external id (`job_assets`, indexed by tenant
//! and asset), joined to the jobs and scoped to the account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::assets::{Asset, AssetJob, AssetQuery, AssetUpsert, AssetsConflict};
use portal_core::ports::{AssetStore, StoreError};
use portal_core::shared::{AssetId, ExternalId, Page, PageRequest, TenantId};
use uuid::Uuid;

use super::{
    Arg, Backend, Conn, SqlStore, account_of_tenant, account_record, by_external_id, fetch_page,
    insert_or_update, limit_offset, scoped,
};
use crate::error::store_error;
use crate::rows::assets::{AssetJobRow, AssetRow, asset_columns};

account_record!(
    Asset,
    AssetRow,
    AssetId,
    "a.",
    concat!(
        "SELECT ",
        asset_columns!(),
        " FROM assets a JOIN properties p ON p.id = a.property_id"
    )
);

/// The list's filters, shared by the page and its count: `$1` tenant,
/// `$2` account, `$3` property or NULL for all of the account's.
macro_rules! asset_filters {
    () => {
        " FROM assets a JOIN properties p ON p.id = a.property_id \
         WHERE a.tenant_id = $1 AND a.account_id = $2 AND ($3 IS NULL OR a.property_id = $3)"
    };
}

/// The history's rows, shared by the page and its count: the jobs of the
/// account (`$2`) in the tenant (`$1`) whose assets touched name `$3`.
macro_rules! history_filters {
    () => {
        " FROM job_assets ja JOIN jobs j ON j.id = ja.job_id \
         WHERE ja.tenant_id = $1 AND ja.asset_external_id = $3 AND j.account_id = $2"
    };
}

#[async_trait]
impl<B: Backend> AssetStore for SqlStore<B> {
    async fn upsert_asset(
        &self,
        tenant: TenantId,
        upsert: &AssetUpsert,
        at: DateTime<Utc>,
    ) -> Result<Asset, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        account_of_tenant(conn, tenant, upsert.account).await?;
        let (tenant_id, account_id) = (tenant.as_uuid(), upsert.account.as_uuid());
        let (property_id, property_account) = conn
            .fetch_optional::<(Uuid, Uuid)>(
                "SELECT id, account_id FROM properties WHERE tenant_id = $1 AND external_id = $2",
                &[Arg::Id(tenant_id), Arg::Text(upsert.property.as_str())],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        if property_account != account_id {
            return Err(StoreError::Conflict(
                AssetsConflict::PropertyOfAnotherAccount.into(),
            ));
        }
        // $1-$3 key the row; $4-$12 are its fields, the same in both
        // statements.
        let args = [
            Arg::Id(tenant_id),
            Arg::Text(upsert.external_id.as_str()),
            Arg::Id(account_id),
            Arg::Id(property_id),
            Arg::Text(&upsert.name),
            Arg::Text(&upsert.make),
            Arg::Text(&upsert.model),
            Arg::Text(&upsert.serial_number),
            Arg::Text(&upsert.location),
            Arg::OptDate(upsert.installed_on),
            Arg::OptDate(upsert.next_maintenance_on),
            Arg::Time(at),
            Arg::Id(AssetId::new().as_uuid()),
        ];
        let asset = insert_or_update::<Asset, _>(
            conn,
            tenant,
            &upsert.external_id,
            [
                "INSERT INTO assets (tenant_id, external_id, account_id, property_id, name, make, \
                     model, serial_number, location, installed_on, next_maintenance_on, \
                     created_at, updated_at, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                "UPDATE assets SET property_id = $4, name = $5, make = $6, model = $7, \
                     serial_number = $8, location = $9, installed_on = $10, \
                     next_maintenance_on = $11, updated_at = $12 \
                 WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3",
            ],
            &args,
            12,
        )
        .await?
        .ok_or(StoreError::Conflict(
            AssetsConflict::AssetOfAnotherAccount.into(),
        ))?;
        tx.commit().await.map_err(store_error)?;
        Ok(asset)
    }

    async fn asset_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Asset>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// One page by property then name, with its count. `LIMIT +$4`: see
    /// [`crate::common::billing`] on bound limits.
    async fn assets(
        &self,
        scope: &AccountScope,
        query: &AssetQuery,
    ) -> Result<Page<Asset>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::OptId(query.property.map(|property| property.as_uuid())),
            limit,
            offset,
        ];
        fetch_page::<AssetRow, _>(
            conn,
            concat!(
                "SELECT ",
                asset_columns!(),
                ", COUNT(*) OVER () AS full_count",
                asset_filters!(),
                " ORDER BY a.property_id, a.name, a.id LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", asset_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Asset::try_from).collect())
    }

    async fn asset(&self, scope: &AccountScope, id: AssetId) -> Result<Option<Asset>, StoreError> {
        let conn = &mut *self.reader().await?;
        scoped(conn, scope, id).await
    }

    /// The asset is read first (scoped to the account, so another
    /// account's asset has no history); then one page of its jobs, newest
    /// first, with the count.
    async fn asset_history(
        &self,
        scope: &AccountScope,
        id: AssetId,
        page: PageRequest,
    ) -> Result<Page<AssetJob>, StoreError> {
        let conn = &mut *self.reader().await?;
        let Some(asset) = scoped::<Asset, _>(conn, scope, id).await? else {
            return Ok(Page::of(Vec::new(), 0, page));
        };
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Text(asset.external_id.as_str()),
            limit,
            offset,
        ];
        fetch_page::<AssetJobRow, _>(
            conn,
            concat!(
                "SELECT j.id AS job_id, j.number AS job_number, j.title AS job_title, \
                     j.status AS job_status, j.window_start AS job_scheduled_for, \
                     COUNT(*) OVER () AS full_count",
                history_filters!(),
                " ORDER BY COALESCE(j.window_start, j.created_at) DESC, j.id DESC \
                 LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", history_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(AssetJob::try_from).collect())
    }
}
