//! The SQLite adapter: [`SqliteBackend`], the connections a
//! [`SqliteStore`] runs on, opened by [`SqliteStore::connect`], and its
//! side of the shared seam (`crate::common`: where transactions and
//! connections come from, how values are bound, the statements only SQLite
//! writes so). The ports themselves are written once, in `crate::common`,
//! for [`SqlStore`] on either backend.
//!
//! SQLite allows one writer at a time. A transaction that reads and then
//! writes, begun while another connection writes, fails with `SQLITE_BUSY`
//! instead of waiting. So every write goes through a pool of exactly one
//! connection, and starts with `BEGIN IMMEDIATE` (taking the write lock
//! up front, which also covers a second process on the same file), while
//! reads use their own connections and, thanks to WAL, never wait for the
//! writer.
//!
//! Readers are kept in a [`deadpool`] pool rather than sqlx's: sqlx pings
//! every connection handed back to its pool, and on SQLite a ping is a
//! round trip to the connection's worker thread, as costly as the query
//! itself (a page's reads paid twice the thread switches). A file
//! connection does not go stale, so nothing needs testing on its way back;
//! one whose worker thread ended is replaced ([`readers`]).

mod readers;

use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use deadpool::unmanaged::Object;
use portal_core::ports::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};

use crate::common::billing::summary_columns;
use crate::common::dashboard::{
    communications_order, invoices_order, jobs_order, open_jobs, open_tickets, pending_quotes,
    quotes_order, recent_communications, tickets_order, unpaid_invoices,
};
use crate::common::identity::{session_columns, session_context_sql};
use crate::common::{Backend, Dialect, SqlStore, impl_conn};
use crate::error::{backend, store_error};
use crate::rows::micros;
use readers::{Reader, Readers};

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The store on SQLite: a file next to the host, or memory for tests and
/// demos. Every store port, as [`SqlStore`] implements them; cheap to clone
/// (the pools are shared).
///
/// ```no_run
/// # async fn run() -> Result<(), portal_core::ports::StoreError> {
/// use portal_store_sqlx::SqliteStore;
/// let store = SqliteStore::connect("sqlite://portal.db").await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
pub type SqliteStore = SqlStore<SqliteBackend>;

/// The connections a [`SqliteStore`] runs on: one writer, so read-then-write
/// transactions never meet `SQLITE_BUSY`, and a pool of readers beside it.
/// Made by [`SqliteStore::connect`] and [`SqliteStore::in_memory`].
#[derive(Clone, Debug)]
pub struct SqliteBackend {
    /// Reads.
    read: ReadPath,
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
        if page_cache_is_shared(&write).await? {
            tracing::warn!(
                "SQLite was compiled with SQLITE_ENABLE_MEMORY_MANAGEMENT: its connections share \
                 one page cache behind one lock, which slows concurrent reads; build with \
                 LIBSQLITE3_FLAGS=\"-USQLITE_ENABLE_MEMORY_MANAGEMENT -DSQLITE_DEFAULT_MEMSTATUS=0\" \
                 (see Portal's README, \"Embedding on SQLite\")"
            );
        }
        let read = Readers::open(options).await?;
        Ok(Self {
            backend: SqliteBackend {
                read: ReadPath::Kept(read),
                write,
            },
        })
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
            backend: SqliteBackend {
                read: ReadPath::Writer,
                write: pool,
            },
        })
    }

    /// Whether this process's SQLite shares one page cache among all its
    /// connections: compiled with `SQLITE_ENABLE_MEMORY_MANAGEMENT`, as
    /// libsqlite3-sys does unless `LIBSQLITE3_FLAGS` undefines it. Every
    /// page a read touches then takes one process-wide lock; `connect`
    /// logs a warning when it finds this.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), portal_core::ports::StoreError> {
    /// use portal_store_sqlx::SqliteStore;
    /// let store = SqliteStore::in_memory().await?;
    /// if store.page_cache_is_shared().await? {
    ///     eprintln!("build with LIBSQLITE3_FLAGS, see Portal's README");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn page_cache_is_shared(&self) -> Result<bool, StoreError> {
        page_cache_is_shared(&self.backend.write).await
    }

    /// The writer pool (one connection). Use it for anything that writes,
    /// such as seeding a benchmark, so writes queue instead of failing with
    /// `SQLITE_BUSY`; see the crate docs for how values are encoded.
    pub fn pool(&self) -> &SqlitePool {
        &self.backend.write
    }
}

/// Where a store's reads run.
#[derive(Clone)]
enum ReadPath {
    /// A file database's reader connections.
    Kept(Readers),
    /// An in-memory database's one connection, the writer's.
    Writer,
}

impl std::fmt::Debug for ReadPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Kept(readers) => f.debug_tuple("Kept").field(&readers.status()).finish(),
            Self::Writer => f.write_str("Writer"),
        }
    }
}

/// A connection lent for reads, given back when dropped.
pub(crate) enum SqliteReader {
    /// One of a file database's readers.
    Kept(Object<Reader>),
    /// The writer's pool, for an in-memory database.
    Pooled(PoolConnection<Sqlite>),
}

impl Deref for SqliteReader {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            Self::Kept(conn) => conn,
            Self::Pooled(conn) => conn,
        }
    }
}

impl DerefMut for SqliteReader {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Self::Kept(conn) => conn,
            Self::Pooled(conn) => conn,
        }
    }
}

/// See [`SqliteStore::page_cache_is_shared`].
async fn page_cache_is_shared(pool: &SqlitePool) -> Result<bool, StoreError> {
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    Ok(options
        .iter()
        .any(|option| option == "ENABLE_MEMORY_MANAGEMENT"))
}

async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::migrate!("./migrations/sqlite")
        .run(pool)
        .await
        .map_err(backend)
}

/// Starts a write transaction holding the write lock from the start.
async fn begin(store: &SqliteBackend) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
    store
        .write
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(store_error)
}

/// Every port runs its writes on the writer, in `BEGIN IMMEDIATE`
/// transactions, and its reads on the reader pool.
#[async_trait]
impl Backend for SqliteBackend {
    type Db = Sqlite;
    type Reader = SqliteReader;

    async fn begin(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        begin(self).await
    }

    async fn writer(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        self.write.acquire().await.map_err(store_error)
    }

    async fn reader(&self) -> Result<SqliteReader, StoreError> {
        match &self.read {
            ReadPath::Kept(readers) => readers.get().await.map(SqliteReader::Kept),
            ReadPath::Writer => self
                .write
                .acquire()
                .await
                .map(SqliteReader::Pooled)
                .map_err(store_error),
        }
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
             SELECT id FROM outbox o \
             WHERE delivered_at IS NULL AND NOT gave_up AND due_at <= $1 \
               AND (leased_until IS NULL OR leased_until <= $1) \
               AND (event_stream IS NULL OR NOT EXISTS ( \
                   SELECT 1 FROM outbox e \
                   WHERE e.event_stream = o.event_stream AND e.id < o.id \
                     AND e.delivered_at IS NULL AND NOT e.gave_up)) \
             ORDER BY due_at, id LIMIT +$3) \
         RETURNING id, tenant_id, payload, attempts, due_at, event_id, created_at";
    const LOCK_ACCOUNT: &'static str = "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2";
    const LOCK_DOCUMENT: &'static str =
        "SELECT id, blob_key FROM documents WHERE tenant_id = $1 AND external_id = $2";
    const ROW_LOCKS: bool = false;
    const WINDOW_COUNT: bool = false;
    const LOCK_CREDIT_SOURCES: &'static str = "SELECT id, amount_minor - applied_minor AS unapplied_minor, received_at FROM payments \
         WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
           AND applied_minor < amount_minor \
         ORDER BY id";
    // UUIDs are BLOBs, which JSON cannot hold: they go as hex.
    const SESSION_CONTEXT: &'static str = session_context_sql!(
        "(SELECT json_group_array(json_object( \
             'account_id', hex(ma.account_id), 'account_number', aa.number, \
             'account_name', aa.name, 'role', ma.role, \
             'portal_enabled', aa.portal_enabled AND ma.portal_access, 'has_history', aa.has_history) \
             ORDER BY aa.name, aa.number, aa.id) \
         FROM memberships ma \
         JOIN accounts aa ON aa.id = ma.account_id AND aa.tenant_id = ma.tenant_id \
         WHERE ma.tenant_id = s.tenant_id AND ma.contact_id = s.contact_id)"
    );
    const DASHBOARD: &'static str = concat!(
        "SELECT CASE WHEN $3 THEN (SELECT json_group_array(json_object( \
             'id', hex(id), 'number', number, 'due_on', due_on, \
             'balance_minor', balance_minor, 'currency', currency, 'total', total) ORDER BY ",
        invoices_order!(),
        ") FROM (",
        unpaid_invoices!(),
        ")) END AS invoices, \
         CASE WHEN $4 THEN (SELECT json_group_array(json_object( \
             'id', hex(id), 'number', number, 'title', title, 'status', status, \
             'scheduled_for', window_start, 'total', total) ORDER BY ",
        jobs_order!(),
        ") FROM (",
        open_jobs!(),
        ")) END AS jobs, \
         CASE WHEN $5 THEN (SELECT json_group_array(json_object( \
             'id', hex(id), 'number', number, 'subject', subject, 'status', status, \
             'updated_at', updated_at, 'total', total) ORDER BY ",
        tickets_order!(),
        ") FROM (",
        open_tickets!(),
        ")) END AS tickets, \
         CASE WHEN $7 THEN (SELECT json_group_array(json_object( \
             'id', hex(id), 'number', number, 'title', title, 'valid_until', valid_until, \
             'amount_minor', total_minor, 'currency', currency, 'total', total) ORDER BY ",
        quotes_order!(),
        ") FROM (",
        pending_quotes!(),
        ")) END AS quotes, \
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
