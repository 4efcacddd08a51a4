//! A contact's own details on either database ([`ProfileStore`]): name
//! and phone, and e-mail changes kept by the hash of the token mailed to
//! the new address until it confirms them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::identity::{Contact, EmailChange, IdentityConflict, ProfileChange, TokenHash};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{ProfileStore, StoreError};
use portal_core::shared::{ContactId, EmailAddress, PhoneNumber, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use super::{lock_contact, other_phones_json, returning_contact, spend_tokens};
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::{backend, store_error};
use crate::rows::{ContactRow, Timestamp};

/// A pending change as stored.
#[derive(FromRow)]
struct EmailChangeRow {
    hash: String,
    tenant_id: Uuid,
    contact_id: Uuid,
    new_email: String,
    created_at: Timestamp,
    expires_at: Timestamp,
}

impl TryFrom<EmailChangeRow> for EmailChange {
    type Error = StoreError;
    fn try_from(row: EmailChangeRow) -> Result<Self, StoreError> {
        Ok(EmailChange {
            hash: TokenHash::from_stored(row.hash),
            tenant: TenantId::from_uuid(row.tenant_id),
            contact: ContactId::from_uuid(row.contact_id),
            new_email: EmailAddress::parse(&row.new_email).map_err(backend)?,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        })
    }
}

/// The condition that the contact's name, e-mail, phone and other numbers
/// are still those bound at the four placeholders (see [`Unchanged`]).
/// `''` stands for "none": neither column stores it.
macro_rules! unchanged_since {
    ($name:literal, $email:literal, $phone:literal, $others:literal) => {
        concat!(
            " AND name = ",
            $name,
            " AND COALESCE(email, '') = ",
            $email,
            " AND COALESCE(phone, '') = ",
            $phone,
            " AND other_phones = ",
            $others
        )
    };
}

/// The arguments of [`unchanged_since!`]: a contact's details as read.
struct Unchanged<'a> {
    name: Arg<'a>,
    email: Arg<'a>,
    phone: Arg<'a>,
    /// The other numbers as the column keeps them (written by
    /// [`other_phones_json`] only, so equal lists are equal text).
    others: String,
}

impl<'a> Unchanged<'a> {
    fn of(contact: &'a Contact) -> Result<Self, StoreError> {
        Ok(Self {
            name: Arg::Text(&contact.name),
            email: Arg::Text(contact.email.as_ref().map_or("", EmailAddress::as_str)),
            phone: Arg::Text(contact.phone.as_ref().map_or("", PhoneNumber::as_str)),
            others: other_phones_json(&contact.other_phones)?,
        })
    }
}

/// Why a conditional update of contact `id` found no row: it is gone
/// (`NotFound`) or its details changed (`DetailsChanged`).
async fn missing_or_changed<C: Conn>(conn: &mut C, tenant: TenantId, id: ContactId) -> StoreError {
    let exists = conn
        .fetch_optional::<(Uuid,)>(
            "SELECT id FROM contacts WHERE tenant_id = $1 AND id = $2",
            &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
        )
        .await;
    match exists {
        Ok(Some(_)) => StoreError::Conflict(IdentityConflict::DetailsChanged.into()),
        Ok(None) => StoreError::NotFound,
        Err(error) => error,
    }
}

#[async_trait]
impl<B: Backend> ProfileStore for SqlStore<B> {
    /// One conditional update; a clash on the phone index fails it and
    /// becomes the `Conflict` naming the phone.
    async fn update_profile(
        &self,
        tenant: TenantId,
        based_on: &Contact,
        change: &ProfileChange,
        messages: &[OutboxMessage],
    ) -> Result<Contact, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let others = other_phones_json(&change.other_phones)?;
        let before = Unchanged::of(based_on)?;
        let updated = conn
            .fetch_optional::<ContactRow>(
                concat!(
                    "UPDATE contacts SET name = $3, phone = $4, other_phones = $5 \
                     WHERE tenant_id = $1 AND id = $2",
                    unchanged_since!("$6", "$7", "$8", "$9"),
                    returning_contact!()
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(based_on.id.as_uuid()),
                    Arg::Text(&change.name),
                    Arg::OptText(change.phone.as_ref().map(PhoneNumber::as_str)),
                    Arg::Text(&others),
                    before.name,
                    before.email,
                    before.phone,
                    Arg::Text(&before.others),
                ],
            )
            .await?;
        let Some(updated) = updated else {
            return Err(missing_or_changed(conn, tenant, based_on.id).await);
        };
        let updated: Contact = updated.try_into()?;
        enqueue(conn, tenant, messages).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(updated)
    }

    /// Under the contact's lock: spends its pending changes, stores this
    /// one, writes its mail.
    async fn start_email_change(
        &self,
        change: &EmailChange,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        lock_contact(conn, change.tenant, change.contact).await?;
        conn.execute(
            "UPDATE email_changes SET used_at = $3 \
             WHERE tenant_id = $1 AND contact_id = $2 AND used_at IS NULL",
            &[
                Arg::Id(change.tenant.as_uuid()),
                Arg::Id(change.contact.as_uuid()),
                Arg::Time(change.created_at),
            ],
        )
        .await?;
        conn.execute(
            "INSERT INTO email_changes \
                 (hash, tenant_id, contact_id, new_email, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Arg::Text(change.hash.as_str()),
                Arg::Id(change.tenant.as_uuid()),
                Arg::Id(change.contact.as_uuid()),
                Arg::Text(change.new_email.as_str()),
                Arg::Time(change.created_at),
                Arg::Time(change.expires_at),
            ],
        )
        .await?;
        enqueue(conn, change.tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn pending_email_change(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StoreError> {
        self.reader()
            .await?
            .fetch_optional::<EmailChangeRow>(
                "SELECT hash, tenant_id, contact_id, new_email, created_at, expires_at \
                 FROM email_changes \
                 WHERE hash = $1 AND tenant_id = $2 AND used_at IS NULL AND expires_at > $3",
                &[
                    Arg::Text(hash.as_str()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Time(now),
                ],
            )
            .await?
            .map(EmailChange::try_from)
            .transpose()
    }

    /// Spends the change (a conditional update that says whose it is and
    /// to what), then sets the e-mail where the contact's details are
    /// still `based_on`'s: a clash on the e-mail index fails the
    /// statement, a `Conflict`, and the transaction writes nothing.
    async fn complete_email_change(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        based_on: &Contact,
        now: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (contact, new_email) = conn
            .fetch_optional::<(Uuid, String)>(
                "UPDATE email_changes SET used_at = $3 \
                 WHERE hash = $1 AND tenant_id = $2 AND used_at IS NULL AND expires_at > $3 \
                 RETURNING contact_id, new_email",
                &[
                    Arg::Text(hash.as_str()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Time(now),
                ],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact = ContactId::from_uuid(contact);
        if contact != based_on.id {
            return Err(StoreError::NotFound);
        }
        let before = Unchanged::of(based_on)?;
        let updated = conn
            .execute(
                concat!(
                    "UPDATE contacts SET email = $3 WHERE tenant_id = $1 AND id = $2",
                    unchanged_since!("$4", "$5", "$6", "$7")
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Text(&new_email),
                    before.name,
                    before.email,
                    before.phone,
                    Arg::Text(&before.others),
                ],
            )
            .await?;
        if updated == 0 {
            return Err(missing_or_changed(conn, tenant, contact).await);
        }
        spend_tokens(conn, tenant, contact, now).await?;
        enqueue(conn, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }
}
