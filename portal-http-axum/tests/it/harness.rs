//! `TestApp`: a tenant with accounts and contacts on a fresh in-memory
//! store, the router mounted at `/portal`, and helpers to send requests
//! with cookies and CSRF tokens the way a browser would.

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

use portal_core::Portal;
use portal_core::access::Role;
use portal_core::accounts::{AccountUpsert, Address};
use portal_core::billing::{Invoice, InvoiceLine, InvoiceUpsert};
use portal_core::identity::ContactUpsert;
use portal_core::outbox::{DeliveryError, Email, EmailKind, Mailer, NoEvents};
use portal_core::shared::{
    AccountId, ContactId, Currency, EmailAddress, ExternalId, FixedClock, PhoneNumber, PostalCode,
    TenantId,
};
use portal_core::tenancy::{PortalSettings, Tenant};
use portal_http_axum::{HttpConfig, router};
use portal_runtime::{Argon2Hasher, SandboxGateway};
use rust_decimal::Decimal;

pub const PASSWORD: &str = "correct horse battery";

/// Mails the outbox worker delivered.
#[derive(Clone, Default)]
pub struct Mailbox(Arc<Mutex<Vec<Email>>>);

#[async_trait]
impl Mailer for Mailbox {
    async fn send(&self, mail: &Email) -> Result<(), DeliveryError> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

impl Mailbox {
    pub fn all(&self) -> Vec<Email> {
        self.0.lock().unwrap().clone()
    }

    pub fn to(&self, address: &str) -> Vec<Email> {
        self.all()
            .into_iter()
            .filter(|mail| mail.to.as_str() == address)
            .collect()
    }
}

/// The link of a set-password, reset or invitation mail.
pub fn link_of(mail: &Email) -> String {
    match &mail.kind {
        EmailKind::SetPassword { link, .. }
        | EmailKind::ResetPassword { link, .. }
        | EmailKind::Invitation { link, .. }
        | EmailKind::ConfirmEmail { link, .. } => link.clone(),
        other => panic!("not a link mail: {other:?}"),
    }
}

/// The token of a link's path.
pub fn token_in(path: &str) -> String {
    path.split("token=").nth(1).unwrap().to_owned()
}

/// The path-and-query of a mailed link, to send through the router.
pub fn path_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

pub struct Seeded {
    pub tenant: Tenant,
    /// Ada: primary on account A and member of account C ("related property").
    pub ada: ContactId,
    /// Bob: primary on account B (portal on, no password yet).
    #[allow(dead_code)]
    pub bob: ContactId,
    pub account_a: AccountId,
    pub account_b: AccountId,
    pub account_c: AccountId,
    /// An account with the portal switched off, and its contact Dan.
    pub account_off: AccountId,
}

pub struct TestApp {
    pub portal: Portal,
    /// The store itself, to seed tables that have no host API yet.
    pub store: portal_store_sqlx::SqliteStore,
    pub app: Router,
    pub clock: Arc<FixedClock>,
    pub mailbox: Mailbox,
    pub seeded: Seeded,
    /// The sandbox gateway payments go through.
    pub gateway: Arc<SandboxGateway>,
    /// The folder uploaded files are kept in (removed with the app).
    pub blobs: Arc<tempfile::TempDir>,
}

pub fn account(
    external: &str,
    number: &str,
    name: &str,
    email: &str,
    phone: &str,
    postal: &str,
    enabled: bool,
) -> AccountUpsert {
    AccountUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        number: number.into(),
        name: name.into(),
        address: Address {
            line1: "1 Main St".into(),
            city: "Springfield".into(),
            postal_code: postal.into(),
            ..Address::default()
        },
        phone: Some(PhoneNumber::parse(phone).unwrap()),
        email: Some(EmailAddress::parse(email).unwrap()),
        postal_code: Some(PostalCode::parse(postal).unwrap()),
        custom_fields: BTreeMap::from([("Gate code".to_owned(), "4321".to_owned())]),
        portal_enabled: enabled,
        has_history: true,
    }
}

pub fn contact(external: &str, name: &str, email: &str, phone: Option<&str>) -> ContactUpsert {
    ContactUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        name: name.into(),
        email: Some(EmailAddress::parse(email).unwrap()),
        phone: phone.map(|p| PhoneNumber::parse(p).unwrap()),
        other_phones: None,
        enabled: true,
    }
}

/// The sandbox gateway every test app pays through; its webhooks are
/// signed with this secret.
pub const WEBHOOK_SECRET: &str = "whsec_test";

pub async fn new_portal(
    clock: Arc<FixedClock>,
    blobs: &std::path::Path,
) -> (Portal, portal_store_sqlx::SqliteStore, Arc<SandboxGateway>) {
    let store = portal_store_sqlx::SqliteStore::in_memory().await.unwrap();
    let gateway = Arc::new(SandboxGateway::new(WEBHOOK_SECRET));
    let portal = Portal::builder(
        Arc::new(store.clone()),
        Arc::new(Argon2Hasher::insecure_for_tests()),
    )
    .clock(clock)
    .gateway(gateway.clone())
    .blobs(Arc::new(
        portal_blobs::FsBlobStore::open(blobs).await.unwrap(),
    ))
    .build();
    (portal, store, gateway)
}

/// Seeds one tenant ("acme") with accounts A, B, C and one with the portal off.
pub async fn seed(portal: &Portal, slug: &str, settings: PortalSettings) -> Seeded {
    let host = portal.host();
    let tenant = host
        .create_tenant(
            slug,
            &format!("https://{slug}.portal.test/portal/"),
            settings,
        )
        .await
        .unwrap();
    let t = tenant.id;
    let a = host
        .upsert_account(
            t,
            &account(
                "A-1",
                "1001",
                "Ada's Bakery",
                "ada@example.com",
                "555-0100-01",
                "12345",
                true,
            ),
        )
        .await
        .unwrap();
    let b = host
        .upsert_account(
            t,
            &account(
                "B-1",
                "1002",
                "Bob's Garage",
                "bob@example.com",
                "555-0100-02",
                "23456",
                true,
            ),
        )
        .await
        .unwrap();
    let c = host
        .upsert_account(
            t,
            &account(
                "C-1",
                "1003",
                "Ada's Lake House",
                "ada@example.com",
                "555-0100-03",
                "34567",
                true,
            ),
        )
        .await
        .unwrap();
    let off = host
        .upsert_account(
            t,
            &account(
                "D-1",
                "1004",
                "Dan's Diner",
                "dan@example.com",
                "555-0100-04",
                "45678",
                false,
            ),
        )
        .await
        .unwrap();
    let ada = host
        .upsert_contact(
            t,
            &contact(
                "ada",
                "Ada Lovelace",
                "ada@example.com",
                Some("555 0100 01"),
            ),
        )
        .await
        .unwrap();
    let bob = host
        .upsert_contact(
            t,
            &contact("bob", "Bob Builder", "bob@example.com", Some("555 0100 02")),
        )
        .await
        .unwrap();
    let dan = host
        .upsert_contact(t, &contact("dan", "Dan Diner", "dan@example.com", None))
        .await
        .unwrap();
    host.grant_membership(t, ada.id, a.id, Role::Primary)
        .await
        .unwrap();
    host.grant_membership(t, ada.id, c.id, Role::Member)
        .await
        .unwrap();
    host.grant_membership(t, bob.id, b.id, Role::Primary)
        .await
        .unwrap();
    host.grant_membership(t, dan.id, off.id, Role::Primary)
        .await
        .unwrap();
    Seeded {
        tenant,
        ada: ada.id,
        bob: bob.id,
        account_a: a.id,
        account_b: b.id,
        account_c: c.id,
        account_off: off.id,
    }
}

pub fn demo_settings() -> PortalSettings {
    let mut settings = PortalSettings {
        display_name: "Acme Pest Control".into(),
        ..PortalSettings::default()
    };
    settings.contact.email = Some(EmailAddress::parse("help@acme.test").unwrap());
    settings.contact.phone = Some("+1 555 0100".into());
    settings.visible_custom_fields = vec!["Gate code".into()];
    settings
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_settings(demo_settings()).await
    }

    pub async fn with_settings(settings: PortalSettings) -> Self {
        Self::build(settings, |config| config).await
    }

    pub async fn build(
        settings: PortalSettings,
        configure: impl FnOnce(HttpConfig) -> HttpConfig,
    ) -> Self {
        let clock = Arc::new(FixedClock::at("2026-11-23T09:00:00Z".parse().unwrap()));
        let blobs = Arc::new(tempfile::tempdir().unwrap());
        let (portal, store, gateway) = new_portal(clock.clone(), blobs.path()).await;
        let seeded = seed(&portal, "acme", settings).await;
        let config = configure(HttpConfig {
            auth_rate_limit: None,
            ..HttpConfig::single_tenant("acme")
        });
        let app = Router::new().nest("/portal", router(portal.clone(), config));
        Self {
            portal,
            store,
            app,
            clock,
            mailbox: Mailbox::default(),
            seeded,
            gateway,
            blobs,
        }
    }

    /// Gives `account` an invoice through the host API: one line of
    /// `cents` (no tax), issued 30 days before `due_on`. `number` is also
    /// its external id.
    pub async fn invoice(
        &self,
        account: AccountId,
        number: &str,
        cents: i64,
        due_on: chrono::NaiveDate,
    ) -> Invoice {
        self.portal
            .host()
            .upsert_invoice(
                self.tenant_id(),
                &InvoiceUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account,
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
            .unwrap()
    }

    /// Gives `account` a quote through the host API: a required line of
    /// 400.00 and an optional one of 50.00 (no tax), issued on 2026-11-01,
    /// valid until `valid_until`. `number` is also its external id.
    pub async fn quote(
        &self,
        account: AccountId,
        number: &str,
        valid_until: chrono::NaiveDate,
    ) -> portal_core::quotes::Quote {
        let line = |description: &str, cents, optional| portal_core::quotes::QuoteLine {
            line: InvoiceLine {
                description: description.into(),
                quantity: Decimal::ONE,
                unit_price: Currency::USD.from_minor(cents),
                tax_rate: Decimal::ZERO,
            },
            optional,
        };
        self.portal
            .host()
            .upsert_quote(
                self.tenant_id(),
                &portal_core::quotes::QuoteUpsert {
                    external_id: ExternalId::parse(number).unwrap(),
                    account,
                    number: number.into(),
                    title: format!("Lawn renovation {number}"),
                    scope_of_work: "Aerate and overseed the front lawn.".into(),
                    terms: "Half on approval, half on completion.".into(),
                    issued_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    valid_until,
                    currency: Currency::USD,
                    lines: vec![
                        line("Aeration and overseeding", 40_000, false),
                        line("Starter fertiliser", 5_000, true),
                    ],
                },
            )
            .await
            .unwrap()
    }

    /// Outbox rows whose message mentions `text` (an event's name).
    pub async fn outbox_rows(&self, text: &str) -> i64 {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE payload LIKE $1")
            .bind(format!("%{text}%"))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    /// The payloads of the outbox rows whose payload contains `text`.
    pub async fn outbox_payloads(&self, text: &str) -> Vec<String> {
        sqlx::query_scalar::<_, String>("SELECT payload FROM outbox WHERE payload LIKE $1")
            .bind(format!("%{text}%"))
            .fetch_all(self.store.pool())
            .await
            .unwrap()
    }

    pub fn tenant_id(&self) -> TenantId {
        self.seeded.tenant.id
    }

    /// Delivers the outbox into the mailbox, as the worker would.
    pub async fn deliver_mail(&self) {
        let worker = self
            .portal
            .outbox_worker(Arc::new(self.mailbox.clone()), Arc::new(NoEvents));
        while worker.run_once(50).await.unwrap() > 0 {}
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A browser at the client address `ip`.
    pub fn browser_at(&self, ip: &str) -> Browser<'_> {
        Browser {
            from: Some(SocketAddr::new(ip.parse().unwrap(), 50_000)),
            ..self.browser()
        }
    }

    /// A browser: keeps cookies between requests.
    pub fn browser(&self) -> Browser<'_> {
        Browser {
            app: self,
            cookies: HashMap::new(),
            from: None,
            languages: None,
        }
    }

    /// Sets Ada's password directly through the host-free path a customer
    /// uses: registration by e-mail and the mailed link.
    pub async fn register(&self, email: &str) {
        let mut browser = self.browser();
        browser.get("/portal/register").await;
        let reply = browser.submit_registration(email).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        self.deliver_mail().await;
        let mail = self.mailbox.to(email).pop().expect("a set-password mail");
        let path = path_of(&link_of(&mail));
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let token = token_in(&path);
        let done = browser
            .submit_new_password(&token, PASSWORD, PASSWORD)
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    }

    /// A browser logged in as `login`.
    pub async fn logged_in(&self, login: &str) -> Browser<'_> {
        let mut browser = self.browser();
        browser.get("/portal/login").await;
        let reply = browser.submit_login(login, PASSWORD).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "log-in failed: {}",
            reply.body
        );
        browser
    }

    /// A bearer token for `login` from the API.
    pub async fn api_token(&self, login: &str) -> String {
        let reply = self
            .send(json_request(
                "POST",
                "/portal/api/v1/sessions",
                None,
                &serde_json::json!({"login": login, "password": PASSWORD}),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()["token"].as_str().unwrap().to_owned()
    }
}

pub fn json_request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

/// A request from the client address `ip`.
pub fn from_address(mut request: Request<Body>, ip: &str) -> Request<Body> {
    let from = SocketAddr::new(ip.parse().unwrap(), 50_000);
    request.extensions_mut().insert(ConnectInfo(from));
    request
}

pub fn get_request(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::empty()).unwrap()
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().unwrap().to_owned())
            .collect()
    }
}

/// Keeps cookies like a browser and fills in the CSRF field on forms.
pub struct Browser<'a> {
    app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    /// The client address its requests come from (none: the router
    /// falls back to 0.0.0.0 for all).
    pub from: Option<SocketAddr>,
    /// The `Accept-Language` it sends, if any.
    pub languages: Option<&'static str>,
}

impl Browser<'_> {
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, reply: &Reply) {
        for cookie in reply.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn speak(&self, request: &mut Request<Body>) {
        if let Some(languages) = self.languages {
            request.headers_mut().insert(
                header::ACCEPT_LANGUAGE,
                header::HeaderValue::from_static(languages),
            );
        }
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .get("__Host-portal_csrf")
            .cloned()
            .unwrap_or_default()
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        let mut request = Request::builder()
            .uri(uri)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.speak(&mut request);
        if let Some(from) = self.from {
            request.extensions_mut().insert(ConnectInfo(from));
        }
        let reply = self.app.send(request).await;
        self.remember(&reply);
        reply
    }

    /// Posts a form with the CSRF token added, as the page's form would.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &csrf));
        self.post_raw(uri, &all).await
    }

    /// Posts the log-in form.
    pub async fn submit_login(&mut self, login: &str, password: &str) -> Reply {
        self.post_form("/portal/login", &[("login", login), ("password", password)])
            .await
    }

    /// Posts the register-by-email form.
    pub async fn submit_registration(&mut self, email: &str) -> Reply {
        self.post_form("/portal/register", &[("email", email)])
            .await
    }

    /// Posts the set-password form of a mailed link.
    pub async fn submit_new_password(
        &mut self,
        token: &str,
        password: &str,
        confirm: &str,
    ) -> Reply {
        self.post_form(
            "/portal/set-password",
            &[
                ("token", token),
                ("password", password),
                ("password_confirm", confirm),
            ],
        )
        .await
    }

    /// Posts the known-facts registration form with [`PASSWORD`].
    pub async fn submit_facts(&mut self, phone: &str, email: &str, postal_code: &str) -> Reply {
        self.post_form(
            "/portal/register/details",
            &[
                ("phone", phone),
                ("email", email),
                ("postal_code", postal_code),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
    }

    /// Posts a `multipart/form-data` form: the CSRF token first, then
    /// `fields`, then `files` (each a `file` part: name and content).
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &[u8])],
    ) -> Reply {
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &csrf)];
        all.extend_from_slice(fields);
        let (content_type, body) = multipart(&all, files);
        let mut request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        self.speak(&mut request);
        let reply = self.app.send(request).await;
        self.remember(&reply);
        reply
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut request = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::from(body))
            .unwrap();
        self.speak(&mut request);
        if let Some(from) = self.from {
            request.extensions_mut().insert(ConnectInfo(from));
        }
        let reply = self.app.send(request).await;
        self.remember(&reply);
        reply
    }
}

/// A `multipart/form-data` POST with a bearer token.
pub fn post_parts(
    uri: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Request<Body> {
    let (content_type, body) = multipart(fields, files);
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap()
}

/// A `multipart/form-data` body of text `fields` then `files` (parts named
/// `file`, with the given file names), and its content type.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "portal-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, content) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// How many files the app's blob folder holds (every tenant's).
pub fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| {
                        let path = entry.path();
                        if path.is_dir() { count(&path) } else { 1 }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    count(app.blobs.path())
}

/// Strips the per-response CSRF token so two pages can be compared.
pub fn without_csrf(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    for line in html.lines() {
        if line.contains("name=\"csrf_token\"") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The message a re-rendered form shows at input `key`, checked the way
/// `templates/form.html` draws it: the input (its tag, with `id="key"`)
/// is `aria-invalid` and described by `key-error`, and that message
/// stands right after it, before any other control of the form.
pub fn error_at(body: &str, key: &str) -> String {
    let tag = control(body, key);
    assert!(
        tag.contains("aria-invalid=\"true\""),
        "{key} not marked: {tag}"
    );
    assert!(
        tag.contains(&format!("aria-describedby=\"{key}-error")),
        "{key} not described by its message: {tag}"
    );
    message_after(body, key, key)
}

/// The message about a group of inputs (`group-error`), checked to
/// describe each of `inputs` and to stand after the last of them.
pub fn group_error_at(body: &str, group: &str, inputs: &[&str]) -> String {
    for input in inputs {
        let tag = control(body, input);
        assert!(tag.contains("aria-invalid=\"true\""), "{input}: {tag}");
        assert!(
            tag.contains(&format!("aria-describedby=\"{group}-error\"")),
            "{input}: {tag}"
        );
    }
    message_after(body, inputs.last().unwrap(), group)
}

/// How many inputs a page marks invalid.
pub fn invalid_inputs(body: &str) -> usize {
    body.matches("aria-invalid=\"true\"").count()
}

/// The opening tag of the control with id `key`.
fn control<'a>(body: &'a str, key: &str) -> &'a str {
    let id = body
        .find(&format!(" id=\"{key}\""))
        .unwrap_or_else(|| panic!("no control {key} in {body}"));
    let open = body[..id].rfind('<').unwrap();
    let close = id + body[id..].find('>').unwrap() + 1;
    &body[open..close]
}

/// The text of message `message`-error, asserted to follow control `key`
/// with no other control (input, select, button) in between.
fn message_after(body: &str, key: &str, message: &str) -> String {
    let id = body.find(&format!(" id=\"{key}\"")).unwrap();
    let rest = &body[id + body[id..].find('>').unwrap()..];
    let marker = format!("<p class=\"field-error\" id=\"{message}-error\">");
    let at = rest
        .find(&marker)
        .unwrap_or_else(|| panic!("no message {message}-error after {key}: {body}"));
    let next_control = ["<input", "<select", "<button"]
        .iter()
        .filter_map(|tag| rest.find(tag))
        .min()
        .unwrap_or(usize::MAX);
    assert!(
        at < next_control,
        "{message}-error is not next to {key}: {rest}"
    );
    let text = &rest[at + marker.len()..];
    text[..text.find("</p>").unwrap()].to_owned()
}
