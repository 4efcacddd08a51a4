//! The tickets store port: tickets, their threads and the attachments'
//! records (the files themselves are in the
//! [`BlobStore`](crate::blobs::BlobStore)).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Ticket, TicketMessage, TicketQuery, TicketStatus, TicketThread};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::shared::{AttachmentId, ExternalId, Page, StoreError, TenantId, TicketId};

use super::Attachment;

/// Tickets and their threads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TicketStore: Send + Sync {
    /// The number the tenant's next ticket takes: 1 for its first, and
    /// each call one above the last, also when calls race (a number given
    /// to a ticket that is then not written is skipped, not reused).
    /// MUST return `NotFound` for an unknown tenant.
    async fn next_ticket_number(&self, tenant: TenantId) -> Result<u64, StoreError>;

    /// Writes `ticket` (of the scope's account) with its opening
    /// `message` (and its attachments' records) and `messages`, in one
    /// transaction, and returns it with its thread as stored.
    async fn open_ticket(
        &self,
        scope: &AccountScope,
        ticket: &Ticket,
        message: &TicketMessage,
        messages: &[OutboxMessage],
    ) -> Result<TicketThread, StoreError>;

    /// One page of the account's tickets on `query`'s filter: those not
    /// closed first, then closed ones, each latest activity first (then
    /// id), with the total. MUST hold only the scope's account's.
    async fn tickets(
        &self,
        scope: &AccountScope,
        query: &TicketQuery,
    ) -> Result<Page<Ticket>, StoreError>;

    /// The account's ticket with its thread (oldest message first, each
    /// with its attachments); none for another account's.
    async fn ticket(
        &self,
        scope: &AccountScope,
        id: TicketId,
    ) -> Result<Option<TicketThread>, StoreError>;

    /// The tenant's ticket with its thread (the host's read).
    async fn ticket_of_tenant(
        &self,
        tenant: TenantId,
        id: TicketId,
    ) -> Result<Option<TicketThread>, StoreError>;

    /// Adds the customer's `message` to the account's ticket, sets it
    /// open, and writes `messages`, in one transaction.
    ///
    /// - MUST return `NotFound` for a ticket not of the scope's account.
    /// - MUST return `Conflict(Tickets(Closed))` when the ticket is closed
    ///   (checked in the same statement that changes it, so a reply racing
    ///   a close cannot land on a closed ticket).
    async fn add_customer_message(
        &self,
        scope: &AccountScope,
        id: TicketId,
        message: &TicketMessage,
        messages: &[OutboxMessage],
    ) -> Result<TicketThread, StoreError>;

    /// Reopens the account's closed ticket and writes `messages`, in one
    /// transaction. MUST return `NotFound` for another account's ticket and
    /// `Conflict(Tickets(NotClosed))` for one that is not closed.
    async fn reopen_ticket(
        &self,
        scope: &AccountScope,
        id: TicketId,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<Ticket, StoreError>;

    /// Adds the host's reply (a staff message) to the tenant's ticket and
    /// sets `status`, in one transaction.
    ///
    /// - MUST return `NotFound` for a ticket not in this tenant.
    /// - MUST change nothing when a reply with `external_id` is already
    ///   on this ticket (the host sending it again), and return the thread.
    /// - MUST return `Conflict(Taken(Other))` when `external_id` names a
    ///   reply on another ticket.
    async fn add_staff_message(
        &self,
        tenant: TenantId,
        id: TicketId,
        external_id: &ExternalId,
        message: &TicketMessage,
        status: TicketStatus,
    ) -> Result<TicketThread, StoreError>;

    /// Sets the tenant's ticket's status (the host's). MUST return
    /// `NotFound` for a ticket not in this tenant; setting the status it
    /// has changes nothing (not even its time).
    async fn set_ticket_status(
        &self,
        tenant: TenantId,
        id: TicketId,
        status: TicketStatus,
        at: DateTime<Utc>,
    ) -> Result<Ticket, StoreError>;

    /// The attachment `attachment` of the account's ticket `ticket`; none
    /// when either is not the account's or the attachment is not on that
    /// ticket.
    async fn attachment(
        &self,
        scope: &AccountScope,
        ticket: TicketId,
        attachment: AttachmentId,
    ) -> Result<Option<Attachment>, StoreError>;
}
