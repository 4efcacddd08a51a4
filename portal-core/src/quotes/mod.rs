//! Quotes: the host's offers of work, which a customer reads, approves
//! (a typed signature, optional lines ticked, evidence kept) or declines.
//!
//! - The host pushes quotes in by its own ids ([`QuoteUpsert`], idempotent:
//!   the same quote twice is one; a pending quote is updated; a decided one
//!   is never rewritten).
//! - A quote's totals are billing's rule over its required lines plus the
//!   optional lines chosen ([`totals`]).
//! - Only a pending, unexpired quote is decided, once ([`QuoteState`]);
//!   stores make that a conditional update, so of two concurrent
//!   approvals one succeeds and the other is a conflict.
//! - An approval keeps its evidence ([`Approval`]): who, when, from which
//!   address and browser, and the SHA-256 of the canonical content
//!   approved ([`QuoteDetail::content_sha256`]). The page quotes the
//!   digest of what it showed; a quote changed since is a conflict.
//! - Each decision writes a host event to the outbox in its transaction.

mod errors;
mod ports;
mod quote;
mod service;

pub use errors::QuotesConflict;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockQuoteStore;
pub use ports::QuoteStore;
pub(crate) use quote::one_line;
pub use quote::{
    Approval, ApprovalRecord, ApproveQuote, CheckedApproval, Decision, DecisionClient, Decline,
    MAX_DECISION_TEXT, MAX_PO_NUMBER, MAX_QUOTE_LINES, MAX_QUOTE_TEXT, MAX_SIGNER_NAME, Quote,
    QuoteDetail, QuoteLine, QuoteQuery, QuoteState, QuoteStatus, QuoteStatusFilter, QuoteUpsert,
    checked_reason, totals,
};
pub use service::{QuoteList, QuotesService};
