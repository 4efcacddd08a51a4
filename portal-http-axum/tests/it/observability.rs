//! Request ids, the request span and the Prometheus metrics: what an
//! operator relies on to find one request's story and to watch the portal.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

use portal_http_axum::Metrics;

use crate::harness::*;

/// Log output captured from a test's own subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The lines logged since the last call.
    fn take_lines(&self) -> Vec<String> {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap());
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

fn request_id_of(reply: &Reply) -> String {
    reply
        .headers
        .get("x-request-id")
        .expect("every response carries x-request-id")
        .to_str()
        .unwrap()
        .to_owned()
}

// Current-thread runtime (the default): `set_default` installs the
// subscriber for this thread, which is where the router runs.
#[tokio::test]
async fn every_log_line_of_a_request_and_its_problem_body_carry_its_request_id() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // tracing caches each call site's interest for the whole process. While
    // only one subscriber is registered it asks just the default of the
    // thread that first reaches a call site, so under `cargo test` another
    // test's thread (no subscriber) would cache "never" for a call site this
    // request reaches later. With a second live subscriber it asks all.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());

    // Wrong passwords until the contact is locked: the locking request
    // logs from inside the core as well as the router's own lines.
    let mut saw_the_lock = false;
    for _ in 0..10 {
        let reply = app
            .send(json_request(
                "POST",
                "/portal/api/v1/sessions",
                None,
                &json!({"login": "ada@example.com", "password": "not the password"}),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        let id = request_id_of(&reply);
        assert_eq!(reply.json()["request_id"], id.as_str(), "{}", reply.body);

        let lines = log.take_lines();
        assert!(
            lines.iter().any(|line| line.contains("request finished")),
            "{lines:#?}"
        );
        for line in &lines {
            assert!(line.contains(&format!("request_id={id}")), "{line}");
            assert!(line.contains("route=/portal/api/v1/sessions"), "{line}");
        }
        if lines.iter().any(|line| line.contains("log-in locked")) {
            let locked = lines.iter().find(|l| l.contains("log-in locked")).unwrap();
            // The tenant is known by the time the core runs.
            assert!(locked.contains("tenant=acme"), "{locked}");
            saw_the_lock = true;
            break;
        }
    }
    assert!(saw_the_lock, "five wrong passwords lock the contact");
}

#[tokio::test]
async fn the_server_makes_every_request_id_itself() {
    let app = TestApp::new().await;
    let reply = app
        .send(
            Request::builder()
                .uri("/portal/login")
                .header("x-request-id", "chosen-by-the-client")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let id = request_id_of(&reply);
    assert_ne!(id, "chosen-by-the-client");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let again = app.send(get_request("/portal/login", None)).await;
    assert_ne!(request_id_of(&again), id);
}

#[tokio::test]
async fn problems_raised_before_any_handler_name_their_request_too() {
    let app = TestApp::new().await;
    // The router's fallback, and a bearer token the extractor refuses.
    for uri in ["/portal/api/v1/no-such-thing", "/portal/api/v1/me"] {
        let reply = app.send(get_request(uri, Some("not-a-token"))).await;
        assert!(reply.status.is_client_error(), "{uri}: {}", reply.status);
        assert_eq!(
            reply.json()["request_id"],
            request_id_of(&reply).as_str(),
            "{uri}"
        );
    }
}

async fn scrape(metrics: &Metrics) -> String {
    // Mounted the way a host mounts it: on its own router, at a path the
    // host chooses.
    let scrape = Router::new().nest("/metrics", metrics.router());
    let response = scrape
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The value of the sample whose name is `name` and whose labels include
/// every one of `labels` (`key="value"`).
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn the_metrics_route_counts_requests_by_route_template_and_status() {
    // Installing is idempotent: the second call hands out the same
    // recorder (the test binary's other tests may have installed it first).
    let metrics = Metrics::install().unwrap();
    let again = Metrics::install().unwrap();

    let app = TestApp::new().await;
    let invoice = uuid::Uuid::now_v7();
    for _ in 0..3 {
        let reply = app
            .send(get_request(
                &format!("/portal/billing/invoices/{invoice}/pdf"),
                None,
            ))
            .await;
        // Not logged in: to the log-in page.
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }

    let text = scrape(&again).await;
    let route = r#"route="/portal/billing/invoices/{id}/pdf""#;
    let counted = sample(
        &text,
        "portal_http_requests_total",
        &[route, r#"method="GET""#, r#"status="303""#],
    );
    // Other tests in this binary may have made the same request.
    assert!(counted.is_some_and(|count| count >= 3.0), "{text}");
    let timed = sample(
        &text,
        "portal_http_request_duration_seconds_bucket",
        &[route, r#"le="+Inf""#],
    );
    assert!(timed.is_some_and(|count| count >= 3.0), "{text}");
    assert!(
        text.contains("# HELP portal_http_requests_total "),
        "{text}"
    );
    assert!(
        text.contains("# TYPE portal_http_request_duration_seconds histogram"),
        "{text}"
    );
    // The raw path never becomes a label.
    assert!(!text.contains(&invoice.to_string()));
    assert!(!scrape(&metrics).await.is_empty());
}

#[tokio::test]
async fn the_customer_facing_router_serves_no_metrics() {
    Metrics::install().unwrap();
    let app = TestApp::new().await;
    for uri in ["/portal/metrics", "/portal/api/v1/metrics"] {
        let reply = app.send(get_request(uri, None)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!reply.body.contains("portal_http_requests_total"));
    }
}

#[tokio::test]
async fn requests_no_route_matched_share_one_route_label() {
    let metrics = Metrics::install().unwrap();
    let app = TestApp::new().await;
    let reply = app
        .send(get_request("/portal/api/v1/made-up-7f3a9c", None))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let text = scrape(&metrics).await;
    assert!(!text.contains("made-up-7f3a9c"), "{text}");
    let unmatched = sample(
        &text,
        "portal_http_requests_total",
        &[r#"route="unmatched""#, r#"status="404""#],
    );
    assert!(unmatched.is_some_and(|count| count >= 1.0), "{text}");
}

#[tokio::test]
async fn log_ins_payments_and_the_outbox_backlog_reach_the_metrics_route() {
    let metrics = Metrics::install().unwrap();
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let invoice = app
        .invoice(
            app.seeded.account_a,
            "INV-M1",
            4_200,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        )
        .await;
    let mut request = json_request(
        "POST",
        "/portal/api/v1/payments",
        Some(&token),
        &json!({
            "invoices": [{"id": invoice.id.to_string()}],
            "method": {"type": "new_token", "token": "tok_sandbox_visa"},
        }),
    );
    request
        .headers_mut()
        .insert("idempotency-key", "metrics-pay-1".parse().unwrap());
    let paid = app.send(request).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    // The receipt waits in the outbox; the worker reports the backlog.
    let worker = app.portal.outbox_worker(
        Arc::new(app.mailbox.clone()),
        Arc::new(portal_core::outbox::NoEvents),
    );
    let waiting = worker.report_backlog().await.unwrap();
    assert!(waiting >= 1);

    let text = scrape(&metrics).await;
    let logins = sample(&text, "portal_logins_total", &[r#"outcome="succeeded""#]);
    assert!(logins.is_some_and(|count| count >= 1.0), "{text}");
    let payments = sample(&text, "portal_payments_total", &[r#"outcome="succeeded""#]);
    assert!(payments.is_some_and(|count| count >= 1.0), "{text}");
    // A gauge: the last report of any test in this binary, so only its
    // presence is certain here.
    assert!(
        text.lines()
            .any(|line| line.starts_with("portal_outbox_backlog ")),
        "{text}"
    );
}
