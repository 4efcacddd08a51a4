//! The communications store port.

use async_trait::async_trait;

use super::{CommunicationRecord, LoggedCommunication};
use crate::access::AccountScope;
use crate::shared::{CommunicationId, Page, PageRequest, StoreError, TenantId};

/// The communications log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CommunicationStore: Send + Sync {
    /// Writes the entry under `id`, or, when the tenant has one by the
    /// record's external id, updates that one (keeping its id and
    /// account); returns it as stored. MUST return `NotFound` when the
    /// account is not `tenant`'s, and be one statement so two racing
    /// records of one id leave one entry.
    async fn record_communication(
        &self,
        tenant: TenantId,
        id: CommunicationId,
        record: &CommunicationRecord,
    ) -> Result<LoggedCommunication, StoreError>;

    /// One page of the scope's account's log, latest first, on the index
    /// (tenant, account, time).
    async fn communications(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<LoggedCommunication>, StoreError>;
}
