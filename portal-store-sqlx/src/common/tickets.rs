//! Tickets ([`TicketStore`]) on either database: a ticket row, its
//! messages and their attachments' records (the files are in the blob
//! store). A change that depends on the ticket's status is one
//! conditional `UPDATE`, so a reply racing a close cannot land on a
//! closed ticket.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{StoreError, TicketStore};
use portal_core::shared::{AttachmentId, Conflict, ExternalId, Page, TenantId, TicketId, Unique};
use portal_core::tickets::{
    Attachment, Author, Ticket, TicketMessage, TicketQuery, TicketStatus, TicketThread,
    TicketsConflict,
};
use uuid::Uuid;

use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset, outbox};
use crate::error::{backend, store_error};
use crate::rows::tickets::{
    AttachmentRow, MessageRow, TicketRow, message_columns, thread, ticket_columns,
};

/// The filters of an account's ticket list: `$1` tenant, `$2` account,
/// `$3` the filter (`all`, `open`, `closed`).
macro_rules! ticket_filters {
    () => {
        " FROM tickets WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 = 'all' OR ($3 = 'closed') = closed)"
    };
}

/// The account's ticket with this id (no thread).
async fn scoped_ticket<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: TicketId,
) -> Result<Option<Ticket>, StoreError> {
    conn.fetch_optional::<TicketRow>(
        concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1 AND account_id = $2 AND id = $3"
        ),
        &[
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(id.as_uuid()),
        ],
    )
    .await?
    .map(Ticket::try_from)
    .transpose()
}

/// The tenant's ticket with this id (no thread).
async fn tenant_ticket<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: TicketId,
) -> Result<Option<Ticket>, StoreError> {
    conn.fetch_optional::<TicketRow>(
        concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM tickets WHERE tenant_id = $1 AND id = $2"
        ),
        &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
    )
    .await?
    .map(Ticket::try_from)
    .transpose()
}

/// `ticket` with its messages, oldest first.
async fn with_thread<C: Conn>(conn: &mut C, ticket: Ticket) -> Result<TicketThread, StoreError> {
    let rows = conn
        .fetch_all::<MessageRow>(
            concat!(
                "SELECT ",
                message_columns!(),
                " FROM ticket_messages m LEFT JOIN contacts c ON c.id = m.contact_id \
                   LEFT JOIN ticket_attachments a ON a.message_id = m.id \
                 WHERE m.ticket_id = $1 ORDER BY m.created_at, m.id, a.position"
            ),
            &[Arg::Id(ticket.id.as_uuid())],
        )
        .await?;
    Ok(TicketThread {
        ticket,
        messages: thread(rows)?,
    })
}

/// The account's ticket with its thread.
async fn scoped_thread<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: TicketId,
) -> Result<Option<TicketThread>, StoreError> {
    match scoped_ticket(conn, scope, id).await? {
        Some(ticket) => Ok(Some(with_thread(conn, ticket).await?)),
        None => Ok(None),
    }
}

/// Writes `message` of ticket `ticket` with its attachments' records.
async fn insert_message<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    ticket: TicketId,
    message: &TicketMessage,
    external_id: Option<&ExternalId>,
) -> Result<(), StoreError> {
    let (contact, staff_name) = match &message.author {
        Author::Customer { contact, .. } => (Some(contact.as_uuid()), None),
        Author::Staff { name } => (None, Some(name.as_str())),
    };
    conn.execute(
        "INSERT INTO ticket_messages (id, tenant_id, ticket_id, contact_id, staff_name, \
             external_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            Arg::Id(message.id.as_uuid()),
            Arg::Id(tenant.as_uuid()),
            Arg::Id(ticket.as_uuid()),
            Arg::OptId(contact),
            Arg::OptText(staff_name),
            Arg::OptText(external_id.map(ExternalId::as_str)),
            Arg::Text(&message.body),
            Arg::Time(message.at),
        ],
    )
    .await?;
    for (position, attachment) in message.attachments.iter().enumerate() {
        let key = attachment.key.to_string();
        conn.execute(
            "INSERT INTO ticket_attachments (id, tenant_id, ticket_id, message_id, position, \
                 blob_key, name, kind, size) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                Arg::Id(attachment.id.as_uuid()),
                Arg::Id(tenant.as_uuid()),
                Arg::Id(ticket.as_uuid()),
                Arg::Id(message.id.as_uuid()),
                Arg::Int(i64::try_from(position).map_err(backend)?),
                Arg::Text(&key),
                Arg::Text(attachment.name.as_str()),
                Arg::Text(attachment.kind.code()),
                Arg::Int(i64::try_from(attachment.size).map_err(backend)?),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Why a conditional change of the account's ticket touched no row: it is
/// not the account's, or its status is not the one the change needs.
async fn refusal<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: TicketId,
    conflict: TicketsConflict,
) -> StoreError {
    match scoped_ticket(conn, scope, id).await {
        Ok(Some(_)) => StoreError::Conflict(Conflict::Tickets(conflict)),
        Ok(None) => StoreError::NotFound,
        Err(error) => error,
    }
}

#[async_trait]
impl<B: Backend> TicketStore for SqlStore<B> {
    async fn next_ticket_number(&self, tenant: TenantId) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.fetch_optional::<(Uuid,)>(
            "SELECT id FROM tenants WHERE id = $1",
            &[Arg::Id(tenant.as_uuid())],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let (number,) = conn
            .fetch_optional::<(i64,)>(
                "INSERT INTO ticket_counters (tenant_id, last_number) VALUES ($1, 1) \
                 ON CONFLICT (tenant_id) DO UPDATE \
                     SET last_number = ticket_counters.last_number + 1 \
                 RETURNING last_number",
                &[Arg::Id(tenant.as_uuid())],
            )
            .await?
            .ok_or_else(|| backend("the ticket counter returned nothing"))?;
        tx.commit().await.map_err(store_error)?;
        u64::try_from(number).map_err(backend)
    }

    async fn open_ticket(
        &self,
        scope: &AccountScope,
        ticket: &Ticket,
        message: &TicketMessage,
        messages: &[OutboxMessage],
    ) -> Result<TicketThread, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let job = ticket.job.as_ref();
        conn.execute(
            "INSERT INTO tickets (id, tenant_id, account_id, number, category_key, \
                 category_name, subject, status, closed, job_id, job_label, assignee, \
                 opened_by, opened_at, updated_at, message_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            &[
                Arg::Id(ticket.id.as_uuid()),
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
                Arg::Int(i64::try_from(ticket.number).map_err(backend)?),
                Arg::Text(&ticket.category.key),
                Arg::Text(&ticket.category.name),
                Arg::Text(&ticket.subject),
                Arg::Text(ticket.status.as_str()),
                Arg::Bool(!ticket.status.is_open()),
                Arg::OptId(job.map(|job| job.id.as_uuid())),
                Arg::OptText(job.map(|job| job.label.as_str())),
                Arg::OptText(ticket.assignee.as_deref()),
                Arg::Id(ticket.opened_by.as_uuid()),
                Arg::Time(ticket.opened_at),
                Arg::Time(ticket.updated_at),
                Arg::Int(1),
            ],
        )
        .await?;
        insert_message(conn, scope.tenant(), ticket.id, message, None).await?;
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let written = scoped_thread(conn, scope, ticket.id)
            .await?
            .ok_or_else(|| backend("the ticket is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }

    async fn tickets(
        &self,
        scope: &AccountScope,
        query: &TicketQuery,
    ) -> Result<Page<Ticket>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Text(query.filter.as_str()),
            limit,
            offset,
        ];
        fetch_page::<TicketRow, _>(
            conn,
            concat!(
                "SELECT ",
                ticket_columns!(),
                ", COUNT(*) OVER () AS full_count",
                ticket_filters!(),
                " ORDER BY closed, updated_at DESC, id DESC LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", ticket_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Ticket::try_from).collect())
    }

    async fn ticket(
        &self,
        scope: &AccountScope,
        id: TicketId,
    ) -> Result<Option<TicketThread>, StoreError> {
        let conn = &mut *self.reader().await?;
        scoped_thread(conn, scope, id).await
    }

    async fn ticket_of_tenant(
        &self,
        tenant: TenantId,
        id: TicketId,
    ) -> Result<Option<TicketThread>, StoreError> {
        let conn = &mut *self.reader().await?;
        match tenant_ticket(conn, tenant, id).await? {
            Some(ticket) => Ok(Some(with_thread(conn, ticket).await?)),
            None => Ok(None),
        }
    }

    async fn add_customer_message(
        &self,
        scope: &AccountScope,
        id: TicketId,
        message: &TicketMessage,
        messages: &[OutboxMessage],
    ) -> Result<TicketThread, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let changed = conn
            .execute(
                "UPDATE tickets SET status = 'open', updated_at = $4, \
                     message_count = message_count + 1 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND status <> 'closed'",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Time(message.at),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(refusal(conn, scope, id, TicketsConflict::Closed).await);
        }
        insert_message(conn, scope.tenant(), id, message, None).await?;
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let written = scoped_thread(conn, scope, id)
            .await?
            .ok_or_else(|| backend("the ticket is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }

    async fn reopen_ticket(
        &self,
        scope: &AccountScope,
        id: TicketId,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<Ticket, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let changed = conn
            .execute(
                "UPDATE tickets SET status = 'open', closed = $4, updated_at = $5 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND status = 'closed'",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Bool(false),
                    Arg::Time(at),
                ],
            )
            .await?;
        if changed == 0 {
            return Err(refusal(conn, scope, id, TicketsConflict::NotClosed).await);
        }
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let ticket = scoped_ticket(conn, scope, id)
            .await?
            .ok_or_else(|| backend("the ticket is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(ticket)
    }

    async fn add_staff_message(
        &self,
        tenant: TenantId,
        id: TicketId,
        external_id: &ExternalId,
        message: &TicketMessage,
        status: TicketStatus,
    ) -> Result<TicketThread, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let earlier = conn
            .fetch_optional::<(Uuid,)>(
                "SELECT ticket_id FROM ticket_messages WHERE tenant_id = $1 AND external_id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Text(external_id.as_str())],
            )
            .await?;
        match earlier {
            Some((ticket,)) if ticket == id.as_uuid() => {}
            Some(_) => return Err(StoreError::Conflict(Conflict::Taken(Unique::Other))),
            None => {
                let changed = conn
                    .execute(
                        "UPDATE tickets SET status = $3, closed = $4, updated_at = $5, \
                             message_count = message_count + 1 \
                         WHERE tenant_id = $1 AND id = $2",
                        &[
                            Arg::Id(tenant.as_uuid()),
                            Arg::Id(id.as_uuid()),
                            Arg::Text(status.as_str()),
                            Arg::Bool(!status.is_open()),
                            Arg::Time(message.at),
                        ],
                    )
                    .await?;
                if changed == 0 {
                    return Err(StoreError::NotFound);
                }
                insert_message(conn, tenant, id, message, Some(external_id)).await?;
            }
        }
        let ticket = tenant_ticket(conn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let written = with_thread(conn, ticket).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }

    async fn set_ticket_status(
        &self,
        tenant: TenantId,
        id: TicketId,
        status: TicketStatus,
        at: DateTime<Utc>,
    ) -> Result<Ticket, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.execute(
            "UPDATE tickets SET status = $3, closed = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2 AND status <> $3",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(id.as_uuid()),
                Arg::Text(status.as_str()),
                Arg::Bool(!status.is_open()),
                Arg::Time(at),
            ],
        )
        .await?;
        let ticket = tenant_ticket(conn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(store_error)?;
        Ok(ticket)
    }

    async fn attachment(
        &self,
        scope: &AccountScope,
        ticket: TicketId,
        attachment: AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_optional::<AttachmentRow>(
            "SELECT a.id, a.blob_key, a.name, a.kind, a.size \
             FROM ticket_attachments a JOIN tickets t ON t.id = a.ticket_id \
             WHERE t.tenant_id = $1 AND t.account_id = $2 AND t.id = $3 AND a.id = $4",
            &[
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
                Arg::Id(ticket.as_uuid()),
                Arg::Id(attachment.as_uuid()),
            ],
        )
        .await?
        .map(Attachment::try_from)
        .transpose()
    }
}
