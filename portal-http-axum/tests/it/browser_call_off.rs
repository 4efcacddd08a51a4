//! The call-off browser flow behind `browser.rs`: on a phone-sized window,
//! log in, open a rental contract, call off its generators with a pickup
//! day and a note, see the call-off pending, and find it pending among
//! the account's requests.

use fantoccini::Locator;
use fantoccini::error::CmdError;

use portal_core::rentals::ContractStatus;

use crate::browser_flow::{log_in, open_chromium, required, serve};
use crate::harness::TestApp;
use crate::rentals::rental_settings;

pub async fn run() {
    let webdriver = required("PORTAL_TEST_WEBDRIVER");
    let chromium = required("PORTAL_TEST_CHROMIUM");

    let app = TestApp::with_settings(rental_settings()).await;
    app.register("ada@example.com").await;
    let contract = app
        .rental_contract(app.seeded.account_a, "RC-1", ContractStatus::Open)
        .await;
    let base = serve(&app).await;

    let (browser, _profile) = open_chromium(&webdriver, &chromium).await;
    let contract_page = format!("{base}rentals/{}", contract.id);
    let outcome = call_off_the_generators(&browser, &base, &contract_page).await;
    browser.close().await.ok();
    outcome.unwrap();
    let pending = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM service_requests WHERE kind = 'call_off' AND status = 'pending'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(pending, 1);
    assert_eq!(app.outbox_rows("rental_call_off_requested").await, 1);
}

async fn call_off_the_generators(
    browser: &fantoccini::Client,
    base: &str,
    contract_page: &str,
) -> Result<(), CmdError> {
    // A phone: 390 px wide.
    browser.set_window_size(390, 844).await?;
    log_in(browser, base, "ada@example.com").await?;

    browser.goto(contract_page).await?;
    browser
        .find(Locator::Css("a.button[href$='/call-off']"))
        .await?
        .click()
        .await?;
    let page = browser.source().await?;
    assert!(page.contains("Generator 20 kVA"), "{page}");

    // Both generators (the first item offered), none of the spreaders.
    let generators = browser.find(Locator::Id("quantity_0")).await?;
    generators.clear().await?;
    generators.send_keys("2").await?;
    // The date control's typing order follows the browser's locale; the
    // value a date input submits is always ISO.
    browser
        .execute(
            "document.getElementById('pickup_on').value = arguments[0]",
            vec![serde_json::json!("2026-11-25")],
        )
        .await?;
    browser
        .find(Locator::Id("notes"))
        .await?
        .send_keys("By the back gate")
        .await?;
    browser
        .find(Locator::XPath(
            "//button[normalize-space()='Send the call-off']",
        ))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::XPath(
            "//*[contains(., 'Your call-off was sent.')][@role='status']",
        ))
        .await?;
    let page = browser.source().await?;
    for text in ["Requested", "Generator 20 kVA", "By the back gate"] {
        assert!(page.contains(text), "{text}: {page}");
    }

    // Listed among the account's open requests, still pending.
    browser.goto(&format!("{base}requests?status=open")).await?;
    let row = browser
        .find(Locator::XPath("//tr[contains(., 'Call off rent')]"))
        .await?
        .text()
        .await?;
    assert!(row.contains("RC-1") && row.contains("Received"), "{row}");
    Ok(())
}
