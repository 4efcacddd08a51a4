//! What the fuzz targets share: a whole portal (the real router on an
//! in-memory SQLite store, one tenant, a customer logged in on the API and
//! in a browser, unpaid invoices) to send fuzzed requests through, and the
//! checks every answer must pass.
//!
//! The app is built once per fuzzing process and kept: requests that pass
//! their parsers really change it (payments, cards), as a long-lived
//! server's data changes.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use rust_decimal::Decimal;
use tower::ServiceExt;

use portal_core::Portal;
use portal_core::access::Role;
use portal_core::accounts::{AccountUpsert, Address};
use portal_core::billing::{InvoiceLine, InvoiceUpsert};
use portal_core::identity::ContactUpsert;
use portal_core::shared::{
    Currency, EmailAddress, ExternalId, FixedClock, PhoneNumber, PostalCode,
};
use portal_core::tenancy::PortalSettings;
use portal_http_axum::{HttpConfig, router};
use portal_runtime::{Argon2Hasher, SandboxGateway};

/// Where the router is mounted, as a host would.
pub const MOUNT: &str = "/portal";
/// The customer's password.
pub const PASSWORD: &str = "correct horse battery";

/// A response, read whole.
pub struct Reply {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
}

/// The portal under fuzzing and the customer's credentials.
pub struct App {
    runtime: tokio::runtime::Runtime,
    router: Router,
    /// The API's bearer token.
    pub bearer: String,
    /// The browser's `Cookie` header (session and CSRF cookies).
    pub cookies: String,
    /// The CSRF token the browser's forms carry.
    pub csrf: String,
    /// The customer's invoices' ids, which fuzzed paths name beside
    /// fuzzed text.
    pub invoices: Vec<String>,
}

/// The one app of this process.
pub static APP: LazyLock<App> = LazyLock::new(App::new);

impl App {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let (router, invoices) = runtime.block_on(build());
        let mut app = Self {
            runtime,
            router,
            bearer: String::new(),
            cookies: String::new(),
            csrf: String::new(),
            invoices,
        };
        app.log_in();
        app
    }

    /// Sends one request through the router.
    pub fn send(&self, request: Request<Body>) -> Reply {
        self.runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("the router is infallible");
            let status = response.status();
            let headers = response.headers().clone();
            // Bodies are small; a fuzzed request never makes a large one.
            let body = response
                .into_body()
                .collect()
                .await
                .map(|collected| collected.to_bytes().to_vec())
                .unwrap_or_default();
            Reply {
                status,
                headers,
                body,
            }
        })
    }

    /// Registers the customer by known facts, then logs in on the API
    /// (bearer) and through the log-in form (cookies).
    fn log_in(&mut self) {
        let json = |method: Method, path: &str, body: serde_json::Value| {
            Request::builder()
                .method(method)
                .uri(format!("{MOUNT}/api/v1{path}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let registered = self.send(json(
            Method::POST,
            "/registrations/facts",
            serde_json::json!({"phone": "555 0100 01", "email": "ada@example.com",
                "postal_code": "12345", "password": PASSWORD}),
        ));
        assert_eq!(registered.status, StatusCode::CREATED, "registration");
        let session = self.send(json(
            Method::POST,
            "/sessions",
            serde_json::json!({"login": "ada@example.com", "password": PASSWORD}),
        ));
        assert_eq!(session.status, StatusCode::CREATED, "API log-in");
        let session: serde_json::Value = serde_json::from_slice(&session.body).unwrap();
        self.bearer = session["token"].as_str().unwrap().to_owned();

        let page = self.send(
            Request::get(format!("{MOUNT}/login"))
                .body(Body::empty())
                .unwrap(),
        );
        let mut jar = BTreeMap::new();
        keep_cookies(&mut jar, &page.headers);
        let csrf = jar
            .iter()
            .find(|(name, _)| name.contains("csrf"))
            .map(|(_, value)| value.clone())
            .expect("a CSRF cookie");
        let form = serde_urlencoded::to_string([
            ("csrf_token", csrf.as_str()),
            ("login", "ada@example.com"),
            ("password", PASSWORD),
        ])
        .unwrap();
        let logged_in = self.send(
            Request::post(format!("{MOUNT}/login"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie_header(&jar))
                .body(Body::from(form))
                .unwrap(),
        );
        assert_eq!(logged_in.status, StatusCode::SEE_OTHER, "page log-in");
        keep_cookies(&mut jar, &logged_in.headers);
        assert!(jar.keys().any(|name| name.contains("session")), "a session");
        self.cookies = cookie_header(&jar);
        self.csrf = csrf;
    }
}

fn keep_cookies(jar: &mut BTreeMap<String, String>, headers: &HeaderMap) {
    for value in headers.get_all(header::SET_COOKIE) {
        let text = value.to_str().unwrap_or_default();
        let pair = text.split(';').next().unwrap_or_default();
        if let Some((name, value)) = pair.split_once('=') {
            jar.insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }
}

fn cookie_header(jar: &BTreeMap<String, String>) -> String {
    jar.iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A portal on a fresh in-memory store: tenant `acme` (plain cookies, no
/// rate limit, no response floor, so the fuzzer is not slowed by what
/// protects log-in), Ada's Bakery with Ada and three unpaid invoices.
/// Returns the router and the invoices' ids.
async fn build() -> (Router, Vec<String>) {
    let store = portal_store_sqlx::SqliteStore::in_memory()
        .await
        .expect("an in-memory store");
    let clock = Arc::new(FixedClock::at(
        "2026-11-23T09:00:00Z".parse().expect("a time"),
    ));
    let portal = Portal::builder(
        Arc::new(store),
        Arc::new(Argon2Hasher::insecure_for_tests()),
    )
    .clock(clock)
    .gateway(Arc::new(SandboxGateway::new("whsec_fuzz")))
    .response_floor(Duration::ZERO)
    .build();
    let host = portal.host();
    let settings = PortalSettings {
        display_name: "Acme Pest Control".into(),
        ..PortalSettings::default()
    };
    let tenant = host
        .create_tenant("acme", "http://localhost/portal/", settings)
        .await
        .expect("a tenant");
    let t = tenant.id;
    let account = host
        .upsert_account(
            t,
            &AccountUpsert {
                external_id: ExternalId::parse("A-1").unwrap(),
                number: "1001".into(),
                name: "Ada's Bakery".into(),
                address: Address {
                    line1: "1 Main St".into(),
                    city: "Springfield".into(),
                    postal_code: "12345".into(),
                    ..Address::default()
                },
                phone: Some(PhoneNumber::parse("555-0100-01").unwrap()),
                email: Some(EmailAddress::parse("ada@example.com").unwrap()),
                postal_code: Some(PostalCode::parse("12345").unwrap()),
                custom_fields: BTreeMap::from([("Gate code".into(), "4321".into())]),
                portal_enabled: true,
                has_history: true,
            },
        )
        .await
        .expect("an account");
    let ada = host
        .upsert_contact(
            t,
            &ContactUpsert {
                external_id: ExternalId::parse("ada").unwrap(),
                name: "Ada Lovelace".into(),
                email: Some(EmailAddress::parse("ada@example.com").unwrap()),
                phone: Some(PhoneNumber::parse("555 0100 01").unwrap()),
                other_phones: None,
                enabled: true,
            },
        )
        .await
        .expect("a contact");
    host.grant_membership(t, ada.id, account.id, Role::Primary)
        .await
        .expect("a membership");
    let mut invoices = Vec::new();
    for (number, cents) in [("INV-1", 12_050), ("INV-2", 9_900), ("INV-3", 100_000)] {
        let due_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let invoice = host
            .upsert_invoice(
                t,
                &InvoiceUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account: account.id,
                    number: number.into(),
                    issued_on: due_on - chrono::Duration::days(30),
                    due_on,
                    currency: Currency::USD,
                    lines: vec![InvoiceLine {
                        description: format!("Service for {number}"),
                        quantity: Decimal::ONE,
                        unit_price: Currency::USD.from_minor(cents),
                        tax_rate: Decimal::ZERO,
                    }],
                    memo: None,
                    pdf: None,
                },
            )
            .await
            .expect("an invoice");
        invoices.push(invoice.id.to_string());
    }
    let config = HttpConfig {
        auth_rate_limit: None,
        secure_cookies: false,
        ..HttpConfig::single_tenant("acme")
    };
    let router = Router::new().nest(MOUNT, router(portal, config));
    (router, invoices)
}

static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("PORTAL_FUZZ_TRACE").is_some());

/// The check every answer to a fuzzed request passes: never a server
/// error. (A panic in a handler is not answered at all: it aborts the
/// fuzzer, which reports it as a crash.)
/// With `PORTAL_FUZZ_TRACE` set, each request and its status is printed
/// (to see what a corpus reaches).
pub fn check(request: &str, reply: &Reply) {
    if *TRACE {
        eprintln!("{} {request}", reply.status.as_u16());
    }
    assert!(
        !reply.status.is_server_error(),
        "{request} answered {}: {}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
}

/// Splits fuzz input into `n` parts at `0xff` bytes (which never occur in
/// UTF-8 text), the last part taking the rest; missing parts are empty.
pub fn split(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = data.splitn(n, |b| *b == 0xff).collect();
    parts.resize(n, &[]);
    parts
}

/// Fuzz input as text: invalid UTF-8 sequences become U+FFFD, so the
/// parsers still see the rest.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `template`'s `{...}` parameters filled in: with `fallback` when `param`
/// is empty, else with `param` as sent when it is a valid URI path
/// segment, else percent-encoded.
pub fn fill_path(template: &str, param: &[u8], fallback: &str) -> String {
    let value = match param {
        [] => fallback.to_owned(),
        raw => match std::str::from_utf8(raw) {
            Ok(text) if text.parse::<axum::http::Uri>().is_ok() => text.to_owned(),
            _ => percent_encode(raw),
        },
    };
    let mut path = String::new();
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        path.push_str(before);
        path.push_str(&value);
        rest = after.split_once('}').map_or("", |(_, tail)| tail);
    }
    path.push_str(rest);
    path
}

/// `query` as sent when it makes a valid URI after `path`, else
/// percent-encoded (keeping `=` and `&`, so it still has parameters).
pub fn with_query(path: &str, query: &[u8]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let raw = format!("{path}?{}", String::from_utf8_lossy(query));
    if std::str::from_utf8(query).is_ok() && raw.parse::<axum::http::Uri>().is_ok() {
        return raw;
    }
    let encoded: Vec<String> = query
        .split(|b| *b == b'&')
        .map(|pair| {
            pair.split(|b| *b == b'=')
                .map(percent_encode)
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    format!("{path}?{}", encoded.join("&"))
}

fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
