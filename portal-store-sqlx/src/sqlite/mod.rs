//! The SQLite adapter: [`SqliteStore`] and its side of the shared seam
//! (`crate::common`: where transactions and connections come from, how
//! values are bound, the statements only SQLite writes so). The ports
//! themselves are written once, in `crate::common`.
//!
//! SQLite allows one writer at a time. A transaction that reads and then
//! writes, begun while another connection writes, fails with `SQLITE_BUSY`
//! instead of waiting. So every write goes through a pool of exactly one
//! connection, and starts with `BEGIN IMMEDIATE` (taking the write lock
//! up front, which also covers a second process on the same file), while
//! reads use their own pool and, thanks to WAL, never wait for the writer.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use portal_core::ports::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};

use crate::common::billing::summary_columns;
use crate::common::dashboard::{
    communications_order, invoices_order, jobs_order, open_jobs, open_tickets,
    recent_communications, tickets_order, unpaid_invoices,
};
use crate::common::identity::session_context_sql;
use crate::common::{Backend, Dialect, impl_conn};
use crate::error::{backend, store_error};
use crate::rows::micros;

/// How many connections serve reads on a file database.
const READERS: u32 = 8;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The store on SQLite: a file next to the host, or memory for tests and
/// demos. Cheap to clone (the pools are shared).
///
/// ```no_run
/// # async fn run() -> Result<(), portal_core::ports::StoreError> {
/// use portal_store_sqlx::SqliteStore;
/// let store = SqliteStore::connect("sqlite://portal.db").await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Reads; the same pool as `write` for an in-memory database.
    read: SqlitePool,
    /// Writes: one connection, so writers queue here instead of failing.
    write: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database file the URL names,
    /// e.g. `sqlite://portal.db` or `sqlite:///var/lib/portal/portal.db`,
    /// and runs the migrations. A `sqlite::memory:` URL gives
    /// [`SqliteStore::in_memory`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Self::in_memory().await;
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(store_error)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses no integrity on a crash, only possibly
            // the last transactions before a power cut; it saves an fsync per
            // commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // No ping on checkout: an embedded file connection does not go stale,
        // and the ping is a round trip to the connection's worker thread on
        // every query (measured: a sixth of the dashboard's throughput).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(store_error)?;
        // Migrate before readers open, so they see the finished schema.
        migrate(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(store_error)?;
        Ok(Self { read, write })
    }

    /// A fresh, empty database in memory, migrated: for tests and demos.
    /// It lives as long as the store (and its clones) do.
    pub async fn in_memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(store_error)?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        // Every connection to `:memory:` is a database of its own, so this
        // store has exactly one, never closed, serving reads and writes.
        let pool = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(store_error)?;
        migrate(&pool).await?;
        Ok(Self {
            read: pool.clone(),
            write: pool,
        })
    }

    /// The writer pool (one connection). Use it for anything that writes,
    /// such as seeding a benchmark, so writes queue instead of failing with
    /// `SQLITE_BUSY`; see the crate docs for how values are encoded.
    pub fn pool(&self) -> &SqlitePool {
        &self.write
    }

    /// The reader pool (the writer pool for an in-memory database).
    pub fn read_pool(&self) -> &SqlitePool {
        &self.read
    }
}

async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::migrate!("./migrations/sqlite")
        .run(pool)
        .await
        .map_err(backend)
}

/// Starts a write transaction holding the write lock from the start.
async fn begin(store: &SqliteStore) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
    store
        .write
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(store_error)
}

/// The shared operations run on the writer for writes, in `BEGIN
/// IMMEDIATE` transactions, and on the reader pool for reads.
#[async_trait]
impl Backend for SqliteStore {
    type Db = Sqlite;

    async fn begin(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        begin(self).await
    }

    async fn writer(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.write.acquire().await.map_err(store_error)
    }

    async fn reader(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.read.acquire().await.map_err(store_error)
    }
}

/// SQLite has no row locks and needs none: every write transaction holds
/// the database's write lock from `BEGIN IMMEDIATE` on. Its JSON lists come
/// from `json_group_array` (which gives `[]` for no rows).
impl Dialect for SqliteConnection {
    const LOCK_CONTACT: &'static str = "SELECT id FROM contacts WHERE tenant_id = $1 AND id = $2";
    const LOCK_CONTACT_EMAIL_BY_EXTERNAL_ID: &'static str =
        "SELECT email FROM contacts WHERE tenant_id = $1 AND external_id = $2";
    // `LIMIT +$3`, not `LIMIT $3`: see `common::billing` on bound limits.
    const CLAIM_OUTBOX: &'static str = "UPDATE outbox SET leased_until = $2, lease_id = $4 \
         WHERE id IN ( \
             SELECT id FROM outbox \
             WHERE delivered_at IS NULL AND NOT gave_up AND due_at <= $1 \
               AND (leased_until IS NULL OR leased_until <= $1) \
             ORDER BY due_at, id LIMIT +$3) \
         RETURNING id, tenant_id, payload, attempts, due_at";
    const LOCK_ACCOUNT: &'static str = "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2";
    const ROW_LOCKS: bool = false;
    const LOCK_CREDIT_SOURCES: &'static str = "SELECT id, amount_minor - applied_minor AS unapplied_minor, received_at FROM payments \
         WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
           AND applied_minor < amount_minor \
         ORDER BY id";
    // UUIDs are BLOBs, which JSON cannot hold: they go as hex.
    const SESSION_CONTEXT: &'static str = session_context_sql!(
        "(SELECT json_group_array(json_object( \
             'account_id', hex(ma.account_id), 'account_number', aa.number, \
             'account_name', aa.name, 'role', ma.role, \
             'portal_enabled', aa.portal_enabled, 'has_history', aa.has_history) \
             ORDER BY aa.name, aa.number, aa.id) \
         FROM memberships ma \
         JOIN accounts aa ON aa.id = ma.account_id AND aa.tenant_id = ma.tenant_id \
         WHERE ma.tenant_id = s.tenant_id AND ma.contact_id = s.contact_id)"
    );
    const DASHBOARD: &'static str = concat!(
        "SELECT CASE WHEN $3 THEN (SELECT json_group_array(json_object( \
             'number', number, 'due_on', due_on, 'balance_minor', balance_minor, \
             'currency', currency, 'total', total) ORDER BY ",
        invoices_order!(),
        ") FROM (",
        unpaid_invoices!(),
        ")) END AS invoices, \
         CASE WHEN $4 THEN (SELECT json_group_array(json_object( \
             'number', number, 'title', title, 'status', status, \
             'scheduled_for', scheduled_for, 'total', total) ORDER BY ",
        jobs_order!(),
        ") FROM (",
        open_jobs!(),
        ")) END AS jobs, \
         CASE WHEN $5 THEN (SELECT json_group_array(json_object( \
             'number', number, 'subject', subject, 'status', status, \
             'updated_at', updated_at, 'total', total) ORDER BY ",
        tickets_order!(),
        ") FROM (",
        open_tickets!(),
        ")) END AS tickets, \
         (SELECT json_group_array(json_object( \
             'id', hex(id), 'account_id', hex(account_id), 'channel', channel, \
             'subject', subject, 'body', body, 'occurred_at', occurred_at, \
             'total', total) ORDER BY ",
        communications_order!(),
        ") FROM (",
        recent_communications!(),
        ")) AS communications, ",
        summary_columns!("$3", "$6")
    );
}

// Timestamps are bound as unix microseconds.
impl_conn!(SqliteConnection, Sqlite, micros);
