//! Communication rows.

use portal_core::communications::{Communication, LoggedCommunication};
use portal_core::shared::{AccountId, CommunicationId};
use sqlx::FromRow;
use uuid::Uuid;

use super::Timestamp;

/// The columns [`CommunicationRow`] reads, from `communications`.
macro_rules! communication_columns {
    () => {
        "id, account_id, channel, subject, body, occurred_at, direction, staff_name"
    };
}
pub(crate) use communication_columns;

/// A log entry, selected with [`communication_columns!`].
#[derive(FromRow)]
pub(crate) struct CommunicationRow {
    id: Uuid,
    account_id: Uuid,
    channel: String,
    subject: String,
    body: String,
    occurred_at: Timestamp,
    direction: Option<String>,
    staff_name: Option<String>,
}

impl From<CommunicationRow> for LoggedCommunication {
    fn from(row: CommunicationRow) -> Self {
        LoggedCommunication {
            communication: Communication {
                id: CommunicationId::from_uuid(row.id),
                account: AccountId::from_uuid(row.account_id),
                channel: row.channel,
                subject: row.subject,
                body: row.body,
                occurred_at: row.occurred_at.0,
            },
            direction: row.direction,
            staff_name: row.staff_name,
        }
    }
}
