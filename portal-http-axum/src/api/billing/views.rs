//! The JSON shapes of billing: what the core's types look like on the
//! wire. Money is always a decimal string rounded to the currency's minor
//! unit (`"120.50"`) next to a `currency` field, never a JSON number, so
//! no client parses it into a float by accident.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use portal_core::billing::PaymentReview;
use portal_core::billing::{
    AccountSummary, Allocation, AllocationPlan, AppliedPayment, AutopayConsent, Invoice,
    InvoiceDetail, InvoiceLine, PaymentDetail, PaymentMethod, Statement, StatementLine,
};
use portal_core::shared::{Currency, Money, Page};
use portal_core::{AutopayStatus, InvoiceList, PaymentPreview};

/// [`Money`] as the API writes it: its amount, rounded by the core's one
/// rule when it was made, with the currency's minor-unit decimals
/// (`"120.50"`, `"1200"` for JPY), without the currency (a field of its
/// own).
pub fn money(amount: Money) -> String {
    amount.amount().to_string()
}

/// The active account's money at a glance.
#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// What unpaid invoices owe less account credit; negative in credit.
    #[schema(example = "120.50")]
    pub current_balance: String,
    /// What unpaid invoices past their due date owe.
    #[schema(example = "0.00")]
    pub past_due: String,
    /// Unapplied payments and credits.
    #[schema(example = "0.00")]
    pub credit: String,
    /// Held by payments still being processed (part of the balance; not
    /// to be paid again).
    #[schema(example = "0.00")]
    pub processing: String,
    /// How many invoices are unpaid.
    pub unpaid_invoices: u64,
    /// The last successful payment.
    pub last_payment: Option<LastPaymentView>,
}

/// The last successful payment.
#[derive(Serialize, ToSchema)]
pub struct LastPaymentView {
    /// How much.
    #[schema(example = "80.00")]
    pub amount: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<&AccountSummary> for SummaryView {
    fn from(summary: &AccountSummary) -> Self {
        Self {
            currency: summary.currency().to_string(),
            current_balance: money(summary.current_balance),
            past_due: money(summary.past_due),
            credit: money(summary.credit),
            processing: money(summary.processing),
            unpaid_invoices: summary.unpaid_invoices,
            last_payment: summary.last_payment.map(|(amount, at)| LastPaymentView {
                amount: money(amount),
                at,
            }),
        }
    }
}

/// An invoice as lists show it.
#[derive(Serialize, ToSchema)]
pub struct InvoiceView {
    /// Id.
    #[schema(value_type = crate::api::wire::Id)]
    pub id: String,
    /// Number printed on it.
    #[schema(example = "INV-1042")]
    pub number: String,
    /// `open`, `partially_paid`, `paid` or `void`.
    #[schema(example = "open")]
    pub status: String,
    /// Unpaid and past its due date (judged in the business's time zone).
    pub is_overdue: bool,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// Before tax.
    #[schema(example = "120.00")]
    pub subtotal: String,
    /// Tax.
    #[schema(example = "9.90")]
    pub tax: String,
    /// Subtotal plus tax.
    #[schema(example = "129.90")]
    pub total: String,
    /// Payments and credits applied to it.
    #[schema(example = "0.00")]
    pub amount_paid: String,
    /// Held by payments still being processed.
    #[schema(example = "0.00")]
    pub amount_pending: String,
    /// What is still owed.
    #[schema(example = "129.90")]
    pub balance: String,
    /// What may be paid now: the balance less what pending payments hold.
    #[schema(example = "129.90")]
    pub payable: String,
    /// The business's note.
    pub memo: Option<String>,
}

impl InvoiceView {
    /// The view of `invoice` as of `today`.
    pub fn of(invoice: &Invoice, today: NaiveDate) -> Self {
        Self {
            id: invoice.id.to_string(),
            number: invoice.number.clone(),
            status: invoice.status.as_str().to_owned(),
            is_overdue: invoice.is_overdue(today),
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
            currency: invoice.currency().to_string(),
            subtotal: money(invoice.subtotal),
            tax: money(invoice.tax),
            total: money(invoice.total),
            amount_paid: money(invoice.amount_paid),
            amount_pending: money(invoice.amount_pending),
            balance: money(invoice.balance()),
            payable: money(invoice.payable()),
            memo: invoice.memo.clone(),
        }
    }
}

/// One page of invoices.
#[derive(Serialize, ToSchema)]
pub struct InvoicePageView {
    /// The invoices on this page.
    pub items: Vec<InvoiceView>,
    /// Invoices matching the filters, on all pages.
    pub total: u64,
    /// This page (from 1).
    pub page: u32,
    /// Page size used.
    pub per_page: u32,
}

impl From<&InvoiceList> for InvoicePageView {
    fn from(list: &InvoiceList) -> Self {
        let page = &list.invoices;
        Self {
            items: page
                .items
                .iter()
                .map(|invoice| InvoiceView::of(invoice, list.today))
                .collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// A line of an invoice.
#[derive(Serialize, ToSchema)]
pub struct InvoiceLineView {
    /// What was sold or done.
    pub description: String,
    /// How many (a decimal string; may have decimals).
    #[schema(example = "1.5")]
    pub quantity: String,
    /// Price of one, before tax.
    #[schema(example = "33.33")]
    pub unit_price: String,
    /// Tax in percent.
    #[schema(example = "8.25")]
    pub tax_rate: String,
    /// Quantity x unit price, rounded.
    #[schema(example = "50.00")]
    pub amount: String,
    /// The line's tax, rounded.
    #[schema(example = "4.13")]
    pub tax: String,
}

impl InvoiceLineView {
    fn of(line: &InvoiceLine, c: Currency) -> Self {
        Self {
            description: line.description.clone(),
            quantity: line.quantity.normalize().to_string(),
            unit_price: line.unit_price.normalize().to_string(),
            tax_rate: line.tax_rate.normalize().to_string(),
            amount: money(line.amount(c)),
            tax: money(line.tax(c)),
        }
    }
}

/// A payment's or credit's share of an invoice.
#[derive(Serialize, ToSchema)]
pub struct AppliedView {
    /// The payment or credit (`GET /payments/{id}`).
    #[schema(value_type = crate::api::wire::Id)]
    pub payment_id: String,
    /// `payment` or `credit`.
    pub kind: String,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
    /// How much went to this invoice.
    #[schema(example = "50.00")]
    pub amount: String,
    /// How it was paid.
    pub method_label: Option<String>,
}

impl AppliedView {
    fn of(applied: &AppliedPayment) -> Self {
        Self {
            payment_id: applied.payment.to_string(),
            kind: applied.kind.as_str().to_owned(),
            applied_at: applied.applied_at,
            amount: money(applied.amount),
            method_label: applied.method_label.clone(),
        }
    }
}

/// An invoice with its lines and what was applied to it.
#[derive(Serialize, ToSchema)]
pub struct InvoiceDetailView {
    /// The invoice.
    #[serde(flatten)]
    pub invoice: InvoiceView,
    /// Its lines, in the business's order.
    pub lines: Vec<InvoiceLineView>,
    /// Payments and credits applied to it, oldest first.
    pub applied: Vec<AppliedView>,
}

impl InvoiceDetailView {
    /// The view of `detail` as of `today`.
    pub fn of(detail: &InvoiceDetail, today: NaiveDate) -> Self {
        let c = detail.invoice.currency();
        Self {
            invoice: InvoiceView::of(&detail.invoice, today),
            lines: detail
                .lines
                .iter()
                .map(|line| InvoiceLineView::of(line, c))
                .collect(),
            applied: detail.applied.iter().map(AppliedView::of).collect(),
        }
    }
}

/// A share of a payment for one invoice.
#[derive(Serialize, ToSchema)]
pub struct AllocationView {
    /// The invoice.
    #[schema(value_type = crate::api::wire::Id)]
    pub invoice_id: String,
    /// Its number.
    #[schema(example = "INV-1042")]
    pub invoice_number: String,
    /// How much.
    #[schema(example = "129.90")]
    pub amount: String,
}

impl AllocationView {
    fn of(allocation: &Allocation) -> Self {
        Self {
            invoice_id: allocation.invoice.to_string(),
            invoice_number: allocation.invoice_number.clone(),
            amount: money(allocation.amount),
        }
    }
}

fn allocations(list: &[Allocation]) -> Vec<AllocationView> {
    list.iter().map(AllocationView::of).collect()
}

/// A payment or credit, with the invoices it pays.
#[derive(Serialize, ToSchema)]
pub struct PaymentView {
    /// Id.
    #[schema(value_type = crate::api::wire::Id)]
    pub id: String,
    /// `payment` or `credit`.
    #[schema(example = "payment")]
    pub kind: String,
    /// `portal`, `host` (taken by the business) or `autopay`.
    #[schema(example = "portal")]
    pub source: String,
    /// `succeeded`, `failed` (nothing charged or applied) or `pending`
    /// (the provider's answer is not known yet; its invoices are held).
    #[schema(example = "succeeded")]
    pub status: String,
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// How much.
    #[schema(example = "129.90")]
    pub amount: String,
    /// How much is applied to invoices.
    #[schema(example = "129.90")]
    pub applied: String,
    /// What became account credit.
    #[schema(example = "0.00")]
    pub unapplied: String,
    /// How it was paid ("Visa ending 4242").
    pub method_label: Option<String>,
    /// The payment provider's reference.
    pub reference: Option<String>,
    /// Why it failed, as a code: `declined`, `method_refused`,
    /// `provider_failed` or `abandoned`.
    pub failure_reason: Option<String>,
    /// Why it failed, in words for the customer.
    pub failure_message: Option<String>,
    /// A note.
    pub memo: Option<String>,
    /// When it was received (or attempted).
    pub received_at: DateTime<Utc>,
    /// Its share of each invoice (while pending: what it will pay).
    pub allocations: Vec<AllocationView>,
    /// Account credit applied together with it, per invoice (empty when
    /// none was, or it failed and the credit was given back).
    pub credit: Vec<AllocationView>,
}

impl From<&PaymentDetail> for PaymentView {
    fn from(detail: &PaymentDetail) -> Self {
        let p = &detail.payment;
        let c = p.amount.currency();
        Self {
            id: p.id.to_string(),
            kind: p.kind.as_str().to_owned(),
            source: p.source.as_str().to_owned(),
            status: p.status.as_str().to_owned(),
            currency: c.to_string(),
            amount: money(p.amount),
            applied: money(p.applied),
            unapplied: money(p.unapplied()),
            method_label: p.method_label.clone(),
            reference: p.gateway_reference.clone(),
            failure_reason: p.failure.as_ref().map(|f| f.code().to_owned()),
            failure_message: p
                .failure
                .as_ref()
                .map(|failure| crate::messages::payment_failure(crate::messages::api(), failure)),
            memo: p.memo.clone(),
            received_at: p.received_at,
            allocations: allocations(&detail.allocations),
            credit: allocations(&detail.credit),
        }
    }
}

/// One page of payments and credits, newest first.
#[derive(Serialize, ToSchema)]
pub struct PaymentPageView {
    /// The payments on this page.
    pub items: Vec<PaymentView>,
    /// Payments on all pages.
    pub total: u64,
    /// This page (from 1).
    pub page: u32,
    /// Page size used.
    pub per_page: u32,
}

impl From<&Page<PaymentDetail>> for PaymentPageView {
    fn from(page: &Page<PaymentDetail>) -> Self {
        Self {
            items: page.items.iter().map(PaymentView::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// How an amount would pay the unpaid invoices, oldest first.
#[derive(Serialize, ToSchema)]
pub struct PreviewView {
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// The amount charged to the card.
    #[schema(example = "150.00")]
    pub amount: String,
    /// Each invoice's whole share (credit and card), oldest due first.
    pub allocations: Vec<AllocationView>,
    /// What no invoice takes: account credit (only where the business
    /// takes prepayments).
    #[schema(example = "0.00")]
    pub unallocated: String,
    /// The credit paying part of the shares (with `use_credit`).
    pub credit: Vec<AllocationView>,
    /// The account's credit available to use.
    #[schema(example = "25.00")]
    pub credit_available: String,
    /// The account's balance once paid (negative: in credit).
    #[schema(example = "0.00")]
    pub balance_after: String,
}

impl From<&PaymentPreview> for PreviewView {
    fn from(preview: &PaymentPreview) -> Self {
        let c = preview.amount.currency();
        let AllocationPlan {
            allocations: plan,
            unallocated,
        } = &preview.plan;
        Self {
            currency: c.to_string(),
            amount: money(preview.amount),
            allocations: allocations(plan),
            unallocated: money(*unallocated),
            credit: allocations(&preview.credit),
            credit_available: money(preview.credit_available),
            balance_after: money(preview.balance_after),
        }
    }
}

/// What a payment would do, before it is made.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// Each chosen invoice's whole share (credit and card).
    pub allocations: Vec<AllocationView>,
    /// What account credit pays of those shares.
    pub credit: Vec<AllocationView>,
    /// The credit used, in all.
    #[schema(example = "25.00")]
    pub credit_used: String,
    /// The account's credit available to use.
    #[schema(example = "25.00")]
    pub credit_available: String,
    /// What becomes account credit.
    #[schema(example = "0.00")]
    pub prepayment: String,
    /// What the card is charged; `"0.00"` when credit pays everything.
    #[schema(example = "243.28")]
    pub amount: String,
    /// The card on file charged, or none for a new card.
    pub saved_method: Option<String>,
    /// The account's balance once paid (negative: in credit).
    #[schema(example = "0.00")]
    pub balance_after: String,
}

impl From<&PaymentReview> for ReviewView {
    fn from(review: &PaymentReview) -> Self {
        Self {
            currency: review.amount.currency().to_string(),
            allocations: allocations(&review.allocations),
            credit: allocations(&review.credit),
            credit_used: money(review.credit_used()),
            credit_available: money(review.credit_available),
            prepayment: money(review.prepayment),
            amount: money(review.amount),
            saved_method: review.saved_method.as_ref().map(PaymentMethod::label),
            balance_after: money(review.balance_after),
        }
    }
}

/// A line of a statement, with the running balance after it.
#[derive(Serialize, ToSchema)]
pub struct StatementLineView {
    /// The day it counts on.
    pub date: NaiveDate,
    /// `charge`, `payment` or `credit`.
    #[schema(example = "charge")]
    pub kind: String,
    /// The invoice number, or how the payment was made.
    pub reference: String,
    /// How much; always positive, `kind` gives the direction.
    #[schema(example = "129.90")]
    pub amount: String,
    /// The balance after it.
    #[schema(example = "129.90")]
    pub balance: String,
    /// The invoice, for a charge.
    #[schema(value_type = Option<crate::api::wire::Id>)]
    pub invoice_id: Option<String>,
    /// The payment, for a payment or credit.
    #[schema(value_type = Option<crate::api::wire::Id>)]
    pub payment_id: Option<String>,
}

impl StatementLineView {
    fn of(line: &StatementLine) -> Self {
        let entry = &line.entry;
        let kind = match entry.kind {
            portal_core::billing::EntryKind::Charge => "charge",
            portal_core::billing::EntryKind::Payment => "payment",
            portal_core::billing::EntryKind::Credit => "credit",
        };
        Self {
            date: entry.date,
            kind: kind.to_owned(),
            reference: entry.reference.clone(),
            amount: money(entry.amount),
            balance: money(line.balance),
            invoice_id: entry.invoice.map(|id| id.to_string()),
            payment_id: entry.payment.map(|id| id.to_string()),
        }
    }
}

/// What unpaid invoices owed at the statement's end, by days past due.
#[derive(Serialize, ToSchema)]
pub struct AgingView {
    /// Not yet due.
    pub current: String,
    /// 1 to 30 days past due.
    pub days_1_30: String,
    /// 31 to 60 days.
    pub days_31_60: String,
    /// 61 to 90 days.
    pub days_61_90: String,
    /// More than 90 days.
    pub over_90: String,
}

/// A statement: the account's ledger over a date range.
#[derive(Serialize, ToSchema)]
pub struct StatementView {
    /// First day (included).
    pub from: NaiveDate,
    /// Last day (included).
    pub to: NaiveDate,
    /// ISO 4217 code of every amount here.
    #[schema(example = "USD")]
    pub currency: String,
    /// The balance before the first day.
    pub opening_balance: String,
    /// Invoices issued in the range.
    pub charges: String,
    /// Payments received in the range.
    pub payments: String,
    /// Credits granted in the range.
    pub credits: String,
    /// Opening + charges - payments - credits.
    pub closing_balance: String,
    /// The entries with running balances.
    pub lines: Vec<StatementLineView>,
    /// What was owed at the end, by age.
    pub aging: AgingView,
    /// Account credit at the end.
    pub unapplied_credit: String,
}

impl From<&Statement> for StatementView {
    fn from(statement: &Statement) -> Self {
        let aging = &statement.aging;
        Self {
            from: statement.range.from,
            to: statement.range.to,
            currency: statement.currency().to_string(),
            opening_balance: money(statement.opening_balance),
            charges: money(statement.charges),
            payments: money(statement.payments),
            credits: money(statement.credits),
            closing_balance: money(statement.closing_balance),
            lines: statement.lines.iter().map(StatementLineView::of).collect(),
            aging: AgingView {
                current: money(aging.current),
                days_1_30: money(aging.days_1_30),
                days_31_60: money(aging.days_31_60),
                days_61_90: money(aging.days_61_90),
                over_90: money(aging.over_90),
            },
            unapplied_credit: money(statement.unapplied_credit),
        }
    }
}

/// A card on file. Never a card number: the brand and last four digits.
#[derive(Serialize, ToSchema)]
pub struct PaymentMethodView {
    /// Id.
    #[schema(value_type = crate::api::wire::Id)]
    pub id: String,
    /// "Visa", "Mastercard", "Bank account".
    #[schema(example = "Visa")]
    pub brand: String,
    /// Last four digits.
    #[schema(example = "4242")]
    pub last4: String,
    /// "Visa ending 4242".
    pub label: String,
    /// Expiry month (1-12), for cards.
    pub exp_month: Option<u8>,
    /// Expiry year, for cards.
    pub exp_year: Option<u16>,
    /// Whether payments use it unless told otherwise.
    pub is_default: bool,
    /// When it was added.
    pub added_at: DateTime<Utc>,
}

impl From<&PaymentMethod> for PaymentMethodView {
    fn from(method: &PaymentMethod) -> Self {
        Self {
            id: method.id.to_string(),
            brand: method.brand.clone(),
            last4: method.last4.clone(),
            label: method.label(),
            exp_month: method.exp_month,
            exp_year: method.exp_year,
            is_default: method.is_default,
            added_at: method.added_at,
        }
    }
}

/// An autopay consent as it was given.
#[derive(Serialize, ToSchema)]
pub struct AutopayConsentView {
    /// Id.
    #[schema(value_type = crate::api::wire::Id)]
    pub id: String,
    /// The card on file autopay charges.
    #[schema(value_type = crate::api::wire::Id)]
    pub method_id: String,
    /// Who consented.
    #[schema(value_type = crate::api::wire::Id)]
    pub contact_id: String,
    /// The terms agreed to, word for word.
    pub terms: String,
    /// When.
    pub consented_at: DateTime<Utc>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<&AutopayConsent> for AutopayConsentView {
    fn from(consent: &AutopayConsent) -> Self {
        Self {
            id: consent.id.to_string(),
            method_id: consent.method.to_string(),
            contact_id: consent.contact.to_string(),
            terms: consent.terms.clone(),
            consented_at: consent.consented_at,
            withdrawn_at: consent.withdrawn_at,
        }
    }
}

/// Autopay: the active consent, and the terms a new one agrees to.
#[derive(Serialize, ToSchema)]
pub struct AutopayView {
    /// The active consent; `null` when not enrolled.
    pub consent: Option<AutopayConsentView>,
    /// The business's current terms.
    pub terms: String,
    /// Quote it in `PUT /autopay`: a consent is always to the words shown.
    pub terms_digest: String,
    /// Cards on file autopay can use.
    pub methods: Vec<PaymentMethodView>,
}

impl From<&AutopayStatus> for AutopayView {
    fn from(status: &AutopayStatus) -> Self {
        Self {
            consent: status.consent.as_ref().map(AutopayConsentView::from),
            terms: status.terms.clone(),
            terms_digest: status.terms_digest.clone(),
            methods: status.methods.iter().map(PaymentMethodView::from).collect(),
        }
    }
}
