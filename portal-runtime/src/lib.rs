//! # portal-runtime
//!
//! The runtime pieces of Portal, kept out of `portal-core` (which does no
//! I/O and spawns nothing): adapters and loops that own threads, timers or
//! in-memory state.
//!
//! - [`Argon2Hasher`]: the production [`PasswordHasher`] (argon2id with
//!   OWASP's parameters, on threads of its own at lowered priority)
//! - [`run_outbox`]: drives an [`OutboxWorker`] on tokio until shutdown
//! - [`WebhookSink`]: delivers host events as signed HTTP POSTs (receivers
//!   check them with [`portal_core::webhook::verify_signature`])
//! - [`SandboxGateway`]: an in-memory [`PaymentGateway`] for the demo,
//!   tests and benchmarks (test tokens such as `tok_sandbox_visa`)
//!
//! ```no_run
//! # async fn wire(store: std::sync::Arc<dyn portal_core::ports::Store>) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use portal_core::Portal;
//! use portal_runtime::Argon2Hasher;
//!
//! let portal = Portal::builder(store, Arc::new(Argon2Hasher::owasp()?)).build();
//! # let _ = portal; Ok(()) }
//! ```
//!
//! [`PasswordHasher`]: portal_core::identity::PasswordHasher
//! [`OutboxWorker`]: portal_core::outbox::OutboxWorker
//! [`PaymentGateway`]: portal_core::billing::PaymentGateway

mod hasher;
mod outbox;
mod sandbox;
mod webhook;

pub use hasher::Argon2Hasher;
pub use outbox::run_outbox;
pub use sandbox::SandboxGateway;
pub use webhook::{DEFAULT_TIMEOUT, EVENT_ID_HEADER, WebhookSink, WebhookSinkError};
