//! Micro-benchmarks of billing's pure rules, at sizes well above what one
//! customer's page asks for: an invoice's totals from 50 lines, spreading
//! a payment over 500 unpaid invoices (the customer's choice, and oldest
//! first), a statement of 1,000 ledger entries and its aging of 500
//! invoices. `cargo bench -p portal-benches --bench billing`.

use chrono::{Days, NaiveDate};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use std::hint::black_box;

use portal_core::billing::{
    Aging, EntryKind, InvoiceLine, InvoiceTotals, LedgerEntry, PayableInvoice, Statement,
    StatementParts, StatementRange, allocate_oldest_first, allocate_selection,
};
use portal_core::shared::{Currency, InvoiceId, Money, PaymentId};

const USD: Currency = Currency::USD;

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|first| first.checked_add_days(Days::new(offset)))
        .unwrap_or_default()
}

/// `n` lines with prices and quantities that round (1.5 x 33.33 and
/// 8.25 % tax, as on printed invoices).
fn lines(n: usize) -> Vec<InvoiceLine> {
    (0..n)
        .map(|k| InvoiceLine {
            description: format!("Service visit {k}"),
            quantity: Decimal::new(15, 1),
            unit_price: Decimal::new(3_333 + k as i64, 2),
            tax_rate: if k % 2 == 0 {
                Decimal::new(825, 2)
            } else {
                Decimal::ZERO
            },
        })
        .collect()
}

/// `n` unpaid invoices, listed newest first so "oldest first" has to sort.
fn payable(n: usize) -> Vec<PayableInvoice> {
    (0..n)
        .rev()
        .map(|k| PayableInvoice {
            id: InvoiceId::new(),
            number: format!("INV-{k:05}"),
            issued_on: day(k as u64),
            due_on: day(k as u64 + 30),
            payable: Money::new(Decimal::new(10_000 + k as i64, 2), USD),
        })
        .collect()
}

fn totals(c: &mut Criterion) {
    let lines = lines(50);
    c.bench_function("InvoiceTotals::of, 50 lines", |b| {
        b.iter(|| InvoiceTotals::of(black_box(&lines), USD))
    });
}

fn allocation(c: &mut Criterion) {
    let invoices = payable(500);
    let all: Vec<(InvoiceId, Option<Decimal>)> =
        invoices.iter().map(|invoice| (invoice.id, None)).collect();
    let two: Vec<(InvoiceId, Option<Decimal>)> = invoices
        .iter()
        .take(2)
        .map(|invoice| (invoice.id, Some(Decimal::new(1, 2))))
        .collect();
    c.bench_function("allocate_selection, 2 of 500 invoices, partial", |b| {
        b.iter(|| allocate_selection(black_box(&two), black_box(&invoices), USD, true))
    });
    c.bench_function("allocate_selection, all 500 invoices in full", |b| {
        b.iter(|| allocate_selection(black_box(&all), black_box(&invoices), USD, false))
    });
    let owed = Money::new(
        invoices
            .iter()
            .map(|invoice| invoice.payable.amount())
            .sum(),
        USD,
    );
    c.bench_function("allocate_oldest_first, 500 invoices, all paid", |b| {
        b.iter(|| allocate_oldest_first(black_box(owed), black_box(&invoices), false))
    });
    c.bench_function("allocate_oldest_first, 500 invoices, 1,000.00", |b| {
        b.iter(|| {
            allocate_oldest_first(Money::from_minor(100_000, USD), black_box(&invoices), false)
        })
    });
}

fn statements(c: &mut Criterion) {
    // A charge a day and a payment every other day, 1,000 entries in all.
    let entries: Vec<LedgerEntry> = (0..1_000u64)
        .map(|k| {
            let charge = k % 3 != 2;
            LedgerEntry {
                date: day(k / 3 * 2 + u64::from(!charge)),
                kind: if charge {
                    EntryKind::Charge
                } else {
                    EntryKind::Payment
                },
                reference: format!("REF-{k:05}"),
                amount: Money::from_minor(12_345 + k as i64, USD),
                invoice: charge.then(InvoiceId::new),
                payment: (!charge).then(PaymentId::new),
            }
        })
        .collect();
    let owed: Vec<(NaiveDate, Money)> = (0..500u64)
        .map(|k| (day(k * 2), Money::from_minor(5_000 + k as i64, USD)))
        .collect();
    let on = day(700);
    let parts = StatementParts {
        opening_balance: Money::from_minor(100_000, USD),
        entries,
        owed_at_end: owed.clone(),
        unapplied_at_end: Money::from_minor(2_500, USD),
    };
    let Ok(range) = StatementRange::new(day(0), on) else {
        return;
    };
    // The build takes its parts; the copy for each run is made outside
    // the measured time.
    c.bench_function("Statement::build, 1,000 entries, 500 owed", |b| {
        b.iter_batched(
            || parts.clone(),
            |parts| Statement::build(range, USD, black_box(parts)),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("Aging::of, 500 invoices", |b| {
        b.iter(|| Aging::of(black_box(&owed), on, USD))
    });
}

criterion_group!(benches, totals, allocation, statements);
criterion_main!(benches);
