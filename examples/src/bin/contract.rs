//! The server the API contract run tests (`scripts/api-contract.sh`, a
//! step of `scripts/test.sh`): the demo tenant, seeded afresh on SQLite in
//! `PORTAL_DEMO_DATA`, with the portal mounted at `/portal` on
//! `PORTAL_ADDR`, exactly as the demo serves it, except for what lets a
//! property-based run of thousands of requests get past the front door:
//!
//! - the per-address rate limit and the tenant's lockout threshold are
//!   raised, the lockout to its most lenient (100 failures, one minute) (both still answer; the run covers the operations they guard,
//!   and the Rust tests cover their refusals and `Retry-After`);
//! - password hashing uses cheap argon2id parameters and failed log-ins
//!   are not padded to the response floor;
//! - payments go to the sandbox gateway, whose webhooks are signed with
//!   `PORTAL_WEBHOOK_SECRET` (default `whsec_contract`);
//! - ticket attachments are kept in `PORTAL_DEMO_DATA/blobs`.
//!
//! Mails stay in the outbox: nothing delivers them.

use anyhow::Context;
use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use portal_blobs::FsBlobStore;
use portal_core::Portal;
use portal_examples::seed::seed_demo;
use portal_http_axum::{HttpConfig, RateLimit, router};
use portal_runtime::{Argon2Hasher, SandboxGateway};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    let addr: SocketAddr = std::env::var("PORTAL_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3001".into())
        .parse()
        .context("PORTAL_ADDR must look like 127.0.0.1:3001")?;
    let data = PathBuf::from(
        std::env::var("PORTAL_DEMO_DATA").context("set PORTAL_DEMO_DATA to an empty folder")?,
    );
    std::fs::create_dir_all(&data)?;
    let secret = std::env::var("PORTAL_WEBHOOK_SECRET").unwrap_or_else(|_| "whsec_contract".into());

    let database = format!("sqlite://{}?mode=rwc", data.join("portal.db").display());
    let store = portal_store_sqlx::connect(&database).await?;
    let blobs = FsBlobStore::open(data.join("blobs")).await?;
    let portal = Portal::builder(store, Arc::new(Argon2Hasher::insecure_for_tests()))
        .gateway(Arc::new(SandboxGateway::new(secret)))
        .blobs(Arc::new(blobs))
        .response_floor(Duration::ZERO)
        .build();
    let base_url = format!("http://{addr}/portal/");
    let tenant = seed_demo(&portal, &base_url).await?.tenant;
    let mut settings = tenant.settings.clone();
    settings.lockout.max_failures = 100;
    settings.lockout.lock_minutes = 1;
    portal
        .host()
        .update_tenant(tenant.id, &base_url, settings)
        .await?;

    let config = HttpConfig {
        auth_rate_limit: Some(RateLimit {
            per_minute: 1_000_000,
            burst: 1_000_000,
        }),
        ..HttpConfig::single_tenant(tenant.slug.as_str())
    };
    let app = Router::new().nest("/portal", router(portal, config));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; set PORTAL_ADDR"))?;
    println!(
        "contract server for \"{}\" at {base_url}",
        tenant.slug.as_str()
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
