//! The JSON API: bearer sessions, problem+json errors, the OpenAPI document.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn logging_in_returns_a_bearer_token_that_reads_me_dashboard_and_account() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    assert_eq!(token.len(), 64);
    let me = app
        .send(get_request("/portal/api/v1/me", Some(&token)))
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["name"], "Ada Lovelace");
    assert_eq!(me["accounts"].as_array().unwrap().len(), 2);
    let dashboard = app
        .send(get_request("/portal/api/v1/dashboard", Some(&token)))
        .await
        .json();
    assert_eq!(dashboard["unpaid_invoices"]["total"], 0);
    assert!(
        dashboard["recent_communications"]["rows"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let account = app
        .send(get_request("/portal/api/v1/account", Some(&token)))
        .await
        .json();
    assert_eq!(account["number"], "1001");
    assert_eq!(account["custom_fields"]["Gate code"], "4321");
}

#[tokio::test]
async fn api_errors_are_problem_json_with_clear_statuses() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let wrong = app
        .send(json_request(
            "POST",
            "/portal/api/v1/sessions",
            None,
            &json!({"login": "ada@example.com", "password": "nope nope nope"}),
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(wrong.json()["status"], 401);

    let malformed = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/portal/api/v1/sessions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{oops"))
                .unwrap(),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        malformed.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );

    let not_json = app
        .send(
            Request::builder()
                .method("POST")
                .uri("/portal/api/v1/sessions")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("x"))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let bad_email = app
        .send(json_request(
            "POST",
            "/portal/api/v1/registrations/email",
            None,
            &json!({"email": "nope"}),
        ))
        .await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_email.json()["field"], "email");

    let no_token = app.send(get_request("/portal/api/v1/me", None)).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.headers[header::WWW_AUTHENTICATE], "Bearer");
    let bad_token = app
        .send(get_request("/portal/api/v1/me", Some("deadbeef")))
        .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_api_does_not_accept_the_session_cookie() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let browser = app.logged_in("ada@example.com").await;
    let cookie = format!(
        "__Host-portal_session={}",
        browser.cookies["__Host-portal_session"]
    );
    let reply = app
        .send(
            Request::builder()
                .uri("/portal/api/v1/me")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "cookies would make the API need CSRF protection"
    );
}

#[tokio::test]
async fn registration_by_email_over_the_api_answers_the_same_for_unknown_addresses() {
    let app = TestApp::new().await;
    let known = app
        .send(json_request(
            "POST",
            "/portal/api/v1/registrations/email",
            None,
            &json!({"email": "bob@example.com"}),
        ))
        .await;
    let unknown = app
        .send(json_request(
            "POST",
            "/portal/api/v1/registrations/email",
            None,
            &json!({"email": "zed@example.com"}),
        ))
        .await;
    assert_eq!(known.status, StatusCode::ACCEPTED);
    assert_eq!(
        (known.status, known.body.clone()),
        (unknown.status, unknown.body.clone())
    );
    app.deliver_mail().await;
    let mail = app.mailbox.to("bob@example.com").pop().unwrap();
    let token = path_of(&link_of(&mail))
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();

    let info = app
        .send(json_request(
            "POST",
            "/portal/api/v1/password-links/inspect",
            None,
            &json!({"token": token}),
        ))
        .await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.json()["purpose"], "set_password");
    assert_eq!(info.json()["login"], "bob@example.com");
    let weak = app
        .send(json_request(
            "POST",
            "/portal/api/v1/password-links/redeem",
            None,
            &json!({"token": token, "password": "short"}),
        ))
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let set = app
        .send(json_request(
            "POST",
            "/portal/api/v1/password-links/redeem",
            None,
            &json!({"token": token, "password": PASSWORD}),
        ))
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT);
    let reused = app
        .send(json_request(
            "POST",
            "/portal/api/v1/password-links/redeem",
            None,
            &json!({"token": token, "password": PASSWORD}),
        ))
        .await;
    assert_eq!(reused.status, StatusCode::GONE);
    app.api_token("bob@example.com").await;
}

#[tokio::test]
async fn known_facts_and_reset_work_over_the_api() {
    let app = TestApp::new().await;
    let refused = app
        .send(json_request("POST", "/portal/api/v1/registrations/facts", None, &json!({"phone": "555-0100-02", "email": "bob@example.com", "postal_code": "00000", "password": PASSWORD})))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["type"],
        "https://portal.invalid/problems/registration-refused"
    );
    let ok = app
        .send(json_request("POST", "/portal/api/v1/registrations/facts", None, &json!({"phone": "555-0100-02", "email": "bob@example.com", "postal_code": "23456", "password": PASSWORD})))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let reset = app
        .send(json_request(
            "POST",
            "/portal/api/v1/password-resets",
            None,
            &json!({"email": "bob@example.com"}),
        ))
        .await;
    assert_eq!(reset.status, StatusCode::ACCEPTED);
    app.deliver_mail().await;
    assert_eq!(app.mailbox.to("bob@example.com").len(), 1);
}

#[tokio::test]
async fn switching_account_and_changing_password_over_the_api() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let other = app.api_token("ada@example.com").await;
    let switch = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/me/active-account",
            Some(&token),
            &json!({"account_id": app.seeded.account_c.to_string()}),
        ))
        .await;
    assert_eq!(switch.status, StatusCode::NO_CONTENT);
    let account = app
        .send(get_request("/portal/api/v1/account", Some(&token)))
        .await
        .json();
    assert_eq!(account["number"], "1003");
    let not_mine = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/me/active-account",
            Some(&token),
            &json!({"account_id": app.seeded.account_b.to_string()}),
        ))
        .await;
    assert_eq!(not_mine.status, StatusCode::NOT_FOUND);

    let wrong = app
        .send(json_request(
            "POST",
            "/portal/api/v1/me/password",
            Some(&token),
            &json!({"current_password": "wrong", "new_password": "brand new secret"}),
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .send(json_request(
            "POST",
            "/portal/api/v1/me/password",
            Some(&token),
            &json!({"current_password": PASSWORD, "new_password": "brand new secret"}),
        ))
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(get_request("/portal/api/v1/me", Some(&token)))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.send(get_request("/portal/api/v1/me", Some(&other)))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn deleting_the_session_logs_out() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let request = Request::builder()
        .method("DELETE")
        .uri("/portal/api/v1/sessions/current")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.send(get_request("/portal/api/v1/me", Some(&token)))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let app = TestApp::new().await;
    let reply = app
        .send(get_request("/portal/api/v1/openapi.json", None))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/sessions",
        "/api/v1/sessions/current",
        "/api/v1/registrations/email",
        "/api/v1/registrations/facts",
        "/api/v1/password-resets",
        "/api/v1/password-links/inspect",
        "/api/v1/password-links/redeem",
        "/api/v1/me",
        "/api/v1/me/password",
        "/api/v1/me/active-account",
        "/api/v1/dashboard",
        "/api/v1/account",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn api_log_ins_are_rate_limited_per_client() {
    let app = TestApp::build(demo_settings(), |config| portal_http_axum::HttpConfig {
        auth_rate_limit: Some(portal_http_axum::RateLimit {
            per_minute: 2,
            burst: 2,
        }),
        trust_forwarded_for: true,
        ..config
    })
    .await;
    let attempt = |ip: &str| {
        let mut request = json_request(
            "POST",
            "/portal/api/v1/sessions",
            None,
            &json!({"login": "ada@example.com", "password": "wrong password"}),
        );
        request
            .headers_mut()
            .insert("x-forwarded-for", ip.parse().unwrap());
        request
    };
    assert_eq!(
        app.send(attempt("203.0.113.1")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(attempt("203.0.113.1")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let limited = app.send(attempt("203.0.113.1")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        app.send(attempt("203.0.113.2")).await.status,
        StatusCode::UNAUTHORIZED,
        "another client is not limited"
    );
}

#[tokio::test]
async fn editable_custom_fields_are_patched_over_the_api_and_no_others() {
    let mut settings = demo_settings();
    settings.visible_custom_fields = vec!["Gate code".into(), "Preferred day".into()];
    settings.editable_custom_fields = vec!["Preferred day".into()];
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let patch = |body: serde_json::Value| {
        json_request("PATCH", "/portal/api/v1/account", Some(&token), &body)
    };

    let saved = app
        .send(patch(
            serde_json::json!({"custom_fields": {"Preferred day": "Friday"}}),
        ))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["custom_fields"]["Preferred day"], "Friday");
    assert_eq!(saved.json()["custom_fields"]["Gate code"], "4321");

    let refused = app
        .send(patch(
            serde_json::json!({"custom_fields": {"Gate code": "0000"}}),
        ))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["field"], "custom_fields");
    let read = app
        .send(get_request("/portal/api/v1/account", Some(&token)))
        .await;
    assert_eq!(read.json()["custom_fields"]["Gate code"], "4321");
    assert_eq!(read.json()["custom_fields"]["Preferred day"], "Friday");
}
