//! The demo host: `cargo run` at the workspace root.
//!
//! Starts Portal on SQLite (`demo-data/portal.db`, ticket attachments in
//! `demo-data/blobs/`; `PORTAL_DEMO_DATA` names another folder), seeds a
//! demo tenant,
//! mounts the portal at `/portal`, writes mails to `demo-data/mail/` and
//! prints the URL and demo log-ins. Listens on 127.0.0.1:3000 unless
//! `PORTAL_ADDR` says otherwise, and serves Prometheus metrics on a
//! listener of their own, `http://127.0.0.1:9464/metrics` unless
//! `PORTAL_METRICS_ADDR` says otherwise.
//!
//! Host events are delivered as signed webhooks to the demo's own
//! receiver at `/host/webhooks`, which verifies each and prints it; with
//! `PORTAL_WEBHOOK_URL` (and `PORTAL_WEBHOOK_SECRET`) they go there instead
//! (the `webhook-receiver` example is such a receiver:
//! `PORTAL_WEBHOOK_SECRET=whsec_demo cargo run --bin webhook-receiver`, then
//! `PORTAL_WEBHOOK_URL=http://127.0.0.1:3001/hooks PORTAL_WEBHOOK_SECRET=whsec_demo cargo run`).
//!
//! `/host/staff` is the business's side: each account with a "view as
//! customer" link, which opens the portal as the account's primary contact,
//! read-only, with a banner (a real host puts this behind its own staff
//! log-in; the demo listens on loopback only).

use anyhow::Context;
use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use portal_blobs::FsBlobStore;
use portal_core::Portal;
use portal_core::access::ClientInfo;
use portal_core::accounts::Account;
use portal_core::identity::{OsTokens, SecretKey, SessionKind, TokenSource};
use portal_core::outbox::EventSink;
use portal_core::shared::{AccountId, TenantId};
use portal_examples::seed::{DEMO_LOGINS, DEMO_PASSWORD, seed_demo};
use portal_http_axum::{HttpConfig, Metrics, router, view_as_response};
use portal_mail::FileMailer;
use portal_runtime::{Argon2Hasher, SandboxGateway, WebhookSink, run_outbox};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .init();
    let addr: SocketAddr = std::env::var("PORTAL_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()
        .context("PORTAL_ADDR must look like 127.0.0.1:3000")?;
    let data =
        PathBuf::from(std::env::var("PORTAL_DEMO_DATA").unwrap_or_else(|_| "demo-data".into()));
    let mail_dir = data.join("mail");
    std::fs::create_dir_all(&mail_dir)?;

    let database = format!("sqlite://{}?mode=rwc", data.join("portal.db").display());
    let store = portal_store_sqlx::connect(&database).await?;
    // The sandbox gateway: pay with the test tokens printed below.
    // Ticket attachments, in a folder beside the database.
    let blobs = FsBlobStore::open(data.join("blobs")).await?;
    let portal = Portal::builder(store, Arc::new(Argon2Hasher::owasp()?))
        .gateway(Arc::new(SandboxGateway::default()))
        .blobs(Arc::new(blobs))
        .secret_key(demo_secret_key(&data)?)
        .build();
    let base_url = format!("http://{addr}/portal/");
    let demo = seed_demo(&portal, &base_url).await?;
    let tenant = demo.tenant.clone();

    let mailer = FileMailer::new(&mail_dir).with_from("portal@greenleaf.example".parse()?);
    let (events, webhook, receiver) = demo_events(addr)?;
    let worker = portal.outbox_worker(Arc::new(mailer), events);
    tokio::spawn(async move {
        run_outbox(
            &worker,
            std::time::Duration::from_secs(1),
            std::future::pending(),
        )
        .await
    });

    let config = HttpConfig::single_tenant(tenant.slug.as_str());
    let staff = Arc::new(Staff {
        portal: portal.clone(),
        config: config.clone(),
        tenant: tenant.id,
        accounts: demo.accounts,
    });
    let app = Router::new()
        .route("/", get(|| async { Redirect::to("/portal/dashboard") }))
        .route(
            "/portal/",
            get(|| async { Redirect::to("/portal/dashboard") }),
        )
        .route("/host/staff", get(staff_page))
        .route("/host/staff/view-as/{account}", get(view_as))
        .with_state(staff)
        .merge(receiver)
        .nest("/portal", router(portal, config));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}; set PORTAL_ADDR"))?;

    // Metrics on a listener of their own: customers reach the portal's
    // listener, only monitoring should reach this one.
    let metrics_addr: SocketAddr = std::env::var("PORTAL_METRICS_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:9464".into())
        .parse()
        .context("PORTAL_METRICS_ADDR must look like 127.0.0.1:9464")?;
    let metrics = Router::new().nest("/metrics", Metrics::install()?.router());
    let metrics_listener = tokio::net::TcpListener::bind(metrics_addr)
        .await
        .with_context(|| format!("cannot listen on {metrics_addr}; set PORTAL_METRICS_ADDR"))?;
    tokio::spawn(async move { axum::serve(metrics_listener, metrics).await });

    println!(
        "\nPortal demo for \"{}\" is running at {base_url}",
        tenant.settings.display_name
    );
    println!("Prometheus metrics: http://{metrics_addr}/metrics");
    println!("Host events are POSTed, signed, to {webhook}");
    println!("Staff view (\"view as customer\"): http://{addr}/host/staff");
    println!(
        "Mails (set-password and reset links) are written to {}/",
        mail_dir.display()
    );
    println!("Demo log-ins (password: {DEMO_PASSWORD}):");
    for login in DEMO_LOGINS {
        println!("  {:<20} {}", login.email, login.note);
    }
    println!(
        "Others (dan@, erin@, frank@example.com) can register with \"Register\" and the mailed link."
    );
    println!(
        "Payments go to a sandbox: pay with the token tok_sandbox_visa (or tok_sandbox_decline, \
         tok_sandbox_insufficient_funds, tok_sandbox_timeout, tok_sandbox_error).\n"
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

/// Where host events go: a [`WebhookSink`] to `PORTAL_WEBHOOK_URL`
/// signing with `PORTAL_WEBHOOK_SECRET` (required with it), else to the
/// demo's own receiver at `/host/webhooks` (returned, to mount) with a
/// fresh secret. Returns the sink, the URL it posts to and the receiver.
fn demo_events(addr: SocketAddr) -> anyhow::Result<(Arc<dyn EventSink>, String, Router)> {
    let (url, secret, receiver) = match std::env::var("PORTAL_WEBHOOK_URL") {
        Ok(url) => {
            let secret = std::env::var("PORTAL_WEBHOOK_SECRET").context(
                "PORTAL_WEBHOOK_URL needs PORTAL_WEBHOOK_SECRET, the secret deliveries are signed with",
            )?;
            (url, secret.into_bytes(), Router::new())
        }
        Err(_) => {
            let secret = OsTokens.new_token().expose().as_bytes().to_vec();
            let receiver = portal_examples::webhooks::receiver("/host/webhooks", secret.clone());
            (format!("http://{addr}/host/webhooks"), secret, receiver)
        }
    };
    let sink =
        WebhookSink::new(&url, secret).with_context(|| format!("PORTAL_WEBHOOK_URL {url:?}"))?;
    Ok((Arc::new(sink), url, receiver))
}

/// The business's staff side of the demo.
struct Staff {
    portal: Portal,
    config: HttpConfig,
    tenant: TenantId,
    accounts: Vec<Account>,
}

/// Text for HTML: the demo's account names are its own, but escape anyway.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/host/staff`: the accounts, each with a "view as customer" link.
async fn staff_page(State(staff): State<Arc<Staff>>) -> Html<String> {
    let rows: String = staff
        .accounts
        .iter()
        .map(|account| {
            format!(
                "<li>{} · {} — <a href=\"/host/staff/view-as/{}\">View as customer</a></li>",
                escape(&account.number),
                escape(&account.name),
                account.id
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Staff</title></head>\
         <body><h1>Staff: customer accounts</h1><p>Opens the portal as the account's \
         primary contact sees it, read-only. The start is in the account's activity log.</p>\
         <ul>{rows}</ul></body></html>"
    ))
}

/// `/host/staff/view-as/{account}`: starts a view-as session for the demo's
/// staff member and opens the portal with it.
async fn view_as(
    State(staff): State<Arc<Staff>>,
    Path(account): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Ok(account) = AccountId::parse(&account) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let client = ClientInfo {
        address: Some(peer.ip()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    };
    match staff
        .portal
        .host()
        .view_as(
            staff.tenant,
            account,
            "demo-staff@greenleaf.example",
            SessionKind::Cookie,
            &client,
        )
        .await
    {
        Ok(view) => view_as_response(&staff.config, &view, "/portal"),
        Err(error) => (StatusCode::NOT_FOUND, error.to_string()).into_response(),
    }
}

/// The key that signs device cookies: `PORTAL_SECRET_KEY` (hex), else one
/// made once and kept in the demo's data folder, so browsers stay
/// recognised across restarts.
fn demo_secret_key(data: &std::path::Path) -> anyhow::Result<SecretKey> {
    if let Ok(key) = std::env::var("PORTAL_SECRET_KEY") {
        return Ok(SecretKey::from_hex(&key)?);
    }
    let file = data.join("secret.key");
    if let Ok(key) = std::fs::read_to_string(&file) {
        return Ok(SecretKey::from_hex(&key)?);
    }
    // 32 random bytes in hex, as a token is made.
    let token = OsTokens.new_token();
    std::fs::write(&file, token.expose())?;
    Ok(SecretKey::from_hex(token.expose())?)
}
