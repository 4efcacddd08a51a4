//! Seeding the benchmark's tenant through Portal's own host API (the way a
//! host pushes its data in), plus the rows no port writes yet (invoices,
//! jobs, tickets) straight into the tables the dashboard reads, and the
//! sessions written through [`start_session`](portal_core::ports::SessionStore::start_session).
//!
//! Re-runs are cheap: a database whose tenant carries the plan's marker is
//! left as it is; only the sessions are written afresh every time (their
//! idle expiry would otherwise have run out since the last run).

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use portal_core::identity::LoginClient;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use portal_core::access::Role;
use portal_core::accounts::{AccountUpsert, Address};
use portal_core::identity::{
    ContactUpsert, OsTokens, Password, PasswordHasher, Session, SessionKind, TokenSource,
};
use portal_core::ports::Store;
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, PhoneNumber, PostalCode, SessionId, TenantId,
};
use portal_core::tenancy::{Features, PortalSettings, Tenant};
use portal_core::{KnownFacts, Portal, PortalError};
use portal_runtime::Argon2Hasher;
use portal_store_sqlx::{PgStore, SqliteStore};

use crate::bulk::{self, Bulk, Value};
use crate::ledger::{self, CURRENCY, Ledger, PAYABLE};
use crate::plan::{self, PASSWORD, Plan, TENANT_SLUG};
use uuid::Uuid;

/// The database the benchmark runs on, kept as its concrete store so the
/// seeder can reach the pool for the tables no port writes yet.
#[derive(Clone)]
pub enum Db {
    /// A SQLite file.
    Sqlite(Arc<SqliteStore>),
    /// A PostgreSQL database.
    Postgres(Arc<PgStore>),
}

impl Db {
    /// Opens (and migrates) the database a `sqlite:` or `postgres:` URL
    /// names.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Db::Sqlite(Arc::new(SqliteStore::connect(url).await?)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Db::Postgres(Arc::new(PgStore::connect(url).await?)))
        } else {
            bail!("--db must be a sqlite: or postgres: URL")
        }
    }

    /// Writes what seeding left in the write-ahead log into the database
    /// and empties the log, so the server under test does not start with
    /// a checkpoint of hundreds of megabytes (which showed as p99 spikes in
    /// the first scenarios): `wal_checkpoint(TRUNCATE)` on SQLite,
    /// `CHECKPOINT` on PostgreSQL.
    pub async fn settle(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(store) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(store.pool())
                    .await?;
            }
            Db::Postgres(store) => {
                sqlx::query("CHECKPOINT").execute(store.pool()).await?;
            }
        }
        Ok(())
    }

    /// The store behind the ports.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Db::Sqlite(store) => store.clone(),
            Db::Postgres(store) => store.clone(),
        }
    }

    /// How many billing batches are written at once: one on SQLite (one
    /// writer), a few on PostgreSQL.
    fn ledger_writers(&self) -> usize {
        match self {
            Db::Sqlite(_) => 1,
            Db::Postgres(_) => 3,
        }
    }

    /// How many seeding tasks run at once: SQLite has one writer anyway,
    /// a few tasks keep it busy; PostgreSQL takes many.
    fn concurrency(&self) -> usize {
        match self {
            Db::Sqlite(_) => 8,
            Db::Postgres(_) => 32,
        }
    }
}

/// What the seeder did.
#[derive(Debug)]
pub struct SeedReport {
    /// Whether the dataset was already there.
    pub skipped: bool,
    /// How long the dataset took (zero when skipped).
    pub seconds: f64,
}

/// Seeds the plan's dataset unless the database already holds it.
pub async fn seed(db: &Db, portal: &Portal, plan: Plan) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let tenant = tenant(portal).await?;
    if tenant.settings.display_name == plan.marker() {
        return Ok(SeedReport {
            skipped: true,
            seconds: 0.0,
        });
    }
    let concurrency = db.concurrency();
    let n = plan.accounts();

    progress(&format!("accounts: {n}"));
    let accounts: Vec<AccountId> = futures::stream::iter(0..n)
        .map(|i| upsert_account(portal, tenant.id, i))
        .buffered(concurrency)
        .try_collect()
        .await?;
    let accounts = Arc::new(accounts);
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    progress(&format!("contacts and memberships: {}", plan.contacts()));
    let primaries: std::collections::HashMap<usize, ContactId> = futures::stream::iter(0..n)
        .map(|i| upsert_contacts(portal, tenant.id, plan, &accounts, i))
        .buffer_unordered(concurrency)
        .try_collect()
        .await?;
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    let with_data: Vec<usize> = (0..n).filter(|&i| plan.has_data(i)).collect();
    progress(&format!("communications for {} accounts", with_data.len()));
    let now = Utc::now();
    futures::stream::iter(with_data.iter().copied())
        .map(|i| record_communications(portal, tenant.id, accounts[i], i, now))
        .buffer_unordered(concurrency)
        .try_collect::<()>()
        .await?;
    progress(&format!(
        "tickets: {} with {} messages (multi-row inserts)",
        plan.tickets(),
        plan.ticket_messages()
    ));
    let everyone: Vec<usize> = (0..n).collect();
    for chunk in everyone.chunks(500) {
        let rows: Vec<(usize, AccountId, ContactId)> = chunk
            .iter()
            .map(|&i| (i, accounts[i], primaries[&i]))
            .collect();
        match db {
            Db::Sqlite(store) => insert_tickets(store.pool(), plan, tenant.id, &rows, now).await?,
            Db::Postgres(store) => {
                insert_tickets(store.pool(), plan, tenant.id, &rows, now).await?
            }
        }
    }
    match db {
        Db::Sqlite(store) => reserve_ticket_numbers(store.pool(), tenant.id, n).await?,
        Db::Postgres(store) => reserve_ticket_numbers(store.pool(), tenant.id, n).await?,
    }
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    progress(&format!(
        "audit log: {} entries (multi-row inserts)",
        plan.audit_entries()
    ));
    for chunk in everyone.chunks(AUDIT_BATCH) {
        let rows: Vec<(usize, AccountId, ContactId)> = chunk
            .iter()
            .map(|&i| (i, accounts[i], primaries[&i]))
            .collect();
        match db {
            Db::Sqlite(store) => insert_audit_log(store.pool(), tenant.id, &rows, now).await?,
            Db::Postgres(store) => insert_audit_log(store.pool(), tenant.id, &rows, now).await?,
        }
    }
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    progress(&format!(
        "billing, quotes, jobs, rentals: {} invoices with lines, {} payments with allocations, \
         {} quotes, {} jobs, {} rental contracts with lines (multi-row inserts)",
        plan.invoices(),
        plan.payments(),
        plan.quotes(),
        plan.jobs(),
        plan.rental_contracts()
    ));
    run_for_tenant(db, tenant.id, &CLEAR_BILLING).await?;
    let tenant_id = tenant.id;
    let batches: Vec<Vec<(usize, AccountId)>> = (0..n)
        .collect::<Vec<_>>()
        .chunks(LEDGER_BATCH)
        .map(|chunk| chunk.iter().map(|&i| (i, accounts[i])).collect())
        .collect();
    futures::stream::iter(batches.iter())
        .map(|rows| async move {
            match db {
                Db::Sqlite(store) => insert_ledgers(store.pool(), plan, tenant_id, rows, now).await,
                Db::Postgres(store) => {
                    insert_ledgers(store.pool(), plan, tenant_id, rows, now).await
                }
            }
        })
        .buffer_unordered(db.ledger_writers())
        .try_collect::<()>()
        .await?;
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    if let Db::Postgres(store) = db {
        // As after any bulk load: fresh statistics for the planner and a
        // visibility map for index-only scans, instead of waiting for
        // autovacuum to get to it in the middle of a run.
        progress("VACUUM ANALYZE");
        sqlx::query("VACUUM ANALYZE").execute(store.pool()).await?;
    }

    progress(&format!(
        "passwords for {} contacts (argon2id, OWASP parameters)",
        plan::LOGINS
    ));
    let hashers = std::thread::available_parallelism().map_or(2, usize::from);
    let store = db.store();
    futures::stream::iter(plan.login_accounts())
        .map(|i| register(portal, store.as_ref(), &tenant, i))
        .buffer_unordered(hashers)
        .try_collect::<()>()
        .await?;
    progress(&format!(
        "  done at {:.1} s",
        started.elapsed().as_secs_f64()
    ));

    let settings = PortalSettings {
        display_name: plan.marker(),
        features: bench_features(),
        ..tenant.settings.clone()
    };
    portal
        .host()
        .update_tenant(tenant.id, tenant.base_url.as_str(), settings)
        .await?;
    Ok(SeedReport {
        skipped: false,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Accounts whose audit entries go in one transaction (10,000 entries).
const AUDIT_BATCH: usize = 1_000;

/// Accounts whose billing rows go in one transaction (10,000 invoices).
const LEDGER_BATCH: usize = 1_000;

/// The tenant's features: the defaults (billing, online payment and
/// statements on) with partial payment, so the payment scenario's one-cent
/// payments keep the same invoices payable over any number of runs.
fn bench_features() -> Features {
    Features {
        partial_payment: true,
        ..Features::default()
    }
}

fn progress(text: &str) {
    eprintln!("bench-seed: {text}");
}

/// The bench tenant, created when missing.
async fn tenant(portal: &Portal) -> anyhow::Result<Arc<Tenant>> {
    match portal.tenant_by_slug(TENANT_SLUG).await {
        Ok(tenant) => return Ok(tenant),
        Err(PortalError::NotFound) => {}
        Err(other) => return Err(other.into()),
    }
    let settings = PortalSettings {
        display_name: "Bench Lawn & Pest (seeding)".to_owned(),
        features: bench_features(),
        ..PortalSettings::default()
    };
    portal
        .host()
        .create_tenant(TENANT_SLUG, "http://127.0.0.1/portal/", settings)
        .await?;
    Ok(portal.tenant_by_slug(TENANT_SLUG).await?)
}

async fn upsert_account(portal: &Portal, tenant: TenantId, i: usize) -> anyhow::Result<AccountId> {
    let postal = plan::postal_code(i);
    let account = AccountUpsert {
        external_id: ExternalId::parse(&plan::account_external_id(i))?,
        number: plan::account_number(i),
        name: format!("Customer {i}"),
        address: Address {
            line1: format!("{} Main Street", 1 + i % 9_000),
            line2: String::new(),
            city: "Springfield".to_owned(),
            region: "IL".to_owned(),
            postal_code: postal.clone(),
            country: "US".to_owned(),
        },
        phone: Some(PhoneNumber::parse(&plan::primary_phone(i))?),
        email: Some(EmailAddress::parse(&plan::primary_email(i))?),
        postal_code: Some(PostalCode::parse(&postal)?),
        custom_fields: Default::default(),
        portal_enabled: true,
        has_history: true,
    };
    Ok(portal.host().upsert_account(tenant, &account).await?.id)
}

async fn upsert_contacts(
    portal: &Portal,
    tenant: TenantId,
    plan: Plan,
    accounts: &[AccountId],
    i: usize,
) -> anyhow::Result<(usize, ContactId)> {
    let host = portal.host();
    let primary = ContactUpsert {
        external_id: ExternalId::parse(&plan::primary_external_id(i))?,
        name: format!("Pat Customer {i}"),
        email: Some(EmailAddress::parse(&plan::primary_email(i))?),
        phone: Some(PhoneNumber::parse(&plan::primary_phone(i))?),
        other_phones: None,
        enabled: true,
    };
    let primary = host.upsert_contact(tenant, &primary).await?;
    host.grant_membership(tenant, primary.id, accounts[i], Role::Primary)
        .await?;
    if let Some(other) = plan.second_account(i) {
        host.grant_membership(tenant, primary.id, accounts[other], Role::Member)
            .await?;
    }
    if plan::has_second_contact(i) {
        let second = ContactUpsert {
            external_id: ExternalId::parse(&plan::second_external_id(i))?,
            name: format!("Sam Colleague {i}"),
            email: Some(EmailAddress::parse(&plan::second_email(i))?),
            phone: Some(PhoneNumber::parse(&plan::second_phone(i))?),
            other_phones: None,
            enabled: true,
        };
        let second = host.upsert_contact(tenant, &second).await?;
        host.grant_membership(tenant, second.id, accounts[i], Role::Member)
            .await?;
    }
    Ok((i, primary.id))
}

async fn record_communications(
    portal: &Portal,
    tenant: TenantId,
    account: AccountId,
    i: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let entries = [
        ("email", "Your service visit is confirmed", 2),
        ("call", "Called about the spring treatment plan", 9),
        ("note", "Gate code updated on file", 30),
    ];
    for (channel, subject, days_ago) in entries {
        portal
            .host()
            .record_communication(
                tenant,
                &portal_core::communications::CommunicationRecord::new(
                    portal_core::shared::ExternalId::parse(&format!("comm-{i}-{channel}"))?,
                    account,
                    channel,
                    subject,
                    &format!("Account {i}: {subject}."),
                    now - Duration::days(days_ago),
                ),
            )
            .await?;
    }
    Ok(())
}

async fn register(
    portal: &Portal,
    store: &dyn Store,
    tenant: &Tenant,
    i: usize,
) -> anyhow::Result<()> {
    // A resumed seeding skips contacts that have their password: a second
    // registration would be refused and count as a failed guess.
    let email = EmailAddress::parse(&plan::primary_email(i))?;
    let contact = store
        .contact_by_email(tenant.id, &email)
        .await?
        .with_context(|| format!("contact {email} is missing"))?;
    if store.credential(tenant.id, contact.id).await?.is_some() {
        return Ok(());
    }
    let facts = KnownFacts {
        phone: plan::primary_phone(i),
        email: plan::primary_email(i),
        postal_code: plan::postal_code(i),
    };
    portal
        .identity()
        .register_by_facts(
            tenant,
            &facts,
            PASSWORD,
            &LoginClient::at(Ipv4Addr::LOCALHOST.into()),
        )
        .await
        .with_context(|| format!("registering {}", facts.email))
}

/// One ticket: (suffix, subject, status, updated days ago).
const TICKETS: [(u8, &str, &str, i64); 2] = [
    (1, "Question about my last invoice", "open", 1),
    (2, "Reschedule request", "closed", 20),
];

/// The id of message `m` of account `i`'s ticket `k`: kind 9, the
/// message's place above the account and ticket bits.
fn message_id(i: usize, k: u8, m: usize) -> Uuid {
    Uuid::from_u128(ledger::row_id(9, i, k).as_u128() | ((m as u128) << 80))
}

/// The row kind ([`ledger::row_id`]'s top byte) of the seeded audit
/// entries: their ids lie in one range ([`seeded_audit_ids`]), so a run's
/// own entries (sign-ins, payments, approvals) can be told apart and
/// removed before the next run.
const AUDIT_KIND: u8 = 10;

/// The ids the seeded audit entries take: from the first (inclusive) to
/// the second (exclusive). UUIDs compare byte by byte on both databases.
fn seeded_audit_ids() -> (Uuid, Uuid) {
    (
        Uuid::from_u128(u128::from(AUDIT_KIND) << 120),
        Uuid::from_u128(u128::from(AUDIT_KIND + 1) << 120),
    )
}

/// Browsers and clients the seeded entries name.
const USER_AGENTS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
     Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, \
     like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "okhttp/4.12.0",
];

/// Account `i`'s client address number `k`: IPv4 from the documentation
/// ranges by turns with an IPv6 one.
fn audit_address(i: usize, k: usize) -> String {
    match (i + k) % 3 {
        0 => format!("203.0.113.{}", 1 + (i + k) % 254),
        1 => format!("198.51.100.{}", 1 + (i * 7 + k) % 254),
        _ => format!("2001:db8:{:x}::{:x}", i % 65_536, 1 + k),
    }
}

/// A seeded entry's actor: kind, id, name and on whose behalf.
type SeededActor = (&'static str, Option<String>, String, Option<Uuid>);

/// Account `i`'s [`plan::AUDIT_PER_ACCOUNT`] audit entries as rows of
/// `audit_log`, newest first over the last 40 days: sign-ins (one from a
/// second device), a failed sign-in, a password change, two payments (one
/// by the contact, one by the host's autopay), a quote approved, a
/// colleague added and a role changed, and a staff member's "view as
/// customer" session on the contact's behalf. Ids are deterministic (kind
/// [`AUDIT_KIND`]).
fn audit_rows_of(
    i: usize,
    tenant: Uuid,
    account: Uuid,
    contact: Uuid,
    now: DateTime<Utc>,
    rows: &mut Vec<Vec<Value>>,
) {
    let name = format!("Pat Customer {i}");
    let contact_actor = || {
        (
            "contact",
            Some(contact.to_string()),
            name.clone(),
            None::<Uuid>,
        )
    };
    let staff = format!("staff-{}", 1 + i % 12);
    // (action, actor (kind, id, name, on behalf of), detail)
    let entries: [(&str, SeededActor, Option<String>); 10] = [
        ("signed_in", contact_actor(), None),
        (
            "payment_made",
            contact_actor(),
            Some("89.50 USD".to_owned()),
        ),
        ("quote_approved", contact_actor(), Some(format!("Q-{i}-0"))),
        ("sign_in_failed", contact_actor(), None),
        ("signed_in", contact_actor(), None),
        (
            "view_as_started",
            ("staff", Some(staff.clone()), staff, Some(contact)),
            None,
        ),
        (
            "contact_added",
            contact_actor(),
            Some(format!("Sam Colleague {i}")),
        ),
        (
            "role_changed",
            contact_actor(),
            Some(format!("Sam Colleague {i}")),
        ),
        (
            "payment_made",
            ("host", None, String::new(), None),
            Some("120.00 USD".to_owned()),
        ),
        ("password_changed", contact_actor(), None),
    ];
    for (k, (action, (actor_kind, actor_id, actor_name, on_behalf_of), detail)) in
        entries.into_iter().enumerate()
    {
        let at = now
            - Duration::days(4 * k as i64)
            - Duration::minutes(((i * 37 + k * 11) % 1_440) as i64);
        let by_client = actor_kind != "host";
        rows.push(vec![
            Value::Id(ledger::row_id(AUDIT_KIND, i, k as u8)),
            Value::Id(tenant),
            Value::Id(account),
            Value::OptId(Some(contact)),
            Value::Text(action.to_owned()),
            Value::Text(actor_kind.to_owned()),
            Value::OptText(actor_id),
            Value::Text(actor_name),
            Value::OptId(on_behalf_of),
            Value::OptText(detail),
            Value::OptText(by_client.then(|| audit_address(i, k))),
            Value::OptText(by_client.then(|| USER_AGENTS[(i + k) % USER_AGENTS.len()].to_owned())),
            Value::Time(at),
        ]);
    }
}

/// The audit entries of `rows` (account number, id, primary contact)
/// ([`audit_rows_of`]), in one transaction.
async fn insert_audit_log<DB>(
    pool: &sqlx::Pool<DB>,
    tenant: TenantId,
    rows: &[(usize, AccountId, ContactId)],
    now: DateTime<Utc>,
) -> anyhow::Result<()>
where
    DB: Bulk,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let tenant = tenant.as_uuid();
    let mut entries = Vec::with_capacity(rows.len() * plan::AUDIT_PER_ACCOUNT);
    for &(i, account, contact) in rows {
        audit_rows_of(
            i,
            tenant,
            account.as_uuid(),
            contact.as_uuid(),
            now,
            &mut entries,
        );
    }
    let mut tx = pool.begin().await?;
    bulk::insert::<DB>(
        &mut tx,
        "audit_log",
        &[
            "id",
            "tenant_id",
            "account_id",
            "contact_id",
            "action",
            "actor_kind",
            "actor_id",
            "actor_name",
            "on_behalf_of",
            "detail",
            "client_addr",
            "user_agent",
            "at",
        ],
        entries,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes what earlier runs wrote beside the seeded data, so every run
/// reads the same lists: the audit entries (sign-ins, payments, approvals)
/// outside the seeded ids, and the tickets opened (with their threads)
/// past the seeded numbers, `last_ticket`.
async fn clear_run_rows(db: &Db, tenant: TenantId, last_ticket: i64) -> anyhow::Result<()> {
    // One statement with the tenant as `$1` and then `binds`, on either
    // database.
    macro_rules! run {
        ($sql:expr $(, $bind:expr)*) => {
            match db {
                Db::Sqlite(store) => {
                    sqlx::query($sql)
                        .bind(tenant.as_uuid())
                        $(.bind($bind))*
                        .execute(store.pool())
                        .await?;
                }
                Db::Postgres(store) => {
                    sqlx::query($sql)
                        .bind(tenant.as_uuid())
                        $(.bind($bind))*
                        .execute(store.pool())
                        .await?;
                }
            }
        };
    }
    let (from, to) = seeded_audit_ids();
    run!(
        "DELETE FROM audit_log WHERE tenant_id = $1 AND (id < $2 OR id >= $3)",
        from,
        to
    );
    run!(
        "DELETE FROM ticket_attachments WHERE ticket_id IN \
         (SELECT id FROM tickets WHERE tenant_id = $1 AND number > $2)",
        last_ticket
    );
    run!(
        "DELETE FROM ticket_messages WHERE ticket_id IN \
         (SELECT id FROM tickets WHERE tenant_id = $1 AND number > $2)",
        last_ticket
    );
    run!(
        "DELETE FROM tickets WHERE tenant_id = $1 AND number > $2",
        last_ticket
    );
    Ok(())
}

/// The id of account `i`'s open ticket (the one the ticket page scenario
/// reads).
pub fn open_ticket_id(i: usize) -> Uuid {
    ledger::row_id(3, i, 1)
}

/// Account `i`'s ticket `k`'s number: unique in the tenant, and at most
/// what [`reserve_ticket_numbers`] reserves, so tickets opened during a
/// run never take a seeded one's.
fn ticket_number(i: usize, k: u8) -> i64 {
    (i as i64) * (TICKETS.len() as i64) + i64::from(k)
}

/// Sets the tenant's ticket counter past the numbers of `n` accounts'
/// seeded tickets.
async fn reserve_ticket_numbers<DB>(
    pool: &sqlx::Pool<DB>,
    tenant: TenantId,
    n: usize,
) -> anyhow::Result<()>
where
    DB: Bulk,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut conn = pool.acquire().await?;
    let last = ticket_number(n, TICKETS.len() as u8);
    bulk::insert::<DB>(
        &mut conn,
        "ticket_counters",
        &["tenant_id", "last_number"],
        vec![vec![Value::Id(tenant.as_uuid()), Value::Int(last)]],
    )
    .await
}

/// The tickets of `rows` (account number, id, primary contact), each with
/// its thread ([`Plan::messages_of`]: the customer's opening text, then
/// the business and the customer by turns), in one transaction. Their ids
/// (kinds 3 and 9) and numbers are deterministic, so a resumed seeding
/// inserts nothing twice.
async fn insert_tickets<DB>(
    pool: &sqlx::Pool<DB>,
    plan: Plan,
    tenant: TenantId,
    rows: &[(usize, AccountId, ContactId)],
    now: DateTime<Utc>,
) -> anyhow::Result<()>
where
    DB: Bulk,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let tenant = tenant.as_uuid();
    let mut tickets = Vec::new();
    let mut messages = Vec::new();
    for &(i, account, contact) in rows {
        let account = account.as_uuid();
        for (k, subject, status, days_ago) in TICKETS {
            let id = ledger::row_id(3, i, k);
            let at = now - Duration::days(days_ago);
            let messages_count = plan.messages_of(i, k);
            tickets.push(vec![
                Value::Id(id),
                Value::Id(tenant),
                Value::Id(account),
                Value::Int(ticket_number(i, k)),
                Value::Text("service".to_owned()),
                Value::Text("Service question".to_owned()),
                Value::Text(subject.to_owned()),
                Value::Text(status.to_owned()),
                Value::Bool(status == "closed"),
                Value::Id(contact.as_uuid()),
                Value::Time(at),
                Value::Time(at + Duration::minutes(messages_count as i64)),
                Value::Int(messages_count as i64),
            ]);
            for m in 0..messages_count {
                let by_customer = m % 2 == 0;
                messages.push(vec![
                    Value::Id(message_id(i, k, m)),
                    Value::Id(tenant),
                    Value::Id(id),
                    Value::OptId(by_customer.then_some(contact.as_uuid())),
                    Value::OptText((!by_customer).then(|| "Bench Lawn & Pest office".to_owned())),
                    Value::Text(format!(
                        "{subject}: message {m} of the thread, a few sentences about the \
                         visit, the yard and what was seen there."
                    )),
                    Value::Time(at + Duration::minutes(m as i64)),
                ]);
            }
        }
    }
    let mut tx = pool.begin().await?;
    bulk::insert::<DB>(
        &mut tx,
        "tickets",
        &[
            "id",
            "tenant_id",
            "account_id",
            "number",
            "category_key",
            "category_name",
            "subject",
            "status",
            "closed",
            "opened_by",
            "opened_at",
            "updated_at",
            "message_count",
        ],
        tickets,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "ticket_messages",
        &[
            "id",
            "tenant_id",
            "ticket_id",
            "contact_id",
            "staff_name",
            "body",
            "created_at",
        ],
        messages,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The billing rows of `rows` (account number, id) as of `now` (see
/// [`ledger`]), in one transaction: invoices, their lines, payments, then
/// allocations, quotes and their lines, jobs with the invoices they were
/// billed on ([`jobs_of`]) and rental contracts with their lines
/// ([`rental_of`]), each table in multi-row statements.
async fn insert_ledgers<DB>(
    pool: &sqlx::Pool<DB>,
    plan: Plan,
    tenant: TenantId,
    rows: &[(usize, AccountId)],
    now: DateTime<Utc>,
) -> anyhow::Result<()>
where
    DB: Bulk,
    DB::Arguments: Default + sqlx::IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let tenant = tenant.as_uuid();
    let currency = CURRENCY.as_str();
    let (mut invoices, mut lines, mut payments, mut allocations) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let today = now.date_naive();
    let (mut quotes, mut quote_lines) = (Vec::new(), Vec::new());
    let (mut jobs, mut job_invoices) = (Vec::new(), Vec::new());
    let (mut contracts, mut contract_lines) = (Vec::new(), Vec::new());
    for &(i, account) in rows {
        let account = account.as_uuid();
        rental_of(i, tenant, account, now, &mut contracts, &mut contract_lines);
        // Quotes: one awaiting approval for three weeks more, one that
        // expired ten days ago, and on a session account the ones the
        // approval scenario approves; one line each. The digest only has
        // to be some digest: an approval quotes it back
        // ([`approvable_quote`]).
        let approvable = if plan.is_session_account(i) {
            plan::APPROVABLE_QUOTES
        } else {
            0
        };
        let kinds = [(0u8, 21), (1u8, -10)]
            .into_iter()
            .chain((0..approvable).map(|q| (approvable_kind(q), 60)));
        for (k, valid_for) in kinds {
            let id = ledger::row_id(7, i, k);
            let valid_until = today + Duration::days(valid_for);
            let number = format!("Q-{i}-{k}");
            quote_lines.push(vec![
                Value::Id(id),
                Value::Int(0),
                Value::Text("Lawn renovation".to_owned()),
                Value::Text("1".to_owned()),
                Value::Text("450.00".to_owned()),
                Value::Text("0".to_owned()),
                Value::Bool(false),
            ]);
            quotes.push(vec![
                Value::Id(id),
                Value::Id(tenant),
                Value::Id(account),
                Value::Text(number.clone()),
                Value::Text(number),
                Value::Text("Spring lawn renovation".to_owned()),
                Value::Text("Aerate and overseed.".to_owned()),
                Value::Text("Half on approval.".to_owned()),
                Value::Date(valid_until - Duration::days(30)),
                Value::Date(valid_until),
                Value::Text(currency.to_owned()),
                Value::Int(45_000),
                Value::Int(0),
                Value::Int(45_000),
                Value::Bool(false),
                Value::Text(format!("{:064x}", id.as_u128())),
                Value::Text("pending".to_owned()),
                Value::Time(ledger::midnight(today)),
                Value::Time(ledger::midnight(today)),
            ]);
        }
        let Ledger {
            invoices: seeded_invoices,
            payments: seeded_payments,
            allocations: seeded_allocations,
        } = ledger::ledger(i, today);
        // The completed job was billed on the account's latest invoice.
        let billed_on = seeded_invoices
            .last()
            .map(|invoice| invoice.number.clone())
            .context("the ledger has invoices")?;
        jobs_of(
            i,
            tenant,
            account,
            now,
            &billed_on,
            &mut jobs,
            &mut job_invoices,
        );
        for invoice in seeded_invoices {
            for (position, line) in invoice.lines.iter().enumerate() {
                lines.push(vec![
                    Value::Id(invoice.id),
                    Value::Int(position as i64),
                    Value::Text(line.description.clone()),
                    Value::Text(line.quantity.to_string()),
                    Value::Text(line.unit_price.to_string()),
                    Value::Text(line.tax_rate.to_string()),
                ]);
            }
            invoices.push(vec![
                Value::Id(invoice.id),
                Value::Id(tenant),
                Value::Id(account),
                Value::Text(invoice.number.clone()),
                Value::Text(invoice.number.to_lowercase()),
                Value::Text(invoice.number),
                Value::Date(invoice.issued_on),
                Value::Date(invoice.due_on),
                Value::Text(currency.to_owned()),
                Value::Int(invoice.subtotal_minor),
                Value::Int(invoice.tax_minor),
                Value::Int(invoice.total_minor),
                Value::Int(invoice.paid_minor),
                Value::Text(invoice.status.to_owned()),
                Value::OptTime(invoice.voided_at),
                Value::Time(invoice.created_at),
                Value::Time(invoice.voided_at.unwrap_or(invoice.created_at)),
            ]);
        }
        for payment in seeded_payments {
            payments.push(vec![
                Value::Id(payment.id),
                Value::Id(tenant),
                Value::Id(account),
                Value::Text("payment".to_owned()),
                Value::Text("host".to_owned()),
                Value::Text("succeeded".to_owned()),
                Value::Text(currency.to_owned()),
                Value::Int(payment.amount_minor),
                Value::Int(payment.applied_minor),
                Value::OptText(Some(payment.method_label)),
                Value::OptText(Some(payment.external_id)),
                Value::Time(payment.received_at),
                Value::OptTime(Some(payment.received_at)),
            ]);
        }
        for allocation in seeded_allocations {
            allocations.push(vec![
                Value::Id(allocation.id),
                Value::Id(tenant),
                Value::Id(account),
                Value::Id(allocation.payment_id),
                Value::Id(allocation.invoice_id),
                Value::Int(allocation.amount_minor),
                Value::Text("applied".to_owned()),
                Value::Time(allocation.applied_at),
                Value::OptTime(Some(allocation.applied_at)),
            ]);
        }
    }
    let mut tx = pool.begin().await?;
    bulk::insert::<DB>(
        &mut tx,
        "invoices",
        &[
            "id",
            "tenant_id",
            "account_id",
            "number",
            "number_key",
            "external_id",
            "issued_on",
            "due_on",
            "currency",
            "subtotal_minor",
            "tax_minor",
            "total_minor",
            "paid_minor",
            "status",
            "voided_at",
            "created_at",
            "updated_at",
        ],
        invoices,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "invoice_lines",
        &[
            "invoice_id",
            "position",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
        ],
        lines,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "payments",
        &[
            "id",
            "tenant_id",
            "account_id",
            "kind",
            "source",
            "status",
            "currency",
            "amount_minor",
            "applied_minor",
            "method_label",
            "external_id",
            "received_at",
            "settled_at",
        ],
        payments,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "allocations",
        &[
            "id",
            "tenant_id",
            "account_id",
            "payment_id",
            "invoice_id",
            "amount_minor",
            "state",
            "created_at",
            "applied_at",
        ],
        allocations,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "quotes",
        &[
            "id",
            "tenant_id",
            "account_id",
            "external_id",
            "number",
            "title",
            "scope_of_work",
            "terms",
            "issued_on",
            "valid_until",
            "currency",
            "subtotal_minor",
            "tax_minor",
            "total_minor",
            "has_optional_lines",
            "content_sha256",
            "status",
            "created_at",
            "updated_at",
        ],
        quotes,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "quote_lines",
        &[
            "quote_id",
            "position",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "optional",
        ],
        quote_lines,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "jobs",
        &[
            "id",
            "tenant_id",
            "account_id",
            "external_id",
            "number",
            "title",
            "description",
            "status",
            "window_start",
            "window_end",
            "technicians",
            "content_sha256",
            "created_at",
            "updated_at",
            "completed_at",
        ],
        jobs,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "job_invoices",
        &["tenant_id", "job_id", "invoice_external_id"],
        job_invoices,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "rental_contracts",
        &[
            "id",
            "tenant_id",
            "account_id",
            "external_id",
            "number",
            "status",
            "started_on",
            "site",
            "items_out",
            "created_at",
            "updated_at",
        ],
        contracts,
    )
    .await?;
    bulk::insert::<DB>(
        &mut tx,
        "rental_contract_lines",
        &[
            "contract_id",
            "position",
            "code",
            "name",
            "quantity_out",
            "quantity_returned",
            "out_since",
            "rate_minor",
            "currency",
        ],
        contract_lines,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Account `i`'s [`plan::JOBS_PER_ACCOUNT`] jobs as rows of `jobs`, with
/// the completed one's invoice (`billed_on`, the invoice's external id)
/// in `job_invoices`: job 1 scheduled within the next month (the upcoming
/// list), job 2 completed a week ago, job 3 by turns waiting to be
/// scheduled, in progress (today's window) or scheduled. Ids are
/// deterministic (kind 2).
fn jobs_of(
    i: usize,
    tenant: Uuid,
    account: Uuid,
    now: DateTime<Utc>,
    billed_on: &str,
    jobs: &mut Vec<Vec<Value>>,
    job_invoices: &mut Vec<Vec<Value>>,
) {
    let soon = now + Duration::days(3 + (i % 25) as i64);
    let third = match i % 3 {
        0 => ("Shrub trimming", "unscheduled", None),
        1 => (
            "Irrigation repair",
            "in_progress",
            Some(now - Duration::hours(1)),
        ),
        _ => ("Fall cleanup", "scheduled", Some(now + Duration::days(30))),
    };
    let specs = [
        (1u8, "Quarterly pest treatment", "scheduled", Some(soon)),
        (
            2,
            "Lawn aeration",
            "completed",
            Some(now - Duration::days(7)),
        ),
        (3, third.0, third.1, third.2),
    ];
    let created = now - Duration::days(14);
    for (k, title, status, start) in specs {
        let id = ledger::row_id(2, i, k);
        let technicians = if status == "unscheduled" {
            "[]"
        } else {
            r#"["Alex Rivera"]"#
        };
        jobs.push(vec![
            Value::Id(id),
            Value::Id(tenant),
            Value::Id(account),
            Value::Text(format!("job-{i}-{k}")),
            Value::Text(format!("JOB-{i}-{k}")),
            Value::Text(title.to_owned()),
            Value::Text(String::new()),
            Value::Text(status.to_owned()),
            Value::OptTime(start),
            Value::OptTime(start.map(|at| at + Duration::hours(2))),
            Value::Text(technicians.to_owned()),
            // No host upsert made these: a digest no upsert has, so
            // the first real upsert of one rewrites it.
            Value::Text("seeded".to_owned()),
            Value::Time(created),
            Value::Time(created),
            Value::OptTime(
                (status == "completed").then(|| now - Duration::days(7) + Duration::hours(2)),
            ),
        ]);
        if status == "completed" {
            job_invoices.push(vec![
                Value::Id(tenant),
                Value::Id(id),
                Value::Text(billed_on.to_owned()),
            ]);
        }
    }
}

/// Rental equipment: (code, name, daily rate in cents).
const RENTAL_ITEMS: [(&str, &str, i64); 3] = [
    ("EQ-EXC", "Mini excavator", 32_500),
    ("EQ-CMP", "Plate compactor", 8_500),
    ("EQ-LGT", "Light tower", 12_000),
];

/// Account `i`'s rental contract as a row of `contracts`, with its one to
/// three lines in `lines`: open (one in five closed, everything
/// returned), started up to two months ago. The contract's `items_out` is
/// what its lines have out less returned, as the store writes it. Ids are
/// deterministic (kind 8).
fn rental_of(
    i: usize,
    tenant: Uuid,
    account: Uuid,
    now: DateTime<Utc>,
    contracts: &mut Vec<Vec<Value>>,
    lines: &mut Vec<Vec<Value>>,
) {
    let id = ledger::row_id(8, i, 0);
    let closed = i % 5 == 4;
    let started_on = now.date_naive() - Duration::days((i % 60) as i64);
    let mut items_out = 0;
    for (position, (code, name, rate)) in RENTAL_ITEMS.iter().take(1 + i % 3).enumerate() {
        let out = 1 + (i + position) as i64 % 2;
        let returned = if closed { out } else { 0 };
        items_out += out - returned;
        lines.push(vec![
            Value::Id(id),
            Value::Int(position as i64),
            Value::Text((*code).to_owned()),
            Value::Text((*name).to_owned()),
            Value::Int(out),
            Value::Int(returned),
            Value::Date(started_on),
            Value::Int(*rate),
            Value::Text(CURRENCY.as_str().to_owned()),
        ]);
    }
    let created = ledger::midnight(started_on);
    contracts.push(vec![
        Value::Id(id),
        Value::Id(tenant),
        Value::Id(account),
        Value::Text(format!("rental-{i}")),
        Value::Text(format!("RC-{i:07}")),
        Value::Text(if closed { "closed" } else { "open" }.to_owned()),
        Value::Date(started_on),
        Value::OptText(Some(format!("{} Main Street", 1 + i % 9_000))),
        Value::Int(items_out),
        Value::Time(created),
        Value::Time(created),
    ]);
}

/// The row kind ([`ledger::row_id`]'s third part) of a session account's
/// `q`-th quote to approve.
fn approvable_kind(q: u8) -> u8 {
    2 + q
}

/// Account `i`'s `q`-th quote to approve: its id and the content digest an
/// approval quotes back (the seed writes the id as the digest).
pub fn approvable_quote(i: usize, q: u8) -> (Uuid, String) {
    let id = ledger::row_id(7, i, approvable_kind(q));
    (id, format!("{:064x}", id.as_u128()))
}

/// Deletes the tenant's billing, quote, job and rental rows, children
/// first: a dataset of an older version (other invoices, fewer jobs) or a
/// seeding cut short is written afresh.
const CLEAR_BILLING: [&str; 15] = [
    "DELETE FROM job_invoices WHERE tenant_id = $1",
    "DELETE FROM job_assets WHERE tenant_id = $1",
    "DELETE FROM job_events WHERE job_id IN (SELECT id FROM jobs WHERE tenant_id = $1)",
    "DELETE FROM job_notes WHERE job_id IN (SELECT id FROM jobs WHERE tenant_id = $1)",
    "DELETE FROM jobs WHERE tenant_id = $1",
    // Call-offs are service requests since migration 0018.
    "DELETE FROM service_requests WHERE tenant_id = $1",
    "DELETE FROM rental_contract_lines WHERE contract_id IN \
         (SELECT id FROM rental_contracts WHERE tenant_id = $1)",
    "DELETE FROM rental_contracts WHERE tenant_id = $1",
    "DELETE FROM quote_lines WHERE quote_id IN (SELECT id FROM quotes WHERE tenant_id = $1)",
    "DELETE FROM quotes WHERE tenant_id = $1",
    "DELETE FROM allocations WHERE tenant_id = $1",
    "DELETE FROM payments WHERE tenant_id = $1",
    "DELETE FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE tenant_id = $1)",
    "DELETE FROM invoice_documents WHERE invoice_id IN (SELECT id FROM invoices WHERE tenant_id = $1)",
    "DELETE FROM invoices WHERE tenant_id = $1",
];

/// Undoes what earlier runs' payment and approval scenarios did, so every
/// run starts from the seeded data: the portal's payments are deleted with
/// their allocations, and the invoices they paid on go back to open with
/// nothing paid or held, which is how the ledger seeds the only invoices
/// the scenario pays ([`PAYABLE`]); approved quotes are pending again (the
/// seed decides none). The receipts and events they queued are dropped
/// too.
const RESET_RUNS: [&str; 5] = [
    "UPDATE invoices SET paid_minor = 0, pending_minor = 0, status = 'open' \
     WHERE tenant_id = $1 AND id IN (SELECT a.invoice_id FROM allocations a \
         JOIN payments p ON p.id = a.payment_id WHERE p.tenant_id = $1 AND p.source = 'portal')",
    "DELETE FROM allocations WHERE payment_id IN \
         (SELECT id FROM payments WHERE tenant_id = $1 AND source = 'portal')",
    "DELETE FROM payments WHERE tenant_id = $1 AND source = 'portal'",
    "UPDATE quotes SET status = 'pending', decided_at = NULL, decided_by = NULL, \
         decided_by_name = NULL, signer_name = NULL, comment = NULL, po_number = NULL, \
         chosen_lines = NULL, approved_total_minor = NULL, approved_sha256 = NULL, \
         client_ip = NULL, user_agent = NULL, decline_reason = NULL \
     WHERE tenant_id = $1 AND status <> 'pending'",
    "DELETE FROM outbox WHERE tenant_id = $1",
];

/// Runs `statements`, each with the tenant as `$1`, in one transaction.
async fn run_for_tenant(
    db: &Db,
    tenant: TenantId,
    statements: &[&'static str],
) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(store) => {
            let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await?;
            for sql in statements {
                sqlx::query(*sql)
                    .bind(tenant.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        Db::Postgres(store) => {
            let mut tx = store.pool().begin().await?;
            for sql in statements {
                sqlx::query(*sql)
                    .bind(tenant.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
    }
    Ok(())
}

/// Ends every session of the bench tenant (earlier runs' and the log-in
/// scenario's), so each run starts from the same table.
async fn clear_sessions(db: &Db, tenant: TenantId) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(store) => {
            sqlx::query("DELETE FROM sessions WHERE tenant_id = ?")
                .bind(tenant.as_uuid())
                .execute(store.pool())
                .await?;
        }
        Db::Postgres(store) => {
            sqlx::query("DELETE FROM sessions WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .execute(store.pool())
                .await?;
        }
    }
    Ok(())
}

/// Writes two fresh sessions for each of the plan's session contacts
/// through [`start_session`](portal_core::ports::SessionStore::start_session):
/// a cookie session (pages; raw tokens to `tokens_file`, one a line) and a
/// bearer session (the JSON API; to `payers_file`, one line each: the
/// token and the ids of the account's two invoices the payment scenario
/// pays, [`PAYABLE`], tab-separated). The store does not tell the kinds
/// apart when authenticating, but a client of the API logs in for a bearer
/// session, so that is what it gets. The bearer sessions also approve:
/// `approvers_file` gets one line per quote to approve (token, quote id,
/// digest), the quotes' turn first, so consecutive requests are for
/// different accounts. `threads_file` gets each cookie session with its
/// account's open ticket (token, ticket id), for the ticket page. First
/// undoes earlier runs' payments and approvals
/// (see `RESET_RUNS`), so each run starts from the seeded data.
///
/// A session is started for a verified password hash, so contacts without
/// a password first get one (the same hash of [`PASSWORD`] for all, one
/// argon2id run). Their last use is spread over the past minute, so the
/// once-a-minute touch is spread evenly over the run instead of coming all
/// at once.
pub async fn write_sessions(
    db: &Db,
    portal: &Portal,
    plan: Plan,
    tokens_file: &Path,
    payers_file: &Path,
    approvers_file: &Path,
    threads_file: &Path,
) -> anyhow::Result<usize> {
    let tenant = portal.tenant_by_slug(TENANT_SLUG).await?;
    clear_sessions(db, tenant.id).await?;
    run_for_tenant(db, tenant.id, &RESET_RUNS).await?;
    let last_ticket = ticket_number(plan.accounts(), TICKETS.len() as u8);
    clear_run_rows(db, tenant.id, last_ticket).await?;
    let store = db.store();
    let shared_hash = Argon2Hasher::owasp()?
        .hash(&Password::parse(PASSWORD)?)
        .await?;
    let now = Utc::now();
    let mut tokens = String::new();
    let mut threads = String::new();
    let mut payers = String::new();
    let mut bearers = Vec::with_capacity(plan::SESSIONS);
    for (k, i) in plan.session_accounts().enumerate() {
        let (contact, account) = ids_of(store.as_ref(), tenant.id, i).await?;
        let hash = match store.credential(tenant.id, contact).await? {
            Some(credential) => credential.password_hash,
            None => {
                store
                    .set_first_password(tenant.id, contact, &shared_hash, &[])
                    .await?;
                shared_hash.clone()
            }
        };
        let spread = Duration::milliseconds((k as i64 * 60_000) / plan::SESSIONS as i64);
        for kind in [SessionKind::Cookie, SessionKind::Bearer] {
            let token = OsTokens.new_token();
            let session = Session {
                id: SessionId::new(),
                tenant: tenant.id,
                contact,
                active_account: account,
                token_hash: token.hash(),
                kind,
                created_at: now - Duration::minutes(5),
                last_seen_at: now - spread,
                idle_expires_at: now + Duration::days(30),
                absolute_expires_at: now + Duration::days(30),
                client: Default::default(),
                viewer: None,
            };
            store
                .start_session(
                    &session,
                    &hash,
                    &portal_core::identity::LoginSource::Address(
                        std::net::Ipv4Addr::LOCALHOST.into(),
                    ),
                    &[],
                )
                .await?;
            match kind {
                SessionKind::Cookie => {
                    tokens.push_str(token.expose());
                    tokens.push('\n');
                    threads.push_str(&format!("{}\t{}\n", token.expose(), open_ticket_id(i)));
                }
                SessionKind::Bearer => {
                    bearers.push((i, token.expose().to_owned()));
                    payers.push_str(token.expose());
                    for invoice in PAYABLE {
                        payers.push_str(&format!("\t{}", ledger::invoice_id(i, invoice)));
                    }
                    payers.push('\n');
                }
            }
        }
    }
    let mut approvers = String::new();
    for q in 0..plan::APPROVABLE_QUOTES {
        for (i, token) in &bearers {
            let (quote, digest) = approvable_quote(*i, q);
            approvers.push_str(&format!("{token}\t{quote}\t{digest}\n"));
        }
    }
    write_file(tokens_file, &tokens)?;
    write_file(payers_file, &payers)?;
    write_file(approvers_file, &approvers)?;
    write_file(threads_file, &threads)?;
    Ok(plan::SESSIONS)
}

async fn ids_of(
    store: &dyn Store,
    tenant: TenantId,
    i: usize,
) -> anyhow::Result<(ContactId, AccountId)> {
    let contact = store
        .contact_by_external_id(tenant, &ExternalId::parse(&plan::primary_external_id(i))?)
        .await?
        .with_context(|| format!("contact {i} is missing: the database is not fully seeded"))?;
    let account = store
        .account_by_external_id(tenant, &ExternalId::parse(&plan::account_external_id(i))?)
        .await?
        .with_context(|| format!("account {i} is missing: the database is not fully seeded"))?;
    Ok((contact.id, account.id))
}

/// Writes the log-in names of the password contacts, with the password,
/// tab-separated, one a line.
pub fn write_logins(plan: Plan, logins_file: &Path) -> anyhow::Result<()> {
    let mut text = String::new();
    for i in plan.login_accounts() {
        text.push_str(&format!("{}\t{PASSWORD}\n", plan::primary_email(i)));
    }
    write_file(logins_file, &text)
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}
