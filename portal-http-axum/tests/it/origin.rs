//! CSRF's second line: a state-changing page request whose `Origin` (or,
//! without one, `Referer`) names another site is refused whatever its
//! token. The form routes come from the router's own table
//! (`portal_http_axum::page_routes`), so a form added later is covered
//! without touching this file.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::harness::*;

/// The host the test requests are made to; the tenant's base URL is
/// `https://acme.portal.test/portal/`.
const OWN_HOST: &str = "acme.portal.test";
const OWN_ORIGIN: &str = "https://acme.portal.test";

/// What the CSRF refusal page says (security.rs, `FormRejection`).
const REFUSAL: &str = "did not come from this site";

/// Every form route of the portal, with its path parameters filled in and
/// under the `/portal` mount point.
fn form_routes() -> Vec<String> {
    let table = portal_http_axum::page_routes();
    // The table is the router's: known forms are in it.
    for known in ["/login", "/logout", "/billing/methods/{id}/remove"] {
        assert!(
            table.contains(&(Method::POST, known)),
            "{known} missing from {table:?}"
        );
    }
    table
        .into_iter()
        .filter(|(method, _)| method == Method::POST)
        .map(|(_, path)| format!("/portal{}", fill_parameters(path)))
        .collect()
}

/// `/billing/methods/{id}/remove` with an id in place of `{id}`.
fn fill_parameters(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A form post with `browser`'s cookies (its session and CSRF cookie),
/// `fields` and the matching CSRF token, plus `headers`.
async fn send_form(
    app: &TestApp,
    browser: &Browser<'_>,
    method: &str,
    uri: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Reply {
    let cookies = browser
        .cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = browser
        .cookies
        .get("__Host-portal_csrf")
        .or_else(|| browser.cookies.get("portal_csrf"))
        .cloned()
        .unwrap_or_default();
    let mut all = fields.to_vec();
    all.push(("csrf_token", &csrf));
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = serde_urlencoded::to_string(&all).unwrap();
    app.send(request.body(Body::from(body)).unwrap()).await
}

/// An empty form (but for its token) to `uri`.
async fn post(
    app: &TestApp,
    browser: &Browser<'_>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> Reply {
    send_form(app, browser, method, uri, &[], headers).await
}

/// Ada's log-in form with `headers`.
async fn browser_login(app: &TestApp, browser: &Browser<'_>, headers: &[(&str, &str)]) -> Reply {
    let fields = [("login", "ada@example.com"), ("password", PASSWORD)];
    send_form(app, browser, "POST", "/portal/login", &fields, headers).await
}

fn is_refused(reply: &Reply) -> bool {
    reply.status == StatusCode::FORBIDDEN && reply.body.contains(REFUSAL)
}

#[tokio::test]
async fn every_form_route_refuses_another_sites_origin_or_referer_whatever_the_token() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let browser = app.logged_in("ada@example.com").await;
    assert!(!browser.csrf().is_empty());
    let routes = form_routes();
    assert!(routes.len() >= 10, "{routes:?}");
    for uri in &routes {
        for headers in [
            vec![("host", OWN_HOST), ("origin", "https://evil.example")],
            vec![("host", OWN_HOST), ("referer", "https://evil.example/x")],
            // Sandboxed frames and some redirects send `null`.
            vec![("host", OWN_HOST), ("origin", "null")],
            // A sibling on the same registrable domain is another origin.
            vec![("host", OWN_HOST), ("origin", "https://evil.portal.test")],
        ] {
            let reply = post(&app, &browser, "POST", uri, &headers).await;
            assert!(
                is_refused(&reply),
                "{uri} {headers:?}: {} {}",
                reply.status,
                reply.body
            );
        }
    }
    // The refused posts changed nothing: still logged in.
    let mut browser = browser;
    assert_eq!(
        browser.get("/portal/dashboard").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_form_route_lets_a_same_origin_post_through_to_its_handler() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    for uri in form_routes() {
        for headers in [
            vec![("host", OWN_HOST), ("origin", OWN_ORIGIN)],
            vec![
                ("host", OWN_HOST),
                ("referer", "https://acme.portal.test/portal/login"),
            ],
            // What browsers send on forms today, next to Origin.
            vec![
                ("host", OWN_HOST),
                ("origin", OWN_ORIGIN),
                ("sec-fetch-site", "same-origin"),
            ],
        ] {
            // Logged in afresh each time: one of the forms logs out.
            let browser = app.logged_in("ada@example.com").await;
            let reply = post(&app, &browser, "POST", &uri, &headers).await;
            // The handler may still refuse the (empty) form, but not as
            // a forgery, and the route exists.
            assert!(
                !is_refused(&reply),
                "{uri} {headers:?}: {} {}",
                reply.status,
                reply.body
            );
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
            assert!(
                !reply.body.contains("There is no page at this address"),
                "{uri}"
            );
        }
    }
}

#[tokio::test]
async fn other_state_changing_methods_on_pages_are_refused_from_another_origin() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    for method in ["PUT", "PATCH", "DELETE"] {
        let reply = post(
            &app,
            &browser,
            method,
            "/portal/account",
            &[("host", OWN_HOST), ("origin", "https://evil.example")],
        )
        .await;
        assert!(is_refused(&reply), "{method}: {}", reply.status);
    }
    // Reading is never refused for its origin (links from other sites).
    let reply = app
        .send(
            Request::get("/portal/login")
                .header("host", OWN_HOST)
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn a_log_in_from_the_tenants_base_url_is_ours_whatever_the_host_header() {
    // Behind a proxy that rewrites Host, the tenant's base URL still names
    // the portal's origin.
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let reply = browser_login(
        &app,
        &browser,
        &[("host", "10.0.0.7:8080"), ("origin", OWN_ORIGIN)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // ... and that host's own origin too.
    let reply = browser_login(
        &app,
        &browser,
        &[
            ("host", "portal.other.test"),
            ("origin", "https://portal.other.test"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_host_is_ours_and_only_then() {
    // nginx's default: Host is the upstream's, X-Forwarded-Host the public
    // one. Only a portal told it sits behind one proxy believes it.
    let forwarded = [
        ("host", "127.0.0.1:3000"),
        ("x-forwarded-host", "forged.example, portal.public.test"),
        ("origin", "https://portal.public.test"),
    ];
    let trusting = TestApp::build(demo_settings(), |config| portal_http_axum::HttpConfig {
        trust_forwarded_for: true,
        ..config
    })
    .await;
    trusting.register("ada@example.com").await;
    let mut browser = trusting.browser();
    browser.get("/portal/login").await;
    let reply = browser_login(&trusting, &browser, &forwarded).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // The client's own entry is not the proxy's.
    let reply = browser_login(
        &trusting,
        &browser,
        &[
            ("host", "127.0.0.1:3000"),
            ("x-forwarded-host", "forged.example, portal.public.test"),
            ("origin", "https://forged.example"),
        ],
    )
    .await;
    assert!(is_refused(&reply), "{}", reply.status);

    let untrusting = TestApp::new().await;
    let mut browser = untrusting.browser();
    browser.get("/portal/login").await;
    let reply = browser_login(&untrusting, &browser, &forwarded).await;
    assert!(is_refused(&reply), "{}", reply.status);
}

#[tokio::test]
async fn plain_http_is_ours_on_loopback_only_when_cookies_are_secure() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    // The demo and the browser tests: http://127.0.0.1 with secure cookies.
    let reply = browser_login(
        &app,
        &browser,
        &[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // Elsewhere plain http is someone between the customer and the portal.
    let reply = browser_login(
        &app,
        &browser,
        &[
            ("host", "portal.other.test"),
            ("origin", "http://portal.other.test"),
        ],
    )
    .await;
    assert!(is_refused(&reply), "{}", reply.status);
}

#[tokio::test]
async fn plain_cookies_accept_either_scheme_of_the_request_host() {
    // Without `Secure` cookies the portal cannot tell which scheme it is
    // served on.
    let app = TestApp::build(demo_settings(), |config| portal_http_axum::HttpConfig {
        secure_cookies: false,
        ..config
    })
    .await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    assert!(browser.cookies.contains_key("portal_csrf"));
    let host = ("host", "portal.other.test");
    for origin in ["http://portal.other.test", "https://portal.other.test"] {
        // Nobody registered: the log-in fails, but not as a forgery.
        let reply = browser_login(&app, &browser, &[host, ("origin", origin)]).await;
        assert!(!is_refused(&reply), "{origin}: {}", reply.status);
    }
    let reply = browser_login(&app, &browser, &[host, ("origin", "http://evil.example")]).await;
    assert!(is_refused(&reply), "{}", reply.status);
}

#[tokio::test]
async fn the_api_answers_any_origin_since_it_takes_bearer_tokens_only() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut request = json_request(
        "POST",
        "/portal/api/v1/sessions",
        None,
        &serde_json::json!({"login": "ada@example.com", "password": PASSWORD}),
    );
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

/// Every page address answers a `GET`: a form's address with no page of
/// its own (reloaded after a refused form) goes to the form's page, never
/// to a bare 405.
#[tokio::test]
async fn every_page_address_answers_a_get_and_form_only_ones_lead_to_their_page() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let table = portal_http_axum::page_routes();
    let mut form_only = 0;
    for (_, path) in table.iter().filter(|(method, _)| method == Method::POST) {
        let uri = format!("/portal{}", fill_parameters(path));
        let reply = browser.get(&uri).await;
        assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
        if reply.status == StatusCode::SEE_OTHER && !reply.location().contains("/login?") {
            form_only += 1;
            let page = reply.location().to_owned();
            assert!(page.starts_with("/portal/"), "{uri} -> {page}");
            assert_ne!(page, uri);
        }
    }
    assert!(
        form_only >= 6,
        "the form-only addresses redirect: {form_only}"
    );
    let reloaded = browser.get("/portal/account/password").await;
    assert_eq!(reloaded.status, StatusCode::SEE_OTHER);
    assert_eq!(reloaded.location(), "/portal/account");
    let page = browser.get(reloaded.location()).await;
    assert_eq!(page.status, StatusCode::OK);
}
