//! What every conformance test stands on: a fresh database per test on
//! either backend ([`TestDb`]), the `conformance!` macro that runs one test
//! body on both, and small builders for the records tests need.
//!
//! SQLite tests get a temporary file (so the real writer + reader pools are
//! exercised, and a second store can open the same file). PostgreSQL tests
//! get a database of their own, created on the server named by
//! `PORTAL_TEST_PG_URL` and dropped when the test passes; without that
//! variable they fail, loudly, rather than skip.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use portal_core::access::{AccountScope, Role};
use portal_core::accounts::{Account, AccountUpsert, Address};
use portal_core::identity::{
    Contact, ContactUpsert, Credential, LoginName, LoginSource, OneTimeToken, RawToken, Session,
    SessionKind, TokenPurpose,
};
use portal_core::jobs::{Job, JobStatus, JobUpsert, JobWindow};
use portal_core::outbox::{DomainEvent, Email, EmailKind, OutboxMessage};
use portal_core::ports::Store;
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, Language, PhoneNumber, PostalCode, SessionId,
    TenantId, TicketId, TicketMessageId,
};
use portal_core::tenancy::{LinkMailPolicy, PortalSettings, Tenant, TenantSlug};
use portal_core::tickets::{Author, CategoryRef, Ticket, TicketMessage, TicketStatus};
use portal_store_sqlx::{PgStore, SqliteStore};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use uuid::Uuid;

/// The client the tests' attempts come from, unless they say otherwise.
pub fn address() -> LoginSource {
    LoginSource::Address("192.0.2.1".parse().expect("an IP address"))
}

/// A link-mail throttle no test reaches, for tests about something else.
pub const UNLIMITED: LinkMailPolicy = LinkMailPolicy {
    max_per_window: u32::MAX,
    window_minutes: 15,
};

/// The variable naming the PostgreSQL server the suite creates its
/// databases on, e.g. `postgres://portal@127.0.0.1:5433/postgres`.
pub const PG_URL_VAR: &str = "PORTAL_TEST_PG_URL";

/// Runs each named test body (an `async fn(TestDb)`) once on SQLite and
/// once on PostgreSQL, as `<name>::sqlite` and `<name>::postgres`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = crate::harness::TestDb::sqlite().await;
                    super::$name(db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let db = crate::harness::TestDb::postgres().await;
                    let cleanup = db.cleanup();
                    super::$name(db).await;
                    cleanup.run().await;
                }
            }
        )*
    };
}
pub(crate) use conformance;

/// Which database a test runs on, and what it needs to reach it again.
enum Backend {
    Sqlite {
        store: SqliteStore,
        /// The file lives in here; dropped (deleted) with the test.
        dir: tempfile::TempDir,
    },
    Postgres {
        store: PgStore,
        options: Box<PgConnectOptions>,
    },
}

/// A fresh, migrated database for one test, and its store.
pub struct TestDb {
    /// The store under test, as the facade holds it.
    pub store: Arc<dyn Store>,
    backend: Backend,
}

impl TestDb {
    /// A new SQLite database in a temporary file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = SqliteStore::connect(&sqlite_url(&dir))
            .await
            .expect("SQLite store opens");
        Self {
            store: Arc::new(store.clone()),
            backend: Backend::Sqlite { store, dir },
        }
    }

    /// A new database on the PostgreSQL server named by `PORTAL_TEST_PG_URL`.
    pub async fn postgres() -> Self {
        let database = PgDatabase::create().await;
        let store = pg_store(&database.options).await;
        Self {
            store: Arc::new(store.clone()),
            backend: Backend::Postgres {
                store,
                options: Box::new(database.options),
            },
        }
    }

    /// A second, independent store (its own pools) on the same database:
    /// another portal process, as far as the database can tell.
    pub async fn another_store(&self) -> Arc<dyn Store> {
        match &self.backend {
            Backend::Sqlite { dir, .. } => Arc::new(
                SqliteStore::connect(&sqlite_url(dir))
                    .await
                    .expect("second SQLite store opens"),
            ),
            Backend::Postgres { options, .. } => Arc::new(pg_store(options).await),
        }
    }

    /// What to do once the test passed: drop its PostgreSQL database.
    pub fn cleanup(&self) -> Cleanup {
        Cleanup(match &self.backend {
            Backend::Sqlite { .. } => None,
            Backend::Postgres { options, .. } => Some(options.as_ref().clone()),
        })
    }

    /// Runs a `SELECT COUNT(*) ...` written the same for both databases.
    pub async fn count(&self, sql: &'static str) -> i64 {
        let result = match &self.backend {
            Backend::Sqlite { store, .. } => {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(store.pool())
                    .await
            }
            Backend::Postgres { store, .. } => {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(store.pool())
                    .await
            }
        };
        result.unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// Runs one statement without parameters, written for each database
    /// (`sqlite`, `postgres`): what a migration does, or a state only an
    /// older version could have left.
    pub async fn execute(&self, sqlite: &'static str, postgres: &'static str) {
        let result = match &self.backend {
            Backend::Sqlite { store, .. } => {
                sqlx::raw_sql(sqlite).execute(store.pool()).await.map(drop)
            }
            Backend::Postgres { store, .. } => sqlx::raw_sql(postgres)
                .execute(store.pool())
                .await
                .map(drop),
        };
        result.unwrap_or_else(|error| panic!("{sqlite} / {postgres}: {error}"))
    }

    /// Whether the database refuses one statement without parameters,
    /// written for each database: what a table's checks stop a writer
    /// other than the store from doing.
    pub async fn refuses(&self, sqlite: &'static str, postgres: &'static str) -> bool {
        match &self.backend {
            Backend::Sqlite { store, .. } => {
                sqlx::raw_sql(sqlite).execute(store.pool()).await.is_err()
            }
            Backend::Postgres { store, .. } => {
                sqlx::raw_sql(postgres).execute(store.pool()).await.is_err()
            }
        }
    }

    /// The failures counted in `scope` for `contact` (0 without a row) and
    /// the scope's lock end, read from the table as they are.
    pub async fn lock_row(&self, contact: ContactId, scope: &str) -> (i64, Option<DateTime<Utc>>) {
        let sql = "SELECT failed_attempts, locked_until FROM login_lockouts \
                   WHERE contact_id = $1 AND scope = $2";
        let id = contact.as_uuid();
        match &self.backend {
            Backend::Sqlite { store, .. } => {
                let row: Option<(i64, Option<i64>)> = sqlx::query_as(sql)
                    .bind(id)
                    .bind(scope)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
                row.map_or((0, None), |(count, until)| {
                    (count, until.and_then(DateTime::from_timestamp_micros))
                })
            }
            Backend::Postgres { store, .. } => {
                let row: Option<(i32, Option<DateTime<Utc>>)> = sqlx::query_as(sql)
                    .bind(id)
                    .bind(scope)
                    .fetch_optional(store.pool())
                    .await
                    .unwrap();
                row.map_or((0, None), |(count, until)| (i64::from(count), until))
            }
        }
    }

    /// Stores an invoice as it is (any status and balance), bypassing the
    /// billing port, for the dashboard's panel. `balance` is in cents.
    pub async fn seed_invoice(
        &self,
        scope: AccountScope,
        number: &str,
        due_on: NaiveDate,
        balance: i64,
        status: &str,
    ) {
        let id = Uuid::now_v7();
        let issued_on = due_on - Duration::days(30);
        let (tenant, account) = (scope.tenant().as_uuid(), scope.account().as_uuid());
        // Whatever is not owed counts as paid.
        let (total, paid) = (balance + 100, 100);
        let sql = "INSERT INTO invoices (id, tenant_id, account_id, external_id, number, \
                       number_key, issued_on, due_on, currency, subtotal_minor, tax_minor, \
                       total_minor, paid_minor, status, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'USD', $9, 0, $9, $10, $11, $12, $12)";
        let result = match &self.backend {
            Backend::Sqlite { store, .. } => sqlx::query(sql)
                .bind(id)
                .bind(tenant)
                .bind(account)
                .bind(id.to_string())
                .bind(number)
                .bind(number.to_lowercase())
                .bind(issued_on)
                .bind(due_on)
                .bind(total)
                .bind(paid)
                .bind(status)
                .bind(now().timestamp_micros())
                .execute(store.pool())
                .await
                .map(drop),
            Backend::Postgres { store, .. } => sqlx::query(sql)
                .bind(id)
                .bind(tenant)
                .bind(account)
                .bind(id.to_string())
                .bind(number)
                .bind(number.to_lowercase())
                .bind(issued_on)
                .bind(due_on)
                .bind(total)
                .bind(paid)
                .bind(status)
                .bind(now())
                .execute(store.pool())
                .await
                .map(drop),
        };
        result.expect("invoice seeded");
    }

    /// Stores an unspent one-time token as it is, bypassing `issue_token`
    /// (which spends the contact's other tokens): a state the ports no
    /// longer make, to check that the other writes clean it up too.
    pub async fn seed_token(&self, token: &OneTimeToken) {
        let sql = "INSERT INTO one_time_tokens \
                       (hash, tenant_id, contact_id, purpose, created_at, expires_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        let (tenant, contact) = (token.tenant.as_uuid(), token.contact.as_uuid());
        let result = match &self.backend {
            Backend::Sqlite { store, .. } => sqlx::query(sql)
                .bind(token.hash.as_str())
                .bind(tenant)
                .bind(contact)
                .bind(token.purpose.as_str())
                .bind(token.created_at.timestamp_micros())
                .bind(token.expires_at.timestamp_micros())
                .execute(store.pool())
                .await
                .map(drop),
            Backend::Postgres { store, .. } => sqlx::query(sql)
                .bind(token.hash.as_str())
                .bind(tenant)
                .bind(contact)
                .bind(token.purpose.as_str())
                .bind(token.created_at)
                .bind(token.expires_at)
                .execute(store.pool())
                .await
                .map(drop),
        };
        result.expect("token seeded");
    }

    /// Stores a job through the store's own upsert (so the timeline and
    /// the digest are as the host's would be), with a two-hour window from
    /// `scheduled_for`; its external id is the account and the number.
    pub async fn seed_job(
        &self,
        scope: AccountScope,
        number: &str,
        status: &str,
        scheduled_for: Option<DateTime<Utc>>,
    ) -> Job {
        let upsert = JobUpsert {
            external_id: ExternalId::parse(&format!("{}-{number}", scope.account()))
                .expect("an external id"),
            account: scope.account(),
            number: number.to_owned(),
            title: format!("Job {number}"),
            description: String::new(),
            status: JobStatus::parse(status).expect("a job status"),
            property: None,
            window: scheduled_for
                .map(|start| JobWindow::new(start, start + Duration::hours(2)).expect("a window")),
            technicians: Vec::new(),
            invoices: Vec::new(),
            assets: Vec::new(),
        };
        self.store
            .upsert_job(scope.tenant(), &upsert, &upsert.digest(), now())
            .await
            .expect("job seeded")
    }

    /// Opens a ticket through the store with `subject` as its text, in
    /// `status` since `updated_at`, opened by a contact of the tenant made
    /// for it.
    pub async fn seed_ticket(
        &self,
        scope: AccountScope,
        subject: &str,
        status: &str,
        updated_at: DateTime<Utc>,
    ) -> Ticket {
        let tenant = scope.tenant();
        let opener = contact(&*self.store, tenant, &format!("opener-{}", Uuid::now_v7())).await;
        let number = self
            .store
            .next_ticket_number(tenant)
            .await
            .expect("a number");
        let ticket = Ticket {
            id: TicketId::new(),
            account: scope.account(),
            number,
            category: CategoryRef {
                key: "service".into(),
                name: "Service question".into(),
            },
            subject: subject.into(),
            status: TicketStatus::parse(status).expect("a ticket status"),
            job: None,
            assignee: None,
            opened_by: opener.id,
            opened_at: updated_at,
            updated_at,
            messages: 1,
        };
        let message = TicketMessage {
            id: TicketMessageId::new(),
            author: Author::Customer {
                contact: opener.id,
                name: String::new(),
            },
            body: subject.into(),
            at: updated_at,
            attachments: Vec::new(),
        };
        self.store
            .open_ticket(&scope, &ticket, &message, &[])
            .await
            .expect("ticket seeded")
            .ticket
    }
}

impl std::ops::Deref for TestDb {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

/// A fresh, empty database on the test server.
pub struct PgDatabase {
    /// How to connect to it.
    pub options: PgConnectOptions,
    /// The same, as a URL.
    pub url: String,
}

impl PgDatabase {
    /// Creates a database with a random name on the server named by
    /// `PORTAL_TEST_PG_URL`; panics, with what to do, when it is not set.
    pub async fn create() -> Self {
        let url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{PG_URL_VAR} is not set, so the PostgreSQL half of the store conformance \
                 suite cannot run (it never skips silently). Start a server and set it, e.g. \
                 {PG_URL_VAR}=postgres://portal@127.0.0.1:5433/postgres, or run scripts/test.sh, \
                 which does both."
            )
        });
        let server = PgConnectOptions::from_str(&url)
            .unwrap_or_else(|error| panic!("{PG_URL_VAR} is not a PostgreSQL URL: {error}"));
        let name = format!("portal_test_{}", Uuid::new_v4().simple());
        let mut admin = PgConnection::connect_with(&server)
            .await
            .unwrap_or_else(|error| panic!("cannot reach the server in {PG_URL_VAR}: {error}"));
        // A database name cannot be a bound parameter; this one is ours,
        // a fixed prefix and hex digits.
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        admin.close().await.ok();
        let mut database_url = url::Url::parse(&url).expect("a URL");
        database_url.set_path(&format!("/{name}"));
        Self {
            options: server.database(&name),
            url: database_url.into(),
        }
    }

    /// What to do once the test passed: drop the database.
    pub fn cleanup(&self) -> Cleanup {
        Cleanup(Some(self.options.clone()))
    }
}

/// Drops a passed test's PostgreSQL database. A failed test's database is
/// kept, to look at.
pub struct Cleanup(Option<PgConnectOptions>);

impl Cleanup {
    /// Drops the database, closing whatever connections the test left.
    pub async fn run(self) {
        let Some(options) = self.0 else { return };
        let Some(name) = options.get_database().map(str::to_owned) else {
            return;
        };
        let server = options.database("postgres");
        if let Ok(mut admin) = PgConnection::connect_with(&server).await {
            let _ = sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
            admin.close().await.ok();
        }
    }
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("portal.db").display())
}

async fn pg_store(options: &PgConnectOptions) -> PgStore {
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect_with(options.clone())
        .await
        .expect("connect to the test database");
    PgStore::from_pool(pool)
        .await
        .expect("PostgreSQL store migrates")
}

/// The suite's "now": whole seconds, since both databases keep microseconds.
pub fn now() -> DateTime<Utc> {
    at("2030-03-04T09:00:00Z")
}

/// A point in time from RFC 3339 text.
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 time")
}

/// A date from `YYYY-MM-DD`.
pub fn date(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

/// Stores a tenant with default settings under `slug`.
pub async fn tenant(store: &dyn Store, slug: &str) -> Tenant {
    let tenant = Tenant {
        id: TenantId::new(),
        slug: TenantSlug::parse(slug).expect("slug"),
        base_url: format!("https://{slug}.portal.test/portal/")
            .parse()
            .expect("url"),
        settings: PortalSettings {
            display_name: format!("{slug} services"),
            ..PortalSettings::default()
        },
    };
    store.insert_tenant(&tenant).await.expect("tenant stored");
    tenant
}

/// An account upsert with the given facts on file.
pub fn account_upsert(external: &str, name: &str, email: &str, phone: &str) -> AccountUpsert {
    AccountUpsert {
        external_id: ExternalId::parse(external).expect("external id"),
        number: format!("N-{external}"),
        name: name.to_owned(),
        address: Address {
            line1: "1 Main St".into(),
            city: "Springfield".into(),
            postal_code: "12345".into(),
            ..Address::default()
        },
        phone: Some(PhoneNumber::parse(phone).expect("phone")),
        email: Some(EmailAddress::parse(email).expect("email")),
        postal_code: Some(PostalCode::parse("12345").expect("postal code")),
        custom_fields: BTreeMap::from([("Gate code".to_owned(), "4711".to_owned())]),
        portal_enabled: true,
        has_history: true,
    }
}

/// Stores an account with the portal on.
pub async fn account(store: &dyn Store, tenant: TenantId, external: &str) -> Account {
    let upsert = account_upsert(
        external,
        &format!("Account {external}"),
        &format!("{}@accounts.test", external.to_lowercase()),
        "555 010 0100",
    );
    store
        .upsert_account(tenant, &upsert)
        .await
        .expect("account stored")
}

/// A contact upsert with an e-mail and, optionally, a phone.
pub fn contact_upsert(external: &str, email: &str, phone: Option<&str>) -> ContactUpsert {
    ContactUpsert {
        external_id: ExternalId::parse(external).expect("external id"),
        name: format!("Contact {external}"),
        email: Some(EmailAddress::parse(email).expect("email")),
        phone: phone.map(|phone| PhoneNumber::parse(phone).expect("phone")),
        other_phones: None,
        enabled: true,
    }
}

/// Stores an enabled contact with an e-mail made from its external id.
pub async fn contact(store: &dyn Store, tenant: TenantId, external: &str) -> Contact {
    let upsert = contact_upsert(
        external,
        &format!("{}@people.test", external.to_lowercase()),
        None,
    );
    store
        .upsert_contact(tenant, &upsert)
        .await
        .expect("contact stored")
}

/// The password hash [`World`]'s contact registers with.
pub const PASSWORD: &str = "hash-0";

/// One tenant with a contact who is a member of two accounts, registered
/// with a password ([`PASSWORD`]): what most identity tests start from.
pub struct World {
    pub tenant: Tenant,
    pub contact: Contact,
    pub account: Account,
    pub second_account: Account,
}

impl World {
    pub async fn new(store: &dyn Store, slug: &str) -> Self {
        let tenant = tenant(store, slug).await;
        let account_a = account(store, tenant.id, "A").await;
        let account_b = account(store, tenant.id, "B").await;
        let contact = contact(store, tenant.id, "ada").await;
        for (account, role) in [(&account_a, Role::Primary), (&account_b, Role::Member)] {
            store
                .grant_membership(tenant.id, contact.id, account.id, role)
                .await
                .expect("membership granted");
        }
        store
            .set_first_password(tenant.id, contact.id, PASSWORD, &[])
            .await
            .expect("password set");
        Self {
            tenant,
            contact,
            account: account_a,
            second_account: account_b,
        }
    }

    /// A session for the contact on `account`, started at `started`:
    /// 30 minutes idle, 12 hours absolute. Returns it and its raw token.
    pub fn session_on(&self, account: AccountId, started: DateTime<Utc>) -> (Session, RawToken) {
        let token = RawToken::from_client(&Uuid::new_v4().simple().to_string());
        let session = Session {
            id: SessionId::new(),
            tenant: self.tenant.id,
            contact: self.contact.id,
            active_account: account,
            token_hash: token.hash(),
            kind: SessionKind::Cookie,
            created_at: started,
            last_seen_at: started,
            idle_expires_at: started + Duration::minutes(30),
            absolute_expires_at: started + Duration::hours(12),
            client: Default::default(),
            viewer: None,
        };
        (session, token)
    }

    /// The contact's credential as log-in reads it (`login_candidate`).
    pub async fn credential(&self, store: &dyn Store) -> Credential {
        let login = LoginName::Email(self.contact.email.clone().expect("an e-mail"));
        store
            .login_candidate(self.tenant.id, &login)
            .await
            .expect("login candidate read")
            .expect("the contact")
            .credential
            .expect("a credential")
    }

    /// Starts a session on the first account at [`now`].
    pub async fn log_in(&self, store: &dyn Store) -> (Session, RawToken) {
        let (session, token) = self.session_on(self.account.id, now());
        store
            .start_session(&session, PASSWORD, &address(), &[])
            .await
            .expect("session started");
        (session, token)
    }

    /// A one-time token for the contact, issued at [`now`].
    pub fn token(&self, purpose: TokenPurpose) -> (OneTimeToken, RawToken) {
        token_for(self.tenant.id, self.contact.id, purpose)
    }
}

/// A one-time token for `contact`, issued at [`now`] with the purpose's
/// lifetime.
pub fn token_for(
    tenant: TenantId,
    contact: ContactId,
    purpose: TokenPurpose,
) -> (OneTimeToken, RawToken) {
    token_at(tenant, contact, now(), now() + purpose.lifetime())
}

/// A reset token for `contact` issued at `created_at`, expiring at
/// `expires_at`.
pub fn token_at(
    tenant: TenantId,
    contact: ContactId,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> (OneTimeToken, RawToken) {
    let raw = RawToken::from_client(&Uuid::new_v4().simple().to_string());
    let token = OneTimeToken {
        hash: raw.hash(),
        tenant,
        contact,
        purpose: TokenPurpose::ResetPassword,
        created_at,
        expires_at,
    };
    (token, raw)
}

/// A mail for the outbox.
pub fn mail(to: &str) -> OutboxMessage {
    OutboxMessage::Mail(Email {
        to: EmailAddress::parse(to).expect("email"),
        to_name: "Ada".into(),
        business_name: "Acme".into(),
        reply_to: None,
        // Not the default, so outbox round trips show it is kept.
        language: Language::Spanish,
        locale: Default::default(),
        time_zone: "UTC".into(),
        kind: EmailKind::PasswordChanged { changed_at: now() },
    })
}

/// A set-password mail carrying `link`, for the outbox.
pub fn link_mail(to: &str, link: &str) -> OutboxMessage {
    OutboxMessage::Mail(Email {
        to: EmailAddress::parse(to).expect("email"),
        to_name: "Ada".into(),
        business_name: "Acme".into(),
        reply_to: None,
        language: Language::English,
        locale: Default::default(),
        time_zone: "UTC".into(),
        kind: EmailKind::ResetPassword {
            link: link.to_owned(),
            expires_at: now() + Duration::hours(1),
        },
    })
}

/// A host event for the outbox.
pub fn event(contact: ContactId) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::PasswordChanged { contact, at: now() })
}
