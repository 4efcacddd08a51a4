//! The store conformance suite: every contract of `portal_core::ports`,
//! written once and run against SQLite and PostgreSQL alike (see
//! `harness::conformance!`). Tests are named after the rule they protect.
//!
//! PostgreSQL tests need `PORTAL_TEST_PG_URL` (a server the suite may create
//! databases on) and fail without it.

// Test support code outside `#[test]` functions (the harness, the shared
// bodies) may fail a test by panicking too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;

mod account_contacts;
mod accounts;
mod assets;
mod audit;
mod billing;
mod communications;
mod connect;
mod contacts;
mod dashboard;
mod documents;
mod event_delivery;
mod jobs;
mod lockout;
mod notifications;
mod outbox;
mod passwords;
mod profiles;
mod properties;
mod quotes;
mod rentals;
mod requests;
mod service_contracts;
mod sessions;
mod tenancy;
mod tickets;
mod tokens;
