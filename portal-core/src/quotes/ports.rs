//! The quotes store port: the host's upserts, the customer's reads and
//! decisions. Money crosses it as [`crate::shared::Money`]; adapters keep
//! whole minor units, as billing does.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{ApprovalRecord, Decline, Quote, QuoteDetail, QuoteQuery, QuoteUpsert};
use crate::access::AccountScope;
use crate::billing::InvoiceTotals;
use crate::outbox::OutboxMessage;
use crate::shared::{ExternalId, Page, QuoteId, StoreError, TenantId};

/// Quotes: upserts by the host's id, lists and detail, and the one
/// decision each quote takes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait QuoteStore: Send + Sync {
    /// Creates the quote with this external id in the tenant, or updates
    /// the pending one keeping its id (replacing its fields, lines, totals
    /// and `digest`). Idempotent: the same upsert again changes nothing.
    /// MUST return `NotFound` when the account is not in this tenant, and
    /// `Conflict` (writing nothing) when the quote belongs to another
    /// account (`QuoteOfAnotherAccount`) or was decided and the upsert's
    /// `digest` differs from its own (`DecidedQuoteChanged`); a decided
    /// quote sent again unchanged is returned as it is.
    async fn upsert_quote(
        &self,
        tenant: TenantId,
        quote: &QuoteUpsert,
        totals: &InvoiceTotals,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<Quote, StoreError>;
    /// The quote with this external id in this tenant.
    async fn quote_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Quote>, StoreError>;
    /// One page of the account's quotes matching `query`, newest issue
    /// first (then id); `today` decides which pending ones are expired
    /// (valid until before it). Filtered, sorted and paged in SQL on an
    /// index led by tenant and account.
    async fn quotes(
        &self,
        scope: &AccountScope,
        query: &QuoteQuery,
        today: NaiveDate,
    ) -> Result<Page<Quote>, StoreError>;
    /// One quote of the account with its lines and its decision.
    async fn quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
    ) -> Result<Option<QuoteDetail>, StoreError>;
    /// Approves the account's quote with `record`'s evidence and writes
    /// `messages`, in one transaction, by one conditional update: only
    /// while it is pending, valid until `today` or later, and its digest
    /// is `record.shown_sha256`. Of concurrent decisions exactly one
    /// succeeds. MUST return `NotFound` for a quote not in the scope, and
    /// `Conflict` (writing nothing) when it was decided (`AlreadyDecided`),
    /// expired (`Expired`) or changed (`Changed`).
    async fn approve_quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
        record: &ApprovalRecord,
        today: NaiveDate,
        messages: &[OutboxMessage],
    ) -> Result<Quote, StoreError>;
    /// Declines the account's quote, by the same conditional update as
    /// [`QuoteStore::approve_quote`] (pending and unexpired; no digest:
    /// declining agrees to nothing), writing `messages` with it. The same
    /// `NotFound` and `Conflict` answers.
    async fn decline_quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
        decline: &Decline,
        today: NaiveDate,
        messages: &[OutboxMessage],
    ) -> Result<Quote, StoreError>;
}
