//! The quotes browser flow behind `browser.rs`: on a phone-sized window,
//! log in, open the quote from the navigation, read it, tick an optional
//! line, sign with a typed name, approve, and see it approved with its
//! certificate offered.

use fantoccini::Locator;
use fantoccini::error::CmdError;

use crate::browser_flow::{open_chromium, required};
use crate::harness::TestApp;

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");

    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let december = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let quote = app.quote(app.seeded.account_a, "Q-77", december).await;
    let base = crate::browser_flow::serve(&app).await;

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = approve_with_a_typed_signature(&browser, &base).await;
    browser.close().await.ok();
    outcome.unwrap();
    let status = sqlx::query_scalar::<_, String>(
        "SELECT signer_name FROM quotes WHERE id = $1 AND status = 'approved'",
    )
    .bind(quote.id.as_uuid())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(status, "Ada Lovelace");
    assert_eq!(app.outbox_rows("quote_approved").await, 1);
}

async fn approve_with_a_typed_signature(
    browser: &fantoccini::Client,
    base: &str,
) -> Result<(), CmdError> {
    // A phone: 390 px wide.
    browser.set_window_size(390, 844).await?;
    crate::browser_flow::log_in(browser, base, "ada@example.com").await?;
    assert!(browser.source().await?.contains("Quotes awaiting approval"));

    // On a phone the navigation sits behind the one "Menu".
    browser
        .find(Locator::Css(".menu-phone > summary"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Css(".menu-phone a[href$='/quotes']"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::LinkText("Q-77"))
        .await?
        .click()
        .await?;
    let page = browser.source().await?;
    assert!(page.contains("Aerate and overseed the front lawn."));
    assert!(page.contains("Half on approval, half on completion."));
    // Nothing on the page scrolls sideways on the phone (the browser walk
    // checks every quote page and names any element that is too wide).
    let overflow = browser
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            vec![],
        )
        .await?;
    let wide = browser
        .execute(
            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w).map(e => e.tagName + '.' + e.className + '@' + Math.round(e.getBoundingClientRect().left) + '-' + Math.round(e.getBoundingClientRect().right) + ':' + e.textContent.slice(0,30)).join(' / ')",
            vec![],
        )
        .await?;
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "the page scrolls sideways: {wide}"
    );

    browser
        .find(Locator::Css("input[name=optional_line][value='1']"))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Id("signer_name"))
        .await?
        .send_keys("Ada Lovelace")
        .await?;
    browser
        .find(Locator::Id("po_number"))
        .await?
        .send_keys("PO-9")
        .await?;
    browser
        .find(Locator::XPath(
            "//button[normalize-space()='Approve quote']",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::XPath(
            "//*[contains(., 'the quote is approved')][@role='status']",
        ))
        .await?;
    let page = browser.source().await?;
    assert!(page.contains("Signed by</dt><dd>Ada Lovelace"));
    assert!(page.contains("Optional, chosen"));
    assert!(page.contains("Download approval certificate"));
    Ok(())
}
