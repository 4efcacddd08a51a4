//! The webhook delivery benchmark: how many host events a second the
//! outbox worker delivers through `portal_runtime::WebhookSink` to a
//! receiver on loopback, with at most one delivery in flight per account.
//!
//! ```sh
//! cargo run --release -p portal-benches --bin bench-webhooks            # SQLite, 2,000 accounts x 10 events
//! cargo run --release -p portal-benches --bin bench-webhooks -- --accounts 5000 --events 4 --batch 200
//! cargo run --release -p portal-benches --bin bench-webhooks -- --database postgres://...
//! ```
//!
//! It seeds a tenant with the accounts and their events (in the outbox, as
//! the host API writes them: `PortalAccessChanged`, one transaction per
//! account), starts an axum receiver on 127.0.0.1 that verifies every
//! signature (as a host would) and counts deliveries in flight per account,
//! then runs the worker until the outbox is empty and prints events/s,
//! the most deliveries of one account in flight at once, and PASS/FAIL
//! against the target (>= 1,000 events/s, one in flight per account).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, bail};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use portal_core::Portal;
use portal_core::accounts::AccountUpsert;
use portal_core::identity::PasswordHasher;
use portal_core::outbox::{DomainEvent, NoEvents, OutboxMessage};
use portal_core::ports::Store;
use portal_core::shared::{AccountId, ExternalId};
use portal_core::tenancy::PortalSettings;
use portal_core::webhook::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, WebhookPayload, verify_signature};
use portal_runtime::{Argon2Hasher, WebhookSink};

const SECRET: &[u8] = b"whsec_bench";
const TARGET_PER_SECOND: f64 = 1_000.0;

struct Options {
    database: Option<String>,
    accounts: usize,
    events: usize,
    batch: u32,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        database: None,
        accounts: 2_000,
        events: 10,
        batch: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--database" => options.database = Some(value),
            "--accounts" => options.accounts = value.parse()?,
            "--events" => options.events = value.parse()?,
            "--batch" => options.batch = value.parse()?,
            other => bail!("unknown flag {other}"),
        }
    }
    Ok(options)
}

/// What the receiver counts.
#[derive(Default)]
struct Receiver {
    delivered: usize,
    refused: usize,
    in_flight: HashMap<Option<AccountId>, usize>,
    most_in_flight: usize,
    /// Per account, the `enabled` values in the order they arrived.
    order: HashMap<Option<AccountId>, Vec<bool>>,
}

async fn receive(
    State(receiver): State<Arc<Mutex<Receiver>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let verified =
        verify_signature(SECRET, header, &body, chrono::Utc::now(), DEFAULT_TOLERANCE).is_ok();
    let payload = serde_json::from_slice::<WebhookPayload>(&body).ok();
    let Some(payload) = payload.filter(|_| verified) else {
        lock(&receiver).refused += 1;
        return StatusCode::BAD_REQUEST;
    };
    {
        let mut seen = lock(&receiver);
        let now = seen.in_flight.entry(payload.account).or_default();
        *now += 1;
        let now = *now;
        seen.most_in_flight = seen.most_in_flight.max(now);
    }
    // Let other deliveries run while this one is "in flight".
    tokio::task::yield_now().await;
    let mut seen = lock(&receiver);
    if let Some(count) = seen.in_flight.get_mut(&payload.account) {
        *count -= 1;
    }
    seen.delivered += 1;
    let enabled = payload
        .data
        .get("enabled")
        .and_then(serde_json::Value::as_bool);
    seen.order
        .entry(payload.account)
        .or_default()
        .extend(enabled);
    StatusCode::NO_CONTENT
}

fn lock(receiver: &Mutex<Receiver>) -> std::sync::MutexGuard<'_, Receiver> {
    receiver
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let dir = std::env::temp_dir().join(format!("portal-bench-webhooks-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = options
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("portal.db").display()));
    let store: Arc<dyn Store> = portal_store_sqlx::connect(&url).await?;
    let hasher: Arc<dyn PasswordHasher> = Arc::new(Argon2Hasher::owasp()?);
    let portal = Portal::builder(store.clone(), hasher).build();
    let slug = format!("webhooks-{}", std::process::id());
    let tenant = portal
        .host()
        .create_tenant(
            &slug,
            "https://bench.test/portal/",
            PortalSettings::default(),
        )
        .await?
        .id;

    // Drain whatever an earlier run left, so only this run's events count.
    let idle = portal
        .outbox_worker(Arc::new(NoMail), Arc::new(NoEvents))
        .with_batch(500);
    while idle.run_once(500).await? > 0 {}

    let seeding = Instant::now();
    let mut accounts = Vec::with_capacity(options.accounts);
    for n in 0..options.accounts {
        let account = portal
            .host()
            .upsert_account(
                tenant,
                &AccountUpsert {
                    external_id: ExternalId::parse(&format!("bench-{n}"))?,
                    number: format!("B-{n}"),
                    name: format!("Bench customer {n}"),
                    address: Default::default(),
                    phone: None,
                    email: None,
                    postal_code: None,
                    custom_fields: BTreeMap::new(),
                    portal_enabled: false,
                    has_history: false,
                },
            )
            .await?;
        accounts.push(account.id);
    }
    // Each account's events in one transaction, the way a change writes
    // its events: alternating on and off, so the order can be checked.
    for account in &accounts {
        let events: Vec<_> = (0..options.events)
            .map(|i| {
                OutboxMessage::Event(DomainEvent::PortalAccessChanged {
                    account: *account,
                    enabled: i % 2 == 0,
                })
            })
            .collect();
        store
            .set_portal_enabled(tenant, *account, true, &events)
            .await?;
    }
    let total = options.accounts * options.events;
    println!(
        "seeded {} accounts x {} events = {total} events in {:.1} s",
        options.accounts,
        options.events,
        seeding.elapsed().as_secs_f64()
    );

    let receiver = Arc::new(Mutex::new(Receiver::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let sink = WebhookSink::new(&format!("http://{addr}/hooks"), SECRET.to_vec())?;
    let worker = portal
        .outbox_worker(Arc::new(NoMail), Arc::new(sink))
        .with_batch(options.batch);
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let now = worker.run_once(worker.batch()).await?;
        delivered += now;
        if now == 0 {
            break;
        }
    }
    let elapsed = started.elapsed();
    let rate = delivered as f64 / elapsed.as_secs_f64();

    let seen = lock(&receiver);
    let expected: Vec<bool> = (0..options.events).map(|i| i % 2 == 0).collect();
    let in_order =
        seen.order.values().all(|order| *order == expected) && seen.order.len() == options.accounts;
    println!(
        "delivered {delivered} events ({} received, {} refused) in {:.2} s: {rate:.0} events/s",
        seen.delivered,
        seen.refused,
        elapsed.as_secs_f64()
    );
    println!(
        "batch {}, most deliveries of one account in flight at once: {}, every account in order: {in_order}",
        options.batch, seen.most_in_flight
    );
    let met = rate >= TARGET_PER_SECOND
        && seen.most_in_flight <= 1
        && in_order
        && seen.delivered == total
        && seen.refused == 0;
    println!(
        "target: >= {TARGET_PER_SECOND:.0} events/s, one in flight per account, in order: {}",
        if met { "PASS" } else { "FAIL" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    if !met {
        std::process::exit(1);
    }
    Ok(())
}

/// The benchmark writes no mail.
struct NoMail;

#[async_trait::async_trait]
impl portal_core::outbox::Mailer for NoMail {
    async fn send(
        &self,
        _mail: &portal_core::outbox::Email,
    ) -> Result<(), portal_core::outbox::DeliveryError> {
        Err(portal_core::outbox::DeliveryError(
            "the benchmark writes no mail".into(),
        ))
    }
}
