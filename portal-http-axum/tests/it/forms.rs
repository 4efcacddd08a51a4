//! Forms that help (issue 11): errors at the field with a summary that
//! takes focus, destructive actions confirmed on a page of their own,
//! the pay form's card field and running total, and the receipt as PDF.

use axum::http::{StatusCode, header};

use crate::billing_pages::{VISA, ada_app, field, past, pay, settings};
use crate::harness::{Browser, demo_settings, get_request};

/// The ids of the cards on the cards page, in its order.
async fn card_ids(browser: &mut Browser<'_>) -> Vec<String> {
    let page = browser.get("/portal/billing/methods").await;
    page.body
        .split("/portal/billing/methods/")
        .skip(1)
        .map(|rest| rest.split('/').next().unwrap().to_owned())
        .fold(Vec::new(), |mut ids, id| {
            if !ids.contains(&id) {
                ids.push(id);
            }
            ids
        })
}

/// The cards page's cards as (label, is default).
async fn cards(browser: &mut Browser<'_>) -> Vec<(String, bool)> {
    let page = browser.get("/portal/billing/methods").await;
    page.body
        .split("<strong>")
        .skip(1)
        .filter(|item| item.contains(" ending "))
        .map(|item| {
            let label = item.split("</strong>").next().unwrap().to_owned();
            let line = item.split("</li>").next().unwrap();
            (label, line.contains("<span class=\"badge\">Default</span>"))
        })
        .collect()
}

async fn add_card(browser: &mut Browser<'_>, token: &str) {
    let reply = browser
        .post_form("/portal/billing/methods", &[("token", token)])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

#[tokio::test]
async fn removing_a_card_asks_first_on_a_page_of_its_own() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    let list = ada.get("/portal/billing/methods").await;
    // A link to a page, not a one-click form.
    assert!(!list.body.contains("/remove\">\n"), "{}", list.body);
    let card = card_ids(&mut ada).await.remove(0);
    let remove = format!("/portal/billing/methods/{card}/remove");
    assert!(list.body.contains(&format!("<a href=\"{remove}\">Remove")));

    let confirm = ada.get(&remove).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    assert!(confirm.body.contains("<h1>Remove Visa ending 4242?</h1>"));
    assert!(confirm.body.contains(&format!(
        "<form class=\"card\" method=\"post\" action=\"{remove}\" novalidate>"
    )));
    assert!(confirm.body.contains("name=\"csrf_token\""));
    assert!(confirm.body.contains("href=\"/portal/billing/methods\""));
    // The only card: no default to choose, and nothing removed by asking.
    assert!(!confirm.body.contains("name=\"new_default\""));
    assert_eq!(cards(&mut ada).await.len(), 1);

    let gone = ada.post_form(&remove, &[]).await;
    assert_eq!(gone.location(), "/portal/billing/methods?done=removed");
    assert!(cards(&mut ada).await.is_empty());
}

#[tokio::test]
async fn removing_the_default_card_asks_which_card_becomes_the_default() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    add_card(&mut ada, "tok_sandbox_mastercard").await;
    add_card(&mut ada, "tok_sandbox_decline").await;
    let ids = card_ids(&mut ada).await;
    assert_eq!(ids.len(), 3);
    let before = cards(&mut ada).await;
    let default = before.iter().position(|(_, is)| *is).unwrap();
    let (default_id, others): (Vec<_>, Vec<_>) = ids
        .iter()
        .enumerate()
        .partition(|(index, _)| *index == default);
    let default_id = default_id[0].1.clone();
    let successor = others[0].1.clone();
    let remove = format!("/portal/billing/methods/{default_id}/remove");

    let confirm = ada.get(&remove).await;
    assert!(
        confirm.body.contains("is your default card"),
        "{}",
        confirm.body
    );
    for (_, id) in &others {
        assert!(confirm.body.contains(&format!(
            "<input type=\"radio\" name=\"new_default\" value=\"{id}\" required>"
        )));
    }
    assert!(
        !confirm
            .body
            .contains(&format!("name=\"new_default\" value=\"{default_id}\""))
    );

    // The choice is required: without it nothing is removed.
    let unchosen = ada.post_form(&remove, &[]).await;
    assert_eq!(unchosen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchosen.body.contains(
        "<p class=\"field-error\" id=\"new_default-error\">Which card becomes your default"
    ));
    assert!(
        unchosen
            .body
            .contains("aria-describedby=\"new_default-error\"")
    );
    assert!(
        unchosen.body.contains("href=\"#new_default\""),
        "summary links to it"
    );
    assert_eq!(cards(&mut ada).await, before);

    let chosen = ada.post_form(&remove, &[("new_default", &successor)]).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    let after = cards(&mut ada).await;
    assert_eq!(after.len(), 2);
    let now_default: Vec<_> = card_ids(&mut ada)
        .await
        .into_iter()
        .zip(&after)
        .filter(|(_, (_, is))| *is)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(now_default, [successor]);
}

#[tokio::test]
async fn the_apis_delete_of_the_default_card_leaves_no_default() {
    let app = ada_app(demo_settings()).await;
    let token = app.api_token("ada@example.com").await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    add_card(&mut ada, "tok_sandbox_mastercard").await;
    let default = card_ids(&mut ada)
        .await
        .into_iter()
        .zip(cards(&mut ada).await)
        .find(|(_, (_, is))| *is)
        .unwrap()
        .0;
    let request = axum::http::Request::builder()
        .method("DELETE")
        .uri(format!("/portal/api/v1/payment-methods/{default}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    let left = cards(&mut ada).await;
    assert_eq!(left.len(), 1);
    assert!(!left[0].1, "no card is made the default unasked: {left:?}");
}

#[tokio::test]
async fn another_accounts_card_has_no_confirm_page() {
    let app = ada_app(demo_settings()).await;
    app.register("bob@example.com").await;
    let mut bob = app.logged_in("bob@example.com").await;
    add_card(&mut bob, "tok_sandbox_visa").await;
    let card = card_ids(&mut bob).await.remove(0);
    let mut ada = app.logged_in("ada@example.com").await;
    let path = format!("/portal/billing/methods/{card}/remove");
    let page = ada.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Visa ending"));
    let post = ada.post_form(&path, &[("new_default", &card)]).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    assert_eq!(cards(&mut bob).await.len(), 1);
}

#[tokio::test]
async fn turning_autopay_off_asks_first_on_a_page_of_its_own() {
    let app = ada_app(settings(false, false, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    let page = ada.get("/portal/billing/autopay").await;
    let card = card_ids(&mut ada).await.remove(0);
    let on = ada
        .post_form(
            "/portal/billing/autopay",
            &[
                ("method", &card),
                ("terms_digest", &field(&page.body, "terms_digest")),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let page = ada.get("/portal/billing/autopay").await;
    assert!(
        page.body
            .contains("<a href=\"/portal/billing/autopay/withdraw\">Turn off autopay</a>")
    );
    let confirm = ada.get("/portal/billing/autopay/withdraw").await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("<h1>Turn off autopay?</h1>"));
    assert!(confirm.body.contains("charged to Visa ending 4242"));
    assert!(
        ada.get("/portal/billing/autopay")
            .await
            .body
            .contains("Autopay is <strong>on</strong>")
    );
    let off = ada.post_form("/portal/billing/autopay/withdraw", &[]).await;
    assert_eq!(off.location(), "/portal/billing/autopay?done=off");
    assert!(
        ada.get("/portal/billing/autopay")
            .await
            .body
            .contains("Autopay is <strong>off</strong>")
    );
    // Nothing left to turn off: the confirm page sends back.
    let again = ada.get("/portal/billing/autopay/withdraw").await;
    assert_eq!(again.location(), "/portal/billing/autopay");
}

#[tokio::test]
async fn the_card_autopay_uses_cannot_be_removed_from_its_confirm_page() {
    let app = ada_app(settings(false, false, true)).await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    let page = ada.get("/portal/billing/autopay").await;
    let card = card_ids(&mut ada).await.remove(0);
    ada.post_form(
        "/portal/billing/autopay",
        &[
            ("method", &card),
            ("terms_digest", &field(&page.body, "terms_digest")),
            ("consent", "on"),
        ],
    )
    .await;
    let confirm = ada
        .get(&format!("/portal/billing/methods/{card}/remove"))
        .await;
    assert!(confirm.body.contains("Autopay charges this card"));
    assert!(!confirm.body.contains("Remove the card</button>"));
}

/// The text of a PDF's strings (uncompressed content streams).
fn pdf_text(body: &str) -> &str {
    assert!(body.starts_with("%PDF-"), "not a PDF: {body}");
    body
}

#[tokio::test]
async fn a_receipt_downloads_as_a_pdf_naming_card_account_invoices_and_balance() {
    let app = ada_app(demo_settings()).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 12_000, past()).await;
    app.invoice(a, "INV-2", 5_000, past()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (paid, _) = pay(&mut ada, &[first.id], &[VISA, ("save_card", "on")]).await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.body);
    let receipt = ada.get(paid.location()).await;
    let link = format!("{}/receipt.pdf", paid.location());
    assert!(
        receipt
            .body
            .contains(&format!("<a href=\"{link}\">Download PDF</a>"))
    );
    let pdf = ada.get(&link).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        pdf.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"receipt-")
    );
    let text = pdf_text(&pdf.body);
    for expected in [
        "(Receipt) Tj",
        "(Method: Visa ending 4242) Tj",
        "(Invoice INV-1) Tj",
        "(120.00 USD) Tj",
        "(Left to pay on the account) Tj",
        "(50.00 USD) Tj",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(text.contains("Ada"), "the account is named: {text}");

    // The API has it too, for the same account only.
    let token = app.api_token("ada@example.com").await;
    let id = paid.location().rsplit('/').next().unwrap();
    let api = app
        .send(get_request(
            &format!("/portal/api/v1/payments/{id}/pdf"),
            Some(&token),
        ))
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(pdf_text(&api.body).contains("(Method: Visa ending 4242) Tj"));

    app.register("bob@example.com").await;
    let mut bob = app.logged_in("bob@example.com").await;
    let foreign = bob.get(&link).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert!(!foreign.body.contains("%PDF"));
    let bobs_token = app.api_token("bob@example.com").await;
    let foreign = app
        .send(get_request(
            &format!("/portal/api/v1/payments/{id}/pdf"),
            Some(&bobs_token),
        ))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
}
