//! The benchmark's server: Portal's router on the seeded database, as a
//! host would run it, in its own process so the load generator's work and
//! the server's peak RSS are measured apart.
//!
//! ```text
//! bench-server --db sqlite://target/bench-data/sqlite-100000.db --addr 127.0.0.1:8080
//! ```
//!
//! The portal is mounted at `/portal` for the tenant `bench`, with the
//! production argon2id hasher (OWASP parameters), the in-memory
//! [`SandboxGateway`] as payment gateway (the payment scenario pays with
//! its test card) and no per-address auth rate limit (every request comes
//! from 127.0.0.1). Prints `ready` once
//! listening; stops on SIGTERM or Ctrl-C. `RUST_LOG` sets the log filter
//! (default `warn`).
//!
//! `--hash-concurrency N` replaces the default hasher by the same OWASP
//! parameters with N hashes at once instead of one per core: a host's
//! choice, for measuring what it does to the dashboard during a log-in
//! storm. `run.sh` never passes it.

use anyhow::Context;
use axum::Router;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use portal_benches::cli::Args;
use portal_benches::plan::TENANT_SLUG;
use portal_core::Portal;
use portal_http_axum::{HttpConfig, router};
use portal_runtime::{Argon2Hasher, SandboxGateway};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::from_env()?;
    let db = args.required("db")?;
    let addr: SocketAddr = args
        .required("addr")?
        .parse()
        .context("--addr must look like 127.0.0.1:8080")?;

    let store = portal_store_sqlx::connect(db).await?;
    let hasher = match args.get("hash-concurrency") {
        Some(concurrency) => {
            let params = argon2::Params::new(19 * 1024, 2, 1, None)
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            Argon2Hasher::with_params(params, concurrency.parse()?)?
        }
        None => Argon2Hasher::owasp()?,
    };
    let portal = Portal::builder(store, Arc::new(hasher))
        .gateway(Arc::new(SandboxGateway::default()))
        .build();
    portal
        .tenant_by_slug(TENANT_SLUG)
        .await
        .context("the database holds no `bench` tenant: run bench-seed first")?;
    let config = HttpConfig {
        auth_rate_limit: None,
        ..HttpConfig::single_tenant(TENANT_SLUG)
    };
    let app = Router::new().nest("/portal", router(portal, config));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("ready http://{addr}/portal/");
    std::io::stdout().flush()?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
