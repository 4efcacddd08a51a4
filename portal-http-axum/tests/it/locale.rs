//! Money and dates the tenant's way: a Spanish business in Madrid billing
//! in euros shows `518,47 €` and Spanish dates on its pages, PDF and
//! receipt mail, while the JSON API keeps machine amounts.

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use portal_core::billing::{InvoiceLine, InvoiceUpsert};
use portal_core::outbox::EmailKind;
use portal_core::shared::{Currency, ExternalId};
use portal_core::tenancy::PortalSettings;

use crate::billing_pages::{VISA, ada_app, pay};
use crate::harness::{TestApp, demo_settings, get_request};

fn spanish() -> PortalSettings {
    let mut settings = demo_settings();
    settings.locale = "es-ES".into();
    settings.currency = "EUR".into();
    settings.time_zone = "Europe/Madrid".into();
    settings
}

async fn euro_invoice(app: &TestApp, cents: i64) -> portal_core::billing::Invoice {
    let eur = Currency::parse("EUR").unwrap();
    app.portal
        .host()
        .upsert_invoice(
            app.tenant_id(),
            &InvoiceUpsert {
                external_id: ExternalId::parse("F-1").unwrap(),
                account: app.seeded.account_a,
                number: "F-1".into(),
                issued_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                due_on: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
                currency: eur,
                lines: vec![InvoiceLine {
                    description: "Tratamiento".into(),
                    quantity: Decimal::ONE,
                    unit_price: eur.from_minor(cents),
                    tax_rate: Decimal::ZERO,
                }],
                memo: None,
                pdf: None,
            },
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_spanish_tenant_shows_euros_and_dates_as_spain_writes_them() {
    let app = ada_app(spanish()).await;
    let invoice = euro_invoice(&app, 51_847).await;
    let mut ada = app.logged_in("ada@example.com").await;

    for path in [
        "/portal/billing",
        "/portal/billing/invoices",
        "/portal/dashboard",
    ] {
        let page = ada.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("518,47\u{a0}€"), "{path}: {}", page.body);
        assert!(!page.body.contains("518.47"), "{path}: {}", page.body);
        assert!(!page.body.contains("EUR</"), "{path}: {}", page.body);
    }
    // Dates in the reader's language, in Spain's order: an English
    // reader reads "4 Dec 2026", a Spanish one "4 dic 2026".
    let list = ada.get("/portal/billing/invoices").await;
    assert!(list.body.contains("4 Dec 2026"), "{}", list.body);
    ada.languages = Some("es");
    let list = ada.get("/portal/billing/invoices").await;
    assert!(list.body.contains("4 dic 2026"), "{}", list.body);
    ada.languages = None;

    let pdf = ada
        .get(&format!("/portal/billing/invoices/{}/pdf", invoice.id))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    // "518,47 €" in WinAnsi (no-break space A0, euro 80), written as hex.
    assert!(
        pdf.body.contains("3531382C3437A080"),
        "the PDF shows the amount the Spanish way: {}",
        pdf.body
    );

    // The API keeps machine amounts.
    let token = app.api_token("ada@example.com").await;
    let api = app
        .send(get_request(
            &format!("/portal/api/v1/invoices/{}", invoice.id),
            Some(&token),
        ))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json = api.json();
    assert_eq!(json["balance"], "518.47", "{json}");
    assert_eq!(json["currency"], "EUR", "{json}");
}

#[tokio::test]
async fn a_receipt_mail_of_a_spanish_tenant_is_in_euros_and_madrid_time() {
    let app = ada_app(spanish()).await;
    let invoice = euro_invoice(&app, 51_847).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (reply, _) = pay(&mut ada, &[invoice.id], &[VISA]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);

    app.deliver_mail().await;
    let receipt = app
        .mailbox
        .to("ada@example.com")
        .into_iter()
        .find(|mail| matches!(mail.kind, EmailKind::PaymentReceipt(_)))
        .expect("a receipt was mailed");
    assert_eq!(receipt.locale.as_str(), "es-ES");
    assert_eq!(receipt.time_zone, "Europe/Madrid");
    let rendered = portal_mail::render(&receipt).unwrap();
    for body in [&rendered.text, &rendered.html] {
        assert!(body.contains("518,47\u{a0}€"), "{body}");
        assert!(
            body.contains(" CET"),
            "the time is in Madrid's zone: {body}"
        );
        assert!(!body.contains("UTC") && !body.contains("518.47"), "{body}");
    }
}

#[tokio::test]
async fn the_host_cannot_set_a_locale_or_currency_that_is_not_one() {
    let app = TestApp::new().await;
    let host = app.portal.host();
    let tenant = &app.seeded.tenant;
    for (locale, currency, field) in [
        ("en_US", "USD", "locale"),
        ("klingon please", "USD", "locale"),
        ("es-ES", "EURO", "currency"),
        ("es-ES", "ABC", "currency"),
    ] {
        let mut settings = demo_settings();
        settings.locale = locale.into();
        settings.currency = currency.into();
        let refused = host
            .update_tenant(tenant.id, tenant.base_url.as_str(), settings)
            .await;
        match refused {
            Err(portal_core::PortalError::InvalidInput { field: got, .. }) => {
                assert_eq!(got, field, "{locale} {currency}")
            }
            other => panic!("{locale} {currency}: {other:?}"),
        }
    }
    let unchanged = app.portal.tenant(tenant.id).await.unwrap();
    assert_eq!(unchanged.settings.locale, "en-US");
}
