//! Defences added after the security review and the customer walk-through:
//! each test names the attack or annoyance it rules out.

use axum::http::{StatusCode, header};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn a_deep_link_returns_there_after_log_in() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    let bounce = browser.get("/portal/account").await;
    assert_eq!(bounce.status, StatusCode::SEE_OTHER);
    assert_eq!(bounce.location(), "/portal/login?next=%2Fportal%2Faccount");
    let page = browser.get(bounce.location()).await;
    assert!(
        page.body
            .contains("name=\"next\" value=\"/portal/account\"")
    );
    let login = browser
        .post_form(
            "/portal/login",
            &[
                ("login", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "/portal/account"),
            ],
        )
        .await;
    assert_eq!(login.location(), "/portal/account");
}

#[tokio::test]
async fn log_in_never_redirects_to_another_site() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    for evil in [
        "https://evil.example/",
        "//evil.example/portal/",
        "/portal//evil.example",
        "/elsewhere",
    ] {
        let mut browser = app.browser();
        browser.get("/portal/login").await;
        let login = browser
            .post_form(
                "/portal/login",
                &[
                    ("login", "ada@example.com"),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(login.location(), "/portal/dashboard", "{evil}");
    }
}

#[tokio::test]
async fn the_login_page_sends_a_logged_in_customer_to_the_dashboard() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let reply = browser.get("/portal/login").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/dashboard");
}

#[tokio::test]
async fn log_in_renews_the_csrf_token() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let planted = browser.csrf();
    browser.submit_login("ada@example.com", PASSWORD).await;
    assert_ne!(browser.csrf(), planted);
    let old = browser
        .post_raw("/portal/logout", &[("csrf_token", &planted)])
        .await;
    assert_eq!(
        old.status,
        StatusCode::FORBIDDEN,
        "the pre-log-in token no longer works"
    );
}

#[tokio::test]
async fn unknown_pages_get_a_404_page_and_unknown_api_paths_a_problem() {
    let app = TestApp::new().await;
    let page = app.browser().get("/portal/nope").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("There is no page at this address."));
    let mut spanish = crate::harness::demo_settings();
    spanish.language = portal_core::shared::Language::Spanish;
    let app_es = TestApp::with_settings(spanish).await;
    let page = app_es.browser().get("/portal/nope").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body
            .contains("No hay ninguna página en esta dirección."),
        "the unknown address page speaks the tenant's language"
    );
    let api = app.send(get_request("/portal/api/v1/nope", None)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

#[tokio::test]
async fn api_responses_are_never_cached() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let me = app
        .send(get_request("/portal/api/v1/me", Some(&token)))
        .await;
    assert_eq!(me.headers[header::CACHE_CONTROL], "no-store");
    let login = app
        .send(json_request(
            "POST",
            "/portal/api/v1/sessions",
            None,
            &json!({"login": "ada@example.com", "password": PASSWORD}),
        ))
        .await;
    assert_eq!(login.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_escape_the_rate_limit() {
    let app = TestApp::build(demo_settings(), |config| portal_http_axum::HttpConfig {
        auth_rate_limit: Some(portal_http_axum::RateLimit {
            per_minute: 2,
            burst: 2,
        }),
        trust_forwarded_for: true,
        ..config
    })
    .await;
    let mut statuses = Vec::new();
    for spoof in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        let mut request = json_request(
            "POST",
            "/portal/api/v1/sessions",
            None,
            &json!({"login": "ada@example.com", "password": "wrong password"}),
        );
        // The client writes the first entry; our proxy appends the last.
        request.headers_mut().insert(
            "x-forwarded-for",
            format!("{spoof}, 203.0.113.9").parse().unwrap(),
        );
        statuses.push(app.send(request).await.status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
}

#[tokio::test]
async fn guessing_the_postal_code_locks_known_facts_registration() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register/details").await;
    for guess in ["10001", "10002", "10003", "10004", "10005"] {
        let reply = browser
            .submit_facts("555-0100-02", "bob@example.com", guess)
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right = browser
        .submit_facts("555-0100-02", "bob@example.com", "23456")
        .await;
    assert_eq!(
        right.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "locked after five wrong guesses"
    );
    app.clock.advance(chrono::Duration::minutes(16));
    let later = browser
        .submit_facts("555-0100-02", "bob@example.com", "23456")
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "the lock ends");
}

#[tokio::test]
async fn guessing_the_current_password_from_a_session_counts_towards_the_lock() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    for _ in 0..5 {
        let reply = browser
            .post_form(
                "/portal/account/password",
                &[
                    ("current_password", "a wrong guess"),
                    ("new_password", "brand new secret"),
                    ("new_password_confirm", "brand new secret"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // They count against the browser that made them (its device cookie):
    // logging in again from it is refused.
    browser.post_form("/portal/logout", &[]).await;
    browser.get("/portal/login").await;
    let login = browser.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::UNAUTHORIZED,
        "the guesses locked the log-in"
    );

    // A stolen bearer token has no device token: its guesses lock its
    // address.
    let token = app
        .send(from_address(
            json_request(
                "POST",
                "/portal/api/v1/sessions",
                None,
                &json!({"login": "ada@example.com", "password": PASSWORD}),
            ),
            "198.51.100.1",
        ))
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        let body = json!({"current_password": "a wrong guess", "new_password": "brand new secret"});
        let request = json_request("POST", "/portal/api/v1/me/password", Some(&token), &body);
        let reply = app.send(from_address(request, "203.0.113.66")).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let mut thief = app.browser_at("203.0.113.66");
    thief.get("/portal/login").await;
    let login = thief.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_old_link_dies_when_the_password_is_set_another_way() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    let link = path_of(&link_of(&app.mailbox.to("bob@example.com")[0]));
    let registered = browser
        .submit_facts("555-0100-02", "bob@example.com", "23456")
        .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get(&link).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn empty_fields_say_what_to_enter() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register/details").await;
    let reply = browser
        .post_form(
            "/portal/register/details",
            &[
                ("phone", ""),
                ("email", ""),
                ("postal_code", ""),
                ("password", ""),
                ("password_confirm", ""),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("Phone number is required."),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn switching_account_stays_on_the_same_page() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let page = browser.get("/portal/account").await;
    assert!(
        page.body
            .contains("name=\"return_to\" value=\"/portal/account\"")
    );
    let reply = browser
        .post_form(
            "/portal/switch-account",
            &[
                ("account_id", &app.seeded.account_c.to_string()),
                ("return_to", "/portal/account"),
            ],
        )
        .await;
    assert_eq!(reply.location(), "/portal/account");
}
