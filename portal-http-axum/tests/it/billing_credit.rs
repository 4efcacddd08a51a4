//! Account credit offered when paying (issue 11, "credit is offered where
//! it should be"): ticked by default on the pay form and the statement
//! balance, the card charged invoices less credit when kept, everything
//! when unticked, no card at all when credit pays everything, credit given
//! back on a decline, and applying credit with online payment off. The
//! API takes `use_credit` and reviews a payment without making it.

use axum::http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use crate::billing_pages::{VISA, ada_app, goodwill_credit, invoice_page, later, past, pay, usd};
use crate::harness::{TestApp, demo_settings, json_request};
use portal_core::billing::Invoice;

/// Ada's account owes 100.00 (overdue) and 168.28 and has 25.00 of
/// credit: the issue's figures (current balance 243.28).
async fn owing_with_credit(app: &TestApp) -> (Invoice, Invoice) {
    let a = app.seeded.account_a;
    let older = app.invoice(a, "INV-1", 10_000, past()).await;
    let newer = app.invoice(a, "INV-2", 16_828, later(10)).await;
    goodwill_credit(app, a, 2_500).await;
    (older, newer)
}

#[tokio::test]
async fn the_pay_form_offers_credit_ticked_and_charges_the_invoices_less_the_credit() {
    let app = ada_app(demo_settings()).await;
    let (older, newer) = owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/billing/pay").await;
    assert!(
        form.body.contains(
            "name=\"use_credit\" value=\"on\" data-credit=\"25.00\" checked> <span>Use my account credit of $25.00 first"
        ),
        "{}",
        form.body
    );
    let (review, _) = pay(
        &mut ada,
        &[older.id, newer.id],
        &[VISA, ("use_credit", "on"), ("step", "review")],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    for shown in [
        "You are paying $243.28",
        "Paid from your account credit</td><td class=\"num\">&minus;$25.00",
        "Charged to your card</th><td class=\"num\"><strong>$243.28",
        "Balance left after this payment</th><td class=\"num\">$0.00",
    ] {
        assert!(review.body.contains(shown), "{shown}: {}", review.body);
    }
    assert_eq!(
        app.gateway.successful_charges(),
        0,
        "a review applies nothing"
    );
    assert!(
        ada.get("/portal/billing")
            .await
            .body
            .contains("<dt>Account credit</dt><dd>$25.00</dd>")
    );

    let (paid, _) = pay(
        &mut ada,
        &[older.id, newer.id],
        &[VISA, ("use_credit", "on")],
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    assert_eq!(app.gateway.charged_total(), usd(24_328));
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("<dt>Account credit</dt><dd>$0.00</dd>"),
        "{summary}"
    );
    assert!(
        invoice_page(&mut ada, older.id)
            .await
            .contains("<dd>Paid</dd>")
    );
    let receipt = ada.get(paid.location()).await.body;
    assert!(
        receipt.contains("Paid from your account credit"),
        "{receipt}"
    );
}

#[tokio::test]
async fn credit_unticked_is_left_alone_and_the_card_pays_everything() {
    let app = ada_app(demo_settings()).await;
    let (older, newer) = owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (paid, _) = pay(&mut ada, &[older.id, newer.id], &[VISA]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    assert_eq!(app.gateway.charged_total(), usd(26_828));
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("<dt>Account credit</dt><dd>$25.00</dd>"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_declined_card_gives_the_credit_back() {
    let app = ada_app(demo_settings()).await;
    let (older, _) = owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (declined, _) = pay(
        &mut ada,
        &[older.id],
        &[("token", "tok_sandbox_decline"), ("use_credit", "on")],
    )
    .await;
    assert_eq!(
        declined.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        declined.body
    );
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("<dt>Account credit</dt><dd>$25.00</dd>"),
        "{summary}"
    );
    assert!(
        summary.contains("<span class=\"big\">$243.28</span>"),
        "{summary}"
    );
    assert!(
        !invoice_page(&mut ada, older.id)
            .await
            .contains("<dd>Paid</dd>")
    );
}

/// The `name`/`value` pairs of the inputs of the form posting to
/// `action`, in order.
fn form_fields(body: &str, action: &str) -> Vec<(String, String)> {
    let start = body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form to {action} in {body}"));
    let form = &body[start..];
    let form = &form[..form.find("</form>").unwrap()];
    form.split("<input ")
        .skip(1)
        .filter(|input| !input.contains("type=\"radio\"") && !input.contains("type=\"checkbox\""))
        // The browser adds its own CSRF token.
        .filter(|input| !input.contains("name=\"csrf_token\""))
        .filter_map(|input| {
            let name = input.split("name=\"").nth(1)?.split('"').next()?;
            let value = input.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn paying_the_statement_balance_charges_the_closing_balance() {
    let app = ada_app(demo_settings()).await;
    owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let statement = ada.get("/portal/billing/statement").await.body;
    assert!(statement.contains("$243.28"), "{statement}");
    let balance = ada.get("/portal/billing/pay/balance").await;
    assert_eq!(balance.status, StatusCode::OK, "{}", balance.body);
    assert!(
        balance.body.contains("Confirm and pay $243.28"),
        "{}",
        balance.body
    );
    let mut fields = form_fields(&balance.body, "/portal/billing/pay");
    fields.push(("method".into(), "new".into()));
    fields.push(("token".into(), "tok_sandbox_visa".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let paid = ada.post_form("/portal/billing/pay", &fields).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    assert_eq!(app.gateway.charged_total(), usd(24_328));
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("<span class=\"big\">$0.00</span>"),
        "{summary}"
    );

    // Unticked, the balance page charges what the invoices owe.
    let app = ada_app(demo_settings()).await;
    owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let unticked = ada.get("/portal/billing/pay/balance?credit_choice=1").await;
    assert!(
        unticked.body.contains("Confirm and pay $268.28"),
        "{}",
        unticked.body
    );
}

#[tokio::test]
async fn credit_paying_everything_needs_no_card() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let invoice = app.invoice(a, "INV-1", 2_000, past()).await;
    goodwill_credit(&app, a, 2_500).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (review, _) = pay(
        &mut ada,
        &[invoice.id],
        &[("use_credit", "on"), ("step", "review")],
    )
    .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    assert!(
        review.body.contains("Your account credit pays this"),
        "{}",
        review.body
    );
    let fields = form_fields(&review.body, "/portal/billing/credit");
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let applied = ada.post_form("/portal/billing/credit", &fields).await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    assert_eq!(app.gateway.successful_charges(), 0);
    assert!(
        invoice_page(&mut ada, invoice.id)
            .await
            .contains("<dd>Paid</dd>")
    );
    // Posting the pay form as it is charges nothing and says why.
    let other = app.invoice(a, "INV-2", 300, past()).await;
    let (refused, _) = pay(&mut ada, &[other.id], &[("use_credit", "on")]).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("no card is charged"),
        "{}",
        refused.body
    );
    assert_eq!(app.gateway.successful_charges(), 0);
}

#[tokio::test]
async fn credit_is_applied_with_online_payment_switched_off() {
    let mut settings = demo_settings();
    settings.features.online_payment = false;
    let app = ada_app(settings).await;
    let (older, _) = owing_with_credit(&app).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert_eq!(
        ada.get("/portal/billing/pay").await.status,
        StatusCode::FORBIDDEN
    );
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("/portal/billing/credit\">Use account credit"),
        "{summary}"
    );
    let page = ada.get("/portal/billing/credit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let id = older.id.to_string();
    let applied = ada
        .post_form("/portal/billing/credit", &[("invoice", &id)])
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.body);
    let summary = ada.get("/portal/billing").await.body;
    assert!(
        summary.contains("<dt>Account credit</dt><dd>$0.00</dd>"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_payment_being_processed_is_not_offered_for_paying_again() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 5_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert!(
        ada.get("/portal/dashboard")
            .await
            .body
            .contains(r#"class="button" href="/portal/billing/pay">Pay</a>"#)
    );
    let (pending, _) = pay(&mut ada, &[invoice.id], &[("token", "tok_sandbox_timeout")]).await;
    assert_eq!(pending.status, StatusCode::SEE_OTHER, "{}", pending.body);
    let dashboard = ada.get("/portal/dashboard").await.body;
    assert!(
        !dashboard.contains(r#"class="button" href="/portal/billing/pay""#),
        "{dashboard}"
    );
    assert!(
        !ada.get("/portal/billing")
            .await
            .body
            .contains(">Pay the statement balance</a>")
    );
    // The pay page agrees: the invoice being paid is not offered again.
    let pay_page = ada.get("/portal/billing/pay").await.body;
    assert!(
        pay_page.contains("There is nothing to pay right now.")
            && !pay_page.contains(&invoice.id.to_string()),
        "{pay_page}"
    );
}

async fn api_pay(app: &TestApp, token: &str, key: &str, body: &Value) -> crate::harness::Reply {
    let mut request = json_request("POST", "/portal/api/v1/payments", Some(token), body);
    request
        .headers_mut()
        .insert("idempotency-key", HeaderValue::from_str(key).unwrap());
    app.send(request).await
}

#[tokio::test]
async fn the_api_uses_credit_when_asked_and_reviews_without_paying() {
    let app = ada_app(demo_settings()).await;
    let (older, newer) = owing_with_credit(&app).await;
    let token = app.api_token("ada@example.com").await;
    let body = |use_credit: bool| {
        json!({
            "invoices": [{"id": older.id.to_string()}, {"id": newer.id.to_string()}],
            "method": {"type": "new_token", "token": "tok_sandbox_visa"},
            "use_credit": use_credit,
        })
    };
    let review = app
        .send(json_request(
            "POST",
            "/portal/api/v1/payments/review",
            Some(&token),
            &body(true),
        ))
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    let review = review.json();
    assert_eq!(review["amount"], "243.28");
    assert_eq!(review["credit_used"], "25.00");
    assert_eq!(review["credit_available"], "25.00");
    assert_eq!(review["balance_after"], "0.00");
    assert_eq!(review["credit"][0]["invoice_number"], "INV-1");
    assert_eq!(app.gateway.successful_charges(), 0);

    let paid = api_pay(&app, &token, "key-credit-1", &body(true)).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert_eq!(paid.json()["amount"], "243.28");
    assert_eq!(paid.json()["credit"][0]["amount"], "25.00");
    assert_eq!(app.gateway.charged_total(), usd(24_328));
    // The same key and body replay; nothing more is charged or applied.
    let again = api_pay(&app, &token, "key-credit-1", &body(true)).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(app.gateway.charged_total(), usd(24_328));

    // Without `use_credit` the card pays all (a client unaware of credit).
    let app = ada_app(demo_settings()).await;
    let (older, newer) = owing_with_credit(&app).await;
    let token = app.api_token("ada@example.com").await;
    let body = json!({
        "invoices": [{"id": older.id.to_string()}, {"id": newer.id.to_string()}],
        "method": {"type": "new_token", "token": "tok_sandbox_visa"},
    });
    let paid = api_pay(&app, &token, "key-credit-2", &body).await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert_eq!(app.gateway.charged_total(), usd(26_828));
}

#[tokio::test]
async fn a_receipt_names_the_card_saved_while_paying_the_account_and_what_is_left() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 4_000, past()).await;
    app.invoice(a, "INV-2", 1_000, later(10)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (paid, _) = pay(&mut ada, &[first.id], &[VISA, ("save_card", "on")]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let receipt = ada.get(paid.location()).await.body;
    for shown in [
        "<dt>Method</dt><dd>Visa ending 4242</dd>",
        "<dt>Account</dt><dd>Ada&#39;s Bakery",
        "<dt>Left to pay on the account</dt><dd>$10.00</dd>",
    ] {
        assert!(receipt.contains(shown), "{shown}: {receipt}");
    }
    // It prints as the receipt alone: no header, navigation or footer.
    let print = receipt
        .split("@media print {")
        .nth(1)
        .and_then(|rules| rules.split('}').next())
        .expect("a print stylesheet");
    for hidden in ["header.top", "nav", "footer"] {
        assert!(print.contains(hidden), "{hidden}: {print}");
    }
    app.deliver_mail().await;
    let mailed = app
        .mailbox
        .to("ada@example.com")
        .into_iter()
        .find_map(|mail| match mail.kind {
            portal_core::outbox::EmailKind::PaymentReceipt(receipt) => Some(receipt),
            _ => None,
        })
        .expect("a receipt");
    assert_eq!(mailed.method_label, "Visa ending 4242");
    assert_eq!(
        mailed.balance_after,
        Some(portal_core::shared::Money::new(
            usd(1_000),
            portal_core::shared::Currency::USD
        ))
    );
}

#[tokio::test]
async fn a_statement_without_credits_says_zero_not_minus_zero() {
    let app = ada_app(demo_settings()).await;
    app.invoice(app.seeded.account_a, "INV-1", 4_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let statement = ada.get("/portal/billing/statement").await.body;
    assert!(
        statement.contains("<dt>Credits</dt><dd>$0.00</dd>"),
        "{statement}"
    );
    assert!(!statement.contains("-0.00"), "{statement}");
}
