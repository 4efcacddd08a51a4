//! Helpers for tests that check mails end to end, through the real SMTP
//! server on loopback that `scripts/test.sh` starts (aiosmtpd with its
//! Maildir handler).
//!
//! The script exports:
//! - `PORTAL_TEST_SMTP_ADDR`: the server, as `host:port`;
//! - `PORTAL_TEST_MAILDIR`: the Maildir it stores every received mail in
//!   (files appear in `new/`; a mail client may move them to `cur/`).
//!
//! A test sends to an address of its own (unique per test, so tests running
//! in parallel never read each other's mail), then waits for the file:
//!
//! ```no_run
//! # async fn example() {
//! use std::time::Duration;
//! use portal_mail::testing::{smtp_test_server, wait_for_mail};
//!
//! let server = smtp_test_server().unwrap_or_else(|message| panic!("{message}"));
//! // ... make the portal send a mail to "ada.1234@example.com" via server.host/port ...
//! let raw = wait_for_mail(&server.maildir, "ada.1234@example.com", Duration::from_secs(10))
//!     .await
//!     .expect("no mail arrived");
//! # let _ = raw;
//! # }
//! ```
//!
//! The raw mail is encoded: lettre sends text with lines of 76 characters
//! or more (any real link) as quoted-printable, where `?token=abc` is
//! stored as `?token=3Dabc` and may be split by a soft line break, so do not
//! search the raw text for a link. With the `testing` feature,
//! `ReceivedMail::parse` decodes the raw mail (quoted-printable, base64,
//! folded headers) into its subject, text and HTML,
//! `ReceivedMail::first_link` finds the link a customer would follow, and
//! `wait_for_link` does both after waiting. Other crates' tests get them
//! through a dev-dependency:
//! `portal-mail = { workspace = true, features = ["testing"] }`.
//!
//! Not part of the public API: hidden from the docs, may change with the
//! tests that use it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Name of the variable holding the SMTP test server's `host:port`.
pub const SMTP_ADDR_VAR: &str = "PORTAL_TEST_SMTP_ADDR";
/// Name of the variable holding the SMTP test server's Maildir.
pub const MAILDIR_VAR: &str = "PORTAL_TEST_MAILDIR";

/// The SMTP server for tests, from the environment.
#[derive(Clone, Debug)]
pub struct SmtpTestServer {
    /// Host to connect to (an IP on loopback).
    pub host: String,
    /// Port to connect to.
    pub port: u16,
    /// Where received mails are stored.
    pub maildir: PathBuf,
}

/// Reads [`SMTP_ADDR_VAR`] and [`MAILDIR_VAR`]. The error is a message for
/// the failing test: tests that need the server fail without it rather
/// than pass without checking anything.
pub fn smtp_test_server() -> Result<SmtpTestServer, String> {
    let missing = |name: &str| {
        format!(
            "{name} is not set: this test needs the loopback SMTP server. \
             Run the suite with `scripts/test.sh` (it starts the server and exports \
             {SMTP_ADDR_VAR} and {MAILDIR_VAR}), or start one yourself: \
             `python3 -m aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Mailbox /tmp/maildir` \
             and export {SMTP_ADDR_VAR}=127.0.0.1:2525 {MAILDIR_VAR}=/tmp/maildir"
        )
    };
    let addr = std::env::var(SMTP_ADDR_VAR).map_err(|_| missing(SMTP_ADDR_VAR))?;
    let maildir = std::env::var(MAILDIR_VAR).map_err(|_| missing(MAILDIR_VAR))?;
    let (host, port) = addr
        .rsplit_once(':')
        .ok_or_else(|| format!("{SMTP_ADDR_VAR}={addr} is not host:port"))?;
    let port = port
        .parse()
        .map_err(|_| format!("{SMTP_ADDR_VAR}={addr} has no valid port"))?;
    Ok(SmtpTestServer {
        host: host.trim_start_matches('[').trim_end_matches(']').into(),
        port,
        maildir: maildir.into(),
    })
}

/// Waits up to `timeout` for a mail in `maildir` whose raw text mentions
/// `recipient` (case-insensitive; the server records the envelope
/// recipient in `X-RcptTo`, so this also finds Bcc'd mails). Returns the
/// oldest such mail's raw text, or `None` when none came in time.
pub async fn wait_for_mail(maildir: &Path, recipient: &str, timeout: Duration) -> Option<String> {
    let needle = recipient.to_lowercase();
    wait_for_mail_where(maildir, timeout, |raw| raw.to_lowercase().contains(&needle)).await
}

/// Waits up to `timeout` for a mail in `maildir` whose raw text satisfies
/// `matches`; returns the oldest match. Polls every 50 ms.
pub async fn wait_for_mail_where(
    maildir: &Path,
    timeout: Duration,
    matches: impl Fn(&str) -> bool,
) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(raw) = find_mail(maildir, &matches).await {
            return Some(raw);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One pass over `new/` and `cur/`, oldest file first.
async fn find_mail(maildir: &Path, matches: &impl Fn(&str) -> bool) -> Option<String> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(mut entries) = tokio::fs::read_dir(maildir.join(sub)).await else {
            continue;
        };
        while let Ok(Some(entry)) = entries.next_entry().await {
            let modified = entry.metadata().await.and_then(|meta| meta.modified()).ok();
            files.push((modified, entry.path()));
        }
    }
    files.sort();
    for (_, path) in files {
        // A file may vanish between listing and reading (a client moving
        // it to cur/); skip it and see it again on the next pass.
        let Ok(bytes) = tokio::fs::read(&path).await else {
            continue;
        };
        let raw = String::from_utf8_lossy(&bytes);
        if matches(&raw) {
            return Some(raw.into_owned());
        }
    }
    None
}

#[cfg(feature = "testing")]
pub use parsed::ReceivedMail;

/// Waits like [`wait_for_mail`], then returns the first link of the mail's
/// decoded text part: the link a customer would follow. Use this rather
/// than searching the raw mail: lettre sends text with long lines (every
/// real link) as quoted-printable, where `token=abc` is stored as
/// `token=3Dabc` and may be cut by a soft line break.
#[cfg(feature = "testing")]
pub async fn wait_for_link(maildir: &Path, recipient: &str, timeout: Duration) -> Option<String> {
    let raw = wait_for_mail(maildir, recipient, timeout).await?;
    ReceivedMail::parse(&raw)?.first_link()
}

#[cfg(feature = "testing")]
mod parsed {
    /// A received mail, decoded.
    #[derive(Clone, Debug)]
    pub struct ReceivedMail {
        /// The Subject header, decoded.
        pub subject: String,
        /// The From header's display name, if any.
        pub from_name: Option<String>,
        /// The From header's address.
        pub from_address: Option<String>,
        /// The Reply-To address, if any.
        pub reply_to: Option<String>,
        /// The first text/plain part, decoded.
        pub text: String,
        /// The first text/html part, decoded.
        pub html: String,
        /// The mail as stored.
        pub raw: String,
    }

    impl ReceivedMail {
        /// Decodes `raw`; `None` when it is not a mail.
        pub fn parse(raw: &str) -> Option<Self> {
            let message = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
            let first = |address: Option<&mail_parser::Address<'_>>| {
                address
                    .and_then(|a| a.first())
                    .map(|a| (a.name().map(str::to_owned), a.address().map(str::to_owned)))
            };
            let (from_name, from_address) = first(message.from()).unwrap_or((None, None));
            let reply_to = first(message.reply_to()).and_then(|(_, address)| address);
            Some(Self {
                subject: message.subject().unwrap_or_default().to_owned(),
                from_name,
                from_address,
                reply_to,
                text: message
                    .body_text(0)
                    .map(|t| t.into_owned())
                    .unwrap_or_default(),
                html: message
                    .body_html(0)
                    .map(|t| t.into_owned())
                    .unwrap_or_default(),
                raw: raw.to_owned(),
            })
        }

        /// The first `http://` or `https://` link in the text part: the
        /// link the mail asks the customer to open.
        pub fn first_link(&self) -> Option<String> {
            self.text
                .split_whitespace()
                .find(|word| word.starts_with("https://") || word.starts_with("http://"))
                .map(str::to_owned)
        }
    }
}
