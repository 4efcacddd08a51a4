//! Notifications ([`NotificationStore`]) on either database: the notices
//! told (by key), the feed, and opt-outs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::{AccountScope, Role};
use portal_core::identity::Contact;
use portal_core::notifications::{
    Channel, Feed, Notification, NotificationKind, NotificationStore, Preferences, Recipient,
};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, ContactId, PageRequest, TenantId};
use std::collections::BTreeMap;
use uuid::Uuid;

use super::identity::lock_contact;
use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset, outbox};
use crate::error::{backend, store_error};
use crate::rows::notifications::{NotificationRow, OptOutRow, RecipientRow, notification_columns};

/// Records `kind` on `channel` as switched off for `contact`.
async fn insert_opt_out<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
    (kind, channel): (NotificationKind, Channel),
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO notification_opt_outs (contact_id, tenant_id, kind, channel) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (contact_id, kind, channel) DO NOTHING",
        &[
            Arg::Id(contact.as_uuid()),
            Arg::Id(tenant.as_uuid()),
            Arg::Text(kind.as_str()),
            Arg::Text(channel.as_str()),
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl<B: Backend> NotificationStore for SqlStore<B> {
    async fn recipients(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Vec<Recipient>, StoreError> {
        let conn = &mut *self.reader().await?;
        let args = [Arg::Id(tenant.as_uuid()), Arg::Id(account.as_uuid())];
        let people = conn
            .fetch_all::<RecipientRow>(
                "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                     c.name AS contact_name, c.email AS contact_email, \
                     c.phone AS contact_phone, c.other_phones AS contact_other_phones, \
                     c.enabled AS contact_enabled, \
                     c.language AS contact_language, m.role \
                 FROM memberships m \
                 JOIN contacts c ON c.id = m.contact_id \
                 JOIN accounts a ON a.id = m.account_id \
                 WHERE m.tenant_id = $1 AND m.account_id = $2 AND a.tenant_id = $1 \
                   AND c.enabled AND a.portal_enabled AND m.portal_access \
                 ORDER BY c.name, c.id",
                &args,
            )
            .await?
            .into_iter()
            .map(<(Contact, Role)>::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let mut off: BTreeMap<Uuid, Vec<(NotificationKind, Channel)>> = BTreeMap::new();
        for row in conn
            .fetch_all::<OptOutRow>(
                "SELECT o.contact_id, o.kind, o.channel FROM notification_opt_outs o \
                 JOIN memberships m ON m.contact_id = o.contact_id \
                 WHERE m.tenant_id = $1 AND m.account_id = $2",
                &args,
            )
            .await?
        {
            if let Some(choice) = row.choice() {
                off.entry(row.contact_id).or_default().push(choice);
            }
        }
        Ok(people
            .into_iter()
            .map(|(contact, role)| Recipient {
                preferences: Preferences::from_switched_off(
                    off.remove(&contact.id.as_uuid()).unwrap_or_default(),
                ),
                contact,
                role,
            })
            .collect())
    }

    async fn notify(
        &self,
        tenant: TenantId,
        key: &str,
        feed: &[Notification],
        mails: &[OutboxMessage],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let new = conn
            .execute(
                "INSERT INTO notices (tenant_id, key, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id, key) DO NOTHING",
                &[Arg::Id(tenant.as_uuid()), Arg::Text(key), Arg::Time(at)],
            )
            .await?
            == 1;
        if !new {
            return Ok(false);
        }
        for entry in feed {
            let notice = serde_json::to_string(&entry.notice).map_err(backend)?;
            conn.execute(
                "INSERT INTO notifications (id, tenant_id, account_id, contact_id, kind, \
                     notice, created_at, read_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
                &[
                    Arg::Id(entry.id.as_uuid()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(entry.account.as_uuid()),
                    Arg::Id(entry.contact.as_uuid()),
                    Arg::Text(entry.notice.kind().as_str()),
                    Arg::Text(&notice),
                    Arg::Time(entry.created_at),
                ],
            )
            .await?;
        }
        outbox::enqueue(conn, tenant, mails).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn feed(
        &self,
        scope: &AccountScope,
        contact: ContactId,
        page: PageRequest,
    ) -> Result<Feed, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(contact.as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(scope.tenant().as_uuid()),
            limit,
            offset,
        ];
        let entries = fetch_page::<NotificationRow, _>(
            conn,
            concat!(
                "SELECT ",
                notification_columns!(),
                ", COUNT(*) OVER () AS full_count FROM notifications \
                 WHERE contact_id = $1 AND account_id = $2 AND tenant_id = $3 \
                 ORDER BY created_at DESC, id DESC LIMIT +$4 OFFSET $5"
            ),
            "SELECT COUNT(*) FROM notifications \
             WHERE contact_id = $1 AND account_id = $2 AND tenant_id = $3",
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Notification::try_from).collect())?;
        let (unread,) = conn
            .fetch_optional::<(i64,)>(
                "SELECT COUNT(*) FROM notifications \
                 WHERE contact_id = $1 AND account_id = $2 AND tenant_id = $3 \
                   AND read_at IS NULL",
                &args[..3],
            )
            .await?
            .unwrap_or((0,));
        Ok(Feed {
            page: entries,
            unread: u64::try_from(unread).map_err(backend)?,
        })
    }

    async fn mark_read(
        &self,
        scope: &AccountScope,
        contact: ContactId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = (*tx)
            .execute(
                "UPDATE notifications SET read_at = $4 \
                 WHERE contact_id = $1 AND account_id = $2 AND tenant_id = $3 \
                   AND read_at IS NULL",
                &[
                    Arg::Id(contact.as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Time(at),
                ],
            )
            .await?;
        tx.commit().await.map_err(store_error)?;
        Ok(changed)
    }

    async fn preferences(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Preferences, StoreError> {
        let conn = &mut *self.reader().await?;
        let rows = conn
            .fetch_all::<OptOutRow>(
                "SELECT contact_id, kind, channel FROM notification_opt_outs \
                 WHERE tenant_id = $1 AND contact_id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
            )
            .await?;
        Ok(Preferences::from_switched_off(
            rows.iter().filter_map(OptOutRow::choice),
        ))
    }

    async fn set_preferences(
        &self,
        tenant: TenantId,
        contact: ContactId,
        preferences: &Preferences,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        // NotFound for another tenant's contact; on PostgreSQL the lock
        // also queues two writes of one contact's choices.
        lock_contact(conn, tenant, contact).await?;
        conn.execute(
            "DELETE FROM notification_opt_outs WHERE tenant_id = $1 AND contact_id = $2",
            &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
        )
        .await?;
        for choice in preferences.switched_off() {
            insert_opt_out(conn, tenant, contact, choice).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }

    async fn switch_off(
        &self,
        tenant: TenantId,
        contact: ContactId,
        kind: NotificationKind,
        channel: Channel,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        // NotFound for another tenant's contact; on PostgreSQL the lock
        // also queues two writes of one contact's choices.
        lock_contact(conn, tenant, contact).await?;
        insert_opt_out(conn, tenant, contact, (kind, channel)).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(())
    }
}
