//! The smallest embedding: a host's `main` that wires Portal in and nothing
//! else. Run with `cargo run --bin embed`.
//!
//! Everything the host provides: a database URL, a payment gateway, a
//! folder (or bucket) for uploaded files, a mailer, a tenant, and a path to mount the router at (and one for the
//! metrics, if it wants them).

use std::net::SocketAddr;
use std::sync::Arc;

use portal_blobs::FsBlobStore;
use portal_core::Portal;
use portal_core::identity::SecretKey;
use portal_core::outbox::NoEvents;
use portal_core::tenancy::PortalSettings;
use portal_http_axum::{HttpConfig, Metrics, router};
use portal_mail::FileMailer;
use portal_runtime::{Argon2Hasher, SandboxGateway, run_outbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // 1. A store: SQLite embedded (or a postgres:// URL for several processes).
    let store = portal_store_sqlx::connect("sqlite://embed.db?mode=rwc").await?;
    // Your payment provider's adapter goes here; the sandbox takes test tokens.
    // Where ticket attachments are kept: a folder (or portal_blobs::S3BlobStore).
    let blobs = FsBlobStore::open("embed-blobs").await?;
    let mut builder = Portal::builder(store, Arc::new(Argon2Hasher::owasp()?))
        .gateway(Arc::new(SandboxGateway::default()))
        .blobs(Arc::new(blobs));
    // The key that signs device cookies: the same in every process, kept
    // across restarts (`openssl rand -hex 32`). Without one each process
    // makes its own and browsers are recognised only until it restarts.
    if let Ok(key) = std::env::var("PORTAL_SECRET_KEY") {
        builder = builder.secret_key(SecretKey::from_hex(&key)?);
    }
    let portal = builder.build();

    // 2. Your tenant (your business); create it once.
    if portal.tenant_by_slug("my-business").await.is_err() {
        let settings = PortalSettings {
            display_name: "My Business".into(),
            ..PortalSettings::default()
        };
        let host = portal.host();
        host.create_tenant("my-business", "http://127.0.0.1:3001/portal/", settings)
            .await?;
    }

    // 3. Deliver the outbox (use portal_mail::SmtpMailer in production).
    let mailer = FileMailer::new("embed-mail");
    let worker = portal.outbox_worker(Arc::new(mailer), Arc::new(NoEvents));
    tokio::spawn(async move {
        run_outbox(
            &worker,
            std::time::Duration::from_secs(2),
            std::future::pending(),
        )
        .await
    });

    // 4. Mount the portal in your own router. Prometheus metrics go outside
    //    the portal's prefix; in production put them behind your own access
    //    control or on a listener only monitoring reaches (as the demo does).
    let app = axum::Router::new()
        .nest(
            "/portal",
            router(portal, HttpConfig::single_tenant("my-business")),
        )
        .nest("/metrics", Metrics::install()?.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
    println!("portal at http://127.0.0.1:3001/portal/");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
