//! The security page and the audit log, and staff's "view as customer":
//! a contact sees their sessions (device, address) and sign-ins and ends
//! any session of theirs (never another's: 404); the account's audit log
//! is for contacts who manage contacts and holds only the account's
//! entries; a "view as" session shows the primary contact's portal with a
//! banner, is recorded in the log with the staff member, and every route
//! that changes anything refuses it — walked over the router's whole route
//! list, pages and API, so a route added later without the guard fails.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use portal_core::access::ClientInfo;
use portal_core::identity::SessionKind;

use crate::harness::*;

const PHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile/15E148 Safari/604.1";

/// A bearer token for `login` from a client that says it is `agent`.
async fn api_token_from(app: &TestApp, login: &str, agent: &str) -> String {
    let mut request = json_request(
        "POST",
        "/portal/api/v1/sessions",
        None,
        &serde_json::json!({"login": login, "password": PASSWORD}),
    );
    request
        .headers_mut()
        .insert(header::USER_AGENT, agent.parse().unwrap());
    let request = from_address(request, "203.0.113.7");
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["token"].as_str().unwrap().to_owned()
}

fn delete_request(uri: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method(Method::DELETE)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_contact_sees_their_sessions_and_sign_ins_and_ends_another_session() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut wrong = app.browser_at("198.51.100.4");
    wrong.get("/portal/login").await;
    let refused = wrong
        .submit_login("ada@example.com", "not the password")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let phone = api_token_from(&app, "ada@example.com", PHONE).await;
    let mut ada = app.logged_in("ada@example.com").await;

    let page = ada.get("/portal/security").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Safari on iPhone"), "{}", page.body);
    assert!(page.body.contains("203.0.113.7"));
    assert!(page.body.contains("this device"));
    assert!(page.body.contains("Wrong password"), "the failed sign-in");
    assert!(page.body.contains("198.51.100.4"));

    // The API lists the same sessions; the phone's id ends it.
    let listed = app
        .send(get_request("/portal/api/v1/me/sessions", Some(&phone)))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let items = listed.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let phone_id = items.iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        items.iter().find(|s| s["current"] == true).unwrap()["user_agent"],
        PHONE
    );
    let ended = ada
        .post_form(&format!("/portal/security/sessions/{phone_id}/end"), &[])
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    assert!(ended.location().ends_with("/security?done=ended"));
    let gone = app
        .send(get_request("/portal/api/v1/me", Some(&phone)))
        .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "ended at once");
    let sign_ins = app
        .send(get_request(
            "/portal/api/v1/me/sign-ins",
            Some(&app.api_token("ada@example.com").await),
        ))
        .await;
    let outcomes: Vec<bool> = sign_ins.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["succeeded"].as_bool().unwrap())
        .collect();
    assert_eq!(outcomes, vec![true, true, true, false], "newest first");

    // The account's log has it all, with who and from where.
    let log = ada.get("/portal/security/audit").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    for words in ["Signed in", "Failed sign-in", "Signed out a session", "Ada"] {
        assert!(log.body.contains(words), "{words}: {}", log.body);
    }
}

#[tokio::test]
async fn another_contacts_or_an_unknown_session_is_404_and_stays() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    let ada = app.api_token("ada@example.com").await;
    let bobs = app
        .send(get_request("/portal/api/v1/me/sessions", Some(&bob)))
        .await;
    let bob_id = bobs.json()["items"][0]["id"].as_str().unwrap().to_owned();
    for id in [
        bob_id.as_str(),
        "0193a0c1-5e2f-7c3a-9d41-2b7f0e6a1c55",
        "nonsense",
    ] {
        let refused = app
            .send(delete_request(
                &format!("/portal/api/v1/me/sessions/{id}"),
                &ada,
            ))
            .await;
        assert_eq!(
            refused.status,
            StatusCode::NOT_FOUND,
            "{id}: {}",
            refused.body
        );
    }
    let mut page = app.logged_in("ada@example.com").await;
    let refused = page
        .post_form(&format!("/portal/security/sessions/{bob_id}/end"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let still = app.send(get_request("/portal/api/v1/me", Some(&bob))).await;
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn the_audit_log_is_the_accounts_own_and_only_for_those_who_manage_contacts() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    let ada = app.api_token("ada@example.com").await;
    let _bob = app.api_token("bob@example.com").await;
    let log = app
        .send(get_request(
            "/portal/api/v1/audit-log?per_page=100",
            Some(&ada),
        ))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let items = log.json()["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    let ada_id = app.seeded.ada.to_string();
    assert!(
        items
            .iter()
            .all(|entry| entry["contact"] == ada_id.as_str()),
        "only account A's entries (Bob signs in on B): {items:?}"
    );
    assert!(items.iter().any(|entry| entry["action"] == "password_set"));
    // On account C Ada is a member, who may not read the log.
    let switched = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/me/active-account",
            Some(&ada),
            &serde_json::json!({"account_id": app.seeded.account_c.to_string()}),
        ))
        .await;
    assert!(switched.status.is_success(), "{}", switched.body);
    let refused = app
        .send(get_request("/portal/api/v1/audit-log", Some(&ada)))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let mut page = app.logged_in("ada@example.com").await;
    page.post_form(
        "/portal/switch-account",
        &[("account_id", &app.seeded.account_c.to_string())],
    )
    .await;
    let refused = page.get("/portal/security/audit").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let security = page.get("/portal/security").await;
    assert!(!security.body.contains("/portal/security/audit"), "no link");
}

/// A browser holding a staff member's "view as" session on account A.
async fn viewing_as<'a>(app: &'a TestApp, staff: &str) -> (Browser<'a>, String) {
    let view = app
        .portal
        .host()
        .view_as(
            app.tenant_id(),
            app.seeded.account_a,
            staff,
            SessionKind::Cookie,
            &ClientInfo {
                address: Some("192.0.2.50".parse().unwrap()),
                user_agent: Some("Staff console".into()),
            },
        )
        .await
        .unwrap();
    let token = view.token.expose().to_owned();
    let mut browser = app.browser();
    browser
        .cookies
        .insert("__Host-portal_session".into(), token.clone());
    browser
        .cookies
        .insert("__Host-portal_csrf".into(), "c".repeat(64));
    (browser, token)
}

#[tokio::test]
async fn staff_view_as_the_primary_contact_with_a_banner_and_the_start_is_audited() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let (mut staff, _) = viewing_as(&app, "kim@host.example").await;
    let dashboard = staff.get("/portal/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    assert!(
        dashboard
            .body
            .contains("kim@host.example is viewing this portal as Ada"),
        "{}",
        dashboard.body
    );
    // Staff see no "Pay" (a change), and their session is not Ada's.
    assert!(!dashboard.body.contains("/portal/billing/pay\""));
    let mut ada = app.logged_in("ada@example.com").await;
    let security = ada.get("/portal/security").await;
    assert!(
        !security.body.contains("Staff console"),
        "not Ada's session"
    );
    let log = ada.get("/portal/security/audit").await;
    assert!(
        log.body.contains("Staff viewed the portal as you"),
        "{}",
        log.body
    );
    assert!(log.body.contains("Staff (kim@host.example)"));
    assert!(log.body.contains("192.0.2.50"));
    // An unknown account, or an empty staff id, starts nothing.
    let host = app.portal.host();
    assert!(
        host.view_as(
            app.tenant_id(),
            portal_core::shared::AccountId::new(),
            "kim",
            SessionKind::Cookie,
            &ClientInfo::default()
        )
        .await
        .is_err()
    );
    assert!(
        host.view_as(
            app.tenant_id(),
            app.seeded.account_a,
            "  ",
            SessionKind::Cookie,
            &ClientInfo::default()
        )
        .await
        .is_err()
    );
}

/// A path with every `{param}` filled with a well-formed id.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| {
            if part.starts_with('{') {
                "0193a0c1-5e2f-7c3a-9d41-2b7f0e6a1c55"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_that_changes_anything_refuses_a_view_as_session() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let (_, token) = viewing_as(&app, "kim@host.example").await;
    let csrf = "c".repeat(64);
    let mut walked = 0;
    for (method, path) in portal_http_axum::page_routes() {
        if method == Method::GET || method == Method::HEAD || path == "/logout" {
            continue;
        }
        let body = format!("csrf_token={csrf}&amount=1&name=x&body=x");
        let request = Request::builder()
            .method(method.clone())
            .uri(format!("/portal{}", concrete(path)))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::COOKIE,
                format!("__Host-portal_session={token}; __Host-portal_csrf={csrf}"),
            )
            .body(Body::from(body))
            .unwrap();
        let reply = app.send(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}");
        assert!(
            reply.body.contains("Viewing as a customer is read-only"),
            "{method} {path}: refused by the view-as guard, not another check: {}",
            reply.body
        );
        walked += 1;
    }
    let doc = app
        .send(get_request("/portal/api/v1/openapi.json", None))
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let method: Method = method.to_uppercase().parse().unwrap();
            if method == Method::GET || path == "/api/v1/sessions/current" {
                continue;
            }
            let request = Request::builder()
                .method(method.clone())
                .uri(format!("/portal{}", concrete(path)))
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header("Idempotency-Key", "view-as-walk-0001")
                .body(Body::from("{}"))
                .unwrap();
            let reply = app.send(request).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                reply.body
            );
            assert!(
                reply.json()["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("read-only"),
                "{method} {path}: {}",
                reply.body
            );
            walked += 1;
        }
    }
    assert!(walked > 50, "walked {walked} routes");
    // Signing out still works, and ends only the staff session.
    let out = app
        .send(
            Request::builder()
                .method(Method::DELETE)
                .uri("/portal/api/v1/sessions/current")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(out.status.is_success(), "{}", out.body);
}
