//! The outbox on PostgreSQL. Several portal processes may run a worker
//! each: the claim locks the rows it picks with `FOR UPDATE SKIP LOCKED`,
//! so a concurrent claim passes over them instead of waiting or taking
//! them too, and a row is leased to one worker only.
//! Delivered rows stay for inspection and can be purged at will
//! (`DELETE FROM outbox WHERE delivered_at < ...`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::outbox::{OutboxItem, OutboxMessage};
use portal_core::ports::{OutboxStore, StoreError};
use portal_core::shared::{OutboxId, TenantId};
use sqlx::PgConnection;
use sqlx::types::Json;

use super::PgStore;
use crate::error::store_error;
use crate::rows::{OutboxRow, error_text, outbox_items};

/// Writes `messages` to the outbox on the caller's transaction, so they
/// commit or roll back with the change that caused them. They are due at
/// once: `due_at` is the epoch, whatever the clock of the worker that
/// claims them says.
pub(super) async fn enqueue(
    conn: &mut PgConnection,
    tenant: TenantId,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    for message in messages {
        sqlx::query(
            "INSERT INTO outbox (id, tenant_id, payload, due_at) VALUES ($1, $2, $3, 'epoch')",
        )
        .bind(OutboxId::new().as_uuid())
        .bind(tenant.as_uuid())
        .bind(Json(message))
        .execute(&mut *conn)
        .await
        .map_err(store_error)?;
    }
    Ok(())
}

#[async_trait]
impl OutboxStore for PgStore {
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let rows = sqlx::query_as::<_, OutboxRow>(
            "UPDATE outbox SET leased_until = $2 \
             WHERE id IN ( \
                 SELECT id FROM outbox \
                 WHERE delivered_at IS NULL AND NOT gave_up AND due_at <= $1 \
                   AND (leased_until IS NULL OR leased_until <= $1) \
                 ORDER BY due_at, id LIMIT $3 \
                 FOR UPDATE SKIP LOCKED) \
             RETURNING id, tenant_id, payload, attempts, due_at",
        )
        .bind(now)
        .bind(lease_until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        outbox_items(rows)
    }

    async fn complete_outbox(&self, id: OutboxId, at: DateTime<Utc>) -> Result<(), StoreError> {
        // The row is kept, payload and all, for inspection; delivered rows
        // can be purged at will. (A payload may hold a set-password link,
        // which is single use and expires within the hour or week anyway.)
        sqlx::query("UPDATE outbox SET delivered_at = $2, leased_until = NULL WHERE id = $1")
            .bind(id.as_uuid())
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn fail_outbox(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let query = match retry_at {
            Some(retry_at) => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, due_at = $3, \
                     leased_until = NULL \
                 WHERE id = $1",
            )
            .bind(id.as_uuid())
            .bind(error_text(error))
            .bind(retry_at),
            None => sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, gave_up = TRUE, \
                     leased_until = NULL \
                 WHERE id = $1",
            )
            .bind(id.as_uuid())
            .bind(error_text(error)),
        };
        query.execute(&self.pool).await.map_err(store_error)?;
        Ok(())
    }
}
