//! The service request browser flow behind `browser.rs`: on a phone-sized
//! window, log in, ask for service with a photo attached through the file
//! input, see the request pending with the photo listed, and download the
//! photo (fetched by the page, with the session's cookie) byte for byte.

use fantoccini::Locator;
use fantoccini::error::CmdError;

use crate::browser_flow::{fetch_first_download, log_in, open_chromium, required, serve};
use crate::browser_tickets::PNG;
use crate::harness::{TestApp, stored_files};
use crate::jobs::jobs_settings;

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");

    let app = TestApp::with_settings(jobs_settings()).await;
    app.register("ada@example.com").await;
    let base = serve(&app).await;
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("wasp-nest.png");
    std::fs::write(&photo, PNG).unwrap();

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = ask_with_a_photo(&browser, &base, &photo).await;
    browser.close().await.ok();
    let downloaded = outcome.unwrap();
    assert_eq!(downloaded, PNG, "the photo comes back byte for byte");
    assert_eq!(app.outbox_rows("service_requested").await, 1);
    assert_eq!(stored_files(&app), 2, "the photo and what is kept about it");
}

/// Asks for service with the photo and returns its bytes as downloaded.
async fn ask_with_a_photo(
    browser: &fantoccini::Client,
    base: &str,
    photo: &std::path::Path,
) -> Result<Vec<u8>, CmdError> {
    browser.set_window_size(390, 844).await?;
    log_in(browser, base, "ada@example.com").await?;
    browser.goto(&format!("{base}requests/new/service")).await?;
    browser
        .find(Locator::Id("description"))
        .await?
        .send_keys("A wasp nest under the porch roof.")
        .await?;
    browser
        .find(Locator::Id("file"))
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    browser
        .find(Locator::XPath("//button[normalize-space()='Send request']"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::XPath(
            "//*[contains(., 'We have your request')][@role='status']",
        ))
        .await?;
    let page = browser.source().await?;
    assert!(page.contains("A wasp nest under the porch roof."));
    assert!(
        page.contains("Received"),
        "pending until the business answers"
    );
    assert!(page.contains("wasp-nest.png"));

    let (fetched, bytes) = fetch_first_download(browser).await?;
    assert_eq!(fetched["status"], 200, "{fetched}");
    assert_eq!(fetched["type"], "image/png");
    assert!(
        fetched["disposition"]
            .as_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"wasp-nest.png\"")
    );
    Ok(bytes)
}
