//! An invoice as the host sends it (`HostApi::upsert_invoice`): its lines'
//! quantities, unit prices and tax rates, any `Decimal` at all. No panic
//! (no overflow in a line's amount, its tax or the sums); an invoice that
//! passes the check has totals a store can keep: each in minor units,
//! the total the subtotal plus tax and never below zero.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use portal_core::billing::{InvoiceLine, InvoiceUpsert};
use portal_core::shared::{AccountId, Currency, ExternalId};
use rust_decimal::Decimal;

/// A `Decimal` from 17 bytes: a 96-bit mantissa with its sign, and a scale.
fn decimal(bytes: &[u8]) -> Decimal {
    let mut mantissa = [0u8; 16];
    mantissa[..12].copy_from_slice(&bytes[..12]);
    let mut value = i128::from_le_bytes(mantissa);
    if bytes[12] & 1 == 1 {
        value = -value;
    }
    Decimal::try_from_i128_with_scale(value, u32::from(bytes[13]) % 29).unwrap_or(Decimal::ZERO)
}

fuzz_target!(|data: &[u8]| {
    let Some((&code, data)) = data.split_first() else {
        return;
    };
    let currency = [
        Currency::USD,
        Currency::parse("JPY").expect("JPY"),
        Currency::parse("KWD").expect("KWD"),
    ][usize::from(code) % 3];
    let lines: Vec<InvoiceLine> = data
        .chunks_exact(42)
        .take(600)
        .map(|line| InvoiceLine {
            description: "Service".into(),
            quantity: decimal(&line[..14]),
            unit_price: decimal(&line[14..28]),
            tax_rate: decimal(&line[28..42]),
        })
        .collect();
    let due_on = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a day");
    let upsert = InvoiceUpsert {
        external_id: ExternalId::parse("INV-1").expect("an id"),
        account: AccountId::new(),
        number: "INV-1".into(),
        issued_on: due_on,
        due_on,
        currency,
        lines,
        memo: None,
        pdf: None,
    };
    let Ok(totals) = upsert.validate(currency) else {
        return;
    };
    for money in [totals.subtotal, totals.tax, totals.total] {
        assert!(money.to_minor().is_some(), "{money}");
        assert_eq!(money.amount().scale(), currency.minor_digits());
        assert_eq!(money.currency(), currency);
    }
    assert_eq!(totals.subtotal.checked_add(totals.tax), Ok(totals.total));
    assert!(!totals.total.is_negative());
});
