//! The development mailer writes complete mails into a folder.

use portal_core::outbox::Mailer;
use portal_mail::FileMailer;
use portal_mail::testing::ReceivedMail;

use crate::support::{EXPIRY_TEXT, LINK, set_password_mail};

#[tokio::test]
async fn writes_a_complete_parseable_mail_named_after_time_recipient_and_kind() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("outbox/mails");
    let mailer = FileMailer::new(&dir).with_from("noreply@portal.example".parse().unwrap());

    let path = mailer
        .write(&set_password_mail("ada@example.com"))
        .await
        .unwrap();

    assert_eq!(path.parent(), Some(dir.as_path()));
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.ends_with("-ada@example.com-set_password.eml"),
        "unexpected file name {name}"
    );
    assert!(
        name.starts_with("20"),
        "name should start with a timestamp: {name}"
    );

    let raw = std::fs::read_to_string(&path).unwrap();
    let mail = ReceivedMail::parse(&raw).unwrap();
    assert_eq!(mail.subject, "Set your password for Acme Plumbing");
    assert_eq!(mail.from_name.as_deref(), Some("Acme Plumbing"));
    assert_eq!(mail.from_address.as_deref(), Some("noreply@portal.example"));
    assert_eq!(
        mail.reply_to.as_deref(),
        Some("office@acme-plumbing.example")
    );
    assert_eq!(mail.first_link().as_deref(), Some(LINK));
    assert!(mail.text.contains(EXPIRY_TEXT));
    assert!(mail.html.contains(&format!("href=\"{LINK}\"")));
    assert!(raw.contains("multipart/alternative"));
    let message_id = raw
        .lines()
        .find_map(|line| line.strip_prefix("Message-ID: "))
        .expect("a Message-ID header");
    assert!(message_id.ends_with("@portal.example>"), "{message_id}");
    assert!(
        raw.contains("To: \"Ada Lovelace\" <ada@example.com>"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_notice_carries_one_click_unsubscribe_headers() {
    let folder = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(folder.path());
    let path = mailer
        .write(&crate::support::mail_to(
            "ada@example.com",
            crate::support::notice_kind(),
        ))
        .await
        .unwrap();
    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(
        raw.contains(
            "List-Unsubscribe: <https://acme.example/portal/notifications/unsubscribe?token=v1.x>"
        ),
        "{raw}"
    );
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    // Other mails have none.
    let other = mailer
        .write(&set_password_mail("ada@example.com"))
        .await
        .unwrap();
    assert!(
        !std::fs::read_to_string(other)
            .unwrap()
            .contains("List-Unsubscribe")
    );
}

#[tokio::test]
async fn mails_sent_at_the_same_moment_never_overwrite_each_other() {
    let folder = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(folder.path());
    let mail = set_password_mail("ada@example.com");

    let (a, b, c) = tokio::join!(mailer.send(&mail), mailer.send(&mail), mailer.send(&mail));
    a.unwrap();
    b.unwrap();
    c.unwrap();

    let count = std::fs::read_dir(folder.path()).unwrap().count();
    assert_eq!(count, 3);
}

#[tokio::test]
async fn a_folder_that_cannot_be_written_gives_a_delivery_error() {
    let folder = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(folder.path().join("mails"));
    // A file where the folder should be: creating the mail must fail.
    std::fs::write(mailer.dir(), b"not a folder").unwrap();

    let error = mailer
        .send(&set_password_mail("ada@example.com"))
        .await
        .unwrap_err();
    assert!(error.0.contains("could not write"), "{error}");
}

#[tokio::test]
async fn without_a_sending_address_mails_come_from_a_reserved_domain() {
    let folder = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(folder.path());

    let path = mailer
        .write(&set_password_mail("ada@example.com"))
        .await
        .unwrap();

    let mail = ReceivedMail::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(mail.from_address.as_deref(), Some("noreply@portal.invalid"));
    assert_eq!(mail.from_name.as_deref(), Some("Acme Plumbing"));
}
