//! Billing rows and their conversion into core's models. Money comes back
//! as whole minor units (`*_minor`, `BIGINT`/`INTEGER`) and becomes a
//! `Decimal` through the row's currency ([`Currency::from_minor`]); line
//! quantities, prices and rates come back as the decimal text they were
//! stored as.

use std::str::FromStr;

use chrono::NaiveDate;
use portal_core::billing::{
    AccountSummary, Allocation, AppliedPayment, AutopayConsent, Invoice, InvoiceLine,
    InvoiceStatus, Payment, PaymentDetail, PaymentFailure, PaymentKind, PaymentMethod,
    PaymentSource, PaymentStatus,
};
use portal_core::ports::StoreError;
use portal_core::shared::{
    AccountId, AutopayId, ContactId, Currency, ExternalId, InvoiceId, Money, PaymentId,
    PaymentMethodId,
};
use rust_decimal::Decimal;
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, optional, stored};
use crate::error::backend;

/// A stored currency code.
pub(crate) fn currency(text: &str) -> Result<Currency, StoreError> {
    stored("currency", Currency::parse(text))
}

/// `amount` in whole minor units of `currency`; an amount with more
/// decimals than the currency has cannot be stored exactly, so it is
/// refused (core rounds before it gets here).
pub(crate) fn to_minor(currency: Currency, amount: Decimal) -> Result<i64, StoreError> {
    currency.to_minor(amount).ok_or_else(|| {
        StoreError::Conflict(
            portal_core::billing::BillingConflict::AmountNotInMinorUnits { amount, currency }
                .into(),
        )
    })
}

fn parsed<T>(what: &str, text: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| backend(format!("stored {what} is unknown: {text}")))
}

fn decimal(what: &str, text: &str) -> Result<Decimal, StoreError> {
    stored(what, Decimal::from_str(text))
}

/// An invoice, selected with the columns `invoice_sql!` lists.
#[derive(FromRow)]
pub(crate) struct InvoiceRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    number: String,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    currency: String,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    paid_minor: i64,
    pending_minor: i64,
    status: String,
    has_host_pdf: bool,
    memo: Option<String>,
    voided_at: Option<Timestamp>,
}

impl TryFrom<InvoiceRow> for Invoice {
    type Error = StoreError;
    fn try_from(row: InvoiceRow) -> Result<Self, StoreError> {
        let currency = currency(&row.currency)?;
        Ok(Invoice {
            id: InvoiceId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            issued_on: row.issued_on,
            due_on: row.due_on,
            subtotal: Money::from_minor(row.subtotal_minor, currency),
            tax: Money::from_minor(row.tax_minor, currency),
            total: Money::from_minor(row.total_minor, currency),
            amount_paid: Money::from_minor(row.paid_minor, currency),
            amount_pending: Money::from_minor(row.pending_minor, currency),
            status: parsed("invoice status", &row.status, InvoiceStatus::parse)?,
            has_host_pdf: row.has_host_pdf,
            memo: row.memo,
            voided_at: row.voided_at.map(|at| at.0),
        })
    }
}

/// Converts a batch of invoice rows.
pub(crate) fn invoices(rows: Vec<InvoiceRow>) -> Result<Vec<Invoice>, StoreError> {
    rows.into_iter().map(Invoice::try_from).collect()
}

/// One line of an invoice.
#[derive(FromRow)]
pub(crate) struct LineRow {
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
}

impl TryFrom<LineRow> for InvoiceLine {
    type Error = StoreError;
    fn try_from(row: LineRow) -> Result<Self, StoreError> {
        Ok(InvoiceLine {
            description: row.description,
            quantity: decimal("quantity", &row.quantity)?,
            unit_price: decimal("unit_price", &row.unit_price)?,
            tax_rate: decimal("tax_rate", &row.tax_rate)?,
        })
    }
}

/// A payment's or credit's share of an invoice, as the invoice shows it.
#[derive(FromRow)]
pub(crate) struct AppliedRow {
    payment_id: Uuid,
    kind: String,
    applied_at: Timestamp,
    amount_minor: i64,
    method_label: Option<String>,
    currency: String,
}

impl TryFrom<AppliedRow> for AppliedPayment {
    type Error = StoreError;
    fn try_from(row: AppliedRow) -> Result<Self, StoreError> {
        Ok(AppliedPayment {
            payment: PaymentId::from_uuid(row.payment_id),
            kind: parsed("payment kind", &row.kind, PaymentKind::parse)?,
            applied_at: row.applied_at.0,
            amount: Money::from_minor(row.amount_minor, currency(&row.currency)?),
            method_label: row.method_label,
        })
    }
}

/// A payment or credit, selected with the columns `payment_sql!` lists.
#[derive(FromRow)]
pub(crate) struct PaymentRow {
    id: Uuid,
    account_id: Uuid,
    kind: String,
    source: String,
    status: String,
    currency: String,
    amount_minor: i64,
    applied_minor: i64,
    method_label: Option<String>,
    gateway_reference: Option<String>,
    failure_reason: Option<String>,
    failure_message: Option<String>,
    external_id: Option<String>,
    /// What the request that started it asked (portal payments only).
    pub(crate) fingerprint: Option<String>,
    contact_id: Option<Uuid>,
    memo: Option<String>,
    received_at: Timestamp,
}

impl PaymentRow {
    /// The payment's id.
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }
}

impl TryFrom<PaymentRow> for Payment {
    type Error = StoreError;
    fn try_from(row: PaymentRow) -> Result<Self, StoreError> {
        let currency = currency(&row.currency)?;
        Ok(Payment {
            id: PaymentId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            kind: parsed("payment kind", &row.kind, PaymentKind::parse)?,
            source: parsed("payment source", &row.source, PaymentSource::parse)?,
            status: parsed("payment status", &row.status, PaymentStatus::parse)?,
            amount: Money::from_minor(row.amount_minor, currency),
            applied: Money::from_minor(row.applied_minor, currency),
            method_label: row.method_label,
            gateway_reference: row.gateway_reference,
            failure: row
                .failure_reason
                .map(|code| PaymentFailure::from_stored(&code, row.failure_message)),
            external_id: optional("external_id", row.external_id, ExternalId::parse)?,
            contact: row.contact_id.map(ContactId::from_uuid),
            memo: row.memo,
            received_at: row.received_at.0,
        })
    }
}

/// A payment as its settling update returns it, with how many invoices it
/// held on (which the invoices' update must all change).
#[derive(FromRow)]
pub(crate) struct SettledRow {
    #[sqlx(flatten)]
    pub(crate) payment: PaymentRow,
    pub(crate) held_invoices: i64,
    /// Rows of account credit applied with it (given back on failure).
    pub(crate) credit_rows: i64,
}

/// A payment's share of one invoice (its allocation rows summed per
/// invoice).
#[derive(FromRow)]
pub(crate) struct AllocationRow {
    payment_id: Uuid,
    /// The payment this credit was applied with, for credit used in one.
    for_payment: Option<Uuid>,
    invoice_id: Uuid,
    invoice_number: String,
    amount_minor: i64,
}

/// Payments with their allocations: `allocations` may hold rows of any of
/// `payments`, in display order; each payment gets its own.
pub(crate) fn payment_details(
    payments: Vec<PaymentRow>,
    allocations: Vec<AllocationRow>,
) -> Result<Vec<PaymentDetail>, StoreError> {
    payments
        .into_iter()
        .map(|row| {
            let id = row.id;
            let payment = Payment::try_from(row)?;
            let currency = payment.amount.currency();
            let of = |rows: &mut dyn Iterator<Item = &AllocationRow>| {
                // A credit applied on its own and with a payment has two
                // rows for one invoice (adjacent: rows come by invoice).
                let mut merged: Vec<Allocation> = Vec::new();
                for row in rows {
                    let amount = Money::from_minor(row.amount_minor, currency);
                    match merged.last_mut() {
                        Some(last) if last.invoice.as_uuid() == row.invoice_id => {
                            last.amount =
                                Money::new(last.amount.amount() + amount.amount(), currency);
                        }
                        _ => merged.push(Allocation {
                            invoice: InvoiceId::from_uuid(row.invoice_id),
                            invoice_number: row.invoice_number.clone(),
                            amount,
                        }),
                    }
                }
                merged
            };
            Ok(PaymentDetail {
                allocations: of(&mut allocations.iter().filter(|row| row.payment_id == id)),
                credit: of(&mut allocations.iter().filter(|row| row.for_payment == Some(id))),
                payment,
            })
        })
        .collect()
}

/// A payment's or credit's unapplied part, a source of account credit.
#[derive(FromRow)]
pub(crate) struct CreditRow {
    pub(crate) id: Uuid,
    pub(crate) unapplied_minor: i64,
    pub(crate) received_at: Timestamp,
}

/// The account summary's sums (`summary_columns!`), NULL where the
/// dashboard did not select them.
#[derive(FromRow)]
pub(crate) struct SummaryRow {
    pub(crate) owed_minor: Option<i64>,
    pub(crate) processing_minor: Option<i64>,
    pub(crate) past_due_minor: Option<i64>,
    pub(crate) unpaid_count: Option<i64>,
    pub(crate) credit_minor: Option<i64>,
    pub(crate) last_payment_minor: Option<i64>,
    pub(crate) last_payment_at: Option<Timestamp>,
}

impl SummaryRow {
    /// The summary in `currency`; `None` when the sums were not selected.
    pub(crate) fn into_summary(self, currency: Currency) -> Option<AccountSummary> {
        let owed = self.owed_minor?;
        let credit = self.credit_minor?;
        Some(AccountSummary {
            current_balance: Money::new(
                currency.from_minor(owed) - currency.from_minor(credit),
                currency,
            ),
            past_due: Money::from_minor(self.past_due_minor?, currency),
            credit: Money::from_minor(credit, currency),
            processing: Money::from_minor(self.processing_minor?, currency),
            unpaid_invoices: u64::try_from(self.unpaid_count?).unwrap_or(0),
            last_payment: self
                .last_payment_minor
                .zip(self.last_payment_at)
                .map(|(amount, at)| (Money::from_minor(amount, currency), at.0)),
        })
    }
}

/// A charge or a payment in a statement's range, before it is dated.
#[derive(FromRow)]
pub(crate) struct ChargeRow {
    pub(crate) id: Uuid,
    pub(crate) number: String,
    pub(crate) issued_on: NaiveDate,
    pub(crate) total_minor: i64,
}

/// A payment or credit received in a statement's range.
#[derive(FromRow)]
pub(crate) struct ReceiptRow {
    pub(crate) id: Uuid,
    pub(crate) kind: String,
    pub(crate) method_label: Option<String>,
    pub(crate) amount_minor: i64,
    pub(crate) received_at: Timestamp,
}

impl ReceiptRow {
    /// Payment or credit.
    pub(crate) fn kind(&self) -> Result<PaymentKind, StoreError> {
        parsed("payment kind", &self.kind, PaymentKind::parse)
    }
}

/// A card or bank account on file.
#[derive(FromRow)]
pub(crate) struct MethodRow {
    id: Uuid,
    account_id: Uuid,
    gateway_token: String,
    brand: String,
    last4: String,
    exp_month: Option<i32>,
    exp_year: Option<i32>,
    is_default: bool,
    added_by: Option<Uuid>,
    added_at: Timestamp,
}

impl TryFrom<MethodRow> for PaymentMethod {
    type Error = StoreError;
    fn try_from(row: MethodRow) -> Result<Self, StoreError> {
        Ok(PaymentMethod {
            id: PaymentMethodId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            gateway_token: portal_core::billing::CardToken::new(row.gateway_token),
            brand: row.brand,
            last4: row.last4,
            exp_month: row
                .exp_month
                .map(|month| stored("exp_month", u8::try_from(month)))
                .transpose()?,
            exp_year: row
                .exp_year
                .map(|year| stored("exp_year", u16::try_from(year)))
                .transpose()?,
            is_default: row.is_default,
            added_by: row.added_by.map(ContactId::from_uuid),
            added_at: row.added_at.0,
        })
    }
}

/// An autopay consent.
#[derive(FromRow)]
pub(crate) struct ConsentRow {
    id: Uuid,
    account_id: Uuid,
    method_id: Uuid,
    contact_id: Uuid,
    terms: String,
    consented_at: Timestamp,
    withdrawn_at: Option<Timestamp>,
    withdrawn_by: Option<Uuid>,
}

impl From<ConsentRow> for AutopayConsent {
    fn from(row: ConsentRow) -> Self {
        AutopayConsent {
            id: AutopayId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            method: PaymentMethodId::from_uuid(row.method_id),
            contact: ContactId::from_uuid(row.contact_id),
            terms: row.terms,
            consented_at: row.consented_at.0,
            withdrawn_at: row.withdrawn_at.map(|at| at.0),
            withdrawn_by: row.withdrawn_by.map(ContactId::from_uuid),
        }
    }
}
