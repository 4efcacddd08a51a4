//! What writing the audit entry costs a log-in and a payment (issue 14:
//! "recording the audit row adds at most 10 % to a log-in's and a
//! payment's cost"). On a SQLite store in a temporary file (and on
//! PostgreSQL too when `PORTAL_BENCH_PG_URL` names a database to create a
//! tenant in), each with one account, its primary contact with a password
//! and an invoice large enough for every payment of 0.01:
//!
//! - `start_session`, the log-in's write, with no messages and with the
//!   `SignedIn` entry the log-in writes;
//! - `settle_payment`, the payment's last write, with the
//!   `PaymentSucceeded` event alone and with the event and the
//!   `PaymentMade` entry (each iteration settles a payment begun, and its
//!   invoice held, outside the timing);
//! - a whole log-in (`portal.identity().log_in`, the production
//!   `Argon2Hasher::owasp()`) and a whole payment of 0.01
//!   (`portal.billing().pay` through the sandbox gateway), both writing
//!   their audit entries as in production.
//!
//! The audit entry's added time is the difference of each pair; divided
//! by the whole operation's time it is the share the issue bounds.
//! `cargo bench -p portal-benches --bench audit`.

use chrono::{Days, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_core::access::{AccountScope, ClientInfo, Permission, Role, authorize};
use portal_core::accounts::{AccountUpsert, Address};
use portal_core::audit::{AuditAction, AuditActor, AuditEntry};
use portal_core::billing::{
    Allocation, CardToken, IdempotencyKey, InvoiceLine, InvoiceUpsert, MethodChoice, PayRequest,
    PaymentIntent, PaymentSource, PaymentStart, Settlement,
};
use portal_core::identity::{
    ContactUpsert, LoginClient, LoginSource, OsTokens, Session, SessionKind, TokenSource,
};
use portal_core::outbox::{DomainEvent, MessageAllocation, OutboxMessage};
use portal_core::ports::Store;
use portal_core::shared::{
    AccountId, ContactId, Currency, EmailAddress, ExternalId, InvoiceId, Money, PaymentId,
    PhoneNumber, PostalCode, SessionId,
};
use portal_core::tenancy::{Features, PortalSettings, Tenant};
use portal_core::{AuthContext, KnownFacts, Portal};
use portal_runtime::{Argon2Hasher, SandboxGateway};

const PASSWORD: &str = "audit-bench-2026";
const EMAIL: &str = "pat@audit-bench.example";
const PHONE: &str = "5550100200";
const POSTAL: &str = "62701";
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// One database with the tenant, account, contact and invoice set up.
struct Fixture {
    name: &'static str,
    portal: Portal,
    store: Arc<dyn Store>,
    tenant: Arc<Tenant>,
    account: AccountId,
    contact: ContactId,
    password_hash: String,
    invoice: InvoiceId,
    invoice_number: String,
    auth: AuthContext,
    scope: AccountScope,
    /// Keeps the SQLite file's folder alive.
    _dir: Option<tempfile::TempDir>,
}

fn client() -> ClientInfo {
    ClientInfo {
        address: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
        user_agent: Some(USER_AGENT.to_owned()),
    }
}

fn login_client() -> LoginClient {
    LoginClient {
        address: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)),
        device: None,
        user_agent: Some(USER_AGENT.to_owned()),
    }
}

async fn fixture(
    name: &'static str,
    url: &str,
    dir: Option<tempfile::TempDir>,
) -> anyhow::Result<Fixture> {
    let store = portal_store_sqlx::connect(url).await?;
    let portal = Portal::builder(store.clone(), Arc::new(Argon2Hasher::owasp()?))
        .gateway(Arc::new(SandboxGateway::default()))
        .build();
    // A slug of its own, so a database used before (PostgreSQL) takes
    // another run.
    let slug = format!("audit-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let settings = PortalSettings {
        display_name: "Audit bench".to_owned(),
        features: Features {
            partial_payment: true,
            ..Features::default()
        },
        ..PortalSettings::default()
    };
    let host = portal.host();
    host.create_tenant(&slug, "http://127.0.0.1/portal/", settings)
        .await?;
    let tenant = portal.tenant_by_slug(&slug).await?;
    let account = host
        .upsert_account(
            tenant.id,
            &AccountUpsert {
                external_id: ExternalId::parse("A-1")?,
                number: "1000001".to_owned(),
                name: "Customer 1".to_owned(),
                address: Address {
                    line1: "1 Main Street".to_owned(),
                    line2: String::new(),
                    city: "Springfield".to_owned(),
                    region: "IL".to_owned(),
                    postal_code: POSTAL.to_owned(),
                    country: "US".to_owned(),
                },
                phone: Some(PhoneNumber::parse(PHONE)?),
                email: Some(EmailAddress::parse(EMAIL)?),
                postal_code: Some(PostalCode::parse(POSTAL)?),
                custom_fields: Default::default(),
                portal_enabled: true,
                has_history: true,
            },
        )
        .await?
        .id;
    let contact = host
        .upsert_contact(
            tenant.id,
            &ContactUpsert {
                external_id: ExternalId::parse("C-1")?,
                name: "Pat Customer".to_owned(),
                email: Some(EmailAddress::parse(EMAIL)?),
                phone: Some(PhoneNumber::parse(PHONE)?),
                other_phones: None,
                enabled: true,
            },
        )
        .await?
        .id;
    host.grant_membership(tenant.id, contact, account, Role::Primary)
        .await?;
    portal
        .identity()
        .register_by_facts(
            &tenant,
            &KnownFacts {
                phone: PHONE.to_owned(),
                email: EMAIL.to_owned(),
                postal_code: POSTAL.to_owned(),
            },
            PASSWORD,
            &login_client(),
        )
        .await?;
    let password_hash = store
        .credential(tenant.id, contact)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no credential after registering"))?
        .password_hash;
    let today = Utc::now().date_naive();
    let invoice = host
        .upsert_invoice(
            tenant.id,
            &InvoiceUpsert {
                external_id: ExternalId::parse("INV-1")?,
                account,
                number: "INV-1".to_owned(),
                issued_on: today,
                due_on: today + Days::new(30),
                currency: Currency::USD,
                lines: vec![InvoiceLine {
                    description: "Annual service plan".to_owned(),
                    quantity: Decimal::ONE,
                    unit_price: Decimal::new(100_000_000, 2),
                    tax_rate: Decimal::ZERO,
                }],
                memo: None,
                pdf: None,
            },
        )
        .await?;
    let session = portal
        .identity()
        .log_in(
            &tenant,
            EMAIL,
            &SecretString::from(PASSWORD.to_owned()),
            SessionKind::Bearer,
            &login_client(),
        )
        .await?;
    let auth = portal
        .identity()
        .authenticate(&tenant, &session.token)
        .await?;
    let scope = authorize(
        &auth.actor,
        Permission::PayInvoices,
        &tenant.settings.features,
    )?;
    Ok(Fixture {
        name,
        portal,
        store,
        tenant,
        account,
        contact,
        password_hash,
        invoice: invoice.id,
        invoice_number: invoice.number,
        auth,
        scope,
        _dir: dir,
    })
}

impl Fixture {
    /// A session as the log-in makes it.
    fn session(&self) -> Session {
        let now = Utc::now();
        Session {
            id: SessionId::new(),
            tenant: self.tenant.id,
            contact: self.contact,
            active_account: self.account,
            token_hash: OsTokens.new_token().hash(),
            kind: SessionKind::Bearer,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: now + chrono::Duration::hours(1),
            absolute_expires_at: now + chrono::Duration::hours(12),
            client: client(),
            viewer: None,
        }
    }

    /// The log-in's audit entry for `session`.
    fn signed_in(&self, session: &Session) -> OutboxMessage {
        AuditEntry::new(
            self.tenant.id,
            AuditAction::SignedIn,
            AuditActor::Contact {
                id: self.contact,
                name: "Pat Customer".to_owned(),
            },
            session.created_at,
        )
        .about(self.contact)
        .on(self.account)
        .from_client(&session.client)
        .message()
    }

    /// Begins a payment of 0.01 on the invoice (holding it), as `pay` does
    /// before charging.
    async fn begin(&self) -> anyhow::Result<(PaymentId, Allocation)> {
        let amount = Money::new(Decimal::new(1, 2), Currency::USD);
        let allocation = Allocation {
            invoice: self.invoice,
            invoice_number: self.invoice_number.clone(),
            amount,
        };
        let method = MethodChoice::NewToken {
            token: CardToken::new("tok_sandbox_visa"),
            save: false,
        };
        let intent = PaymentIntent {
            id: PaymentId::new(),
            idempotency_key: IdempotencyKey::parse(&format!(
                "bench-{}",
                uuid::Uuid::new_v4().simple()
            ))?,
            fingerprint: PaymentIntent::fingerprint_of(
                &[(self.invoice, Some(amount.amount()))],
                None,
                &method,
            ),
            amount,
            allocations: vec![allocation.clone()],
            credit: Vec::new(),
            method: None,
            method_label: Some("Visa ending 4242".to_owned()),
            contact: Some(self.contact),
            source: PaymentSource::Portal,
            at: Utc::now(),
        };
        match self.store.begin_payment(&self.scope, &intent).await? {
            PaymentStart::Started => Ok((intent.id, allocation)),
            other => anyhow::bail!("the payment did not start: {other:?}"),
        }
    }

    /// What settling writes besides the receipt: the host's event, and
    /// with `audited` the `PaymentMade` entry.
    fn settlement_messages(
        &self,
        payment: PaymentId,
        allocation: &Allocation,
        audited: bool,
    ) -> Vec<OutboxMessage> {
        let mut messages = vec![OutboxMessage::Event(DomainEvent::PaymentSucceeded {
            account: self.account,
            payment,
            amount: allocation.amount.amount(),
            currency: Currency::USD,
            allocations: vec![MessageAllocation::from(allocation)],
            reference: format!("sandbox_{}", payment),
        })];
        if audited {
            messages.push(
                AuditEntry::by(&self.auth, AuditAction::PaymentMade, Utc::now())
                    .with_detail("0.01 USD")
                    .message(),
            );
        }
        messages
    }

    /// `iters` settlements, each of a payment begun outside the timing.
    async fn time_settles(&self, iters: u64, audited: bool) -> anyhow::Result<Duration> {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let (payment, allocation) = self.begin().await?;
            let messages = self.settlement_messages(payment, &allocation, audited);
            let settlement = Settlement::Succeeded {
                reference: format!("sandbox_{payment}"),
            };
            let started = Instant::now();
            self.store
                .settle_payment(self.tenant.id, payment, &settlement, Utc::now(), &messages)
                .await?;
            total += started.elapsed();
        }
        Ok(total)
    }

    async fn start_session(&self, audited: bool) -> anyhow::Result<()> {
        let session = self.session();
        let messages = if audited {
            vec![self.signed_in(&session)]
        } else {
            Vec::new()
        };
        self.store
            .start_session(
                &session,
                &self.password_hash,
                &LoginSource::Address(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
                &messages,
            )
            .await?;
        Ok(())
    }

    async fn log_in(&self) -> anyhow::Result<()> {
        self.portal
            .identity()
            .log_in(
                &self.tenant,
                EMAIL,
                &SecretString::from(PASSWORD.to_owned()),
                SessionKind::Bearer,
                &login_client(),
            )
            .await?;
        Ok(())
    }

    async fn pay(&self) -> anyhow::Result<()> {
        let detail = self
            .portal
            .billing()
            .pay(
                &self.auth,
                PayRequest {
                    idempotency_key: IdempotencyKey::parse(&format!(
                        "bench-{}",
                        uuid::Uuid::new_v4().simple()
                    ))?,
                    invoices: vec![(self.invoice, Some(Decimal::new(1, 2)))],
                    prepayment: None,
                    method: MethodChoice::NewToken {
                        token: CardToken::new("tok_sandbox_visa"),
                        save: false,
                    },
                    use_credit: false,
                },
            )
            .await?;
        anyhow::ensure!(
            detail.payment.status == portal_core::billing::PaymentStatus::Succeeded,
            "the payment did not succeed: {:?}",
            detail.payment.status
        );
        Ok(())
    }
}

fn fixtures(runtime: &tokio::runtime::Runtime) -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    let sqlite = runtime.block_on(async {
        let dir = tempfile::tempdir()?;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("audit.db").display()
        );
        fixture("sqlite", &url, Some(dir)).await
    });
    match sqlite {
        Ok(fixture) => fixtures.push(fixture),
        Err(error) => panic_free_exit(&format!("SQLite set-up failed: {error:#}")),
    }
    if let Ok(url) = std::env::var("PORTAL_BENCH_PG_URL") {
        match runtime.block_on(fixture("postgres", &url, None)) {
            Ok(fixture) => fixtures.push(fixture),
            Err(error) => panic_free_exit(&format!("PostgreSQL set-up failed: {error:#}")),
        }
    }
    fixtures
}

/// Ends the benchmark with a message (the workspace denies panics).
fn panic_free_exit(message: &str) -> ! {
    eprintln!("audit bench: {message}");
    std::process::exit(1)
}

fn run<T>(
    runtime: &tokio::runtime::Runtime,
    what: impl std::future::Future<Output = anyhow::Result<T>>,
) -> T {
    match runtime.block_on(what) {
        Ok(value) => value,
        Err(error) => panic_free_exit(&format!("{error:#}")),
    }
}

fn audit(c: &mut Criterion) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic_free_exit(&format!("no runtime: {error}")),
    };
    for fixture in fixtures(&runtime) {
        let name = fixture.name;
        let mut writes = c.benchmark_group(format!("audit/{name}/writes"));
        writes.measurement_time(Duration::from_secs(8));
        // Each pair twice, in turns, so a change in the machine's load
        // shows as a difference between the rounds rather than between
        // the variants.
        for round in 1..=2 {
            writes.bench_function(
                format!("start_session, no audit entry (round {round})"),
                |b| b.iter(|| run(&runtime, fixture.start_session(false))),
            );
            writes.bench_function(
                format!("start_session, with the SignedIn entry (round {round})"),
                |b| b.iter(|| run(&runtime, fixture.start_session(true))),
            );
            writes.bench_function(format!("settle_payment, event only (round {round})"), |b| {
                b.iter_custom(|iters| run(&runtime, fixture.time_settles(iters, false)))
            });
            writes.bench_function(
                format!("settle_payment, event and PaymentMade entry (round {round})"),
                |b| b.iter_custom(|iters| run(&runtime, fixture.time_settles(iters, true))),
            );
        }
        writes.finish();

        let mut whole = c.benchmark_group(format!("audit/{name}/whole"));
        whole.sample_size(20);
        whole.measurement_time(Duration::from_secs(10));
        whole.bench_function("log_in (argon2id OWASP, with its audit entry)", |b| {
            b.iter(|| run(&runtime, fixture.log_in()))
        });
        whole.bench_function("pay 0.01 (sandbox gateway, with its audit entry)", |b| {
            b.iter(|| run(&runtime, fixture.pay()))
        });
        whole.finish();
    }
}

criterion_group!(benches, audit);
criterion_main!(benches);
