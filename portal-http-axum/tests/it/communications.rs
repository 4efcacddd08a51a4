//! The communications log: the host records entries by its id (again
//! updates), the dashboard shows the latest with a link to all, the page
//! and the API list them latest first, host text is shown as text, and
//! another account's entries are never shown.

use axum::http::StatusCode;
use portal_core::communications::CommunicationRecord;
use portal_core::shared::{AccountId, ExternalId};

use crate::harness::*;

fn record(account: AccountId, id: &str, subject: &str, body: &str) -> CommunicationRecord {
    CommunicationRecord {
        direction: Some("inbound".into()),
        staff_name: Some("Grace".into()),
        ..CommunicationRecord::new(
            ExternalId::parse(id).unwrap(),
            account,
            "call",
            subject,
            body,
            chrono::Utc::now(),
        )
    }
}

#[tokio::test]
async fn the_log_lists_the_accounts_entries_escaped_and_a_second_record_updates_the_first() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let host = app.portal.host();
    let tenant = app.tenant_id();
    host.record_communication(
        tenant,
        &record(app.seeded.account_a, "c-1", "Asked to move", "x"),
    )
    .await
    .unwrap();
    host.record_communication(
        tenant,
        &record(
            app.seeded.account_a,
            "c-1",
            "Moved the visit",
            "<script>alert(1)</script>",
        ),
    )
    .await
    .unwrap();
    host.record_communication(
        tenant,
        &record(app.seeded.account_b, "c-2", "Bob's secret", ""),
    )
    .await
    .unwrap();

    let mut ada = app.logged_in("ada@example.com").await;
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(dashboard.body.contains("Moved the visit"));
    assert!(
        dashboard.body.contains("Phone call"),
        "the channel in words"
    );
    assert!(dashboard.body.contains("/portal/communications"));
    let page = ada.get("/portal/communications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("Moved the visit").count(), 1);
    assert!(!page.body.contains("Asked to move"), "updated in place");
    assert!(
        page.body.contains("Phone call · from you · Grace"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(!page.body.contains("Bob's secret"));

    let token = app.api_token("ada@example.com").await;
    let api = app
        .send(get_request("/portal/api/v1/communications", Some(&token)))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    assert_eq!(json["total"], 1);
    assert_eq!(json["items"][0]["body"], "<script>alert(1)</script>");
    assert_eq!(json["items"][0]["direction"], "inbound");
    let bad = app
        .send(get_request(
            "/portal/api/v1/communications?page=x",
            Some(&token),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_records_are_refused_naming_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    let host = app.portal.host();
    let tenant = app.tenant_id();
    let good = record(app.seeded.account_a, "c-1", "Call", "");
    for (bad, field) in [
        (
            CommunicationRecord {
                channel: "fax".into(),
                ..good.clone()
            },
            "channel",
        ),
        (
            CommunicationRecord {
                direction: Some("sideways".into()),
                ..good.clone()
            },
            "direction",
        ),
        (
            CommunicationRecord {
                subject: " ".into(),
                ..good.clone()
            },
            "subject",
        ),
        (
            CommunicationRecord {
                subject: "a\nb".into(),
                ..good.clone()
            },
            "subject",
        ),
        (
            CommunicationRecord {
                body: "x".repeat(10_001),
                ..good.clone()
            },
            "body",
        ),
    ] {
        let error = host.record_communication(tenant, &bad).await.unwrap_err();
        assert!(
            matches!(error, portal_core::PortalError::InvalidInput { field: f, .. } if f == field),
            "{field}: {error:?}"
        );
    }
    let foreign = CommunicationRecord {
        account: AccountId::new(),
        ..good
    };
    assert!(matches!(
        host.record_communication(tenant, &foreign).await,
        Err(portal_core::PortalError::NotFound)
    ));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM communications")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}
