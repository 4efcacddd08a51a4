//! # portal-store-sqlx
//!
//! Portal's store ports ([`portal_core::ports`]) on SQLite, the embedded
//! default, and on PostgreSQL, with their migrations. One store,
//! [`SqlStore`], implements every context trait once for both databases,
//! so it is a [`Store`] on either; hosts name it by its database:
//!
//! - [`SqliteStore`] (`SqlStore<`[`SqliteBackend`]`>`): one file (or
//!   memory) next to the host. WAL, one writer connection so
//!   read-then-write transactions never meet `SQLITE_BUSY`, a pool of
//!   readers beside it.
//! - [`PgStore`] (`SqlStore<`[`PgBackend`]`>`): a PostgreSQL pool; several
//!   portal processes may share the database (the outbox claim uses
//!   `FOR UPDATE SKIP LOCKED`).
//!
//! Each store runs its migrations (`migrations/sqlite`, `migrations/postgres`)
//! when it connects. Queries are plain runtime queries with bound
//! parameters; the conformance suite in `tests/it` runs every contract of
//! the ports against both databases.
//!
//! ```no_run
//! # async fn run() -> Result<(), portal_core::ports::StoreError> {
//! // Pick by URL: `sqlite://portal.db`, `sqlite::memory:`, `postgres://...`
//! let store = portal_store_sqlx::connect("sqlite://portal.db").await?;
//! # let _ = store;
//! # Ok(())
//! # }
//! ```
//!
//! ## Storage encodings
//!
//! The tables and indexes are the same on both databases. Where SQLite has
//! no native type, values are stored as follows (hosts and benchmarks that
//! seed through [`SqliteStore::pool`] write them the same way):
//!
//! | value | PostgreSQL | SQLite |
//! | --- | --- | --- |
//! | ids | `UUID` | `BLOB`, the UUID's 16 bytes (sqlx's `Uuid` encoding) |
//! | timestamps | `TIMESTAMPTZ` | `INTEGER` unix microseconds, UTC |
//! | dates | `DATE` | `TEXT` `YYYY-MM-DD` |
//! | money | `BIGINT` whole minor units (cents) | `INTEGER` whole minor units |
//! | line quantities, prices, tax rates | `TEXT` decimal | `TEXT` decimal |
//! | documents | `JSONB` | `TEXT` JSON |
//! | files (invoice PDFs) | `BYTEA` | `BLOB` |
//! | booleans | `BOOLEAN` | `INTEGER` 0/1 |
//!
//! Money columns end in `_minor` and hold whole minor units of the row's
//! currency ([`portal_core::shared::Currency::to_minor`]), so sums, filters
//! and sorts are integer SQL, identical on both; they become
//! [`rust_decimal::Decimal`] through `Currency::from_minor`. Line values
//! are decimal text, only stored and shown. No float is involved anywhere.
//! Timestamps keep microseconds on both.
//!
//! ## Modules
//!
//! - `common/`: what both databases share: [`SqlStore`] and every port's
//!   one implementation, `impl<B: Backend> InvoiceStore for SqlStore<B>`
//!   and so on, in the file of its context next to the SQL it runs
//!   (`tenancy`, `accounts`, `identity/`, `outbox`, `dashboard`,
//!   `billing/`), as SQL that runs unchanged on both, over a small seam
//!   (`Backend`: where a store's transactions and connections come from;
//!   `Conn`: run a statement with bound `Arg`s; `Dialect`: the few
//!   statements that differ, such as row locks)
//! - `sqlite/` and `postgres/`: each database's backend ([`SqliteBackend`],
//!   [`PgBackend`]), its connection setup (`SqliteStore::connect`,
//!   `PgStore::connect`) and its side of the seam
//! - `rows`: row shapes both databases return and their mapping to core's
//!   models
//! - `error`: database errors to [`StoreError`]
//!
//! ## Concurrency
//!
//! Every write about one contact's password, tokens or sessions first locks
//! the contact's row on PostgreSQL (`SELECT ... FOR UPDATE`), so such writes
//! for one contact queue, always taking their locks in the same order; on
//! SQLite every write transaction holds the database's write lock from
//! `BEGIN IMMEDIATE`. Outbox rows are claimed under a fresh lease id, and
//! only that lease completes or fails them. Money moves are conditional
//! updates (an invoice takes a payment only while what it has payable
//! covers it), taking row locks in one order: invoices by id, then
//! payments by id; idempotency keys and external ids are unique indexes
//! written with `ON CONFLICT DO NOTHING`, so racing duplicates find the
//! first instead of failing.

mod common;
mod error;
mod postgres;
mod rows;
mod sqlite;

use std::sync::Arc;

use portal_core::ports::{Store, StoreError};

pub use common::SqlStore;
pub use postgres::{PgBackend, PgStore};
pub use sqlite::{SqliteBackend, SqliteStore};

/// Connects to the database the URL names and runs its migrations:
/// `sqlite:` URLs open a [`SqliteStore`] (`sqlite::memory:` an in-memory
/// one), `postgres:` and `postgresql:` URLs a [`PgStore`]. Any other scheme
/// is a [`StoreError::Backend`].
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Arc::new(SqliteStore::connect(url).await?)),
        "postgres" | "postgresql" => Ok(Arc::new(PgStore::connect(url).await?)),
        // Only the scheme is echoed: the rest may hold a password.
        _ => Err(StoreError::Backend(format!(
            "unsupported database URL scheme `{scheme}`: expected sqlite: or postgres:"
        ))),
    }
}
