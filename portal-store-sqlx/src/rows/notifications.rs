//! Notification rows: a recipient (a contact and their role on the
//! account), a feed entry, an opt-out.

use portal_core::access::Role;
use portal_core::identity::Contact;
use portal_core::notifications::{Channel, Notice, Notification, NotificationKind};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, ContactId, NotificationId};
use sqlx::FromRow;
use uuid::Uuid;

use super::Timestamp;
use super::identity::ContactRow;
use crate::error::backend;

/// A contact with their role, selected with the columns [`ContactRow`]
/// names and `m.role`.
#[derive(FromRow)]
pub(crate) struct RecipientRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    role: String,
}

impl TryFrom<RecipientRow> for (Contact, Role) {
    type Error = StoreError;

    fn try_from(row: RecipientRow) -> Result<Self, StoreError> {
        let role =
            Role::parse(&row.role).ok_or_else(|| backend(format!("stored role: {}", row.role)))?;
        Ok((Contact::try_from(row.contact)?, role))
    }
}

/// The columns [`NotificationRow`] reads, from `notifications`.
macro_rules! notification_columns {
    () => {
        "id, account_id, contact_id, notice, created_at, read_at"
    };
}
pub(crate) use notification_columns;

/// A feed entry, selected with [`notification_columns!`].
#[derive(FromRow)]
pub(crate) struct NotificationRow {
    id: Uuid,
    account_id: Uuid,
    contact_id: Uuid,
    notice: String,
    created_at: Timestamp,
    read_at: Option<Timestamp>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;

    fn try_from(row: NotificationRow) -> Result<Self, StoreError> {
        Ok(Notification {
            id: NotificationId::from_uuid(row.id),
            contact: ContactId::from_uuid(row.contact_id),
            account: AccountId::from_uuid(row.account_id),
            notice: serde_json::from_str::<Notice>(&row.notice).map_err(backend)?,
            created_at: row.created_at.0,
            read_at: row.read_at.map(|at| at.0),
        })
    }
}

/// One switched-off kind and channel of a contact.
#[derive(FromRow)]
pub(crate) struct OptOutRow {
    pub(crate) contact_id: Uuid,
    kind: String,
    channel: String,
}

impl OptOutRow {
    /// The kind and channel, or `None` for a kind this version does not
    /// know (written by a newer one): it is left alone.
    pub(crate) fn choice(&self) -> Option<(NotificationKind, Channel)> {
        Some((
            NotificationKind::parse(&self.kind)?,
            Channel::parse(&self.channel)?,
        ))
    }
}
