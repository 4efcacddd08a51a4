//! The browser flow behind `browser.rs`.

use axum::Router;
use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use portal_core::Portal;
use portal_core::access::Role;
use portal_core::outbox::NoEvents;
use portal_http_axum::{HttpConfig, router};
use portal_mail::{SmtpConfig, SmtpMailer, SmtpTls};
use portal_runtime::{Argon2Hasher, run_outbox};

use crate::harness::{account, contact, demo_settings};

/// Headless Chromium through chromedriver, with a throw-away profile
/// (kept alive by the returned directory).
pub async fn open_chromium(
    webdriver: &str,
    chromium: &str,
) -> (fantoccini::Client, tempfile::TempDir) {
    open_chromium_in(webdriver, chromium, "en-US,en").await
}

/// Headless Chromium asking for `languages` (its `Accept-Language`).
pub async fn open_chromium_in(
    webdriver: &str,
    chromium: &str,
    languages: &str,
) -> (fantoccini::Client, tempfile::TempDir) {
    let mut capabilities = serde_json::Map::new();
    let profile = tempfile::tempdir().unwrap();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
                format!("--lang={}", languages.split(',').next().unwrap_or(languages)),
            ],
            "prefs": { "intl": { "accept_languages": languages } }
        }),
    );
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(webdriver)
        .await
        .expect("chromedriver is reachable");
    (browser, profile)
}

/// Serves `app` on a loopback port for the browser; its portal's base URL
/// (`http://127.0.0.1:PORT/portal/`).
pub async fn serve(app: &crate::harness::TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/portal/", listener.local_addr().unwrap());
    let router = app.app.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    base
}

/// Logs `email` in through the form (with the test password) and waits
/// for the dashboard.
pub async fn log_in(
    browser: &fantoccini::Client,
    base: &str,
    email: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser.goto(&format!("{base}login")).await?;
    browser
        .find(Locator::Id("login"))
        .await?
        .send_keys(email)
        .await?;
    browser
        .find(Locator::Id("password"))
        .await?
        .send_keys(crate::harness::PASSWORD)
        .await?;
    browser
        .find(Locator::Css("button[type=submit].primary"))
        .await?
        .click()
        .await?;
    let dashboard = url::Url::parse(&format!("{base}dashboard")).unwrap();
    browser.wait().for_url(&dashboard).await
}

/// Fetches the page's first download link with the page's own cookie:
/// its status, type, disposition and bytes.
pub async fn fetch_first_download(
    browser: &fantoccini::Client,
) -> Result<(serde_json::Value, Vec<u8>), fantoccini::error::CmdError> {
    let fetched = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('a[download]');
             fetch(link.href).then(async r => done({
               status: r.status,
               type: r.headers.get('content-type'),
               disposition: r.headers.get('content-disposition'),
               bytes: Array.from(new Uint8Array(await r.arrayBuffer())),
             })).catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await?;
    let bytes = fetched["bytes"]
        .as_array()
        .map(|bytes| {
            bytes
                .iter()
                .map(|b| b.as_u64().unwrap_or(0) as u8)
                .collect()
        })
        .unwrap_or_default();
    Ok((fetched, bytes))
}

pub fn required(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run the suite with scripts/test.sh, which starts chromedriver and the SMTP server"))
}

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");
    let smtp = required("PORTAL_TEST_SMTP_ADDR");
    let maildir = required("PORTAL_TEST_MAILDIR");
    let (smtp_host, smtp_port) = smtp
        .rsplit_once(':')
        .expect("PORTAL_TEST_SMTP_ADDR is host:port");

    // A real server on loopback, on a file database, mailing through SMTP.
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
    let tenant = portal
        .host()
        .create_tenant("browser", &base_url, demo_settings())
        .await
        .unwrap();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let email = format!("browser-{unique}@example.com");
    let host = portal.host();
    let acct = host
        .upsert_account(
            tenant.id,
            &account(
                "BR-1",
                "7001",
                "Chromium Cafe",
                &email,
                "555-0700-01",
                "70001",
                true,
            ),
        )
        .await
        .unwrap();
    let person = host
        .upsert_contact(tenant.id, &contact("br", "Grace Hopper", &email, None))
        .await
        .unwrap();
    host.grant_membership(tenant.id, person.id, acct.id, Role::Primary)
        .await
        .unwrap();

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
    let app = Router::new().nest(
        "/portal",
        router(portal, HttpConfig::single_tenant("browser")),
    );
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = walk(&browser, &base_url, &email, &maildir).await;
    browser.close().await.ok();
    outcome.unwrap();
}

async fn walk(
    browser: &fantoccini::Client,
    base_url: &str,
    email: &str,
    maildir: &str,
) -> Result<(), fantoccini::error::CmdError> {
    // Register: ask for the link with the e-mail on file.
    browser.goto(&format!("{base_url}login")).await?;
    browser
        .find(Locator::LinkText(
            "New here? Register with the email we have on file",
        ))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Id("email"))
        .await?
        .send_keys(email)
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
    assert!(notice.contains("we have sent a link"), "{notice}");

    // Read the link from the mail the SMTP server received.
    let link = portal_mail::testing::wait_for_link(
        std::path::Path::new(maildir),
        email,
        Duration::from_secs(20),
    )
    .await
    .expect("the set-password mail arrives at the SMTP server");
    assert!(
        link.starts_with(&format!("{base_url}set-password?token=")),
        "{link}"
    );

    browser.goto(&link).await?;
    browser
        .find(Locator::Id("password"))
        .await?
        .send_keys(crate::harness::PASSWORD)
        .await?;
    browser
        .find(Locator::Id("password_confirm"))
        .await?
        .send_keys(crate::harness::PASSWORD)
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
    assert!(notice.contains("Your password is set"), "{notice}");

    // Log in and see the dashboard.
    log_in(browser, base_url, email).await?;
    let heading = browser.find(Locator::Css("main h1")).await?.text().await?;
    assert_eq!(heading, "Welcome, Grace Hopper");
    let page = browser.source().await?;
    assert!(page.contains("Unpaid invoices") && page.contains("Recent communications"));
    assert_eq!(
        browser.current_url().await?.as_str(),
        format!("{base_url}dashboard")
    );

    // Log out.
    browser
        .find(Locator::XPath(
            "//button[starts-with(normalize-space(.), 'Log out')]",
        ))
        .await?
        .click()
        .await?;
    let notice = browser
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await?
        .text()
        .await?;
    assert_eq!(notice, "You have logged out.");
    browser.goto(&format!("{base_url}dashboard")).await?;
    assert!(
        browser
            .current_url()
            .await?
            .as_str()
            .contains("/portal/login?next="),
        "logged out for real"
    );
    Ok(())
}
