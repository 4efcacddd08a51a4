//! The outbox on either database: writing messages in the caller's
//! transaction, claiming rows under a fresh lease id, and finishing a row,
//! which only the claim holding its lease may do. A row delivered or given
//! up on keeps its message only [redacted](OutboxMessage::redacted), so no
//! usable link stays in the table.
//!
//! Delivered and given-up rows stay for inspection until the worker purges
//! them ([`OutboxStore::purge_outbox`], after the worker's retention).
//!
//! [`enqueue`] is how every other write adds its messages, on its own
//! transaction; [`OutboxStore`] is the worker's side.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::outbox::{OutboxItem, OutboxMessage};
use portal_core::ports::{OutboxStore, StoreError};
use portal_core::shared::{LeaseId, OutboxId, TenantId};
use sqlx::types::Json;

use super::{Arg, Backend, Conn, Db, Dialect, DialectOf, SqlStore, Tx};
use crate::error::store_error;
use crate::rows::{OutboxRow, error_text, outbox_items};

/// How many outbox rows one prebuilt insert writes at most.
const ENQUEUE_CHUNK: usize = 4;

/// The outbox insert of one to [`ENQUEUE_CHUNK`] rows: `$1` tenant, `$2`
/// due, then each row's id and payload.
const ENQUEUE: [&str; ENQUEUE_CHUNK] = [
    "INSERT INTO outbox (id, tenant_id, payload, due_at) VALUES ($3, $1, $4, $2)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at) VALUES ($3, $1, $4, $2), \
         ($5, $1, $6, $2)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at) VALUES ($3, $1, $4, $2), \
         ($5, $1, $6, $2), ($7, $1, $8, $2)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at) VALUES ($3, $1, $4, $2), \
         ($5, $1, $6, $2), ($7, $1, $8, $2), ($9, $1, $10, $2)",
];

/// Writes `messages` to the outbox on the caller's transaction, so they
/// commit or roll back with the change that caused them, in one statement
/// for up to [`ENQUEUE_CHUNK`] of them (on SQLite every statement is a
/// round trip to the writer's thread). They are due at once: `due_at` is
/// the epoch, whatever the clock of the worker that claims them says.
pub(crate) async fn enqueue<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    for chunk in messages.chunks(ENQUEUE_CHUNK) {
        let mut args = vec![Arg::Id(tenant.as_uuid()), Arg::Time(DateTime::UNIX_EPOCH)];
        for message in chunk {
            args.extend([Arg::Id(OutboxId::new().as_uuid()), Arg::Message(message)]);
        }
        conn.execute(ENQUEUE[chunk.len() - 1], &args).await?;
    }
    Ok(())
}

/// How a claimed row's delivery ended.
enum Outcome<'a> {
    /// Delivered at this time.
    Delivered(DateTime<Utc>),
    /// Failed; due again then.
    Retry { error: &'a str, at: DateTime<Utc> },
    /// Failed for the last time, at this time.
    GaveUp { error: &'a str, at: DateTime<Utc> },
}

impl<'a> Outcome<'a> {
    /// An attempt that failed at `failed_at`: retried at `retry_at`, or
    /// given up on without one.
    fn failed(error: &'a str, failed_at: DateTime<Utc>, retry_at: Option<DateTime<Utc>>) -> Self {
        match retry_at {
            Some(at) => Outcome::Retry { error, at },
            None => Outcome::GaveUp {
                error,
                at: failed_at,
            },
        }
    }
}

/// Records how the delivery of a claimed row ended, only while the row is
/// still undelivered and leased under `lease`: every statement here is
/// conditional on both, so a worker whose lease ran out (and whose row
/// another worker has claimed since) changes nothing. Clears the lease.
async fn finish_outbox<DB: Db>(
    mut tx: Tx<DB>,
    id: OutboxId,
    lease: LeaseId,
    outcome: Outcome<'_>,
) -> Result<(), StoreError> {
    let conn = &mut *tx;
    let (id, lease) = (Arg::Id(id.as_uuid()), Arg::Id(lease.as_uuid()));
    let (sql, details) = match outcome {
        Outcome::Retry { error, at } => {
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $3, due_at = $4, \
                     leased_until = NULL, lease_id = NULL \
                 WHERE id = $1 AND lease_id = $2 AND delivered_at IS NULL",
                &[id, lease, Arg::Text(error_text(error)), Arg::Time(at)],
            )
            .await?;
            return tx.commit().await.map_err(store_error);
        }
        Outcome::Delivered(at) => (
            "UPDATE outbox SET delivered_at = $4, payload = $3, \
                 leased_until = NULL, lease_id = NULL \
             WHERE id = $1 AND lease_id = $2 AND delivered_at IS NULL",
            vec![Arg::Time(at)],
        ),
        // `due_at` becomes the time it was given up on: the purge's clock.
        Outcome::GaveUp { error, at } => (
            "UPDATE outbox SET attempts = attempts + 1, last_error = $4, gave_up = TRUE, \
                 due_at = $5, payload = $3, leased_until = NULL, lease_id = NULL \
             WHERE id = $1 AND lease_id = $2 AND delivered_at IS NULL",
            vec![Arg::Text(error_text(error)), Arg::Time(at)],
        ),
    };
    // The row is done with: keep its message without the links. The read
    // needs no lock, as the update is conditional on the lease again and
    // nothing else changes a payload.
    let stored = conn
        .fetch_optional::<(Json<OutboxMessage>,)>(
            "SELECT payload FROM outbox WHERE id = $1 AND lease_id = $2 AND delivered_at IS NULL",
            &[id, lease],
        )
        .await?;
    let Some((Json(message),)) = stored else {
        // The lease was lost: nothing to change.
        return Ok(());
    };
    let redacted = message.redacted();
    let mut args = vec![id, lease, Arg::Message(&redacted)];
    args.extend(details);
    conn.execute(sql, &args).await?;
    tx.commit().await.map_err(store_error)
}

#[async_trait]
impl<B: Backend> OutboxStore for SqlStore<B> {
    /// Leases up to `limit` due rows until `lease_until` under a fresh
    /// lease id, returned in every item; oldest due first. One statement,
    /// so no transaction: a claim is one round trip.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let lease = LeaseId::new();
        let rows = self
            .writer()
            .await?
            .fetch_all::<OutboxRow>(
                DialectOf::<B>::CLAIM_OUTBOX,
                &[
                    Arg::Time(now),
                    Arg::Time(lease_until),
                    Arg::Int(i64::from(limit)),
                    Arg::Id(lease.as_uuid()),
                ],
            )
            .await?;
        outbox_items(rows, lease)
    }

    async fn complete_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let outcome = Outcome::Delivered(at);
        finish_outbox(self.begin().await?, id, lease, outcome).await
    }

    async fn fail_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        error: &str,
        failed_at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let outcome = Outcome::failed(error, failed_at, retry_at);
        finish_outbox(self.begin().await?, id, lease, outcome).await
    }

    /// Deletes up to `limit` rows delivered before `before`, or given up on
    /// before it (`due_at`, which giving up sets); one statement, each side
    /// on a partial index of its own (migration 0004). Returns how many.
    /// Counts the rows of the pending index (`outbox_pending_due_idx`,
    /// partial on undelivered rows not given up on), so delivered rows
    /// cost the count nothing however many accumulate.
    async fn outbox_backlog(&self) -> Result<u64, StoreError> {
        let (count,) = self
            .reader()
            .await?
            .fetch_optional::<(i64,)>(
                "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND NOT gave_up",
                &[],
            )
            .await?
            .unwrap_or((0,));
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn purge_outbox(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError> {
        self.writer()
            .await?
            .execute(
                "DELETE FROM outbox WHERE id IN ( \
                     SELECT id FROM outbox WHERE delivered_at < $1 \
                     UNION ALL \
                     SELECT id FROM outbox WHERE gave_up AND due_at < $1 \
                     LIMIT +$2)",
                &[Arg::Time(before), Arg::Int(i64::from(limit))],
            )
            .await
    }
}
