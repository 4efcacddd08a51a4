//! The browser test of portal users: a primary contact (invited by the
//! host) sets a password from the mailed link and logs in, adds a
//! colleague on the Portal users page; the colleague accepts the
//! invitation from the mail the SMTP server received, sets a password and
//! logs in. A real server on loopback, headless Chromium, real SMTP.

use axum::Router;
use fantoccini::{Client, Locator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use portal_core::Portal;
use portal_core::access::Role;
use portal_core::outbox::NoEvents;
use portal_http_axum::{HttpConfig, router};
use portal_mail::{SmtpConfig, SmtpMailer, SmtpTls};
use portal_runtime::{Argon2Hasher, run_outbox};

use crate::browser_flow::{open_chromium, required};
use crate::harness::{PASSWORD, account, contact, demo_settings};

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");
    let smtp = required("PORTAL_TEST_SMTP_ADDR");
    let maildir = required("PORTAL_TEST_MAILDIR");
    let (smtp_host, smtp_port) = smtp
        .rsplit_once(':')
        .expect("PORTAL_TEST_SMTP_ADDR is host:port");

    let dir = tempfile::tempdir().unwrap();
    let store = portal_store_sqlx::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("portal.db").display()
    ))
    .await
    .unwrap();
    let portal = Portal::builder(store, Arc::new(Argon2Hasher::insecure_for_tests())).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("http://{addr}/portal/");
    let host = portal.host();
    let tenant = host
        .create_tenant("team", &base_url, demo_settings())
        .await
        .unwrap();
    // Fresh addresses each run: the maildir is shared between runs.
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let primary_email = format!("primary-{unique}@example.com");
    let colleague_email = format!("colleague-{unique}@example.com");
    let acct = host
        .upsert_account(
            tenant.id,
            &account(
                "TM-1",
                "8001",
                "Team Bakery",
                &primary_email,
                "555-0800-01",
                "80001",
                true,
            ),
        )
        .await
        .unwrap();
    let person = host
        .upsert_contact(
            tenant.id,
            &contact("tm", "Ada Lovelace", &primary_email, None),
        )
        .await
        .unwrap();
    host.grant_membership(tenant.id, person.id, acct.id, Role::Primary)
        .await
        .unwrap();
    host.invite_contact(tenant.id, person.id).await.unwrap();

    let config = SmtpConfig::new(
        smtp_host,
        smtp_port.parse().unwrap(),
        SmtpTls::None,
        "portal@example.com".parse().unwrap(),
    );
    let worker = portal.outbox_worker(
        Arc::new(SmtpMailer::new(config).unwrap()),
        Arc::new(NoEvents),
    );
    tokio::spawn(async move {
        run_outbox(&worker, Duration::from_millis(200), std::future::pending()).await
    });
    let app = Router::new().nest("/portal", router(portal, HttpConfig::single_tenant("team")));
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = walk(
        &browser,
        &base_url,
        &maildir,
        &primary_email,
        &colleague_email,
    )
    .await;
    browser.close().await.ok();
    outcome.unwrap();
}

/// Follows the invitation mailed to `email`, sets [`PASSWORD`] and logs
/// in; returns the dashboard's heading.
async fn accept_and_log_in(
    browser: &Client,
    base_url: &str,
    maildir: &str,
    email: &str,
) -> Result<String, fantoccini::error::CmdError> {
    let link = portal_mail::testing::wait_for_link(
        std::path::Path::new(maildir),
        email,
        Duration::from_secs(20),
    )
    .await
    .expect("the invitation arrives at the SMTP server");
    assert!(
        link.starts_with(&format!("{base_url}set-password?token=")),
        "{link}"
    );
    browser.goto(&link).await?;
    for id in ["password", "password_confirm"] {
        browser
            .find(Locator::Id(id))
            .await?
            .send_keys(PASSWORD)
            .await?;
    }
    browser
        .find(Locator::Css("button[type=submit].primary"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await?;
    crate::browser_flow::log_in(browser, base_url, email).await?;
    browser.find(Locator::Css("main h1")).await?.text().await
}

async fn walk(
    browser: &Client,
    base_url: &str,
    maildir: &str,
    primary: &str,
    colleague: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let heading = accept_and_log_in(browser, base_url, maildir, primary).await?;
    assert_eq!(heading, "Welcome, Ada Lovelace");

    // Portal users, from the navigation.
    browser
        .find(Locator::Css("header .menu-wide a[href$='/contacts']"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::LinkText("Add a portal user"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Id("name"))
        .await?
        .send_keys("Grace Hopper")
        .await?;
    browser
        .find(Locator::Id("email"))
        .await?
        .send_keys(colleague)
        .await?;
    browser
        .find(Locator::Css("#role option[value=billing]"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Css("button[type=submit].primary"))
        .await?
        .click()
        .await?;
    let notice = browser
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await?
        .text()
        .await?;
    assert!(notice.contains("We emailed them an invitation"), "{notice}");
    let page = browser.source().await?;
    assert!(page.contains("Grace Hopper") && page.contains("Invited, no password yet"));

    // The colleague, in the same browser after Ada logs out.
    browser
        .find(Locator::XPath(
            "//button[starts-with(normalize-space(.), 'Log out')]",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await?;
    let heading = accept_and_log_in(browser, base_url, maildir, colleague).await?;
    assert_eq!(heading, "Welcome, Grace Hopper");
    // A billing contact is not offered the page.
    let page = browser.source().await?;
    assert!(!page.contains("/contacts\""));
    Ok(())
}
