//! The tickets browser flow behind `browser.rs`: on a phone-sized window,
//! log in, open "Support" from the menu, open a ticket with a photo
//! attached through the file input, see it listed among the open ones,
//! and download the photo (fetched by the page, with the session's
//! cookie) byte for byte.

use fantoccini::Locator;
use fantoccini::error::CmdError;

use crate::browser_flow::{fetch_first_download, log_in, open_chromium, required, serve};
use crate::harness::{TestApp, stored_files};

/// A small PNG: the signature, a 1x1 image's header, data and end.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00,
    0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");

    let app = TestApp::with_settings(crate::tickets_pages::tickets_settings()).await;
    app.register("ada@example.com").await;
    let base = serve(&app).await;
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("leak-under-sink.png");
    std::fs::write(&photo, PNG).unwrap();

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = open_a_ticket_with_a_photo(&browser, &base, &photo).await;
    browser.close().await.ok();
    let downloaded = outcome.unwrap();
    assert_eq!(downloaded, PNG, "the photo comes back byte for byte");
    assert_eq!(app.outbox_rows("ticket_opened").await, 1);
    assert_eq!(stored_files(&app), 2, "the photo and what is kept about it");
}

/// Opens the ticket and returns the photo's bytes as downloaded.
async fn open_a_ticket_with_a_photo(
    browser: &fantoccini::Client,
    base: &str,
    photo: &std::path::Path,
) -> Result<Vec<u8>, CmdError> {
    browser.set_window_size(390, 844).await?;
    log_in(browser, base, "ada@example.com").await?;
    browser
        .find(Locator::Css(".menu-phone > summary"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Css(".menu-phone a[href$='/tickets']"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::LinkText("Open a ticket"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Css("#category option[value='leak']"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Id("body"))
        .await?
        .send_keys("Water under the kitchen sink since Monday.")
        .await?;
    browser
        .find(Locator::Id("file"))
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    browser
        .find(Locator::XPath("//button[normalize-space()='Open ticket']"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::XPath(
            "//*[contains(., 'Your ticket is open')][@role='status']",
        ))
        .await?;
    let page = browser.source().await?;
    assert!(page.contains("Water under the kitchen sink since Monday."));
    assert!(page.contains("leak-under-sink.png"));

    browser
        .find(Locator::LinkText("All tickets"))
        .await?
        .click()
        .await?;
    let list = browser.source().await?;
    assert!(list.contains("Open tickets"), "listed among the open ones");
    assert!(list.contains("#1 · Water under the kitchen sink since Monday."));
    browser
        .find(Locator::Css("a[href*='/tickets/']:not([href$='/new'])"))
        .await?
        .click()
        .await?;

    // The link is a download; the page fetches it with its own cookie and
    // hands back the status, type, disposition and bytes.
    let (fetched, bytes) = fetch_first_download(browser).await?;
    assert_eq!(fetched["status"], 200, "{fetched}");
    assert_eq!(fetched["type"], "image/png");
    assert!(
        fetched["disposition"]
            .as_str()
            .unwrap_or_default()
            .starts_with("attachment; filename=\"leak-under-sink.png\"")
    );
    Ok(bytes)
}
