//! Asset use cases: the customer's list, one asset, its service history;
//! and the host's upsert.

use crate::access::{AccountScope, Actor, Permission};
use crate::assets::{Asset, AssetJob, AssetQuery, AssetUpsert};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::shared::{AccountId, AssetId, ExternalId, Page, PageRequest, TenantId};

crate::portal::service! {
    /// The active account's assets and equipment. Get one from the
    /// [`Portal`](crate::Portal) facade.
    AssetsService
}

impl AssetsService<'_> {
    /// One page of the active account's assets, at one property when the
    /// query names one.
    pub async fn assets(
        self,
        actor: &Actor,
        query: &AssetQuery,
    ) -> Result<Page<Asset>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewAssets).await?;
        Ok(self.stores().assets.assets(&scope, query).await?)
    }

    /// One asset of the active account; `NotFound` for another's.
    pub async fn asset(self, actor: &Actor, id: AssetId) -> Result<Asset, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewAssets).await?;
        self.stores()
            .assets
            .asset(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// One page of an asset's service history (the jobs that touched it,
    /// newest first); `NotFound` for another account's asset.
    pub async fn history(
        self,
        actor: &Actor,
        id: AssetId,
        page: PageRequest,
    ) -> Result<Page<AssetJob>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewAssets).await?;
        if self.stores().assets.asset(&scope, id).await?.is_none() {
            return Err(PortalError::NotFound);
        }
        Ok(self.stores().assets.asset_history(&scope, id, page).await?)
    }
}

impl HostApi<'_> {
    /// Creates or updates an asset by the host's id, idempotently, at the
    /// property with the host's id `property` (one of the account's). An
    /// asset stays with its account: naming it for another is a
    /// `Conflict`, and so is a property of another account; an unknown
    /// account or property is `NotFound`.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::assets::AssetUpsert;
    /// use portal_core::shared::ExternalId;
    /// let boiler = portal.host().upsert_asset(tenant, &AssetUpsert {
    ///     external_id: ExternalId::parse("asset-88")?,
    ///     account,
    ///     property: ExternalId::parse("site-17")?,
    ///     name: "Boiler".into(),
    ///     make: "Viessmann".into(),
    ///     model: "Vitodens 200-W".into(),
    ///     serial_number: "7541-2290".into(),
    ///     location: "Basement plant room".into(),
    ///     installed_on: chrono::NaiveDate::from_ymd_opt(2021, 3, 9),
    ///     next_maintenance_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
    /// }).await?;
    /// assert_eq!(boiler.serial_number, "7541-2290");
    /// # Ok(()) }
    /// ```
    pub async fn upsert_asset(
        &self,
        tenant: TenantId,
        asset: &AssetUpsert,
    ) -> Result<Asset, PortalError> {
        asset.validate()?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .assets
            .upsert_asset(tenant, asset, now)
            .await?)
    }

    /// The asset with the host's id.
    pub async fn asset_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Asset>, PortalError> {
        Ok(self
            .stores()
            .assets
            .asset_by_external_id(tenant, id)
            .await?)
    }

    /// One page of an account's assets, as the host's tools list them.
    pub async fn assets(
        &self,
        tenant: TenantId,
        account: AccountId,
        query: &AssetQuery,
    ) -> Result<Page<Asset>, PortalError> {
        let scope = AccountScope::for_host(tenant, account);
        Ok(self.stores().assets.assets(&scope, query).await?)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::Stores;
    use crate::access::AccessError;
    use crate::ports::MockAssetStore;
    use crate::service_contracts::{member, portal_for, tenant};
    use crate::tenancy::PortalSettings;

    fn assets_on() -> PortalSettings {
        let mut settings = PortalSettings::default();
        settings.features.assets = true;
        settings
    }

    #[tokio::test]
    async fn equipment_is_off_by_default_and_then_nothing_is_read() {
        let tenant = tenant(PortalSettings::default());
        let portal = portal_for(&tenant, Stores::mocks());
        let actor = member(&tenant, AccountId::new());
        let listed = portal.assets().assets(&actor, &AssetQuery::default()).await;
        assert!(matches!(
            listed,
            Err(PortalError::Forbidden(AccessError::FeatureOff))
        ));
        let history = portal
            .assets()
            .history(&actor, AssetId::new(), PageRequest::default())
            .await;
        assert!(matches!(history, Err(PortalError::Forbidden(_))));
    }

    #[tokio::test]
    async fn the_history_of_an_asset_outside_the_scope_is_not_found_unread() {
        let tenant = tenant(assets_on());
        let mut assets = MockAssetStore::new();
        assets.expect_asset().times(1).returning(|_, _| Ok(None));
        // No expectation for asset_history: reading it fails the test.
        let stores = Stores {
            assets: Arc::new(assets),
            ..Stores::mocks()
        };
        let portal = portal_for(&tenant, stores);
        let history = portal
            .assets()
            .history(
                &member(&tenant, AccountId::new()),
                AssetId::new(),
                PageRequest::default(),
            )
            .await;
        assert!(matches!(history, Err(PortalError::NotFound)));
    }

    #[tokio::test]
    async fn a_bad_upsert_never_reaches_the_store() {
        let tenant = tenant(assets_on());
        let portal = portal_for(&tenant, Stores::mocks());
        let bad = AssetUpsert {
            external_id: ExternalId::parse("a-1").unwrap(),
            account: AccountId::new(),
            property: ExternalId::parse("p-1").unwrap(),
            name: "Boiler".into(),
            make: "x".repeat(crate::assets::MAX_ASSET_DETAIL + 1),
            model: String::new(),
            serial_number: String::new(),
            location: String::new(),
            installed_on: None,
            next_maintenance_on: None,
        };
        let refused = portal.host().upsert_asset(tenant.id, &bad).await;
        assert!(matches!(
            refused,
            Err(PortalError::InvalidInput { field: "make", .. })
        ));
    }
}
