//! Support tickets over JSON: the form's offer, opening one with files
//! and without (multipart, `Location`), the list and one ticket with its
//! thread, downloading an attachment (exact bytes, safe headers),
//! replying and reopening; every bad input a problem naming its field
//! with nothing kept (no ticket, no host event, no stray file);
//! isolation (another account's ticket or attachment, guessed ids: 404);
//! the role and the switches (403); hostile text returned as it was
//! written; and the OpenAPI document.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use portal_core::access::Role;
use portal_core::blobs::{FileKind, sample};
use portal_core::jobs::JobStatus;
use portal_core::shared::{ExternalId, TicketId};
use portal_core::tenancy::PortalSettings;
use portal_core::tickets::{StaffReply, TicketStatus};

use crate::harness::*;
use crate::jobs::upcoming_window;
use crate::tickets_pages::tickets_settings;

const TICKETS: &str = "/portal/api/v1/tickets";

const NOTE: &[u8] = "The tap drips every second. ¿Pueden venir?\n".as_bytes();

/// An app with Ada (account A) and Bob (account B) registered, and their
/// bearer tokens.
async fn app_with(settings: PortalSettings) -> (TestApp, String, String) {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    let ada = app.api_token("ada@example.com").await;
    let bob = app.api_token("bob@example.com").await;
    (app, ada, bob)
}

fn post_empty(uri: &str, token: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Asserts a problem+json answer of `status` and returns it.
fn problem(reply: &Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        reply.body
    );
    reply.json()
}

impl TestApp {
    /// A download's status, headers and exact bytes (`send` reads the body
    /// as text).
    async fn download(&self, url: &str, token: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self
            .app
            .clone()
            .oneshot(get_request(url, Some(token)))
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    /// Opens a ticket as `token` in category `leak`; the answer's JSON.
    async fn open_ticket(&self, token: &str, body: &str, files: &[(&str, &[u8])]) -> Value {
        let reply = self
            .send(post_parts(
                TICKETS,
                token,
                &[("category", "leak"), ("body", body)],
                files,
            ))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()
    }

    async fn tickets_of(&self, token: &str) -> Value {
        let reply = self.send(get_request(TICKETS, Some(token))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()
    }
}

fn staff_reply(id: &str, body: &str, status: Option<TicketStatus>) -> StaffReply {
    StaffReply {
        external_id: ExternalId::parse(id).unwrap(),
        author_name: "Grace at Acme".into(),
        body: body.into(),
        status,
    }
}

fn id_of(thread: &Value) -> TicketId {
    TicketId::parse(thread["ticket"]["id"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_ticket_opened_with_files_is_listed_read_and_its_files_download_safely() {
    let (app, ada, _) = app_with(tickets_settings()).await;
    let form = app
        .send(get_request("/portal/api/v1/ticket-form", Some(&ada)))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let form = form.json();
    let keys: Vec<&str> = form["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|category| category["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["service", "billing", "other", "leak"]);
    assert_eq!(form["categories"][3]["name"], "A leak");
    assert_eq!(form["max_body_chars"], 500);
    assert_eq!(form["files"]["max_files"], 5);
    assert_eq!(form["files"]["max_bytes"], 20_000_000);
    assert_eq!(form["files"]["kinds"][4], "pdf");

    let png = sample(FileKind::Png);
    let reply = app
        .send(post_parts(
            TICKETS,
            &ada,
            &[
                ("category", "leak"),
                ("body", "Water under the sink\nsince Monday"),
            ],
            &[("note.txt", NOTE), ("photo", &png)],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let thread = reply.json();
    let id = id_of(&thread);
    assert_eq!(reply.location(), format!("{TICKETS}/{id}"));
    let ticket = &thread["ticket"];
    assert_eq!(ticket["number"], 1);
    assert_eq!(ticket["subject"], "Water under the sink");
    assert_eq!(ticket["status"], "open");
    assert_eq!(ticket["category"]["key"], "leak");
    assert_eq!(ticket["messages"], 1);
    let message = &thread["messages"][0];
    assert_eq!(message["author"], "customer");
    assert_eq!(message["author_name"], "Ada Lovelace");
    assert_eq!(message["body"], "Water under the sink\nsince Monday");
    let files = message["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        (&files[0]["name"], &files[0]["kind"], &files[0]["size"]),
        (
            &Value::from("note.txt"),
            &Value::from("text"),
            &Value::from(NOTE.len())
        )
    );
    assert_eq!(files[1]["name"], "photo.png", "the kind's extension added");
    assert_eq!(files[1]["media_type"], "image/png");
    assert_eq!(
        stored_files(&app),
        2 * 2,
        "each file and what is kept about it"
    );
    assert_eq!(app.outbox_rows("ticket_opened").await, 1);
    assert_eq!(
        app.outbox_rows("Dispatch").await,
        1,
        "assigned per category"
    );

    let list = app.tickets_of(&ada).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.to_string());
    assert_eq!(list["items"][0]["subject"], "Water under the sink");

    let detail = app.send(get_request(reply.location(), Some(&ada))).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.json(), thread);

    for (file, bytes, media_type) in [
        (&files[0], NOTE, "text/plain; charset=utf-8"),
        (&files[1], &png[..], "image/png"),
    ] {
        let url = file["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!(
                "{TICKETS}/{id}/attachments/{}",
                file["id"].as_str().unwrap()
            )
        );
        let (status, headers, content) = app.download(url, &ada).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert_eq!(content, bytes, "exact bytes");
        assert_eq!(headers[header::CONTENT_TYPE], media_type);
        let name = file["name"].as_str().unwrap();
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{name}\"; filename*=UTF-8''{name}").as_str()
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
        assert!(
            headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
    }
    // Without a token, nothing.
    let url = files[0]["url"].as_str().unwrap();
    problem(
        &app.send(get_request(url, None)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn a_ticket_without_files_may_be_about_a_job() {
    let (app, ada, _) = app_with(tickets_settings()).await;
    let job = app
        .job(
            app.seeded.account_a,
            "J-77",
            JobStatus::Scheduled,
            Some(upcoming_window()),
            None,
            (&[], &[]),
        )
        .await;
    let form = app
        .send(get_request("/portal/api/v1/ticket-form", Some(&ada)))
        .await
        .json();
    assert_eq!(form["jobs"][0]["id"], job.id.to_string());
    assert_eq!(form["jobs"][0]["number"], "J-77");
    let reply = app
        .send(post_parts(
            TICKETS,
            &ada,
            &[
                ("category", "service"),
                ("body", "Can the technician call first?"),
                ("job", &job.id.to_string()),
            ],
            &[],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let thread = reply.json();
    assert_eq!(thread["ticket"]["job"]["id"], job.id.to_string());
    assert!(
        thread["ticket"]["job"]["label"]
            .as_str()
            .unwrap()
            .contains("J-77")
    );
    assert_eq!(thread["messages"][0]["attachments"], Value::Array(vec![]));
    assert_eq!(stored_files(&app), 0);
    // A blank job is none.
    let blank = app
        .send(post_parts(
            TICKETS,
            &ada,
            &[("category", "other"), ("body", "Hello"), ("job", "")],
            &[],
        ))
        .await;
    assert_eq!(blank.status, StatusCode::CREATED, "{}", blank.body);
    assert_eq!(blank.json()["ticket"]["job"], Value::Null);
}

/// A case of bad input: what it is, its text parts and files, the status
/// and the field the problem names (none for a 400).
type BadCase<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<(&'a str, &'a [u8])>,
    StatusCode,
    Option<&'a str>,
);

#[tokio::test]
async fn bad_input_is_a_problem_naming_its_field_and_keeps_nothing() {
    let mut settings = tickets_settings();
    settings.tickets.max_body_chars = 40;
    settings.tickets.attachment_max_bytes = 100;
    settings.tickets.max_attachments = 2;
    let (app, ada, _) = app_with(settings).await;
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let big = vec![b'a'; 101];
    let png = sample(FileKind::Png);
    let long = "x".repeat(41);
    let unknown_job = uuid::Uuid::now_v7().to_string();
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let cases: Vec<BadCase> = vec![
        (
            "an empty body",
            vec![("category", "leak"), ("body", "  ")],
            vec![("note.txt", NOTE)],
            invalid,
            Some("body"),
        ),
        (
            "no body at all",
            vec![("category", "leak")],
            vec![("note.txt", NOTE)],
            invalid,
            Some("body"),
        ),
        (
            "a body over the limit",
            vec![("category", "leak"), ("body", &long)],
            vec![("note.txt", NOTE)],
            invalid,
            Some("body"),
        ),
        (
            "no category",
            vec![("body", "Help")],
            vec![("note.txt", NOTE)],
            invalid,
            Some("category"),
        ),
        (
            "an unknown category",
            vec![("category", "vip"), ("body", "Help")],
            vec![("note.txt", NOTE)],
            invalid,
            Some("category"),
        ),
        (
            "a malformed job",
            vec![("category", "leak"), ("body", "Help"), ("job", "J-1")],
            vec![("note.txt", NOTE)],
            invalid,
            Some("job"),
        ),
        (
            "an unknown job",
            vec![
                ("category", "leak"),
                ("body", "Help"),
                ("job", &unknown_job),
            ],
            vec![("note.txt", NOTE)],
            invalid,
            Some("job"),
        ),
        (
            "HTML named as text",
            vec![("category", "leak"), ("body", "Help")],
            vec![("note.txt", NOTE), ("page.txt", html)],
            invalid,
            Some("file"),
        ),
        (
            "a PNG named as a PDF",
            vec![("category", "leak"), ("body", "Help")],
            vec![("scan.pdf", &png)],
            invalid,
            Some("file"),
        ),
        (
            "an oversized file",
            vec![("category", "leak"), ("body", "Help")],
            vec![("note.txt", NOTE), ("big.txt", &big)],
            invalid,
            Some("file"),
        ),
        (
            "a path for a name",
            vec![("category", "leak"), ("body", "Help")],
            vec![("../../etc/passwd", NOTE)],
            invalid,
            Some("file"),
        ),
        (
            "a Windows path for a name",
            vec![("category", "leak"), ("body", "Help")],
            vec![("..\\..\\boot.txt", NOTE)],
            invalid,
            Some("file"),
        ),
        (
            "too many files",
            vec![("category", "leak"), ("body", "Help")],
            vec![("a.txt", NOTE), ("b.txt", NOTE), ("c.txt", NOTE)],
            invalid,
            Some("file"),
        ),
        (
            "a part the operation does not read",
            vec![("category", "leak"), ("body", "Help"), ("priority", "high")],
            vec![("note.txt", NOTE)],
            StatusCode::BAD_REQUEST,
            None,
        ),
    ];
    for (case, fields, files, status, field) in cases {
        let reply = app.send(post_parts(TICKETS, &ada, &fields, &files)).await;
        let problem = problem(&reply, status);
        assert_eq!(problem["field"].as_str(), field, "{case}: {problem}");
        assert!(!problem["detail"].as_str().unwrap().is_empty(), "{case}");
        assert_eq!(stored_files(&app), 0, "{case}: no stray file");
        assert_eq!(app.outbox_rows("ticket_opened").await, 0, "{case}");
    }

    // A file in a part not named `file`: 400, nothing kept.
    let (content_type, body) = multipart(&[("category", "leak"), ("body", "Help")], &[]);
    let body = String::from_utf8(body).unwrap().replace(
        "--portal-test-boundary-7MA4YWxkTrZu0gW--",
        "--portal-test-boundary-7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.txt\"\r\n\r\nhello\r\n--portal-test-boundary-7MA4YWxkTrZu0gW--",
    );
    let request = Request::builder()
        .method("POST")
        .uri(TICKETS)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {ada}"))
        .body(Body::from(body))
        .unwrap();
    problem(&app.send(request).await, StatusCode::BAD_REQUEST);
    // JSON is not how a ticket is sent: 415.
    let json = json_request(
        "POST",
        TICKETS,
        Some(&ada),
        &serde_json::json!({"category": "leak", "body": "Help"}),
    );
    problem(&app.send(json).await, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A body cut short: 400 while reading text, 422 at `file` while a
    // file streams; nothing kept either way.
    for (files, status) in [
        (&[][..], StatusCode::BAD_REQUEST),
        (&[("note.txt", NOTE)][..], StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (content_type, body) = multipart(&[("category", "leak"), ("body", "Help")], files);
        let request = Request::builder()
            .method("POST")
            .uri(TICKETS)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {ada}"))
            .body(Body::from(body[..body.len() - 30].to_vec()))
            .unwrap();
        problem(&app.send(request).await, status);
    }

    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.outbox_rows("ticket_opened").await, 0);
    assert_eq!(app.tickets_of(&ada).await["total"], 0);
}

#[tokio::test]
async fn the_thread_grows_with_replies_and_a_closed_ticket_is_reopened() {
    let (app, ada, _) = app_with(tickets_settings()).await;
    let thread = app.open_ticket(&ada, "The boiler is loud", &[]).await;
    let id = id_of(&thread);
    let tenant = app.tenant_id();
    app.portal
        .host()
        .reply_to_ticket(tenant, id, &staff_reply("r-1", "Since when?", None))
        .await
        .unwrap();
    let read = app
        .send(get_request(&format!("{TICKETS}/{id}"), Some(&ada)))
        .await
        .json();
    assert_eq!(read["ticket"]["status"], "waiting");
    assert_eq!(read["messages"][1]["author"], "staff");
    assert_eq!(read["messages"][1]["author_name"], "Grace at Acme");
    assert_eq!(read["messages"][1]["body"], "Since when?");

    let replies = format!("{TICKETS}/{id}/replies");
    let replied = app
        .send(post_parts(
            &replies,
            &ada,
            &[("body", "Since Tuesday night")],
            &[("sound.txt", NOTE)],
        ))
        .await;
    assert_eq!(replied.status, StatusCode::CREATED, "{}", replied.body);
    let replied = replied.json();
    assert_eq!(replied["ticket"]["status"], "open");
    assert_eq!(replied["ticket"]["messages"], 3);
    assert_eq!(replied["messages"][2]["body"], "Since Tuesday night");
    assert_eq!(
        replied["messages"][2]["attachments"][0]["name"],
        "sound.txt"
    );
    assert_eq!(app.outbox_rows("\"event\":\"ticket_replied").await, 1);
    assert_eq!(stored_files(&app), 2);

    // An empty reply, or a reply with a part it does not read, writes
    // nothing.
    let empty = app
        .send(post_parts(
            &replies,
            &ada,
            &[("body", "")],
            &[("x.txt", NOTE)],
        ))
        .await;
    assert_eq!(
        problem(&empty, StatusCode::UNPROCESSABLE_ENTITY)["field"],
        "body"
    );
    let extra = app
        .send(post_parts(
            &replies,
            &ada,
            &[("body", "Hi"), ("category", "leak")],
            &[("x.txt", NOTE)],
        ))
        .await;
    problem(&extra, StatusCode::BAD_REQUEST);
    assert_eq!(app.outbox_rows("\"event\":\"ticket_replied").await, 1);
    assert_eq!(stored_files(&app), 2, "only the first reply's file");

    // Reopening an open ticket is a conflict.
    let reopen = format!("{TICKETS}/{id}/reopen");
    problem(
        &app.send(post_empty(&reopen, &ada)).await,
        StatusCode::CONFLICT,
    );

    app.portal
        .host()
        .set_ticket_status(tenant, id, TicketStatus::Closed)
        .await
        .unwrap();
    let refused = app
        .send(post_parts(
            &replies,
            &ada,
            &[("body", "Still loud")],
            &[("y.txt", NOTE)],
        ))
        .await;
    let conflict = problem(&refused, StatusCode::CONFLICT);
    assert!(
        conflict["detail"]
            .as_str()
            .unwrap()
            .contains("This ticket is closed"),
        "{conflict}"
    );
    assert_eq!(stored_files(&app), 2, "the refused reply's file is removed");
    assert_eq!(app.outbox_rows("\"event\":\"ticket_replied").await, 1);
    let closed = app
        .send(get_request(&format!("{TICKETS}?status=closed"), Some(&ada)))
        .await
        .json();
    assert_eq!(closed["items"][0]["id"], id.to_string());
    let open = app
        .send(get_request(&format!("{TICKETS}?status=open"), Some(&ada)))
        .await
        .json();
    assert_eq!(open["total"], 0);

    let reopened = app.send(post_empty(&reopen, &ada)).await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.json()["status"], "open");
    assert_eq!(app.outbox_rows("ticket_reopened").await, 1);
    let again = app
        .send(post_parts(&replies, &ada, &[("body", "Thanks")], &[]))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
}

#[tokio::test]
async fn a_business_that_does_not_reopen_tickets_answers_409() {
    let mut settings = tickets_settings();
    settings.tickets.allow_reopen = false;
    let (app, ada, _) = app_with(settings).await;
    let id = id_of(&app.open_ticket(&ada, "Help", &[]).await);
    app.portal
        .host()
        .set_ticket_status(app.tenant_id(), id, TicketStatus::Closed)
        .await
        .unwrap();
    let reply = app
        .send(post_empty(&format!("{TICKETS}/{id}/reopen"), &ada))
        .await;
    problem(&reply, StatusCode::CONFLICT);
    assert_eq!(app.outbox_rows("ticket_reopened").await, 0);
}

#[tokio::test]
async fn the_list_filter_and_page_are_parsed_as_on_the_page() {
    let (app, ada, _) = app_with(tickets_settings()).await;
    app.open_ticket(&ada, "One", &[]).await;
    app.open_ticket(&ada, "Two", &[]).await;
    let page = app
        .send(get_request(
            &format!("{TICKETS}?status=all&page=2&per_page=1"),
            Some(&ada),
        ))
        .await
        .json();
    assert_eq!(
        (page["total"].as_u64(), page["page"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let blank = app
        .send(get_request(&format!("{TICKETS}?status="), Some(&ada)))
        .await;
    assert_eq!(blank.status, StatusCode::OK);
    for (query, field) in [("status=pending", "status"), ("page=0", "page")] {
        let reply = app
            .send(get_request(&format!("{TICKETS}?{query}"), Some(&ada)))
            .await;
        assert_eq!(
            problem(&reply, StatusCode::UNPROCESSABLE_ENTITY)["field"],
            field,
            "{query}"
        );
    }
    let unknown = app
        .send(get_request(&format!("{TICKETS}?sort=new"), Some(&ada)))
        .await;
    problem(&unknown, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_accounts_ticket_and_files_are_not_found() {
    let (app, ada, bob) = app_with(tickets_settings()).await;
    let thread = app.open_ticket(&ada, "Mine", &[("note.txt", NOTE)]).await;
    let id = id_of(&thread);
    let file = thread["messages"][0]["attachments"][0].clone();
    let url = file["url"].as_str().unwrap();
    let other = id_of(&app.open_ticket(&ada, "Also mine", &[]).await);

    problem(
        &app.send(get_request(&format!("{TICKETS}/{id}"), Some(&bob)))
            .await,
        StatusCode::NOT_FOUND,
    );
    problem(
        &app.send(get_request(url, Some(&bob))).await,
        StatusCode::NOT_FOUND,
    );
    let reply = app
        .send(post_parts(
            &format!("{TICKETS}/{id}/replies"),
            &bob,
            &[("body", "Mine now")],
            &[("z.txt", NOTE)],
        ))
        .await;
    problem(&reply, StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&app), 2, "Bob's file is not kept");
    assert_eq!(app.outbox_rows("\"event\":\"ticket_replied").await, 0);
    problem(
        &app.send(post_empty(&format!("{TICKETS}/{id}/reopen"), &bob))
            .await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(app.tickets_of(&bob).await["total"], 0);

    // Malformed and guessed ids say no more, for Ada too.
    let attachment = file["id"].as_str().unwrap();
    for uri in [
        format!("{TICKETS}/not-an-id"),
        format!("{TICKETS}/{}", TicketId::new()),
        format!("{TICKETS}/{id}/attachments/not-an-id"),
        format!("{TICKETS}/{id}/attachments/{}", uuid::Uuid::now_v7()),
        format!("{TICKETS}/{}/attachments/{attachment}", TicketId::new()),
        // Her own attachment, asked of her other ticket.
        format!("{TICKETS}/{other}/attachments/{attachment}"),
    ] {
        let reply = app.send(get_request(&uri, Some(&ada))).await;
        problem(&reply, StatusCode::NOT_FOUND);
    }
    problem(
        &app.send(post_parts(
            &format!("{TICKETS}/not-an-id/replies"),
            &ada,
            &[("body", "Hi")],
            &[("z.txt", NOTE)],
        ))
        .await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(stored_files(&app), 2);
}

#[tokio::test]
async fn a_contact_who_may_not_write_tickets_or_with_tickets_off_gets_403() {
    let (app, _, _) = app_with(tickets_settings()).await;
    let host = app.portal.host();
    let vic = host
        .upsert_contact(
            app.tenant_id(),
            &contact("vic", "Vic Viewer", "vic@example.com", None),
        )
        .await
        .unwrap();
    host.grant_membership(app.tenant_id(), vic.id, app.seeded.account_a, Role::Viewer)
        .await
        .unwrap();
    app.register("vic@example.com").await;
    let viewer = app.api_token("vic@example.com").await;
    assert_eq!(app.tickets_of(&viewer).await["total"], 0, "a viewer reads");
    for reply in [
        app.send(get_request("/portal/api/v1/ticket-form", Some(&viewer)))
            .await,
        app.send(post_parts(
            TICKETS,
            &viewer,
            &[("category", "leak"), ("body", "Hi")],
            &[("n.txt", NOTE)],
        ))
        .await,
        app.send(post_parts(
            TICKETS,
            &viewer,
            &[("category", "leak"), ("body", "Hi"), ("job", "J-1")],
            &[],
        ))
        .await,
    ] {
        let problem = problem(&reply, StatusCode::FORBIDDEN);
        assert_eq!(
            problem["type"],
            portal_http_axum::ProblemType::Forbidden.uri()
        );
    }
    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.outbox_rows("ticket_opened").await, 0);

    let mut settings = tickets_settings();
    settings.features.tickets_submit = false;
    let (app, ada, _) = app_with(settings.clone()).await;
    for reply in [
        app.send(get_request("/portal/api/v1/ticket-form", Some(&ada)))
            .await,
        app.send(post_parts(
            TICKETS,
            &ada,
            &[("category", "leak"), ("body", "Hi")],
            &[("n.txt", NOTE)],
        ))
        .await,
    ] {
        let problem = problem(&reply, StatusCode::FORBIDDEN);
        assert_eq!(
            problem["type"],
            portal_http_axum::ProblemType::FeatureOff.uri()
        );
    }
    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.tickets_of(&ada).await["total"], 0);

    settings.features.tickets_view_open = false;
    settings.features.tickets_view_closed = false;
    let (app, ada, _) = app_with(settings).await;
    problem(
        &app.send(get_request(TICKETS, Some(&ada))).await,
        StatusCode::FORBIDDEN,
    );
    problem(
        &app.send(get_request(TICKETS, None)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn hostile_text_and_names_come_back_as_written() {
    let (app, ada, _) = app_with(tickets_settings()).await;
    let thread = app
        .open_ticket(
            &ada,
            "<script>alert(1)</script>",
            &[("<img src=x onerror=alert(1)>.txt", NOTE)],
        )
        .await;
    let id = id_of(&thread);
    app.portal
        .host()
        .reply_to_ticket(
            app.tenant_id(),
            id,
            &staff_reply("r-1", "<b>bold</b> & \"quoted\"", None),
        )
        .await
        .unwrap();
    let reply = app
        .send(get_request(&format!("{TICKETS}/{id}"), Some(&ada)))
        .await;
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let read = reply.json();
    assert_eq!(read["ticket"]["subject"], "<script>alert(1)</script>");
    assert_eq!(read["messages"][0]["body"], "<script>alert(1)</script>");
    assert_eq!(read["messages"][1]["body"], "<b>bold</b> & \"quoted\"");
    assert_eq!(
        read["messages"][0]["attachments"][0]["name"],
        "<img src=x onerror=alert(1)>.txt"
    );
    assert!(!reply.body.contains("&lt;") && !reply.body.contains("&#60;"));
    let list = app.tickets_of(&ada).await;
    assert_eq!(list["items"][0]["subject"], "<script>alert(1)</script>");
}

#[tokio::test]
async fn the_openapi_document_describes_the_ticket_operations() {
    let app = TestApp::new().await;
    let doc = app
        .send(get_request("/portal/api/v1/openapi.json", None))
        .await
        .json();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/ticket-form", "get"),
        ("/api/v1/tickets", "get"),
        ("/api/v1/tickets", "post"),
        ("/api/v1/tickets/{id}", "get"),
        ("/api/v1/tickets/{id}/replies", "post"),
        ("/api/v1/tickets/{id}/reopen", "post"),
        ("/api/v1/tickets/{id}/attachments/{attachment}", "get"),
    ] {
        let operation = &paths[path][method];
        assert!(operation.is_object(), "{method} {path} missing");
        assert_eq!(operation["tags"][0], "tickets", "{method} {path}");
    }
    for path in ["/api/v1/tickets", "/api/v1/tickets/{id}/replies"] {
        let operation = &paths[path]["post"];
        let content = operation["requestBody"]["content"].as_object().unwrap();
        assert_eq!(
            content.keys().collect::<Vec<_>>(),
            ["multipart/form-data"],
            "{path}"
        );
        for status in ["400", "413", "415", "422"] {
            assert!(
                operation["responses"].get(status).is_some(),
                "{path} {status}"
            );
        }
    }
    let form = &doc["components"]["schemas"]["NewTicketForm"];
    assert_eq!(form["properties"]["file"]["items"]["format"], "binary");
    assert_eq!(form["additionalProperties"], false);
    assert_eq!(form["properties"]["file"]["type"], "array", "never null");
    let required: Vec<&str> = form["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    assert_eq!(required, ["category", "body"]);
    let job = &form["properties"]["job"]["pattern"];
    assert!(
        job.as_str().unwrap().ends_with(")?$"),
        "blank is none: {job}"
    );
    let statuses = &doc["components"]["schemas"]["TicketStatus"]["enum"];
    assert_eq!(statuses.as_array().unwrap().len(), TicketStatus::ALL.len());
    // Every kind a download can be is documented, by its media type.
    let download = &paths["/api/v1/tickets/{id}/attachments/{attachment}"]["get"];
    let types = download["responses"]["200"]["content"].as_object().unwrap();
    for kind in FileKind::ALL {
        let essence = kind.media_type().split(';').next().unwrap();
        assert!(types.contains_key(essence), "{essence}");
    }
    assert_eq!(types.len(), FileKind::ALL.len());
}
