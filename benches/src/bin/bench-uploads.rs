//! Concurrent large uploads against the real router: a tenant that takes
//! 25 MB attachments, one logged-in customer, and `--uploads` (20) clients
//! at once each opening a ticket through the page's multipart form with a
//! `--megabytes` (20) MB text file, streamed in 64 KiB chunks. Prints one
//! JSON line: how many were opened (303), the seconds, the files kept, and
//! the process's peak RSS (VmHWM) before and after.
//!
//! ```sh
//! cargo run --release -p portal-benches --bin bench-uploads -- --uploads 20 --megabytes 20
//! ```
//!
//! Server and clients share this process, so the peak RSS bounds the
//! server's own: the clients generate their bodies as they send them and
//! hold one chunk each. The database is SQLite in memory; the files go to a
//! folder store (`FsBlobStore`) in a temporary directory.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use chrono::{Duration, Utc};
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Bytes, Frame};
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use portal_benches::cli::Args;
use portal_benches::load::{CSRF_COOKIE, SESSION_COOKIE};
use portal_core::Portal;
use portal_core::access::Role;
use portal_core::accounts::AccountUpsert;
use portal_core::identity::{
    ContactUpsert, LoginSource, OsTokens, Password, PasswordHasher, Session, SessionKind,
    TokenSource,
};
use portal_core::ports::Store;
use portal_core::shared::{EmailAddress, ExternalId, SessionId};
use portal_core::tenancy::PortalSettings;
use portal_http_axum::{HttpConfig, router};
use portal_runtime::Argon2Hasher;
use serde::Serialize;

/// One chunk of the uploaded text.
const CHUNK_BYTES: usize = 64 * 1024;

#[derive(Serialize)]
struct UploadReport {
    uploads: usize,
    megabytes_each: usize,
    opened: usize,
    other_statuses: Vec<u16>,
    seconds: f64,
    files_kept: usize,
    rss_before_mib: f64,
    peak_rss_mib: f64,
}

/// The process's peak resident set (VmHWM), in MiB.
fn peak_rss_mib() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib / 1024.0)
}

/// A tenant taking 25 MB attachments, one account and its contact with a
/// cookie session; the session's raw token.
async fn customer(portal: &Portal, store: &dyn Store, base: &str) -> anyhow::Result<String> {
    let mut settings = PortalSettings::default();
    settings.tickets.attachment_max_bytes = 25 * 1_000_000;
    let host = portal.host();
    let tenant = host.create_tenant("uploads", base, settings).await?;
    let account = host
        .upsert_account(
            tenant.id,
            &AccountUpsert {
                external_id: ExternalId::parse("acct-1")?,
                number: "1".into(),
                name: "Upload Bakery".into(),
                address: Default::default(),
                phone: None,
                email: None,
                postal_code: None,
                custom_fields: Default::default(),
                portal_enabled: true,
                has_history: false,
            },
        )
        .await?;
    let contact = host
        .upsert_contact(
            tenant.id,
            &ContactUpsert {
                external_id: ExternalId::parse("contact-1")?,
                name: "Ula Loader".into(),
                email: Some(EmailAddress::parse("ula@example.com")?),
                phone: None,
                other_phones: None,
                enabled: true,
            },
        )
        .await?;
    host.grant_membership(tenant.id, contact.id, account.id, Role::Primary)
        .await?;
    let hash = Argon2Hasher::owasp()?
        .hash(&Password::parse("uploads-bench-2026")?)
        .await?;
    store
        .set_first_password(tenant.id, contact.id, &hash, &[])
        .await?;
    let token = OsTokens.new_token();
    let now = Utc::now();
    let session = Session {
        id: SessionId::new(),
        tenant: tenant.id,
        contact: contact.id,
        active_account: account.id,
        token_hash: token.hash(),
        kind: SessionKind::Cookie,
        created_at: now,
        last_seen_at: now,
        idle_expires_at: now + Duration::hours(1),
        absolute_expires_at: now + Duration::hours(1),
        client: Default::default(),
        viewer: None,
    };
    store
        .start_session(
            &session,
            &hash,
            &LoginSource::Address(std::net::Ipv4Addr::LOCALHOST.into()),
            &[],
        )
        .await?;
    Ok(token.expose().to_owned())
}

/// Opens one ticket with a `megabytes` MB text file, streamed; the status.
async fn upload(
    addr: SocketAddr,
    token: String,
    megabytes: usize,
    n: usize,
) -> anyhow::Result<u16> {
    const BOUNDARY: &str = "bench-upload-boundary";
    let csrf = format!("{:064x}", n + 1);
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nservice\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nThe whole season's log, attached.\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"log-{n}.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let line = b"2026-12-06 visit: lawn mowed, edges trimmed, no pests seen.\n";
    let chunk = Bytes::from(
        line.iter()
            .copied()
            .cycle()
            .take(CHUNK_BYTES)
            .collect::<Vec<u8>>(),
    );
    let chunks = megabytes * 1_000_000 / CHUNK_BYTES;
    let length = head.len() + chunks * CHUNK_BYTES + tail.len();
    let body = futures::stream::once(async move { Bytes::from(head) })
        .chain(futures::stream::iter(0..chunks).map(move |_| chunk.clone()))
        .chain(futures::stream::once(async move { Bytes::from(tail) }))
        .map(|bytes| Ok::<_, Infallible>(Frame::data(bytes)));
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/portal/tickets/new")
        .header(header::HOST, addr.to_string())
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, length)
        .header(
            header::COOKIE,
            format!("{SESSION_COOKIE}={token}; {CSRF_COOKIE}={csrf}"),
        )
        .body(StreamBody::new(Box::pin(body)))?;
    let response = sender.send_request(request).await?;
    let status = response.status();
    response.into_body().collect().await?;
    Ok(status.as_u16())
}

/// Files under `dir`, at any depth.
fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| {
                    let path = entry.path();
                    if path.is_dir() { files_in(&path) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let uploads: usize = args.parsed_or("uploads", 20)?;
    let megabytes: usize = args.parsed_or("megabytes", 20)?;
    let folder = tempfile::tempdir()?;
    let store = portal_store_sqlx::SqliteStore::in_memory().await?;
    let portal = Portal::builder(Arc::new(store.clone()), Arc::new(Argon2Hasher::owasp()?))
        .blobs(Arc::new(
            portal_blobs::FsBlobStore::open(folder.path()).await?,
        ))
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let token = customer(&portal, &store, &format!("http://{addr}/portal/")).await?;
    let config = HttpConfig {
        secure_cookies: true,
        ..HttpConfig::single_tenant("uploads")
    };
    let app = Router::new().nest("/portal", router(portal, config));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });

    let rss_before_mib = peak_rss_mib()?;
    let started = Instant::now();
    let sent: Vec<_> = (0..uploads)
        .map(|n| tokio::spawn(upload(addr, token.clone(), megabytes, n)))
        .collect();
    let mut statuses = Vec::new();
    for upload in sent {
        statuses.push(upload.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let opened = statuses
        .iter()
        .filter(|&&status| status == StatusCode::SEE_OTHER.as_u16())
        .count();
    let report = UploadReport {
        uploads,
        megabytes_each: megabytes,
        opened,
        other_statuses: statuses
            .into_iter()
            .filter(|&status| status != StatusCode::SEE_OTHER.as_u16())
            .collect(),
        seconds,
        files_kept: files_in(folder.path()),
        rss_before_mib,
        peak_rss_mib: peak_rss_mib()?,
    };
    println!("{}", serde_json::to_string(&report)?);
    anyhow::ensure!(opened == uploads, "not every upload opened a ticket");
    Ok(())
}
