//! The accounts store port.

use async_trait::async_trait;

use super::{Account, AccountUpsert};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::shared::{
    AccountId, EmailAddress, ExternalId, PhoneNumber, PostalCode, StoreError, TenantId,
};

/// Accounts and their communications log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the account or updates the one with the same external id in
    /// this tenant, keeping its id. MUST be idempotent: the same upsert twice
    /// leaves one row and returns the same account.
    async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, StoreError>;
    /// The account with this id in this tenant.
    async fn account(&self, tenant: TenantId, id: AccountId)
    -> Result<Option<Account>, StoreError>;
    /// The account with this external id in this tenant.
    async fn account_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Account>, StoreError>;
    /// Switches the portal on or off for an account and writes `messages`
    /// to the outbox, in one transaction. MUST return `NotFound` for an
    /// account of another tenant.
    async fn set_portal_enabled(
        &self,
        tenant: TenantId,
        account: AccountId,
        enabled: bool,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Accounts in this tenant whose phone, e-mail and postal code on file
    /// are all equal to these (known-facts registration).
    async fn accounts_matching_facts(
        &self,
        tenant: TenantId,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
    ) -> Result<Vec<Account>, StoreError>;
    /// Sets the named custom fields of the scope's account (the others stay
    /// as they are) and writes `messages`, in one transaction; concurrent
    /// edits of different fields MUST both survive (lock the account's row
    /// on PostgreSQL). `NotFound` for an account not in the scope's tenant.
    async fn update_custom_fields(
        &self,
        scope: &AccountScope,
        changes: &std::collections::BTreeMap<String, String>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
}
