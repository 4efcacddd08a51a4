//! The outbox store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{EventDelivery, OutboxItem};
use crate::shared::{EventId, LeaseId, OutboxId, Page, PageRequest, StoreError, TenantId};

/// The mail and event outbox.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` undelivered rows due at `now` whose lease has
    /// run out, leasing them until `lease_until` under a fresh lease id
    /// (returned in each item). MUST be safe with several workers at once:
    /// a row is handed to one worker only (row locks with `SKIP LOCKED` on
    /// PostgreSQL, one writer on SQLite). For events MUST hand out only
    /// the oldest undelivered (and not given up) event of each stream
    /// ([`super::DomainEvent::stream`]: the account), so a later event of an
    /// account is never delivered while an earlier one is in flight or
    /// waiting for its retry; mails are claimed by due time alone. Each
    /// event comes with its [`EventId`] and the time it was written.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// Marks a row delivered and replaces its payload with
    /// [`super::OutboxMessage::redacted`] (no live link stays in the table). MUST
    /// change nothing when the row's lease is no longer `lease` (it expired
    /// and another worker owns the row now).
    async fn complete_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records an attempt that failed at `failed_at` and clears the lease;
    /// the row is due again at `retry_at`, or given up on (and its payload
    /// redacted) when `retry_at` is `None`, as of `failed_at`. MUST change
    /// nothing when the row's lease is no longer `lease`.
    async fn fail_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        error: &str,
        failed_at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Deletes up to `limit` finished rows: delivered before `before`, or
    /// given up on before it. Returns how many it
    /// deleted. MUST leave every undelivered row that is still being
    /// retried, whatever its age.
    async fn purge_outbox(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError>;
    /// How many rows are waiting for delivery: neither delivered nor given
    /// up on, whether due yet or being retried later (the backlog gauge).
    /// MUST count only those, on the pending rows' index.
    async fn outbox_backlog(&self) -> Result<u64, StoreError>;
    /// Appends attempts to the delivery log, in one statement. MUST keep
    /// each as given.
    async fn record_deliveries(&self, attempts: &[EventDelivery]) -> Result<(), StoreError>;
    /// One page of the tenant's delivery log, newest attempt first, of the
    /// one event `event` or of all. MUST return only `tenant`'s attempts,
    /// on an index (tenant, time), and (tenant, event, time).
    async fn event_deliveries(
        &self,
        tenant: TenantId,
        event: Option<EventId>,
        page: PageRequest,
    ) -> Result<Page<EventDelivery>, StoreError>;
    /// Queues a new delivery of `tenant`'s event `event`: a new row with
    /// the same event id, stream, body and time written, due at once and
    /// behind the stream's undelivered events. Returns false, writing
    /// nothing, when the tenant has no such event (another tenant's, or
    /// purged).
    async fn replay_event(&self, tenant: TenantId, event: EventId) -> Result<bool, StoreError>;
    /// Deletes up to `limit` delivery log entries of attempts before
    /// `before`; returns how many.
    async fn purge_event_deliveries(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError>;
}
