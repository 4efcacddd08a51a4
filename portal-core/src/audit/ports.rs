//! The audit log's store port. Entries are written with the change they
//! record, through the outbox's `enqueue` (as `OutboxMessage::Audit`);
//! this port reads them, and writes the entries that record no change
//! (a failed sign-in).

use async_trait::async_trait;

use super::AuditEntry;
use crate::access::AccountScope;
use crate::shared::{ContactId, Page, PageRequest, StoreError, TenantId};

/// The audit log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Writes entries that go with no other change, in one transaction.
    async fn record_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    /// One page of the scope's account's entries, newest first (by time,
    /// then id), on the index (tenant, account, time). MUST NOT return
    /// another tenant's or account's entries.
    async fn account_log(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError>;

    /// The contact's latest sign-ins and failed sign-ins, newest first, at
    /// most `limit`, on the index (tenant, contact, time). MUST NOT return
    /// another tenant's.
    async fn sign_ins(
        &self,
        tenant: TenantId,
        contact: ContactId,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}
