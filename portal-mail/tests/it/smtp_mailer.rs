//! Delivery through a real SMTP server on loopback, and failures that the
//! outbox must be able to retry.

use std::time::{Duration, Instant};

use portal_core::outbox::Mailer;
use portal_mail::testing::{ReceivedMail, smtp_test_server, wait_for_link, wait_for_mail};
use portal_mail::{SmtpConfig, SmtpConfigError, SmtpMailer, SmtpTls};

use crate::support::{EXPIRY_TEXT, LINK, set_password_mail, unique_address};

fn loopback_config(port: u16) -> SmtpConfig {
    SmtpConfig::new(
        "127.0.0.1",
        port,
        SmtpTls::None,
        "noreply@portal.example".parse().unwrap(),
    )
}

#[tokio::test]
async fn a_mail_reaches_the_smtp_server_with_subject_text_html_and_link() {
    // Fails, never skips, without the server: see `smtp_test_server`.
    let server = smtp_test_server().unwrap_or_else(|message| panic!("{message}"));
    let config = SmtpConfig::new(
        server.host.clone(),
        server.port,
        SmtpTls::None,
        "noreply@portal.example".parse().unwrap(),
    );
    let mailer = SmtpMailer::new(config).unwrap();
    mailer.check().await.unwrap();
    let to = unique_address("smtp-delivery");

    mailer.send(&set_password_mail(&to)).await.unwrap();

    let raw = wait_for_mail(&server.maildir, &to, Duration::from_secs(10))
        .await
        .unwrap_or_else(|| {
            panic!(
                "no mail for {to} arrived in {} within 10 s",
                server.maildir.display()
            )
        });
    let mail = ReceivedMail::parse(&raw).unwrap();
    assert_eq!(mail.subject, "Set your password for Acme Plumbing");
    assert_eq!(mail.from_name.as_deref(), Some("Acme Plumbing"));
    assert_eq!(mail.from_address.as_deref(), Some("noreply@portal.example"));
    assert_eq!(
        mail.reply_to.as_deref(),
        Some("office@acme-plumbing.example")
    );
    assert!(mail.text.contains("Hello Ada Lovelace,"), "{}", mail.text);
    assert!(mail.text.contains(EXPIRY_TEXT), "{}", mail.text);
    assert_eq!(mail.first_link().as_deref(), Some(LINK));
    assert_eq!(
        wait_for_link(&server.maildir, &to, Duration::from_secs(1))
            .await
            .as_deref(),
        Some(LINK)
    );
    assert!(
        mail.html.contains(&format!("href=\"{LINK}\"")),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("Set your password</a>"), "{}", mail.html);
}

#[tokio::test]
async fn a_server_that_is_down_gives_a_delivery_error_quickly() {
    // A port that was just free: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = SmtpMailer::new(loopback_config(port)).unwrap();
    let started = Instant::now();

    let error = mailer
        .send(&set_password_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(error.0.starts_with("SMTP:"), "{error}");
    assert!(mailer.check().await.is_err());
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_with_a_delivery_error() {
    // Accepts connections and then says nothing, like a hung server.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config =
        loopback_config(port).with_timeouts(Duration::from_secs(1), Duration::from_secs(1));
    let mailer = SmtpMailer::new(config).unwrap();
    let started = Instant::now();

    let error = mailer
        .send(&set_password_mail("ada@example.com"))
        .await
        .unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    assert!(error.0.contains("did not finish within"), "{error}");
    silent.abort();
}

#[test]
fn building_the_mailer_outside_a_runtime_is_an_error_not_a_panic() {
    let result = SmtpMailer::new(loopback_config(2525));
    assert!(matches!(result, Err(SmtpConfigError::NoRuntime)));
}

#[tokio::test]
async fn a_username_without_a_password_is_refused() {
    let mut config = loopback_config(2525);
    config.username = Some("portal".into());
    assert!(matches!(
        SmtpMailer::new(config),
        Err(SmtpConfigError::IncompleteCredentials)
    ));
}

#[tokio::test]
async fn tls_configurations_build_without_connecting() {
    for tls in [SmtpTls::StartTls, SmtpTls::Tls] {
        let config = SmtpConfig::new(
            "smtp.example.com",
            587,
            tls,
            "noreply@example.com".parse().unwrap(),
        )
        .with_credentials("portal", "app-password".into());
        assert!(SmtpMailer::new(config).is_ok(), "{tls:?}");
    }
}
