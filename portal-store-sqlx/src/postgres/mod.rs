//! The PostgreSQL adapter: [`PgBackend`], the pool a [`PgStore`] runs on,
//! opened by [`PgStore::connect`], and its side of the shared seam
//! (`crate::common`: where transactions and connections come from, how
//! values are bound, the statements only PostgreSQL writes so, such as row
//! locks). The ports themselves are written once, in `crate::common`, for
//! [`SqlStore`] on either backend. Native types throughout (UUID,
//! TIMESTAMPTZ, DATE, NUMERIC, JSONB); several portal processes may share
//! one database.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::ports::StoreError;
use sqlx::Connection;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, Postgres};

use crate::common::billing::summary_columns;
use crate::common::dashboard::{
    communications_order, invoices_order, jobs_order, open_jobs, open_tickets, pending_quotes,
    quotes_order, recent_communications, tickets_order, unpaid_invoices,
};
use crate::common::identity::{session_columns, session_context_sql};
use crate::common::{Backend, Dialect, SqlStore, impl_conn};
use crate::error::{backend, store_error};

/// Connections per store when [`PgStore::connect`] makes the pool.
const MAX_CONNECTIONS: u32 = 10;

/// How long a connection may sit idle before [`PgStore::connect`]'s pool
/// pings it on lending: well under the idle timeouts of common NATs and
/// load balancers (about four minutes and up).
const PING_IF_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// The store on PostgreSQL. Every store port, as [`SqlStore`] implements
/// them; cheap to clone (the pool is shared).
///
/// ```no_run
/// # async fn run() -> Result<(), portal_core::ports::StoreError> {
/// use portal_store_sqlx::PgStore;
/// let store = PgStore::connect("postgres://portal@localhost/portal").await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
pub type PgStore = SqlStore<PgBackend>;

/// The pool a [`PgStore`] runs on. Made by [`PgStore::connect`] and
/// [`PgStore::from_pool`].
#[derive(Clone, Debug)]
pub struct PgBackend {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database the URL names (a pool of up to 10
    /// connections) and runs the migrations.
    ///
    /// The pool pings a connection before lending it only when it sat idle
    /// for more than 30 seconds (a server restart, or a NAT or
    /// load balancer dropping quiet connections, is found then): sqlx
    /// already pings every connection handed back, so pinging busy ones
    /// before lending too was a second round trip per statement.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > PING_IF_IDLE_FOR {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(store_error)?;
        Self::from_pool(pool).await
    }

    /// Uses a pool the host configured itself (size, timeouts, TLS) and
    /// runs the migrations on it.
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(backend)?;
        Ok(Self {
            backend: PgBackend { pool },
        })
    }

    /// The pool, for seeding and for the host's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.backend.pool
    }
}

/// Starts a transaction.
async fn begin(store: &PgBackend) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
    store.pool.begin().await.map_err(store_error)
}

/// Every port runs on the pool, writes in transactions.
#[async_trait]
impl Backend for PgBackend {
    type Db = Postgres;
    type Reader = PoolConnection<Postgres>;

    async fn begin(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        begin(self).await
    }

    async fn writer(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        self.pool.acquire().await.map_err(store_error)
    }

    async fn reader(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        self.pool.acquire().await.map_err(store_error)
    }
}

/// PostgreSQL locks rows where several processes could otherwise
/// interleave.
impl Dialect for PgConnection {
    const LOCK_CONTACT: &'static str =
        "SELECT id FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE";
    const LOCK_CONTACT_EMAIL_BY_EXTERNAL_ID: &'static str =
        "SELECT email FROM contacts WHERE tenant_id = $1 AND external_id = $2 FOR UPDATE";
    // A concurrent claim passes over the rows this one locked instead of
    // waiting or taking them too, so a row is leased to one worker only.
    const CLAIM_OUTBOX: &'static str = "UPDATE outbox SET leased_until = $2, lease_id = $4 \
         WHERE id IN ( \
             SELECT id FROM outbox o \
             WHERE delivered_at IS NULL AND NOT gave_up AND due_at <= $1 \
               AND (leased_until IS NULL OR leased_until <= $1) \
               AND (event_stream IS NULL OR NOT EXISTS ( \
                   SELECT 1 FROM outbox e \
                   WHERE e.event_stream = o.event_stream AND e.id < o.id \
                     AND e.delivered_at IS NULL AND NOT e.gave_up)) \
             ORDER BY due_at, id LIMIT $3 \
             FOR UPDATE SKIP LOCKED) \
         RETURNING id, tenant_id, payload, attempts, due_at, event_id, created_at";
    const LOCK_ACCOUNT: &'static str =
        "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2 FOR UPDATE";
    const LOCK_DOCUMENT: &'static str =
        "SELECT id, blob_key FROM documents WHERE tenant_id = $1 AND external_id = $2 FOR UPDATE";
    const ROW_LOCKS: bool = true;
    const WINDOW_COUNT: bool = true;
    const LOCK_CREDIT_SOURCES: &'static str = "SELECT id, amount_minor - applied_minor AS unapplied_minor, received_at FROM payments \
         WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
           AND applied_minor < amount_minor \
         ORDER BY id FOR UPDATE";
    // `json_agg` of no rows is NULL, hence the COALESCEs; timestamps go as
    // unix microseconds (EXTRACT gives exact NUMERIC seconds), so that
    // neither the session's time zone nor a float touches them.
    const SESSION_CONTEXT: &'static str = session_context_sql!(
        "(SELECT COALESCE(json_agg(json_build_object( \
             'account_id', ma.account_id, 'account_number', aa.number, \
             'account_name', aa.name, 'role', ma.role, \
             'portal_enabled', aa.portal_enabled AND ma.portal_access, 'has_history', aa.has_history) \
             ORDER BY aa.name, aa.number, aa.id), '[]') \
         FROM memberships ma \
         JOIN accounts aa ON aa.id = ma.account_id AND aa.tenant_id = ma.tenant_id \
         WHERE ma.tenant_id = s.tenant_id AND ma.contact_id = s.contact_id)"
    );
    const DASHBOARD: &'static str = concat!(
        "SELECT CASE WHEN $3 THEN (SELECT COALESCE(json_agg(json_build_object( \
             'id', id, 'number', number, 'due_on', due_on, \
             'balance_minor', balance_minor, 'currency', currency, 'total', total) ORDER BY ",
        invoices_order!(),
        "), '[]') FROM (",
        unpaid_invoices!(),
        ") AS panel) END AS invoices, \
         CASE WHEN $4 THEN (SELECT COALESCE(json_agg(json_build_object( \
             'id', id, 'number', number, 'title', title, 'status', status, \
             'scheduled_for', (EXTRACT(EPOCH FROM window_start) * 1000000)::int8, \
             'total', total) ORDER BY ",
        jobs_order!(),
        "), '[]') FROM (",
        open_jobs!(),
        ") AS panel) END AS jobs, \
         CASE WHEN $5 THEN (SELECT COALESCE(json_agg(json_build_object( \
             'id', id, 'number', number, 'subject', subject, 'status', status, \
             'updated_at', (EXTRACT(EPOCH FROM updated_at) * 1000000)::int8, \
             'total', total) ORDER BY ",
        tickets_order!(),
        "), '[]') FROM (",
        open_tickets!(),
        ") AS panel) END AS tickets, \
         CASE WHEN $7 THEN (SELECT COALESCE(json_agg(json_build_object( \
             'id', id, 'number', number, 'title', title, 'valid_until', valid_until, \
             'amount_minor', total_minor, 'currency', currency, 'total', total) ORDER BY ",
        quotes_order!(),
        "), '[]') FROM (",
        pending_quotes!(),
        ") AS panel) END AS quotes, \
         (SELECT COALESCE(json_agg(json_build_object( \
             'id', id, 'account_id', account_id, 'channel', channel, \
             'subject', subject, 'body', body, \
             'occurred_at', (EXTRACT(EPOCH FROM occurred_at) * 1000000)::int8, \
             'total', total) ORDER BY ",
        communications_order!(),
        "), '[]') FROM (",
        recent_communications!(),
        ") AS panel) AS communications, ",
        summary_columns!("$3", "$6")
    );
}

// Timestamps are bound as themselves (TIMESTAMPTZ).
impl_conn!(PgConnection, Postgres, native);

/// PostgreSQL stores a timestamp as itself.
fn native(at: DateTime<Utc>) -> DateTime<Utc> {
    at
}
