//! The billing JSON API: every endpoint through the router, payments with
//! idempotency keys against the sandbox gateway, the signed webhook, bad
//! input that writes nothing, isolation between accounts, feature switches
//! and roles.

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use chrono::NaiveDate;
use serde_json::{Value, json};

use portal_core::access::Role;
use portal_core::billing::{ChargeRequest, Invoice, PaymentGateway};
use portal_core::outbox::EmailKind;
use portal_core::shared::{Clock, Currency};
use portal_core::tenancy::PortalSettings;
use rust_decimal::Decimal;

use crate::harness::*;

const API: &str = "/portal/api/v1";

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

fn settings(change: impl FnOnce(&mut PortalSettings)) -> PortalSettings {
    let mut settings = demo_settings();
    change(&mut settings);
    settings
}

/// A test app with Ada (primary contact of account A) registered, and her
/// bearer token.
async fn with_ada(settings: PortalSettings) -> (TestApp, String) {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    (app, token)
}

/// Account A's three invoices: 100.00 overdue, 150.00 and 200.00 not yet due.
async fn three_invoices(app: &TestApp) -> [Invoice; 3] {
    let a = app.seeded.account_a;
    [
        app.invoice(a, "INV-1", 10_000, day(11, 10)).await,
        app.invoice(a, "INV-2", 15_000, day(12, 10)).await,
        app.invoice(a, "INV-3", 20_000, day(12, 20)).await,
    ]
}

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    app.send(get_request(&format!("{API}{path}"), Some(token)))
        .await
}

async fn send_json(app: &TestApp, method: &str, token: &str, path: &str, body: &Value) -> Reply {
    app.send(json_request(
        method,
        &format!("{API}{path}"),
        Some(token),
        body,
    ))
    .await
}

async fn delete(app: &TestApp, token: &str, path: &str) -> Reply {
    app.send(
        Request::builder()
            .method("DELETE")
            .uri(format!("{API}{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn pay_request(token: &str, key: &str, body: &Value) -> Request<Body> {
    let mut request = json_request("POST", &format!("{API}/payments"), Some(token), body);
    request
        .headers_mut()
        .insert("idempotency-key", HeaderValue::from_str(key).unwrap());
    request
}

async fn pay(app: &TestApp, token: &str, key: &str, body: &Value) -> Reply {
    app.send(pay_request(token, key, body)).await
}

/// `POST /payment-methods` with `body`.
async fn add_card(app: &TestApp, token: &str, body: &Value) -> Reply {
    send_json(app, "POST", token, "/payment-methods", body).await
}

fn new_card(token: &str) -> Value {
    json!({"type": "new_token", "token": token})
}

/// A body paying `invoices` in full with a new card token.
fn paying(invoices: &[&Invoice], card: &str) -> Value {
    let invoices: Vec<Value> = invoices
        .iter()
        .map(|invoice| json!({"id": invoice.id.to_string()}))
        .collect();
    json!({"invoices": invoices, "method": new_card(card)})
}

async fn invoice_json(app: &TestApp, token: &str, invoice: &Invoice) -> Value {
    let reply = get(app, token, &format!("/invoices/{}", invoice.id)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

async fn summary(app: &TestApp, token: &str) -> Value {
    let reply = get(app, token, "/billing/summary").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

fn webhook_request(body: Vec<u8>, signature: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder()
        .method("POST")
        .uri(format!("{API}/webhooks/payments"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(signature) = signature {
        builder = builder.header("portal-signature", signature);
    }
    builder.body(Body::from(body)).unwrap()
}

fn assert_problem(reply: &Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let problem = reply.json();
    assert!(
        !problem["detail"].as_str().unwrap_or_default().is_empty(),
        "a problem says what went wrong: {problem}"
    );
    problem
}

#[tokio::test]
async fn the_summary_invoices_and_an_invoice_show_money_as_decimal_strings() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, third] = three_invoices(&app).await;

    let summary = summary(&app, &token).await;
    assert_eq!(summary["currency"], "USD");
    assert_eq!(summary["current_balance"], "450.00");
    assert_eq!(summary["past_due"], "100.00");
    assert_eq!(summary["credit"], "0.00");
    assert_eq!(summary["unpaid_invoices"], 3);
    assert_eq!(summary["last_payment"], Value::Null);

    let list = get(&app, &token, "/invoices").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let list = list.json();
    assert_eq!(list["total"], 3);
    assert_eq!(list["page"], 1);
    assert_eq!(list["items"][0]["number"], "INV-3", "newest first");
    assert_eq!(list["items"][0]["total"], "200.00");
    assert_eq!(list["items"][0]["currency"], "USD");

    let overdue = get(&app, &token, "/invoices?status=overdue").await.json();
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["id"], first.id.to_string());
    assert_eq!(overdue["items"][0]["is_overdue"], true);

    let filtered = get(
        &app,
        &token,
        "/invoices?min_total=120.00&max_total=250&sort=total_desc&per_page=1&page=2",
    )
    .await
    .json();
    assert_eq!(filtered["total"], 2);
    assert_eq!(filtered["per_page"], 1);
    assert_eq!(filtered["items"][0]["number"], "INV-2");

    let by_number = get(&app, &token, "/invoices?number=inv-3&status=")
        .await
        .json();
    assert_eq!(by_number["total"], 1);
    let issued = get(
        &app,
        &token,
        "/invoices?issued_from=2026-11-01&issued_to=2026-11-30",
    )
    .await
    .json();
    assert_eq!(
        issued["total"], 2,
        "INV-2 and INV-3 were issued in November"
    );

    let detail = invoice_json(&app, &token, &third).await;
    assert_eq!(detail["number"], "INV-3");
    assert_eq!(detail["status"], "open");
    assert_eq!(detail["balance"], "200.00");
    assert_eq!(detail["payable"], "200.00");
    assert_eq!(detail["is_overdue"], false);
    assert_eq!(detail["lines"][0]["description"], "Service for INV-3");
    assert_eq!(detail["lines"][0]["amount"], "200.00");
    assert_eq!(detail["applied"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_invoice_filters_are_problems_naming_the_parameter() {
    let (app, token) = with_ada(demo_settings()).await;
    for (query, field) in [
        ("status=late", "status"),
        ("sort=cheapest", "sort"),
        ("issued_from=2026-13-01", "issued_from"),
        ("issued_from=2026-11-30&issued_to=2026-11-01", "issued_from"),
        ("min_total=ten", "min_total"),
        ("min_total=1e3", "min_total"),
        ("min_total=-5", "amount"),
        ("min_total=100&max_total=10", "min_total"),
        ("min_total=10.001", "amount"),
        ("page=first", "page"),
    ] {
        let reply = get(&app, &token, &format!("/invoices?{query}")).await;
        let problem = assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["field"], field, "{query}: {problem}");
    }
    let unknown = get(&app, &token, "/invoices?stauts=paid").await;
    assert_problem(&unknown, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn paying_two_of_three_invoices_updates_the_summary_statuses_and_history() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, second, third] = three_invoices(&app).await;

    let reply = pay(
        &app,
        &token,
        "pay-two-of-three",
        &paying(&[&second, &first], "tok_sandbox_visa"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let payment = reply.json();
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(payment["amount"], "250.00");
    assert_eq!(payment["currency"], "USD");
    assert_eq!(payment["applied"], "250.00");
    assert_eq!(payment["unapplied"], "0.00");
    assert!(payment["reference"].as_str().is_some());
    let allocations = payment["allocations"].as_array().unwrap();
    assert_eq!(allocations.len(), 2);
    assert_eq!(allocations[0]["invoice_number"], "INV-1", "oldest first");
    assert_eq!(allocations[0]["amount"], "100.00");
    assert_eq!(app.gateway.successful_charges(), 1);

    let summary = summary(&app, &token).await;
    assert_eq!(summary["current_balance"], "200.00");
    assert_eq!(summary["past_due"], "0.00");
    assert_eq!(summary["unpaid_invoices"], 1);
    assert_eq!(summary["last_payment"]["amount"], "250.00");

    for (invoice, status, balance) in [
        (&first, "paid", "0.00"),
        (&second, "paid", "0.00"),
        (&third, "open", "200.00"),
    ] {
        let json = invoice_json(&app, &token, invoice).await;
        assert_eq!(json["status"], status, "{json}");
        assert_eq!(json["balance"], balance);
    }
    let paid = invoice_json(&app, &token, &first).await;
    assert_eq!(paid["applied"][0]["payment_id"], payment["id"]);
    assert_eq!(paid["applied"][0]["amount"], "100.00");

    let history = get(&app, &token, "/payments").await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.body);
    let history = history.json();
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["id"], payment["id"]);
    assert_eq!(
        history["items"][0]["allocations"].as_array().unwrap().len(),
        2
    );
    let one = get(
        &app,
        &token,
        &format!("/payments/{}", payment["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json(), payment);
    let paged = get(&app, &token, "/payments?page=2&per_page=1")
        .await
        .json();
    assert_eq!(paged["items"].as_array().unwrap().len(), 0);
    assert_eq!(paged["total"], 1);
}

#[tokio::test]
async fn the_same_key_never_charges_twice_and_a_different_body_is_refused() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, second, _] = three_invoices(&app).await;
    let body = paying(&[&first], "tok_sandbox_visa");

    let once = pay(&app, &token, "replay-key-1", &body).await;
    assert_eq!(once.status, StatusCode::CREATED, "{}", once.body);
    let twice = pay(&app, &token, "replay-key-1", &body).await;
    assert_eq!(twice.status, StatusCode::CREATED, "{}", twice.body);
    assert_eq!(twice.json(), once.json());
    assert_eq!(app.gateway.successful_charges(), 1);

    let other = pay(
        &app,
        &token,
        "replay-key-1",
        &paying(&[&second], "tok_sandbox_visa"),
    )
    .await;
    let problem = assert_problem(&other, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "idempotency_key");
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(invoice_json(&app, &token, &second).await["status"], "open");

    // A failed payment replays as the same 402 with the same body, but for
    // `request_id`, which names each request.
    let declined = paying(&[&second], "tok_sandbox_decline");
    let first_try = pay(&app, &token, "replay-key-2", &declined).await;
    let again = pay(&app, &token, "replay-key-2", &declined).await;
    assert_eq!(first_try.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(again.status, StatusCode::PAYMENT_REQUIRED);
    let (mut first_body, mut again_body) = (first_try.json(), again.json());
    let first_id = first_body.as_object_mut().unwrap().remove("request_id");
    let again_id = again_body.as_object_mut().unwrap().remove("request_id");
    assert!(first_id.is_some() && again_id.is_some() && first_id != again_id);
    assert_eq!(again_body, first_body);
    assert_eq!(app.gateway.successful_charges(), 1);
}

/// Stripe's semantics: a retry of a request that succeeded gets the first
/// answer again, even though its invoices are paid by now.
#[tokio::test]
async fn the_same_key_and_body_replays_a_successful_payment() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    let body = paying(&[&first], "tok_sandbox_visa");
    let once = pay(&app, &token, "replay-success", &body).await;
    let twice = pay(&app, &token, "replay-success", &body).await;
    assert_eq!(once.status, StatusCode::CREATED, "{}", once.body);
    assert_eq!(twice.status, once.status, "{}", twice.body);
    assert_eq!(twice.json(), once.json());
    assert_eq!(app.gateway.successful_charges(), 1);
}

#[tokio::test]
async fn concurrent_identical_payments_charge_once() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, second, _] = three_invoices(&app).await;
    let body = paying(&[&first, &second], "tok_sandbox_visa");
    let (a, b, c, d) = tokio::join!(
        pay(&app, &token, "concurrent-key", &body),
        pay(&app, &token, "concurrent-key", &body),
        pay(&app, &token, "concurrent-key", &body),
        pay(&app, &token, "concurrent-key", &body),
    );
    let replies = [a, b, c, d];
    for reply in &replies {
        assert!(
            // The first payment, or "still in flight" while it is pending.
            matches!(reply.status, StatusCode::CREATED | StatusCode::CONFLICT),
            "{} {}",
            reply.status,
            reply.body
        );
    }
    assert!(replies.iter().any(|r| r.status == StatusCode::CREATED));
    let ids: std::collections::HashSet<String> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| r.json()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "every success is the same payment");
    assert_eq!(app.gateway.successful_charges(), 1);
    assert_eq!(summary(&app, &token).await["current_balance"], "200.00");
}

#[tokio::test]
async fn declines_and_gateway_errors_leave_invoices_as_they_were_and_record_the_attempt() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, second, _] = three_invoices(&app).await;
    for (card, message) in [
        ("tok_sandbox_decline", "declined"),
        ("tok_sandbox_insufficient_funds", "insufficient funds"),
        ("tok_sandbox_error", "nothing was charged"),
    ] {
        let reply = pay(
            &app,
            &token,
            &format!("failing-{card}"),
            &paying(&[&first, &second], card),
        )
        .await;
        let problem = assert_problem(&reply, StatusCode::PAYMENT_REQUIRED);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.to_lowercase().contains(message), "{card}: {detail}");
        assert_eq!(problem["payment"]["status"], "failed");
        assert_eq!(problem["payment"]["failure_message"], detail);
        let recorded = get(
            &app,
            &token,
            &format!("/payments/{}", problem["payment"]["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(recorded.status, StatusCode::OK);
        assert_eq!(recorded.json()["status"], "failed");

        for invoice in [&first, &second] {
            let json = invoice_json(&app, &token, invoice).await;
            assert_eq!(json["status"], "open", "{card}");
            assert_eq!(json["amount_paid"], "0.00");
            assert_eq!(json["amount_pending"], "0.00", "the hold was released");
        }
    }
    assert_eq!(app.gateway.successful_charges(), 0);
    assert_eq!(summary(&app, &token).await["current_balance"], "450.00");

    // And the invoices can still be paid.
    let retry = pay(
        &app,
        &token,
        "after-the-declines",
        &paying(&[&first, &second], "tok_sandbox_visa"),
    )
    .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
}

#[tokio::test]
async fn a_timed_out_payment_stays_pending_and_holds_until_the_webhook_settles_it() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    let body = paying(&[&first], "tok_sandbox_timeout");

    let reply = pay(&app, &token, "timeout-key", &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let payment = reply.json();
    assert_eq!(payment["status"], "pending");
    let id = payment["id"].as_str().unwrap().to_owned();

    let held = invoice_json(&app, &token, &first).await;
    assert_eq!(held["status"], "open");
    assert_eq!(held["amount_pending"], "100.00");
    assert_eq!(held["payable"], "0.00");

    // The same key while pending is in flight; another payment of the
    // held invoice cannot take the same balance.
    let in_flight = pay(&app, &token, "timeout-key", &body).await;
    assert_problem(&in_flight, StatusCode::CONFLICT);
    let double = pay(
        &app,
        &token,
        "another-key",
        &paying(&[&first], "tok_sandbox_visa"),
    )
    .await;
    assert_problem(&double, StatusCode::CONFLICT);
    assert_eq!(app.gateway.successful_charges(), 1, "the timed-out charge");
    assert_eq!(summary(&app, &token).await["processing"], "100.00");

    let (event, signature) = app.gateway.webhook_for(&id, app.clock.now()).unwrap();
    let settled = app
        .send(webhook_request(event.clone(), Some(&signature)))
        .await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    let after = get(&app, &token, &format!("/payments/{id}")).await.json();
    assert_eq!(after["status"], "succeeded");
    let paid = invoice_json(&app, &token, &first).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amount_pending"], "0.00");
    assert_eq!(summary(&app, &token).await["processing"], "0.00");

    // A repeated event changes nothing.
    let repeat = app.send(webhook_request(event, Some(&signature))).await;
    assert_eq!(repeat.status, StatusCode::OK, "{}", repeat.body);
    assert_eq!(
        get(&app, &token, &format!("/payments/{id}")).await.json(),
        after
    );
    assert_eq!(summary(&app, &token).await["current_balance"], "350.00");
    assert_eq!(app.gateway.successful_charges(), 1);
}

#[tokio::test]
async fn a_webhook_with_a_bad_signature_is_refused_and_changes_nothing() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    let reply = pay(
        &app,
        &token,
        "bad-webhook",
        &paying(&[&first], "tok_sandbox_timeout"),
    )
    .await;
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    let (event, signature) = app.gateway.webhook_for(&id, app.clock.now()).unwrap();

    let forged = signature.replace("v1=", "v1=00");
    let tampered = String::from_utf8(event.clone())
        .unwrap()
        .replace("succeeded", "failed")
        .into_bytes();
    let (_, stale) = app
        .gateway
        .webhook_for(&id, app.clock.now() - chrono::Duration::minutes(10))
        .unwrap();
    for (body, signature) in [
        (event.clone(), Some(forged.as_str())),
        (tampered, Some(signature.as_str())),
        (event.clone(), Some(stale.as_str())),
        (event.clone(), None),
        (event.clone(), Some("nonsense")),
    ] {
        let refused = app.send(webhook_request(body, signature)).await;
        assert_problem(&refused, StatusCode::BAD_REQUEST);
    }
    let payment = get(&app, &token, &format!("/payments/{id}")).await.json();
    assert_eq!(payment["status"], "pending");
    assert_eq!(invoice_json(&app, &token, &first).await["status"], "open");

    let huge = app
        .send(webhook_request(vec![b' '; 70 * 1024], Some(&signature)))
        .await;
    assert_problem(&huge, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn reconciling_settles_a_pending_payment() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    let reply = pay(
        &app,
        &token,
        "reconcile-key",
        &paying(&[&first], "tok_sandbox_timeout"),
    )
    .await;
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.portal
            .host()
            .reconcile_payments(app.tenant_id())
            .await
            .unwrap(),
        0,
        "too recent to reconcile"
    );
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(
        app.portal
            .host()
            .reconcile_payments(app.tenant_id())
            .await
            .unwrap(),
        1
    );
    let payment = get(&app, &token, &format!("/payments/{id}")).await.json();
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(invoice_json(&app, &token, &first).await["status"], "paid");
    assert_eq!(app.gateway.successful_charges(), 1);
}

#[tokio::test]
async fn bad_payment_input_gets_a_clear_problem_and_writes_nothing() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, second, _] = three_invoices(&app).await;
    let visa = new_card("tok_sandbox_visa");
    let id = first.id.to_string();
    let bobs = app
        .invoice(app.seeded.account_b, "B-INV-1", 5_000, day(12, 1))
        .await;
    let paid = app
        .invoice(app.seeded.account_a, "INV-PAID", 1_000, day(12, 1))
        .await;
    let paid_reply = pay(
        &app,
        &token,
        "pay-the-small-one",
        &paying(&[&paid], "tok_sandbox_visa"),
    )
    .await;
    assert_eq!(paid_reply.status, StatusCode::CREATED);

    let cases: Vec<(Value, StatusCode, Option<&str>)> = vec![
        (
            json!({"invoices": [{"id": id, "amount": "-5.00"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id, "amount": "0"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id, "amount": "100.001"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id, "amount": "1,00"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id, "amount": 100.0}], "method": visa}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json!({"invoices": [{"id": id, "amount": "150.00"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id, "amount": "50.00"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("amount"),
        ),
        (
            json!({"invoices": [{"id": id}, {"id": id}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invoices"),
        ),
        (
            json!({"invoices": [{"id": "not-an-id"}], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invoices"),
        ),
        (
            json!({"invoices": [{"id": uuid::Uuid::now_v7().to_string()}], "method": visa}),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            json!({"invoices": [{"id": bobs.id.to_string()}], "method": visa}),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            json!({"invoices": [{"id": paid.id.to_string()}], "method": visa}),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            json!({"invoices": [], "method": visa}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invoices"),
        ),
        (
            json!({"invoices": [], "prepayment": "50.00", "method": visa}),
            StatusCode::FORBIDDEN,
            None,
        ),
        (
            json!({"invoices": [{"id": id}], "method": new_card("4242424242424242")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("token"),
        ),
        (
            json!({"invoices": [{"id": id}], "method": new_card("4242 4242 4242 4242")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("token"),
        ),
        (
            json!({"invoices": [{"id": id}], "method": {"type": "saved", "id": uuid::Uuid::now_v7().to_string()}}),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            json!({"invoices": [{"id": id}], "method": {"type": "cash"}}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json!({"invoices": [{"id": id}], "method": visa, "tip": "5.00"}),
            StatusCode::BAD_REQUEST,
            None,
        ),
    ];
    for (number, (body, status, field)) in cases.into_iter().enumerate() {
        let reply = pay(&app, &token, &format!("bad-input-{number:03}"), &body).await;
        let problem = assert_problem(&reply, status);
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{body}: {problem}");
        }
    }

    let no_key = app
        .send(json_request(
            "POST",
            &format!("{API}/payments"),
            Some(&token),
            &paying(&[&first], "tok_sandbox_visa"),
        ))
        .await;
    assert_problem(&no_key, StatusCode::BAD_REQUEST);
    let short_key = pay(
        &app,
        &token,
        "short",
        &paying(&[&first], "tok_sandbox_visa"),
    )
    .await;
    assert_eq!(
        assert_problem(&short_key, StatusCode::UNPROCESSABLE_ENTITY)["field"],
        "idempotency_key"
    );

    assert_eq!(app.gateway.successful_charges(), 1, "only the small one");
    assert_eq!(summary(&app, &token).await["current_balance"], "450.00");
    assert_eq!(get(&app, &token, "/payments").await.json()["total"], 1);
    for invoice in [&first, &second] {
        let json = invoice_json(&app, &token, invoice).await;
        assert_eq!(json["amount_pending"], "0.00");
        assert_eq!(json["status"], "open");
    }
}

#[tokio::test]
async fn partial_payments_prepayments_and_credit_applications_where_the_business_allows_them() {
    let (app, token) = with_ada(settings(|s| {
        s.features.partial_payment = true;
        s.features.prepayment = true;
    }))
    .await;
    let [first, second, _] = three_invoices(&app).await;

    let part = pay(
        &app,
        &token,
        "partial-key",
        &json!({"invoices": [{"id": first.id.to_string(), "amount": "40.00"}], "method": new_card("tok_sandbox_visa")}),
    )
    .await;
    assert_eq!(part.status, StatusCode::CREATED, "{}", part.body);
    let partly = invoice_json(&app, &token, &first).await;
    assert_eq!(partly["status"], "partially_paid");
    assert_eq!(partly["balance"], "60.00");

    let prepay = pay(
        &app,
        &token,
        "prepay-key",
        &json!({"prepayment": "50.00", "method": new_card("tok_sandbox_visa")}),
    )
    .await;
    assert_eq!(prepay.status, StatusCode::CREATED, "{}", prepay.body);
    assert_eq!(prepay.json()["unapplied"], "50.00");
    let summary_now = summary(&app, &token).await;
    assert_eq!(summary_now["credit"], "50.00");
    assert_eq!(summary_now["current_balance"], "360.00");

    let too_much = send_json(
        &app,
        "POST",
        &token,
        "/credit-applications",
        &json!({"invoices": [{"id": second.id.to_string(), "amount": "60.00"}]}),
    )
    .await;
    assert_problem(&too_much, StatusCode::UNPROCESSABLE_ENTITY);
    let applied = send_json(
        &app,
        "POST",
        &token,
        "/credit-applications",
        &json!({"invoices": [{"id": first.id.to_string()}]}),
    )
    .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let after = applied.json();
    assert_eq!(after["credit"], "0.00");
    assert_eq!(after["current_balance"], "360.00", "credit only moves");
    let first_now = invoice_json(&app, &token, &first).await;
    assert_eq!(first_now["balance"], "10.00");
    assert_eq!(app.gateway.successful_charges(), 2);

    let preview = send_json(
        &app,
        "POST",
        &token,
        "/payments/preview",
        &json!({"amount": "400.00"}),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let preview = preview.json();
    assert_eq!(preview["unallocated"], "40.00", "prepayment is on");
}

#[tokio::test]
async fn the_preview_spreads_an_amount_oldest_first_and_writes_nothing() {
    let (app, token) = with_ada(settings(|s| s.features.partial_payment = true)).await;
    three_invoices(&app).await;
    let preview = send_json(
        &app,
        "POST",
        &token,
        "/payments/preview",
        &json!({"amount": "180.00"}),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let preview = preview.json();
    assert_eq!(preview["amount"], "180.00");
    assert_eq!(preview["currency"], "USD");
    assert_eq!(preview["allocations"][0]["invoice_number"], "INV-1");
    assert_eq!(preview["allocations"][0]["amount"], "100.00");
    assert_eq!(preview["allocations"][1]["invoice_number"], "INV-2");
    assert_eq!(preview["allocations"][1]["amount"], "80.00");
    assert_eq!(preview["unallocated"], "0.00");

    let everything = send_json(&app, "POST", &token, "/payments/preview", &json!({})).await;
    assert_eq!(everything.json()["amount"], "450.00");
    for not_an_object in [json!([null]), json!([]), json!(null), json!("{}")] {
        let reply = send_json(&app, "POST", &token, "/payments/preview", &not_an_object).await;
        assert_problem(&reply, StatusCode::BAD_REQUEST);
    }
    let too_much = send_json(
        &app,
        "POST",
        &token,
        "/payments/preview",
        &json!({"amount": "500.00"}),
    )
    .await;
    assert_eq!(
        assert_problem(&too_much, StatusCode::UNPROCESSABLE_ENTITY)["field"],
        "amount"
    );
    for bad in ["0", "-1", "1.234"] {
        let reply = send_json(
            &app,
            "POST",
            &token,
            "/payments/preview",
            &json!({"amount": bad}),
        )
        .await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(summary(&app, &token).await["current_balance"], "450.00");
}

#[tokio::test]
async fn without_partial_payment_the_preview_pays_whole_invoices_only() {
    let (app, token) = with_ada(demo_settings()).await;
    three_invoices(&app).await;
    let whole = send_json(
        &app,
        "POST",
        &token,
        "/payments/preview",
        &json!({"amount": "250.00"}),
    )
    .await
    .json();
    assert_eq!(whole["allocations"][1]["amount"], "150.00");
    let inside = send_json(
        &app,
        "POST",
        &token,
        "/payments/preview",
        &json!({"amount": "180.00"}),
    )
    .await;
    let problem = assert_problem(&inside, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("100.00 USD") && detail.contains("250.00 USD"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_statement_covers_its_range_and_only_the_active_account() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    app.invoice(app.seeded.account_b, "B-INV-1", 7_700, day(11, 15))
        .await;
    pay(
        &app,
        &token,
        "statement-pay",
        &paying(&[&first], "tok_sandbox_visa"),
    )
    .await;

    let reply = get(&app, &token, "/statements?from=2026-10-01&to=2026-11-30").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let statement = reply.json();
    assert_eq!(statement["from"], "2026-10-01");
    assert_eq!(statement["currency"], "USD");
    assert_eq!(statement["opening_balance"], "0.00");
    assert_eq!(statement["charges"], "450.00");
    assert_eq!(statement["payments"], "100.00");
    assert_eq!(statement["closing_balance"], "350.00");
    let lines = statement["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    assert!(
        lines.iter().all(|line| line["reference"] != "B-INV-1"),
        "another account's invoice never shows: {lines:?}"
    );
    assert_eq!(lines.last().unwrap()["balance"], "350.00");

    for query in [
        "",
        "from=2026-10-01",
        "from=2026-11-30&to=2026-10-01",
        "from=yesterday&to=2026-11-30",
    ] {
        let reply = get(&app, &token, &format!("/statements?{query}")).await;
        assert_problem(&reply, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// At the most cards an account may keep, a new card is refused, and so
/// is a payment asking to keep its card: before anything is charged or
/// written, not as a failed payment.
#[tokio::test]
async fn at_the_most_cards_on_file_a_new_one_is_refused_even_when_paying() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    for n in 0..portal_core::billing::MAX_PAYMENT_METHODS {
        let added = add_card(&app, &token, &json!({"token": "tok_sandbox_visa"})).await;
        assert_eq!(
            added.status,
            StatusCode::CREATED,
            "card {n}: {}",
            added.body
        );
    }
    let one_more = add_card(&app, &token, &json!({"token": "tok_sandbox_visa"})).await;
    assert_eq!(
        assert_problem(&one_more, StatusCode::CONFLICT)["detail"],
        "An account can keep at most 20 cards on file; remove one first."
    );
    let paying_and_saving = pay(
        &app,
        &token,
        "save-the-21st",
        &json!({
            "invoices": [{"id": first.id.to_string()}],
            "method": {"type": "new_token", "token": "tok_sandbox_visa", "save": true},
        }),
    )
    .await;
    assert_problem(&paying_and_saving, StatusCode::CONFLICT);
    assert_eq!(app.gateway.successful_charges(), 0, "nothing charged");
    assert_eq!(get(&app, &token, "/payments").await.json()["total"], 0);
    let cards = get(&app, &token, "/payment-methods").await.json();
    assert_eq!(cards["items"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn cards_on_file_can_be_added_made_default_paid_with_and_removed() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;

    let visa = add_card(
        &app,
        &token,
        &json!({"token": "tok_sandbox_visa", "make_default": true}),
    )
    .await;
    assert_eq!(visa.status, StatusCode::CREATED, "{}", visa.body);
    let visa = visa.json();
    assert_eq!(visa["label"], "Visa ending 4242");
    assert_eq!(visa["is_default"], true);
    assert!(visa.get("gateway_token").is_none());
    let master = add_card(&app, &token, &json!({"token": "tok_sandbox_mastercard"}))
        .await
        .json();
    let master_id = master["id"].as_str().unwrap();
    let visa_id = visa["id"].as_str().unwrap();

    let card_number = add_card(&app, &token, &json!({"token": "4000056655665556"})).await;
    assert_eq!(
        assert_problem(&card_number, StatusCode::UNPROCESSABLE_ENTITY)["field"],
        "token"
    );
    let unknown = add_card(&app, &token, &json!({"token": "tok_unknown"})).await;
    // One sentence: the field's name, then why.
    assert_eq!(
        assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY)["detail"],
        "Card was not accepted: check its details or use another card."
    );

    let made_default = send_json(
        &app,
        "PUT",
        &token,
        &format!("/payment-methods/{master_id}/default"),
        &json!({}),
    )
    .await;
    assert_eq!(
        made_default.status,
        StatusCode::NO_CONTENT,
        "{}",
        made_default.body
    );
    let list = get(&app, &token, "/payment-methods").await.json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let default: Vec<&Value> = items.iter().filter(|m| m["is_default"] == true).collect();
    assert_eq!(default.len(), 1);
    assert_eq!(default[0]["id"], master_id);

    let paid = pay(
        &app,
        &token,
        "saved-card-key",
        &json!({"invoices": [{"id": first.id.to_string()}], "method": {"type": "saved", "id": master_id}}),
    )
    .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    assert_eq!(paid.json()["method_label"], "Mastercard ending 4444");

    let removed = delete(&app, &token, &format!("/payment-methods/{visa_id}")).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let gone = delete(&app, &token, &format!("/payment-methods/{visa_id}")).await;
    assert_problem(&gone, StatusCode::NOT_FOUND);
    let malformed = delete(&app, &token, "/payment-methods/not-an-id").await;
    assert_problem(&malformed, StatusCode::NOT_FOUND);
    let list = get(&app, &token, "/payment-methods").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

/// Enrols in autopay with a new card; the terms shown and those recorded.
pub(crate) async fn enrol_autopay(app: &TestApp, token: &str) -> (Value, Value) {
    let card = add_card(app, token, &json!({"token": "tok_sandbox_visa"}))
        .await
        .json();
    let status = get(app, token, "/autopay").await.json();
    let enrolled = send_json(
        app,
        "PUT",
        token,
        "/autopay",
        &json!({"method_id": card["id"], "terms_digest": status["terms_digest"], "consent": true}),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
    (status["terms"].clone(), enrolled.json()["terms"].clone())
}

/// Without terms of its own the business's customers agree to the
/// portal's standard terms in their language, recorded word for word; a
/// business's own terms are shown and recorded as it wrote them.
#[tokio::test]
async fn autopay_records_the_standard_terms_in_the_customers_language_or_the_business_own() {
    let (spanish, token) = with_ada(settings(|s| {
        s.features.autopay = true;
        s.language = portal_i18n::Language::Spanish;
    }))
    .await;
    let standard =
        portal_i18n::Messages::new(portal_i18n::Language::Spanish).msg("autopay-terms-standard");
    assert!(standard.starts_with("Autorizo"), "{standard}");
    assert_eq!(
        enrol_autopay(&spanish, &token).await,
        (json!(standard), json!(standard))
    );

    let own = "We charge your card on file for each invoice when it falls due.";
    let (business, token) = with_ada(settings(|s| {
        s.features.autopay = true;
        s.language = portal_i18n::Language::Spanish;
        s.autopay_terms = Some(own.to_owned());
    }))
    .await;
    assert_eq!(
        enrol_autopay(&business, &token).await,
        (json!(own), json!(own))
    );
}

#[tokio::test]
async fn autopay_records_the_consent_to_the_terms_shown_and_can_be_withdrawn() {
    let (app, token) = with_ada(settings(|s| s.features.autopay = true)).await;
    let card = add_card(&app, &token, &json!({"token": "tok_sandbox_visa"}))
        .await
        .json();
    let card_id = card["id"].as_str().unwrap();

    let status = get(&app, &token, "/autopay").await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.body);
    let status = status.json();
    assert_eq!(status["consent"], Value::Null);
    assert_eq!(status["methods"].as_array().unwrap().len(), 1);
    let digest = status["terms_digest"].as_str().unwrap();

    let stale = send_json(
        &app,
        "PUT",
        &token,
        "/autopay",
        &json!({"method_id": card_id, "terms_digest": "0".repeat(64), "consent": true}),
    )
    .await;
    assert_problem(&stale, StatusCode::CONFLICT);
    let unagreed = send_json(
        &app,
        "PUT",
        &token,
        "/autopay",
        &json!({"method_id": card_id, "terms_digest": digest, "consent": false}),
    )
    .await;
    assert_eq!(
        assert_problem(&unagreed, StatusCode::UNPROCESSABLE_ENTITY)["field"],
        "consent"
    );
    assert_eq!(
        get(&app, &token, "/autopay").await.json()["consent"],
        Value::Null
    );
    let enrolled = send_json(
        &app,
        "PUT",
        &token,
        "/autopay",
        &json!({"method_id": card_id, "terms_digest": digest, "consent": true}),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
    let consent = enrolled.json();
    assert_eq!(consent["method_id"], card_id);
    assert_eq!(consent["terms"], status["terms"]);
    assert_eq!(
        get(&app, &token, "/autopay").await.json()["consent"]["id"],
        consent["id"]
    );

    let in_use = delete(&app, &token, &format!("/payment-methods/{card_id}")).await;
    assert_problem(&in_use, StatusCode::CONFLICT);

    let withdrawn = delete(&app, &token, "/autopay").await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert!(withdrawn.json()["withdrawn_at"].as_str().is_some());
    assert_eq!(
        get(&app, &token, "/autopay").await.json()["consent"],
        Value::Null
    );
    let again = delete(&app, &token, "/autopay").await;
    assert_problem(&again, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_autopay_run_pays_what_is_due_with_the_consented_card_once_a_day() {
    let (app, mut token) = with_ada(settings(|s| s.features.autopay = true)).await;
    let [overdue, december, later] = three_invoices(&app).await;
    let card = add_card(&app, &token, &json!({"token": "tok_sandbox_visa"}))
        .await
        .json();
    let digest = get(&app, &token, "/autopay").await.json()["terms_digest"].clone();
    let enrolled = send_json(
        &app,
        "PUT",
        &token,
        "/autopay",
        &json!({"method_id": card["id"], "terms_digest": digest, "consent": true}),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
    let host = app.portal.host();

    // Today only the overdue invoice is due: it alone is charged.
    let run = host.run_autopay(app.tenant_id()).await.unwrap();
    assert_eq!((run.paid, run.failed, run.skipped), (1, 0, 0));
    assert_eq!(
        app.gateway.charged_total(),
        Currency::USD.from_minor(10_000)
    );
    assert_eq!(invoice_json(&app, &token, &overdue).await["status"], "paid");
    assert_eq!(
        invoice_json(&app, &token, &december).await["status"],
        "open"
    );
    app.deliver_mail().await;
    assert_eq!(
        app.mailbox
            .to("ada@example.com")
            .iter()
            .filter(|mail| matches!(mail.kind, EmailKind::PaymentReceipt(_)))
            .count(),
        1
    );
    let history = get(&app, &token, "/payments").await.json();
    assert_eq!(history["items"][0]["source"], "autopay");

    // Run again the same day: nothing more is charged.
    let again = host.run_autopay(app.tenant_id()).await.unwrap();
    assert_eq!(again.paid, 0);
    assert_eq!(app.gateway.successful_charges(), 1);

    // On the 15th of December the second one is due.
    app.clock.advance(chrono::Duration::days(22));
    // The session ran out meanwhile; the run needs none.
    token = app.api_token("ada@example.com").await;
    let run = host.run_autopay(app.tenant_id()).await.unwrap();
    assert_eq!(run.paid, 1);
    assert_eq!(
        invoice_json(&app, &token, &december).await["status"],
        "paid"
    );
    assert_eq!(app.gateway.successful_charges(), 2);

    // Withdrawn: the last one is left for the customer.
    assert_eq!(
        delete(&app, &token, "/autopay").await.status,
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::days(10));
    token = app.api_token("ada@example.com").await;
    let run = host.run_autopay(app.tenant_id()).await.unwrap();
    assert_eq!(run, portal_core::AutopayRun::default());
    assert_eq!(invoice_json(&app, &token, &later).await["status"], "open");
    assert_eq!(app.gateway.successful_charges(), 2);
}

#[tokio::test]
async fn a_contact_never_reaches_another_accounts_invoices_payments_cards_or_statement() {
    let (app, ada) = with_ada(demo_settings()).await;
    app.register("bob@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    let adas = app
        .invoice(app.seeded.account_a, "A-INV-1", 1_000, day(12, 1))
        .await;
    let bobs = app
        .invoice(app.seeded.account_b, "B-INV-1", 5_000, day(12, 1))
        .await;
    let bobs_other = app
        .invoice(app.seeded.account_b, "B-INV-2", 6_000, day(12, 2))
        .await;
    let bob_paid = pay(
        &app,
        &bob,
        "bob-pays-key",
        &paying(&[&bobs], "tok_sandbox_visa"),
    )
    .await
    .json();
    let bob_card = add_card(
        &app,
        &bob,
        &json!({"token": "tok_sandbox_visa", "make_default": true}),
    )
    .await
    .json();
    let bob_card_id = bob_card["id"].as_str().unwrap();

    for path in [
        format!("/invoices/{}", bobs.id),
        format!("/payments/{}", bob_paid["id"].as_str().unwrap()),
    ] {
        let reply = get(&app, &ada, &path).await;
        assert_problem(&reply, StatusCode::NOT_FOUND);
    }
    let removed = delete(&app, &ada, &format!("/payment-methods/{bob_card_id}")).await;
    assert_problem(&removed, StatusCode::NOT_FOUND);
    let defaulted = send_json(
        &app,
        "PUT",
        &ada,
        &format!("/payment-methods/{bob_card_id}/default"),
        &json!({}),
    )
    .await;
    assert_problem(&defaulted, StatusCode::NOT_FOUND);
    let with_bobs_card = pay(
        &app,
        &ada,
        "ada-bobs-card",
        &json!({"invoices": [{"id": adas.id.to_string()}], "method": {"type": "saved", "id": bob_card_id}}),
    )
    .await;
    assert_problem(&with_bobs_card, StatusCode::NOT_FOUND);
    let bobs_invoice = pay(
        &app,
        &ada,
        "ada-bobs-invoice",
        &paying(&[&bobs_other], "tok_sandbox_visa"),
    )
    .await;
    assert_problem(&bobs_invoice, StatusCode::NOT_FOUND);
    let credit = send_json(
        &app,
        "POST",
        &ada,
        "/credit-applications",
        &json!({"invoices": [{"id": bobs_other.id.to_string()}]}),
    )
    .await;
    assert!(credit.status.is_client_error(), "{}", credit.body);

    let list = get(&app, &ada, "/invoices").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(get(&app, &ada, "/payments").await.json()["total"], 0);
    assert_eq!(
        get(&app, &ada, "/payment-methods").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let statement = get(&app, &ada, "/statements?from=2026-01-01&to=2026-12-31")
        .await
        .json();
    assert_eq!(statement["charges"], "10.00");
    assert!(!statement.to_string().contains("B-INV"), "{statement}");

    // Bob's things are untouched.
    let bobs_cards = get(&app, &bob, "/payment-methods").await.json();
    assert_eq!(bobs_cards["items"][0]["is_default"], true);
    assert_eq!(
        get(&app, &bob, &format!("/invoices/{}", bobs_other.id))
            .await
            .json()["status"],
        "open"
    );
    assert_eq!(app.gateway.successful_charges(), 1);
}

#[tokio::test]
async fn switched_off_features_are_403() {
    let (app, token) = with_ada(settings(|s| s.features.billing = false)).await;
    for path in [
        "/billing/summary",
        "/invoices",
        "/payments",
        "/statements?from=2026-01-01&to=2026-01-31",
    ] {
        let reply = get(&app, &token, path).await;
        let problem = assert_problem(&reply, StatusCode::FORBIDDEN);
        assert!(
            problem["type"].as_str().unwrap().ends_with("feature-off"),
            "{path}: {problem}"
        );
    }

    let (app, token) = with_ada(settings(|s| {
        s.features.online_payment = false;
        s.features.card_on_file = false;
        s.features.statements = false;
    }))
    .await;
    let [first, _, _] = three_invoices(&app).await;
    assert_eq!(get(&app, &token, "/invoices").await.status, StatusCode::OK);
    let paying_off = pay(
        &app,
        &token,
        "feature-off-key",
        &paying(&[&first], "tok_sandbox_visa"),
    )
    .await;
    assert_problem(&paying_off, StatusCode::FORBIDDEN);
    let preview = send_json(&app, "POST", &token, "/payments/preview", &json!({})).await;
    assert_problem(&preview, StatusCode::FORBIDDEN);
    let card = add_card(&app, &token, &json!({"token": "tok_sandbox_visa"})).await;
    assert_problem(&card, StatusCode::FORBIDDEN);
    let statement = get(&app, &token, "/statements?from=2026-01-01&to=2026-01-31").await;
    assert_problem(&statement, StatusCode::FORBIDDEN);
    let autopay = get(&app, &token, "/autopay").await;
    assert_problem(&autopay, StatusCode::FORBIDDEN);
    assert_eq!(app.gateway.successful_charges(), 0);
}

#[tokio::test]
async fn a_viewer_cannot_pay_manage_cards_or_apply_credit() {
    let (app, ada) = with_ada(demo_settings()).await;
    let host = app.portal.host();
    let tenant = app.tenant_id();
    let vic = host
        .upsert_contact(
            tenant,
            &contact("vic", "Vic Viewer", "vic@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(tenant, vic.id, app.seeded.account_a, Role::Viewer)
        .await
        .unwrap();
    app.register("vic@example.com").await;
    let token = app.api_token("vic@example.com").await;
    let [first, _, _] = three_invoices(&app).await;

    let paying_reply = pay(
        &app,
        &token,
        "viewer-pays",
        &paying(&[&first], "tok_sandbox_visa"),
    )
    .await;
    assert_problem(&paying_reply, StatusCode::FORBIDDEN);
    for (path, body) in [
        ("/payment-methods", json!({"token": "tok_sandbox_visa"})),
        (
            "/credit-applications",
            json!({"invoices": [{"id": first.id.to_string()}]}),
        ),
        ("/payments/preview", json!({})),
    ] {
        let reply = send_json(&app, "POST", &token, path, &body).await;
        assert_problem(&reply, StatusCode::FORBIDDEN);
    }
    // Viewers do not see billing either.
    assert_problem(
        &get(&app, &token, "/billing/summary").await,
        StatusCode::FORBIDDEN,
    );
    assert_eq!(app.gateway.successful_charges(), 0);
    assert_eq!(invoice_json(&app, &ada, &first).await["status"], "open");
    assert_eq!(
        get(&app, &ada, "/payment-methods").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn billing_needs_a_bearer_token_but_the_webhook_does_not() {
    let app = TestApp::new().await;
    for path in [
        "/billing/summary",
        "/invoices",
        "/payments",
        "/payment-methods",
        "/autopay",
    ] {
        let reply = app.send(get_request(&format!("{API}{path}"), None)).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED);
    }
    let no_token = app
        .send(json_request(
            "POST",
            &format!("{API}/payments"),
            None,
            &json!({}),
        ))
        .await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    // Events about charges the portal never made (another system's, or
    // an unknown payment) are acknowledged and change nothing.
    for key in [
        "charge-from-elsewhere".to_owned(),
        uuid::Uuid::now_v7().to_string(),
    ] {
        app.gateway
            .charge(&ChargeRequest {
                amount: portal_core::shared::Money::new(Decimal::TEN, Currency::USD),
                method_token: portal_core::billing::CardToken::new("tok_sandbox_visa"),
                idempotency_key: key.clone(),
                description: "not the portal's".into(),
            })
            .await
            .unwrap();
        let (body, signature) = app.gateway.webhook_for(&key, app.clock.now()).unwrap();
        let reply = app.send(webhook_request(body, Some(&signature))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}

#[tokio::test]
async fn the_openapi_document_lists_the_billing_api() {
    let app = TestApp::new().await;
    let doc = app
        .send(get_request(&format!("{API}/openapi.json"), None))
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/billing/summary", "get"),
        ("/api/v1/invoices", "get"),
        ("/api/v1/invoices/{id}", "get"),
        ("/api/v1/payments", "get"),
        ("/api/v1/payments", "post"),
        ("/api/v1/payments/{id}", "get"),
        ("/api/v1/payments/preview", "post"),
        ("/api/v1/credit-applications", "post"),
        ("/api/v1/statements", "get"),
        ("/api/v1/payment-methods", "get"),
        ("/api/v1/payment-methods", "post"),
        ("/api/v1/payment-methods/{id}", "delete"),
        ("/api/v1/payment-methods/{id}/default", "put"),
        ("/api/v1/autopay", "get"),
        ("/api/v1/autopay", "put"),
        ("/api/v1/autopay", "delete"),
        ("/api/v1/webhooks/payments", "post"),
        ("/api/v1/invoices/{id}/pdf", "get"),
        ("/api/v1/payments/{id}/pdf", "get"),
        ("/api/v1/statements/pdf", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    let pay = &paths["/api/v1/payments"]["post"];
    assert!(pay["responses"].get("402").is_some());
    assert!(
        pay["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
    );
    assert!(doc["info"]["description"].as_str().unwrap().contains("402"));
}

#[tokio::test]
async fn invoices_and_statements_download_as_pdf_for_their_own_account_only() {
    let (app, token) = with_ada(demo_settings()).await;
    let [first, _, _] = three_invoices(&app).await;
    let bobs = app
        .invoice(app.seeded.account_b, "B-INV-1", 5_000, day(12, 1))
        .await;

    let invoice = get(&app, &token, &format!("/invoices/{}/pdf", first.id)).await;
    assert_eq!(invoice.status, StatusCode::OK, "{}", invoice.body);
    assert_eq!(invoice.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        invoice.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"invoice-INV-1.pdf\"; filename*=UTF-8''invoice-INV-1.pdf"
    );
    assert_eq!(invoice.headers[header::CACHE_CONTROL], "private, no-store");
    assert!(invoice.body.starts_with("%PDF-"));
    assert!(invoice.body.contains("INV-1"));

    let foreign = get(&app, &token, &format!("/invoices/{}/pdf", bobs.id)).await;
    assert_problem(&foreign, StatusCode::NOT_FOUND);
    let malformed = get(&app, &token, "/invoices/nope/pdf").await;
    assert_problem(&malformed, StatusCode::NOT_FOUND);

    let statement = get(
        &app,
        &token,
        "/statements/pdf?from=2026-10-01&to=2026-11-30",
    )
    .await;
    assert_eq!(statement.status, StatusCode::OK, "{}", statement.body);
    assert_eq!(statement.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(statement.body.starts_with("%PDF-"));
    assert!(statement.body.contains("INV-1"));
    assert!(!statement.body.contains("B-INV-1"));
    let bad = get(
        &app,
        &token,
        "/statements/pdf?from=2026-11-30&to=2026-10-01",
    )
    .await;
    assert_problem(&bad, StatusCode::UNPROCESSABLE_ENTITY);
}
