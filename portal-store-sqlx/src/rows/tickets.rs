//! Ticket rows: a ticket, and a thread's messages each joined with its
//! attachments (one row per attachment, or one without).

use portal_core::ports::StoreError;
use portal_core::requests::Reference;
use portal_core::shared::{AccountId, AttachmentId, ContactId, JobId, TicketId, TicketMessageId};
use portal_core::tickets::{Attachment, Author, CategoryRef, Ticket, TicketMessage, TicketStatus};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, stored_blob};
use crate::error::backend;

/// The columns [`TicketRow`] reads, from `tickets`.
macro_rules! ticket_columns {
    () => {
        "id, account_id, number, category_key, category_name, subject, status, job_id, \
         job_label, assignee, opened_by, opened_at, updated_at, message_count"
    };
}
pub(crate) use ticket_columns;

/// A ticket, selected with [`ticket_columns!`].
#[derive(FromRow)]
pub(crate) struct TicketRow {
    id: Uuid,
    account_id: Uuid,
    number: i64,
    category_key: String,
    category_name: String,
    subject: String,
    status: String,
    job_id: Option<Uuid>,
    job_label: Option<String>,
    assignee: Option<String>,
    opened_by: Uuid,
    opened_at: Timestamp,
    updated_at: Timestamp,
    message_count: i64,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;

    fn try_from(row: TicketRow) -> Result<Self, StoreError> {
        Ok(Ticket {
            id: TicketId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            number: u64::try_from(row.number).map_err(backend)?,
            category: CategoryRef {
                key: row.category_key,
                name: row.category_name,
            },
            subject: row.subject,
            status: TicketStatus::parse(&row.status)
                .ok_or_else(|| backend(format!("stored ticket status: {}", row.status)))?,
            job: row.job_id.map(|id| Reference {
                id: JobId::from_uuid(id),
                label: row.job_label.unwrap_or_default(),
            }),
            assignee: row.assignee,
            opened_by: ContactId::from_uuid(row.opened_by),
            opened_at: row.opened_at.0,
            updated_at: row.updated_at.0,
            messages: u32::try_from(row.message_count).map_err(backend)?,
        })
    }
}

/// The columns [`MessageRow`] reads: `ticket_messages m` left-joined with
/// `contacts c` and `ticket_attachments a`.
macro_rules! message_columns {
    () => {
        "m.id AS message_id, m.contact_id, c.name AS contact_name, m.staff_name, m.body, \
         m.created_at, a.id AS attachment_id, a.blob_key, a.name AS file_name, a.kind, a.size"
    };
}
pub(crate) use message_columns;

/// A message with one of its attachments (or none).
#[derive(FromRow)]
pub(crate) struct MessageRow {
    message_id: Uuid,
    contact_id: Option<Uuid>,
    contact_name: Option<String>,
    staff_name: Option<String>,
    body: String,
    created_at: Timestamp,
    attachment_id: Option<Uuid>,
    blob_key: Option<String>,
    file_name: Option<String>,
    kind: Option<String>,
    size: Option<i64>,
}

/// The messages of `rows` (ordered by message, then attachment), each
/// with its attachments.
pub(crate) fn thread(rows: Vec<MessageRow>) -> Result<Vec<TicketMessage>, StoreError> {
    let mut messages: Vec<TicketMessage> = Vec::new();
    for row in rows {
        let id = TicketMessageId::from_uuid(row.message_id);
        if messages.last().is_none_or(|last| last.id != id) {
            let author = match (row.contact_id, row.staff_name) {
                (Some(contact), _) => Author::Customer {
                    contact: ContactId::from_uuid(contact),
                    name: row.contact_name.unwrap_or_default(),
                },
                (None, Some(name)) => Author::Staff { name },
                (None, None) => return Err(backend("a ticket message without an author")),
            };
            messages.push(TicketMessage {
                id,
                author,
                body: row.body,
                at: row.created_at.0,
                attachments: Vec::new(),
            });
        }
        if let (Some(attachment), Some(key), Some(name), Some(kind), Some(size)) = (
            row.attachment_id,
            row.blob_key,
            row.file_name,
            row.kind,
            row.size,
        ) {
            let attachment = attachment_of(attachment, &key, &name, &kind, size)?;
            if let Some(message) = messages.last_mut() {
                message.attachments.push(attachment);
            }
        }
    }
    Ok(messages)
}

/// An attachment from its stored columns.
pub(crate) fn attachment_of(
    id: Uuid,
    key: &str,
    name: &str,
    kind: &str,
    size: i64,
) -> Result<Attachment, StoreError> {
    let file = stored_blob(key, name, kind, size)?;
    Ok(Attachment {
        id: AttachmentId::from_uuid(id),
        key: file.key,
        name: file.name,
        kind: file.kind,
        size: file.size,
    })
}

/// An attachment alone (a download's lookup).
#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    id: Uuid,
    blob_key: String,
    name: String,
    kind: String,
    size: i64,
}

impl TryFrom<AttachmentRow> for Attachment {
    type Error = StoreError;

    fn try_from(row: AttachmentRow) -> Result<Self, StoreError> {
        attachment_of(row.id, &row.blob_key, &row.name, &row.kind, row.size)
    }
}
