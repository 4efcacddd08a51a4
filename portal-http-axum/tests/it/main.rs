//! HTTP tests through the router (no sockets, `tower::ServiceExt::oneshot`),
//! each with a fresh SQLite database, a frozen clock and a captured mailbox.
//! The browser test drives a real server in headless Chromium.

// Helpers outside #[test] functions may unwrap too: a failure is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod billing_api;
mod billing_credit;
mod billing_pages;
mod browser;
mod browser_billing;
mod browser_call_off;
mod browser_contacts;
mod browser_flow;
mod browser_quotes;
mod browser_requests;
mod browser_tickets;
mod browser_walk;
mod communications;
mod contacts;
mod contract;
mod documents;
mod forms;
mod hardening;
mod harness;
mod isolation;
mod jobs;
mod languages;
mod locale;
mod lockout;
mod notifications;
mod observability;
mod origin;
mod outbox;
mod pages;
mod profile;
mod quotes_api;
mod quotes_pages;
mod rentals;
mod requests_api;
mod requests_pages;
mod security;
mod services_api;
mod services_pages;
mod tickets_api;
mod tickets_pages;
mod web_safety;
