//! The HTML portal, page by page, with its bad-input cases.

use axum::http::StatusCode;
use chrono::Duration;

use portal_core::outbox::EmailKind;
use portal_core::ports::TicketStore;
use portal_core::shared::{Clock, TicketId, TicketMessageId};
use portal_core::tenancy::PortalSettings;
use portal_core::tickets::{Author, CategoryRef, Ticket, TicketMessage, TicketStatus};

use crate::harness::*;

#[tokio::test]
async fn the_login_page_is_branded_and_sets_a_secure_csrf_cookie() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let reply = browser.get("/portal/login").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Acme Pest Control"));
    assert!(
        reply.body.contains("help@acme.test"),
        "contact menu shows the business e-mail"
    );
    assert!(
        reply
            .body
            .contains("<a href=\"tel:+15550100\">+1 555 0100</a>"),
        "the phone as written, dialable as a link"
    );
    assert!(reply.body.contains("<label for=\"login\">"));
    assert!(
        reply.body.contains("action=\"/portal/login\""),
        "links follow the mount point"
    );
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal_csrf="))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["x-frame-options"], "DENY");
    assert!(
        reply.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(reply.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn registering_by_email_mails_a_link_that_sets_the_password_once() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    let reply = browser.submit_registration("ADA@example.com").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("we have sent a link"));
    app.deliver_mail().await;
    let mails = app.mailbox.to("ada@example.com");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.business_name, "Acme Pest Control");
    let EmailKind::SetPassword { link, expires_at } = &mail.kind else {
        panic!("{:?}", mail.kind)
    };
    assert!(
        link.starts_with("https://acme.portal.test/portal/set-password?token="),
        "{link}"
    );
    assert!(*expires_at <= app.clock_now() + Duration::hours(1));

    // Opening the link (a mail scanner would) only shows the form.
    let path = path_of(link);
    for _ in 0..2 {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.headers["referrer-policy"], "strict-origin");
        assert!(page.body.contains("Set your password"));
    }
    let token = token_in(&path);
    let done = browser
        .submit_new_password(&token, PASSWORD, PASSWORD)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), "/portal/login?done=password");
    // No automatic log-in after setting a password.
    assert!(!browser.cookies.contains_key("__Host-portal_session"));

    let again = browser
        .submit_new_password(&token, "another fine pass", "another fine pass")
        .await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");
    assert_eq!(browser.get(&path).await.status, StatusCode::GONE);

    app.logged_in("ada@example.com").await;
}

impl TestApp {
    pub fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use portal_core::shared::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn known_and_unknown_emails_get_the_same_answer_and_only_known_ones_a_mail() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    let known = browser.submit_registration("bob@example.com").await;
    let unknown = browser.submit_registration("nobody@example.com").await;
    let portal_off = browser.submit_registration("dan@example.com").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(without_csrf(&known.body), without_csrf(&unknown.body));
    assert_eq!(without_csrf(&known.body), without_csrf(&portal_off.body));
    app.deliver_mail().await;
    assert_eq!(app.mailbox.all().len(), 1);
    assert_eq!(app.mailbox.all()[0].to.as_str(), "bob@example.com");

    let forgot_known = browser
        .post_form("/portal/forgot-password", &[("email", "bob@example.com")])
        .await;
    let forgot_unknown = browser
        .post_form(
            "/portal/forgot-password",
            &[("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(
        without_csrf(&forgot_known.body),
        without_csrf(&forgot_unknown.body)
    );
}

#[tokio::test]
async fn a_malformed_email_is_a_clear_422_and_sends_nothing() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    let reply = browser.submit_registration("not-an-email").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("Email doesn&#39;t look like an email address."),
        "{}",
        reply.body
    );
    app.deliver_mail().await;
    assert!(app.mailbox.all().is_empty());
}

#[tokio::test]
async fn a_link_expires_after_an_hour() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    let path = path_of(&link_of(&app.mailbox.to("bob@example.com")[0]));
    app.clock.advance(Duration::minutes(61));
    assert_eq!(browser.get(&path).await.status, StatusCode::GONE);
    let token = token_in(&path);
    let reply = browser
        .submit_new_password(&token, PASSWORD, PASSWORD)
        .await;
    assert_eq!(reply.status, StatusCode::GONE);
    let mut fresh = app.browser();
    fresh.get("/portal/login").await;
    let login = fresh.submit_login("bob@example.com", PASSWORD).await;
    assert_eq!(
        login.status,
        StatusCode::UNAUTHORIZED,
        "the expired link set nothing"
    );
}

#[tokio::test]
async fn only_the_newest_link_works() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    browser.submit_registration("bob@example.com").await;
    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    let mails = app.mailbox.to("bob@example.com");
    assert_eq!(mails.len(), 2);
    assert_eq!(
        browser.get(&path_of(&link_of(&mails[0]))).await.status,
        StatusCode::GONE
    );
    assert_eq!(
        browser.get(&path_of(&link_of(&mails[1]))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_write_nothing() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let reply = browser
        .post_raw(
            "/portal/login",
            &[("login", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(!browser.cookies.contains_key("__Host-portal_session"));
    // The refusal is the tenant's page, and its way on stays in the portal.
    assert!(
        reply.body.contains("href=\"/portal/dashboard\""),
        "{}",
        reply.body
    );
    assert!(
        !reply.body.contains("· Customer portal</title>"),
        "{}",
        reply.body
    );
    let forged = browser
        .post_raw(
            "/portal/register",
            &[("email", "bob@example.com"), ("csrf_token", "0000")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    app.deliver_mail().await;
    assert!(
        app.mailbox.to("bob@example.com").is_empty(),
        "a forged form sends no mail"
    );

    let mut logged_in = app.logged_in("ada@example.com").await;
    let change = logged_in
        .post_raw(
            "/portal/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand new secret"),
                ("new_password_confirm", "brand new secret"),
            ],
        )
        .await;
    assert_eq!(change.status, StatusCode::FORBIDDEN);
    let mut again = app.browser();
    again.get("/portal/login").await;
    let still = again.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(
        still.status,
        StatusCode::SEE_OTHER,
        "the old password still works"
    );
}

#[tokio::test]
async fn logging_in_sets_a_secure_session_cookie_and_shows_the_dashboard() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.portal
        .host()
        .record_communication(
            app.tenant_id(),
            &portal_core::communications::CommunicationRecord::new(
                portal_core::shared::ExternalId::parse("c-a").unwrap(),
                app.seeded.account_a,
                "email",
                "Spring treatment booked",
                "See you on the 3rd.",
                app.clock_now(),
            ),
        )
        .await
        .unwrap();
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let reply = browser.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/dashboard");
    let cookie = reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-portal_session="))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    let dashboard = browser.get("/portal/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Welcome, Ada Lovelace"));
    assert!(
        dashboard.body.contains("Spring treatment booked"),
        "real communications are shown"
    );
    assert!(
        dashboard.body.contains("You have no unpaid invoices"),
        "empty states are explicit"
    );
    assert!(dashboard.body.contains("No jobs are open right now"));
    assert!(dashboard.body.contains("You have no open tickets"));
}

#[tokio::test]
async fn logging_in_by_phone_number_works_too() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.logged_in("(555) 0100-01").await;
}

#[tokio::test]
async fn the_portal_root_leads_to_the_dashboard() {
    let app = TestApp::new().await;
    let reply = app.browser().get("/portal").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/dashboard");
}

#[tokio::test]
async fn the_dashboard_sends_strangers_to_the_login_page() {
    let app = TestApp::new().await;
    let reply = app.browser().get("/portal/dashboard").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/login?next=%2Fportal%2Fdashboard");
    let mut forged = app.browser();
    forged
        .cookies
        .insert("__Host-portal_session".into(), "f".repeat(64));
    assert_eq!(
        forged.get("/portal/account").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_passwords_and_unknown_names_fail_alike() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let wrong = browser
        .submit_login("ada@example.com", "wrong password")
        .await;
    let unknown = browser
        .submit_login("zed@example.com", "wrong password")
        .await;
    let unregistered = browser
        .submit_login("bob@example.com", "wrong password")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    for other in [&unknown, &unregistered] {
        assert_eq!(other.status, wrong.status);
        assert_eq!(
            without_csrf(&other.body)
                .replace("zed@example.com", "X")
                .replace("bob@example.com", "X"),
            without_csrf(&wrong.body).replace("ada@example.com", "X")
        );
    }
}

#[tokio::test]
async fn five_failures_lock_the_login_for_fifteen_minutes_and_a_reset_lifts_it() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    for _ in 0..5 {
        let reply = browser
            .submit_login("ada@example.com", "wrong password")
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = browser.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "the right password is refused while locked"
    );
    app.clock.advance(Duration::minutes(16));
    app.logged_in("ada@example.com").await;

    for _ in 0..5 {
        browser
            .submit_login("ada@example.com", "wrong password")
            .await;
    }
    browser
        .post_form("/portal/forgot-password", &[("email", "ada@example.com")])
        .await;
    app.deliver_mail().await;
    let mail = app.mailbox.to("ada@example.com").pop().unwrap();
    assert!(matches!(mail.kind, EmailKind::ResetPassword { .. }));
    let path = path_of(&link_of(&mail));
    let token = token_in(&path);
    let reset = browser
        .submit_new_password(&token, "a brand new secret", "a brand new secret")
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let login = browser
        .post_form(
            "/portal/login",
            &[
                ("login", "ada@example.com"),
                ("password", "a brand new secret"),
            ],
        )
        .await;
    assert_eq!(
        login.status,
        StatusCode::SEE_OTHER,
        "a completed reset lifts the lock"
    );
}

#[tokio::test]
async fn a_weak_or_mismatched_new_password_is_refused_and_the_link_survives() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    let path = path_of(&link_of(&app.mailbox.to("bob@example.com")[0]));
    let token = token_in(&path);
    // The page says whose password it sets, and gives password managers
    // the username to store it under.
    let page = browser.get(&path).await;
    assert!(page.body.contains("For bob@example.com."));
    assert!(page.body.contains(
        "<input type=\"text\" name=\"login\" value=\"bob@example.com\" autocomplete=\"username\" hidden>"
    ));
    let short = browser.submit_new_password(&token, "short", "short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("at least 8 characters"));
    let common = browser
        .submit_new_password(&token, "password123", "password123")
        .await;
    assert_eq!(common.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mismatch = browser
        .submit_new_password(&token, PASSWORD, "something else")
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        browser.get(&path).await.status,
        StatusCode::OK,
        "the link is still good"
    );
}

#[tokio::test]
async fn registering_by_known_facts_needs_all_three_to_match_and_never_says_which() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register/details").await;
    let attempt = |phone: &'static str, email: &'static str, postal: &'static str| {
        vec![
            ("phone", phone),
            ("email", email),
            ("postal_code", postal),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ]
    };
    let mut refusals = Vec::new();
    for fields in [
        attempt("555-0100-99", "bob@example.com", "23456"),
        attempt("555-0100-02", "ada@example.com", "23456"),
        attempt("555-0100-02", "bob@example.com", "99999"),
    ] {
        let reply = browser.post_form("/portal/register/details", &fields).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("match these details to an account"));
        refusals.push(reply);
    }
    let ok = browser
        .post_form(
            "/portal/register/details",
            &attempt("(555) 0100-02", "BOB@example.com", "23456"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/portal/login?done=registered");
    app.logged_in("bob@example.com").await;
    let twice = browser
        .post_form(
            "/portal/register/details",
            &attempt("555-0100-02", "bob@example.com", "23456"),
        )
        .await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "known facts cannot overwrite a password"
    );
}

#[tokio::test]
async fn an_account_with_the_portal_off_cannot_register_or_log_in() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register/details").await;
    let reply = browser
        .submit_facts("555-0100-04", "dan@example.com", "45678")
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("match these details to an account"));
}

#[tokio::test]
async fn a_tenant_requiring_history_refuses_accounts_without_it() {
    let mut settings = demo_settings();
    settings.registration.require_history = true;
    let app = TestApp::with_settings(settings).await;
    let mut upsert = account(
        "B-1",
        "1002",
        "Bob's Garage",
        "bob@example.com",
        "555-0100-02",
        "23456",
        true,
    );
    upsert.has_history = false;
    app.portal
        .host()
        .upsert_account(app.tenant_id(), &upsert)
        .await
        .unwrap();
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    assert!(
        app.mailbox.all().is_empty(),
        "no link for an account without history"
    );
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut phone = app.logged_in("ada@example.com").await;
    let mut laptop = app.logged_in("ada@example.com").await;
    let wrong = laptop
        .post_form(
            "/portal/account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "brand new secret"),
                ("new_password_confirm", "brand new secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Current password isn&#39;t right."),
        "{}",
        wrong.body
    );
    let ok = laptop
        .post_form(
            "/portal/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand new secret"),
                ("new_password_confirm", "brand new secret"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        laptop.get("/portal/account").await.status,
        StatusCode::OK,
        "this session lives on"
    );
    assert_eq!(
        phone.get("/portal/account").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );
    app.deliver_mail().await;
    assert!(
        app.mailbox
            .to("ada@example.com")
            .iter()
            .any(|m| matches!(m.kind, EmailKind::PasswordChanged { .. }))
    );
}

#[tokio::test]
async fn the_account_page_shows_details_and_visible_custom_fields() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let page = browser.get("/portal/account").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Ada&#39;s Bakery",
        "1001",
        "1 Main St",
        "Gate code",
        "4321",
        "ada@example.com",
        "Primary contact",
    ] {
        assert!(page.body.contains(expected), "missing {expected}");
    }
}

/// Account A's custom fields as stored.
async fn custom_fields_of(app: &TestApp) -> std::collections::BTreeMap<String, String> {
    use portal_core::ports::AccountStore;
    app.store
        .account(app.tenant_id(), app.seeded.account_a)
        .await
        .unwrap()
        .unwrap()
        .custom_fields
}

#[tokio::test]
async fn editable_custom_fields_can_be_changed_from_the_account_page_and_no_others() {
    let mut settings = demo_settings();
    settings.visible_custom_fields = vec!["Gate code".into(), "Preferred day".into()];
    settings.editable_custom_fields = vec!["Preferred day".into()];
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/account").await;
    assert!(page.body.contains("name=\"field:Preferred day\""));
    assert!(!page.body.contains("name=\"field:Gate code\""));
    let saved = ada
        .post_form(
            "/portal/account/fields",
            &[("field:Preferred day", "Friday")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(
        ada.get(saved.location())
            .await
            .body
            .contains("Your details were saved.")
    );
    assert_eq!(
        custom_fields_of(&app)
            .await
            .get("Preferred day")
            .map(String::as_str),
        Some("Friday")
    );

    // A field the business does not let customers edit: refused, unchanged.
    let refused = ada
        .post_form("/portal/account/fields", &[("field:Gate code", "0000")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("cannot be changed here"));
    assert_eq!(
        custom_fields_of(&app)
            .await
            .get("Gate code")
            .map(String::as_str),
        Some("4321")
    );

    // On account C Ada is a member, who may not edit the account.
    let c = app.seeded.account_c.to_string();
    ada.post_form("/portal/switch-account", &[("account_id", c.as_str())])
        .await;
    let page = ada.get("/portal/account").await;
    assert!(!page.body.contains("name=\"field:"));
    let forbidden = ada
        .post_form(
            "/portal/account/fields",
            &[("field:Preferred day", "Monday")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_contact_with_two_accounts_switches_and_everything_follows() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let host = app.portal.host();
    host.record_communication(
        app.tenant_id(),
        &portal_core::communications::CommunicationRecord::new(
            portal_core::shared::ExternalId::parse("c-c").unwrap(),
            app.seeded.account_c,
            "note",
            "Dock repaired",
            "",
            app.clock_now(),
        ),
    )
    .await
    .unwrap();
    let mut browser = app.logged_in("ada@example.com").await;
    let before = browser.get("/portal/dashboard").await;
    assert!(before.body.contains("Ada&#39;s Bakery"));
    assert!(!before.body.contains("Dock repaired"));
    assert!(
        before.body.contains("Ada&#39;s Lake House"),
        "the switcher lists both accounts"
    );
    let switch = browser
        .post_form(
            "/portal/switch-account",
            &[("account_id", &app.seeded.account_c.to_string())],
        )
        .await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    let after = browser.get("/portal/dashboard").await;
    assert!(after.body.contains("Dock repaired"));
    let account = browser.get("/portal/account").await;
    assert!(account.body.contains("1003"));
    assert!(account.body.contains("Member"));
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let session = browser.cookies["__Host-portal_session"].clone();
    let reply = browser.post_form("/portal/logout", &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/portal/login?done=logout");
    assert!(!browser.cookies.contains_key("__Host-portal_session"));
    let mut replay = app.browser();
    replay
        .cookies
        .insert("__Host-portal_session".into(), session);
    assert_eq!(
        replay.get("/portal/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
}

#[tokio::test]
async fn sessions_end_after_the_idle_timeout() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.logged_in("ada@example.com").await;
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        browser.get("/portal/dashboard").await.status,
        StatusCode::OK
    );
    app.clock.advance(Duration::minutes(20));
    assert_eq!(
        browser.get("/portal/dashboard").await.status,
        StatusCode::OK,
        "use pushed the idle expiry out"
    );
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        browser.get("/portal/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn log_in_attempts_are_rate_limited_per_client() {
    let app = TestApp::build(demo_settings(), |config| portal_http_axum::HttpConfig {
        auth_rate_limit: Some(portal_http_axum::RateLimit {
            per_minute: 3,
            burst: 3,
        }),
        ..config
    })
    .await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let reply = browser
            .submit_login("ada@example.com", "wrong password")
            .await;
        statuses.push(reply.status);
    }
    assert_eq!(&statuses[..3], &[StatusCode::UNAUTHORIZED; 3]);
    assert_eq!(&statuses[3..], &[StatusCode::TOO_MANY_REQUESTS; 2]);
}

#[tokio::test]
async fn registration_pages_follow_the_tenants_allowed_methods() {
    let mut settings = PortalSettings::default();
    settings.registration.email_on_file = false;
    let app = TestApp::with_settings(settings).await;
    let mut browser = app.browser();
    let login = browser.get("/portal/login").await;
    assert!(!login.body.contains("/portal/register\""));
    assert!(login.body.contains("/portal/register/details"));
    assert_eq!(
        browser.get("/portal/register").await.status,
        StatusCode::NOT_FOUND
    );
    let post = browser.submit_registration("ada@example.com").await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
}

/// Inserts rows into the panels' tables directly (tickets through the
/// store, opened in the past by Ada).
async fn seed_panels(app: &TestApp, account: portal_core::shared::AccountId, prefix: &str) {
    let pool = app.store.pool();
    let tenant = app.tenant_id().as_uuid();
    let account = account.as_uuid();
    let id = || uuid::Uuid::now_v7();
    // Amounts in cents (billing's migration stores minor units).
    for (number, due, total, paid, status) in [
        ("1", "2026-10-01", 12050, 0, "open"),
        ("2", "2026-12-31", 10000, 2000, "partially_paid"),
        ("3", "2026-09-01", 9900, 9900, "paid"),
    ] {
        let number = format!("{prefix}-INV-{number}");
        sqlx::query("INSERT INTO invoices (id, tenant_id, account_id, external_id, number, number_key, issued_on, due_on, currency, subtotal_minor, tax_minor, total_minor, paid_minor, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '2026-09-01', ?, 'USD', ?, 0, ?, ?, ?, 0, 0)")
            .bind(&id().as_bytes()[..]).bind(&tenant.as_bytes()[..]).bind(&account.as_bytes()[..])
            .bind(&number).bind(&number).bind(number.to_lowercase()).bind(due).bind(total).bind(total).bind(paid).bind(status)
            .execute(pool).await.unwrap();
    }
    for (number, status) in [("1", "scheduled"), ("2", "completed")] {
        // A scheduled job has a window (2026-11-26, 08:00 to 10:00 UTC, in
        // unix microseconds as SQLite keeps them); a completed one its time.
        sqlx::query("INSERT INTO jobs (id, tenant_id, account_id, external_id, number, title, description, status, window_start, window_end, technicians, content_sha256, created_at, updated_at, completed_at) VALUES (?1, ?2, ?3, ?4, ?5, 'Quarterly pest treatment', '', ?6, CASE WHEN ?6 = 'scheduled' THEN 1795680000000000 END, CASE WHEN ?6 = 'scheduled' THEN 1795687200000000 END, '[]', 'seeded', 0, 0, CASE WHEN ?6 = 'completed' THEN 0 END)")
            .bind(&id().as_bytes()[..]).bind(&tenant.as_bytes()[..]).bind(&account.as_bytes()[..])
            .bind(format!("{prefix}-job-{number}")).bind(format!("{prefix}-JOB-{number}")).bind(status)
            .execute(pool).await.unwrap();
    }
    for (number, status) in [("1", TicketStatus::Open), ("2", TicketStatus::Closed)] {
        let scope = portal_core::access::AccountScope::unchecked(
            app.tenant_id(),
            portal_core::shared::AccountId::from_uuid(account),
        );
        let at = app.clock.now();
        let ticket = Ticket {
            id: TicketId::new(),
            account: scope.account(),
            number: app.store.next_ticket_number(scope.tenant()).await.unwrap(),
            category: CategoryRef {
                key: "service".into(),
                name: "Service question".into(),
            },
            subject: format!("{prefix}-TKT-{number} Ants in the kitchen"),
            status,
            job: None,
            assignee: None,
            opened_by: app.seeded.ada,
            opened_at: at,
            updated_at: at,
            messages: 1,
        };
        let message = TicketMessage {
            id: TicketMessageId::new(),
            author: Author::Customer {
                contact: app.seeded.ada,
                name: String::new(),
            },
            body: ticket.subject.clone(),
            at,
            attachments: Vec::new(),
        };
        app.store
            .open_ticket(&scope, &ticket, &message, &[])
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_dashboard_shows_unpaid_invoices_open_jobs_and_open_tickets_of_the_active_account_only()
{
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    seed_panels(&app, app.seeded.account_a, "A").await;
    seed_panels(&app, app.seeded.account_b, "B").await;
    let mut browser = app.logged_in("ada@example.com").await;
    let page = browser.get("/portal/dashboard").await.body;
    for shown in [
        "A-INV-1", "A-INV-2", "$120.50", "$80.00", "Overdue", "A-JOB-1", "A-TKT-1",
    ] {
        assert!(page.contains(shown), "missing {shown}");
    }
    for hidden in ["A-INV-3", "A-JOB-2", "A-TKT-2", "B-INV", "B-JOB", "B-TKT"] {
        assert!(!page.contains(hidden), "{hidden} must not show");
    }
    let token = app.api_token("ada@example.com").await;
    let json = app
        .send(get_request("/portal/api/v1/dashboard", Some(&token)))
        .await
        .json();
    assert_eq!(json["unpaid_invoices"]["total"], 2);
    assert_eq!(json["open_jobs"]["total"], 1);
    assert_eq!(json["open_tickets"]["total"], 1);
}

#[tokio::test]
async fn panels_follow_the_role_and_the_tenants_features() {
    let mut settings = demo_settings();
    settings.features.tickets_view_open = false;
    settings.features.tickets_view_closed = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    seed_panels(&app, app.seeded.account_c, "C").await;
    let mut browser = app.logged_in("ada@example.com").await;
    browser
        .post_form(
            "/portal/switch-account",
            &[("account_id", &app.seeded.account_c.to_string())],
        )
        .await;
    let page = browser.get("/portal/dashboard").await.body;
    assert!(
        !page.contains("Unpaid invoices"),
        "a member does not see billing"
    );
    assert!(!page.contains("Open tickets"), "tickets are switched off");
    assert!(page.contains("C-JOB-1"), "services are for members too");
}

#[tokio::test]
async fn forgot_password_takes_the_phone_number_too_and_mails_the_email_on_file() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    app.deliver_mail().await;
    let before = app.mailbox.to("ada@example.com").len();
    let mut browser = app.browser();
    let page = browser.get("/portal/forgot-password").await;
    assert!(
        page.body
            .contains("<label for=\"email\">Email or phone number</label>")
    );
    let known = browser
        .post_form("/portal/forgot-password", &[("email", "555 0100 01")])
        .await;
    assert_eq!(known.status, StatusCode::OK);
    let unknown = browser
        .post_form("/portal/forgot-password", &[("email", "555 0199 99")])
        .await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(
        notice_of(&known.body),
        notice_of(&unknown.body),
        "the same answer whether or not the phone is known"
    );
    app.deliver_mail().await;
    let mails = app.mailbox.to("ada@example.com");
    assert_eq!(mails.len(), before + 1, "one link, to the e-mail on file");
    assert!(matches!(
        mails.last().unwrap().kind,
        EmailKind::ResetPassword { .. }
    ));
    // Registering still takes an e-mail only.
    let register = browser
        .post_form("/portal/register", &[("email", "555 0100 02")])
        .await;
    assert_eq!(register.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn notice_of(body: &str) -> &str {
    body.split("role=\"status\"")
        .nth(1)
        .and_then(|rest| rest.split("</div>").next())
        .unwrap_or("")
}

// ---- errors at the field ---------------------------------------------

#[tokio::test]
async fn registration_and_link_errors_are_shown_at_their_inputs() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    browser.get("/portal/register").await;
    let reply = browser.submit_registration("not-an-email").await;
    assert_eq!(
        error_at(&reply.body, "email"),
        "Email doesn&#39;t look like an email address."
    );
    assert!(reply.body.contains("value=\"not-an-email\""), "kept");
    let facts = browser.submit_facts("", "ada@example.com", "12345").await;
    assert_eq!(facts.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_at(&facts.body, "phone"), "Phone number is required.");
    assert_eq!(invalid_inputs(&facts.body), 1);

    browser.submit_registration("bob@example.com").await;
    app.deliver_mail().await;
    let path = path_of(&link_of(&app.mailbox.to("bob@example.com")[0]));
    let token = token_in(&path);
    browser.get(&path).await;
    let short = browser.submit_new_password(&token, "short", "short").await;
    assert_eq!(
        error_at(&short.body, "password"),
        "New password must be at least 8 characters."
    );
    assert_eq!(
        short.headers.get("referrer-policy").unwrap(),
        "strict-origin",
        "a token page, also when it shows an error"
    );
    let mismatch = browser
        .submit_new_password(&token, PASSWORD, "something else")
        .await;
    assert_eq!(
        error_at(&mismatch.body, "password_confirm"),
        "The two passwords do not match."
    );
}

#[tokio::test]
async fn a_refused_log_in_is_one_message_at_the_top_about_no_input() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let reply = browser.submit_login("ada@example.com", "wrong").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        reply
            .body
            .contains("<div class=\"alert error\" role=\"alert\" id=\"form-problem\" tabindex=\"-1\" autofocus>That email")
    );
    assert_eq!(
        invalid_inputs(&reply.body),
        0,
        "which one was wrong is not said"
    );
}

#[tokio::test]
async fn account_form_errors_are_shown_at_their_inputs() {
    let mut settings = demo_settings();
    settings.visible_custom_fields = vec!["Gate code".into(), "Preferred day".into()];
    settings.editable_custom_fields = vec!["Gate code".into(), "Preferred day".into()];
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        [
            ("current_password", current),
            ("new_password", new),
            ("new_password_confirm", confirm),
        ]
    };
    let wrong = ada
        .post_form(
            "/portal/account/password",
            &change("nope", "brand new secret", "brand new secret"),
        )
        .await;
    assert_eq!(
        error_at(&wrong.body, "current_password"),
        "Current password isn&#39;t right."
    );
    let short = ada
        .post_form(
            "/portal/account/password",
            &change(PASSWORD, "short", "short"),
        )
        .await;
    assert_eq!(
        error_at(&short.body, "new_password"),
        "New password must be at least 8 characters."
    );
    let differ = ada
        .post_form(
            "/portal/account/password",
            &change(PASSWORD, "brand new secret", "other"),
        )
        .await;
    assert_eq!(
        error_at(&differ.body, "new_password_confirm"),
        "The two new passwords do not match."
    );
    // A custom field's error stands at that field, under its name.
    let long = "x".repeat(501);
    let refused = ada
        .post_form(
            "/portal/account/fields",
            &[("field:Gate code", "1234"), ("field:Preferred day", &long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = ada.get("/portal/account").await.body;
    let key = page
        .split("name=\"field:Preferred day\"")
        .next()
        .and_then(|before| before.rsplit(" id=\"").next())
        .map(|id| id.split('"').next().unwrap().to_owned())
        .unwrap();
    assert_eq!(
        error_at(&refused.body, &key),
        "Preferred day must be one line of at most 500 characters."
    );
    assert_eq!(invalid_inputs(&refused.body), 1);
}

#[tokio::test]
async fn page_errors_are_answered_in_one_place_with_the_tenants_page() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    // Not found (a malformed id is the same as another account's).
    let missing = ada.get("/portal/billing/invoices/not-an-id").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Acme Pest Control") && missing.body.contains("Not found"));
    assert_eq!(
        missing.headers.get("cache-control").unwrap(),
        "no-store",
        "rendered as every page is"
    );
    // Forbidden, with the reason.
    let app = TestApp::with_settings(PortalSettings {
        features: portal_core::tenancy::Features {
            statements: false,
            ..demo_settings().features
        },
        ..demo_settings()
    })
    .await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let off = ada.get("/portal/billing/statement").await;
    assert_eq!(off.status, StatusCode::FORBIDDEN);
    assert!(off.body.contains("This is not available in this portal."));
}

/// An address no page answers to gets a page in the business's branding,
/// whose footer names the business once ("Acme Pest Control customer
/// portal", never "Customer portal customer portal"); where no tenant is
/// known it is a plain "Customer portal".
#[tokio::test]
async fn an_unknown_address_is_a_branded_page_not_found() {
    let app = TestApp::new().await;
    let mut browser = app.browser();
    let reply = browser.get("/portal/nowhere/at/all").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply
            .body
            .contains("<footer>Acme Pest Control customer portal</footer>"),
        "{}",
        reply.body
    );
    assert!(!reply.body.to_lowercase().contains("portal customer portal"));
    assert!(!reply.body.contains("Log out"), "no session, no navigation");

    let config = portal_http_axum::HttpConfig {
        auth_rate_limit: None,
        ..portal_http_axum::HttpConfig::tenant_in_path()
    };
    let multi = axum::Router::new().nest(
        "/portal",
        portal_http_axum::router(app.portal.clone(), config),
    );
    let request = get_request("/portal/no-such-tenant/nowhere", None);
    let reply = {
        use tower::ServiceExt;
        multi.oneshot(request).await.unwrap()
    };
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    let body = http_body_util::BodyExt::collect(reply.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("<footer>Customer portal</footer>"), "{body}");
}

/// Error pages keep the business's branding and, for a logged-in
/// customer, the navigation: a missing invoice (404), an unknown address
/// (404), a switched-off feature (403) and a method a page does not take
/// (405) are not dead ends.
#[tokio::test]
async fn error_pages_keep_a_logged_in_customers_navigation() {
    let mut settings = demo_settings();
    settings.features.statements = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    let missing = format!("/portal/billing/invoices/{}", uuid::Uuid::now_v7());
    let with_navigation = |body: &str| {
        body.contains("Log out")
            && body.contains("href=\"/portal/billing\">Billing</a>")
            && body.contains("<footer>Acme Pest Control customer portal</footer>")
    };
    for (uri, status) in [
        (missing.as_str(), StatusCode::NOT_FOUND),
        ("/portal/nowhere/at/all", StatusCode::NOT_FOUND),
        ("/portal/billing/statement", StatusCode::FORBIDDEN),
    ] {
        let reply = ada.get(uri).await;
        assert_eq!(reply.status, status, "{uri}");
        assert!(with_navigation(&reply.body), "{uri}: {}", reply.body);
    }
    let cookies = ada
        .cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    let request = axum::http::Request::delete("/portal/account")
        .header(axum::http::header::COOKIE, cookies)
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(with_navigation(&reply.body), "{}", reply.body);

    // Logged out, the same pages are branded without the navigation.
    let mut stranger = app.browser();
    let reply = stranger.get("/portal/nowhere/at/all").await;
    assert!(!with_navigation(&reply.body) && reply.body.contains("Acme Pest Control"));
}
