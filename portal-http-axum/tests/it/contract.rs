//! The API's contract at its edges: every error answer is problem+json of
//! a documented type (405 with `Allow`, 413 naming the limit, 415, a
//! malformed path id as 404), every 429 says when to come back, and the
//! OpenAPI document says all of it (so it cannot regress unnoticed). The
//! property-based run over the whole document is `scripts/api-contract.sh`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use portal_http_axum::{HttpConfig, ProblemType, RateLimit};

use crate::harness::*;

const API: &str = "/portal/api/v1";

fn assert_problem(reply: &Reply, status: StatusCode, kind: ProblemType) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        reply.body
    );
    let problem = reply.json();
    assert_eq!(problem["type"], kind.uri(), "{problem}");
    assert_eq!(problem["status"], status.as_u16());
    problem
}

fn raw(
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(body.into()).unwrap()
}

#[tokio::test]
async fn a_method_the_path_does_not_take_is_a_405_problem_listing_those_it_takes() {
    let app = TestApp::new().await;
    for (method, path, allowed) in [
        ("TRACE", "/me", "GET"),
        ("PUT", "/sessions", "POST"),
        ("PATCH", "/invoices", "GET"),
        ("DELETE", "/payments", "POST"),
    ] {
        let reply = app
            .send(raw(method, &format!("{API}{path}"), None, Body::empty()))
            .await;
        assert_problem(
            &reply,
            StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::MethodNotAllowed,
        );
        let allow = reply.headers[header::ALLOW].to_str().unwrap();
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_naming_the_limit() {
    let app = TestApp::new().await;
    let padding = "x".repeat(64 * 1024);
    let body = json!({"login": "ada@example.com", "password": padding}).to_string();
    let reply = app
        .send(raw(
            "POST",
            &format!("{API}/sessions"),
            Some("application/json"),
            body.clone(),
        ))
        .await;
    let problem = assert_problem(
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemType::PayloadTooLarge,
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("64 KiB (65536 bytes)"),
        "{problem}"
    );
    // The webhook reads its raw body under the same rule.
    let mut webhook = raw(
        "POST",
        &format!("{API}/webhooks/payments"),
        Some("application/json"),
        body,
    );
    webhook
        .headers_mut()
        .insert("portal-signature", "t=1,v1=00".parse().unwrap());
    assert_problem(
        &app.send(webhook).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemType::PayloadTooLarge,
    );
}

#[tokio::test]
async fn json_is_matched_without_case_and_other_media_types_are_415() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let login = json!({"login": "ada@example.com", "password": PASSWORD}).to_string();
    for accepted in [
        "Application/JSON",
        "application/json; charset=utf-8",
        "APPLICATION/JSON;Charset=\"UTF-8\"",
    ] {
        let reply = app
            .send(raw(
                "POST",
                &format!("{API}/sessions"),
                Some(accepted),
                login.clone(),
            ))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{accepted}: {}",
            reply.body
        );
    }
    for refused in [
        Some("application/json-patch+json"),
        Some("application/json; charset=latin1"),
        Some("text/plain"),
        None,
    ] {
        let reply = app
            .send(raw(
                "POST",
                &format!("{API}/sessions"),
                refused,
                login.clone(),
            ))
            .await;
        assert_problem(
            &reply,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::UnsupportedMediaType,
        );
    }
    let malformed = app
        .send(raw(
            "POST",
            &format!("{API}/sessions"),
            Some("application/json"),
            "[null,null]",
        ))
        .await;
    assert_problem(&malformed, StatusCode::BAD_REQUEST, ProblemType::BadRequest);
}

#[tokio::test]
async fn a_malformed_id_in_a_path_is_a_404_problem() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let token = app.api_token("ada@example.com").await;
    for path in [
        "/payments/%ff%fe",
        "/payments/not-an-id",
        "/invoices/%ff/pdf",
        "/invoices/",
    ] {
        let reply = app
            .send(get_request(&format!("{API}{path}"), Some(&token)))
            .await;
        assert_problem(&reply, StatusCode::NOT_FOUND, ProblemType::NotFound);
    }
}

#[tokio::test]
async fn every_429_says_when_to_try_again_on_the_api_and_on_pages() {
    let app = TestApp::build(demo_settings(), |config| HttpConfig {
        auth_rate_limit: Some(RateLimit {
            per_minute: 2,
            burst: 1,
        }),
        ..config
    })
    .await;
    let attempt = json!({"login": "ada@example.com", "password": "wrong password"});
    let first = app
        .send(json_request(
            "POST",
            &format!("{API}/sessions"),
            None,
            &attempt,
        ))
        .await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED);
    let limited = app
        .send(json_request(
            "POST",
            &format!("{API}/sessions"),
            None,
            &attempt,
        ))
        .await;
    assert_problem(
        &limited,
        StatusCode::TOO_MANY_REQUESTS,
        ProblemType::RateLimited,
    );
    let seconds: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&seconds), "Retry-After: {seconds}");

    // Each operation that checks the limit says so, with the header.
    let doc = document(&app).await;
    for path in [
        "/api/v1/sessions",
        "/api/v1/me/password",
        "/api/v1/password-resets",
    ] {
        let retry = &doc["paths"][path]["post"]["responses"]["429"];
        assert_eq!(
            retry["headers"]["Retry-After"]["schema"]["type"], "integer",
            "{path}"
        );
    }

    let mut browser = app.browser();
    browser.get("/portal/login").await;
    let page = browser
        .submit_login("ada@example.com", "wrong password")
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    let seconds: u64 = page.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&seconds), "Retry-After: {seconds}");
}

/// The document as clients read it.
async fn document(app: &TestApp) -> Value {
    let reply = app
        .send(get_request(&format!("{API}/openapi.json"), None))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.json()
}

/// Follows a local `$ref` (`#/components/schemas/Id`).
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("a local reference");
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("{reference} does not resolve"))
        }
        None => node,
    }
}

fn every_ref<'a>(node: &'a Value, found: &mut Vec<&'a str>) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                found.push(reference);
            }
            map.values().for_each(|value| every_ref(value, found));
        }
        Value::Array(items) => items.iter().for_each(|value| every_ref(value, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_declares_problems_uuid_ids_and_the_shared_answers() {
    let app = TestApp::new().await;
    let doc = document(&app).await;
    let mut references = Vec::new();
    every_ref(&doc, &mut references);
    for reference in references {
        resolve(&doc, &json!({"$ref": reference}));
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let kinds = &doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"];
    assert_eq!(kinds.as_array().unwrap().len(), ProblemType::ALL.len());

    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let name = format!("{method} {path}");
            let responses = operation["responses"].as_object().unwrap();
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let content = response["content"].as_object().unwrap();
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        ["application/problem+json"],
                        "{name} {status}"
                    );
                }
            }
            for status in ["404", "500"] {
                assert!(responses.contains_key(status), "{name} {status}");
            }
            if let Some(retry) = responses.get("429") {
                assert_eq!(
                    retry["headers"]["Retry-After"]["schema"]["type"], "integer",
                    "{name}"
                );
            }
            if operation.get("security").is_some() {
                assert!(responses.contains_key("401"), "{name}");
            }
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(responses.contains_key(status), "{name} {status}");
                }
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let schema = resolve(&doc, &parameter["schema"]);
                    assert_eq!(schema["format"], "uuid", "{name} {}", parameter["name"]);
                }
            }
        }
    }
    assert!(operations >= 32, "{operations} operations");

    let schemas = &doc["components"]["schemas"];
    for (schema, property) in [
        ("InvoiceAmount", "id"),
        ("SwitchAccountRequest", "account_id"),
        ("AutopayRequest", "method_id"),
        ("InvoiceView", "id"),
    ] {
        let id = resolve(&doc, &schemas[schema]["properties"][property]);
        assert_eq!(id["format"], "uuid", "{schema}.{property}");
    }
    let amount = &schemas["Amount"];
    assert_eq!(amount["type"], "string");
    assert!(amount["pattern"].as_str().unwrap().starts_with("^[0-9]"));
    let password = &schemas["NewPassword"];
    assert_eq!(
        (
            password["minLength"].as_u64(),
            password["maxLength"].as_u64()
        ),
        (Some(8), Some(128))
    );

    let links = &doc["paths"]["/api/v1/invoices/{id}"]["get"]["responses"]["200"]["links"];
    assert_eq!(links["PayInvoice"]["operationId"], "create_payment");
}

#[test]
fn every_problem_type_is_listed_in_the_readme() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    for kind in ProblemType::ALL {
        assert!(readme.contains(&kind.uri()), "README lacks {}", kind.uri());
    }
}

#[tokio::test]
async fn a_method_a_page_does_not_take_is_a_405_page_with_allow() {
    let app = TestApp::new().await;
    let reply = app
        .send(raw("DELETE", "/portal/login", None, Body::empty()))
        .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(reply.body.contains("Not available"), "{}", reply.body);
    assert!(
        reply.headers[header::ALLOW]
            .to_str()
            .unwrap()
            .contains("POST")
    );
}
