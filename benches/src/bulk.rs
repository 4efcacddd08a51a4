//! Multi-row `INSERT`s for the seeder, on either database: rows of
//! [`Value`]s go in as `INSERT INTO t (..) VALUES (..), (..), ...` in
//! statements of up to [`MAX_ROWS`] rows, each database binding the values
//! the way the store's migrations store them (SQLite: dates as
//! `YYYY-MM-DD` text, times as unix microseconds, booleans as 0/1;
//! PostgreSQL: native types). Seeding a million invoices one statement a
//! row would take most of an hour; this takes minutes.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::query_builder::Separated;
use sqlx::{Database, Executor, IntoArguments, Postgres, QueryBuilder, Sqlite};
use uuid::Uuid;

/// The most rows one statement carries; fewer when the columns would pass
/// SQLite's limit of 32,766 bound values.
pub const MAX_ROWS: usize = 1_000;

/// One column's value in a row.
#[derive(Clone, Debug)]
pub enum Value {
    /// A UUID (`BLOB` on SQLite).
    Id(Uuid),
    /// A UUID or NULL.
    OptId(Option<Uuid>),
    /// Text.
    Text(String),
    /// Text or NULL.
    OptText(Option<String>),
    /// A whole number.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant.
    Time(DateTime<Utc>),
    /// An instant or NULL.
    OptTime(Option<DateTime<Utc>>),
}

/// A database the seeder writes in bulk, binding [`Value`]s as the store's
/// migrations store them.
pub trait Bulk: Database {
    /// Binds `value` as the next value of the row being written.
    fn bind(row: &mut Separated<'_, Self, &'static str>, value: Value);
}

impl Bulk for Sqlite {
    fn bind(row: &mut Separated<'_, Self, &'static str>, value: Value) {
        match value {
            Value::Id(id) => row.push_bind(id),
            Value::OptId(id) => row.push_bind(id),
            Value::Text(text) => row.push_bind(text),
            Value::OptText(text) => row.push_bind(text),
            Value::Int(number) => row.push_bind(number),
            Value::Bool(flag) => row.push_bind(i64::from(flag)),
            Value::Date(day) => row.push_bind(day.format("%Y-%m-%d").to_string()),
            Value::Time(at) => row.push_bind(at.timestamp_micros()),
            Value::OptTime(at) => row.push_bind(at.map(|at| at.timestamp_micros())),
        };
    }
}

impl Bulk for Postgres {
    fn bind(row: &mut Separated<'_, Self, &'static str>, value: Value) {
        match value {
            Value::Id(id) => row.push_bind(id),
            Value::OptId(id) => row.push_bind(id),
            Value::Text(text) => row.push_bind(text),
            Value::OptText(text) => row.push_bind(text),
            Value::Int(number) => row.push_bind(number),
            Value::Bool(flag) => row.push_bind(flag),
            Value::Date(day) => row.push_bind(day),
            Value::Time(at) => row.push_bind(at),
            Value::OptTime(at) => row.push_bind(at),
        };
    }
}

/// Inserts `rows` into `table`'s `columns` with multi-row statements on
/// `conn` (a transaction's connection, so the whole batch commits at once).
/// Rows whose primary key is already there are skipped, so a resumed
/// seeding can write a batch again.
pub async fn insert<DB>(
    conn: &mut DB::Connection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> anyhow::Result<()>
where
    DB: Bulk,
    DB::Arguments: Default + IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let per_statement = MAX_ROWS.min(32_000 / columns.len().max(1));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut builder =
            QueryBuilder::<DB>::new(format!("INSERT INTO {table} ({}) ", columns.join(", ")));
        builder.push_values(chunk, |mut row, values| {
            for value in values {
                DB::bind(&mut row, value);
            }
        });
        builder.push(" ON CONFLICT DO NOTHING");
        builder.build().execute(&mut *conn).await?;
    }
    Ok(())
}
