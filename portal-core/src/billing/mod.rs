//! Billing: invoices, payments and credits, cards on file, autopay and
//! statements, with the money rules every adapter relies on.
//!
//! - Money is [`Money`]: a `rust_decimal::Decimal` with its [`Currency`],
//!   rounded by the one rule in [`crate::shared::round_to_minor_unit`] when
//!   it is made; stores keep whole minor units ([`Money::to_minor`]).
//!   Amounts a customer or host typed are checked once, by [`Money::exact`].
//! - An account's ledger is its invoices (charges) less its succeeded
//!   payments and credits; its balance is always that sum, which equals
//!   what its unpaid invoices owe less its unapplied credit.
//! - Allocation rules are in [`allocate_selection`] and
//!   [`allocate_oldest_first`]; prepayments and credits are never applied
//!   on their own, only when the customer (or host) says so.
//! - Paying follows [`payment`]'s lifecycle: hold, charge, settle.
//! - Idempotency follows Stripe: the same key with the same parameters
//!   replays the first result, with different parameters is refused
//!   (422), and while the first attempt is still pending is a conflict
//!   (409).
//!
//! [`Currency`]: crate::shared::Currency
//! [`Money`]: crate::shared::Money
//! [`Money::to_minor`]: crate::shared::Money::to_minor
//! [`Money::exact`]: crate::shared::Money::exact

mod ports;
pub use ports::{AutopayStore, InvoiceStore, LedgerStore, PaymentMethodStore, PaymentStore};
#[cfg(any(test, feature = "mocks"))]
pub use ports::{
    MockAutopayStore, MockInvoiceStore, MockLedgerStore, MockPaymentMethodStore, MockPaymentStore,
};

mod allocation;
mod errors;
mod service;
pub use service::{
    AutopayRun, AutopayStatus, BillingService, InvoiceDocument, InvoiceList, MAX_PAYABLE_INVOICES,
    MAX_PAYMENT_METHODS, PaymentOptions, PaymentPreview, PaymentReview,
};
mod gateway;
mod invoice;
pub mod payment;
mod statement;

pub use allocation::{
    AllocationPlan, CreditSplit, PayableInvoice, allocate_oldest_first, allocate_selection,
    split_credit,
};
pub use errors::BillingConflict;
#[cfg(any(test, feature = "mocks"))]
pub use gateway::MockPaymentGateway;
pub use gateway::{
    ChargeOutcome, ChargeRequest, GatewayError, GatewayEvent, PaymentGateway, SavedMethod,
    WEBHOOK_TOLERANCE_SECONDS, WebhookError, sign_webhook, verify_webhook_signature,
};
pub use invoice::{
    AppliedPayment, Invoice, InvoiceDetail, InvoiceLine, InvoiceQuery, InvoiceSort, InvoiceStatus,
    InvoiceStatusFilter, InvoiceTotals, InvoiceUpsert, MAX_INVOICE_LINES, MAX_INVOICE_PDF_BYTES,
};
pub use payment::{
    AccountSummary, Allocation, AutopayConsent, CardToken, ExternalPayment, IdempotencyKey,
    MethodChoice, PayRequest, Payment, PaymentDetail, PaymentFailure, PaymentIntent, PaymentKind,
    PaymentMethod, PaymentSource, PaymentStart, PaymentStatus, Settlement,
};
pub use statement::{
    Aging, EntryKind, LedgerEntry, MAX_STATEMENT_DAYS, Statement, StatementLine, StatementParts,
    StatementRange,
};
