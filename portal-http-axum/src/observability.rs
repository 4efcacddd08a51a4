//! What an operator sees of each request: a request id, a tracing span and
//! Prometheus metrics, and the scrape route the host mounts where it wants.
//!
//! # Request ids and the span
//!
//! Every request gets a fresh id ([`RequestId`], a random UUID) made here,
//! never taken from the client: an inbound `x-request-id` is replaced, so a
//! client cannot make its requests look like someone else's in the logs.
//! The id is sent back in the `x-request-id` response header, put in the
//! request's extensions (handlers and host middleware can read it), and
//! written into every API error's problem+json body as the `request_id`
//! extension member, so a customer's bug report leads to the log lines.
//!
//! The request runs inside an INFO span named `request` with the fields
//! `method`, `route` (the route template, axum's [`MatchedPath`], e.g.
//! `/portal/billing/invoices/{id}`, never the raw path), `request_id`,
//! `tenant` (the slug, once the tenant middleware resolved it), `status`
//! and `latency_ms` (when the response is ready). Every event logged while
//! the request is handled, in this crate or in `portal-core`, carries these
//! fields. The span is INFO, not DEBUG as tower-http's `TraceLayer` makes
//! it, so a warning logged under the usual `info` filter still names its
//! request. Work a use case moves to another thread (password hashing) logs
//! outside the span. A DEBUG event `request finished` closes each request,
//! an ERROR event `request failed` each 5xx.
//!
//! # Metrics
//!
//! Recorded through the [`metrics`] facade, so they go to whatever recorder
//! the process installed: Portal's Prometheus one ([`Metrics::install`]) or
//! the host's own. Without a recorder they cost next to nothing.
//!
//! | name | kind | labels | what |
//! | --- | --- | --- | --- |
//! | `portal_http_requests_total` | counter | `method`, `route`, `status` | requests answered, by route template and status code |
//! | `portal_http_request_duration_seconds` | histogram | `route` | time from the request reaching the router to its response being ready |
//! | `portal_logins_total` | counter | `outcome` | log-in attempts (recorded by `portal-core`): `succeeded`, `failed`, `locked` |
//! | `portal_payments_total` | counter | `outcome` | payments the gateway answered (recorded by `portal-core`): `succeeded`, `failed`, `pending` |
//! | `portal_outbox_backlog` | gauge | | mails and host events waiting for delivery (set by `portal-core`'s outbox worker) |
//!
//! `method` is one of the usual methods or `other`, and `route` is
//! `unmatched` when no route matched, so no client can invent new series.
//! The histogram's buckets run from 1 ms to 10 s.
//!
//! # The global recorder
//!
//! A `metrics` recorder is global to the process and can be set once.
//! [`Metrics::install`] installs Portal's Prometheus recorder the first time
//! it is called and hands out the same [`Metrics`] on every later call, so
//! a host that calls it twice, or a test binary whose tests each call it,
//! is fine. If the host installed another recorder first, `install` says so
//! ([`MetricsError`]) and Portal's metrics go to that recorder instead.
//! Mount [`Metrics::router`] somewhere customers cannot reach: on a listener
//! of its own, or outside the portal's prefix behind the host's own access
//! control. It is never part of [`crate::router`].

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Instrument;
use tracing::field::Empty;
use uuid::Uuid;

/// The header that carries the request id back to the client.
const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Requests answered, by method, route template and status.
const REQUESTS_TOTAL: &str = "portal_http_requests_total";
/// How long requests took, by route template.
const REQUEST_DURATION: &str = "portal_http_request_duration_seconds";
/// Log-in attempts by outcome; recorded by `portal-core`.
const LOGINS_TOTAL: &str = "portal_logins_total";
/// Payments by outcome; recorded by `portal-core`.
const PAYMENTS_TOTAL: &str = "portal_payments_total";
/// Outbox rows waiting for delivery; set by `portal-core`.
const OUTBOX_BACKLOG: &str = "portal_outbox_backlog";

/// The route label of a request no route matched.
const UNMATCHED: &str = "unmatched";

/// Upper bounds of the latency histogram's buckets, in seconds: a page on
/// SQLite takes about a millisecond, a payment through a slow gateway
/// seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histogram samples are folded into their buckets when nobody
/// scrapes (each scrape does it too), so memory stays bounded.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

tokio::task_local! {
    /// The id of the request this task is handling, for error bodies built
    /// far from the request (`ApiError` has no access to it).
    static CURRENT: RequestId;
}

/// The id of one request: a random UUID made by the router.
///
/// Found in the request's extensions (`axum::Extension<RequestId>`), in the
/// `x-request-id` response header, in the `request_id` field of the
/// request's tracing span and in the problem+json body of API errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestId(Uuid);

impl RequestId {
    fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    /// The id of the request being handled by the current task, if any.
    pub fn current() -> Option<Self> {
        CURRENT.try_with(|id| *id).ok()
    }

    fn header_value(&self) -> Option<HeaderValue> {
        let mut buffer = Uuid::encode_buffer();
        HeaderValue::from_str(self.0.hyphenated().encode_lower(&mut buffer)).ok()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(formatter)
    }
}

/// Router middleware, outermost: gives the request its id and span, times
/// it, counts it and returns the id in the response.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::new();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = %id,
        tenant = Empty,
        status = Empty,
        latency_ms = Empty,
    );
    request.extensions_mut().insert(id);
    let header = id.header_value();
    // Whatever id came in is replaced, not trusted: downstream code that
    // reads the header sees ours.
    match &header {
        Some(value) => request
            .headers_mut()
            .insert(REQUEST_ID_HEADER, value.clone()),
        None => request.headers_mut().remove(REQUEST_ID_HEADER),
    };

    let mut response = CURRENT
        .scope(id, next.run(request))
        .instrument(span.clone())
        .await;

    let latency = started.elapsed();
    let status = response.status();
    span.record("status", status.as_u16());
    // Whole microseconds are precision enough, and print shorter.
    span.record(
        "latency_ms",
        (latency.as_secs_f64() * 1_000_000.0).round() / 1000.0,
    );
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!("request failed");
        } else {
            tracing::debug!("request finished");
        }
    });
    count(method, route, status, latency);
    if let Some(value) = header {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The method as a label: the usual ones by name, anything else `other`,
/// so a client cannot create a series per invented method.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn count(method: &'static str, route: String, status: StatusCode, latency: Duration) {
    metrics::histogram!(REQUEST_DURATION, "route" => route.clone()).record(latency);
    metrics::counter!(
        REQUESTS_TOTAL,
        "method" => method,
        "route" => route,
        "status" => status.as_u16().to_string(),
    )
    .increment(1);
}

/// Why Portal's Prometheus recorder could not be installed.
#[derive(Clone, Debug, thiserror::Error)]
#[error("Portal's Prometheus recorder could not be installed: {0}")]
pub struct MetricsError(String);

/// Portal's Prometheus recorder, installed once per process, and the scrape
/// route that renders it. Cheap to clone.
///
/// ```no_run
/// # async fn wire(portal_app: axum::Router) -> Result<(), Box<dyn std::error::Error>> {
/// use portal_http_axum::Metrics;
/// let metrics = Metrics::install()?;
/// // On a listener only the monitoring network reaches, at /metrics:
/// let scrape = axum::Router::new().nest("/metrics", metrics.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9464").await?;
/// tokio::spawn(async move { axum::serve(listener, scrape).await });
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Metrics {
    handle: PrometheusHandle,
}

/// The outcome of the first [`Metrics::install`], for every later one.
static INSTALLED: OnceLock<Result<Metrics, MetricsError>> = OnceLock::new();

impl Metrics {
    /// Installs Portal's Prometheus recorder as the process's `metrics`
    /// recorder the first time it is called; later calls return the same
    /// handle (or the same error). Fails when another recorder was
    /// installed before: Portal's metrics then go to that one.
    pub fn install() -> Result<Self, MetricsError> {
        INSTALLED.get_or_init(install_recorder).clone()
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        // Upkeep publishes descriptions registered since the last one and
        // folds histogram samples into buckets.
        self.handle.run_upkeep();
        self.handle.render()
    }

    /// A router answering `GET /` with [`Metrics::render`]. Nest it where
    /// the host wants it (`Router::new().nest("/metrics", metrics.router())`),
    /// never where customers can reach it.
    pub fn router(&self) -> Router {
        let metrics = self.clone();
        Router::new().route(
            "/",
            get(move || {
                let metrics = metrics.clone();
                async move { metrics.scrape() }
            }),
        )
    }

    fn scrape(&self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            self.render(),
        )
            .into_response()
    }
}

fn install_recorder() -> Result<Metrics, MetricsError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.to_owned()), LATENCY_BUCKETS)
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|error| MetricsError(error.to_string()))?;
    describe();
    let upkeep = handle.clone();
    // One thread for the process (installation happens once), so no
    // runtime is needed to call `install`.
    let started = std::thread::Builder::new()
        .name("portal-metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                upkeep.run_upkeep();
            }
        });
    if let Err(error) = started {
        tracing::warn!(%error, "no metrics upkeep thread; histograms are folded at each scrape only");
    }
    Ok(Metrics { handle })
}

/// The help texts of every metric Portal records, the core's included.
fn describe() {
    metrics::describe_counter!(
        REQUESTS_TOTAL,
        "HTTP requests answered by the portal, by method, route template and status."
    );
    metrics::describe_histogram!(
        REQUEST_DURATION,
        metrics::Unit::Seconds,
        "Time the portal took to answer a request, by route template."
    );
    metrics::describe_counter!(
        LOGINS_TOTAL,
        "Log-in attempts by outcome (succeeded, failed, locked)."
    );
    metrics::describe_counter!(
        PAYMENTS_TOTAL,
        "Payments answered by the gateway, by outcome (succeeded, failed, pending)."
    );
    metrics::describe_gauge!(
        OUTBOX_BACKLOG,
        "Mails and host events in the outbox waiting for delivery."
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_share_one_label() {
        assert_eq!(method_label(&Method::POST), "POST");
        let invented = Method::from_bytes(b"FROBNICATE").unwrap();
        assert_eq!(method_label(&invented), "other");
    }

    #[test]
    fn a_request_id_renders_as_a_hyphenated_uuid() {
        let id = RequestId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(id.header_value().unwrap().to_str().unwrap(), text);
        assert_eq!(RequestId::current(), None);
    }
}
