//! The quote pages: the list by status, a quote with its forms, approving
//! with a typed signature (evidence kept, the host told), declining, the
//! refusals (no name, expired, decided, changed since shown: a clear
//! message and nothing written), the PDF and certificate, isolation and
//! the feature switch.

use axum::http::{StatusCode, header};
use chrono::NaiveDate;

use portal_core::shared::QuoteId;

use crate::harness::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn december(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

/// The digest the quote page carries in its approval form.
fn shown_digest(body: &str) -> String {
    let marker = "name=\"content_sha256\" value=\"";
    let start = body.find(marker).expect("the approval form's digest") + marker.len();
    body[start..start + 64].to_owned()
}

async fn status_of(app: &TestApp, id: QuoteId) -> String {
    sqlx::query_scalar::<_, String>("SELECT status FROM quotes WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_list_shows_each_status_and_filters_by_it() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.quote(a, "Q-1", december(31)).await;
    app.quote(a, "Q-2", day(20)).await; // expired on the 23rd
    let mut ada = app.logged_in("ada@example.com").await;
    let list = ada.get("/portal/quotes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("2 quotes"), "{}", list.body);
    assert!(list.body.contains("Awaiting approval") && list.body.contains("Expired"));
    assert!(list.body.contains("400.00"));
    let pending = ada.get("/portal/quotes?status=pending").await;
    assert!(pending.body.contains("Q-1") && !pending.body.contains(">Q-2<"));
    let expired = ada.get("/portal/quotes?status=expired").await;
    assert!(expired.body.contains(">Q-2<") && !expired.body.contains(">Q-1<"));
    let wrong = ada.get("/portal/quotes?status=open").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&wrong.body, "status").contains("not one of the choices"));
    // The navigation links to the quotes.
    assert!(
        ada.get("/portal/dashboard")
            .await
            .body
            .contains("/portal/quotes\">Quotes</a>")
    );
}

#[tokio::test]
async fn approving_with_a_typed_signature_keeps_the_evidence_and_tells_the_host() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-7", december(31)).await;
    // From a known address, which the evidence keeps.
    let mut ada = app.browser_at("203.0.113.9");
    ada.get("/portal/login").await;
    let login = ada.submit_login("ada@example.com", PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let path = format!("/portal/quotes/{}", quote.id);
    let page = ada.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Aerate and overseed",
        "Half on approval",
        "Starter fertiliser",
        "Optional",
        "450.00",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let digest = shown_digest(&page.body);
    assert_eq!(digest, quote.content_sha256);
    let approved = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &digest),
                ("optional_line", "1"),
                ("signer_name", "  Ada Lovelace "),
                ("po_number", "PO-7731"),
                ("comment", "Please start on Monday."),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    assert_eq!(approved.location(), format!("{path}?done=approved"));
    let after = ada.get(approved.location()).await;
    assert!(after.body.contains("the quote is approved"));
    assert!(after.body.contains("Signed by</dt><dd>Ada Lovelace"));
    assert!(after.body.contains("PO-7731"));
    assert!(after.body.contains("Optional, chosen"));
    assert!(
        after.body.contains("450.00"),
        "the chosen option is in the total"
    );
    assert!(
        !after.body.contains("Approve quote"),
        "decided: no more forms"
    );
    assert_eq!(status_of(&app, quote.id).await, "approved");
    assert_eq!(app.outbox_rows("quote_approved").await, 1);

    let certificate = ada.get(&format!("{path}/certificate")).await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert_eq!(certificate.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(certificate.body.starts_with("%PDF-"));
    for text in ["Ada Lovelace", "PO-7731", "SHA-256", "portal-quote-v1"] {
        assert!(certificate.body.contains(text), "{text}");
    }
    let detail = app
        .portal
        .quotes()
        .quote(
            &portal_core::access::Actor::Contact(portal_core::access::ContactActor {
                tenant: app.tenant_id(),
                contact: app.seeded.ada,
                account: app.seeded.account_a,
                role: portal_core::access::Role::Primary,
                session: portal_core::shared::SessionId::new(),
                client: Default::default(),
            }),
            quote.id,
        )
        .await
        .unwrap();
    let approval = detail.approval.unwrap();
    assert_eq!(approval.signer_name, "Ada Lovelace");
    assert_eq!(approval.chosen_lines, vec![1]);
    assert_eq!(approval.client_ip, "203.0.113.9");
    assert!(certificate.body.contains(&approval.content_sha256));

    // Once is all: approving or declining again is a clear conflict.
    let again = ada
        .post_form(
            &format!("{path}/approve"),
            &[("content_sha256", &digest), ("signer_name", "Ada Lovelace")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Quote Q-7 was already approved."));
    let decline = ada
        .post_form(&format!("{path}/decline"), &[("reason", "Changed my mind")])
        .await;
    assert_eq!(decline.status, StatusCode::CONFLICT);
    assert_eq!(app.outbox_rows("quote_approved").await, 1);
    assert_eq!(app.outbox_rows("quote_declined").await, 0);
}

#[tokio::test]
async fn approving_without_a_name_is_refused_at_the_input_and_writes_nothing() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-8", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let path = format!("/portal/quotes/{}", quote.id);
    let digest = shown_digest(&ada.get(&path).await.body);
    let refused = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &digest),
                ("optional_line", "1"),
                ("signer_name", "   "),
                ("po_number", "PO-1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&refused.body, "signer_name").contains("is required"));
    assert!(
        refused.body.contains("value=\"PO-1\""),
        "what was typed stays"
    );
    assert!(
        refused.body.contains("value=\"1\" checked"),
        "what was ticked stays"
    );
    let required_line = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &digest),
                ("optional_line", "0"),
                ("signer_name", "Ada"),
            ],
        )
        .await;
    assert_eq!(required_line.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status_of(&app, quote.id).await, "pending");
    assert_eq!(app.outbox_rows("\"event\":\"quote_").await, 0);
}

#[tokio::test]
async fn an_expired_or_changed_quote_is_a_conflict_and_writes_nothing() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    let quote = app.quote(a, "Q-9", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let path = format!("/portal/quotes/{}", quote.id);
    let digest = shown_digest(&ada.get(&path).await.body);
    // The host changes it while the customer reads.
    app.quote(a, "Q-9", december(30)).await;
    let changed = ada
        .post_form(
            &format!("{path}/approve"),
            &[("content_sha256", &digest), ("signer_name", "Ada Lovelace")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::CONFLICT);
    assert!(
        changed.body.contains("was changed since you opened it"),
        "{}",
        changed.body
    );
    assert_ne!(
        shown_digest(&changed.body),
        digest,
        "the page shows the new content"
    );

    let expired = app.quote(a, "Q-10", day(22)).await;
    let path = format!("/portal/quotes/{}", expired.id);
    let page = ada.get(&path).await;
    assert!(page.body.contains("Expired") && !page.body.contains("Approve quote"));
    let late = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &expired.content_sha256),
                ("signer_name", "Ada Lovelace"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("has expired"));
    assert_eq!(status_of(&app, quote.id).await, "pending");
    assert_eq!(status_of(&app, expired.id).await, "pending");
    assert_eq!(app.outbox_rows("\"event\":\"quote_").await, 0);
}

#[tokio::test]
async fn declining_needs_a_reason_and_tells_the_host() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-11", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let path = format!("/portal/quotes/{}", quote.id);
    ada.get(&path).await;
    let blank = ada
        .post_form(&format!("{path}/decline"), &[("reason", " ")])
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&blank.body, "reason").contains("is required"));
    assert_eq!(app.outbox_rows("quote_declined").await, 0);
    let declined = ada
        .post_form(&format!("{path}/decline"), &[("reason", "Too dear for us")])
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER);
    let page = ada.get(declined.location()).await;
    assert!(page.body.contains("Too dear for us") && page.body.contains("Declined"));
    assert_eq!(status_of(&app, quote.id).await, "declined");
    assert_eq!(app.outbox_rows("quote_declined").await, 1);
    let no_certificate = ada.get(&format!("{path}/certificate")).await;
    assert_eq!(no_certificate.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_accounts_quote_its_pdf_and_certificate_are_404_and_cannot_be_decided() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let bobs = app.quote(app.seeded.account_b, "Q-B", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let path = format!("/portal/quotes/{}", bobs.id);
    for suffix in ["", "/pdf", "/certificate"] {
        let page = ada.get(&format!("{path}{suffix}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{suffix}");
        assert!(!page.body.contains("Q-B"));
    }
    let approve = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &bobs.content_sha256),
                ("signer_name", "Ada"),
            ],
        )
        .await;
    assert_eq!(approve.status, StatusCode::NOT_FOUND);
    let decline = ada
        .post_form(&format!("{path}/decline"), &[("reason", "No")])
        .await;
    assert_eq!(decline.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ada.get("/portal/quotes/not-an-id").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!ada.get("/portal/quotes").await.body.contains("Q-B"));
    assert_eq!(status_of(&app, bobs.id).await, "pending");
    assert_eq!(app.outbox_rows("\"event\":\"quote_").await, 0);
}

#[tokio::test]
async fn the_quote_pdf_has_its_lines_and_totals() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-12", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let pdf = ada.get(&format!("/portal/quotes/{}/pdf", quote.id)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    for text in [
        "Quote Q-12",
        "Aeration and overseeding",
        "Starter fertiliser (optional)",
        "400.00",
        "Terms",
    ] {
        assert!(pdf.body.contains(text), "{text}");
    }
}

#[tokio::test]
async fn the_dashboard_shows_quotes_awaiting_approval_nearest_to_expire() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let a = app.seeded.account_a;
    app.quote(a, "Q-LATER", december(31)).await;
    let soon = app.quote(a, "Q-SOON", day(28)).await;
    app.quote(a, "Q-GONE", day(1)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/dashboard").await;
    assert!(
        page.body
            .contains("Quotes awaiting approval <span class=\"badge\">2</span>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!(
        "The nearest to expire, <a href=\"/portal/quotes/{}\">Q-SOON</a>, is valid until Nov 28, 2026.",
        soon.id
    )));
    assert!(!page.body.contains("Q-GONE"));
}

#[tokio::test]
async fn with_quotes_switched_off_the_pages_are_refused_and_not_linked() {
    let mut settings = demo_settings();
    settings.features.quotes = false;
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-13", december(31)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert_eq!(
        ada.get("/portal/quotes").await.status,
        StatusCode::FORBIDDEN
    );
    let path = format!("/portal/quotes/{}", quote.id);
    assert_eq!(ada.get(&path).await.status, StatusCode::FORBIDDEN);
    let approve = ada
        .post_form(
            &format!("{path}/approve"),
            &[
                ("content_sha256", &quote.content_sha256),
                ("signer_name", "Ada"),
            ],
        )
        .await;
    assert_eq!(approve.status, StatusCode::FORBIDDEN);
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(!dashboard.body.contains("Quotes awaiting approval"));
    assert!(!dashboard.body.contains("/portal/quotes\""));
    assert_eq!(status_of(&app, quote.id).await, "pending");
}
