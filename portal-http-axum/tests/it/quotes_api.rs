//! The quotes API: list, detail, approving and declining with problem+json
//! refusals, PDFs, and isolation.

use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use serde_json::json;

use crate::harness::*;

fn december(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

#[tokio::test]
async fn a_client_lists_reads_and_approves_a_quote_once() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-20", december(31)).await;
    let token = app.api_token("ada@example.com").await;
    let list = app
        .send(get_request(
            "/portal/api/v1/quotes?status=pending",
            Some(&token),
        ))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["status"], "pending");
    assert_eq!(list["items"][0]["total"], "400.00");
    assert_eq!(list["items"][0]["currency"], "USD");

    let path = format!("/portal/api/v1/quotes/{}", quote.id);
    let detail = app.send(get_request(&path, Some(&token))).await.json();
    assert_eq!(detail["lines"][1]["optional"], true);
    assert_eq!(detail["terms"], "Half on approval, half on completion.");
    let digest = detail["quote"]["content_sha256"]
        .as_str()
        .unwrap()
        .to_owned();

    let approval = json!({
        "signer_name": "Ada Lovelace",
        "po_number": "PO-1",
        "optional_lines": [1],
        "content_sha256": digest,
    });
    let approved = app
        .send(json_request(
            "POST",
            &format!("{path}/approval"),
            Some(&token),
            &approval,
        ))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.json()["status"], "approved");
    assert_eq!(approved.json()["approved_total"], "450.00");
    assert_eq!(app.outbox_rows("quote_approved").await, 1);

    let again = app
        .send(json_request(
            "POST",
            &format!("{path}/approval"),
            Some(&token),
            &approval,
        ))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.json()["type"],
        "https://portal.invalid/problems/conflict"
    );
    assert_eq!(again.json()["detail"], "Quote Q-20 was already approved.");
    let detail = app.send(get_request(&path, Some(&token))).await.json();
    assert_eq!(detail["approval"]["signer_name"], "Ada Lovelace");
    assert_eq!(detail["approval"]["chosen_lines"], json!([1]));
    assert_eq!(detail["lines"][1]["chosen"], true);
    assert_eq!(detail["total"], "450.00");
    let certificate = app
        .send(get_request(&format!("{path}/certificate"), Some(&token)))
        .await;
    assert_eq!(certificate.status, StatusCode::OK);
    assert_eq!(certificate.headers[header::CONTENT_TYPE], "application/pdf");

    // The host reads the evidence and draws its own copy of the certificate.
    let external = portal_core::shared::ExternalId::parse("Q-20").unwrap();
    let detail = app
        .portal
        .host()
        .quote_detail(app.tenant_id(), &external)
        .await
        .unwrap()
        .unwrap();
    let approval = detail.approval.as_ref().unwrap();
    assert_eq!(approval.po_number.as_deref(), Some("PO-1"));
    let formats = portal_core::shared::Formats::fallback();
    let heading = portal_http_axum::Heading {
        business: "Acme Pest Control",
        account: "Ada's Bakery (1001)",
        t: portal_i18n::Messages::new(portal_i18n::Language::English),
        formats: &formats,
    };
    let pdf = portal_http_axum::quote_certificate(
        &heading,
        &detail,
        chrono_tz::UTC,
        portal_http_axum::Paper::Letter,
    );
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.starts_with("%PDF-") && text.contains("Ada Lovelace"));
    assert!(text.contains(&approval.content_sha256));
}

#[tokio::test]
async fn bad_approvals_are_422_naming_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-21", december(31)).await;
    let token = app.api_token("ada@example.com").await;
    let path = format!("/portal/api/v1/quotes/{}/approval", quote.id);
    for (body, field) in [
        (
            json!({"signer_name": " ", "content_sha256": quote.content_sha256}),
            "signer_name",
        ),
        (
            json!({"signer_name": "Ada", "content_sha256": "abc"}),
            "content_sha256",
        ),
        (
            json!({"signer_name": "Ada", "optional_lines": [0], "content_sha256": quote.content_sha256}),
            "optional_lines",
        ),
        (
            json!({"signer_name": "Ada", "po_number": "x".repeat(65), "content_sha256": quote.content_sha256}),
            "po_number",
        ),
    ] {
        let reply = app
            .send(json_request("POST", &path, Some(&token), &body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.json()["field"], field, "{body}");
    }
    let stale = json!({"signer_name": "Ada", "content_sha256": "0".repeat(64)});
    let reply = app
        .send(json_request("POST", &path, Some(&token), &stale))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    let no_reason = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/quotes/{}/decline", quote.id),
            Some(&token),
            &json!({"reason": ""}),
        ))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.outbox_rows("\"event\":\"quote_").await, 0);
    let still = app
        .send(get_request(
            &format!("/portal/api/v1/quotes/{}", quote.id),
            Some(&token),
        ))
        .await
        .json();
    assert_eq!(still["quote"]["status"], "pending");
}

#[tokio::test]
async fn declining_over_the_api_tells_the_host() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-22", december(31)).await;
    let token = app.api_token("ada@example.com").await;
    let reply = app
        .send(json_request(
            "POST",
            &format!("/portal/api/v1/quotes/{}/decline", quote.id),
            Some(&token),
            &json!({"reason": "Not this year"}),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["status"], "declined");
    assert_eq!(app.outbox_rows("quote_declined").await, 1);
}

#[tokio::test]
async fn another_accounts_quote_is_404_on_every_operation() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let bobs = app.quote(app.seeded.account_b, "Q-B2", december(31)).await;
    let token = app.api_token("ada@example.com").await;
    let path = format!("/portal/api/v1/quotes/{}", bobs.id);
    for suffix in ["", "/pdf", "/certificate"] {
        let reply = app
            .send(get_request(&format!("{path}{suffix}"), Some(&token)))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{suffix}");
    }
    let approve = app
        .send(json_request(
            "POST",
            &format!("{path}/approval"),
            Some(&token),
            &json!({"signer_name": "Ada", "content_sha256": bobs.content_sha256}),
        ))
        .await;
    assert_eq!(approve.status, StatusCode::NOT_FOUND);
    let decline = app
        .send(json_request(
            "POST",
            &format!("{path}/decline"),
            Some(&token),
            &json!({"reason": "No"}),
        ))
        .await;
    assert_eq!(decline.status, StatusCode::NOT_FOUND);
    let list = app
        .send(get_request("/portal/api/v1/quotes", Some(&token)))
        .await
        .json();
    assert_eq!(list["total"], 0);
    assert_eq!(app.outbox_rows("\"event\":\"quote_").await, 0);
}

#[tokio::test]
async fn the_dashboard_api_has_the_quotes_panel() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let quote = app.quote(app.seeded.account_a, "Q-23", december(31)).await;
    let token = app.api_token("ada@example.com").await;
    let dashboard = app
        .send(get_request("/portal/api/v1/dashboard", Some(&token)))
        .await
        .json();
    let panel = &dashboard["pending_quotes"];
    assert_eq!(panel["total"], 1);
    assert_eq!(panel["rows"][0]["id"], quote.id.to_string());
    assert_eq!(panel["rows"][0]["total"], "400.00");
    assert_eq!(panel["rows"][0]["currency"], "USD");
}
