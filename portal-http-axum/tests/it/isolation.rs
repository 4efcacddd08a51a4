//! Isolation: a contact never reaches another account's or another
//! tenant's data, through any route.

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;

use portal_http_axum::{HttpConfig, router};

use crate::harness::*;

#[tokio::test]
async fn a_contact_never_sees_another_accounts_communications() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    let host = app.portal.host();
    host.record_communication(
        app.tenant_id(),
        &portal_core::communications::CommunicationRecord::new(
            portal_core::shared::ExternalId::parse("c-b").unwrap(),
            app.seeded.account_b,
            "email",
            "Bob's secret quote",
            "",
            app.clock_now(),
        ),
    )
    .await
    .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        !ada.get("/portal/dashboard")
            .await
            .body
            .contains("Bob&#39;s secret quote")
    );
    let token = app.api_token("ada@example.com").await;
    let dashboard = app
        .send(get_request("/portal/api/v1/dashboard", Some(&token)))
        .await;
    assert!(!dashboard.body.contains("secret quote"));
    let mut bob = app.logged_in("bob@example.com").await;
    assert!(
        bob.get("/portal/dashboard")
            .await
            .body
            .contains("Bob&#39;s secret quote")
    );
}

#[tokio::test]
async fn switching_to_another_contacts_account_is_404_on_pages_and_api() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let foreign = app.seeded.account_b.to_string();
    let page = ada
        .post_form("/portal/switch-account", &[("account_id", &foreign)])
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let portal_off = ada
        .post_form(
            "/portal/switch-account",
            &[("account_id", &app.seeded.account_off.to_string())],
        )
        .await;
    assert_eq!(portal_off.status, StatusCode::NOT_FOUND);
    let garbage = ada
        .post_form("/portal/switch-account", &[("account_id", "not-an-id")])
        .await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    assert!(
        ada.get("/portal/dashboard")
            .await
            .body
            .contains("Ada&#39;s Bakery"),
        "still on her own account"
    );
    let token = app.api_token("ada@example.com").await;
    let api = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/me/active-account",
            Some(&token),
            &json!({"account_id": foreign}),
        ))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn revoking_access_or_switching_the_portal_off_ends_sessions_at_once() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let mut bob = app.logged_in("bob@example.com").await;
    let host = app.portal.host();
    host.revoke_membership(app.tenant_id(), app.seeded.ada, app.seeded.account_a)
        .await
        .unwrap();
    assert_eq!(
        ada.get("/portal/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
    host.set_portal_enabled(app.tenant_id(), app.seeded.account_b, false)
        .await
        .unwrap();
    assert_eq!(
        bob.get("/portal/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
    let mut again = app.browser();
    again.get("/portal/login").await;
    let refused = again.submit_login("bob@example.com", PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::UNAUTHORIZED,
        "no usable account, no log-in"
    );
    // Ada still has account C, so she logs in there.
    let mut ada_again = app.logged_in("ada@example.com").await;
    assert!(
        ada_again
            .get("/portal/dashboard")
            .await
            .body
            .contains("Ada&#39;s Lake House")
    );
}

/// Two tenants on one router, tenant named by the path.
async fn two_tenants() -> (TestApp, Seeded, Router) {
    let app = TestApp::new().await;
    let other = seed(&app.portal, "globex", demo_settings()).await;
    let config = HttpConfig {
        auth_rate_limit: None,
        ..HttpConfig::tenant_in_path()
    };
    let multi = Router::new().nest("/portal", router(app.portal.clone(), config));
    (app, other, multi)
}

#[tokio::test]
async fn a_session_of_one_tenant_is_worthless_at_another() {
    let (app, _globex, multi) = two_tenants().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    let send = |uri: &str| {
        let request = get_request(uri, Some(&token));
        let multi = multi.clone();
        async move {
            use tower::ServiceExt;
            multi.oneshot(request).await.unwrap().status()
        }
    };
    assert_eq!(send("/portal/acme/api/v1/me").await, StatusCode::OK);
    assert_eq!(
        send("/portal/globex/api/v1/me").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send("/portal/nosuch/api/v1/me").await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_same_email_in_another_tenant_is_another_person() {
    let (app, globex, multi) = two_tenants().await;
    app.register("ada@example.com").await;
    use tower::ServiceExt;
    let login = json_request(
        "POST",
        "/portal/globex/api/v1/sessions",
        None,
        &json!({"login": "ada@example.com", "password": PASSWORD}),
    );
    let reply = multi.clone().oneshot(login).await.unwrap();
    assert_eq!(
        reply.status(),
        StatusCode::UNAUTHORIZED,
        "acme's password does not open globex"
    );
    let register = json_request(
        "POST",
        "/portal/globex/api/v1/registrations/email",
        None,
        &json!({"email": "ada@example.com"}),
    );
    assert_eq!(
        multi.clone().oneshot(register).await.unwrap().status(),
        StatusCode::ACCEPTED
    );
    app.deliver_mail().await;
    let mails = app.mailbox.to("ada@example.com");
    let globex_mail = mails.last().unwrap();
    assert!(
        link_of(globex_mail).starts_with("https://globex.portal.test/portal/"),
        "links use each tenant's base URL"
    );
    assert_ne!(globex.tenant.id, app.tenant_id());
}

#[tokio::test]
async fn mailed_links_ignore_the_host_header() {
    let app = TestApp::new().await;
    let mut request = json_request(
        "POST",
        "/portal/api/v1/registrations/email",
        None,
        &json!({"email": "bob@example.com"}),
    );
    request
        .headers_mut()
        .insert("host", "evil.example".parse().unwrap());
    request
        .headers_mut()
        .insert("x-forwarded-host", "evil.example".parse().unwrap());
    assert_eq!(app.send(request).await.status, StatusCode::ACCEPTED);
    app.deliver_mail().await;
    let link = link_of(&app.mailbox.to("bob@example.com")[0]);
    assert!(
        link.starts_with("https://acme.portal.test/portal/set-password?token="),
        "{link}"
    );
}
