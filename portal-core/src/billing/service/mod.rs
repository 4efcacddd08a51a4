//! Billing use cases of a logged-in customer: invoices, the account
//! summary, paying (invoices, prepayments, the statement balance), account
//! credit, history, statements, cards on file and autopay.
//!
//! Paying runs in three steps (see [`crate::billing::payment`]): the store
//! holds the amounts and records a pending payment, the gateway charges
//! with the payment's id as its idempotency key, and the store settles the
//! payment with the answer. A retried request with the same key never
//! reaches the gateway twice: the store answers it from the first payment.

use std::sync::Arc;

use chrono::NaiveDate;

use crate::access::{Actor, Permission};
use crate::billing::{
    AccountSummary, Allocation, AllocationPlan, AutopayConsent, Invoice, InvoiceDetail,
    InvoiceQuery, PaymentDetail, PaymentGateway, PaymentMethod, Statement, StatementRange,
};
use crate::error::PortalError;
use crate::shared::{InvoiceId, Money, Page, PageRequest, PaymentId};
use crate::tenancy::Tenant;

mod cards;
mod credit;
mod host;
mod pay;
mod settle;

use crate::billing::{BillingConflict, CardToken, PaymentFailure};
use pay::{check_gateway_token, positive_amount, settlement_of};
#[cfg(test)]
mod tests;

crate::portal::service! {
    /// A customer's billing: invoices, paying, credit, history, statements,
    /// cards on file and autopay.
    /// Get one from the [`Portal`](crate::Portal) facade.
    BillingService
}

/// The customer paying in the portal, as their session knows them: the
/// receipt goes to the contact and names the account, with no read, and
/// the audit log names them and their client.
pub(crate) struct Payer<'a> {
    auth: &'a crate::AuthContext,
}

impl Payer<'_> {
    /// The account as receipts name it: "Ada's Bakery (1001)".
    fn account_label(&self) -> String {
        format!(
            "{} ({})",
            self.auth.membership.account_name, self.auth.membership.account_number
        )
    }
}

/// How many unpaid invoices a payment can choose from. Accounts with more
/// pay the oldest ones first and come back for the rest.
pub const MAX_PAYABLE_INVOICES: u32 = 500;

/// How many cards one account may keep on file.
pub const MAX_PAYMENT_METHODS: usize = 20;

/// One page of invoices, with the day overdue is judged against.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceList {
    /// The page.
    pub invoices: Page<Invoice>,
    /// Today in the tenant's time zone.
    pub today: NaiveDate,
}

/// An invoice's printable form: the host's own PDF, or the data for the
/// portal to render one.
#[derive(Clone, Debug, PartialEq)]
pub enum InvoiceDocument {
    /// The host's PDF, as it gave it.
    HostPdf(Vec<u8>),
    /// No host PDF: render this.
    Render(Box<InvoiceDetail>),
}

/// What the pay page offers.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentOptions {
    /// The account's summary.
    pub summary: AccountSummary,
    /// Unpaid invoices, oldest due first (all preselected).
    pub unpaid: Vec<Invoice>,
    /// Cards on file (empty when the feature is off).
    pub methods: Vec<PaymentMethod>,
    /// Whether an invoice may be paid in part.
    pub partial_allowed: bool,
    /// Whether an amount beyond the invoices may be paid as credit.
    pub prepayment_allowed: bool,
    /// Whether a new card may be kept on file.
    pub may_save_card: bool,
    /// Today in the tenant's time zone.
    pub today: NaiveDate,
}

/// "Pay the statement balance": how an amount would be applied, shown
/// before the customer confirms.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentPreview {
    /// The amount to charge, in what.
    pub amount: Money,
    /// Oldest invoices first, each with its whole share (card and
    /// credit); `unallocated` becomes account credit.
    pub plan: AllocationPlan,
    /// What account credit pays of the plan's shares (when asked to use
    /// it), oldest first.
    pub credit: Vec<Allocation>,
    /// The credit the account has to use.
    pub credit_available: Money,
    /// The account's balance once this is paid (negative: in credit).
    pub balance_after: Money,
}

impl PaymentPreview {
    /// The credit this payment uses.
    pub fn credit_used(&self) -> Money {
        let currency = self.amount.currency();
        Money::checked_sum(self.credit.iter().map(|a| a.amount), currency)
            .unwrap_or_else(|_| Money::zero(currency))
    }
}

/// What a pay request would charge, checked as [`BillingService::pay`] checks it:
/// the page a customer confirms before paying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentReview {
    /// Each chosen invoice with what it gets in all (credit and card).
    pub allocations: Vec<Allocation>,
    /// What of each invoice's share account credit pays (when the
    /// request uses credit).
    pub credit: Vec<Allocation>,
    /// The credit the account has to use.
    pub credit_available: Money,
    /// What becomes account credit.
    pub prepayment: Money,
    /// The total to charge to the card, in what; zero when credit pays
    /// everything (then no card is needed: see
    /// [`BillingService::apply_credit`]).
    pub amount: Money,
    /// The card on file to charge (its brand and last four for the
    /// adapters to word), or `None` for the new card entered.
    pub saved_method: Option<PaymentMethod>,
    /// The account's balance once this is paid (negative: in credit).
    pub balance_after: Money,
}

impl PaymentReview {
    /// The credit this payment uses.
    pub fn credit_used(&self) -> Money {
        let currency = self.amount.currency();
        Money::checked_sum(self.credit.iter().map(|a| a.amount), currency)
            .unwrap_or_else(|_| Money::zero(currency))
    }
}

/// A pay request checked against the balances and the card on file.
struct CheckedPayment {
    /// Each invoice's whole share.
    shares: Vec<Allocation>,
    /// The shares split between credit and card.
    split: crate::billing::CreditSplit,
    prepayment: Money,
    /// What the card is charged.
    amount: Money,
    saved: Option<PaymentMethod>,
    summary: AccountSummary,
}

/// What an autopay run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AutopayRun {
    /// Accounts charged successfully.
    pub paid: usize,
    /// Accounts whose charge was declined or failed (the invoices stay
    /// open; the host gets a `PaymentFailed` event).
    pub failed: usize,
    /// Accounts whose charge is pending (the gateway did not answer).
    pub pending: usize,
    /// Accounts skipped: the card is gone or expired, or today's charge
    /// was already made.
    pub skipped: usize,
}

/// The autopay page: the active consent and the terms a new one agrees to.
#[derive(Clone, Debug, PartialEq)]
pub struct AutopayStatus {
    /// The active consent.
    pub consent: Option<AutopayConsent>,
    /// The tenant's current terms.
    pub terms: String,
    /// Their digest; enrolling must quote it, so a consent is always to
    /// the words that were shown.
    pub terms_digest: String,
    /// Cards that autopay can use.
    pub methods: Vec<PaymentMethod>,
}

impl BillingService<'_> {
    /// The payment gateway, when the host configured one.
    fn gateway(&self) -> Result<&Arc<dyn PaymentGateway>, PortalError> {
        self.portal.inner.gateway.as_ref().ok_or_else(|| {
            tracing::error!("online payment is switched on but no payment gateway is configured");
            PortalError::Internal("no payment gateway configured".to_owned())
        })
    }

    /// Today in the tenant's time zone, by the portal's clock: what
    /// "overdue" and card expiry are judged against, so front ends that
    /// show them use this one.
    pub fn today(self, tenant: &Tenant) -> NaiveDate {
        self.portal
            .inner
            .clock
            .now()
            .with_timezone(&tenant.settings.time_zone())
            .date_naive()
    }

    /// The active account's balance, past-due amount, credit and last
    /// payment.
    pub async fn account_summary(self, actor: &Actor) -> Result<AccountSummary, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        let today = self.today(&tenant);
        Ok(self
            .stores()
            .ledger
            .account_summary(&scope, tenant.settings.currency(), today)
            .await?)
    }

    /// One page of the active account's invoices.
    pub async fn invoices(
        self,
        actor: &Actor,
        query: &InvoiceQuery,
    ) -> Result<InvoiceList, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        query.validate(tenant.settings.currency())?;
        let today = self.today(&tenant);
        let invoices = self
            .stores()
            .invoices
            .invoices(&scope, query, today)
            .await?;
        Ok(InvoiceList { invoices, today })
    }

    /// One invoice with its lines and payments; `NotFound` for another
    /// account's.
    pub async fn invoice(self, actor: &Actor, id: InvoiceId) -> Result<InvoiceDetail, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        self.stores()
            .invoices
            .invoice(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// An invoice as a document: the host's PDF when it gave one.
    pub async fn invoice_document(
        self,
        actor: &Actor,
        id: InvoiceId,
    ) -> Result<InvoiceDocument, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        let detail = self
            .stores()
            .invoices
            .invoice(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        if detail.invoice.has_host_pdf {
            if let Some(pdf) = self.stores().invoices.invoice_pdf(&scope, id).await? {
                return Ok(InvoiceDocument::HostPdf(pdf));
            }
        }
        Ok(InvoiceDocument::Render(Box::new(detail)))
    }

    /// One page of the active account's payments and credits, newest first.
    pub async fn payments(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<PaymentDetail>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        Ok(self.stores().payments.payments(&scope, page).await?)
    }

    /// One payment or credit (a receipt); `NotFound` for another account's.
    pub async fn payment(self, actor: &Actor, id: PaymentId) -> Result<PaymentDetail, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewBilling).await?;
        self.stores()
            .payments
            .payment(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// The active account's statement for a date range.
    pub async fn statement(
        self,
        actor: &Actor,
        range: StatementRange,
    ) -> Result<Statement, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewStatements).await?;
        let parts = self
            .stores()
            .ledger
            .statement_parts(&scope, range, tenant.settings.time_zone())
            .await?;
        Ok(Statement::build(range, tenant.settings.currency(), parts))
    }
}
