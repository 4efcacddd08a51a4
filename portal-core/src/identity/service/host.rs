//! The host's identity use cases: upserting contacts by the host's id,
//! their memberships of accounts and invitations.

use crate::access::Role;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::identity::{Contact, ContactUpsert, TokenPurpose};
use crate::shared::Reason;
use crate::shared::{AccountId, ContactId, TenantId};

impl HostApi<'_> {
    /// Creates or updates a contact by the host's id. Idempotent;
    /// `Conflict` when another contact has the e-mail or phone.
    pub async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, PortalError> {
        if contact.name.trim().is_empty() {
            return Err(PortalError::invalid("name", Reason::Required));
        }
        if contact.email.is_none() && contact.phone.is_none() {
            return Err(PortalError::invalid("contact", Reason::NoLoginName));
        }
        Ok(self
            .stores()
            .contacts
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
        self.stores()
            .contacts
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
        self.stores()
            .contacts
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
            .stores()
            .contacts
            .contact(tenant.id, contact)
            .await?
            .ok_or(PortalError::NotFound)?;
        let email = contact
            .email
            .clone()
            .ok_or_else(|| PortalError::invalid("email", Reason::Required))?;
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        if !memberships.iter().any(|m| m.portal_enabled) {
            return Err(PortalError::invalid("contact", Reason::PortalOff));
        }
        self.portal
            .identity()
            .mail_token(&tenant, &contact, email, TokenPurpose::Invitation, None)
            .await
    }
}
