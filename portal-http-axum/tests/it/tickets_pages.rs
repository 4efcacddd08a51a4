//! Support tickets on pages: opening one with files (streamed into the
//! blob store, downloaded back with safe headers), bad input refused at
//! its field with nothing kept (no ticket, no event, no stray file), the
//! thread with the business's replies, reopening, the business's switches,
//! isolation by account, and hostile text shown as text.

use axum::http::{StatusCode, header};
use portal_core::blobs::{FileKind, sample};
use portal_core::jobs::JobStatus;
use portal_core::shared::{ExternalId, TicketId};
use portal_core::tenancy::PortalSettings;
use portal_core::tickets::{StaffReply, TicketCategory, TicketStatus};

use crate::harness::*;
use crate::jobs::{jobs_settings, upcoming_window};

/// The demo's settings with a category assigned to dispatch.
pub fn tickets_settings() -> PortalSettings {
    let mut settings = jobs_settings();
    settings.tickets.categories.push(TicketCategory {
        key: "leak".into(),
        name: "A leak".into(),
        assignee: Some("Dispatch".into()),
    });
    settings
}

async fn app_with(settings: PortalSettings) -> TestApp {
    let app = TestApp::with_settings(settings).await;
    app.register("ada@example.com").await;
    app.register("bob@example.com").await;
    app
}

/// The ticket id a successful form's redirect names.
fn ticket_id(reply: &Reply) -> TicketId {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location();
    let id = location
        .strip_prefix("/portal/tickets/")
        .and_then(|rest| rest.split('?').next())
        .unwrap_or_else(|| panic!("not a ticket's page: {location}"));
    TicketId::parse(id).unwrap()
}

/// The first attachment link of a ticket page.
fn first_attachment(page: &str) -> String {
    let start = page
        .find("/portal/tickets/")
        .and_then(|_| page.find("/attachments/"))
        .expect("an attachment link");
    let href_start = page[..start].rfind("href=\"").unwrap() + 6;
    let end = start + page[start..].find('"').unwrap();
    page[href_start..end].to_owned()
}

const NOTE: &[u8] = "The tap drips every second. ¿Pueden venir?\n".as_bytes();

#[tokio::test]
async fn a_ticket_opened_with_files_is_listed_and_its_files_download_safely() {
    let app = app_with(tickets_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada.get("/portal/tickets/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains(">A leak</option>"));
    let png = sample(FileKind::Png);
    let opened = ada
        .post_multipart(
            "/portal/tickets/new",
            &[
                ("category", "leak"),
                ("body", "Water under the sink\nsince Monday"),
            ],
            &[("note.txt", NOTE), ("photo.png", &png)],
        )
        .await;
    let id = ticket_id(&opened);
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

    let page = ada.get(opened.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Your ticket is open"));
    assert!(page.body.contains("#1 · Water under the sink"));
    assert!(page.body.contains("since Monday"));
    assert!(page.body.contains("note.txt") && page.body.contains("photo.png"));

    let list = ada.get("/portal/tickets").await;
    assert!(list.body.contains("Open tickets"));
    assert!(list.body.contains(&format!("/portal/tickets/{id}")));
    assert!(!list.body.contains("Closed tickets"));

    let download = ada.get(&first_attachment(&page.body)).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), NOTE);
    let headers = &download.headers;
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"note.txt\"; filename*=UTF-8''note.txt"
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

#[tokio::test]
async fn a_ticket_about_a_job_links_to_it() {
    let app = app_with(tickets_settings()).await;
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
    let mut ada = app.logged_in("ada@example.com").await;
    let form = ada
        .get(&format!("/portal/tickets/new?job={}", job.id))
        .await;
    assert!(
        form.body
            .contains(&format!("value=\"{}\" selected", job.id))
    );
    let opened = ada
        .post_multipart(
            "/portal/tickets/new",
            &[
                ("category", "service"),
                ("body", "Can the technician call first?"),
                ("job", &job.id.to_string()),
            ],
            &[],
        )
        .await;
    let page = ada.get(opened.location()).await;
    assert!(page.body.contains(&format!("/portal/jobs/{}", job.id)));
    assert!(page.body.contains("J-77"));
}

/// A case of bad input: what it is, its text parts and files, and the
/// input the refusal shows at.
type BadCase<'a> = (
    &'a str,
    Vec<(&'a str, &'a str)>,
    Vec<(&'a str, &'a [u8])>,
    &'a str,
);

#[tokio::test]
async fn bad_input_is_refused_at_its_field_and_keeps_nothing() {
    let mut settings = tickets_settings();
    settings.tickets.max_body_chars = 40;
    settings.tickets.attachment_max_bytes = 100;
    settings.tickets.max_attachments = 2;
    let app = app_with(settings).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let big = vec![b'a'; 101];
    let png = sample(FileKind::Png);
    let long = "x".repeat(41);
    let cases: Vec<BadCase> = vec![
        (
            "an empty body",
            vec![("category", "leak"), ("body", "  ")],
            vec![("note.txt", NOTE)],
            "body",
        ),
        (
            "a body over the limit",
            vec![("category", "leak"), ("body", &long)],
            vec![("note.txt", NOTE)],
            "body",
        ),
        (
            "no category",
            vec![("category", ""), ("body", "Help")],
            vec![],
            "category",
        ),
        (
            "an unknown category",
            vec![("category", "vip"), ("body", "Help")],
            vec![],
            "category",
        ),
        (
            "HTML named as text",
            vec![("category", "leak"), ("body", "Help")],
            vec![("page.txt", html)],
            "file",
        ),
        (
            "a PNG named as a PDF",
            vec![("category", "leak"), ("body", "Help")],
            vec![("scan.pdf", &png)],
            "file",
        ),
        (
            "an oversized file",
            vec![("category", "leak"), ("body", "Help")],
            vec![("big.txt", &big)],
            "file",
        ),
        (
            "a path for a name",
            vec![("category", "leak"), ("body", "Help")],
            vec![("../../etc/passwd", NOTE)],
            "file",
        ),
        (
            "too many files",
            vec![("category", "leak"), ("body", "Help")],
            vec![("a.txt", NOTE), ("b.txt", NOTE), ("c.txt", NOTE)],
            "file",
        ),
    ];
    for (case, fields, files, field) in cases {
        let reply = ada
            .post_multipart("/portal/tickets/new", &fields, &files)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {}",
            reply.body
        );
        let message = error_at(&reply.body, field);
        assert!(!message.is_empty(), "{case}");
        assert_eq!(stored_files(&app), 0, "{case}: no stray file");
        assert_eq!(app.outbox_rows("ticket_opened").await, 0, "{case}");
    }
    let list = ada.get("/portal/tickets").await;
    assert!(list.body.contains("You have no tickets"));
}

#[tokio::test]
async fn a_forged_form_is_refused_before_any_file_is_kept() {
    let app = app_with(tickets_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    ada.get("/portal/tickets/new").await;
    let (content_type, body) = multipart(
        &[
            ("csrf_token", "forged"),
            ("category", "leak"),
            ("body", "Hi"),
        ],
        &[("note.txt", NOTE)],
    );
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/portal/tickets/new")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, ada.cookie_header())
        .body(axum::body::Body::from(body))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_files(&app), 0);
    // The token after a file part is too late: refused as well.
    let (content_type, body) = multipart(&[("category", "leak")], &[("note.txt", NOTE)]);
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/portal/tickets/new")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, ada.cookie_header())
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_files(&app), 0);
}

/// Ada's ticket in account A, opened through the page.
async fn open_ticket(app: &TestApp, body: &str, files: &[(&str, &[u8])]) -> TicketId {
    let mut ada = app.logged_in("ada@example.com").await;
    let opened = ada
        .post_multipart(
            "/portal/tickets/new",
            &[("category", "leak"), ("body", body)],
            files,
        )
        .await;
    ticket_id(&opened)
}

fn staff_reply(id: &str, body: &str, status: Option<TicketStatus>) -> StaffReply {
    StaffReply {
        external_id: ExternalId::parse(id).unwrap(),
        author_name: "Grace at Acme".into(),
        body: body.into(),
        status,
    }
}

#[tokio::test]
async fn the_thread_grows_with_replies_and_a_closed_ticket_is_reopened() {
    let app = app_with(tickets_settings()).await;
    let id = open_ticket(&app, "The boiler is loud", &[]).await;
    let tenant = app.tenant_id();
    app.portal
        .host()
        .reply_to_ticket(tenant, id, &staff_reply("r-1", "Since when?", None))
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get(&format!("/portal/tickets/{id}")).await;
    assert!(page.body.contains("Grace at Acme") && page.body.contains("Since when?"));
    assert!(page.body.contains("Awaiting your reply"));
    let replied = ada
        .post_multipart(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "Since Tuesday night")],
            &[("sound.txt", NOTE)],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER, "{}", replied.body);
    assert_eq!(app.outbox_rows("ticket_replied").await, 1);
    let page = ada.get(replied.location()).await;
    assert!(page.body.contains("Your reply was sent"));
    assert!(page.body.contains("Since Tuesday night") && page.body.contains("sound.txt"));

    // An empty reply is refused at the reply and writes nothing.
    let empty = ada
        .post_multipart(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "")],
            &[("x.txt", NOTE)],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    error_at(&empty.body, "body");
    assert_eq!(app.outbox_rows("ticket_replied").await, 1);
    assert_eq!(stored_files(&app), 2, "only the first reply's file");

    app.portal
        .host()
        .set_ticket_status(tenant, id, TicketStatus::Closed)
        .await
        .unwrap();
    let closed = ada.get(&format!("/portal/tickets/{id}")).await;
    assert!(closed.body.contains("Reopen ticket"));
    assert!(!closed.body.contains("Send reply"));
    let refused = ada
        .post_multipart(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "Still loud")],
            &[("y.txt", NOTE)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("This ticket is closed"));
    assert_eq!(stored_files(&app), 2, "the refused reply's file is removed");
    let list = ada.get("/portal/tickets").await;
    assert!(list.body.contains("Closed tickets"));

    let reopened = ada
        .post_form(&format!("/portal/tickets/{id}/reopen"), &[])
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    assert_eq!(app.outbox_rows("ticket_reopened").await, 1);
    let page = ada.get(reopened.location()).await;
    assert!(page.body.contains("The ticket is open again"));
    assert!(page.body.contains("Send reply"));
}

#[tokio::test]
async fn a_business_that_does_not_reopen_tickets_offers_no_reopening() {
    let mut settings = tickets_settings();
    settings.tickets.allow_reopen = false;
    let app = app_with(settings).await;
    let id = open_ticket(&app, "Help", &[]).await;
    app.portal
        .host()
        .set_ticket_status(app.tenant_id(), id, TicketStatus::Closed)
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get(&format!("/portal/tickets/{id}")).await;
    assert!(!page.body.contains("Reopen ticket"));
    let refused = ada
        .post_form(&format!("/portal/tickets/{id}/reopen"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(app.outbox_rows("ticket_reopened").await, 0);
}

#[tokio::test]
async fn another_accounts_ticket_and_files_are_not_found() {
    let app = app_with(tickets_settings()).await;
    let id = open_ticket(&app, "Mine", &[("note.txt", NOTE)]).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get(&format!("/portal/tickets/{id}")).await;
    let file = first_attachment(&page.body);
    let mut bob = app.logged_in("bob@example.com").await;
    assert_eq!(
        bob.get(&format!("/portal/tickets/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(bob.get(&file).await.status, StatusCode::NOT_FOUND);
    let reply = bob
        .post_multipart(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "Mine now")],
            &[("z.txt", NOTE)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&app), 2, "Bob's file is not kept");
    assert_eq!(
        bob.post_form(&format!("/portal/tickets/{id}/reopen"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(!bob.get("/portal/tickets").await.body.contains("Mine"));
    // Malformed and guessed ids say no more.
    for uri in [
        "/portal/tickets/not-an-id".to_owned(),
        format!("/portal/tickets/{}", TicketId::new()),
        format!("/portal/tickets/{id}/attachments/../../etc/passwd"),
        format!(
            "/portal/tickets/{}/attachments/{}",
            TicketId::new(),
            file.rsplit('/').next().unwrap()
        ),
    ] {
        let status = ada.get(&uri).await.status;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn hostile_text_and_names_show_as_text() {
    let app = app_with(tickets_settings()).await;
    let id = open_ticket(
        &app,
        "<script>alert(1)</script>",
        &[("<img src=x onerror=alert(1)>.txt", NOTE)],
    )
    .await;
    app.portal
        .host()
        .reply_to_ticket(
            app.tenant_id(),
            id,
            &staff_reply("r-1", "<b>bold</b>", None),
        )
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    for uri in [
        format!("/portal/tickets/{id}"),
        "/portal/tickets".to_owned(),
    ] {
        let page = ada.get(&uri).await.body;
        assert!(!page.contains("<script>alert"), "{uri}");
        assert!(!page.contains("<img src=x"), "{uri}");
        assert!(page.contains("&#60;script&#62;"), "{uri}");
    }
    let page = ada.get(&format!("/portal/tickets/{id}")).await.body;
    assert!(!page.contains("<b>bold</b>") && page.contains("&#60;b&#62;bold"));
    let download = ada.get(&first_attachment(&page)).await;
    let disposition = download.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"_img src_x onerror_alert_1__.txt\""),
        "{disposition}"
    );
}

#[tokio::test]
async fn the_business_switches_decide_what_is_shown_and_who_may_write() {
    let mut settings = tickets_settings();
    settings.features.tickets_view_closed = false;
    let app = app_with(settings.clone()).await;
    let id = open_ticket(&app, "Closing soon", &[]).await;
    app.portal
        .host()
        .set_ticket_status(app.tenant_id(), id, TicketStatus::Closed)
        .await
        .unwrap();
    let mut ada = app.logged_in("ada@example.com").await;
    assert_eq!(
        ada.get(&format!("/portal/tickets/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !ada.get("/portal/tickets")
            .await
            .body
            .contains("Closing soon")
    );

    settings.features.tickets_submit = false;
    let app = app_with(settings.clone()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert_eq!(
        ada.get("/portal/tickets/new").await.status,
        StatusCode::FORBIDDEN
    );
    let posted = ada
        .post_multipart(
            "/portal/tickets/new",
            &[("category", "leak"), ("body", "Hi")],
            &[("n.txt", NOTE)],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_files(&app), 0);
    let list = ada.get("/portal/tickets").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.body.contains("Open a ticket"));

    settings.features.tickets_view_open = false;
    let app = app_with(settings).await;
    let mut ada = app.logged_in("ada@example.com").await;
    assert_eq!(
        ada.get("/portal/tickets").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        !ada.get("/portal/dashboard")
            .await
            .body
            .contains("/portal/tickets\"")
    );
}
