//! The billing pages through the router: every page with and without
//! data, paying (one, several, twice with the same key, declined, pending,
//! partial, prepaid), the statement balance, credit, cards, autopay, PDFs,
//! and the walls: other accounts' things are 404, forms need their CSRF
//! token, and roles and feature switches are the facade's.

use axum::http::StatusCode;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use portal_core::access::Role;
use portal_core::billing::{ExternalPayment, IdempotencyKey, InvoiceStatus, PaymentKind};
use portal_core::outbox::EmailKind;
use portal_core::shared::{AccountId, Currency, ExternalId, InvoiceId, Money};
use portal_core::tenancy::PortalSettings;

use crate::harness::{
    Browser, Reply, TestApp, contact, demo_settings, error_at, group_error_at, invalid_inputs,
};

/// Before the test clock's today (2026-11-23): overdue.
pub(crate) fn past() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

/// After today: not yet due.
pub(crate) fn later(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
}

pub(crate) fn usd(cents: i64) -> Decimal {
    Currency::USD.from_minor(cents)
}

/// Settings with the optional billing switches on or off.
pub(crate) fn settings(partial: bool, prepayment: bool, autopay: bool) -> PortalSettings {
    let mut settings = demo_settings();
    settings.features.partial_payment = partial;
    settings.features.prepayment = prepayment;
    settings.features.autopay = autopay;
    settings
}

/// A fresh app with Ada (primary on account A) logged in.
/// The business gives `account` a credit memo of `cents`, applied to nothing.
pub(crate) async fn goodwill_credit(app: &TestApp, account: AccountId, cents: i64) {
    app.portal
        .host()
        .record_payment(
            app.tenant_id(),
            &ExternalPayment {
                external_id: ExternalId::parse("CM-1").unwrap(),
                account,
                kind: PaymentKind::Credit,
                amount: Money::new(usd(cents), Currency::USD),
                received_at: "2026-11-20T10:00:00Z".parse().unwrap(),
                method_label: Some("Credit memo".into()),
                memo: None,
                applied_to: Vec::new(),
            },
        )
        .await
        .unwrap();
}

pub(crate) async fn ada_app(settings: PortalSettings) -> TestApp {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    app
}

/// The value of the hidden (or any) input `name` on a page.
pub(crate) fn field(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {body}"))
        + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

/// Opens the pay form and submits it for `invoices` with `extra` fields.
pub(crate) async fn pay(
    browser: &mut Browser<'_>,
    invoices: &[InvoiceId],
    extra: &[(&str, &str)],
) -> (Reply, String) {
    let form = browser.get("/portal/billing/pay").await;
    // With nothing to pay (and no prepayment) there is no form to read a
    // key from; a made-up one does as well for posting anyway.
    let key = if form.body.contains("name=\"idempotency_key\"") {
        field(&form.body, "idempotency_key")
    } else {
        IdempotencyKey::generate().as_str().to_owned()
    };
    let ids: Vec<String> = invoices.iter().map(ToString::to_string).collect();
    let mut fields: Vec<(&str, &str)> = vec![("idempotency_key", key.as_str())];
    fields.extend(ids.iter().map(|id| ("invoice", id.as_str())));
    if !extra.iter().any(|(name, _)| *name == "method") {
        fields.push(("method", "new"));
    }
    fields.extend_from_slice(extra);
    let reply = browser.post_form("/portal/billing/pay", &fields).await;
    (reply, key)
}

pub(crate) const VISA: (&str, &str) = ("token", "tok_sandbox_visa");

/// The invoice's detail page.
pub(crate) async fn invoice_page(browser: &mut Browser<'_>, id: InvoiceId) -> String {
    let page = browser.get(&format!("/portal/billing/invoices/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
}

#[tokio::test]
async fn every_billing_page_renders_without_data() {
    let app = ada_app(settings(true, true, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let expectations = [
        ("/portal/billing", "You have no unpaid invoices"),
        ("/portal/billing/invoices", "You have no invoices yet"),
        ("/portal/billing/pay", "Invoices to pay"),
        ("/portal/billing/payments", "No payments yet"),
        ("/portal/billing/credit", "You have no account credit"),
        (
            "/portal/billing/statement",
            "Nothing happened on the account",
        ),
        ("/portal/billing/methods", "No cards are on file"),
        ("/portal/billing/autopay", "Autopay needs a card on file"),
        ("/portal/dashboard", "Current balance"),
    ];
    for (path, text) in expectations {
        let page = ada.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains(text), "{path} lacks {text:?}");
    }
    // Nothing owed: the balance preview says so instead of a plan.
    let balance = ada.get("/portal/billing/pay/balance").await;
    assert_eq!(balance.status, StatusCode::CONFLICT);
    assert!(balance.body.contains("Nothing is owed right now."));
    let pdf = ada.get("/portal/billing/statement.pdf").await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(pdf.headers["content-type"], "application/pdf");
}

#[tokio::test]
async fn every_billing_page_renders_with_data() {
    let app = ada_app(settings(true, true, true)).await;
    let a = app.seeded.account_a;
    let old = app.invoice(a, "INV-100", 12_000, past()).await;
    let new = app.invoice(a, "INV-101", 4_550, later(15)).await;
    let mut ada = app.logged_in("ada@example.com").await;

    let summary = ada.get("/portal/billing").await;
    assert!(summary.body.contains("$165.50"), "{}", summary.body);
    assert!(summary.body.contains("INV-100") && summary.body.contains("Overdue"));
    assert!(
        summary
            .body
            .contains(&format!("/portal/billing/pay?invoice={}", old.id))
    );
    let dashboard = ada.get("/portal/dashboard").await;
    assert!(dashboard.body.contains("$165.50") && dashboard.body.contains("Past due"));
    assert!(
        dashboard
            .body
            .contains("href=\"/portal/billing\">Billing</a>")
    );

    let list = ada.get("/portal/billing/invoices").await;
    assert!(list.body.contains("2 invoices") && list.body.contains("INV-101"));
    let detail = invoice_page(&mut ada, old.id).await;
    assert!(detail.body_contains_all(&["Service for INV-100", "$120.00", "Overdue", ">Pay</a>"]));
    let pdf = ada
        .get(&format!("/portal/billing/invoices/{}/pdf", new.id))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));
    assert!(pdf.body.contains("(Invoice INV-101) Tj"));
    assert!(
        pdf.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("invoice-INV-101.pdf")
    );

    // A card on file, a payment with it, then every page again.
    let added = ada
        .post_form(
            "/portal/billing/methods",
            &[("token", "tok_sandbox_visa"), ("make_default", "on")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let methods = ada.get("/portal/billing/methods?done=added").await;
    assert!(
        methods.body.contains("Visa ending 4242") && methods.body.contains("The card was added.")
    );
    let form = ada.get("/portal/billing/pay").await;
    let saved = form
        .body
        .split("name=\"method\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    // A new card typed in while the saved one is chosen is refused, not
    // silently ignored, and nothing is charged.
    let charges = app.gateway.successful_charges();
    let (both, _) = pay(
        &mut ada,
        &[new.id],
        &[("method", saved.as_str()), ("token", "tok_sandbox_decline")],
    )
    .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        both.body.contains("a new card was entered too"),
        "{}",
        both.body
    );
    assert_eq!(app.gateway.successful_charges(), charges);
    let (paid, _) = pay(&mut ada, &[new.id], &[("method", saved.as_str())]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let receipt = ada.get(paid.location()).await;
    assert!(
        receipt
            .body
            .contains("Thank you! Your payment of $45.50 was received.")
    );
    assert!(receipt.body.contains("Visa ending 4242") && receipt.body.contains("INV-101"));

    let payments = ada.get("/portal/billing/payments").await;
    assert!(payments.body.contains("$45.50") && payments.body.contains("Received"));
    let statement = ada
        .get("/portal/billing/statement?from=2026-09-01&to=2026-11-30")
        .await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    for text in [
        "INV-100",
        "INV-101",
        "Payment",
        "$120.00",
        "Closing balance",
        "1-30 days",
    ] {
        assert!(statement.body.contains(text), "statement lacks {text}");
    }
    let pdf = ada
        .get("/portal/billing/statement.pdf?from=2026-09-01&to=2026-11-30")
        .await;
    assert!(pdf.body.starts_with("%PDF-") && pdf.body.contains("(INV-100) Tj"));
    let detail = invoice_page(&mut ada, new.id).await;
    assert!(detail.contains("Payments applied") && detail.contains("Visa ending 4242"));
    let autopay = ada.get("/portal/billing/autopay").await;
    assert!(
        autopay.body.contains(&standard_terms()),
        "terms word for word"
    );
}

trait ContainsAll {
    fn body_contains_all(&self, texts: &[&str]) -> bool;
}

impl ContainsAll for String {
    fn body_contains_all(&self, texts: &[&str]) -> bool {
        texts.iter().all(|text| self.contains(text))
    }
}

#[tokio::test]
async fn paying_one_invoice_charges_once_marks_it_paid_and_mails_a_receipt() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 9_900, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (reply, _) = pay(&mut ada, &[invoice.id], &[VISA]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert!(reply.location().starts_with("/portal/billing/payments/"));
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(app.gateway.charged_total(), usd(9_900));
    let detail = invoice_page(&mut ada, invoice.id).await;
    assert!(detail.contains("<dd>Paid</dd>"), "{detail}");
    let summary = ada.get("/portal/billing").await;
    assert!(summary.body.contains("$0.00") && summary.body.contains("$99.00 on Nov 23, 2026"));

    app.deliver_mail().await;
    let receipts: Vec<_> = app
        .mailbox
        .to("ada@example.com")
        .into_iter()
        .filter_map(|mail| match mail.kind {
            EmailKind::PaymentReceipt(receipt) => Some(receipt),
            _ => None,
        })
        .collect();
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].amount, Money::new(usd(9_900), Currency::USD));
    // The mailed link is the receipt page this redirect went to.
    assert!(
        receipts[0]
            .link
            .ends_with(reply.location().trim_start_matches("/portal/"))
    );
}

#[tokio::test]
async fn reviewing_a_payment_shows_the_total_and_card_and_charges_nothing_until_confirmed() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 2_000, past()).await;
    let second = app.invoice(a, "INV-2", 1_550, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/billing/pay").await;
    assert!(form.body.contains(">Review payment</button>"));
    let (review, key) = pay(
        &mut ada,
        &[first.id, second.id],
        &[VISA, ("step", "review")],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(
        review.body.contains("You are paying $35.50"),
        "{}",
        review.body
    );
    assert!(review.body.contains("Invoice INV-1") && review.body.contains("$15.50"));
    assert!(review.body.contains("the new card you entered"));
    assert!(review.body.contains("Confirm and pay $35.50"));
    assert_eq!(
        app.gateway.successful_charges(),
        0,
        "a review charges nothing"
    );
    // What the review carries is the request as asked, key included.
    assert_eq!(field(&review.body, "idempotency_key"), key);
    assert_eq!(field(&review.body, "token"), "tok_sandbox_visa");

    // "Change" brings the form back with the choice kept.
    let (edit, _) = pay(&mut ada, &[second.id], &[VISA, ("step", "edit")]).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains(">Review payment</button>"));
    assert_eq!(app.gateway.successful_charges(), 0);

    // A review of something paying would refuse says why, as paying would.
    let (refused, _) = pay(
        &mut ada,
        &[first.id],
        &[("token", "4242424242424242"), ("step", "review")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("looks like a card number"));

    // Confirming posts the same fields with step=pay and charges once.
    let (paid, _) = pay(&mut ada, &[first.id, second.id], &[VISA, ("step", "pay")]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    assert_eq!(app.gateway.charged_total(), usd(3_550));
}

#[tokio::test]
async fn paying_several_invoices_is_one_charge_and_leaves_the_rest_owed() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let one = app.invoice(a, "INV-1", 1_000, past()).await;
    let two = app.invoice(a, "INV-2", 2_000, later(1)).await;
    let three = app.invoice(a, "INV-3", 4_000, later(20)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/billing/pay").await;
    // Every unpaid invoice is ticked to begin with.
    assert_eq!(form.body.matches("name=\"invoice\"").count(), 3);
    assert_eq!(form.body.matches(" checked>").count(), 3);
    let (reply, _) = pay(&mut ada, &[one.id, two.id], &[VISA]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(app.gateway.charged_total(), usd(3_000));
    let receipt = ada.get(reply.location()).await;
    assert!(receipt.body.contains("INV-1") && receipt.body.contains("INV-2"));
    assert!(!receipt.body.contains("INV-3"));
    let summary = ada.get("/portal/billing").await;
    assert!(
        summary.body.contains("<span class=\"big\">$40.00</span>"),
        "{}",
        summary.body
    );
    assert!(
        invoice_page(&mut ada, three.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
}

#[tokio::test]
async fn submitting_the_same_pay_form_twice_charges_once() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/billing/pay").await;
    let key = field(&form.body, "idempotency_key");
    let id = invoice.id.to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("invoice", id.as_str()),
        ("method", "new"),
        VISA,
    ];
    let first = ada.post_form("/portal/billing/pay", &fields).await;
    let second = ada.post_form("/portal/billing/pay", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    // The second submit lands on the first one's receipt, without a charge.
    assert_eq!(second.status, StatusCode::SEE_OTHER);
    assert_eq!(second.location(), first.location());
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(app.gateway.charged_total(), usd(5_000));
    assert!(
        invoice_page(&mut ada, invoice.id)
            .await
            .contains("<dd>Paid</dd>")
    );
    // Each render carries a new key.
    let again = ada.get("/portal/billing/pay").await;
    assert!(!again.body.contains(&key));
}

#[tokio::test]
async fn a_declined_card_changes_nothing_and_says_why() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (reply, key) = pay(&mut ada, &[invoice.id], &[("token", "tok_sandbox_decline")]).await;
    assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED);
    assert!(
        reply.body.contains("Your card was declined."),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("Invoices to pay"), "the form again");
    assert_ne!(
        field(&reply.body, "idempotency_key"),
        key,
        "a new try is a new payment"
    );
    assert_eq!(app.gateway.successful_charges(), 0);
    assert!(
        invoice_page(&mut ada, invoice.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
    let summary = ada.get("/portal/billing").await;
    assert!(summary.body.contains("<span class=\"big\">$50.00</span>"));
    // The history lists the attempt as failed and not charged, not as
    // credit kept; so does its own page.
    let history = ada.get("/portal/billing/payments").await;
    assert!(history.body.contains("Not charged"), "{}", history.body);
    assert!(
        !history.body.contains("kept as account credit"),
        "{}",
        history.body
    );
    let failed = history
        .body
        .split("/portal/billing/payments/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the failed payment")
        .to_owned();
    let page = ada.get(&format!("/portal/billing/payments/{failed}")).await;
    assert!(page.body.contains("<title>Payment failed"), "{}", page.body);
    assert!(page.body.contains("Not charged"));
    assert!(!page.body.contains("kept as account credit"));
    // A card number instead of a token is refused before anything happens.
    let (reply, _) = pay(&mut ada, &[invoice.id], &[("token", "4242424242424242")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("looks like a card number"));
    let (reply, _) = pay(&mut ada, &[invoice.id], &[("token", "")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply
            .body
            .contains("enter the new card, or choose a saved one")
    );
    assert_eq!(app.gateway.successful_charges(), 0);
}

#[tokio::test]
async fn a_payment_without_an_answer_shows_as_being_processed() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (reply, _) = pay(&mut ada, &[invoice.id], &[("token", "tok_sandbox_timeout")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let receipt = ada.get(reply.location()).await;
    assert!(receipt.body.contains("Payment being processed"));
    assert!(receipt.body.contains("Your payment is being processed"));
    // The summary shows what is held, so nobody pays it twice; the balance
    // still counts it until the payment is confirmed.
    let summary = ada.get("/portal/billing").await;
    assert!(
        summary.body.contains("<dt>Being processed</dt><dd>$50.00"),
        "{}",
        summary.body
    );
    assert!(summary.body.contains("<span class=\"big\">$50.00</span>"));
}

#[tokio::test]
async fn partial_payment_is_offered_only_where_the_tenant_allows_it() {
    // Off: no amount fields, and a posted part is refused.
    let app = ada_app(settings(false, false, false)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let amount_field = format!("amount_{}", invoice.id);
    assert!(
        !ada.get("/portal/billing/pay")
            .await
            .body
            .contains(&amount_field)
    );
    let (reply, _) = pay(
        &mut ada,
        &[invoice.id],
        &[(amount_field.as_str(), "10.00"), VISA],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("must be its full balance of 50.00 USD"),
        "{}",
        reply.body
    );
    assert_eq!(app.gateway.successful_charges(), 0);

    // On: a part is paid and the invoice is partly paid.
    let app = ada_app(settings(true, false, false)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let amount_field = format!("amount_{}", invoice.id);
    assert!(
        ada.get("/portal/billing/pay")
            .await
            .body
            .contains(&amount_field)
    );
    let (reply, _) = pay(
        &mut ada,
        &[invoice.id],
        &[(amount_field.as_str(), "10.00"), VISA],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.gateway.charged_total(), usd(1_000));
    let detail = invoice_page(&mut ada, invoice.id).await;
    assert!(detail.contains(InvoiceStatus::PartiallyPaid.label()));
    assert!(detail.contains("<span class=\"big\">$40.00</span>"));
    // Nonsense amounts, and another currency's sign, are a message, not a
    // 500 and not a payment.
    for nonsense in ["ten", "£10", "1e3"] {
        let (reply, _) = pay(
            &mut ada,
            &[invoice.id],
            &[(amount_field.as_str(), nonsense), VISA],
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{nonsense}");
        assert!(reply.body.contains("is not an amount"), "{nonsense}");
    }
    assert_eq!(app.gateway.charged_total(), usd(1_000));
}

#[tokio::test]
async fn prepayment_is_taken_only_where_the_tenant_allows_it() {
    let app = ada_app(settings(false, false, false)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        !ada.get("/portal/billing/pay")
            .await
            .body
            .contains("name=\"prepayment\"")
    );
    let (reply, _) = pay(&mut ada, &[], &[("prepayment", "25.00"), VISA]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.gateway.successful_charges(), 0);

    let app = ada_app(settings(false, true, false)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        ada.get("/portal/billing/pay")
            .await
            .body
            .contains("name=\"prepayment\"")
    );
    let (reply, _) = pay(&mut ada, &[], &[("prepayment", "25.00"), VISA]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let receipt = ada.get(reply.location()).await;
    assert!(receipt.body.contains("$25.00 kept as account credit"));
    let summary = ada.get("/portal/billing").await;
    assert!(
        summary
            .body
            .contains("<dt>Account credit</dt><dd>$25.00</dd>")
    );
}

#[tokio::test]
async fn the_statement_balance_is_previewed_oldest_first_then_paid_exactly() {
    let app = ada_app(settings(true, true, false)).await;
    let a = app.seeded.account_a;
    let newer = app.invoice(a, "INV-2", 3_000, later(10)).await;
    let older = app.invoice(a, "INV-1", 2_000, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let preview = ada.get("/portal/billing/pay/balance?amount=30").await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let first = preview.body.find("INV-1").unwrap();
    assert!(first < preview.body.find("INV-2").unwrap(), "oldest first");
    assert_eq!(
        field(&preview.body, &format!("amount_{}", older.id)),
        "20.00"
    );
    assert_eq!(
        field(&preview.body, &format!("amount_{}", newer.id)),
        "10.00"
    );
    // Confirm exactly what was shown.
    let key = field(&preview.body, "idempotency_key");
    let (o, n) = (older.id.to_string(), newer.id.to_string());
    let (ao, an) = (format!("amount_{o}"), format!("amount_{n}"));
    let reply = ada
        .post_form(
            "/portal/billing/pay",
            &[
                ("idempotency_key", &key),
                ("invoice", &o),
                (&ao, "20.00"),
                ("invoice", &n),
                (&an, "10.00"),
                ("method", "new"),
                VISA,
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(app.gateway.charged_total(), usd(3_000));
    // More than is owed becomes credit where prepayment is on.
    let over = ada.get("/portal/billing/pay/balance?amount=50").await;
    assert!(over.body.contains("Kept as account credit") && over.body.contains("$30.00"));
    let bad = ada.get("/portal/billing/pay/balance?amount=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn account_credit_is_applied_to_the_chosen_invoice() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let invoice = app.invoice(a, "INV-1", 3_000, past()).await;
    goodwill_credit(&app, a, 5_000).await;
    let mut ada = app.logged_in("ada@example.com").await;
    // The credit's own page calls it a credit, kept once, not a payment.
    let history = ada.get("/portal/billing/payments").await;
    assert_eq!(history.body.matches("kept as account credit").count(), 1);
    let credit = history
        .body
        .split("/portal/billing/payments/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the credit")
        .to_owned();
    let receipt = ada.get(&format!("/portal/billing/payments/{credit}")).await;
    assert!(
        receipt
            .body
            .contains("A credit of $50.00 was added to your account."),
        "{}",
        receipt.body
    );
    assert!(!receipt.body.contains("Your payment of"));
    // Paying the balance offers the credit first: here it pays all.
    let balance = ada.get("/portal/billing/pay/balance").await;
    assert!(
        balance
            .body
            .contains("Use my account credit of $50.00 first")
            && balance.body.contains("Your account credit pays this"),
        "{}",
        balance.body
    );
    let page = ada.get("/portal/billing/credit").await;
    assert!(
        page.body.contains("Apply $50.00 of credit to"),
        "{}",
        page.body
    );
    let id = invoice.id.to_string();
    let reply = ada
        .post_form("/portal/billing/credit", &[("invoice", &id)])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/portal/billing?done=credit");
    let summary = ada.get(reply.location()).await;
    assert!(summary.body.contains("Your account credit was applied."));
    assert!(
        summary
            .body
            .contains("<dt>Account credit</dt><dd>$20.00</dd>")
    );
    assert!(
        invoice_page(&mut ada, invoice.id)
            .await
            .contains("<dd>Paid</dd>")
    );
    assert_eq!(app.gateway.successful_charges(), 0);
    // More than the credit is refused with the reason.
    let other = app.invoice(a, "INV-2", 9_000, past()).await.id.to_string();
    let amount = format!("amount_{other}");
    let reply = ada
        .post_form(
            "/portal/billing/credit",
            &[("invoice", &other), (&amount, "30.00")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("more than your account credit"));
}

#[tokio::test]
async fn cards_are_added_made_default_and_removed() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    for token in ["tok_sandbox_visa", "tok_sandbox_mastercard"] {
        let reply = ada
            .post_form("/portal/billing/methods", &[("token", token)])
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    let refused = ada
        .post_form("/portal/billing/methods", &[("token", "not-a-token")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // At the card field, one sentence naming it.
    let message = error_at(&refused.body, "token");
    assert!(
        message.ends_with("was not accepted: check its details or use another card."),
        "{message}"
    );
    assert!(!message.contains(".."), "{message}");
    let page = ada.get("/portal/billing/methods").await;
    let ids: Vec<String> = page
        .body
        .split("/portal/billing/methods/")
        .skip(1)
        .map(|rest| rest.split('/').next().unwrap().to_owned())
        .collect();
    let master = ids.last().unwrap().clone();
    let made = ada
        .post_form(&format!("/portal/billing/methods/{master}/default"), &[])
        .await;
    assert_eq!(made.location(), "/portal/billing/methods?done=default");
    let page = ada.get(made.location()).await;
    assert!(
        page.body
            .contains("Mastercard ending 4444</strong> <span class=\"hint\">")
    );
    // The default goes only with a card named to take its place (the
    // confirm page's choice; `tests/it/forms.rs` has the rest).
    let visa = ids.first().unwrap().clone();
    let gone = ada
        .post_form(
            &format!("/portal/billing/methods/{master}/remove"),
            &[("new_default", &visa)],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let page = ada.get("/portal/billing/methods").await;
    assert!(!page.body.contains("Mastercard") && page.body.contains("Visa ending 4242"));
}

#[tokio::test]
async fn autopay_needs_consent_to_the_terms_shown_and_can_be_withdrawn() {
    let app = ada_app(settings(false, false, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    ada.post_form("/portal/billing/methods", &[("token", "tok_sandbox_visa")])
        .await;
    let page = ada.get("/portal/billing/autopay").await;
    assert!(page.body.contains("Autopay is off"));
    assert!(page.body.contains(&standard_terms()));
    let digest = field(&page.body, "terms_digest");
    let card = page
        .body
        .split("<select id=\"method\" name=\"method\">")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let unticked = ada
        .post_form(
            "/portal/billing/autopay",
            &[("method", &card), ("terms_digest", &digest)],
        )
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unticked.body.contains("agree to the terms"));
    let stale = ada
        .post_form(
            "/portal/billing/autopay",
            &[
                ("method", &card),
                ("terms_digest", "0000"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("terms have changed"));
    let on = ada
        .post_form(
            "/portal/billing/autopay",
            &[
                ("method", &card),
                ("terms_digest", &digest),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let page = ada.get(on.location()).await;
    assert!(page.body.contains("Autopay is on") && page.body.contains("Visa ending 4242"));
    let cards = ada.get("/portal/billing/methods").await;
    assert!(cards.body.contains("Used for autopay"), "{}", cards.body);
    let off = ada.post_form("/portal/billing/autopay/withdraw", &[]).await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let cards = ada.get("/portal/billing/methods").await;
    assert!(!cards.body.contains("Used for autopay"));
    assert!(
        ada.get(off.location())
            .await
            .body
            .contains("Autopay is off")
    );
}

#[tokio::test]
async fn another_accounts_invoices_payments_receipts_pdfs_and_cards_are_404() {
    let app = ada_app(demo_settings()).await;
    app.register("bob@example.com").await;
    let bobs = app
        .invoice(app.seeded.account_b, "B-INV-1", 7_000, past())
        .await;
    let other = app
        .invoice(app.seeded.account_b, "B-INV-2", 1_000, past())
        .await;
    let mut bob = app.logged_in("bob@example.com").await;
    let (paid, _) = pay(&mut bob, &[bobs.id], &[VISA]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let receipt = paid.location().to_owned();
    bob.post_form("/portal/billing/methods", &[("token", "tok_sandbox_visa")])
        .await;
    let cards = bob.get("/portal/billing/methods").await;
    let card = cards
        .body
        .split("/portal/billing/methods/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();

    let mut ada = app.logged_in("ada@example.com").await;
    for path in [
        format!("/portal/billing/invoices/{}", bobs.id),
        format!("/portal/billing/invoices/{}/pdf", bobs.id),
        receipt.clone(),
        "/portal/billing/invoices/not-an-id".to_owned(),
        "/portal/billing/payments/not-an-id".to_owned(),
    ] {
        let reply = ada.get(&path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.contains("B-INV"), "{path} leaks nothing");
    }
    let (reply, _) = pay(&mut ada, &[other.id], &[VISA]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let id = other.id.to_string();
    let credit = ada
        .post_form("/portal/billing/credit", &[("invoice", &id)])
        .await;
    assert_eq!(credit.status, StatusCode::NOT_FOUND);
    for action in ["remove", "default"] {
        let reply = ada
            .post_form(&format!("/portal/billing/methods/{card}/{action}"), &[])
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{action}");
    }
    // Ada's own lists show none of it; Bob's card and invoice are intact.
    for path in [
        "/portal/billing/invoices",
        "/portal/billing/payments",
        "/portal/billing/statement",
    ] {
        assert!(!ada.get(path).await.body.contains("B-INV"), "{path}");
    }
    assert_eq!(app.gateway.successful_charges(), 1);
    assert!(
        bob.get("/portal/billing/methods")
            .await
            .body
            .contains("Visa ending 4242")
    );
}

#[tokio::test]
async fn billing_forms_without_the_csrf_token_are_refused_and_write_nothing() {
    let app = ada_app(settings(false, false, true)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/billing/pay").await;
    let key = field(&form.body, "idempotency_key");
    let id = invoice.id.to_string();
    let posts: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "/portal/billing/pay",
            vec![
                ("idempotency_key", &key),
                ("invoice", &id),
                ("method", "new"),
                VISA,
            ],
        ),
        ("/portal/billing/credit", vec![("invoice", &id)]),
        ("/portal/billing/methods", vec![VISA]),
        ("/portal/billing/autopay/withdraw", vec![]),
    ];
    let wrong = "0".repeat(64);
    for (path, fields) in posts {
        let reply = ada.post_raw(path, &fields).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
        let mut forged = fields.clone();
        forged.push(("csrf_token", &wrong));
        assert_eq!(
            ada.post_raw(path, &forged).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(app.gateway.successful_charges(), 0);
    assert!(
        invoice_page(&mut ada, invoice.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
    assert!(
        ada.get("/portal/billing/methods")
            .await
            .body
            .contains("No cards are on file")
    );
}

#[tokio::test]
async fn a_viewer_sees_no_billing_and_cannot_pay() {
    let app = TestApp::new().await;
    let t = app.tenant_id();
    let host = app.portal.host();
    let vic = host
        .upsert_contact(t, &contact("vic", "Vic Viewer", "vic@example.com", None))
        .await
        .unwrap();
    host.grant_membership(t, vic.id, app.seeded.account_a, Role::Viewer)
        .await
        .unwrap();
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    app.register("vic@example.com").await;
    let mut vic = app.logged_in("vic@example.com").await;
    let dashboard = vic.get("/portal/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        !dashboard.body.contains("/portal/billing"),
        "no billing links"
    );
    for path in [
        "/portal/billing",
        "/portal/billing/pay",
        "/portal/billing/methods",
    ] {
        assert_eq!(vic.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let id = invoice.id.to_string();
    let reply = vic
        .post_form(
            "/portal/billing/pay",
            &[
                ("idempotency_key", "viewer-key-0001"),
                ("invoice", &id),
                ("method", "new"),
                VISA,
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.gateway.successful_charges(), 0);
}

#[tokio::test]
async fn switched_off_features_hide_their_links_and_refuse_their_pages() {
    let mut settings = demo_settings();
    settings.features.online_payment = false;
    settings.features.statements = false;
    let app = ada_app(settings).await;
    app.invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let summary = ada.get("/portal/billing").await;
    assert_eq!(summary.status, StatusCode::OK);
    let offers_to_pay = ["/billing/pay\"", "/billing/pay?", "/billing/pay/balance"]
        .iter()
        .any(|link| summary.body.contains(link));
    assert!(!offers_to_pay && !summary.body.contains("/billing/statement"));
    for path in [
        "/portal/billing/pay",
        "/portal/billing/statement",
        "/portal/billing/autopay",
    ] {
        assert_eq!(ada.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn invoice_filters_sorting_and_pages_come_from_the_query_string() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    for n in 0..30 {
        app.invoice(
            a,
            &format!("INV-{n:03}"),
            1_000 + i64::from(n) * 100,
            later(1 + n % 28),
        )
        .await;
    }
    let paid = app.invoice(a, "PAID-1", 500, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    pay(&mut ada, &[paid.id], &[VISA]).await;

    let all = ada.get("/portal/billing/invoices").await;
    assert!(all.body.contains("31 invoices") && all.body.contains("Page 1 of 2"));
    assert!(all.body.contains("/portal/billing/invoices?page=2"));
    let second = ada.get("/portal/billing/invoices?page=2").await;
    assert!(second.body.contains("Page 2 of 2"));
    // A page past the last says so and links back to the last one.
    let beyond = ada.get("/portal/billing/invoices?page=5").await;
    assert!(beyond.body.contains("There are no invoices on this page."));
    assert!(!beyond.body.contains("You have no invoices yet"));
    assert!(beyond.body.contains("Page 5 is past the last page (2)"));
    assert!(
        beyond
            .body
            .contains("/portal/billing/invoices?page=2\" rel=\"prev\"")
    );
    let payments_beyond = ada.get("/portal/billing/payments?page=3").await;
    assert!(
        payments_beyond
            .body
            .contains("There are no payments on this page.")
    );
    let only_paid = ada.get("/portal/billing/invoices?status=paid").await;
    assert!(only_paid.body.contains("1 invoice<") && only_paid.body.contains("PAID-1"));
    let by_number = ada
        .get("/portal/billing/invoices?number=INV-01&sort=number_desc")
        .await;
    assert!(by_number.body.contains("10 invoices"));
    let by_digits = ada.get("/portal/billing/invoices?number=019").await;
    assert!(by_digits.body.contains("1 invoice<") && by_digits.body.contains("INV-019"));
    assert!(by_number.body.find("INV-019").unwrap() < by_number.body.find("INV-010").unwrap());
    let ranged = ada
        .get("/portal/billing/invoices?min_total=12&max_total=13.00&status=unpaid")
        .await;
    assert!(ranged.body.contains("2 invoices"), "{}", ranged.body);
    assert!(ranged.body.contains("INV-002") && ranged.body.contains("INV-003"));
    assert!(!ranged.body.contains("INV-004"));

    for (query, text) in [
        ("issued_from=yesterday", "must be a date"),
        ("sort=sideways", "is not one of the choices"),
        ("status=lost", "is not one of the choices"),
        ("min_total=lots", "is not an amount"),
        ("min_total=50&max_total=10", "must not be above the maximum"),
        (
            "issued_from=2026-12-01&issued_to=2026-11-01",
            "must not be after",
        ),
    ] {
        let reply = ada.get(&format!("/portal/billing/invoices?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(reply.body.contains(text), "{query}: {}", reply.body);
    }
    let statement = ada
        .get("/portal/billing/statement?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(statement.status, StatusCode::UNPROCESSABLE_ENTITY);
    let pdf = ada.get("/portal/billing/statement.pdf?from=nonsense").await;
    assert_eq!(pdf.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_long_invoice_renders_as_a_multi_page_pdf() {
    use portal_core::billing::{InvoiceLine, InvoiceUpsert};
    let app = ada_app(demo_settings()).await;
    let lines = (0..120)
        .map(|n| InvoiceLine {
            description: format!("Monthly inspection, station {n}"),
            quantity: Decimal::ONE,
            unit_price: usd(2_500),
            tax_rate: Decimal::new(825, 2),
        })
        .collect();
    let invoice = app
        .portal
        .host()
        .upsert_invoice(
            app.tenant_id(),
            &InvoiceUpsert {
                external_id: ExternalId::parse("BIG-1").unwrap(),
                account: app.seeded.account_a,
                number: "BIG-1".into(),
                issued_on: past(),
                due_on: later(1),
                currency: Currency::USD,
                lines,
                memo: None,
                pdf: None,
            },
        )
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    let pdf = ada
        .get(&format!("/portal/billing/invoices/{}/pdf", invoice.id))
        .await;
    assert!(pdf.body.starts_with("%PDF-"));
    assert!(pdf.body.contains("(Invoice BIG-1) Tj"));
    assert!(pdf.body.contains("(Page 3 of 3) Tj") || pdf.body.contains("(Page 2 of 2) Tj"));
    assert!(pdf.body.contains("station 119"));

    // The host's own PDF is served as it gave it.
    let host_pdf = b"%PDF-1.4 the host's own invoice".to_vec();
    let mut upsert = InvoiceUpsert {
        external_id: ExternalId::parse("HOST-1").unwrap(),
        account: app.seeded.account_a,
        number: "HOST-1".into(),
        issued_on: past(),
        due_on: later(1),
        currency: Currency::USD,
        lines: vec![InvoiceLine {
            description: "Visit".into(),
            quantity: Decimal::ONE,
            unit_price: usd(1_000),
            tax_rate: Decimal::ZERO,
        }],
        memo: None,
        pdf: None,
    };
    upsert.pdf = Some(host_pdf);
    let hosted = app
        .portal
        .host()
        .upsert_invoice(app.tenant_id(), &upsert)
        .await
        .unwrap();
    let pdf = ada
        .get(&format!("/portal/billing/invoices/{}/pdf", hosted.id))
        .await;
    assert_eq!(pdf.body, "%PDF-1.4 the host's own invoice");
}

#[tokio::test]
async fn a_unit_price_below_a_cent_is_shown_as_priced_not_rounded() {
    use portal_core::billing::{InvoiceLine, InvoiceUpsert};
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .portal
        .host()
        .upsert_invoice(
            app.tenant_id(),
            &InvoiceUpsert {
                external_id: ExternalId::parse("FUEL-1").unwrap(),
                account: app.seeded.account_a,
                number: "FUEL-1".into(),
                issued_on: past(),
                due_on: later(1),
                currency: Currency::USD,
                // 1,000 litres at 1.2345 a litre: the line is 1234.50.
                lines: vec![InvoiceLine {
                    description: "Diesel, litres".into(),
                    quantity: Decimal::new(1000, 0),
                    unit_price: Decimal::new(12345, 4),
                    tax_rate: Decimal::ZERO,
                }],
                memo: None,
                pdf: None,
            },
        )
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada
        .get(&format!("/portal/billing/invoices/{}", invoice.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("$1.2345"), "{}", page.body);
    assert!(page.body.contains("$1,234.50"), "{}", page.body);
    let pdf = ada
        .get(&format!("/portal/billing/invoices/{}/pdf", invoice.id))
        .await;
    assert!(pdf.body.contains("($1.2345) Tj"), "unit price in the PDF");
}

#[tokio::test]
async fn credit_without_amounts_covers_the_chosen_invoices_in_turn_until_it_runs_out() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 3_000, past()).await;
    let second = app.invoice(a, "INV-2", 9_000, past()).await;
    let third = app.invoice(a, "INV-3", 1_000, past()).await;
    goodwill_credit(&app, a, 5_000).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let ids = [first.id, second.id, third.id].map(|id| id.to_string());
    let reply = ada
        .post_form(
            "/portal/billing/credit",
            &[
                ("invoice", &ids[0]),
                ("invoice", &ids[1]),
                ("invoice", &ids[2]),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    // 30.00 to the first, the other 20.00 to the second, none left for
    // the third.
    assert!(
        invoice_page(&mut ada, first.id)
            .await
            .contains("<dd>Paid</dd>")
    );
    let second_page = invoice_page(&mut ada, second.id).await;
    assert!(
        second_page.contains("<dd>Partly paid</dd>"),
        "{second_page}"
    );
    assert!(second_page.contains("$70.00"));
    assert!(
        invoice_page(&mut ada, third.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
    // With the credit used up, applying more says so and writes nothing.
    let again = ada
        .post_form("/portal/billing/credit", &[("invoice", &ids[2])])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.body.contains("there is no account credit"),
        "{}",
        again.body
    );
    assert!(
        invoice_page(&mut ada, third.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
}

#[tokio::test]
async fn a_card_saved_while_paying_is_kept_only_if_the_payment_goes_through() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 2_000, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (declined, _) = pay(
        &mut ada,
        &[first.id],
        &[("token", "tok_sandbox_decline"), ("save_card", "on")],
    )
    .await;
    assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
    let cards = ada.get("/portal/billing/methods").await;
    assert!(
        cards.body.contains("No cards are on file."),
        "{}",
        cards.body
    );

    let (paid, _) = pay(&mut ada, &[first.id], &[VISA, ("save_card", "on")]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let cards = ada.get("/portal/billing/methods").await;
    assert!(cards.body.contains("Visa ending 4242"), "{}", cards.body);
}

// ---- errors at the field ---------------------------------------------

#[tokio::test]
async fn a_bad_amount_from_is_shown_at_that_field_under_its_label() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let reply = ada
        .get("/portal/billing/invoices?min_total=lots&status=unpaid")
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_at(&reply.body, "min_total"),
        "Amount from is not an amount; type digits only, such as 120.50."
    );
    assert!(
        !reply.body.contains("Min total"),
        "named as customers see it"
    );
    assert_eq!(invalid_inputs(&reply.body), 1, "only that input");
    // The summary at the top leads to it; what was typed is kept.
    assert!(
        reply
            .body
            .contains("<a href=\"#min_total\">Amount from</a>")
    );
    assert!(reply.body.contains("value=\"lots\""));
    // A range the core refuses is reported at its first end, by its label.
    let reply = ada
        .get("/portal/billing/invoices?min_total=50&max_total=10")
        .await;
    assert_eq!(
        error_at(&reply.body, "min_total"),
        "Amount from must not be above the maximum."
    );
    let reply = ada
        .get("/portal/billing/invoices?issued_from=2026-12-01&issued_to=2026-11-01")
        .await;
    assert!(error_at(&reply.body, "issued_from").starts_with("Issued from must not be after"));
}

#[tokio::test]
async fn the_core_judges_both_amounts_as_one_range_and_its_message_describes_both() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    for query in [
        "min_total=-5",
        "max_total=10.001",
        "min_total=1&max_total=-2",
    ] {
        let reply = ada.get(&format!("/portal/billing/invoices?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        let message = group_error_at(&reply.body, "amount", &["min_total", "max_total"]);
        assert!(
            message.starts_with("Amount range must be amounts in USD"),
            "{query}: {message}"
        );
    }
}

#[tokio::test]
async fn a_bad_pay_amount_is_shown_at_its_invoice_and_nothing_is_written() {
    let app = ada_app(settings(true, false, false)).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 5_000, past()).await;
    let second = app.invoice(a, "INV-2", 2_000, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let key = format!("amount_{}", second.id);
    // Not an amount: read at the edge, which knows the invoice.
    let (reply, _) = pay(
        &mut ada,
        &[first.id, second.id],
        &[(key.as_str(), "ten"), VISA],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_at(&reply.body, &key),
        "Amount for INV-2 is not an amount; type digits only, such as 120.50."
    );
    assert_eq!(invalid_inputs(&reply.body), 1);
    // More than it owes: the core's rule, at the same input.
    let (reply, _) = pay(
        &mut ada,
        &[first.id, second.id],
        &[(key.as_str(), "30.00"), VISA],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_at(&reply.body, &key),
        "Amount for INV-2 is more than its balance of 20.00 USD."
    );
    // The review step refuses it the same way, and nothing was written.
    let (reply, _) = pay(
        &mut ada,
        &[second.id],
        &[(key.as_str(), "30.00"), VISA, ("step", "review")],
    )
    .await;
    assert!(error_at(&reply.body, &key).contains("more than its balance"));
    assert_eq!(app.gateway.successful_charges(), 0);
    let history = ada.get("/portal/billing/payments").await;
    assert!(history.body.contains("No payments yet"), "{}", history.body);
    assert!(
        invoice_page(&mut ada, second.id)
            .await
            .contains("<dd>Unpaid</dd>")
    );
}

#[tokio::test]
async fn how_to_pay_errors_are_shown_at_the_card_fields() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (reply, _) = pay(&mut ada, &[invoice.id], &[("token", "4242424242424242")]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&reply.body, "token").starts_with("Card token looks like a card number"));
    assert!(
        reply
            .body
            .contains("aria-describedby=\"token-error token-help\""),
        "the help text still describes it"
    );
    // A saved card and a new token: about the choice, at its fieldset.
    ada.post_form("/portal/billing/methods", &[VISA]).await;
    let card = field(&ada.get("/portal/billing/pay").await.body, "method");
    let (reply, _) = pay(&mut ada, &[invoice.id], &[("method", &card), VISA]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fieldset = "<fieldset class=\"card\" id=\"method\" aria-describedby=\"method-error\">";
    let at = reply
        .body
        .find(fieldset)
        .expect("the fieldset, described by the message");
    let message = "<p class=\"field-error\" id=\"method-error\">A saved card is chosen, but a new card was entered too";
    assert!(
        reply.body[at..]
            .trim_start_matches(fieldset)
            .contains(message)
    );
    assert_eq!(app.gateway.successful_charges(), 0);
}

#[tokio::test]
async fn autopay_and_card_errors_are_shown_at_their_inputs_and_conflicts_at_the_top() {
    let app = ada_app(settings(false, false, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let refused = ada
        .post_form("/portal/billing/methods", &[("token", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&refused.body, "token").starts_with("Card token is missing"));
    ada.post_form("/portal/billing/methods", &[VISA]).await;
    let page = ada.get("/portal/billing/autopay").await;
    let digest = field(&page.body, "terms_digest");
    let options = page.body.split("<select id=\"method\"").nth(1).unwrap();
    let card = options.split("<option value=\"").nth(1).unwrap();
    let card = card[..card.find('"').unwrap()].to_owned();
    let unticked = ada
        .post_form(
            "/portal/billing/autopay",
            &[("method", &card), ("terms_digest", &digest)],
        )
        .await;
    assert_eq!(unticked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_at(&unticked.body, "consent").contains("agree to the terms"));
    // Stale terms are no input's fault: a message at the top.
    let stale = ada
        .post_form(
            "/portal/billing/autopay",
            &[
                ("method", &card),
                ("terms_digest", "old"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .body
            .contains("<div class=\"alert error\" role=\"alert\" id=\"form-problem\" tabindex=\"-1\" autofocus>The autopay terms have changed.")
    );
    assert_eq!(invalid_inputs(&stale.body), 0);
}

#[tokio::test]
async fn statement_and_credit_errors_are_shown_at_their_inputs() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let invoice = app.invoice(a, "INV-1", 3_000, past()).await;
    goodwill_credit(&app, a, 5_000).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let reply = ada
        .get("/portal/billing/statement?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(
        error_at(&reply.body, "from"),
        "From must not be after the end of the range."
    );
    let reply = ada.get("/portal/billing/statement?to=someday").await;
    assert!(error_at(&reply.body, "to").starts_with("To must be a date"));
    let id = invoice.id.to_string();
    let key = format!("amount_{id}");
    let reply = ada
        .post_form("/portal/billing/credit", &[("invoice", &id), (&key, "0")])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_at(&reply.body, &key).starts_with("Amount for INV-1 must be more than zero"),
        "{}",
        reply.body
    );
    let reply = ada.post_form("/portal/billing/credit", &[]).await;
    assert!(
        reply.body.contains("<p class=\"field-error\" id=\"invoices-error\">Invoices must include at least one invoice.</p>"),
        "{}",
        reply.body
    );
}

/// The dashboard: invoice numbers link to their invoice, the balance is
/// one amount that does not wrap, a panel with nothing in it is one line,
/// and autopay's state is shown: an offer to set it up, then the card it
/// charges and when it charges next.
#[tokio::test]
async fn the_dashboard_links_invoices_folds_empty_panels_and_shows_autopay() {
    let app = ada_app(settings(false, false, true)).await;
    let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let invoice = app.invoice(app.seeded.account_a, "INV-7", 5_000, due).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/dashboard").await.body;
    assert!(
        page.contains(&format!(
            "<a href=\"/portal/billing/invoices/{}\">INV-7</a>",
            invoice.id
        )),
        "{page}"
    );
    assert!(page.contains("<span class=\"big\">$50.00</span>"));
    assert!(page.contains(
        "<section class=\"card folded\" aria-labelledby=\"comms-h\"><h2 id=\"comms-h\">Recent communications</h2>"
    ));
    assert!(
        page.contains("Autopay is off. <a href=\"/portal/billing/autopay\">Set up autopay to pay")
    );

    ada.post_form("/portal/billing/methods", &[("token", "tok_sandbox_visa")])
        .await;
    let autopay = ada.get("/portal/billing/autopay").await.body;
    let card = autopay
        .split("<select id=\"method\" name=\"method\">")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let on = ada
        .post_form(
            "/portal/billing/autopay",
            &[
                ("method", &card),
                ("terms_digest", &field(&autopay, "terms_digest")),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let page = ada.get("/portal/dashboard").await.body;
    assert!(
        page.contains("Autopay is on with Visa ending 4242; next charge Dec 1, 2026."),
        "{page}"
    );
}

/// One word for paying across the portal: "Pay", and "Pay the statement
/// balance" for the balance; no page says "Pay now", "Pay a bill" or "Pay
/// the balance", and spelling is American ("authorize").
#[tokio::test]
async fn every_page_says_pay_one_way_and_spells_it_the_us_way() {
    let app = ada_app(settings(true, true, true)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    // A card on file, so the autopay page shows its terms.
    ada.post_form("/portal/billing/methods", &[("token", "tok_sandbox_visa")])
        .await;
    let invoice_page = format!("/portal/billing/invoices/{}", invoice.id);
    let pages = [
        "/portal/dashboard",
        "/portal/billing",
        "/portal/billing/invoices",
        invoice_page.as_str(),
        "/portal/billing/pay",
        "/portal/billing/pay/balance",
        "/portal/billing/payments",
        "/portal/billing/statement",
        "/portal/billing/methods",
        "/portal/billing/autopay",
        "/portal/account",
    ];
    for uri in pages {
        let reply = ada.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        for slip in ["Pay now", "Pay a bill", "Pay the balance", "authoris"] {
            assert!(!reply.body.contains(slip), "{uri} says {slip:?}");
        }
    }
    let dashboard = ada.get("/portal/dashboard").await.body;
    assert!(dashboard.contains("<a class=\"button\" href=\"/portal/billing/pay\">Pay</a>"));
    let summary = ada.get("/portal/billing").await.body;
    assert!(summary.contains("/billing/pay/balance\">Pay the statement balance</a>"));
    let invoice = ada.get(&invoice_page).await.body;
    assert!(invoice.contains(">Pay</a>"));
    let autopay = ada.get("/portal/billing/autopay").await.body;
    assert!(autopay.contains("I authorize"));
}

/// The standard autopay terms in English, shown when the business wrote
/// none of its own.
fn standard_terms() -> String {
    portal_i18n::Messages::new(portal_i18n::Language::English).msg("autopay-terms-standard")
}
