//! The store ports: what the use cases need from persistence, one trait per
//! context, each method one atomic unit of work. Adapters (`portal-store-sqlx`)
//! implement them on SQLite and PostgreSQL; the conformance suite there tests
//! every "MUST" below on both.
//!
//! Scoping: tenant-level methods take a [`TenantId`]; account-level reads
//! take an [`AccountScope`], which only `authorize` hands out. Adapters MUST
//! filter by both in SQL, not after the fact.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::access::{AccountScope, Role};
use crate::accounts::{Account, AccountUpsert, Communication};
use crate::billing::{
    AccountSummary, Allocation, AutopayConsent, ExternalPayment, IdempotencyKey, Invoice,
    InvoiceDetail, InvoiceQuery, InvoiceTotals, InvoiceUpsert, Payment, PaymentDetail,
    PaymentIntent, PaymentMethod, PaymentStart, Settlement, StatementParts, StatementRange,
};
use crate::dashboard::{Dashboard, PanelSelection};
use crate::identity::{
    Contact, ContactUpsert, Credential, LoginCandidate, LoginName, Membership, OneTimeToken,
    Session, SessionContext, TokenHash,
};
use crate::outbox::{OutboxItem, OutboxMessage};
use crate::shared::{
    AccountId, ContactId, Currency, EmailAddress, ExternalId, InvoiceId, LeaseId, OutboxId, Page,
    PageRequest, PaymentId, PaymentMethodId, PhoneNumber, PostalCode, SessionId, TenantId,
};
use crate::tenancy::{LockoutPolicy, Tenant, TenantSlug};

/// What went wrong in a store. Adapters map constraint violations to
/// [`StoreError::Conflict`] and everything unexpected to
/// [`StoreError::Backend`], whose text is logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in the caller's scope.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a conditional update refused the write; the
    /// text names the rule for the caller (`email already in use`).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database failed.
    #[error("store backend error: {0}")]
    Backend(String),
}

/// Tenants and their settings.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Stores a new tenant. MUST return `Conflict` when the slug is taken.
    async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// Replaces a tenant's base URL and settings. MUST return `NotFound` for
    /// an unknown id.
    async fn update_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// The tenant with this id.
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError>;
    /// The tenant with this slug.
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
}

/// Accounts and their communications log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates the account or updates the one with the same external id in
    /// this tenant, keeping its id. MUST be idempotent: the same upsert twice
    /// leaves one row and returns the same account.
    async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, StoreError>;
    /// The account with this id in this tenant.
    async fn account(&self, tenant: TenantId, id: AccountId)
    -> Result<Option<Account>, StoreError>;
    /// The account with this external id in this tenant.
    async fn account_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Account>, StoreError>;
    /// Switches the portal on or off for an account and writes `messages`
    /// to the outbox, in one transaction. MUST return `NotFound` for an
    /// account of another tenant.
    async fn set_portal_enabled(
        &self,
        tenant: TenantId,
        account: AccountId,
        enabled: bool,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Accounts in this tenant whose phone, e-mail and postal code on file
    /// are all equal to these (known-facts registration).
    async fn accounts_matching_facts(
        &self,
        tenant: TenantId,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
    ) -> Result<Vec<Account>, StoreError>;
    /// Sets the named custom fields of the scope's account (the others stay
    /// as they are) and writes `messages`, in one transaction; concurrent
    /// edits of different fields MUST both survive (lock the account's row
    /// on PostgreSQL). `NotFound` for an account not in the scope's tenant.
    async fn update_custom_fields(
        &self,
        scope: &AccountScope,
        changes: &std::collections::BTreeMap<String, String>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Appends to an account's communications log. MUST return `NotFound`
    /// when the account is not in this tenant.
    async fn record_communication(
        &self,
        tenant: TenantId,
        communication: &Communication,
    ) -> Result<(), StoreError>;
}

/// Contacts, memberships, credentials, sessions and one-time tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Creates the contact or updates the one with the same external id,
    /// keeping its id. MUST be idempotent and MUST return `Conflict` when
    /// another contact of the tenant has the e-mail or the phone. When the
    /// e-mail changes, the contact's unused one-time tokens MUST be spent in
    /// the same transaction (a link mailed to the old address dies).
    async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, StoreError>;
    /// The contact with this id in this tenant.
    async fn contact(&self, tenant: TenantId, id: ContactId)
    -> Result<Option<Contact>, StoreError>;
    /// The contact with this external id in this tenant.
    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contact>, StoreError>;
    /// The contact with this e-mail in this tenant.
    async fn contact_by_email(
        &self,
        tenant: TenantId,
        email: &EmailAddress,
    ) -> Result<Option<Contact>, StoreError>;
    /// Gives a contact a role on an account, or changes it. MUST return
    /// `NotFound` when either is not in this tenant.
    async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), StoreError>;
    /// Removes a contact's membership and ends the contact's sessions whose
    /// active account it was, in one transaction.
    async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), StoreError>;
    /// The contact's memberships, by account name.
    async fn memberships(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Vec<Membership>, StoreError>;
    /// The contact's credential, if it has set a password.
    async fn credential(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Option<Credential>, StoreError>;
    /// The contact who logs in with this name, with its credential.
    async fn login_candidate(
        &self,
        tenant: TenantId,
        login: &LoginName,
    ) -> Result<Option<LoginCandidate>, StoreError>;
    /// When the contact's log-in is locked at `now`, the lock's end.
    async fn locked_until(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Counts a failed log-in or known-facts registration attempt
    /// atomically (a single conditional update, so concurrent failures are
    /// all counted). Lockout state MUST exist apart from the credential:
    /// failures of a contact who has no password yet count too, and a later
    /// first password keeps them (a redeemed link clears them). On reaching
    /// `policy.max_failures` the contact is locked until
    /// `now + policy.lock_minutes`, the counter restarts, `on_lock` is
    /// written to the outbox in the same transaction and the returned value
    /// is the lock's end. `on_lock` is written only when this failure
    /// engages the lock.
    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
        on_lock: &[OutboxMessage],
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Stores a new session and clears the contact's failure counter, in
    /// one transaction; also deletes the contact's expired sessions. MUST
    /// return `Conflict` and write nothing when the contact's password hash
    /// is no longer `verified_hash` (a reset or change committed while the
    /// password was being checked) or the contact is locked at the
    /// session's `created_at`.
    async fn start_session(&self, session: &Session, verified_hash: &str)
    -> Result<(), StoreError>;
    /// The live session with this token hash: MUST return `None` when it is
    /// in another tenant, past either expiry at `now`, its contact is
    /// disabled, or its active membership is gone or on an account whose
    /// portal is off. MUST return with it all the contact's memberships,
    /// exactly as [`IdentityStore::memberships`] would and read in the same
    /// query, so that a page needs no second one.
    async fn session_context(
        &self,
        tenant: TenantId,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionContext>, StoreError>;
    /// Records use of a session, pushing its idle expiry out (never past
    /// the absolute expiry).
    async fn touch_session(
        &self,
        tenant: TenantId,
        session: SessionId,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Makes `account` the session's active account. MUST return `NotFound`
    /// unless the session's contact is a member of it and its portal is on.
    async fn switch_account(
        &self,
        tenant: TenantId,
        session: SessionId,
        account: AccountId,
    ) -> Result<(), StoreError>;
    /// Ends one session (log-out).
    async fn end_session(&self, tenant: TenantId, session: SessionId) -> Result<(), StoreError>;
    /// Replaces a contact's password hash, ends every other session of the
    /// contact (all of them when `keep` is `None`), spends all its unused
    /// one-time tokens and writes `messages`, in one transaction. MUST
    /// return `Conflict` and write nothing when the stored hash is no longer
    /// `current_hash` (another change won the race).
    async fn change_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        current_hash: &str,
        new_hash: &str,
        keep: Option<SessionId>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Sets the first password of a contact that has none (known-facts
    /// registration), spends all its unused one-time tokens and writes
    /// `messages`, in one transaction. MUST return `Conflict` when the
    /// contact already has a password.
    async fn set_first_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Stores a one-time token and writes `messages` (the mail carrying
    /// it), in one transaction. Earlier unused tokens of the same contact,
    /// of any purpose, are spent, so only the newest link works; two
    /// concurrent calls for one contact MUST leave one live token (lock the
    /// contact's row on PostgreSQL).
    async fn issue_token(
        &self,
        token: &OneTimeToken,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// The unspent, unexpired token with this hash, without spending it.
    async fn live_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<OneTimeToken>, StoreError>;
    /// Spends the token and sets the password, in one transaction: marks
    /// the token used only if it is unspent and unexpired at `now` (a
    /// conditional update; MUST return `NotFound` otherwise, and then write
    /// nothing), stores the hash, clears failures and any lock, spends the
    /// contact's other unused tokens, ends all of the contact's sessions and
    /// writes `messages`. Returns the contact.
    async fn redeem_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
        new_hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<ContactId, StoreError>;
}

/// The mail and event outbox.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` undelivered rows due at `now` whose lease has
    /// run out, leasing them until `lease_until` under a fresh lease id
    /// (returned in each item). MUST be safe with several workers at once:
    /// a row is handed to one worker only (row locks with `SKIP LOCKED` on
    /// PostgreSQL, one writer on SQLite).
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    /// Marks a row delivered and replaces its payload with
    /// [`OutboxMessage::redacted`] (no live link stays in the table). MUST
    /// change nothing when the row's lease is no longer `lease` (it expired
    /// and another worker owns the row now).
    async fn complete_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Records an attempt that failed at `failed_at` and clears the lease;
    /// the row is due again at `retry_at`, or given up on (and its payload
    /// redacted) when `retry_at` is `None`, as of `failed_at`. MUST change
    /// nothing when the row's lease is no longer `lease`.
    async fn fail_outbox(
        &self,
        id: OutboxId,
        lease: LeaseId,
        error: &str,
        failed_at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Deletes up to `limit` finished rows: delivered before `before`, or
    /// given up on before it. Returns how many it
    /// deleted. MUST leave every undelivered row that is still being
    /// retried, whatever its age.
    async fn purge_outbox(&self, before: DateTime<Utc>, limit: u32) -> Result<u64, StoreError>;
}

/// Reads that gather what the dashboard shows, scoped to one account.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The selected panels for the scope's account, each a handful of rows
    /// from an indexed query, plus the latest communications; with the
    /// invoices panel also the account summary (as
    /// [`BillingStore::account_summary`] gives it, in `currency`).
    async fn dashboard(
        &self,
        scope: &AccountScope,
        panels: PanelSelection,
        today: chrono::NaiveDate,
        currency: Currency,
    ) -> Result<Dashboard, StoreError>;
}

/// Invoices, payments and credits, cards on file and autopay.
///
/// Money crosses this port as `Decimal` in the tenant's currency; adapters
/// keep whole minor units ([`crate::shared::Currency::to_minor`]) so sums
/// and comparisons are integer SQL. Every write that moves money is one
/// transaction made of conditional updates, so concurrent writers can
/// never apply or hold more than an invoice's balance.
///
/// An invoice's `amount_paid` is what succeeded payments and credits
/// applied to it; `amount_pending` what pending payments hold on it; a
/// payment's `applied` what of it is applied. Invoice status is always
/// [`crate::billing::InvoiceStatus::from_amounts`] of total and paid, or
/// `Void`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait BillingStore: Send + Sync {
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
    /// The account's money at a glance, in one round trip.
    async fn account_summary(
        &self,
        scope: &AccountScope,
        currency: Currency,
        today: NaiveDate,
    ) -> Result<AccountSummary, StoreError>;
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
    /// What a statement needs (see [`StatementParts`]): `start` and `end`
    /// are the range's first instant and the instant after its last day in
    /// the tenant's time zone `zone`, which also dates payments.
    async fn statement_parts(
        &self,
        scope: &AccountScope,
        range: StatementRange,
        zone: chrono_tz::Tz,
    ) -> Result<StatementParts, StoreError>;

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
    /// Removes a method with `messages`; when it was the default, the
    /// newest remaining one becomes the default. MUST return `NotFound`
    /// for another account's, and `Conflict` (writing nothing) while the
    /// active autopay consent uses it.
    async fn remove_payment_method(
        &self,
        scope: &AccountScope,
        id: PaymentMethodId,
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

/// Everything the facade needs from one store. Adapters implement the
/// context traits; this one comes for free.
pub trait Store:
    TenantStore + AccountStore + IdentityStore + OutboxStore + DashboardStore + BillingStore
{
}

impl<T> Store for T where
    T: TenantStore + AccountStore + IdentityStore + OutboxStore + DashboardStore + BillingStore
{
}
