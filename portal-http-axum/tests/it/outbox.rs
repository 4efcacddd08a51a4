//! Mail goes through the outbox: an SMTP server that is down loses nothing,
//! the mail is retried with backoff and delivered once it is back.

use chrono::Duration;
use std::sync::Arc;

use portal_core::LinkRequest;
use portal_core::outbox::NoEvents;
use portal_mail::{SmtpConfig, SmtpMailer, SmtpTls};

use crate::harness::*;

#[tokio::test]
async fn an_smtp_outage_loses_no_mail_and_delivery_resumes_after_backoff() {
    let app = TestApp::new().await;
    app.portal
        .identity()
        .request_password_link(&app.seeded.tenant, "bob@example.com", LinkRequest::Register)
        .await
        .unwrap();

    // Nothing listens on this port: every attempt fails fast.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = SmtpConfig::new(
        "127.0.0.1",
        closed,
        SmtpTls::None,
        "portal@example.com".parse().unwrap(),
    );
    let broken = app
        .portal
        .outbox_worker(Arc::new(SmtpMailer::new(down).unwrap()), Arc::new(NoEvents));
    assert_eq!(broken.run_once(10).await.unwrap(), 0);
    assert_eq!(
        broken.run_once(10).await.unwrap(),
        0,
        "the failed row waits for its retry time"
    );

    // Before the backoff has passed, even a working mailer gets nothing.
    app.deliver_mail().await;
    assert!(app.mailbox.all().is_empty());

    app.clock.advance(Duration::seconds(31));
    app.deliver_mail().await;
    let mails = app.mailbox.to("bob@example.com");
    assert_eq!(mails.len(), 1, "delivered exactly once after the outage");
    app.clock.advance(Duration::hours(2));
    app.deliver_mail().await;
    assert_eq!(
        app.mailbox.all().len(),
        1,
        "a delivered row is never sent again"
    );
}
