//! Notifications end to end: a staff reply, a new invoice and the host's
//! answer to a request reach the account's contacts in the feed and by
//! mail (host text escaped), the
//! settings turn a kind off per channel, a mail's signed link turns its
//! kind off without a session (forged ones change nothing), the feed is
//! the contact's own, the API answers the same, and an SMTP outage only
//! delays the mails, which arrive as queued.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Duration;
use portal_core::notifications::{Channel, NotificationKind};
use portal_core::outbox::{Email, EmailKind, NoEvents};
use portal_mail::testing::{ReceivedMail, smtp_test_server, wait_for_mail_where};
use portal_mail::{SmtpConfig, SmtpMailer, SmtpTls};

use crate::harness::*;
use crate::tickets_pages::{app_with, open_ticket, staff_reply, tickets_settings};

const HOSTILE: &str = "<script>alert(1)</script> tap";

/// The notice mails delivered to `address`.
fn notice_mails(app: &TestApp, address: &str) -> Vec<Email> {
    app.mailbox
        .to(address)
        .into_iter()
        .filter(|mail| matches!(mail.kind, EmailKind::Notice(_)))
        .collect()
}

/// The unsubscribe link of a notice mail, as a path on the portal.
fn unsubscribe_path(mail: &Email) -> String {
    match &mail.kind {
        EmailKind::Notice(notice) => path_of(&notice.unsubscribe),
        other => panic!("not a notice: {other:?}"),
    }
}

/// Ada's ticket (subject `HOSTILE`) answered by staff once.
async fn answered_ticket(app: &TestApp, reply: &str) -> portal_core::shared::TicketId {
    let id = open_ticket(app, HOSTILE, &[]).await;
    app.portal
        .host()
        .reply_to_ticket(app.tenant_id(), id, &staff_reply(reply, "On our way", None))
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_staff_reply_reaches_the_feed_and_the_inbox_once_with_host_text_escaped() {
    let app = app_with(tickets_settings()).await;
    let id = answered_ticket(&app, "r-1").await;
    // The host sends the same reply again (a retry): told once.
    app.portal
        .host()
        .reply_to_ticket(app.tenant_id(), id, &staff_reply("r-1", "On our way", None))
        .await
        .unwrap();

    let mut ada = app.logged_in("ada@example.com").await;
    let feed = ada.get("/portal/notifications").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.body.matches("New reply on ticket #1").count(),
        1,
        "{}",
        feed.body
    );
    assert!(feed.body.contains("&#60;script&#62;") || feed.body.contains("&lt;script&gt;"));
    assert!(!feed.body.contains(HOSTILE));
    assert!(feed.body.contains(&format!("/portal/tickets/{id}")));
    assert!(feed.body.contains("1 unread"));

    app.deliver_mail().await;
    let mails = notice_mails(&app, "ada@example.com");
    assert_eq!(mails.len(), 1);
    let rendered = portal_mail::render(&mails[0]).unwrap();
    assert_eq!(rendered.subject, "New reply on ticket #1");
    assert!(rendered.text.contains(HOSTILE), "text shows it as typed");
    assert!(!rendered.html.contains(HOSTILE), "HTML escapes it");

    // Bob, of another account, is told nothing and sees nothing.
    assert!(notice_mails(&app, "bob@example.com").is_empty());
    let mut bob = app.logged_in("bob@example.com").await;
    let his = bob.get("/portal/notifications").await;
    assert!(!his.body.contains("New reply"), "{}", his.body);

    // Marking read empties the unread count.
    let marked = ada.post_form("/portal/notifications/read", &[]).await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER);
    let after = ada.get("/portal/notifications?done=read").await;
    assert!(after.body.contains("marked as read"));
    assert!(!after.body.contains("1 unread"));
}

#[tokio::test]
async fn a_new_invoice_is_told_to_who_sees_billing_and_old_history_is_not() {
    let app = TestApp::new().await;
    app.register("ada@example.com").await;
    let today = portal_core::shared::Clock::now(&*app.clock).date_naive();
    app.invoice(
        app.seeded.account_a,
        "INV-NEW",
        12_050,
        today + Duration::days(20),
    )
    .await;
    // Issued a year ago: history the host brings in, not news.
    app.invoice(
        app.seeded.account_a,
        "INV-OLD",
        5_000,
        today - Duration::days(335),
    )
    .await;
    app.deliver_mail().await;
    let mails = notice_mails(&app, "ada@example.com");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let rendered = portal_mail::render(&mails[0]).unwrap();
    assert_eq!(rendered.subject, "New invoice INV-NEW for $120.50");
    let mut ada = app.logged_in("ada@example.com").await;
    let feed = ada.get("/portal/notifications").await;
    assert!(feed.body.contains("INV-NEW") && !feed.body.contains("INV-OLD"));
}

#[tokio::test]
async fn settings_turn_a_kind_off_per_channel() {
    let app = app_with(tickets_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/notifications/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("name=\"ticket_replied.email\" value=\"on\" checked")
    );
    // Everything on but ticket replies by mail.
    let mut ticked: Vec<String> = Vec::new();
    for kind in NotificationKind::ALL {
        for channel in Channel::ALL {
            if !(kind == NotificationKind::TicketReplied && channel == Channel::Email) {
                ticked.push(format!("{}.{}", kind.as_str(), channel.as_str()));
            }
        }
    }
    let fields: Vec<(&str, &str)> = ticked.iter().map(|name| (name.as_str(), "on")).collect();
    let saved = ada
        .post_form("/portal/notifications/settings", &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = ada.get("/portal/notifications/settings?done=saved").await;
    assert!(page.body.contains("were saved"));
    assert!(
        page.body
            .contains("name=\"ticket_replied.email\" value=\"on\">")
    );

    answered_ticket(&app, "r-1").await;
    app.deliver_mail().await;
    assert!(notice_mails(&app, "ada@example.com").is_empty(), "no mail");
    let feed = ada.get("/portal/notifications").await;
    assert!(
        feed.body.contains("New reply on ticket #1"),
        "still in the feed"
    );
}

#[tokio::test]
async fn a_mails_link_turns_its_kind_off_without_a_session_and_forgeries_change_nothing() {
    let app = app_with(tickets_settings()).await;
    answered_ticket(&app, "r-1").await;
    app.deliver_mail().await;
    let mail = notice_mails(&app, "ada@example.com").remove(0);
    let link = unsubscribe_path(&mail);
    assert!(
        link.starts_with("/portal/notifications/unsubscribe?token=v1."),
        "{link}"
    );

    // Opening the link (a mail scanner would) only asks.
    let mut stranger = app.browser();
    let asked = stranger.get(&link).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("A reply to a support ticket"));
    assert_eq!(asked.headers["referrer-policy"], "no-referrer");

    // A forged or altered token: 410, and nothing is switched off.
    // The last digit of the signature changed (to one it is not).
    let last = if link.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &link[..link.len() - 1]);
    for bad in [
        forged.as_str(),
        "/portal/notifications/unsubscribe?token=v1.x.y.z",
    ] {
        let refused = stranger.get(bad).await;
        assert_eq!(refused.status, StatusCode::GONE, "{bad}");
        let token = bad.split("token=").nth(1).unwrap();
        let posted = stranger
            .post_raw("/portal/notifications/unsubscribe", &[("token", token)])
            .await;
        assert_eq!(posted.status, StatusCode::GONE);
    }
    let mut ada = app.logged_in("ada@example.com").await;
    let page = ada.get("/portal/notifications/settings").await;
    assert!(
        page.body
            .contains("name=\"ticket_replied.email\" value=\"on\" checked")
    );

    // The mail client's one-click POST (RFC 8058): the token in the query.
    let clicked = stranger
        .post_raw(&link, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(clicked.status, StatusCode::OK, "{}", clicked.body);
    assert!(clicked.body.contains("no longer email you"));
    let page = ada.get("/portal/notifications/settings").await;
    assert!(
        page.body
            .contains("name=\"ticket_replied.email\" value=\"on\">")
    );
    assert!(
        page.body
            .contains("name=\"ticket_replied.feed\" value=\"on\" checked")
    );
}

#[tokio::test]
async fn the_api_lists_marks_and_sets_preferences_refusing_unknown_kinds_whole() {
    let app = app_with(tickets_settings()).await;
    let id = answered_ticket(&app, "r-1").await;
    let token = app.api_token("ada@example.com").await;

    let feed = app
        .send(get_request("/portal/api/v1/notifications", Some(&token)))
        .await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let json = feed.json();
    assert_eq!(json["unread"], 1);
    assert_eq!(json["items"][0]["kind"], "ticket_replied");
    assert_eq!(json["items"][0]["subject_id"], id.to_string());
    assert_eq!(json["items"][0]["path"], format!("tickets/{id}"));
    assert!(
        json["items"][0]["text"].as_str().unwrap().contains(HOSTILE),
        "JSON carries text as text"
    );

    let marked = app
        .send(json_request(
            "POST",
            "/portal/api/v1/notifications/read",
            Some(&token),
            &serde_json::json!({}),
        ))
        .await;
    assert_eq!(marked.json()["marked"], 1);

    let bad = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/notification-preferences",
            Some(&token),
            &serde_json::json!({"choices": [
                {"kind": "quote_issued", "feed": false, "email": false},
                {"kind": "nope", "feed": false, "email": false}
            ]}),
        ))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.json()["field"], "kind");
    let unchanged = app
        .send(get_request(
            "/portal/api/v1/notification-preferences",
            Some(&token),
        ))
        .await;
    assert!(
        unchanged.json()["choices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["feed"] == true && c["email"] == true)
    );

    let set = app
        .send(json_request(
            "PUT",
            "/portal/api/v1/notification-preferences",
            Some(&token),
            &serde_json::json!({"choices": [{"kind": "quote_issued", "feed": true, "email": false}]}),
        ))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let quote = set.json()["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "quote_issued")
        .cloned()
        .unwrap();
    assert_eq!(
        (quote["feed"].clone(), quote["email"].clone()),
        (true.into(), false.into())
    );
}

#[tokio::test]
async fn the_hosts_answer_to_a_request_is_told_once_and_links_to_the_request() {
    let app = app_with(tickets_settings()).await;
    let mut ada = app.logged_in("ada@example.com").await;
    let asked = ada
        .post_form(
            "/portal/requests/new/service",
            &[("description", "Wasps by the back door")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let id = portal_core::shared::ServiceRequestId::parse(
        asked
            .location()
            .trim_start_matches("/portal/requests/")
            .trim_end_matches("?done=requested"),
    )
    .unwrap();
    // The host answers, then sends the same answer again (a retry).
    for _ in 0..2 {
        app.portal
            .host()
            .set_request_status(
                app.tenant_id(),
                id,
                portal_core::requests::RequestStatus::Scheduled,
                HOSTILE,
            )
            .await
            .unwrap();
    }
    const TITLE: &str = "Your request “Request service”: Scheduled";

    let feed = ada.get("/portal/notifications").await;
    assert_eq!(feed.body.matches(TITLE).count(), 1, "{}", feed.body);
    assert!(feed.body.contains(&format!("/portal/requests/{id}")));
    assert!(!feed.body.contains(HOSTILE), "the host's note is escaped");
    assert!(feed.body.contains("1 unread"));

    app.deliver_mail().await;
    let mails = notice_mails(&app, "ada@example.com");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let rendered = portal_mail::render(&mails[0]).unwrap();
    assert_eq!(rendered.subject, TITLE);
    assert!(rendered.text.contains(HOSTILE), "text shows it as typed");
    assert!(!rendered.html.contains(HOSTILE), "HTML escapes it");
    assert!(
        rendered.text.contains(&format!("/portal/requests/{id}")),
        "{}",
        rendered.text
    );
    assert!(notice_mails(&app, "bob@example.com").is_empty());

    let token = app.api_token("ada@example.com").await;
    let listed = app
        .send(get_request("/portal/api/v1/notifications", Some(&token)))
        .await;
    let json = listed.json();
    assert_eq!(json["total"], 1, "{json}");
    assert_eq!(json["items"][0]["kind"], "request_updated");
    assert_eq!(json["items"][0]["subject_id"], id.to_string());
    assert_eq!(json["items"][0]["path"], format!("requests/{id}"));
    assert_eq!(json["items"][0]["title"], TITLE);

    // The kind is offered in the settings, on both channels.
    let page = ada.get("/portal/notifications/settings").await;
    assert!(page.body.contains("The status of a request changed"));
    assert!(
        page.body
            .contains("name=\"request_updated.email\" value=\"on\" checked")
    );
}

/// Notice mails not delivered yet.
async fn waiting_notices(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%\"kind\":\"notice\"%' \
         AND delivered_at IS NULL",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn with_the_smtp_server_down_notices_queue_and_arrive_as_queued_once_it_is_back() {
    let server = smtp_test_server().unwrap_or_else(|message| panic!("{message}"));
    let app = app_with(tickets_settings()).await;
    answered_ticket(&app, "r-smtp").await;
    let queued = app.outbox_rows("\"notice\"").await;
    assert_eq!(queued, 1);

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = |host: &str, port| {
        SmtpConfig::new(
            host,
            port,
            SmtpTls::None,
            "portal@example.com".parse().unwrap(),
        )
    };
    let down = app.portal.outbox_worker(
        Arc::new(SmtpMailer::new(config("127.0.0.1", closed)).unwrap()),
        Arc::new(NoEvents),
    );
    down.run_once(10).await.unwrap();
    assert_eq!(waiting_notices(&app).await, 1, "still queued");

    app.clock.advance(Duration::seconds(31));
    let up = app.portal.outbox_worker(
        Arc::new(SmtpMailer::new(config(&server.host, server.port)).unwrap()),
        Arc::new(NoEvents),
    );
    up.run_once(10).await.unwrap();
    assert_eq!(waiting_notices(&app).await, 0, "delivered");
    let raw = wait_for_mail_where(&server.maildir, std::time::Duration::from_secs(10), |raw| {
        raw.contains("ada@example.com") && raw.contains("New reply on ticket")
    })
    .await
    .expect("the notice reached the SMTP server");
    let received = ReceivedMail::parse(&raw).unwrap();
    assert_eq!(received.subject, "New reply on ticket #1");
    assert!(
        received.text.contains("On our way") || received.text.contains("replied to your ticket #1")
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(raw.contains("https://acme.portal.test/portal/notifications/unsubscribe?token=v1."));
}
