//! The PostgreSQL adapter: [`PgStore`], and one file per context with its
//! part of the ports. Native types throughout (UUID, TIMESTAMPTZ, DATE,
//! NUMERIC, JSONB); several portal processes may share one database.

mod accounts;
mod dashboard;
mod identity;
mod outbox;
mod tenancy;

use portal_core::ports::StoreError;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::error::{backend, store_error};

/// Connections per store when [`PgStore::connect`] makes the pool.
const MAX_CONNECTIONS: u32 = 10;

/// The store on PostgreSQL. Cheap to clone (the pool is shared).
///
/// ```no_run
/// # async fn run() -> Result<(), portal_core::ports::StoreError> {
/// use portal_store_sqlx::PgStore;
/// let store = PgStore::connect("postgres://portal@localhost/portal").await?;
/// # let _ = store;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database the URL names (a pool of up to 10
    /// connections) and runs the migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
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
        Ok(Self { pool })
    }

    /// The pool, for seeding and for the host's own queries.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// Starts a transaction.
async fn begin(store: &PgStore) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
    store.pool.begin().await.map_err(store_error)
}
