//! What both databases share: every store port, written once over a small
//! seam that each database implements.
//!
//! [`SqlStore`] is the store, generic over its [`Backend`] (where its
//! transactions and connections come from: `SqliteBackend` or `PgBackend`).
//! Each port of `portal_core::ports` is implemented once, for `SqlStore<B>`
//! on any backend, in the file of its context, next to the SQL it runs:
//! `tenancy`, `accounts`, `identity/` (contacts, credentials, lockouts,
//! sessions, tokens), `outbox`, `dashboard`, `billing/` (invoices,
//! payments, ledger, payment methods, autopay), `quotes`, `properties`, `rentals`,
//! `service_contracts`, `assets` and `jobs`. A method takes
//! what it needs from the backend, a transaction ([`SqlStore::begin`]), the writer for one
//! statement that writes ([`SqlStore::writer`]) or a reader
//! ([`SqlStore::reader`]), and runs its statements on it; what several
//! methods share stays a function over a connection ([`Conn`]), such as
//! [`outbox::enqueue`].
//!
//! The SQL in here is the same text on both databases: placeholders are
//! `$1`, `$2`, ... (SQLite reads them too), values are bound as [`Arg`]s and
//! each database encodes them its own way (a timestamp is `TIMESTAMPTZ` on
//! PostgreSQL and unix microseconds on SQLite), and rows come back through
//! [`crate::rows`], whose types decode from either. Where the databases
//! really differ (row locks, `FOR UPDATE SKIP LOCKED`, JSON functions), the
//! statement is an associated constant of [`Dialect`], one per database
//! ([`DialectOf`] names a backend's).
//!
//! A write takes its transaction and commits it when all went well;
//! returning early with an error drops it, which rolls back, so a refused
//! write writes nothing.

mod accounts;
mod assets;
mod audit;
pub(crate) mod billing;
mod communications;
mod contacts;
pub(crate) mod dashboard;
mod documents;
pub(crate) mod identity;
mod jobs;
mod notifications;
pub(crate) mod outbox;
pub(crate) mod properties;
mod quotes;
mod rentals;
pub(crate) mod requests;
mod service_contracts;
mod tenancy;
mod tickets;

use std::collections::{BTreeMap, HashMap};
use std::ops::DerefMut;
use std::sync::{LazyLock, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::AccountScope;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, ExternalId, Page, PageRequest, TenantId};
use portal_core::tenancy::PortalSettings;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::{Arguments, Database, Encode, FromRow, Type};
use uuid::Uuid;

use crate::error::backend;
use crate::rows::Counted;

/// A transaction on one of the databases.
pub(crate) type Tx<DB> = sqlx::Transaction<'static, DB>;

/// A database whose connections implement [`Conn`]: SQLite or PostgreSQL.
pub(crate) trait Db: Database<Connection: Conn> {}

impl<DB: Database<Connection: Conn>> Db for DB {}

/// One bound value, in the ports' terms; each database encodes it its own
/// way (see [`arguments`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    Id(Uuid),
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    OptId(Option<Uuid>),
    /// A calendar date (`DATE` on PostgreSQL, `YYYY-MM-DD` text on SQLite).
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    /// A document's bytes (`BYTEA`, `BLOB`).
    Bytes(&'a [u8]),
    /// An outbox message, stored as a JSON document.
    Message(&'a OutboxMessage),
    /// An account's custom fields, stored as a JSON document.
    Fields(&'a BTreeMap<String, String>),
    /// A tenant's settings, stored as a JSON document.
    Settings(&'a PortalSettings),
}

/// A row type both databases decode (see [`crate::rows`]).
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// The statements whose text differs between the databases, one set per
/// connection type.
pub(crate) trait Dialect {
    /// Selects the contact's id (`$1` tenant, `$2` contact) and, on
    /// PostgreSQL, locks its row until the transaction ends (`FOR UPDATE`).
    /// Every write about one contact's password, tokens or sessions takes
    /// this lock first, so such writes for one contact queue instead of
    /// interleaving, and always in the same order (contact, tokens,
    /// credential and lockout, sessions, outbox), so they cannot deadlock.
    /// SQLite needs no row lock: a write transaction holds the database's
    /// write lock from `BEGIN IMMEDIATE` on.
    const LOCK_CONTACT: &'static str;
    /// Selects the e-mail of the contact with this external id (`$1`
    /// tenant, `$2` external id), locking its row like
    /// [`Dialect::LOCK_CONTACT`].
    const LOCK_CONTACT_EMAIL_BY_EXTERNAL_ID: &'static str;
    /// Leases up to `$3` undelivered rows due at `$1` whose lease ran out
    /// until `$2` under lease id `$4`, returning [`crate::rows::OutboxRow`]s;
    /// an event only when no earlier event of its stream is undelivered
    /// (`outbox_stream_pending_idx`), so each account's events go one at a
    /// time, in order. PostgreSQL skips rows another claim holds (`FOR
    /// UPDATE SKIP LOCKED`); on SQLite claims are serialised by the write
    /// lock.
    const CLAIM_OUTBOX: &'static str;
    /// Selects the account's id (`$1` tenant, `$2` account) and, on
    /// PostgreSQL, locks its row: writes to an account's cards on file and
    /// autopay consent queue behind it, so "the first card is the default"
    /// and "one active consent" hold under concurrency.
    const LOCK_ACCOUNT: &'static str;
    /// Selects the id and blob key of the tenant's document with this
    /// external id (`$1` tenant, `$2` external id) and, on PostgreSQL,
    /// locks its row, so two publishes of one id replace one after the
    /// other and each hands back the file it replaced.
    const LOCK_DOCUMENT: &'static str;
    /// The account's (`$1` tenant, `$2` account) succeeded payments and
    /// credits with something unapplied, as
    /// [`crate::rows::billing::CreditRow`]s in id order, locked on
    /// PostgreSQL. Id order, like every other payment lock, so two writers
    /// taking credit never wait on each other in a circle.
    const LOCK_CREDIT_SOURCES: &'static str;
    /// Whether the database takes row locks, so that a statement writing
    /// several rows must first lock them in the one order (PostgreSQL:
    /// `SELECT ... ORDER BY id FOR NO KEY UPDATE`). SQLite has none: a
    /// write transaction holds the whole database's write lock.
    const ROW_LOCKS: bool;
    /// Whether [`fetch_page`] counts with the page's own statement
    /// (`COUNT(*) OVER ()`). SQLite builds a temporary table for the
    /// window (measured: 163 µs against 54 µs for a page of 25 out of 62
    /// quotes read without it and counted on the covering index), so there
    /// the page is read without it and counted apart, and only when the
    /// page does not tell the count itself. PostgreSQL counts in the one
    /// round trip.
    const WINDOW_COUNT: bool;
    /// [`identity::session_context_sql`] with the contact's memberships as
    /// a JSON list of [`crate::rows::MembershipRow`] objects, by account
    /// name, number and id (`[]` when none).
    const SESSION_CONTEXT: &'static str;
    /// The whole dashboard in one row, [`crate::rows::DashboardRow`]: the
    /// panels of [`dashboard`] (`$1` tenant, `$2` account) as JSON lists in
    /// their panel's order (`[]` when empty), invoices, jobs, tickets and
    /// quotes awaiting approval only when `$3`, `$4`, `$5`, `$7` (NULL, and
    /// not queried, otherwise; quotes valid until `$6` or later), and
    /// with the invoices the account summary's columns
    /// ([`billing::summary_columns`], past due before the day `$6`).
    /// Ids are hex or UUID text, timestamps unix microseconds, money whole
    /// minor units.
    const DASHBOARD: &'static str;
}

/// A connection (or the transaction on it) that runs the shared SQL;
/// [`impl_conn!`] implements it.
#[async_trait]
pub(crate) trait Conn: Dialect + Send {
    /// Runs a statement; how many rows it changed.
    async fn execute(&mut self, sql: &'static str, args: &[Arg<'_>]) -> Result<u64, StoreError>;

    /// Runs a query expected to return at most one row.
    async fn fetch_optional<O: Row>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Option<O>, StoreError>;

    /// Runs a query and collects its rows.
    async fn fetch_all<O: Row>(
        &mut self,
        sql: &'static str,
        args: &[Arg<'_>],
    ) -> Result<Vec<O>, StoreError>;
}

/// One page of a list. `page_sql` selects the page's rows, each with the
/// whole list's length (`COUNT(*) OVER () AS full_count`), so a page and
/// its count are one query; only a page past the end, which has no row to
/// carry the count, runs `count_sql` over the first `filters` arguments.
/// Where the window is dear ([`Dialect::WINDOW_COUNT`] false), the page is
/// read without it, and counted by `count_sql` only when it is full or past
/// the end (a page with fewer rows than asked for ends the list, so it
/// tells the count).
pub(crate) async fn fetch_page<R: Row, C: Conn>(
    conn: &mut C,
    page_sql: &'static str,
    count_sql: &'static str,
    args: &[Arg<'_>],
    filters: usize,
    page: PageRequest,
) -> Result<Page<R>, StoreError> {
    if !C::WINDOW_COUNT {
        let items = conn.fetch_all::<R>(without_window(page_sql)?, args).await?;
        let shown = u64::try_from(items.len()).map_err(backend)?;
        let total = if (shown > 0 || page.offset() == 0) && shown < u64::from(page.per_page()) {
            page.offset() + shown
        } else {
            let counted = conn
                .fetch_optional::<(i64,)>(count_sql, &args[..filters])
                .await?;
            counted.map_or(0, |(count,)| u64::try_from(count).unwrap_or(0))
        };
        return Ok(Page::of(items, total, page));
    }
    let rows = conn.fetch_all::<Counted<R>>(page_sql, args).await?;
    let total = match rows.first() {
        Some(row) => row.full_count,
        None if page.offset() == 0 => 0,
        None => conn
            .fetch_optional::<(i64,)>(count_sql, &args[..filters])
            .await?
            .map_or(0, |(count,)| count),
    };
    let items = rows.into_iter().map(|counted| counted.row).collect();
    Ok(Page::of(items, u64::try_from(total).unwrap_or(0), page))
}

/// The column every page statement counts with.
const WINDOW_COLUMN: &str = ", COUNT(*) OVER () AS full_count";

/// `page_sql` without its [`WINDOW_COLUMN`], made once per statement and
/// kept for the process's life (there are a few dozen, all `'static`; the
/// statement caches of the connections key on the text).
fn without_window(page_sql: &'static str) -> Result<&'static str, StoreError> {
    type Plain = HashMap<(usize, usize), &'static str>;
    static PLAIN: LazyLock<Mutex<Plain>> = LazyLock::new(Mutex::default);
    let key = (page_sql.as_ptr() as usize, page_sql.len());
    let mut plain = PLAIN
        .lock()
        .map_err(|_| backend("the page statements' lock is poisoned"))?;
    if let Some(sql) = plain.get(&key) {
        return Ok(sql);
    }
    if page_sql.matches(WINDOW_COLUMN).count() != 1 {
        return Err(backend(format!(
            "a page statement without one window count: {page_sql}"
        )));
    }
    let sql: &'static str = page_sql.replacen(WINDOW_COLUMN, "", 1).leak();
    plain.insert(key, sql);
    Ok(sql)
}

/// `page`'s `LIMIT` and `OFFSET` as bound values, the last two arguments
/// of a [`fetch_page`] query.
pub(crate) fn limit_offset(page: PageRequest) -> Result<[Arg<'static>; 2], StoreError> {
    Ok([
        Arg::Int(i64::from(page.per_page())),
        Arg::Int(i64::try_from(page.offset()).map_err(backend)?),
    ])
}

/// A record the host upserts and names by its own id ([`ExternalId`]):
/// a property, a quote, a job, a rental contract or reservation, a
/// service contract, an asset. Each context says how to select it; the
/// reads and the upsert below are written once.
pub(crate) trait HostRecord: Sized {
    /// The row it decodes from.
    type Row: Row + TryInto<Self, Error = StoreError>;
    /// Selects the record by the host's id: `$1` tenant, `$2` external id.
    const BY_EXTERNAL_ID: &'static str;
}

/// A [`HostRecord`] the customer reads by our id, only their account's.
pub(crate) trait AccountRecord: HostRecord {
    /// Our id of it.
    type Id: Copy + Send;
    /// Selects the record: `$1` tenant, `$2` account, `$3` id.
    const SCOPED: &'static str;
    /// The id as stored.
    fn uuid(id: Self::Id) -> Uuid;
}

/// Implements [`HostRecord`] for `$record`, decoded from `$row`, selected
/// by `$select` (its columns and `FROM`) whose table is aliased `$alias`
/// (`""` for none, or `"j."`).
macro_rules! host_record {
    ($record:ty, $row:ty, $alias:literal, $select:expr) => {
        impl $crate::common::HostRecord for $record {
            type Row = $row;
            const BY_EXTERNAL_ID: &'static str = concat!(
                $select,
                " WHERE ",
                $alias,
                "tenant_id = $1 AND ",
                $alias,
                "external_id = $2"
            );
        }
    };
}
pub(crate) use host_record;

/// Implements [`HostRecord`] and [`AccountRecord`] (our id: `$id`) for
/// `$record`, like [`host_record!`].
macro_rules! account_record {
    ($record:ty, $row:ty, $id:ty, $alias:literal, $select:expr) => {
        $crate::common::host_record!($record, $row, $alias, $select);

        impl $crate::common::AccountRecord for $record {
            type Id = $id;
            const SCOPED: &'static str = concat!(
                $select,
                " WHERE ",
                $alias,
                "tenant_id = $1 AND ",
                $alias,
                "account_id = $2 AND ",
                $alias,
                "id = $3"
            );
            fn uuid(id: $id) -> uuid::Uuid {
                id.as_uuid()
            }
        }
    };
}
pub(crate) use account_record;

/// The tenant's record with this external id.
pub(crate) async fn by_external_id<R: HostRecord, C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: &ExternalId,
) -> Result<Option<R>, StoreError> {
    conn.fetch_optional::<R::Row>(
        R::BY_EXTERNAL_ID,
        &[Arg::Id(tenant.as_uuid()), Arg::Text(id.as_str())],
    )
    .await?
    .map(TryInto::try_into)
    .transpose()
}

/// The scope's account's record with this id (none when it is another
/// account's).
pub(crate) async fn scoped<R: AccountRecord, C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: R::Id,
) -> Result<Option<R>, StoreError> {
    conn.fetch_optional::<R::Row>(
        R::SCOPED,
        &[
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(R::uuid(id)),
        ],
    )
    .await?
    .map(TryInto::try_into)
    .transpose()
}

/// Checks the account is the tenant's (`NotFound` otherwise): the first
/// step of the host's upserts.
pub(crate) async fn account_of_tenant<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    account: AccountId,
) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(
        "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2",
        &[Arg::Id(tenant.as_uuid()), Arg::Id(account.as_uuid())],
    )
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound)
}

/// The host's insert-or-update of the record with external id `id`, in
/// the caller's transaction. `insert` (`ON CONFLICT (tenant_id,
/// external_id) DO NOTHING`, so two concurrent upserts of a new record
/// make one row) binds all of `args`; when it inserted nothing, `update`
/// binds the first `update_args` of them and says in its `WHERE` which
/// row it may change (the same account's, ...). The key comes first in
/// both (`$1` tenant, `$2` external id, `$3` account), the new row's id
/// last, which only the insert binds.
///
/// The record as written, read back in the same transaction; `None`
/// when neither statement wrote (the caller reads why, if it must).
pub(crate) async fn insert_or_update<R: HostRecord, C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: &ExternalId,
    [insert, update]: [&'static str; 2],
    args: &[Arg<'_>],
    update_args: usize,
) -> Result<Option<R>, StoreError> {
    let written = conn.execute(insert, args).await? > 0
        || conn.execute(update, &args[..update_args]).await? > 0;
    if !written {
        return Ok(None);
    }
    by_external_id(conn, tenant, id)
        .await?
        .ok_or_else(|| backend("the upserted record is not there"))
        .map(Some)
}

/// Implements [`Conn`] for a database's connection type, given the
/// database and how it stores a timestamp (a function of `DateTime<Utc>`).
macro_rules! impl_conn {
    ($conn:ty, $db:ty, $time:path) => {
        #[async_trait::async_trait]
        impl $crate::common::Conn for $conn {
            async fn execute(
                &mut self,
                sql: &'static str,
                args: &[$crate::common::Arg<'_>],
            ) -> Result<u64, portal_core::ports::StoreError> {
                let args = $crate::common::arguments::<$db, _>(args, $time)?;
                let done = sqlx::query_with(sql, args)
                    .execute(self)
                    .await
                    .map_err($crate::error::store_error)?;
                Ok(done.rows_affected())
            }

            async fn fetch_optional<O: $crate::common::Row>(
                &mut self,
                sql: &'static str,
                args: &[$crate::common::Arg<'_>],
            ) -> Result<Option<O>, portal_core::ports::StoreError> {
                let args = $crate::common::arguments::<$db, _>(args, $time)?;
                sqlx::query_as_with(sql, args)
                    .fetch_optional(self)
                    .await
                    .map_err($crate::error::store_error)
            }

            async fn fetch_all<O: $crate::common::Row>(
                &mut self,
                sql: &'static str,
                args: &[$crate::common::Arg<'_>],
            ) -> Result<Vec<O>, portal_core::ports::StoreError> {
                let args = $crate::common::arguments::<$db, _>(args, $time)?;
                sqlx::query_as_with(sql, args)
                    .fetch_all(self)
                    .await
                    .map_err($crate::error::store_error)
            }
        }
    };
}
pub(crate) use impl_conn;

/// Where a store's transactions and connections come from: one database's
/// pools. [`SqlStore`] runs every port on it.
#[async_trait]
pub(crate) trait Backend: Send + Sync {
    /// SQLite or PostgreSQL.
    type Db: Db;
    /// A connection lent for reads.
    type Reader: DerefMut<Target = <Self::Db as Database>::Connection> + Send;
    /// A write transaction.
    async fn begin(&self) -> Result<Tx<Self::Db>, StoreError>;
    /// A connection for one statement that writes.
    async fn writer(&self) -> Result<PoolConnection<Self::Db>, StoreError>;
    /// A connection for reads.
    async fn reader(&self) -> Result<Self::Reader, StoreError>;
}

/// The connection type of backend `B`'s database, whose [`Dialect`]
/// constants are the statements that differ between the databases.
pub(crate) type DialectOf<B> = <<B as Backend>::Db as Database>::Connection;

/// Portal's store on SQLite or PostgreSQL: every store port of
/// [`portal_core::ports`], so a [`Store`](portal_core::ports::Store), over
/// one database's connections (`B`: [`SqliteBackend`](crate::SqliteBackend)
/// or [`PgBackend`](crate::PgBackend)). Each port is written once, for both.
///
/// Hosts name it [`SqliteStore`](crate::SqliteStore) or
/// [`PgStore`](crate::PgStore) and open it with their `connect`. Cheap to
/// clone (the pools are shared).
#[derive(Clone, Debug)]
pub struct SqlStore<B> {
    /// The database's pools.
    pub(crate) backend: B,
}

// The bounds are on the methods, not on the `impl`: an inherent `impl` of
// the public `SqlStore` bounded by the crate's own `Backend` trips rustc's
// `private_bounds` lint; a crate-private method may name it.
impl<B> SqlStore<B> {
    /// A write transaction: SQLite's holds the write lock from its start
    /// (`BEGIN IMMEDIATE`).
    pub(crate) async fn begin(&self) -> Result<Tx<B::Db>, StoreError>
    where
        B: Backend,
    {
        self.backend.begin().await
    }

    /// A connection for one statement that writes (no transaction).
    pub(crate) async fn writer(&self) -> Result<PoolConnection<B::Db>, StoreError>
    where
        B: Backend,
    {
        self.backend.writer().await
    }

    /// A connection for reads.
    pub(crate) async fn reader(&self) -> Result<B::Reader, StoreError>
    where
        B: Backend,
    {
        self.backend.reader().await
    }
}

/// Encodes `args` for database `DB`; `time` says how it stores a timestamp.
pub(crate) fn arguments<'a, DB, T>(
    args: &[Arg<'a>],
    time: impl Fn(DateTime<Utc>) -> T,
) -> Result<DB::Arguments, StoreError>
where
    DB: Database,
    T: Encode<'a, DB> + Type<DB>,
    Uuid: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<T>: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
    Option<Uuid>: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    NaiveDate: Encode<'a, DB> + Type<DB>,
    Option<NaiveDate>: Encode<'a, DB> + Type<DB>,
    &'a [u8]: Encode<'a, DB> + Type<DB>,
    bool: Encode<'a, DB> + Type<DB>,
    Json<&'a OutboxMessage>: Encode<'a, DB> + Type<DB>,
    Json<&'a BTreeMap<String, String>>: Encode<'a, DB> + Type<DB>,
    Json<&'a PortalSettings>: Encode<'a, DB> + Type<DB>,
{
    let mut bound = DB::Arguments::default();
    for arg in args {
        match *arg {
            Arg::Id(id) => bound.add(id),
            Arg::Text(text) => bound.add(text),
            Arg::OptText(text) => bound.add(text),
            Arg::Int(number) => bound.add(number),
            Arg::OptInt(number) => bound.add(number),
            Arg::Bool(flag) => bound.add(flag),
            Arg::Time(at) => bound.add(time(at)),
            Arg::OptTime(at) => bound.add(at.map(&time)),
            Arg::OptId(id) => bound.add(id),
            Arg::Date(day) => bound.add(day),
            Arg::OptDate(day) => bound.add(day),
            Arg::Bytes(bytes) => bound.add(bytes),
            Arg::Message(message) => bound.add(Json(message)),
            Arg::Fields(fields) => bound.add(Json(fields)),
            Arg::Settings(settings) => bound.add(Json(settings)),
        }
        .map_err(backend)?;
    }
    Ok(bound)
}
