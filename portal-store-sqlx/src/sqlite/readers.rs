//! A file database's reader connections, kept in a [`deadpool`] pool
//! rather than sqlx's (see the module above for why), and replaced when
//! one dies.
//!
//! sqlx runs each SQLite connection on a worker thread of its own. If that
//! thread ends (a panic in it, say), the connection answers every statement
//! with `WorkerCrashed` for good; kept in the pool it would fail one read in
//! eight forever, and a store with a long uptime could end with no working
//! reader. Asking the thread whether it lives (a ping) costs a round trip
//! per read, as much as the read. Instead each reader plants a token in its
//! worker thread's thread-local storage when it opens: the thread's end
//! drops the token, and a checkout tests it with one atomic load. A dead
//! reader is taken out of the pool and a fresh one opened in its place, so
//! the pool never shrinks.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};
use std::time::Duration;

use deadpool::Runtime;
use deadpool::unmanaged::{Object, Pool, PoolConfig};
use portal_core::ports::StoreError;
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::error::{backend, store_error};

/// How many connections serve reads on a file database.
pub(super) const READERS: usize = 8;

/// How long a read waits for a free reader before failing (sqlx's default).
const READER_TIMEOUT: Duration = Duration::from_secs(30);

thread_local! {
    /// On a reader's worker thread: the token whose drop, when the thread
    /// ends, tells the pool the reader is dead.
    static WORKER_TOKEN: RefCell<Option<Arc<()>>> = const { RefCell::new(None) };
}

/// A reader connection and the sign of life of its worker thread.
pub(crate) struct Reader {
    conn: SqliteConnection,
    worker: Weak<()>,
}

impl Reader {
    /// Opens a connection and plants the token in its worker thread.
    async fn open(options: &SqliteConnectOptions) -> Result<Self, StoreError> {
        let mut conn = options.connect().await.map_err(store_error)?;
        let worker = plant_token(&mut conn).await.map_err(store_error)?;
        if worker.strong_count() == 0 {
            return Err(backend("the reader's worker thread did not take its token"));
        }
        Ok(Self { conn, worker })
    }

    /// Whether the worker thread still runs: false once it has ended.
    fn is_alive(&self) -> bool {
        self.worker.strong_count() > 0
    }
}

/// Runs a closure on the connection's worker thread (SQLite calls the
/// progress handler from the thread stepping the statement) that stores
/// the token in that thread's thread-local storage.
async fn plant_token(conn: &mut SqliteConnection) -> Result<Weak<()>, sqlx::Error> {
    let token = Arc::new(());
    let worker = Arc::downgrade(&token);
    let mut carried = Some(token);
    conn.lock_handle().await?.set_progress_handler(1, move || {
        if let Some(token) = carried.take() {
            WORKER_TOKEN.with(|slot| *slot.borrow_mut() = Some(token));
        }
        true
    });
    let ran = sqlx::query("SELECT 1").execute(&mut *conn).await;
    // Removed whatever happened, so no statement pays for the handler.
    conn.lock_handle().await?.remove_progress_handler();
    ran?;
    Ok(worker)
}

impl Deref for Reader {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// The pool of readers, and how to open one more.
#[derive(Clone)]
pub(crate) struct Readers {
    pool: Pool<Reader>,
    /// Shared: the options are large, and a store is cloned often.
    options: Arc<SqliteConnectOptions>,
}

impl Readers {
    /// Opens [`READERS`] connections with `options`.
    pub(super) async fn open(options: SqliteConnectOptions) -> Result<Self, StoreError> {
        let readers = Self {
            pool: Pool::from_config(&PoolConfig {
                max_size: READERS,
                timeout: Some(READER_TIMEOUT),
                runtime: Some(Runtime::Tokio1),
            }),
            options: Arc::new(options),
        };
        readers.fill().await?;
        Ok(readers)
    }

    /// A live reader. Dead ones met on the way are dropped and replaced;
    /// a pool left short by a replacement that failed is filled first.
    pub(super) async fn get(&self) -> Result<Object<Reader>, StoreError> {
        // Bounded: at worst every reader was dead, and each is replaced once.
        for _ in 0..=READERS {
            self.fill().await?;
            let reader = self
                .pool
                .get()
                .await
                .map_err(|error| backend(format!("no reader connection: {error}")))?;
            if reader.is_alive() {
                return Ok(reader);
            }
            tracing::warn!("a SQLite reader's worker thread has ended: replacing the reader");
            drop(Object::take(reader));
        }
        Err(backend("no live reader connection"))
    }

    /// Opens readers until the pool has [`READERS`] (one atomic load when
    /// it has).
    async fn fill(&self) -> Result<(), StoreError> {
        while self.pool.status().size < READERS {
            let reader = Reader::open(&self.options).await?;
            // Another task may have filled the last place meanwhile.
            if self.pool.try_add(reader).is_err() {
                break;
            }
        }
        Ok(())
    }

    /// The pool's size and use, for `Debug`.
    pub(super) fn status(&self) -> deadpool::Status {
        self.pool.status()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::str::FromStr;

    use sqlx::Connection;

    use super::*;
    use crate::SqliteStore;
    use crate::common::Backend;
    use crate::sqlite::SqliteReader;

    async fn file_store(dir: &tempfile::TempDir) -> SqliteStore {
        let url = format!("sqlite://{}", dir.path().join("readers.db").display());
        SqliteStore::connect(&url).await.unwrap()
    }

    fn readers(store: &SqliteStore) -> &Readers {
        match &store.backend.read {
            super::super::ReadPath::Kept(readers) => readers,
            super::super::ReadPath::Writer => panic!("a file store keeps readers"),
        }
    }

    /// Puts in place of one idle reader what a reader whose worker thread
    /// ended looks like: its token dropped by the real end of a worker
    /// thread, and a connection on which every statement fails.
    async fn kill_one(readers: &Readers) {
        let victim = Object::take(readers.pool.get().await.unwrap());
        let dead = victim.worker.clone();
        victim.conn.close().await.unwrap();
        wait_for_death(&dead).await;
        let mut conn = readers.options.connect().await.unwrap();
        // Interrupts every statement, as a crashed worker refuses them.
        conn.lock_handle()
            .await
            .unwrap()
            .set_progress_handler(1, || false);
        assert!(sqlx::query("SELECT 1").execute(&mut conn).await.is_err());
        readers
            .pool
            .try_add(Reader { conn, worker: dead })
            .ok()
            .unwrap();
    }

    async fn wait_for_death(worker: &Weak<()>) {
        for _ in 0..200 {
            if worker.strong_count() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the worker thread's token outlived the thread");
    }

    async fn read_one(reader: &mut SqliteReader) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM tenants")
            .fetch_one(&mut **reader)
            .await
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_whose_worker_thread_ended_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(&dir).await;
        kill_one(readers(&store)).await;
        assert_eq!(readers(&store).status().size, READERS);
        // Every reader at once: with the dead one still lent, one of these
        // reads would fail.
        let mut lent = Vec::new();
        for _ in 0..READERS {
            lent.push(store.backend.reader().await.unwrap());
        }
        for reader in &mut lent {
            assert_eq!(read_one(reader).await, 0);
        }
        drop(lent);
        let status = readers(&store).status();
        assert_eq!((status.size, status.available), (READERS, READERS));
        // And reads through the ports go on succeeding.
        for _ in 0..3 * READERS {
            let mut reader = store.backend.reader().await.unwrap();
            assert_eq!(read_one(&mut reader).await, 0);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_reader_dead_is_every_reader_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(&dir).await;
        for _ in 0..READERS {
            kill_one(readers(&store)).await;
        }
        let mut reader = store.backend.reader().await.unwrap();
        assert_eq!(read_one(&mut reader).await, 0);
        drop(reader);
        assert_eq!(readers(&store).status().size, READERS);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_token_lives_exactly_as_long_as_the_worker_thread() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            dir.path().join("token.db").display()
        ))
        .unwrap()
        .create_if_missing(true);
        let reader = Reader::open(&options).await.unwrap();
        assert!(reader.is_alive());
        // Reads do not disturb it, and the handler that planted it is gone.
        let mut conn = reader.conn;
        for _ in 0..10 {
            sqlx::query("SELECT 1").execute(&mut conn).await.unwrap();
        }
        assert_eq!(reader.worker.strong_count(), 1);
        conn.close().await.unwrap();
        wait_for_death(&reader.worker).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pool_left_short_is_filled_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(&dir).await;
        let readers = readers(&store);
        let taken = Object::take(readers.pool.get().await.unwrap());
        drop(taken);
        assert_eq!(readers.status().size, READERS - 1);
        let mut reader = store.backend.reader().await.unwrap();
        assert_eq!(read_one(&mut reader).await, 0);
        assert_eq!(readers.status().size, READERS);
    }
}
