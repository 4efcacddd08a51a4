//! The host's side of tickets: reading one, answering it as staff and
//! moving its status.

use crate::error::PortalError;
use crate::host::HostApi;
use crate::notifications::{notify, triggers};
use crate::shared::{TenantId, TicketId, TicketMessageId, check_one_line, check_text};
use crate::tickets::{
    Author, MAX_STAFF_BODY, StaffReply, Ticket, TicketMessage, TicketStatus, TicketThread,
};

impl HostApi<'_> {
    /// The ticket with this id (the id its host event carried) and its
    /// thread.
    pub async fn ticket(
        &self,
        tenant: TenantId,
        id: TicketId,
    ) -> Result<Option<TicketThread>, PortalError> {
        Ok(self.stores().tickets.ticket_of_tenant(tenant, id).await?)
    }

    /// Answers a ticket as the business's staff, idempotently by the
    /// reply's external id (sending it again changes nothing). The ticket
    /// takes `reply.status`, by default waiting for the customer.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, ticket: portal_core::shared::TicketId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::shared::ExternalId;
    /// use portal_core::tickets::{StaffReply, TicketStatus};
    /// portal.host().reply_to_ticket(tenant, ticket, &StaffReply {
    ///     external_id: ExternalId::parse("reply-8812").expect("an id"),
    ///     author_name: "Grace at Acme".into(),
    ///     body: "We will be there Tuesday between 9 and 11.".into(),
    ///     status: Some(TicketStatus::Waiting),
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn reply_to_ticket(
        &self,
        tenant: TenantId,
        id: TicketId,
        reply: &StaffReply,
    ) -> Result<TicketThread, PortalError> {
        check_one_line("author_name", &reply.author_name, 1, 120)?;
        check_text("body", &reply.body, 1, MAX_STAFF_BODY)?;
        let message = TicketMessage {
            id: TicketMessageId::new(),
            author: Author::Staff {
                name: reply.author_name.trim().to_owned(),
            },
            body: reply.body.trim().to_owned(),
            at: self.portal.inner.clock.now(),
            attachments: Vec::new(),
        };
        let status = reply.status.unwrap_or(TicketStatus::Waiting);
        let thread = self
            .stores()
            .tickets
            .add_staff_message(tenant, id, &reply.external_id, &message, status)
            .await?;
        let notice = triggers::ticket_replied(&thread.ticket, &reply.external_id);
        notify(self.portal, tenant, thread.ticket.account, notice, None).await?;
        Ok(thread)
    }

    /// Moves a ticket's status (closing it, or back to open); the
    /// customer sees it at once.
    pub async fn set_ticket_status(
        &self,
        tenant: TenantId,
        id: TicketId,
        status: TicketStatus,
    ) -> Result<Ticket, PortalError> {
        let now = self.portal.inner.clock.now();
        let ticket = self
            .stores()
            .tickets
            .set_ticket_status(tenant, id, status, now)
            .await?;
        if let Some(notice) = triggers::ticket_closed(&ticket) {
            notify(self.portal, tenant, ticket.account, notice, None).await?;
        }
        Ok(ticket)
    }
}
