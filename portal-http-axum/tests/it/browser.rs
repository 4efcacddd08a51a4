//! The browser test: a real server on loopback, headless Chromium through
//! chromedriver, mail through a real SMTP server. Registers through the
//! e-mailed link, logs in, sees the dashboard, logs out.
//!
//! Needs PORTAL_TEST_WEBDRIVER (chromedriver's URL), PORTAL_TEST_CHROMIUM,
//! PORTAL_TEST_SMTP_ADDR and PORTAL_TEST_MAILDIR, all set by
//! `scripts/test.sh` (and PORTAL_TEST_AXE for the walk over every page).
//! Missing variables fail the test: it is never skipped.

#[tokio::test]
async fn a_customer_registers_from_the_mailed_link_logs_in_and_out_in_chromium() {
    crate::browser_flow::run().await;
}

#[tokio::test]
async fn a_customer_pays_two_of_three_invoices_with_a_sandbox_card_in_chromium() {
    crate::browser_billing::run().await;
}

#[tokio::test]
async fn every_page_fits_a_phone_and_a_desktop_with_no_axe_violations_in_english() {
    crate::browser_walk::walk_in("en").await;
}

#[tokio::test]
async fn every_page_fits_a_phone_and_a_desktop_with_no_axe_violations_in_spanish() {
    crate::browser_walk::walk_in("es").await;
}

#[tokio::test]
async fn the_pay_forms_running_total_follows_ticks_and_amounts_in_chromium() {
    crate::forms::running_total_in_chromium().await;
}

#[tokio::test]
async fn a_customer_approves_a_quote_with_a_typed_signature_in_chromium() {
    crate::browser_quotes::run().await;
}

#[tokio::test]
async fn a_customer_opens_a_ticket_with_a_photo_and_downloads_it_in_chromium() {
    crate::browser_tickets::run().await;
}

#[tokio::test]
async fn a_customer_calls_off_rent_and_sees_it_pending_in_chromium() {
    crate::browser_call_off::run().await;
}

#[tokio::test]
async fn a_primary_contact_adds_a_colleague_who_accepts_the_mailed_invitation_in_chromium() {
    crate::browser_contacts::run().await;
}

#[tokio::test]
async fn a_customer_asks_for_service_with_a_photo_and_downloads_it_in_chromium() {
    crate::browser_requests::run().await;
}
