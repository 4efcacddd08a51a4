//! Invoices: the host's lines, the totals computed from them by one rule,
//! and the status that payments move.
//!
//! The totals rule: each line's amount is `quantity x unit price` rounded
//! to the currency's minor unit, and its tax is `amount x tax rate / 100`
//! rounded the same way ([`Currency::round`], half away from zero). The
//! invoice's subtotal and tax are the sums of the rounded line values, and
//! its total is subtotal + tax. Rounding per line is what printed invoices
//! show, so the portal's totals match the host's paper.

use crate::shared::{Reason, Shape};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;
use crate::shared::{AccountId, AtLeast, Currency, ExternalId, InvoiceId, Money, PaymentId};

/// The most lines one invoice may have.
pub const MAX_INVOICE_LINES: usize = 500;

/// The largest host PDF the portal stores (10 MiB).
pub const MAX_INVOICE_PDF_BYTES: usize = 10 * 1024 * 1024;

/// One line of an invoice as the host sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// What was sold or done.
    pub description: String,
    /// How many; may have decimals (hours, litres). Negative for a
    /// discount line.
    pub quantity: Decimal,
    /// Price of one, before tax.
    pub unit_price: Decimal,
    /// Tax in percent (`8.25` is 8.25 %), 0 to 100.
    pub tax_rate: Decimal,
}

impl InvoiceLine {
    /// The line's amount before tax, rounded.
    ///
    /// ```
    /// use portal_core::billing::InvoiceLine;
    /// use portal_core::shared::Currency;
    /// use rust_decimal::Decimal;
    /// let line = InvoiceLine {
    ///     description: "Labour".into(),
    ///     quantity: Decimal::new(15, 1),       // 1.5 hours
    ///     unit_price: Decimal::new(3333, 2),   // 33.33
    ///     tax_rate: Decimal::new(825, 2),      // 8.25 %
    /// };
    /// assert_eq!(line.amount(Currency::USD).amount(), Decimal::new(5000, 2)); // 49.995 -> 50.00
    /// assert_eq!(line.tax(Currency::USD).amount(), Decimal::new(413, 2));     // 4.125 -> 4.13
    /// ```
    pub fn amount(&self, currency: Currency) -> Money {
        Money::new(self.quantity * self.unit_price, currency)
    }

    /// The line's tax, rounded.
    pub fn tax(&self, currency: Currency) -> Money {
        Money::new(
            self.amount(currency).amount() * self.tax_rate / Decimal::ONE_HUNDRED,
            currency,
        )
    }

    pub(crate) fn validate(&self) -> Result<(), PortalError> {
        if self.description.trim().is_empty() || self.description.chars().count() > 500 {
            return Err(PortalError::invalid(
                "description",
                Reason::Length { min: 1, max: 500 },
            ));
        }
        if !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&self.tax_rate) {
            return Err(PortalError::invalid("tax_rate", Reason::Percent));
        }
        let limit = Decimal::new(1_000_000_000, 0);
        if self.quantity.abs() > limit || self.unit_price.abs() > limit {
            return Err(PortalError::invalid("lines", Reason::TooLarge));
        }
        Ok(())
    }
}

/// An invoice's subtotal, tax and total by the rule in the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceTotals {
    /// Sum of the rounded line amounts.
    pub subtotal: Money,
    /// Sum of the rounded line taxes.
    pub tax: Money,
    /// Subtotal plus tax.
    pub total: Money,
}

impl InvoiceTotals {
    /// The totals of `lines` in `currency`.
    ///
    /// ```
    /// use portal_core::billing::{InvoiceLine, InvoiceTotals};
    /// use portal_core::shared::Currency;
    /// use rust_decimal::Decimal;
    /// let line = |price| InvoiceLine {
    ///     description: "Visit".into(),
    ///     quantity: Decimal::ONE,
    ///     unit_price: price,
    ///     tax_rate: Decimal::TEN,
    /// };
    /// let totals = InvoiceTotals::of(&[line(Decimal::new(1005, 2)), line(Decimal::new(1005, 2))], Currency::USD);
    /// assert_eq!(totals.subtotal.amount(), Decimal::new(2010, 2));
    /// assert_eq!(totals.tax.amount(), Decimal::new(202, 2)); // 1.005 -> 1.01, twice
    /// assert_eq!(totals.total.to_string(), "22.12 USD");
    /// ```
    pub fn of(lines: &[InvoiceLine], currency: Currency) -> Self {
        // Every part is a rounded amount in `currency`, so the sums are
        // exact and need no second rounding.
        let (subtotal, tax) =
            lines
                .iter()
                .fold((Decimal::ZERO, Decimal::ZERO), |(subtotal, tax), line| {
                    (
                        subtotal + line.amount(currency).amount(),
                        tax + line.tax(currency).amount(),
                    )
                });
        Self {
            subtotal: Money::new(subtotal, currency),
            tax: Money::new(tax, currency),
            total: Money::new(subtotal + tax, currency),
        }
    }
}

/// What the host sends to create or update an invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceUpsert {
    /// The host's id of the invoice; upserts are keyed by it.
    pub external_id: ExternalId,
    /// The account billed.
    pub account: AccountId,
    /// The number printed on it (`INV-1042`).
    pub number: String,
    /// When it was issued.
    pub issued_on: NaiveDate,
    /// When it is due.
    pub due_on: NaiveDate,
    /// Its currency; must be the tenant's.
    pub currency: Currency,
    /// Its lines.
    pub lines: Vec<InvoiceLine>,
    /// A note printed on it.
    pub memo: Option<String>,
    /// The host's own PDF of it, served instead of the portal's rendering.
    pub pdf: Option<Vec<u8>>,
}

impl InvoiceUpsert {
    /// Checks the upsert against the tenant's currency and the line rules;
    /// the totals it will have.
    pub fn validate(&self, tenant_currency: Currency) -> Result<InvoiceTotals, PortalError> {
        let number = self.number.trim();
        if number.is_empty() || number.chars().count() > 64 {
            return Err(PortalError::invalid(
                "number",
                Reason::Length { min: 1, max: 64 },
            ));
        }
        if self.currency != tenant_currency {
            return Err(PortalError::invalid(
                "currency",
                Reason::WrongCurrency {
                    expected: tenant_currency,
                },
            ));
        }
        if self.due_on < self.issued_on {
            return Err(PortalError::invalid("due_on", Reason::BeforeIssueDate));
        }
        if self.lines.is_empty() || self.lines.len() > MAX_INVOICE_LINES {
            return Err(PortalError::invalid(
                "lines",
                Reason::Count {
                    min: 1,
                    max: MAX_INVOICE_LINES,
                },
            ));
        }
        for line in &self.lines {
            line.validate()?;
        }
        if self.memo.as_deref().is_some_and(|memo| memo.len() > 2000) {
            return Err(PortalError::invalid(
                "memo",
                Reason::Length { min: 0, max: 2000 },
            ));
        }
        if let Some(pdf) = &self.pdf {
            if !pdf.starts_with(b"%PDF-") || pdf.len() > MAX_INVOICE_PDF_BYTES {
                return Err(PortalError::invalid("pdf", Reason::Malformed(Shape::Pdf)));
            }
        }
        let totals = InvoiceTotals::of(&self.lines, self.currency);
        let representable = [totals.subtotal, totals.tax, totals.total]
            .iter()
            .all(|amount| amount.to_minor().is_some());
        if !representable {
            return Err(PortalError::invalid("lines", Reason::TooLarge));
        }
        if totals.total.is_negative() {
            return Err(PortalError::invalid("lines", Reason::NegativeTotal));
        }
        Ok(totals)
    }
}

/// Where an invoice stands. Overdue is not a status: it is derived from
/// the due date and today ([`Invoice::is_overdue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Nothing paid yet.
    Open,
    /// Paid in part.
    PartiallyPaid,
    /// Paid in full.
    Paid,
    /// Cancelled by the host; owes nothing.
    Void,
}

impl InvoiceStatus {
    /// The status an invoice of `total` with `paid` applied to it has.
    pub fn from_amounts(total: Decimal, paid: Decimal) -> Self {
        if paid >= total {
            Self::Paid
        } else if paid > Decimal::ZERO {
            Self::PartiallyPaid
        } else {
            Self::Open
        }
    }

    /// How stores and URLs spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    /// The status a store spelled with [`InvoiceStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::PartiallyPaid, Self::Paid, Self::Void]
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// How customers read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Unpaid",
            Self::PartiallyPaid => "Partly paid",
            Self::Paid => "Paid",
            Self::Void => "Void",
        }
    }

    /// Whether money is still owed.
    pub fn is_unpaid(self) -> bool {
        matches!(self, Self::Open | Self::PartiallyPaid)
    }
}

/// An invoice as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// Our id.
    pub id: InvoiceId,
    /// The account billed.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// Its number.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// Before tax, in the invoice's currency (which every amount of it
    /// is in).
    pub subtotal: Money,
    /// Tax.
    pub tax: Money,
    /// What it comes to.
    pub total: Money,
    /// Payments and credits applied to it.
    pub amount_paid: Money,
    /// Held by payments still being processed.
    pub amount_pending: Money,
    /// Its status.
    pub status: InvoiceStatus,
    /// Whether the host gave a PDF of its own.
    pub has_host_pdf: bool,
    /// Printed note.
    pub memo: Option<String>,
    /// When the host voided it.
    pub voided_at: Option<DateTime<Utc>>,
}

impl Invoice {
    /// The invoice's currency: its total's, which all its amounts are in.
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// What is still owed: total less what was applied (zero when void).
    pub fn balance(&self) -> Money {
        if self.status == InvoiceStatus::Void {
            return Money::zero(self.currency());
        }
        Money::new(
            self.total.amount() - self.amount_paid.amount(),
            self.currency(),
        )
    }

    /// What may be paid now: the balance less what pending payments hold.
    pub fn payable(&self) -> Money {
        let payable = self.balance().amount() - self.amount_pending.amount();
        Money::new(payable.max(Decimal::ZERO), self.currency())
    }

    /// Whether it is unpaid and its due date is before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_unpaid() && self.due_on < today
    }
}

/// An invoice with its lines and what was applied to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvoiceDetail {
    /// The invoice.
    pub invoice: Invoice,
    /// Its lines, in the host's order.
    pub lines: Vec<InvoiceLine>,
    /// Payments and credits applied to it, oldest first.
    pub applied: Vec<AppliedPayment>,
}

/// A payment's or credit's share of one invoice, as the invoice shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedPayment {
    /// The payment or credit.
    pub payment: PaymentId,
    /// Payment or credit.
    pub kind: super::PaymentKind,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
    /// How much went to this invoice.
    pub amount: Money,
    /// How it was paid ("Visa ending 4242", "Check 1042").
    pub method_label: Option<String>,
}

/// Which invoices a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatusFilter {
    /// Open or partly paid.
    Unpaid,
    /// Unpaid and past due.
    Overdue,
    /// Paid in full.
    Paid,
    /// Voided.
    Void,
}

/// How an invoice list is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSort {
    /// Newest issue date first (the default).
    #[default]
    IssuedDesc,
    /// Oldest issue date first.
    IssuedAsc,
    /// Soonest due first.
    DueAsc,
    /// Latest due first.
    DueDesc,
    /// Smallest total first.
    TotalAsc,
    /// Largest total first.
    TotalDesc,
    /// By number, ascending.
    NumberAsc,
    /// By number, descending.
    NumberDesc,
}

/// A customer's invoice list query: filters, sort and page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvoiceQuery {
    /// Status filter.
    pub status: Option<InvoiceStatusFilter>,
    /// Invoices whose number contains this (case-insensitive).
    pub number: Option<String>,
    /// Issued on or after.
    pub issued_from: Option<NaiveDate>,
    /// Issued on or before.
    pub issued_to: Option<NaiveDate>,
    /// Total at least.
    pub min_total: Option<Decimal>,
    /// Total at most.
    pub max_total: Option<Decimal>,
    /// Sort order.
    pub sort: InvoiceSort,
    /// Which page.
    pub page: crate::shared::PageRequest,
}

impl InvoiceQuery {
    /// Checks the ranges: dates in order, amounts not negative and in
    /// order, with no more decimals than the currency has.
    pub fn validate(&self, currency: Currency) -> Result<(), PortalError> {
        if let (Some(from), Some(to)) = (self.issued_from, self.issued_to) {
            if from > to {
                return Err(PortalError::invalid("issued_from", Reason::AfterEnd));
            }
        }
        for amount in [self.min_total, self.max_total].into_iter().flatten() {
            if Money::exact(amount, currency, AtLeast::Zero).is_err() {
                return Err(PortalError::invalid(
                    "amount",
                    Reason::AmountRange { currency },
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.min_total, self.max_total) {
            if min > max {
                return Err(PortalError::invalid("min_total", Reason::AboveMaximum));
            }
        }
        if self
            .number
            .as_deref()
            .is_some_and(|number| number.len() > 64)
        {
            return Err(PortalError::invalid(
                "number",
                Reason::Length { min: 0, max: 64 },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> InvoiceLine {
        InvoiceLine {
            description: "Service".into(),
            quantity,
            unit_price,
            tax_rate,
        }
    }

    fn amounts() -> impl Strategy<Value = InvoiceLine> {
        (
            -1_000i64..100_000,
            0u32..4,
            -10_000_000i64..10_000_000,
            0u32..5,
            0i64..=10_000,
        )
            .prop_map(|(quantity, qscale, price, pscale, rate)| {
                line(
                    Decimal::new(quantity, qscale),
                    Decimal::new(price, pscale),
                    Decimal::new(rate, 2),
                )
            })
    }

    proptest! {
        #[test]
        fn totals_are_sums_of_rounded_lines(lines in prop::collection::vec(amounts(), 1..20)) {
            for code in ["USD", "JPY", "KWD"] {
                let currency = Currency::parse(code).unwrap();
                let totals = InvoiceTotals::of(&lines, currency);
                let subtotal: Decimal = lines.iter().map(|l| l.amount(currency).amount()).sum();
                let tax: Decimal = lines.iter().map(|l| l.tax(currency).amount()).sum();
                prop_assert_eq!(totals.subtotal.amount(), subtotal);
                prop_assert_eq!(totals.tax.amount(), tax);
                prop_assert_eq!(totals.total.amount(), subtotal + tax);
                prop_assert_eq!(totals.subtotal.checked_add(totals.tax), Ok(totals.total));
                // Every value is whole minor units...
                for value in [totals.subtotal, totals.tax, totals.total] {
                    prop_assert!(value.to_minor().is_some());
                    prop_assert!(currency.to_minor(value.amount()).is_some());
                }
                // ...and each line is within half a minor unit of exact.
                let half = currency.from_minor(1) / Decimal::TWO;
                for l in &lines {
                    prop_assert!((l.amount(currency).amount() - l.quantity * l.unit_price).abs() <= half);
                }
            }
        }

        #[test]
        fn status_follows_amounts(total in 1i64..1_000_000, paid in 0i64..2_000_000) {
            let usd = Currency::USD;
            let status = InvoiceStatus::from_amounts(usd.from_minor(total), usd.from_minor(paid));
            let expected = if paid >= total { InvoiceStatus::Paid } else if paid > 0 { InvoiceStatus::PartiallyPaid } else { InvoiceStatus::Open };
            prop_assert_eq!(status, expected);
        }
    }

    fn upsert() -> InvoiceUpsert {
        InvoiceUpsert {
            external_id: ExternalId::parse("INV-1").unwrap(),
            account: AccountId::new(),
            number: "INV-1".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            due_on: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            currency: Currency::USD,
            lines: vec![line(Decimal::ONE, Decimal::TEN, Decimal::ZERO)],
            memo: None,
            pdf: None,
        }
    }

    #[test]
    fn upserts_are_checked() {
        assert!(upsert().validate(Currency::USD).is_ok());
        let eur = Currency::parse("EUR").unwrap();
        assert!(upsert().validate(eur).is_err());
        let mut early = upsert();
        early.due_on = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert!(early.validate(Currency::USD).is_err());
        let mut negative = upsert();
        negative.lines[0].quantity = Decimal::NEGATIVE_ONE;
        assert!(negative.validate(Currency::USD).is_err());
        let mut no_lines = upsert();
        no_lines.lines.clear();
        assert!(no_lines.validate(Currency::USD).is_err());
        let mut not_pdf = upsert();
        not_pdf.pdf = Some(b"<html>".to_vec());
        assert!(not_pdf.validate(Currency::USD).is_err());
        let mut rate = upsert();
        rate.lines[0].tax_rate = Decimal::new(101, 0);
        assert!(rate.validate(Currency::USD).is_err());
        // Within the per-line limits, but more cents than fit in the books.
        let mut huge = upsert();
        huge.lines[0].quantity = Decimal::new(999_999_999, 0);
        huge.lines[0].unit_price = Decimal::new(999_999_999, 0);
        assert!(matches!(
            huge.validate(Currency::USD),
            Err(PortalError::InvalidInput { field: "lines", .. })
        ));
    }

    #[test]
    fn overdue_is_derived_from_the_due_date() {
        let totals = InvoiceTotals::of(&upsert().lines, Currency::USD);
        let mut invoice = Invoice {
            id: InvoiceId::new(),
            account: AccountId::new(),
            external_id: ExternalId::parse("X").unwrap(),
            number: "1".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            due_on: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            subtotal: totals.subtotal,
            tax: totals.tax,
            total: totals.total,
            amount_paid: Money::zero(Currency::USD),
            amount_pending: Money::zero(Currency::USD),
            status: InvoiceStatus::Open,
            has_host_pdf: false,
            memo: None,
            voided_at: None,
        };
        assert!(!invoice.is_overdue(invoice.due_on));
        assert!(invoice.is_overdue(invoice.due_on.succ_opt().unwrap()));
        invoice.status = InvoiceStatus::Void;
        assert!(!invoice.is_overdue(invoice.due_on.succ_opt().unwrap()));
        assert_eq!(invoice.balance(), Money::zero(Currency::USD));
    }
}
