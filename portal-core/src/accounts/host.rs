//! The host's account use cases: upserting accounts by the host's id,
//! switching their portal on or off, and their communications log.

use super::{Account, AccountUpsert};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::shared::Reason;
use crate::shared::{AccountId, TenantId};

impl HostApi<'_> {
    /// Creates or updates an account by the host's id. Idempotent.
    pub async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, PortalError> {
        if account.name.trim().is_empty() || account.number.trim().is_empty() {
            return Err(PortalError::invalid("account", Reason::Required));
        }
        Ok(self
            .stores()
            .accounts
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
        self.stores()
            .accounts
            .set_portal_enabled(tenant, account, enabled, &[event])
            .await?;
        Ok(())
    }
}
