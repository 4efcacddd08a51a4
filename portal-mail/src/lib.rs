//! Mail for Portal: the templates that turn an outbox [`Email`] into a
//! subject, a plain-text and an HTML body, and two adapters of
//! [`portal_core::outbox::Mailer`]:
//!
//! - [`SmtpMailer`] sends over SMTP with lettre (plain on loopback for
//!   development, STARTTLS or implicit TLS with credentials in production);
//! - [`FileMailer`] writes each mail as an `.eml` file into a folder, for
//!   development and demos, where no mail server is wanted.
//!
//! The outbox stores what a mail *means* (an [`EmailKind`] with its link and
//! expiry), not its text: rendering happens here, at delivery, so changing a
//! template needs no migration. Both adapters turn every failure into a
//! [`DeliveryError`] so the outbox worker retries later; nothing here panics
//! on a bad server or a bad mail.
//!
//! ```no_run
//! use std::sync::Arc;
//! use portal_core::outbox::Mailer;
//! use portal_mail::{SmtpConfig, SmtpMailer, SmtpTls};
//!
//! # async fn wire() -> Result<(), Box<dyn std::error::Error>> {
//! let config = SmtpConfig::new("smtp.example.com", 587, SmtpTls::StartTls, "noreply@example.com".parse()?)
//!     .with_credentials("portal", "app-password".to_owned().into());
//! let mailer: Arc<dyn Mailer> = Arc::new(SmtpMailer::new(config)?);
//! # let _ = mailer;
//! # Ok(())
//! # }
//! ```
//!
//! Modules:
//! - [`render`](mod@render) — the askama templates (`templates/*.html`, `templates/*.txt`);
//! - [`smtp`] — [`SmtpMailer`] and its [`SmtpConfig`];
//! - [`file`](mod@file) — [`FileMailer`];
//! - `testing` (hidden) — helpers for tests that read mails back from the
//!   Maildir of the loopback SMTP server that `scripts/test.sh` starts.
//!
//! [`Email`]: portal_core::outbox::Email
//! [`EmailKind`]: portal_core::outbox::EmailKind
//! [`DeliveryError`]: portal_core::outbox::DeliveryError

pub mod file;
mod message;
pub mod render;
pub mod smtp;
#[doc(hidden)]
pub mod testing;

pub use file::FileMailer;
/// A mail address as lettre takes it (`noreply@example.com`); used for the
/// sending address in [`SmtpConfig`] and [`FileMailer::with_from`].
pub use lettre::Address;
pub use render::{RenderError, RenderedMail, render};
pub use smtp::{SmtpConfig, SmtpConfigError, SmtpMailer, SmtpTls};
