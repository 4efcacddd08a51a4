//! Every operation of the JSON API, as its OpenAPI document lists them
//! (so an endpoint added later is fuzzed with no change here), called by
//! a logged-in customer with a fuzzed path parameter, query string and
//! JSON body, through the real router and store. No panic and never a
//! server error, whatever is sent.
#![no_main]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, header};
use libfuzzer_sys::fuzz_target;
use portal_fuzz::{APP, MOUNT, check, fill_path, split, with_query};
use portal_http_axum::ApiDoc;
use utoipa::OpenApi;
use utoipa::openapi::HttpMethod;

/// Operations that would end or change the fuzzer's own session (it
/// would then be refused everywhere else): log-out and password change.
const SPARED: [(&str, &str); 2] = [
    ("DELETE", "/api/v1/sessions/current"),
    ("POST", "/api/v1/me/password"),
];

static OPERATIONS: LazyLock<Vec<(Method, String)>> = LazyLock::new(|| {
    let mut operations = Vec::new();
    for (path, item) in ApiDoc::openapi().paths.paths {
        for (method, http) in [
            (Method::GET, HttpMethod::Get),
            (Method::POST, HttpMethod::Post),
            (Method::PUT, HttpMethod::Put),
            (Method::PATCH, HttpMethod::Patch),
            (Method::DELETE, HttpMethod::Delete),
        ] {
            let defined = match http {
                HttpMethod::Get => item.get.is_some(),
                HttpMethod::Post => item.post.is_some(),
                HttpMethod::Put => item.put.is_some(),
                HttpMethod::Patch => item.patch.is_some(),
                _ => item.delete.is_some(),
            };
            if defined && !SPARED.contains(&(method.as_str(), path.as_str())) {
                operations.push((method, path.clone()));
            }
        }
    }
    assert!(operations.len() > 20, "the OpenAPI document lists the API");
    operations
});

static KEYS: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let (method, template) = &OPERATIONS[usize::from(choice) % OPERATIONS.len()];
    let [param, query, body] = split(rest, 3)[..] else {
        return;
    };
    let app = &*APP;
    let invoice = &app.invoices[usize::from(choice) % app.invoices.len()];
    let path = fill_path(&format!("{MOUNT}{template}"), param, invoice);
    let uri = with_query(&path, query);
    let key = format!("fuzz-key-{}", KEYS.fetch_add(1, Ordering::Relaxed));
    let Ok(request) = Request::builder()
        .method(method.clone())
        .uri(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.bearer))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    check(&format!("{method} {uri}"), &app.send(request));
});
