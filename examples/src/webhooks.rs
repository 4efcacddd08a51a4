//! A webhook receiver: what a host's endpoint for Portal's events does, in
//! a few lines. It verifies each delivery's `Portal-Signature` over the raw
//! body (HMAC-SHA256 with the shared secret, five minutes' tolerance),
//! handles each event id once, and prints what it received. The
//! `webhook-receiver` binary serves it alone; the demo mounts it at
//! `/host/webhooks` and sends its own events there.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use portal_core::shared::EventId;
use portal_core::webhook::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, WebhookPayload, verify_signature};

struct Receiver {
    secret: Vec<u8>,
    seen: Mutex<HashSet<EventId>>,
}

/// A router taking deliveries signed with `secret` at `POST {path}`.
pub fn receiver(path: &str, secret: Vec<u8>) -> Router {
    let receiver = Arc::new(Receiver {
        secret,
        seen: Mutex::default(),
    });
    Router::new()
        .route(path, post(receive))
        .with_state(receiver)
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
        "webhook {} {:<32} account {account} event {}{}\n    {}",
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
