//! The load generator: a closed loop over `connections` keep-alive HTTP/1.1
//! connections, one task each, every task sending its next request as soon
//! as the previous response's body has arrived (as `wrk` does). Latency is
//! from just before the request is written to the end of the response
//! body, recorded in microseconds into an HDR histogram per connection,
//! merged at the end. Requests started during the warm-up are sent but
//! not counted.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Method, Request, StatusCode, Uri, header};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// The session cookie's name (`secure_cookies` on, as in production).
pub const SESSION_COOKIE: &str = "__Host-portal_session";
/// The CSRF cookie's name; a browser sends it back with every page, so the
/// server does not mint a new one per request.
pub const CSRF_COOKIE: &str = "__Host-portal_csrf";

/// What one run sends.
#[derive(Clone, Debug)]
pub enum Scenario {
    /// `GET` the dashboard page with one of these session tokens, rotating;
    /// expects 200.
    Dashboard {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `POST /api/v1/sessions` with one of these log-ins, rotating;
    /// expects 201.
    Login {
        /// (log-in name, password).
        logins: Arc<Vec<(String, String)>>,
    },
    /// `GET` the invoice list page filtered and sorted
    /// ([`INVOICE_LIST_QUERY`]), first page, with these session tokens,
    /// rotating; expects 200.
    Invoices {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` the quote list page (every status, newest first, first page)
    /// with these session tokens, rotating; expects 200.
    Quotes {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` the jobs list page (its default: upcoming, soonest first,
    /// first page) with these session tokens, rotating; expects 200.
    Jobs {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` the ticket list page (open tickets first, first page) with
    /// these session tokens, rotating; expects 200.
    Tickets {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` the account's audit log page (`/security/audit`, newest
    /// first, first page) with these session tokens, rotating; expects
    /// 200. The seeded sessions are the accounts' primary contacts, who
    /// may manage contacts; any other answer (a 403 for a role without
    /// ManageContacts) counts as an error.
    Audit {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` one ticket's page (a thread of 50 messages) with each cookie
    /// session and its account's open ticket, rotating; expects 200.
    Ticket {
        /// Cookie session tokens, each with its ticket's id.
        threads: Arc<Vec<Bearer>>,
    },
    /// `POST /tickets/new`, the page's multipart form (the CSRF token
    /// first, a category and a message, no file), with these session
    /// tokens, rotating; expects 303 (opened, to the ticket's page).
    OpenTicket {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
    },
    /// `GET` the statement page for `from` to `to` with these session
    /// tokens, rotating; expects 200.
    Statement {
        /// Raw session tokens.
        tokens: Arc<Vec<String>>,
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// `POST /api/v1/payments` paying [`PAYMENT_SHARE`] on each of a
    /// payer's invoices with the sandbox's test card
    /// ([`PAYMENT_TOKEN`]), a fresh `Idempotency-Key` every request,
    /// rotating over the payers; expects 201 (a payment that succeeded).
    Pay {
        /// Bearer tokens with the invoice ids each pays.
        payers: Arc<Vec<Bearer>>,
        /// Makes this run's idempotency keys differ from every other
        /// run's.
        run: String,
    },
    /// `POST /api/v1/quotes/{id}/approval` with a typed name and the
    /// digest shown, each request another quote awaiting approval,
    /// rotating over the approvers (once round, a quote would be approved
    /// twice, which is a 409: the list is longer than a run); expects 200.
    Approve {
        /// Bearer tokens with the quote id and its content digest.
        approvers: Arc<Vec<Bearer>>,
    },
}

/// The invoice list the `invoices` scenario asks for: what is unpaid,
/// soonest due first.
pub const INVOICE_LIST_QUERY: &str = "status=unpaid&sort=due_asc";
/// What the `pay` scenario pays on each invoice.
pub const PAYMENT_SHARE: &str = "0.01";
/// The sandbox gateway's test card that always succeeds.
pub const PAYMENT_TOKEN: &str = "tok_sandbox_visa";

/// A bearer session of the API and what its requests act on: the ids of
/// the invoices it pays, or a quote's id and digest.
#[derive(Clone, Debug)]
pub struct Bearer {
    /// Raw bearer token.
    pub token: String,
    /// The line's other fields, in order.
    pub fields: Vec<String>,
}

impl Scenario {
    /// The scenario's name in reports.
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Dashboard { .. } => "dashboard",
            Scenario::Login { .. } => "login",
            Scenario::Invoices { .. } => "invoices",
            Scenario::Quotes { .. } => "quotes",
            Scenario::Jobs { .. } => "jobs",
            Scenario::Tickets { .. } => "tickets",
            Scenario::Audit { .. } => "audit",
            Scenario::Ticket { .. } => "ticket",
            Scenario::OpenTicket { .. } => "open_ticket",
            Scenario::Statement { .. } => "statement",
            Scenario::Pay { .. } => "pay",
            Scenario::Approve { .. } => "approve",
        }
    }

    fn expected(&self) -> StatusCode {
        match self {
            Scenario::Dashboard { .. }
            | Scenario::Invoices { .. }
            | Scenario::Quotes { .. }
            | Scenario::Jobs { .. }
            | Scenario::Tickets { .. }
            | Scenario::Audit { .. }
            | Scenario::Ticket { .. }
            | Scenario::Statement { .. }
            | Scenario::Approve { .. } => StatusCode::OK,
            Scenario::OpenTicket { .. } => StatusCode::SEE_OTHER,
            Scenario::Login { .. } | Scenario::Pay { .. } => StatusCode::CREATED,
        }
    }

    fn rotation(&self) -> usize {
        match self {
            Scenario::Dashboard { tokens }
            | Scenario::Invoices { tokens }
            | Scenario::Quotes { tokens }
            | Scenario::Jobs { tokens }
            | Scenario::Tickets { tokens }
            | Scenario::Audit { tokens }
            | Scenario::OpenTicket { tokens }
            | Scenario::Statement { tokens, .. } => tokens.len(),
            Scenario::Ticket { threads } => threads.len(),
            Scenario::Login { logins } => logins.len(),
            Scenario::Pay { payers, .. } => payers.len(),
            Scenario::Approve { approvers } => approvers.len(),
        }
    }
}

/// How to run.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// Where the portal is mounted, e.g. `http://127.0.0.1:8080/portal`.
    pub url: Uri,
    /// Concurrent keep-alive connections.
    pub connections: usize,
    /// Measured time.
    pub duration: Duration,
    /// Time before measuring starts.
    pub warmup: Duration,
    /// What to send.
    pub scenario: Scenario,
}

/// One run's figures: printed as one JSON line.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadReport {
    /// `dashboard`, `login`, `invoices`, `quotes`, `jobs`, `tickets`,
    /// `ticket`, `open_ticket`, `audit`, `statement`, `pay` or `approve`.
    pub scenario: String,
    /// Concurrent connections.
    pub connections: usize,
    /// Measured seconds.
    pub seconds: f64,
    /// Responses with the expected status in the measured window.
    pub requests: u64,
    /// Other responses and failed requests in the measured window.
    pub errors: u64,
    /// Count per unexpected status (`"303"`) or `"io"` for failures.
    pub error_kinds: BTreeMap<String, u64>,
    /// Expected responses a second.
    pub rps: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 90th percentile, milliseconds.
    pub p90_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Slowest, milliseconds.
    pub max_ms: f64,
    /// Mean response body size, bytes.
    pub mean_body_bytes: u64,
}

struct ConnStats {
    histogram: Histogram<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
    body_bytes: u64,
}

impl ConnStats {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            // 1 µs to 60 s, three significant digits.
            histogram: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            ok: 0,
            errors: BTreeMap::new(),
            body_bytes: 0,
        })
    }

    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }
}

struct Target {
    addr: SocketAddr,
    host: String,
    /// The mount path without a trailing slash (`/portal`).
    base: String,
    /// The dashboard's path, found by [`find_dashboard`].
    dashboard: String,
}

impl Target {
    fn parse(url: &Uri) -> anyhow::Result<Self> {
        if url.scheme_str() != Some("http") {
            bail!("--url must be http://127.0.0.1:PORT/...");
        }
        let authority = url.authority().context("--url needs a host and port")?;
        let port = authority.port_u16().unwrap_or(80);
        let ip: std::net::IpAddr = authority
            .host()
            .parse()
            .context("--url must name an IP address (the benchmark stays on loopback)")?;
        let base = url.path().trim_end_matches('/').to_owned();
        Ok(Self {
            addr: SocketAddr::new(ip, port),
            host: authority.as_str().to_owned(),
            dashboard: format!("{base}/dashboard"),
            base,
        })
    }
}

/// The dashboard page's path: `{base}/dashboard`, or `{base}` itself on
/// routers that serve it at the root. Probed once with a session, so every
/// measured request is the page itself, never a redirect to it.
async fn find_dashboard(target: &mut Target, token: &str) -> anyhow::Result<()> {
    let mut sender = connect(target).await?;
    let mut seen = Vec::new();
    let root = if target.base.is_empty() {
        "/".to_owned()
    } else {
        target.base.clone()
    };
    for path in [format!("{}/dashboard", target.base), root] {
        let request = Request::builder()
            .uri(path.as_str())
            .header(header::HOST, target.host.as_str())
            .header(header::COOKIE, format!("{SESSION_COOKIE}={token}"))
            .body(Full::new(Bytes::new()))?;
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        if status == StatusCode::OK {
            target.dashboard = path;
            return Ok(());
        }
        seen.push(format!("{path}: {status}"));
    }
    bail!(
        "no dashboard page answered 200 with a seeded session ({}); is the server on the seeded database?",
        seen.join(", ")
    )
}

/// Runs the scenario and returns its figures.
pub async fn run(config: LoadConfig) -> anyhow::Result<LoadReport> {
    if config.scenario.rotation() == 0 {
        bail!("nothing to send: the tokens or log-ins file is empty");
    }
    let mut target = Target::parse(&config.url)?;
    if let Scenario::Dashboard { tokens } = &config.scenario {
        find_dashboard(&mut target, &tokens[0]).await?;
    }
    let target = Arc::new(target);
    let start = Instant::now();
    let measure_from = start + config.warmup;
    let end = measure_from + config.duration;
    let mut tasks = Vec::with_capacity(config.connections);
    for connection in 0..config.connections {
        let target = target.clone();
        let scenario = config.scenario.clone();
        let stride = config.connections;
        tasks.push(tokio::spawn(async move {
            connection_loop(target, scenario, connection, stride, measure_from, end).await
        }));
    }
    let mut total = ConnStats::new()?;
    for task in tasks {
        let stats = task.await??;
        total.histogram.add(&stats.histogram)?;
        total.ok += stats.ok;
        total.body_bytes += stats.body_bytes;
        for (kind, count) in stats.errors {
            *total.errors.entry(kind).or_default() += count;
        }
    }
    let seconds = config.duration.as_secs_f64();
    let ms = |quantile: f64| total.histogram.value_at_quantile(quantile) as f64 / 1000.0;
    Ok(LoadReport {
        scenario: config.scenario.name().to_owned(),
        connections: config.connections,
        seconds,
        requests: total.ok,
        errors: total.errors.values().sum(),
        error_kinds: total.errors,
        rps: total.ok as f64 / seconds,
        p50_ms: ms(0.50),
        p90_ms: ms(0.90),
        p99_ms: ms(0.99),
        max_ms: total.histogram.max() as f64 / 1000.0,
        mean_body_bytes: total.body_bytes.checked_div(total.ok).unwrap_or(0),
    })
}

async fn connect(target: &Target) -> anyhow::Result<http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(target.addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the server or this side closes the connection; the
        // request that notices reports the error.
        let _ = connection.await;
    });
    Ok(sender)
}

fn csrf_value(connection: usize) -> String {
    format!("{:064x}", connection + 1)
}

fn build_request(
    target: &Target,
    scenario: &Scenario,
    csrf: &str,
    index: usize,
) -> anyhow::Result<Request<Full<Bytes>>> {
    let page = |path: &str, tokens: &[String]| {
        let token = &tokens[index % tokens.len()];
        Request::builder()
            .method(Method::GET)
            .uri(path)
            .header(header::HOST, target.host.as_str())
            .header(header::ACCEPT, "text/html")
            .header(
                header::COOKIE,
                format!("{SESSION_COOKIE}={token}; {CSRF_COOKIE}={csrf}"),
            )
            .body(Full::new(Bytes::new()))
    };
    // A JSON POST to the API at `path` (below `/api/v1/`).
    let post_json = |path: &str| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("{}/api/v1/{path}", target.base))
            .header(header::HOST, target.host.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
    };
    let request = match scenario {
        Scenario::Dashboard { tokens } => page(&target.dashboard, tokens)?,
        Scenario::Invoices { tokens } => page(
            &format!("{}/billing/invoices?{INVOICE_LIST_QUERY}", target.base),
            tokens,
        )?,
        Scenario::Quotes { tokens } => page(&format!("{}/quotes", target.base), tokens)?,
        Scenario::Jobs { tokens } => page(&format!("{}/jobs", target.base), tokens)?,
        Scenario::Tickets { tokens } => page(&format!("{}/tickets", target.base), tokens)?,
        Scenario::Audit { tokens } => page(&format!("{}/security/audit", target.base), tokens)?,
        Scenario::Ticket { threads } => {
            let thread = &threads[index % threads.len()];
            let ticket = thread
                .fields
                .first()
                .context("a thread line is token, ticket id")?;
            page(
                &format!("{}/tickets/{ticket}", target.base),
                std::slice::from_ref(&thread.token),
            )?
        }
        Scenario::OpenTicket { tokens } => {
            let token = &tokens[index % tokens.len()];
            const BOUNDARY: &str = "bench-ticket-boundary";
            let part = |name: &str, value: &str| {
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
            };
            let body = [
                part("csrf_token", csrf),
                part("category", "service"),
                part(
                    "body",
                    "The back lawn has brown patches since the last treatment. \
                     Could someone take a look this week?",
                ),
                format!("--{BOUNDARY}--\r\n"),
            ]
            .concat();
            Request::builder()
                .method(Method::POST)
                .uri(format!("{}/tickets/new", target.base))
                .header(header::HOST, target.host.as_str())
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .header(
                    header::COOKIE,
                    format!("{SESSION_COOKIE}={token}; {CSRF_COOKIE}={csrf}"),
                )
                .body(Full::new(Bytes::from(body)))?
        }
        Scenario::Statement { tokens, from, to } => page(
            &format!("{}/billing/statement?from={from}&to={to}", target.base),
            tokens,
        )?,
        Scenario::Pay { payers, run } => {
            let payer = &payers[index % payers.len()];
            let invoices: Vec<serde_json::Value> = payer
                .fields
                .iter()
                .map(|id| serde_json::json!({ "id": id, "amount": PAYMENT_SHARE }))
                .collect();
            let body = serde_json::to_vec(&serde_json::json!({
                "invoices": invoices,
                "method": { "type": "new_token", "token": PAYMENT_TOKEN },
            }))?;
            // `index` never repeats within a run (see `connection_loop`).
            post_json("payments")
                .header(header::AUTHORIZATION, format!("Bearer {}", payer.token))
                .header("idempotency-key", format!("bench-{run}-{index}"))
                .body(Full::new(Bytes::from(body)))?
        }
        Scenario::Approve { approvers } => {
            let approver = &approvers[index % approvers.len()];
            let [quote, digest] = approver.fields.as_slice() else {
                anyhow::bail!("an approver line is token, quote id, digest");
            };
            let body = serde_json::to_vec(&serde_json::json!({
                "signer_name": "Bench Signer",
                "content_sha256": digest,
            }))?;
            post_json(&format!("quotes/{quote}/approval"))
                .header(header::AUTHORIZATION, format!("Bearer {}", approver.token))
                .body(Full::new(Bytes::from(body)))?
        }
        Scenario::Login { logins } => {
            let (login, password) = &logins[index % logins.len()];
            let body = serde_json::to_vec(&serde_json::json!({
                "login": login,
                "password": password,
            }))?;
            post_json("sessions").body(Full::new(Bytes::from(body)))?
        }
    };
    Ok(request)
}

async fn connection_loop(
    target: Arc<Target>,
    scenario: Scenario,
    connection: usize,
    stride: usize,
    measure_from: Instant,
    end: Instant,
) -> anyhow::Result<ConnStats> {
    let mut stats = ConnStats::new()?;
    let expected = scenario.expected();
    let csrf = csrf_value(connection);
    // Connection c sends requests c, c + stride, c + 2 stride, ...: no two
    // requests of a run share an index.
    let mut index = connection;
    let mut sender = None;
    loop {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let counted = started >= measure_from;
        let mut current = match sender.take() {
            Some(current) => current,
            None => match connect(&target).await {
                Ok(fresh) => fresh,
                Err(error) => {
                    if counted {
                        stats.error(format!("connect: {error}"));
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let request = build_request(&target, &scenario, &csrf, index)?;
        index = index.wrapping_add(stride);
        let outcome = async {
            current.ready().await?;
            let response = current.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body.len()))
        }
        .await;
        let elapsed = started.elapsed();
        match outcome {
            Ok((status, bytes)) => {
                sender = Some(current);
                if !counted {
                    continue;
                }
                if status == expected {
                    stats.ok += 1;
                    stats.body_bytes += bytes as u64;
                    stats
                        .histogram
                        .saturating_record(elapsed.as_micros().try_into().unwrap_or(u64::MAX));
                } else {
                    stats.error(status.as_u16().to_string());
                }
            }
            Err(error) => {
                if counted {
                    stats.error(format!("io: {error}"));
                }
            }
        }
    }
    Ok(stats)
}

/// Reads the raw session tokens, one a line.
pub fn read_tokens(path: &str) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Reads `token<TAB>field<TAB>field...` lines (at least one field).
pub fn read_bearers(path: &str) -> anyhow::Result<Vec<Bearer>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut fields = line.split('\t').map(str::to_owned);
            let token = fields.next().unwrap_or_default();
            let fields: Vec<String> = fields.collect();
            anyhow::ensure!(
                !fields.is_empty(),
                "{path}: expected token<TAB>field[<TAB>field...]"
            );
            Ok(Bearer { token, fields })
        })
        .collect()
}

/// Reads `login<TAB>password` lines.
pub fn read_logins(path: &str) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            line.split_once('\t')
                .map(|(login, password)| (login.to_owned(), password.to_owned()))
                .with_context(|| format!("{path}: expected login<TAB>password"))
        })
        .collect()
}
