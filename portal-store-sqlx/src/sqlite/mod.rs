//! The SQLite adapter: [`SqliteStore`], and one file per context with its
//! part of the ports.
//!
//! SQLite allows one writer at a time. A transaction that reads and then
//! writes, begun while another connection writes, fails with `SQLITE_BUSY`
//! instead of waiting. So every write goes through a pool of exactly one
//! connection, and starts with `BEGIN IMMEDIATE` (taking the write lock
//! up front, which also covers a second process on the same file), while
//! reads use their own pool and, thanks to WAL, never wait for the writer.

mod accounts;
mod dashboard;
mod identity;
mod outbox;
mod tenancy;

use std::str::FromStr;
use std::time::Duration;

use portal_core::ports::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{backend, store_error};

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
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(store_error)?;
        // Migrate before readers open, so they see the finished schema.
        migrate(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(READERS)
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
async fn begin(
    store: &SqliteStore,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
    store
        .write
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(store_error)
}
