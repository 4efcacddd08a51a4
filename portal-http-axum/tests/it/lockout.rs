//! Lockout that cannot be used to shut a contact out, and link mails that
//! cannot be used to bomb an inbox. Each test names the attack it rules
//! out.

use axum::http::StatusCode;
use serde_json::json;
use std::time::Instant;

use crate::harness::*;

const ADA: &str = "ada@example.com";
const ADAS_HOME: &str = "198.51.100.10";
const DEVICE_COOKIE: &str = "__Host-portal_device";

/// Ada logs in from home once (her browser gets its device cookie), then
/// logs out; the browser keeps the cookie.
async fn adas_recognised_browser(app: &TestApp) -> Browser<'_> {
    let mut browser = app.browser_at(ADAS_HOME);
    browser.get("/portal/login").await;
    let login = browser.submit_login(ADA, PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let cookie = login
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(DEVICE_COOKIE))
        .expect("a device cookie at log-in");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=31536000",
    ] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    browser.post_form("/portal/logout", &[]).await;
    assert!(browser.cookies.contains_key(DEVICE_COOKIE));
    browser
}

/// Five wrong passwords for Ada from each of `addresses`.
async fn guess_from(app: &TestApp, addresses: &[&str]) {
    for address in addresses {
        let mut attacker = app.browser_at(address);
        attacker.get("/portal/login").await;
        for _ in 0..5 {
            let reply = attacker.submit_login(ADA, "a wrong guess").await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
    }
}

/// Log-in with the right password from a fresh browser at `address`.
async fn right_password_from(app: &TestApp, address: &str) -> StatusCode {
    let mut browser = app.browser_at(address);
    browser.get("/portal/login").await;
    browser.submit_login(ADA, PASSWORD).await.status
}

#[tokio::test]
async fn an_attackers_failures_do_not_lock_out_the_contacts_recognised_browser() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    let mut adas = adas_recognised_browser(&app).await;

    // Five failures from each of five addresses: each address locks, and
    // together (25 >= 20) every unrecognised client is locked out too.
    let attackers = [
        "203.0.113.1",
        "203.0.113.2",
        "203.0.113.3",
        "203.0.113.4",
        "203.0.113.5",
    ];
    guess_from(&app, &attackers).await;

    assert_eq!(
        right_password_from(&app, "203.0.113.1").await,
        StatusCode::UNAUTHORIZED,
        "the attacker's address itself is locked, even with the right password"
    );
    assert_eq!(
        right_password_from(&app, "192.0.2.77").await,
        StatusCode::UNAUTHORIZED,
        "an unrecognised browser is locked out while the botnet guesses"
    );
    adas.get("/portal/login").await;
    let login = adas.submit_login(ADA, PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::SEE_OTHER,
        "Ada's own browser gets in: {}",
        login.body
    );
    assert_eq!(login.location(), "/portal/dashboard");
}

#[tokio::test]
async fn failures_count_per_address_so_one_address_does_not_lock_another() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    guess_from(&app, &["203.0.113.9"]).await;
    assert_eq!(
        right_password_from(&app, "203.0.113.9").await,
        StatusCode::UNAUTHORIZED,
        "the guessing address is locked"
    );
    assert_eq!(
        right_password_from(&app, ADAS_HOME).await,
        StatusCode::SEE_OTHER,
        "a browser at another address, never seen before, is not"
    );
}

#[tokio::test]
async fn a_locked_out_answer_is_the_same_as_a_wrong_password_or_an_unknown_name() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    guess_from(&app, &["203.0.113.9"]).await;
    let mut browser = app.browser_at("203.0.113.9");
    browser.get("/portal/login").await;
    let started = Instant::now();
    let locked = browser.submit_login(ADA, PASSWORD).await;
    assert!(started.elapsed() >= portal_core::DEFAULT_RESPONSE_FLOOR);
    let unknown = browser.submit_login("zed@example.com", PASSWORD).await;
    assert_eq!(locked.status, unknown.status);
    assert_eq!(
        without_csrf(&locked.body).replace(ADA, "zed@example.com"),
        without_csrf(&unknown.body)
    );
}

#[tokio::test]
async fn a_forged_or_another_contacts_device_cookie_is_ignored() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    app.register("bob@example.com").await;
    // Bob's own browser, with Bob's genuine device cookie.
    let mut bobs = app.browser_at("203.0.113.20");
    bobs.get("/portal/login").await;
    let login = bobs.submit_login("bob@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let bobs_cookie = bobs.cookies[DEVICE_COOKIE].clone();
    // A cookie for Ada signed with another key, and plain junk.
    let forged = portal_core::identity::SecretKey::random()
        .device_token(
            app.tenant_id(),
            app.seeded.ada,
            app.clock_now(),
            "0123456789abcdef0123456789abcdef",
        )
        .expose()
        .to_owned();
    for (i, presented) in [bobs_cookie, forged, "v1.junk".to_owned()]
        .into_iter()
        .enumerate()
    {
        let address = format!("203.0.113.{}", 30 + i);
        let mut attacker = app.browser_at(&address);
        attacker.get("/portal/login").await;
        attacker
            .cookies
            .insert(DEVICE_COOKIE.to_owned(), presented.clone());
        for _ in 0..5 {
            attacker.submit_login(ADA, "a wrong guess").await;
        }
        // Had the cookie counted as a device, the address would be free.
        let mut same_address = app.browser_at(&address);
        same_address.get("/portal/login").await;
        let reply = same_address.submit_login(ADA, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{presented}");
    }
}

#[tokio::test]
async fn a_recognised_browsers_own_failures_lock_that_browser() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    let mut adas = adas_recognised_browser(&app).await;
    adas.get("/portal/login").await;
    for _ in 0..5 {
        adas.submit_login(ADA, "a wrong guess").await;
    }
    let refused = adas.submit_login(ADA, PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "the device is locked"
    );
    assert_eq!(
        right_password_from(&app, ADAS_HOME).await,
        StatusCode::SEE_OTHER,
        "its failures were the device's, not the address's"
    );
}

#[tokio::test]
async fn a_completed_reset_lifts_every_lock() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    let attackers = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"];
    guess_from(&app, &attackers).await;
    assert_eq!(
        right_password_from(&app, "203.0.113.1").await,
        StatusCode::UNAUTHORIZED
    );
    let mut browser = app.browser_at(ADAS_HOME);
    browser.get("/portal/forgot-password").await;
    browser
        .post_form("/portal/forgot-password", &[("email", ADA)])
        .await;
    app.deliver_mail().await;
    let mail = app.mailbox.to(ADA).pop().expect("a reset mail");
    let path = path_of(&link_of(&mail));
    browser.get(&path).await;
    let done = browser
        .submit_new_password(&token_in(&path), PASSWORD, PASSWORD)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(
        right_password_from(&app, "203.0.113.1").await,
        StatusCode::SEE_OTHER,
        "the reset lifted the address's lock"
    );
    assert_eq!(
        right_password_from(&app, "192.0.2.77").await,
        StatusCode::SEE_OTHER,
        "and the one on unrecognised clients"
    );
}

fn api_login(
    password: &str,
    device: Option<&str>,
    address: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut body = json!({"login": ADA, "password": password});
    if let Some(device) = device {
        body["device_token"] = json!(device);
    }
    from_address(
        json_request("POST", "/portal/api/v1/sessions", None, &body),
        address,
    )
}

#[tokio::test]
async fn an_api_client_presenting_its_device_token_gets_past_others_locks() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    let first = app.send(api_login(PASSWORD, None, ADAS_HOME)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let device = first.json()["device_token"].as_str().unwrap().to_owned();

    for i in 1..=4 {
        for _ in 0..5 {
            let address = format!("203.0.113.{i}");
            let reply = app.send(api_login("a wrong guess", None, &address)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
    }
    let without = app.send(api_login(PASSWORD, None, ADAS_HOME)).await;
    assert_eq!(
        without.status,
        StatusCode::UNAUTHORIZED,
        "unrecognised: locked"
    );
    let with = app
        .send(api_login(PASSWORD, Some(&device), ADAS_HOME))
        .await;
    assert_eq!(with.status, StatusCode::CREATED, "{}", with.body);
    assert_ne!(
        with.json()["device_token"],
        device,
        "every log-in hands out a new device token"
    );
}

#[tokio::test]
async fn the_fourth_link_mail_in_15_minutes_is_not_sent_but_answered_the_same() {
    let app = TestApp::new().await;
    app.register(ADA).await;
    app.deliver_mail().await;
    let before = app.mailbox.to(ADA).len();

    // Twelve requests from twelve addresses (no rate limit helps here).
    let mut answers = Vec::new();
    for i in 1..=12 {
        let mut browser = app.browser_at(&format!("203.0.113.{i}"));
        browser.get("/portal/forgot-password").await;
        let started = Instant::now();
        let reply = browser
            .post_form("/portal/forgot-password", &[("email", ADA)])
            .await;
        assert!(started.elapsed() >= portal_core::DEFAULT_RESPONSE_FLOOR);
        answers.push((reply.status, without_csrf(&reply.body)));
    }
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    assert_eq!(answers[0].0, StatusCode::OK);
    app.deliver_mail().await;
    // The registration link of `register` counts towards the three.
    assert_eq!(app.mailbox.to(ADA).len() - before, 2);

    // The API answers a throttled request exactly like a sent one.
    let api = |address: &str| {
        from_address(
            json_request(
                "POST",
                "/portal/api/v1/password-resets",
                None,
                &json!({"email": ADA}),
            ),
            address,
        )
    };
    let throttled = app.send(api("203.0.113.50")).await;
    let unknown = app
        .send(from_address(
            json_request(
                "POST",
                "/portal/api/v1/password-resets",
                None,
                &json!({"email": "zed@example.com"}),
            ),
            "203.0.113.51",
        ))
        .await;
    assert_eq!(throttled.status, StatusCode::ACCEPTED);
    assert_eq!(
        (throttled.status, throttled.body.clone()),
        (unknown.status, unknown.body)
    );
    app.deliver_mail().await;
    assert_eq!(app.mailbox.to(ADA).len() - before, 2);

    // Fifteen minutes after the first, the next link goes out again.
    app.clock.advance(chrono::Duration::minutes(15));
    let sent = app.send(api("203.0.113.52")).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED);
    assert_eq!(sent.body, throttled.body);
    app.deliver_mail().await;
    assert_eq!(app.mailbox.to(ADA).len() - before, 3);
}

#[tokio::test]
async fn the_link_mail_throttle_follows_the_tenants_setting() {
    let mut settings = demo_settings();
    settings.link_mails.max_per_window = 1;
    let app = TestApp::with_settings(settings).await;
    for _ in 0..3 {
        let mut browser = app.browser();
        browser.get("/portal/register").await;
        let reply = browser.submit_registration("bob@example.com").await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    app.deliver_mail().await;
    assert_eq!(app.mailbox.to("bob@example.com").len(), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_the_device_token() {
    let app = TestApp::new().await;
    let doc = app
        .send(get_request("/portal/api/v1/openapi.json", None))
        .await
        .json();
    let schemas = &doc["components"]["schemas"];
    for (schema, required) in [
        ("LoginRequest", false),
        ("ChangePasswordRequest", false),
        ("SessionResponse", true),
    ] {
        let field = &schemas[schema]["properties"]["device_token"];
        assert!(
            field["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{schema}: {field}"
        );
        let listed = schemas[schema]["required"]
            .as_array()
            .is_some_and(|names| names.iter().any(|name| name == "device_token"));
        assert_eq!(listed, required, "{schema}");
    }
}

#[tokio::test]
async fn invitations_share_the_throttle_and_the_host_hears_ok_either_way() {
    let app = TestApp::new().await;
    for _ in 0..4 {
        app.portal
            .host()
            .invite_contact(app.tenant_id(), app.seeded.bob)
            .await
            .unwrap();
    }
    app.deliver_mail().await;
    assert_eq!(app.mailbox.to("bob@example.com").len(), 3);
}
