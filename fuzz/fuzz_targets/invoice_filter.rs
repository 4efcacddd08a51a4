//! The invoice list's query string (status, number, issue dates, totals,
//! sort, page), as the invoices page and `GET /api/v1/invoices` read it.
//! No panic; a page reads whatever the API reads, the same way; the page
//! asked for is in bounds; totals print back to the same value; the
//! core's range check (`InvoiceQuery::validate`) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::{Currency, PageRequest};
use portal_fuzz::split;
use portal_http_axum::fuzzing::{Field, InvoiceFilterText, Source, amount};

fuzz_target!(|data: &[u8]| {
    let [query, code] = split(data, 2)[..] else {
        return;
    };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(query) else {
        return;
    };
    let value = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let filter = InvoiceFilterText {
        status: value("status"),
        number: value("number"),
        issued_from: value("issued_from"),
        issued_to: value("issued_to"),
        min_total: value("min_total"),
        max_total: value("max_total"),
        sort: value("sort"),
        page: value("page"),
        per_page: value("per_page"),
    };
    let api = filter.parse(Source::Api);
    let page = filter.parse(Source::Page);
    if let Ok(query) = &api {
        assert_eq!(page.as_ref(), Ok(query), "a page reads what the API reads");
    }
    let Ok(query) = page else {
        return;
    };
    assert!(query.page.page() >= 1);
    assert!((1..=PageRequest::MAX_PER_PAGE).contains(&query.page.per_page()));
    for total in [query.min_total, query.max_total].into_iter().flatten() {
        let again = amount(Field::MinTotal, Some(&total.to_string()), Source::Api);
        assert_eq!(again, Ok(Some(total)));
    }
    let currency = Currency::parse(&String::from_utf8_lossy(code)).unwrap_or(Currency::USD);
    let _ = query.validate(currency);
});
