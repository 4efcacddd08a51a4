//! The audit log on either database: entries written on the caller's
//! transaction by [`insert_audit`] (the outbox's `enqueue` hands it every
//! `OutboxMessage::Audit`), read by account and by contact ([`AuditStore`]).

use async_trait::async_trait;
use portal_core::access::AccountScope;
use portal_core::audit::{AuditAction, AuditEntry, AuditStore};
use portal_core::ports::StoreError;
use portal_core::shared::{ContactId, Page, PageRequest, TenantId};

use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset};
use crate::error::store_error;
use crate::rows::audit::{AuditRow, audit_columns};

/// Writes `entry` on the caller's transaction.
pub(crate) async fn insert_audit<C: Conn>(
    conn: &mut C,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    let actor_id = entry.actor.id();
    let address = entry.client_addr.map(|address| address.to_string());
    conn.execute(
        concat!(
            "INSERT INTO audit_log (",
            audit_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        ),
        &[
            Arg::Id(entry.id.as_uuid()),
            Arg::Id(entry.tenant.as_uuid()),
            Arg::OptId(entry.account.map(|id| id.as_uuid())),
            Arg::OptId(entry.contact.map(|id| id.as_uuid())),
            Arg::Text(entry.action.as_str()),
            Arg::Text(entry.actor.kind()),
            Arg::OptText(actor_id.as_deref()),
            Arg::Text(entry.actor.name()),
            Arg::OptId(entry.on_behalf_of.map(|id| id.as_uuid())),
            Arg::OptText(entry.detail.as_deref()),
            Arg::OptText(address.as_deref()),
            Arg::OptText(entry.user_agent.as_deref()),
            Arg::Time(entry.at),
        ],
    )
    .await
    .map(drop)
}

#[async_trait]
impl<B: Backend> AuditStore for SqlStore<B> {
    async fn record_audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for entry in entries {
            insert_audit(&mut *tx, entry).await?;
        }
        tx.commit().await.map_err(store_error)
    }

    async fn account_log(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        fetch_page::<AuditRow, _>(
            conn,
            concat!(
                "SELECT ",
                audit_columns!(),
                ", COUNT(*) OVER () AS full_count FROM audit_log \
                 WHERE tenant_id = $1 AND account_id = $2 \
                 ORDER BY at DESC, id DESC LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM audit_log WHERE tenant_id = $1 AND account_id = $2",
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(AuditEntry::try_from).collect())
    }

    async fn sign_ins(
        &self,
        tenant: TenantId,
        contact: ContactId,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.reader()
            .await?
            .fetch_all::<AuditRow>(
                concat!(
                    "SELECT ",
                    audit_columns!(),
                    " FROM audit_log \
                     WHERE tenant_id = $1 AND contact_id = $2 AND action IN ($3, $4) \
                     ORDER BY at DESC, id DESC LIMIT +$5"
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Text(AuditAction::SignedIn.as_str()),
                    Arg::Text(AuditAction::SignInFailed.as_str()),
                    Arg::Int(i64::from(limit)),
                ],
            )
            .await?
            .into_iter()
            .map(AuditEntry::try_from)
            .collect()
    }
}
