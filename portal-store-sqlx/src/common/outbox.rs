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
//! transaction; [`OutboxStore`] is the worker's side, with the host
//! events' delivery log (`event_deliveries`) and replays.

use std::sync::LazyLock;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::outbox::{EventDelivery, OutboxItem, OutboxMessage};
use portal_core::ports::{OutboxStore, StoreError};
use portal_core::shared::{EventId, LeaseId, OutboxId, Page, PageRequest, TenantId};
use sqlx::types::Json;

use super::audit::insert_audit;
use super::{Arg, Backend, Conn, Db, Dialect, DialectOf, SqlStore, Tx, fetch_page, limit_offset};
use crate::error::store_error;
use crate::rows::{EventDeliveryRow, OutboxRow, error_text, outbox_items};

/// How many outbox rows one prebuilt insert writes at most.
const ENQUEUE_CHUNK: usize = 4;

/// The outbox insert of one to [`ENQUEUE_CHUNK`] rows: `$1` tenant, `$2`
/// due, then each row's id, payload, event id and event stream (both NULL
/// for a mail).
const ENQUEUE: [&str; ENQUEUE_CHUNK] = [
    "INSERT INTO outbox (id, tenant_id, payload, due_at, event_id, event_stream) \
         VALUES ($3, $1, $4, $2, $5, $6)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at, event_id, event_stream) \
         VALUES ($3, $1, $4, $2, $5, $6), ($7, $1, $8, $2, $9, $10)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at, event_id, event_stream) \
         VALUES ($3, $1, $4, $2, $5, $6), ($7, $1, $8, $2, $9, $10), \
         ($11, $1, $12, $2, $13, $14)",
    "INSERT INTO outbox (id, tenant_id, payload, due_at, event_id, event_stream) \
         VALUES ($3, $1, $4, $2, $5, $6), ($7, $1, $8, $2, $9, $10), \
         ($11, $1, $12, $2, $13, $14), ($15, $1, $16, $2, $17, $18)",
];

/// Writes `messages` to the outbox on the caller's transaction (audit
/// entries to the audit log, [`insert_audit`]), so they
/// commit or roll back with the change that caused them, in one statement
/// for up to [`ENQUEUE_CHUNK`] of them (on SQLite every statement is a
/// round trip to the writer's thread). They are due at once: `due_at` is
/// the epoch, whatever the clock of the worker that claims them says. An
/// event's row is its event's id, and carries its stream, so the claim
/// keeps each account's events in order.
pub(crate) async fn enqueue<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    let (audit, messages): (Vec<&OutboxMessage>, Vec<&OutboxMessage>) = messages
        .iter()
        .partition(|message| matches!(message, OutboxMessage::Audit(_)));
    for message in audit {
        if let OutboxMessage::Audit(entry) = message {
            insert_audit(conn, entry).await?;
        }
    }
    for chunk in messages.chunks(ENQUEUE_CHUNK) {
        let mut args = vec![Arg::Id(tenant.as_uuid()), Arg::Time(DateTime::UNIX_EPOCH)];
        for message in chunk {
            let id = OutboxId::new().as_uuid();
            let (event, stream) = match message {
                OutboxMessage::Event(event) => (Some(id), Some(event.stream())),
                OutboxMessage::Mail(_) | OutboxMessage::Audit(_) => (None, None),
            };
            args.extend([
                Arg::Id(id),
                Arg::Message(message),
                Arg::OptId(event),
                Arg::OptId(stream),
            ]);
        }
        conn.execute(ENQUEUE[chunk.len() - 1], &args).await?;
    }
    Ok(())
}

/// How many delivery log entries one prebuilt insert writes at most.
const LOG_CHUNK: usize = 16;

/// The delivery log inserts of 1 to [`LOG_CHUNK`] rows, eight values each
/// (id, tenant, event, kind, time, duration, status, error), built once.
static LOG_INSERTS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    (1..=LOG_CHUNK)
        .map(|rows| {
            let values: Vec<String> = (0..rows)
                .map(|row| {
                    let first = row * 8 + 1;
                    let params: Vec<String> = (first..first + 8).map(|n| format!("${n}")).collect();
                    format!("({})", params.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO event_deliveries \
                 (id, tenant_id, event_id, kind, attempted_at, duration_ms, status, error) \
                 VALUES {}",
                values.join(", ")
            );
            &*sql.leak()
        })
        .collect()
});

/// The columns of an [`EventDeliveryRow`].
macro_rules! delivery_columns {
    () => {
        "event_id, tenant_id, kind, attempted_at, duration_ms, status, error"
    };
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

    /// [`LOG_CHUNK`] entries a statement, in one transaction.
    async fn record_deliveries(&self, attempts: &[EventDelivery]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        for chunk in attempts.chunks(LOG_CHUNK) {
            let mut args = Vec::with_capacity(chunk.len() * 8);
            for attempt in chunk {
                args.extend([
                    Arg::Id(uuid::Uuid::now_v7()),
                    Arg::Id(attempt.tenant.as_uuid()),
                    Arg::Id(attempt.event.as_uuid()),
                    Arg::Text(&attempt.kind),
                    Arg::Time(attempt.attempted_at),
                    Arg::Int(i64::from(attempt.duration_ms)),
                    Arg::OptInt(attempt.status.map(i64::from)),
                    Arg::OptText(attempt.error.as_deref().map(error_text)),
                ]);
            }
            conn.execute(LOG_INSERTS[chunk.len() - 1], &args).await?;
        }
        tx.commit().await.map_err(store_error)
    }

    /// Newest first, on `event_deliveries_tenant_idx` (or `_event_idx` for
    /// one event), with its count (`COUNT(*) OVER ()`). `LIMIT +$n`: see
    /// [`crate::common::billing`] on bound limits.
    async fn event_deliveries(
        &self,
        tenant: TenantId,
        event: Option<EventId>,
        page: PageRequest,
    ) -> Result<Page<EventDelivery>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let tenant = Arg::Id(tenant.as_uuid());
        let rows =
            match event {
                None => {
                    fetch_page::<EventDeliveryRow, _>(
                        conn,
                        concat!(
                            "SELECT ",
                            delivery_columns!(),
                            ", COUNT(*) OVER () AS full_count FROM event_deliveries \
                         WHERE tenant_id = $1 \
                         ORDER BY attempted_at DESC, id DESC LIMIT +$2 OFFSET $3"
                        ),
                        "SELECT COUNT(*) FROM event_deliveries WHERE tenant_id = $1",
                        &[tenant, limit, offset],
                        1,
                        page,
                    )
                    .await?
                }
                Some(event) => fetch_page::<EventDeliveryRow, _>(
                    conn,
                    concat!(
                        "SELECT ",
                        delivery_columns!(),
                        ", COUNT(*) OVER () AS full_count FROM event_deliveries \
                         WHERE tenant_id = $1 AND event_id = $2 \
                         ORDER BY attempted_at DESC, id DESC LIMIT +$3 OFFSET $4"
                    ),
                    "SELECT COUNT(*) FROM event_deliveries WHERE tenant_id = $1 AND event_id = $2",
                    &[tenant, Arg::Id(event.as_uuid()), limit, offset],
                    2,
                    page,
                )
                .await?,
            };
        rows.map_items(|rows| rows.into_iter().map(EventDelivery::try_from).collect())
    }

    /// One `INSERT ... SELECT` of the event's first row: same event id,
    /// stream, payload and `created_at`, a new (so later) id, due at once.
    async fn replay_event(&self, tenant: TenantId, event: EventId) -> Result<bool, StoreError> {
        let written = self
            .writer()
            .await?
            .execute(
                "INSERT INTO outbox \
                     (id, tenant_id, payload, due_at, event_id, event_stream, created_at) \
                 SELECT $3, tenant_id, payload, $4, event_id, event_stream, created_at \
                 FROM outbox WHERE tenant_id = $1 AND event_id = $2 \
                 ORDER BY id LIMIT 1",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(event.as_uuid()),
                    Arg::Id(OutboxId::new().as_uuid()),
                    Arg::Time(DateTime::UNIX_EPOCH),
                ],
            )
            .await?;
        Ok(written > 0)
    }

    async fn purge_event_deliveries(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<u64, StoreError> {
        self.writer()
            .await?
            .execute(
                "DELETE FROM event_deliveries WHERE id IN ( \
                     SELECT id FROM event_deliveries WHERE attempted_at < $1 LIMIT +$2)",
                &[Arg::Time(before), Arg::Int(i64::from(limit))],
            )
            .await
    }
}
