//! A payment as received: the invoices chosen with their amounts, a
//! prepayment, how to pay (a saved card's id or a new card's token) and
//! the idempotency key, from a form (pages) or a body (the API). No
//! panic; a page reads whatever the API reads, the same way; what is read
//! is what was sent (ids, amounts, key).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::billing::{IdempotencyKey, MethodChoice};
use portal_core::shared::InvoiceId;
use portal_fuzz::{split, text};
use portal_http_axum::fuzzing::{
    Field, InvoiceChoiceText, MethodText, PayText, Source, amount, idempotency_key,
};

fuzz_target!(|data: &[u8]| {
    let parts: Vec<String> = split(data, 12).into_iter().map(text).collect();
    let [key, prepayment, method, card, rest @ ..] = &parts[..] else {
        return;
    };
    let method = match method.as_str() {
        "saved" => MethodText::Saved { id: card },
        other => MethodText::New {
            token: card,
            save: other == "save",
        },
    };
    let invoices: Vec<InvoiceChoiceText<'_>> = rest
        .chunks(2)
        .map(|pair| InvoiceChoiceText {
            id: &pair[0],
            amount: pair.get(1).map(String::as_str).filter(|a| !a.is_empty()),
        })
        .collect();
    let payment = PayText {
        invoices: invoices.clone(),
        prepayment: Some(prepayment.as_str()).filter(|p| !p.is_empty()),
        method,
        use_credit: key.len() % 2 == 0,
    };
    let key = match (
        idempotency_key(key, Source::Api),
        idempotency_key(key, Source::Page),
    ) {
        (Ok(api), Ok(page)) => {
            assert_eq!(api, page);
            assert_eq!(api.as_str(), key);
            api
        }
        (Err(_), Err(_)) => IdempotencyKey::generate(),
        other => panic!("the front ends disagree on a key: {other:?}"),
    };
    let api = payment.parse(key.clone(), Source::Api);
    let page = payment.parse(key.clone(), Source::Page);
    if let Ok(request) = &api {
        let page = page.as_ref().expect("a page reads what the API reads");
        assert_eq!(page.invoices, request.invoices);
        assert_eq!(page.prepayment, request.prepayment);
    }
    let Ok(request) = page else {
        return;
    };
    assert_eq!(request.idempotency_key, key);
    assert_eq!(request.invoices.len(), invoices.len());
    for ((id, paid), sent) in request.invoices.iter().zip(&invoices) {
        assert_eq!(InvoiceId::parse(sent.id).as_ref(), Ok(id));
        let field = Field::InvoiceAmount(*id);
        assert_eq!(amount(field, sent.amount, Source::Page), Ok(*paid));
    }
    if let MethodChoice::NewToken { token, .. } = &request.method {
        assert_eq!(token.expose(), card.trim(), "a page trims a pasted token");
    }
});
