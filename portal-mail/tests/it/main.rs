//! portal-mail's integration tests, one binary (see STYLE.md):
//! - `render`: what each kind of mail says, and that HTML is escaped;
//! - `languages`: every mail in Spanish has no English left, and every
//!   key the templates use is in the catalog;
//! - `file_mailer`: the development mailer writes a complete, parseable mail;
//! - `smtp_mailer`: delivery through a real SMTP server on loopback (started
//!   by `scripts/test.sh`), and errors, not panics, when the server is down.

// clippy.toml allows these in `#[test]` functions only; the shared helpers
// in `support` are test code too, where a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod file_mailer;
mod languages;
mod render;
mod smtp_mailer;
mod support;
