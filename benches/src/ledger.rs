//! Each account's billing history in the benchmark's dataset, as a pure
//! function of the account's number and the day it is seeded: ten monthly
//! invoices with lines, three payments by the host and their allocations.
//!
//! The amounts follow Portal's own rules, so the rows are what the store
//! would have written: totals by [`InvoiceTotals::of`] from the lines,
//! statuses by [`InvoiceStatus::from_amounts`], an invoice's paid amount
//! the sum of the allocations applied to it, a payment's applied amount the
//! sum of its allocations (the rest is account credit), every allocation
//! applied when its payment was received.
//!
//! The mix per account (oldest first): invoices 0 to 5 paid by the first
//! two payments (in one account in ten invoice 5 is still open, 90+ days
//! past due), invoice 6 void, invoice 7 partly paid by the third payment
//! (paid in full in one account in ten), invoice 8 open and past due,
//! invoice 9 open and not yet due. One account in seven has 25.00 of
//! unapplied credit. Overall: 60 % paid, 10 % void, 9 % partly paid, 21 %
//! open (most of those past due). Invoices 8 and 9 are always open with a
//! balance of at least 15.00, which the payment scenario pays a cent at a
//! time (and each run's seeding puts back).

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use portal_core::billing::{InvoiceLine, InvoiceStatus, InvoiceTotals};
use portal_core::shared::Currency;

/// Invoices per account.
pub const INVOICES_PER_ACCOUNT: usize = 10;
/// Payments per account.
pub const PAYMENTS_PER_ACCOUNT: usize = 3;
/// The benchmark tenant's currency.
pub const CURRENCY: Currency = Currency::USD;
/// The two invoices of every account the payment scenario pays on: open,
/// one past due and one not yet due.
pub const PAYABLE: [u8; 2] = [8, 9];

/// One invoice row, in minor units.
#[derive(Clone, Debug)]
pub struct InvoiceRow {
    /// Its id.
    pub id: Uuid,
    /// Its number, also the host's id.
    pub number: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// Sum of the rounded line amounts.
    pub subtotal_minor: i64,
    /// Sum of the rounded line taxes.
    pub tax_minor: i64,
    /// Subtotal plus tax.
    pub total_minor: i64,
    /// Applied by payments.
    pub paid_minor: i64,
    /// `open`, `partially_paid`, `paid` or `void`.
    pub status: &'static str,
    /// When it was voided.
    pub voided_at: Option<DateTime<Utc>>,
    /// When the host sent it (midnight of the issue date).
    pub created_at: DateTime<Utc>,
    /// Its lines.
    pub lines: Vec<InvoiceLine>,
}

/// One payment row, in minor units.
#[derive(Clone, Debug)]
pub struct PaymentRow {
    /// Its id.
    pub id: Uuid,
    /// The host's id.
    pub external_id: String,
    /// How it was paid.
    pub method_label: String,
    /// The amount received.
    pub amount_minor: i64,
    /// What of it is applied to invoices.
    pub applied_minor: i64,
    /// When it was received (and applied).
    pub received_at: DateTime<Utc>,
}

/// One applied allocation row.
#[derive(Clone, Debug)]
pub struct AllocationRow {
    /// Its id.
    pub id: Uuid,
    /// The payment.
    pub payment_id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// The amount applied.
    pub amount_minor: i64,
    /// When it was applied (the payment's time received).
    pub applied_at: DateTime<Utc>,
}

/// One account's billing rows.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    /// Ten invoices, oldest first.
    pub invoices: Vec<InvoiceRow>,
    /// Three payments, oldest first.
    pub payments: Vec<PaymentRow>,
    /// Their allocations.
    pub allocations: Vec<AllocationRow>,
}

/// A deterministic id, so a resumed seeding writes the same rows and the
/// payment scenario knows the invoices' ids without reading them. The top
/// byte is the row's kind (4 invoice, 5 payment, 6 allocation), distinct
/// from the panel rows' kinds in `seed`.
pub fn row_id(kind: u8, account: usize, k: u8) -> Uuid {
    Uuid::from_u128((u128::from(kind) << 120) | ((account as u128) << 8) | u128::from(k))
}

/// The id of account `i`'s invoice `k`.
pub fn invoice_id(i: usize, k: u8) -> Uuid {
    row_id(4, i, k)
}

const SERVICES: [(&str, i64); 4] = [
    ("Quarterly pest treatment", 8_950),
    ("Lawn fertilisation", 6_425),
    ("Service call", 12_000),
    ("Materials", 1_799),
];

fn lines(i: usize, k: usize) -> Vec<InvoiceLine> {
    let count = 1 + (i + k) % 3;
    (0..count)
        .map(|n| {
            let (description, cents) = SERVICES[(i + k + n) % SERVICES.len()];
            InvoiceLine {
                description: description.to_owned(),
                // 1, 1.5 or 2 (hours, visits, bags).
                quantity: Decimal::new(10 + 5 * ((i + n) % 3) as i64, 1),
                unit_price: Decimal::new(cents + ((i * 7 + k * 13) % 500) as i64, 2),
                tax_rate: if n % 2 == 0 {
                    Decimal::new(825, 2)
                } else {
                    Decimal::ZERO
                },
            }
        })
        .collect()
}

fn minor(amount: Decimal) -> i64 {
    // Totals of rounded lines are always whole cents.
    CURRENCY.to_minor(amount).unwrap_or_default()
}

/// The first instant of `day` in UTC (the bench tenant's time zone).
pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// One of an account's payments before it is dated: the invoices it pays
/// (index, minor units), received `days` after invoice `after` was
/// issued, with `credit` more than it applies.
struct PaymentPlan {
    shares: Vec<(usize, i64)>,
    after: usize,
    days: i64,
    credit: i64,
}

/// Account `i`'s billing rows as of `today`.
pub fn ledger(i: usize, today: NaiveDate) -> Ledger {
    let mix = i % 10;
    // Invoice k is issued 30 days after invoice k - 1; the newest 5 to 24
    // days ago, due 30 days after issue.
    let newest = today - Duration::days(5 + (i % 20) as i64);
    let mut invoices: Vec<InvoiceRow> = (0..INVOICES_PER_ACCOUNT)
        .map(|k| {
            let issued_on = newest - Duration::days(30 * (INVOICES_PER_ACCOUNT - 1 - k) as i64);
            let lines = lines(i, k);
            let totals = InvoiceTotals::of(&lines, CURRENCY);
            InvoiceRow {
                id: invoice_id(i, k as u8),
                number: format!("INV-{i:07}-{k:02}"),
                issued_on,
                due_on: issued_on + Duration::days(30),
                subtotal_minor: minor(totals.subtotal.amount()),
                tax_minor: minor(totals.tax.amount()),
                total_minor: minor(totals.total.amount()),
                paid_minor: 0,
                status: "open",
                voided_at: None,
                created_at: midnight(issued_on),
                lines,
            }
        })
        .collect();

    let partial = |total: i64| if mix == 3 { total } else { total / 2 };
    let in_full = |k: usize| (k, invoices[k].total_minor);
    let second: Vec<usize> = if mix == 7 { vec![3, 4] } else { vec![3, 4, 5] };
    let plans = [
        PaymentPlan {
            shares: [0, 1, 2].map(in_full).to_vec(),
            after: 2,
            days: 20,
            credit: 0,
        },
        PaymentPlan {
            shares: second.into_iter().map(in_full).collect(),
            after: 5,
            days: 20,
            credit: 0,
        },
        PaymentPlan {
            shares: vec![(7, partial(invoices[7].total_minor))],
            after: 7,
            days: 25,
            credit: if i % 7 == 0 { 2_500 } else { 0 },
        },
    ];
    let mut ledger = Ledger::default();
    for (
        p,
        PaymentPlan {
            shares,
            after,
            days,
            credit,
        },
    ) in plans.into_iter().enumerate()
    {
        let id = row_id(5, i, p as u8);
        let received_at = midnight(invoices[after].issued_on + Duration::days(days))
            + Duration::hours(14)
            + Duration::minutes((i % 60) as i64);
        let applied: i64 = shares.iter().map(|(_, share)| share).sum();
        for (k, share) in shares {
            invoices[k].paid_minor += share;
            ledger.allocations.push(AllocationRow {
                id: row_id(6, i, (p * 16 + k) as u8),
                payment_id: id,
                invoice_id: invoices[k].id,
                amount_minor: share,
                applied_at: received_at,
            });
        }
        ledger.payments.push(PaymentRow {
            id,
            external_id: format!("P{i:07}-{p}"),
            method_label: format!("Check {}", 1_000 + (i * 3 + p) % 9_000),
            amount_minor: applied + credit,
            applied_minor: applied,
            received_at,
        });
    }
    for invoice in &mut invoices {
        invoice.status = InvoiceStatus::from_amounts(
            CURRENCY.from_minor(invoice.total_minor),
            CURRENCY.from_minor(invoice.paid_minor),
        )
        .as_str();
    }
    let void = &mut invoices[6];
    void.status = InvoiceStatus::Void.as_str();
    void.voided_at = Some(void.created_at + Duration::days(10));
    ledger.invoices = invoices;
    ledger
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_holds_together() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        let now = midnight(today) + Duration::hours(12);
        let mut statuses = std::collections::BTreeMap::<&str, usize>::new();
        for i in 0..1_000 {
            let ledger = ledger(i, today);
            assert_eq!(ledger.invoices.len(), INVOICES_PER_ACCOUNT);
            assert_eq!(ledger.payments.len(), PAYMENTS_PER_ACCOUNT);
            for invoice in &ledger.invoices {
                *statuses.entry(invoice.status).or_default() += 1;
                let applied: i64 = ledger
                    .allocations
                    .iter()
                    .filter(|a| a.invoice_id == invoice.id)
                    .map(|a| a.amount_minor)
                    .sum();
                assert_eq!(invoice.paid_minor, applied);
                assert!(invoice.paid_minor <= invoice.total_minor);
                assert_eq!(
                    invoice.subtotal_minor + invoice.tax_minor,
                    invoice.total_minor
                );
                assert!(invoice.created_at <= now);
            }
            for payment in &ledger.payments {
                let applied: i64 = ledger
                    .allocations
                    .iter()
                    .filter(|a| a.payment_id == payment.id)
                    .map(|a| a.amount_minor)
                    .sum();
                assert_eq!(payment.applied_minor, applied);
                assert!(payment.amount_minor >= applied && payment.amount_minor > 0);
                assert!(payment.received_at <= now);
            }
            for k in PAYABLE {
                let invoice = &ledger.invoices[usize::from(k)];
                assert_eq!(invoice.status, "open");
                assert!(invoice.total_minor >= 1_500);
            }
            assert!(ledger.invoices[9].due_on >= today);
            assert!(ledger.invoices[8].due_on < today);
        }
        assert_eq!(statuses["void"], 1_000);
        assert!(statuses["paid"] > 5_500 && statuses["partially_paid"] > 800);
    }
}
