//! The webhook sink end to end: a real store (SQLite), the outbox worker
//! and a receiver on loopback (axum) that verifies every delivery. The
//! receiver is down at first, then comes back, and gets every event, in
//! order per account, never two of one account at once, each verified;
//! forged and replayed requests are refused; the delivery log and replays
//! work through the host's API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;
use portal_core::Portal;
use portal_core::accounts::AccountUpsert;
use portal_core::outbox::{MockMailer, OutboxWorker};
use portal_core::shared::{AccountId, EventId, ExternalId, FixedClock, PageRequest, TenantId};
use portal_core::tenancy::PortalSettings;
use portal_core::webhook::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, WebhookPayload, sign, verify_signature,
};
use portal_runtime::{Argon2Hasher, WebhookSink};

const SECRET: &[u8] = b"whsec_loopback_test";

/// What the receiver saw.
#[derive(Default)]
struct Received {
    /// Verified deliveries, in the order they arrived.
    events: Vec<WebhookPayload>,
    /// Requests refused, with why.
    refused: Vec<SignatureError>,
    /// Deliveries being handled now, per account.
    in_flight: HashMap<Option<AccountId>, usize>,
    /// The most deliveries of one account handled at once.
    most_in_flight: usize,
}

type Shared = Arc<Mutex<Received>>;

/// The receiver: verifies the signature over the raw body, as a host in
/// any language would, and answers 400 to anything it refuses.
async fn receive(State(seen): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if let Err(refusal) = verify_signature(SECRET, header, &body, Utc::now(), DEFAULT_TOLERANCE) {
        seen.lock().unwrap().refused.push(refusal);
        return StatusCode::BAD_REQUEST;
    }
    let payload: WebhookPayload = serde_json::from_slice(&body).unwrap();
    {
        let mut seen = seen.lock().unwrap();
        let now = seen.in_flight.entry(payload.account).or_default();
        *now += 1;
        let now = *now;
        seen.most_in_flight = seen.most_in_flight.max(now);
    }
    // Long enough that a second delivery of the account would overlap.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut seen = seen.lock().unwrap();
    *seen.in_flight.get_mut(&payload.account).unwrap() -= 1;
    seen.events.push(payload);
    StatusCode::NO_CONTENT
}

async fn start_receiver(addr: SocketAddr, seen: Shared) {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .with_state(seen);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

/// A free loopback address, with nothing listening on it (yet).
async fn free_address() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

struct Setup {
    portal: Portal,
    clock: Arc<FixedClock>,
    tenant: TenantId,
    accounts: Vec<AccountId>,
    _dir: tempfile::TempDir,
}

async fn setup(accounts: usize) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    );
    let store = portal_store_sqlx::connect(&url).await.unwrap();
    let clock = Arc::new(FixedClock::at(Utc::now()));
    let portal = Portal::builder(store, Arc::new(Argon2Hasher::owasp().unwrap()))
        .clock(clock.clone())
        .build();
    let tenant = portal
        .host()
        .create_tenant(
            "acme",
            "https://acme.test/portal/",
            PortalSettings::default(),
        )
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for n in 0..accounts {
        let account = portal
            .host()
            .upsert_account(
                tenant,
                &AccountUpsert {
                    external_id: ExternalId::parse(&format!("acct-{n}")).unwrap(),
                    number: format!("A-{n}"),
                    name: format!("Customer {n}"),
                    address: Default::default(),
                    phone: None,
                    email: None,
                    postal_code: None,
                    custom_fields: BTreeMap::new(),
                    portal_enabled: false,
                    has_history: false,
                },
            )
            .await
            .unwrap();
        ids.push(account.id);
    }
    Setup {
        portal,
        clock,
        tenant,
        accounts: ids,
        _dir: dir,
    }
}

fn worker(setup: &Setup, addr: SocketAddr) -> OutboxWorker {
    worker_with_timeout(setup, addr, Duration::from_secs(2))
}

fn worker_with_timeout(setup: &Setup, addr: SocketAddr, timeout: Duration) -> OutboxWorker {
    let sink = WebhookSink::with_timeout(&format!("http://{addr}/hooks"), SECRET.to_vec(), timeout)
        .unwrap();
    // No mail is written here: a mailer called at all fails the test.
    setup
        .portal
        .outbox_worker(Arc::new(MockMailer::new()), Arc::new(sink))
        .with_batch(50)
}

/// Runs the worker until a batch delivers nothing.
async fn drain(worker: &OutboxWorker) -> usize {
    let mut delivered = 0;
    loop {
        let now = worker.run_once(worker.batch()).await.unwrap();
        if now == 0 {
            return delivered;
        }
        delivered += now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_was_down_gets_every_event_in_order_per_account_each_verified() {
    let setup = setup(6).await;
    // Each account's portal switched on and off twice, the accounts
    // interleaved: 24 events, each account's `enabled` reading t f t f.
    let pattern = [true, false, true, false];
    for enabled in pattern {
        for account in &setup.accounts {
            setup
                .portal
                .host()
                .set_portal_enabled(setup.tenant, *account, enabled)
                .await
                .unwrap();
        }
    }
    let addr = free_address().await;
    let worker = worker(&setup, addr);

    // Down: each account's first event fails, and nothing later is tried.
    assert_eq!(worker.run_once(50).await.unwrap(), 0);
    assert_eq!(worker.run_once(50).await.unwrap(), 0, "the rest wait");
    let log = setup
        .portal
        .host()
        .event_deliveries(setup.tenant, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(log.total, 6, "one failed attempt per account");
    assert!(log.items.iter().all(|attempt| {
        attempt.status.is_none()
            && attempt
                .error
                .as_deref()
                .unwrap()
                .starts_with("could not connect")
    }));

    // Back: after the retry delay everything arrives.
    let seen = Shared::default();
    start_receiver(addr, seen.clone()).await;
    setup.clock.advance(chrono::Duration::seconds(31));
    assert_eq!(drain(&worker).await, 24);

    let seen = seen.lock().unwrap();
    assert!(seen.refused.is_empty(), "{:?}", seen.refused);
    assert_eq!(seen.events.len(), 24);
    assert_eq!(seen.most_in_flight, 1, "one delivery per account at a time");
    for account in &setup.accounts {
        let of_account: Vec<_> = seen
            .events
            .iter()
            .filter(|event| event.account == Some(*account))
            .collect();
        let enabled: Vec<_> = of_account
            .iter()
            .map(|event| event.data["enabled"].as_bool().unwrap())
            .collect();
        assert_eq!(enabled, pattern, "in order for {account}");
        assert!(
            of_account
                .iter()
                .all(|event| event.kind == "portal_access_changed" && event.tenant == setup.tenant)
        );
    }
    let mut ids: Vec<EventId> = seen.events.iter().map(|event| event.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24, "every event once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tampered_and_replayed_requests_are_refused() {
    let addr = free_address().await;
    let seen = Shared::default();
    start_receiver(addr, seen.clone()).await;
    let client = reqwest::Client::new();
    let body = br#"{"id":"0193a0c1-0000-7000-8000-000000000001","type":"portal_access_changed","tenant":"0193a0c1-0000-7000-8000-000000000002","account":null,"occurred_at":"2026-12-05T09:00:00Z","data":{}}"#;
    let post = |header: String, body: Vec<u8>| {
        client
            .post(format!("http://{addr}/hooks"))
            .header(SIGNATURE_HEADER, header)
            .body(body)
            .send()
    };
    let now = Utc::now();
    let cases = [
        // Signed with another secret.
        (sign(b"not the secret", body, now), body.to_vec()),
        // A genuine signature over another body.
        (sign(SECRET, body, now), [&body[..], b" "].concat()),
        // A genuine request captured ten minutes ago, sent again.
        (
            sign(SECRET, body, now - chrono::Duration::minutes(10)),
            body.to_vec(),
        ),
        // No signature at all.
        ("t=1".to_owned(), body.to_vec()),
    ];
    for (header, body) in cases {
        let answer = post(header, body).await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    }
    let seen = seen.lock().unwrap();
    assert!(seen.events.is_empty());
    assert_eq!(
        seen.refused,
        [
            SignatureError::Forged,
            SignatureError::Forged,
            SignatureError::Stale {
                timestamp: (now - chrono::Duration::minutes(10)).timestamp()
            },
            SignatureError::Malformed,
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_reads_the_delivery_log_and_replays_an_event_with_its_id() {
    let setup = setup(1).await;
    let account = setup.accounts[0];
    setup
        .portal
        .host()
        .set_portal_enabled(setup.tenant, account, true)
        .await
        .unwrap();
    let addr = free_address().await;
    let seen = Shared::default();
    start_receiver(addr, seen.clone()).await;
    let worker = worker(&setup, addr);
    assert_eq!(drain(&worker).await, 1);
    let first = seen.lock().unwrap().events[0].clone();

    setup
        .portal
        .host()
        .replay_event(setup.tenant, first.id)
        .await
        .unwrap();
    assert_eq!(drain(&worker).await, 1);
    let again = seen.lock().unwrap().events[1].clone();
    assert_eq!(again, first, "the same event, id and body");

    let log = setup
        .portal
        .host()
        .event_deliveries(setup.tenant, Some(first.id), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(log.total, 2);
    assert!(log.items.iter().all(|attempt| attempt.status == Some(204)
        && attempt.is_delivered()
        && attempt.kind == "portal_access_changed"));

    // Another tenant's event, or one that never was, is not found.
    let unknown = setup
        .portal
        .host()
        .replay_event(setup.tenant, EventId::new())
        .await;
    assert!(matches!(unknown, Err(portal_core::PortalError::NotFound)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_2xx_answer_is_a_failed_attempt_logged_with_its_status() {
    let setup = setup(1).await;
    setup
        .portal
        .host()
        .set_portal_enabled(setup.tenant, setup.accounts[0], true)
        .await
        .unwrap();
    let addr = free_address().await;
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app =
        axum::Router::new().route("/hooks", post(|| async { StatusCode::SERVICE_UNAVAILABLE }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let worker = worker(&setup, addr);
    assert_eq!(worker.run_once(50).await.unwrap(), 0);
    let log = setup
        .portal
        .host()
        .event_deliveries(setup.tenant, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].status, Some(503));
    assert_eq!(
        log.items[0].error.as_deref(),
        Some("the receiver answered HTTP 503")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_slower_than_the_timeout_is_a_failed_attempt() {
    let setup = setup(1).await;
    setup
        .portal
        .host()
        .set_portal_enabled(setup.tenant, setup.accounts[0], true)
        .await
        .unwrap();
    let addr = free_address().await;
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = axum::Router::new().route(
        "/hooks",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::NO_CONTENT
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let worker = worker_with_timeout(&setup, addr, Duration::from_millis(200));
    assert_eq!(worker.run_once(50).await.unwrap(), 0);
    let log = setup
        .portal
        .host()
        .event_deliveries(setup.tenant, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(log.items.len(), 1);
    assert_eq!(log.items[0].status, None);
    assert!(
        log.items[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("timed out"),
        "{:?}",
        log.items[0].error
    );
}
