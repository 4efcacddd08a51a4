//! Every page route (from the same table that builds the router, so a
//! page added later is fuzzed with no change here), visited by a
//! logged-in customer with a fuzzed path parameter and query string, and
//! every form posted with a fuzzed body (with a valid CSRF token, so the
//! form's own fields are read), through the real router and store. No
//! panic and never a server error, whatever is sent.
#![no_main]

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::{Method, Request, header};
use libfuzzer_sys::fuzz_target;
use portal_fuzz::{APP, MOUNT, check, fill_path, split, with_query};

/// The log-out form would end the fuzzer's own session.
const SPARED: &str = "/logout";

static ROUTES: LazyLock<Vec<(Method, &'static str)>> = LazyLock::new(|| {
    let routes: Vec<_> = portal_http_axum::page_routes()
        .into_iter()
        .filter(|(_, path)| *path != SPARED)
        .collect();
    assert!(routes.len() > 10, "the page table lists the pages");
    routes
});

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let (method, template) = &ROUTES[usize::from(choice) % ROUTES.len()];
    let [param, query, body] = split(rest, 3)[..] else {
        return;
    };
    let app = &*APP;
    let invoice = &app.invoices[usize::from(choice) % app.invoices.len()];
    let path = fill_path(&format!("{MOUNT}{template}"), param, invoice);
    let uri = with_query(&path, query);
    let mut form = format!("csrf_token={}&", app.csrf).into_bytes();
    form.extend_from_slice(body);
    let Ok(request) = Request::builder()
        .method(method.clone())
        .uri(&uri)
        .header(header::COOKIE, &app.cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
    else {
        return;
    };
    check(&format!("{method} {uri}"), &app.send(request));
});
