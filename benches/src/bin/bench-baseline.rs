//! The yardstick for the dashboard: a hand-written axum + sqlx page that
//! makes the same six indexed queries as Portal's dashboard (session with
//! contact and membership, memberships, unpaid invoices, open jobs, open
//! tickets, latest communications) on the same seeded SQLite file, touches
//! the session at most once a minute the same way, and renders a page of
//! about the same size by hand. No Portal code runs, except hashing the
//! token. Serves `/portal/dashboard`, so `loadgen` drives it unchanged.
//!
//! ```text
//! bench-baseline --db sqlite://target/bench-data/sqlite-100000.db --addr 127.0.0.1:8081 \
//!     [--readers 8] [--ping true] [--one-connection] [--combined] [--literal-limit]
//! ```
//!
//! The switches show what the SQLite pool's use costs: `--ping true` (the
//! default, sqlx's `test_before_acquire`) pings every connection taken from
//! the pool, one more round trip to its worker thread per query;
//! `--one-connection` takes one reader for all five reads of a request
//! instead of one per query; `--readers` sizes the reader pool;
//! `--combined` makes the five reads one statement returning JSON arrays
//! (two statements a page instead of six); `--literal-limit` writes the
//! panels' `LIMIT 5` into the SQL instead of binding it. Prints `ready` when listening.

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

use portal_benches::cli::Args;
use portal_benches::load::SESSION_COOKIE;
use portal_core::identity::RawToken;

const SESSION_SQL: &str = "SELECT s.id, s.tenant_id, s.contact_id, s.active_account_id, \
     s.token_hash, s.kind, s.created_at, s.last_seen_at, s.idle_expires_at, \
     s.absolute_expires_at, c.external_id, c.name, c.email, c.phone, c.enabled, \
     m.account_id, a.number, a.name, m.role, a.portal_enabled, a.has_history \
     FROM sessions s \
     JOIN contacts c ON c.id = s.contact_id AND c.tenant_id = s.tenant_id \
     JOIN memberships m ON m.contact_id = s.contact_id \
         AND m.account_id = s.active_account_id AND m.tenant_id = s.tenant_id \
     JOIN accounts a ON a.id = m.account_id AND a.tenant_id = s.tenant_id \
     WHERE s.token_hash = $1 AND s.tenant_id = $2 \
       AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 \
       AND c.enabled AND a.portal_enabled";
const TOUCH_SQL: &str = "UPDATE sessions SET last_seen_at = $3, \
     idle_expires_at = MIN($4, absolute_expires_at) \
     WHERE tenant_id = $1 AND id = $2 AND idle_expires_at > $3 AND absolute_expires_at > $3";
const MEMBERSHIPS_SQL: &str = "SELECT m.account_id, a.number, a.name, m.role, \
     a.portal_enabled, a.has_history \
     FROM memberships m JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
     WHERE m.tenant_id = $1 AND m.contact_id = $2 ORDER BY a.name, a.number, a.id";
const INVOICES_SQL: &str = "SELECT number, due_on, CAST(total_minor - paid_minor AS TEXT), \
     currency, COUNT(*) OVER () FROM invoices \
     WHERE tenant_id = $1 AND account_id = $2 AND status IN ('open', 'partially_paid') \
     ORDER BY due_on, issued_on, number, id LIMIT $3";
const JOBS_SQL: &str = "SELECT number, title, status, window_start, COUNT(*) OVER () \
     FROM jobs WHERE tenant_id = $1 AND account_id = $2 \
       AND status IN ('unscheduled', 'scheduled', 'in_progress') \
     ORDER BY window_start NULLS LAST, number LIMIT $3";
const TICKETS_SQL: &str = "SELECT number, subject, status, updated_at, COUNT(*) OVER () \
     FROM tickets WHERE tenant_id = $1 AND account_id = $2 AND status <> 'closed' \
     ORDER BY updated_at DESC, number LIMIT $3";
const COMMUNICATIONS_SQL: &str = "SELECT id, account_id, channel, subject, body, occurred_at, \
     COUNT(*) OVER () FROM communications WHERE tenant_id = $1 AND account_id = $2 \
     ORDER BY occurred_at DESC, id DESC LIMIT $3";

/// The page's fixed part, about the size of Portal's layout and styles.
const STYLE: &str = include_str!("../baseline-style.css");

struct App {
    read: SqlitePool,
    write: SqlitePool,
    tenant: Uuid,
    one_connection: bool,
    combined: bool,
    sql: PanelSql,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let url = args.required("db")?;
    let addr: SocketAddr = args.required("addr")?.parse()?;
    let readers: u32 = args.parsed_or("readers", 8)?;
    let ping: bool = args.parsed_or("ping", true)?;
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true);
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(ping)
        .connect_with(options.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(readers)
        .test_before_acquire(ping)
        .connect_with(options)
        .await?;
    let tenant: Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = 'bench'")
        .fetch_one(&read)
        .await
        .context("no `bench` tenant: run bench-seed first")?;
    let app = Arc::new(App {
        read,
        write,
        tenant,
        one_connection: args.flag("one-connection"),
        combined: args.flag("combined"),
        sql: PanelSql::new(args.flag("literal-limit")),
    });
    let router = Router::new()
        .route("/portal/dashboard", get(dashboard))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("ready http://{addr}/portal/");
    std::io::stdout().flush()?;
    axum::serve(listener, router).await?;
    Ok(())
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE).then(|| value.to_owned())
    })
}

async fn dashboard(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match page(&app, &headers).await {
        Ok(Some(html)) => Html(html).into_response(),
        Ok(None) => StatusCode::UNAUTHORIZED.into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

async fn page(app: &App, headers: &HeaderMap) -> anyhow::Result<Option<String>> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let hash = RawToken::from_client(&token).hash();
    let now = Utc::now().timestamp_micros();
    let session = sqlx::query(SESSION_SQL)
        .bind(hash.as_str())
        .bind(app.tenant)
        .bind(now)
        .fetch_optional(&app.read)
        .await?;
    let Some(session) = session else {
        return Ok(None);
    };
    let session_id: Uuid = session.try_get(0)?;
    let contact: Uuid = session.try_get(2)?;
    let account: Uuid = session.try_get(3)?;
    let last_seen: i64 = session.try_get(7)?;
    let contact_name: String = session.try_get(11)?;
    let account_number: String = session.try_get(16)?;
    let account_name: String = session.try_get(17)?;
    if now - last_seen >= 60_000_000 {
        sqlx::query(TOUCH_SQL)
            .bind(app.tenant)
            .bind(session_id)
            .bind(now)
            .bind(now + 30 * 60_000_000)
            .execute(&app.write)
            .await?;
    }
    let reads = if app.combined {
        combined_reads(&app.read, app.tenant, contact, account).await?
    } else if app.one_connection {
        let mut conn = app.read.acquire().await?;
        reads(&mut conn, &app.sql, app.tenant, contact, account).await?
    } else {
        reads_from_pool(&app.read, &app.sql, app.tenant, contact, account).await?
    };

    let mut html = String::with_capacity(8 * 1024);
    html.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dashboard</title><style>");
    html.push_str(STYLE);
    html.push_str("</style></head><body><header><nav>");
    for (number, name) in &reads.memberships {
        html.push_str("<option>");
        escape(&mut html, number);
        html.push_str(" · ");
        escape(&mut html, name);
        html.push_str("</option>");
    }
    html.push_str("</nav></header><main><h1>Welcome, ");
    escape(&mut html, &contact_name);
    html.push_str("</h1><p>Account ");
    escape(&mut html, &account_number);
    html.push_str(" · ");
    escape(&mut html, &account_name);
    html.push_str("</p>");
    for (title, (total, rows)) in ["Unpaid invoices", "Open jobs", "Open tickets"]
        .iter()
        .zip(&reads.panels)
    {
        let _ = write!(html, "<section><h2>{title} {total}</h2><table>");
        for row in rows {
            html.push_str("<tr>");
            for cell in row {
                html.push_str("<td>");
                escape(&mut html, cell);
                html.push_str("</td>");
            }
            html.push_str("</tr>");
        }
        html.push_str("</table></section>");
    }
    html.push_str("<section><h2>Recent communications</h2><ul>");
    for (channel, subject, body, at) in &reads.communications {
        let day = chrono::DateTime::from_timestamp_micros(*at)
            .map(|at| at.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        html.push_str("<li><strong>");
        escape(&mut html, subject);
        html.push_str("</strong> ");
        escape(&mut html, channel);
        let _ = write!(html, " · {day} ");
        escape(&mut html, body);
        html.push_str("</li>");
    }
    html.push_str("</ul></section></main></body></html>");
    Ok(Some(html))
}

/// What the page shows, however it was read.
struct Reads {
    /// (number, name) of each account the contact may switch to.
    memberships: Vec<(String, String)>,
    /// Invoices, jobs, tickets: the total and up to five rows of three cells.
    panels: [(i64, Vec<[String; 3]>); 3],
    /// (channel, subject, body, occurred at in µs).
    communications: Vec<(String, String, String, i64)>,
}

type SqliteRows = Vec<sqlx::sqlite::SqliteRow>;

impl Reads {
    fn from_rows(
        memberships: SqliteRows,
        panels: [SqliteRows; 3],
        communications: SqliteRows,
    ) -> anyhow::Result<Self> {
        let panel = |rows: &SqliteRows| -> anyhow::Result<(i64, Vec<[String; 3]>)> {
            let total = rows.first().map_or(Ok(0), |row| row.try_get(4))?;
            let cells = rows
                .iter()
                .map(|row| {
                    let cell = |i| {
                        row.try_get::<Option<String>, _>(i)
                            .ok()
                            .flatten()
                            .unwrap_or_default()
                    };
                    [cell(0), cell(1), cell(2)]
                })
                .collect();
            Ok((total, cells))
        };
        let [invoices, jobs, tickets] = &panels;
        Ok(Self {
            memberships: memberships
                .iter()
                .map(|row| Ok((row.try_get(1)?, row.try_get(2)?)))
                .collect::<Result<_, sqlx::Error>>()?,
            panels: [panel(invoices)?, panel(jobs)?, panel(tickets)?],
            communications: communications
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get(2)?,
                        row.try_get(3)?,
                        row.try_get(4)?,
                        row.try_get(5)?,
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?,
        })
    }
}

/// All five reads as one statement: each list as a JSON array, so the
/// page costs two statements (session, then this) and two rows.
const COMBINED_SQL: &str = "SELECT \
     (SELECT json_group_array(json_array(number, name)) FROM ( \
         SELECT a.number, a.name FROM memberships m \
         JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
         WHERE m.tenant_id = $1 AND m.contact_id = $2 ORDER BY a.name, a.number, a.id)), \
     (SELECT json_group_array(json_array(number, due_on, balance, total)) FROM ( \
         SELECT number, due_on, CAST(total_minor - paid_minor AS TEXT) AS balance, \
             COUNT(*) OVER () AS total \
         FROM invoices WHERE tenant_id = $1 AND account_id = $3 \
           AND status IN ('open', 'partially_paid') \
         ORDER BY due_on, issued_on, number, id LIMIT 5)), \
     (SELECT json_group_array(json_array(number, title, status, total)) FROM ( \
         SELECT number, title, status, COUNT(*) OVER () AS total FROM jobs \
         WHERE tenant_id = $1 AND account_id = $3 \
           AND status IN ('unscheduled', 'scheduled', 'in_progress') \
         ORDER BY window_start NULLS LAST, number LIMIT 5)), \
     (SELECT json_group_array(json_array(number, subject, status, total)) FROM ( \
         SELECT number, subject, status, COUNT(*) OVER () AS total FROM tickets \
         WHERE tenant_id = $1 AND account_id = $3 AND status <> 'closed' \
         ORDER BY updated_at DESC, number LIMIT 5)), \
     (SELECT json_group_array(json_array(channel, subject, body, occurred_at)) FROM ( \
         SELECT channel, subject, body, occurred_at FROM communications \
         WHERE tenant_id = $1 AND account_id = $3 ORDER BY occurred_at DESC, id DESC LIMIT 5))";

async fn combined_reads(
    pool: &SqlitePool,
    tenant: Uuid,
    contact: Uuid,
    account: Uuid,
) -> anyhow::Result<Reads> {
    let row = sqlx::query(COMBINED_SQL)
        .bind(tenant)
        .bind(contact)
        .bind(account)
        .fetch_one(pool)
        .await?;
    let list = |i: usize| -> anyhow::Result<Vec<Vec<serde_json::Value>>> {
        Ok(serde_json::from_str(&row.try_get::<String, _>(i)?)?)
    };
    let text = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let panel = |i: usize| -> anyhow::Result<(i64, Vec<[String; 3]>)> {
        let rows = list(i)?;
        let total = rows
            .first()
            .and_then(|row| row.get(3))
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0);
        let cells = rows
            .iter()
            .map(|row| [0, 1, 2].map(|c| row.get(c).map(text).unwrap_or_default()))
            .collect();
        Ok((total, cells))
    };
    Ok(Reads {
        memberships: list(0)?
            .iter()
            .map(|row| {
                let cell = |c: usize| row.get(c).map(text).unwrap_or_default();
                (cell(0), cell(1))
            })
            .collect(),
        panels: [panel(1)?, panel(2)?, panel(3)?],
        communications: list(4)?
            .iter()
            .map(|row| {
                let cell = |c: usize| row.get(c).map(text).unwrap_or_default();
                let at = row.get(3).and_then(serde_json::Value::as_i64).unwrap_or(0);
                (cell(0), cell(1), cell(2), at)
            })
            .collect(),
    })
}

/// The four panel queries, with the row limit bound as `$3` (as Portal's
/// store does) or written into the SQL (`--literal-limit`).
struct PanelSql {
    invoices: &'static str,
    jobs: &'static str,
    tickets: &'static str,
    communications: &'static str,
    bound_limit: bool,
}

impl PanelSql {
    fn new(literal_limit: bool) -> Self {
        // Made once at start-up; sqlx takes `&'static str` as trusted SQL.
        let sql = |text: &'static str| -> &'static str {
            if literal_limit {
                text.replace("LIMIT $3", "LIMIT 5").leak()
            } else {
                text
            }
        };
        Self {
            invoices: sql(INVOICES_SQL),
            jobs: sql(JOBS_SQL),
            tickets: sql(TICKETS_SQL),
            communications: sql(COMMUNICATIONS_SQL),
            bound_limit: !literal_limit,
        }
    }

    fn query(
        &self,
        sql: &'static str,
        tenant: Uuid,
        account: Uuid,
    ) -> sqlx::query::Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
        let query = sqlx::query(sql).bind(tenant).bind(account);
        if self.bound_limit {
            query.bind(5_i64)
        } else {
            query
        }
    }
}

/// The five reads, each on a connection of its own from the pool (what
/// Portal's store does today).
async fn reads_from_pool(
    pool: &SqlitePool,
    sql: &PanelSql,
    tenant: Uuid,
    contact: Uuid,
    account: Uuid,
) -> anyhow::Result<Reads> {
    let memberships = sqlx::query(MEMBERSHIPS_SQL)
        .bind(tenant)
        .bind(contact)
        .fetch_all(pool)
        .await?;
    let invoices = sql
        .query(sql.invoices, tenant, account)
        .fetch_all(pool)
        .await?;
    let jobs = sql.query(sql.jobs, tenant, account).fetch_all(pool).await?;
    let tickets = sql
        .query(sql.tickets, tenant, account)
        .fetch_all(pool)
        .await?;
    let communications = sql
        .query(sql.communications, tenant, account)
        .fetch_all(pool)
        .await?;
    Reads::from_rows(memberships, [invoices, jobs, tickets], communications)
}

/// The five reads on one connection.
async fn reads(
    conn: &mut SqliteConnection,
    sql: &PanelSql,
    tenant: Uuid,
    contact: Uuid,
    account: Uuid,
) -> anyhow::Result<Reads> {
    let memberships = sqlx::query(MEMBERSHIPS_SQL)
        .bind(tenant)
        .bind(contact)
        .fetch_all(&mut *conn)
        .await?;
    let invoices = sql
        .query(sql.invoices, tenant, account)
        .fetch_all(&mut *conn)
        .await?;
    let jobs = sql
        .query(sql.jobs, tenant, account)
        .fetch_all(&mut *conn)
        .await?;
    let tickets = sql
        .query(sql.tickets, tenant, account)
        .fetch_all(&mut *conn)
        .await?;
    let communications = sql
        .query(sql.communications, tenant, account)
        .fetch_all(&mut *conn)
        .await?;
    Reads::from_rows(memberships, [invoices, jobs, tickets], communications)
}
