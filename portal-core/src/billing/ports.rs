//! The billing store ports, one per aggregate: invoices, the ledger
//! (summary and statements), payments, cards on file and autopay.
//!
//! Money crosses these ports as [`crate::shared::Money`] in the tenant's
//! currency; adapters keep whole minor units ([`crate::shared::Money::to_minor`],
//! [`crate::shared::Money::from_minor`]) so sums and comparisons are
//! integer SQL. Every write that moves money is one
//! transaction made of conditional updates, so concurrent writers can
//! never apply or hold more than an invoice's balance.
//!
//! An invoice's `amount_paid` is what succeeded payments and credits
//! applied to it; `amount_pending` what pending payments hold on it; a
//! payment's `applied` what of it is applied. Invoice status is always
//! [`super::InvoiceStatus::from_amounts`] of total and paid, or `Void`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    AccountSummary, Allocation, AutopayConsent, ExternalPayment, IdempotencyKey, Invoice,
    InvoiceDetail, InvoiceQuery, InvoiceTotals, InvoiceUpsert, Payment, PaymentDetail,
    PaymentIntent, PaymentMethod, PaymentStart, Settlement, StatementParts, StatementRange,
};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::shared::{
    ContactId, Currency, ExternalId, InvoiceId, Page, PageRequest, PaymentId, PaymentMethodId,
    StoreError, TenantId,
};

/// Invoices: the host's upserts and voids, the customer's reads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait InvoiceStore: Send + Sync {
    /// Creates the invoice with this external id in the tenant, or updates
    /// it keeping its id: replaces number, dates, memo, lines and totals,
    /// and the host PDF when one is given (keeps the stored one when not).
    /// MUST return `NotFound` when the account is not in this tenant, and
    /// `Conflict` (writing nothing) when the invoice is void, belongs to
    /// another account, or its new total is below what is paid plus held.
    async fn upsert_invoice(
        &self,
        tenant: TenantId,
        invoice: &InvoiceUpsert,
        totals: &InvoiceTotals,
        at: DateTime<Utc>,
    ) -> Result<Invoice, StoreError>;
    /// The invoice with this external id in this tenant.
    async fn invoice_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Invoice>, StoreError>;
    /// Voids an invoice: status `Void`, `voided_at`, and what was applied
    /// to it is released back to its payments and credits (it becomes
    /// account credit), in one transaction. Voiding a void invoice returns
    /// it unchanged. MUST return `Conflict` while a pending payment holds
    /// part of it, `NotFound` for another tenant's.
    async fn void_invoice(
        &self,
        tenant: TenantId,
        id: InvoiceId,
        at: DateTime<Utc>,
    ) -> Result<Invoice, StoreError>;
    /// One page of the account's invoices matching `query`; `today` decides
    /// which are overdue. Filtering, sorting and paging happen in SQL on an
    /// index (the sort's key last, then the id, for a stable order).
    async fn invoices(
        &self,
        scope: &AccountScope,
        query: &InvoiceQuery,
        today: NaiveDate,
    ) -> Result<Page<Invoice>, StoreError>;
    /// One invoice with its lines and the payments applied to it.
    async fn invoice(
        &self,
        scope: &AccountScope,
        id: InvoiceId,
    ) -> Result<Option<InvoiceDetail>, StoreError>;
    /// The host's PDF of an invoice, when it gave one.
    async fn invoice_pdf(
        &self,
        scope: &AccountScope,
        id: InvoiceId,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// The account's unpaid invoices, due first (then issued, number), at
    /// most `limit`.
    async fn unpaid_invoices(
        &self,
        scope: &AccountScope,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError>;
}

/// The account's ledger read whole: its summary and statements.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// The account's money at a glance, in one round trip.
    async fn account_summary(
        &self,
        scope: &AccountScope,
        currency: Currency,
        today: NaiveDate,
    ) -> Result<AccountSummary, StoreError>;
    /// What a statement needs (see [`StatementParts`]): `start` and `end`
    /// are the range's first instant and the instant after its last day in
    /// the tenant's time zone `zone`, which also dates payments.
    async fn statement_parts(
        &self,
        scope: &AccountScope,
        range: StatementRange,
        zone: chrono_tz::Tz,
    ) -> Result<StatementParts, StoreError>;
}

/// Payments and credits: the hold-charge-settle lifecycle, the host's
/// external payments, reading them back and applying credit.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Records a succeeded payment or credit the host took outside the
    /// portal, applied as `payment.applied_to` says, with `messages`, in
    /// one transaction. Idempotent: when the tenant already has one with
    /// this external id, returns it and writes nothing. MUST return
    /// `NotFound` when the account, or an invoice of `applied_to`, is not
    /// the account's, and `Conflict` (writing nothing) when an amount is
    /// above what the invoice has payable or the amounts exceed the payment.
    async fn record_external_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
        payment: &ExternalPayment,
        messages: &[OutboxMessage],
    ) -> Result<PaymentDetail, StoreError>;
    /// One page of the account's payments and credits, newest first, with
    /// their allocations (read for the whole page at once, not per row).
    async fn payments(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<PaymentDetail>, StoreError>;
    /// One payment or credit of the account, with its allocations.
    async fn payment(
        &self,
        scope: &AccountScope,
        id: PaymentId,
    ) -> Result<Option<PaymentDetail>, StoreError>;
    /// The answer for an idempotency key the account used before: `None`
    /// when it has no payment with `key`; `KeyReused` when that payment's
    /// fingerprint is not `fingerprint`; otherwise `InProgress` (pending) or
    /// `Replay` (settled) with the payment. Writes nothing.
    async fn payment_attempt(
        &self,
        scope: &AccountScope,
        key: &IdempotencyKey,
        fingerprint: &str,
    ) -> Result<Option<PaymentStart>, StoreError>;
    /// Starts a portal payment. When the account has a payment with the
    /// intent's idempotency key, answers from it (see [`PaymentStart`]) and
    /// writes nothing. Otherwise holds each allocation on its invoice and
    /// inserts the payment as pending, in one transaction. Holding is a
    /// conditional update: the invoice must be the account's (else
    /// `NotFound`), unpaid and have at least the amount payable (else
    /// `Conflict` naming the invoice, writing nothing). Two concurrent
    /// starts with one key MUST leave one payment (a unique key).
    async fn begin_payment(
        &self,
        scope: &AccountScope,
        intent: &PaymentIntent,
    ) -> Result<PaymentStart, StoreError>;
    /// Settles a pending payment: on success the held amounts become paid
    /// (statuses follow) and the gateway reference is stored; on failure
    /// the holds are released and the message stored. Writes `messages`
    /// too, in one transaction. When the payment is no longer pending (a
    /// webhook and a reconcile raced) MUST change and write nothing and
    /// return it as it is, with one exception: a success for a payment that
    /// had failed (the gateway answered after the portal gave up) marks it
    /// succeeded with nothing applied, so the money taken becomes account
    /// credit, and writes `messages`; once. `NotFound` for another
    /// tenant's.
    async fn settle_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
        settlement: &Settlement,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<PaymentDetail, StoreError>;
    /// A payment of the tenant by id (webhooks and reconciling).
    async fn tenant_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
    ) -> Result<Option<PaymentDetail>, StoreError>;
    /// The tenant's payments pending since before `before`, oldest first,
    /// at most `limit` (the reconcile sweep).
    async fn pending_payments(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError>;
    /// Applies account credit to invoices: takes the unapplied parts of
    /// the account's succeeded payments and credits, oldest first, and
    /// applies them as `allocations` says, with `messages`, in one
    /// transaction. MUST return `Conflict` (writing nothing) when the
    /// account has less credit than the allocations' sum or an invoice has
    /// less payable, `NotFound` for an invoice not the account's.
    async fn apply_credit(
        &self,
        scope: &AccountScope,
        allocations: &[Allocation],
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
}

/// Cards on file.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentMethodStore: Send + Sync {
    /// The account's cards on file, the default first, then newest.
    async fn payment_methods(&self, scope: &AccountScope)
    -> Result<Vec<PaymentMethod>, StoreError>;
    /// Puts a method on file with `messages`. It becomes the default when
    /// `method.is_default` is set or it is the account's first (the
    /// previous default loses it).
    async fn add_payment_method(
        &self,
        scope: &AccountScope,
        method: &PaymentMethod,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Removes a method with `messages` and, when `new_default` is given,
    /// makes that one the default in the same transaction; otherwise a
    /// removed default leaves the account without one (no card is made
    /// the default behind the customer's back). MUST return `NotFound`
    /// for another account's method or `new_default` (or one that is not
    /// on file, the removed one included), and `Conflict` while the
    /// active autopay consent uses it, writing nothing either way.
    async fn remove_payment_method(
        &self,
        scope: &AccountScope,
        id: PaymentMethodId,
        new_default: Option<PaymentMethodId>,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Makes a method the account's default with `messages`. `NotFound`
    /// for another account's.
    async fn set_default_payment_method(
        &self,
        scope: &AccountScope,
        id: PaymentMethodId,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
}

/// Autopay consents.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AutopayStore: Send + Sync {
    /// The account's active autopay consent.
    async fn autopay(&self, scope: &AccountScope) -> Result<Option<AutopayConsent>, StoreError>;
    /// The tenant's active autopay consents whose account has an unpaid
    /// invoice due on or before `today` with something payable, oldest
    /// consent first, at most `limit` (the autopay run).
    async fn autopay_due(
        &self,
        tenant: TenantId,
        today: NaiveDate,
        limit: u32,
    ) -> Result<Vec<AutopayConsent>, StoreError>;
    /// Records an autopay consent with `messages`, withdrawing the active
    /// one first (by the same contact, at the same time), in one
    /// transaction. `NotFound` when the method is not the account's.
    async fn enrol_autopay(
        &self,
        scope: &AccountScope,
        consent: &AutopayConsent,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Withdraws the active consent with `messages`, returning it as
    /// withdrawn. `NotFound` when there is none.
    async fn withdraw_autopay(
        &self,
        scope: &AccountScope,
        by: ContactId,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<AutopayConsent, StoreError>;
}
