//! The host's tenancy use cases: creating a tenant and changing its
//! settings.

use crate::shared::{Reason, Shape};
use url::Url;

use super::{PortalSettings, Tenant, TenantSlug};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::shared::TenantId;

impl HostApi<'_> {
    /// Creates a tenant. `base_url` is where its portal is mounted (links in
    /// mails are built from it); `Conflict` when the slug is taken.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal) -> Result<(), portal_core::PortalError> {
    /// use portal_core::tenancy::PortalSettings;
    /// let settings = PortalSettings { display_name: "Acme Pest Control".into(), ..Default::default() };
    /// let tenant = portal.host().create_tenant("acme", "https://portal.acme.test/portal/", settings).await?;
    /// assert_eq!(tenant.slug.as_str(), "acme");
    /// # Ok(()) }
    /// ```
    pub async fn create_tenant(
        &self,
        slug: &str,
        base_url: &str,
        settings: PortalSettings,
    ) -> Result<Tenant, PortalError> {
        settings.validate()?;
        let tenant = Tenant {
            id: TenantId::new(),
            slug: TenantSlug::parse(slug)?,
            base_url: parse_base_url(base_url)?,
            settings,
        };
        self.stores().tenants.insert_tenant(&tenant).await?;
        Ok(tenant)
    }

    /// Replaces a tenant's base URL and settings.
    pub async fn update_tenant(
        &self,
        id: TenantId,
        base_url: &str,
        settings: PortalSettings,
    ) -> Result<Tenant, PortalError> {
        settings.validate()?;
        let current = self.portal.tenant(id).await?;
        let tenant = Tenant {
            id,
            slug: current.slug.clone(),
            base_url: parse_base_url(base_url)?,
            settings,
        };
        self.stores().tenants.update_tenant(&tenant).await?;
        self.portal.forget(id);
        Ok(tenant)
    }
}

fn parse_base_url(text: &str) -> Result<Url, PortalError> {
    let url = Url::parse(text)
        .map_err(|_| PortalError::invalid("base_url", Reason::Malformed(Shape::BaseUrl)))?;
    if !matches!(url.scheme(), "https" | "http") || !url.path().ends_with('/') {
        return Err(PortalError::invalid(
            "base_url",
            Reason::Malformed(Shape::BaseUrl),
        ));
    }
    Ok(url)
}
