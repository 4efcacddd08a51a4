//! The host's API: the host product pushes its data in by its own ids
//! (idempotent upserts) and runs the portal's administration. It is Rust
//! code of the host's, so it is trusted; the customer-facing checks apply to
//! everything customers do with the data.

use url::Url;

use super::Portal;
use crate::access::Role;
use crate::accounts::{Account, AccountUpsert, Communication};
use crate::error::PortalError;
use crate::identity::{Contact, ContactUpsert, TokenPurpose};
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::shared::{AccountId, CommunicationId, ContactId, TenantId};
use crate::tenancy::{PortalSettings, Tenant, TenantSlug};

/// The host's side of the portal; get one with [`Portal::host`].
pub struct HostApi<'a> {
    pub(super) portal: &'a Portal,
}

impl<'a> HostApi<'a> {
    pub(super) fn new(portal: &'a Portal) -> Self {
        Self { portal }
    }

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
        self.portal.tenants().insert_tenant(&tenant).await?;
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
        self.portal.tenants().update_tenant(&tenant).await?;
        self.portal.forget(id);
        Ok(tenant)
    }

    /// Creates or updates an account by the host's id. Idempotent.
    pub async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, PortalError> {
        if account.name.trim().is_empty() || account.number.trim().is_empty() {
            return Err(PortalError::invalid("account", "needs a name and a number"));
        }
        Ok(self
            .portal
            .accounts()
            .upsert_account(tenant, account)
            .await?)
    }

    /// Switches the portal on or off for an account; the host gets a
    /// [`DomainEvent::PortalAccessChanged`].
    pub async fn set_portal_enabled(
        &self,
        tenant: TenantId,
        account: AccountId,
        enabled: bool,
    ) -> Result<(), PortalError> {
        let event = OutboxMessage::Event(DomainEvent::PortalAccessChanged { account, enabled });
        self.portal
            .accounts()
            .set_portal_enabled(tenant, account, enabled, &[event])
            .await?;
        Ok(())
    }

    /// Creates or updates a contact by the host's id. Idempotent;
    /// `Conflict` when another contact has the e-mail or phone.
    pub async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, PortalError> {
        if contact.name.trim().is_empty() {
            return Err(PortalError::invalid("name", "must not be empty"));
        }
        if contact.email.is_none() && contact.phone.is_none() {
            return Err(PortalError::invalid(
                "contact",
                "needs an e-mail or a phone number to log in with",
            ));
        }
        Ok(self
            .portal
            .identity()
            .upsert_contact(tenant, contact)
            .await?)
    }

    /// Gives a contact a role on an account (or changes it).
    pub async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), PortalError> {
        self.portal
            .identity()
            .grant_membership(tenant, contact, account, role)
            .await?;
        Ok(())
    }

    /// Takes a contact's access to an account away; sessions on it end.
    pub async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), PortalError> {
        self.portal
            .identity()
            .revoke_membership(tenant, contact, account)
            .await?;
        Ok(())
    }

    /// Mails a contact an invitation link (valid for a week) to set a
    /// password. The contact needs an e-mail and a membership.
    pub async fn invite_contact(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<(), PortalError> {
        let tenant = self.portal.tenant(tenant).await?;
        let contact = self
            .portal
            .identity()
            .contact(tenant.id, contact)
            .await?
            .ok_or(PortalError::NotFound)?;
        let email = contact
            .email
            .clone()
            .ok_or_else(|| PortalError::invalid("email", "the contact has no e-mail to invite"))?;
        let memberships = self
            .portal
            .identity()
            .memberships(tenant.id, contact.id)
            .await?;
        if !memberships.iter().any(|m| m.portal_enabled) {
            return Err(PortalError::invalid(
                "contact",
                "has no account with the portal switched on",
            ));
        }
        self.portal
            .mail_token(&tenant, &contact, email, TokenPurpose::Invitation, None)
            .await
    }

    /// Adds an entry to an account's communications log (shown on the
    /// dashboard).
    pub async fn record_communication(
        &self,
        tenant: TenantId,
        account: AccountId,
        channel: &str,
        subject: &str,
        body: &str,
        occurred_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Communication, PortalError> {
        if subject.trim().is_empty() || subject.len() > 200 {
            return Err(PortalError::invalid(
                "subject",
                "must be 1 to 200 characters",
            ));
        }
        let communication = Communication {
            id: CommunicationId::new(),
            account,
            channel: channel.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            occurred_at,
        };
        self.portal
            .accounts()
            .record_communication(tenant, &communication)
            .await?;
        Ok(communication)
    }
}

fn parse_base_url(text: &str) -> Result<Url, PortalError> {
    let url =
        Url::parse(text).map_err(|_| PortalError::invalid("base_url", "is not an absolute URL"))?;
    if !matches!(url.scheme(), "https" | "http") || !url.path().ends_with('/') {
        return Err(PortalError::invalid(
            "base_url",
            "must be an http(s) URL ending in /",
        ));
    }
    Ok(url)
}
