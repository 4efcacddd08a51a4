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

use std::net::SocketAddr;

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secret = std::env::var("PORTAL_WEBHOOK_SECRET")
        .context("set PORTAL_WEBHOOK_SECRET to the secret the portal signs with")?;
    let addr: SocketAddr = std::env::var("RECEIVER_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3001".into())
        .parse()
        .context("RECEIVER_ADDR must look like 127.0.0.1:3001")?;
    let app = portal_examples::webhooks::receiver("/hooks", secret.into_bytes());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; set RECEIVER_ADDR"))?;
    println!("Receiving Portal's events at http://{addr}/hooks");
    axum::serve(listener, app).await?;
    Ok(())
}
