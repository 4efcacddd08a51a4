//! Property use cases: the customer's reads, and the host's upsert.

use crate::access::{AccountScope, Actor, Permission};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::properties::{Property, PropertyUpsert};
use crate::shared::{ExternalId, Page, PageRequest, PropertyId, TenantId};

crate::portal::service! {
    /// The active account's properties (service locations). Get one from
    /// the [`Portal`](crate::Portal) facade.
    PropertiesService
}

impl PropertiesService<'_> {
    /// One page of the active account's properties, by name.
    pub async fn properties(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Property>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewServices).await?;
        Ok(self.stores().properties.properties(&scope, page).await?)
    }

    /// One property of the active account; `NotFound` for another's.
    pub async fn property(self, actor: &Actor, id: PropertyId) -> Result<Property, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewServices).await?;
        self.stores()
            .properties
            .property(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }
}

impl HostApi<'_> {
    /// Creates or updates a property (service location) by the host's id,
    /// idempotently. A property belongs to one account for good: naming it
    /// for another account is a `Conflict`.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::accounts::Address;
    /// use portal_core::properties::PropertyUpsert;
    /// use portal_core::shared::ExternalId;
    /// let property = portal.host().upsert_property(tenant, &PropertyUpsert {
    ///     external_id: ExternalId::parse("site-17")?,
    ///     account,
    ///     name: "Lake house".into(),
    ///     address: Address { line1: "1 Shore Rd".into(), city: "Springfield".into(), ..Address::default() },
    /// }).await?;
    /// assert_eq!(property.name, "Lake house");
    /// # Ok(()) }
    /// ```
    pub async fn upsert_property(
        &self,
        tenant: TenantId,
        property: &PropertyUpsert,
    ) -> Result<Property, PortalError> {
        property.validate()?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .properties
            .upsert_property(tenant, property, now)
            .await?)
    }

    /// The property with the host's id.
    pub async fn property_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Property>, PortalError> {
        Ok(self
            .stores()
            .properties
            .property_by_external_id(tenant, id)
            .await?)
    }

    /// One page of an account's properties, as the host's tools list them.
    pub async fn properties(
        &self,
        tenant: TenantId,
        account: crate::shared::AccountId,
        page: PageRequest,
    ) -> Result<Page<Property>, PortalError> {
        let scope = AccountScope::for_host(tenant, account);
        Ok(self.stores().properties.properties(&scope, page).await?)
    }
}
