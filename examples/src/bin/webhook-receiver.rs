//! A webhook receiver: what a host's endpoint for Portal's events does, in
//! a few lines. It verifies each delivery's `Portal-Signature` over the raw
//! body (HMAC-SHA256 with the shared secret, five minutes' tolerance),
//! handles each event id once, and prints what it received.
//!
//! ```sh
//! PORTAL_WEBHOOK_SECRET=whsec_demo cargo run --bin webhook-receiver
//! PORTAL_WEBHOOK_URL=http://127.0.0.1:3001/hooks PORTAL_WEBHOOK_SECRET=whsec_demo cargo run
//! ```
//!
//! Listens on 127.0.0.1:3001 unless `RECEIVER_ADDR` says otherwise.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use portal_core::shared::EventId;
use portal_core::webhook::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, WebhookPayload, verify_signature};

struct Receiver {
    secret: Vec<u8>,
    /// Event ids handled: a retry or a replay of one is answered 200 and
    /// not handled again. (A real host keeps these in its database.)
    seen: Mutex<HashSet<EventId>>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let now = chrono::Utc::now();
    if let Err(refused) = verify_signature(&receiver.secret, header, &body, now, DEFAULT_TOLERANCE)
    {
        println!("refused a delivery: {refused}");
        return StatusCode::BAD_REQUEST;
    }
    let Ok(payload) = serde_json::from_slice::<WebhookPayload>(&body) else {
        println!("refused a delivery: the body is not an event");
        return StatusCode::BAD_REQUEST;
    };
    let first_time = receiver
        .seen
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(payload.id);
    let account = payload
        .account
        .map_or_else(|| "-".to_owned(), |account| account.to_string());
    println!(
        "{} {:<32} account {account} event {}{}\n    {}",
        payload.occurred_at.format("%H:%M:%S%.3f"),
        payload.kind,
        payload.id,
        if first_time {
            ""
        } else {
            " (again: already handled)"
        },
        serde_json::Value::Object(payload.data),
    );
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secret = std::env::var("PORTAL_WEBHOOK_SECRET")
        .context("set PORTAL_WEBHOOK_SECRET to the secret the portal signs with")?;
    let addr: SocketAddr = std::env::var("RECEIVER_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3001".into())
        .parse()
        .context("RECEIVER_ADDR must look like 127.0.0.1:3001")?;
    let receiver = Arc::new(Receiver {
        secret: secret.into_bytes(),
        seen: Mutex::default(),
    });
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; set RECEIVER_ADDR"))?;
    println!("Receiving Portal's events at http://{addr}/hooks");
    axum::serve(listener, app).await?;
    Ok(())
}
