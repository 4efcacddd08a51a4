//! Forms that help (issue 11): errors at the field with a summary that
//! takes focus, destructive actions confirmed on a page of their own,
//! the pay form's card field and running total, and the receipt as PDF.

use axum::http::{StatusCode, header};

use crate::billing_pages::{VISA, ada_app, field, past, pay, settings};
use crate::harness::{Browser, demo_settings, error_at, get_request};

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
            .contains("Autopay is on")
    );
    let off = ada.post_form("/portal/billing/autopay/withdraw", &[]).await;
    assert_eq!(off.location(), "/portal/billing/autopay?done=off");
    assert!(
        ada.get("/portal/billing/autopay")
            .await
            .body
            .contains("Autopay is off")
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
        "($120.00) Tj",
        "(Left to pay on the account) Tj",
        "($50.00) Tj",
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

/// The inline script of a page and the page's Content-Security-Policy.
fn script_and_policy(reply: &crate::harness::Reply) -> (String, String) {
    let script = reply
        .body
        .split("<script>")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap_or_else(|| panic!("no script in {}", reply.body))
        .to_owned();
    let policy = reply.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    (script, policy)
}

#[tokio::test]
async fn the_pay_forms_script_runs_by_its_hash_and_no_other_page_runs_any() {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let app = ada_app(settings(true, true, false)).await;
    app.invoice(app.seeded.account_a, "INV-1", 12_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/billing/pay").await;
    let (script, policy) = script_and_policy(&page);
    assert!(script.contains("running-total"));
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&script));
    assert!(
        policy.contains(&format!("script-src 'sha256-{hash}';")),
        "{policy}"
    );
    // Only that script: no 'unsafe-inline', no nonce, no host.
    let script_src: Vec<&str> = policy
        .split(';')
        .map(str::trim)
        .filter(|directive| directive.starts_with("script-src"))
        .collect();
    assert_eq!(script_src, [format!("script-src 'sha256-{hash}'")]);
    // A refused form comes back with the script and its policy too.
    let refused = ada
        .post_form("/portal/billing/pay", &[("prepayment", "abc")])
        .await;
    assert_eq!(script_and_policy(&refused).1, policy);
    for other in [
        "/portal/billing",
        "/portal/billing/methods",
        "/portal/dashboard",
    ] {
        let reply = ada.get(other).await;
        assert!(!reply.body.contains("<script"), "{other}");
        let policy = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(policy.contains("script-src 'none'"), "{other}: {policy}");
    }
    // Without the script the total is not shown (the review does the job).
    assert!(page.body.contains("<p class=\"running\" hidden>"));
}

#[tokio::test]
async fn the_pay_forms_card_field_hides_for_a_saved_card_and_amounts_are_not_prefilled() {
    let app = ada_app(settings(true, false, false)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 12_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/billing/pay").await;
    // No placeholder that looks like a typed amount; the hint says it.
    assert!(!page.body.contains("placeholder="), "{}", page.body);
    assert!(page.body.contains("leave blank for $120.00"));
    add_card(&mut ada, "tok_sandbox_visa").await;
    let page = ada.get("/portal/billing/pay").await;
    // The card field sits in `.new-card`, which the stylesheet hides
    // while a saved card's radio is checked (`:has()`, no script).
    assert!(page.body.contains(
        "fieldset:has(input[name=method]:not([value=new]):checked) .new-card { display: none; }"
    ));
    let new_card = page.body.split("<div class=\"new-card\">").nth(1).unwrap();
    assert!(new_card.split("</div>\n").count() > 1);
    assert!(new_card.contains("id=\"token\""));
    assert!(new_card.contains("name=\"save_card\""));
    let _ = invoice;
}

#[tokio::test]
async fn change_on_the_review_keeps_the_card_token_entered() {
    let app = ada_app(settings(true, false, false)).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 12_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let id = invoice.id.to_string();
    let page = ada.get("/portal/billing/pay").await;
    let key = field(&page.body, "idempotency_key");
    let amount = format!("amount_{id}");
    let fields = [
        ("idempotency_key", key.as_str()),
        ("invoice", id.as_str()),
        (amount.as_str(), "20.00"),
        ("method", "new"),
        ("token", "tok_sandbox_visa"),
    ];
    let mut review: Vec<(&str, &str)> = fields.to_vec();
    review.push(("step", "review"));
    let reviewed = ada.post_form("/portal/billing/pay", &review).await;
    assert!(
        reviewed.body.contains("You are paying $20.00"),
        "{}",
        reviewed.body
    );
    let mut change: Vec<(&str, &str)> = fields.to_vec();
    change.push(("step", "edit"));
    let back = ada.post_form("/portal/billing/pay", &change).await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(back.body.contains(
        "<input id=\"token\" name=\"token\" type=\"text\" autocomplete=\"off\" spellcheck=\"false\" value=\"tok_sandbox_visa\""
    ), "{}", back.body);
    assert!(
        back.body
            .contains(&format!("value=\"{id}\" data-payable=\"120.00\" checked"))
    );
    assert!(back.body.contains("value=\"20.00\""));
}

#[tokio::test]
async fn a_declined_card_is_not_chosen_again_and_another_card_is_offered() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 12_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    add_card(&mut ada, "tok_sandbox_decline").await;
    add_card(&mut ada, "tok_sandbox_visa").await;
    let ids = card_ids(&mut ada).await;
    let labels = cards(&mut ada).await;
    let declining = ids[labels
        .iter()
        .position(|(l, _)| l.ends_with("0002"))
        .unwrap()]
    .clone();
    let good = ids.iter().find(|id| **id != declining).unwrap().clone();
    let (declined, _) = pay(&mut ada, &[invoice.id], &[("method", &declining)]).await;
    assert_eq!(
        declined.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        declined.body
    );
    assert!(
        declined
            .body
            .contains("Choose another saved card or a new card below and try again."),
        "{}",
        declined.body
    );
    // The message takes focus; the same invoice stays ticked and the
    // other card is chosen.
    assert!(
        declined
            .body
            .contains("role=\"alert\" id=\"form-problem\" tabindex=\"-1\" autofocus>")
    );
    assert!(declined.body.contains(&format!(
        "value=\"{}\" data-payable=\"120.00\" checked",
        invoice.id
    )));
    assert!(
        declined.body.contains(&format!("value=\"{good}\" checked")),
        "{}",
        declined.body
    );
    assert!(
        !declined
            .body
            .contains(&format!("value=\"{declining}\" checked"))
    );
}

#[tokio::test]
async fn a_failed_new_card_comes_back_with_a_new_card_chosen_and_its_token_cleared() {
    let app = ada_app(demo_settings()).await;
    let invoice = app
        .invoice(app.seeded.account_a, "INV-1", 12_000, past())
        .await;
    let mut ada = app.logged_in("ada@example.com").await;
    let (declined, _) = pay(&mut ada, &[invoice.id], &[("token", "tok_sandbox_decline")]).await;
    assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
    assert!(!declined.body.contains("value=\"tok_sandbox_decline\""));
    assert!(declined.body.contains("try again"));
}

#[tokio::test]
async fn the_password_change_error_shows_inside_its_own_form_at_its_field_with_focus() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let reply = ada
        .post_form(
            "/portal/account/password",
            &[
                ("current_password", "wrong password here"),
                ("new_password", "a brand new password"),
                ("new_password_confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let message = error_at(&reply.body, "current_password");
    assert!(message.starts_with("Current password"), "{message}");
    // The summary and the message are inside the password form, not at
    // the top of the page; the field takes focus without JavaScript.
    let form = reply
        .body
        .split("action=\"/portal/account/password\"")
        .nth(1)
        .unwrap()
        .split("</form>")
        .next()
        .unwrap();
    assert!(form.contains("href=\"#current_password\""), "{form}");
    assert!(form.contains("current_password-error"));
    let before = reply
        .body
        .split("action=\"/portal/account/password\"")
        .next()
        .unwrap();
    assert!(
        !before.contains("class=\"alert error\""),
        "nothing at the top"
    );
    assert!(control_tag(&reply.body, "current_password").contains(" autofocus"));
    assert_eq!(reply.body.matches(" autofocus").count(), 1);

    // Mismatched new passwords: at the repeat field, with its label's words.
    let reply = ada
        .post_form(
            "/portal/account/password",
            &[
                ("current_password", crate::harness::PASSWORD),
                ("new_password", "a brand new password"),
                ("new_password_confirm", "another new password"),
            ],
        )
        .await;
    error_at(&reply.body, "new_password_confirm");
    assert!(control_tag(&reply.body, "new_password_confirm").contains(" autofocus"));
}

#[tokio::test]
async fn the_invoice_filters_messages_use_the_labels_words_and_focus_the_field() {
    let app = ada_app(demo_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let reply = ada.get("/portal/billing/invoices?min_total=abc").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("<label for=\"min_total\">Amount from"));
    let message = error_at(&reply.body, "min_total");
    assert!(message.starts_with("Amount from "), "{message}");
    assert!(!reply.body.contains("Min total"));
    assert!(control_tag(&reply.body, "min_total").contains(" autofocus"));
    assert!(
        reply
            .body
            .contains("There is a problem with <a href=\"#min_total\">Amount from</a>")
    );
}

/// The opening tag of the element with id `key`.
fn control_tag<'a>(body: &'a str, key: &str) -> &'a str {
    let id = body.find(&format!(" id=\"{key}\"")).unwrap();
    let open = body[..id].rfind('<').unwrap();
    let close = id + body[id..].find('>').unwrap() + 1;
    &body[open..close]
}

/// In Chromium: the pay form's total follows the ticks and the amounts
/// typed (run from `browser.rs`).
pub async fn running_total_in_chromium() {
    use fantoccini::Locator;
    let webdriver = crate::browser_flow::required("PORTAL_TEST_WEBDRIVER");
    let chromium = crate::browser_flow::required("PORTAL_TEST_CHROMIUM");
    let app = ada_app(settings(true, false, false)).await;
    let a = app.seeded.account_a;
    let first = app.invoice(a, "INV-1", 12_000, past()).await;
    let second = app.invoice(a, "INV-2", 5_000, past()).await;
    let base = crate::browser_flow::serve(&app).await;
    let (browser, _profile) = crate::browser_flow::open_chromium(&webdriver, &chromium).await;
    let outcome: Result<(), fantoccini::error::CmdError> = async {
        crate::browser_flow::log_in(&browser, &base, "ada@example.com").await?;
        browser.goto(&format!("{base}billing/pay")).await?;
        let total = browser
            .wait()
            .for_element(Locator::Id("running-total"))
            .await?;
        // Both ticked, nothing typed: each invoice's whole balance,
        // written as the tenant's locale (en-US) writes dollars.
        assert_eq!(total.text().await?, "$170.00");
        browser
            .find(Locator::Id(&format!("amount_{}", first.id)))
            .await?
            .send_keys("20.5")
            .await?;
        assert_eq!(total.text().await?, "$70.50");
        browser
            .find(Locator::Css(&format!(
                "input[name=invoice][value='{}']",
                second.id
            )))
            .await?
            .click()
            .await?;
        assert_eq!(total.text().await?, "$20.50");
        browser
            .find(Locator::Id(&format!("amount_{}", first.id)))
            .await?
            .send_keys("x")
            .await?;
        assert_eq!(total.text().await?, "check the amounts");
        Ok(())
    }
    .await;
    browser.close().await.ok();
    outcome.unwrap();
}
