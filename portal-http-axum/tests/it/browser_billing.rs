//! The billing browser flow behind `browser.rs`: log in, pay two of three
//! invoices with a sandbox card, see the receipt and the new balance.

use fantoccini::Locator;
use fantoccini::error::CmdError;

use portal_core::shared::InvoiceId;
use rust_decimal::Decimal;

use crate::browser_flow::{open_chromium, required};
use crate::harness::TestApp;

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");

    // The test app (sandbox gateway, frozen clock) served on loopback.
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    let due = |month, day| chrono::NaiveDate::from_ymd_opt(2026, month, day).unwrap();
    app.invoice(a, "INV-1", 1_000, due(11, 1)).await;
    app.invoice(a, "INV-2", 2_500, due(11, 15)).await;
    let keep = app.invoice(a, "INV-3", 4_000, due(12, 20)).await;
    let base = crate::browser_flow::serve(&app).await;

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let outcome = pay_two_of_three(&browser, &base, keep.id).await;
    browser.close().await.ok();
    outcome.unwrap();
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(app.gateway.charged_total(), Decimal::new(3_500, 2));
}

async fn pay_two_of_three(
    browser: &fantoccini::Client,
    base: &str,
    keep: InvoiceId,
) -> Result<(), CmdError> {
    crate::browser_flow::log_in(browser, base, "ada@example.com").await?;
    let page = browser.source().await?;
    assert!(page.contains("$75.00"), "the dashboard shows the balance");

    // The pay form, reached from the navigation: all three ticked.
    browser
        .find(Locator::LinkText("Pay"))
        .await?
        .click()
        .await?;
    let boxes = browser
        .wait()
        .for_element(Locator::Css("input[name=invoice]"))
        .await?;
    assert!(boxes.is_selected().await?);
    browser
        .find(Locator::Css(&format!(
            "input[name=invoice][value='{keep}']"
        )))
        .await?
        .click()
        .await?;
    browser
        .find(Locator::Id("token"))
        .await?
        .send_keys("tok_sandbox_visa")
        .await?;
    browser
        .find(Locator::XPath(
            "//button[normalize-space(.)='Review payment']",
        ))
        .await?
        .click()
        .await?;
    // The review says what will be charged before anything is.
    let review = browser
        .wait()
        .for_element(Locator::Id("review-h"))
        .await?
        .text()
        .await?;
    assert_eq!(review, "You are paying $35.00");
    browser
        .find(Locator::XPath(
            "//button[normalize-space(.)='Confirm and pay $35.00']",
        ))
        .await?
        .click()
        .await?;

    let thanks = browser
        .wait()
        .for_element(Locator::Css(".alert.ok"))
        .await?
        .text()
        .await?;
    assert_eq!(thanks, "Thank you! Your payment of $35.00 was received.");
    assert!(
        browser
            .current_url()
            .await?
            .path()
            .contains("/billing/payments/")
    );
    let receipt = browser.source().await?;
    assert!(receipt.contains("INV-1") && receipt.contains("INV-2") && !receipt.contains("INV-3"));

    browser
        .find(Locator::LinkText("Billing"))
        .await?
        .click()
        .await?;
    let balance = browser
        .wait()
        .for_element(Locator::Css(".big"))
        .await?
        .text()
        .await?;
    assert_eq!(balance, "$40.00");
    let page = browser.source().await?;
    assert!(page.contains("$35.00 on Nov 23, 2026"), "the last payment");
    Ok(())
}
