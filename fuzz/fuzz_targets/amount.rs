//! Amounts of money as customers type them (pages) and programs send them
//! (the API), the currency code, and `Money::exact`, the core's one check
//! of an amount from outside. No panic; a parsed amount re-formats and
//! re-parses to the same value from either front end; the API's reading
//! is never more lenient than a page's; an exact amount survives the trip
//! through minor units (what stores keep) and its printed form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::{AtLeast, Currency, Money, MoneyError};
use portal_fuzz::{split, text};
use portal_http_axum::fuzzing::{Field, Source, amount};

fuzz_target!(|data: &[u8]| {
    let [typed, code] = split(data, 2)[..] else {
        return;
    };
    let typed = text(typed);
    let read = |text: &str, source| amount(Field::Amount, Some(text), source);

    let api = read(&typed, Source::Api);
    let page = read(&typed, Source::Page);
    if let Ok(value) = &api {
        assert_eq!(&page, &Ok(*value), "a page reads what the API reads");
    }
    let Ok(Some(value)) = page else {
        return;
    };
    for source in [Source::Api, Source::Page] {
        assert_eq!(read(&value.to_string(), source), Ok(Some(value)));
    }

    let code = text(code);
    let currency = match Currency::parse(&code) {
        Ok(currency) => {
            assert_eq!(currency.as_str(), code.trim().to_ascii_uppercase());
            assert_eq!(Currency::parse(currency.as_str()), Ok(currency));
            currency
        }
        Err(_) => Currency::USD,
    };
    // Rounding never panics, whatever the amount, and gives the minor
    // unit's decimals to every amount a store can keep (one with 28 or 29
    // digits has no room for them in a `Decimal`; `exact` refuses it).
    let rounded = Money::new(value, currency);
    if rounded.to_minor().is_some() {
        assert_eq!(rounded.amount().scale(), currency.minor_digits());
    }
    match Money::exact(value, currency, AtLeast::Zero) {
        Ok(money) => {
            assert_eq!(money.amount(), value, "exact never rounds");
            assert_eq!(money, rounded);
            let minor = money.to_minor().expect("fits in minor units");
            assert_eq!(Money::from_minor(minor, currency), money);
            let printed = money.to_string();
            let (number, printed_code) = printed.split_once(' ').expect("amount and code");
            assert_eq!(printed_code, currency.as_str());
            assert_eq!(read(number, Source::Api), Ok(Some(value)));
        }
        Err(MoneyError::TooSmall) => assert!(value.is_sign_negative() && !value.is_zero()),
        Err(MoneyError::TooPrecise) => {
            assert!(value.normalize().scale() > currency.minor_digits());
        }
        Err(MoneyError::Overflow) => assert!(currency.to_minor(value).is_none()),
        Err(other @ MoneyError::CurrencyMismatch { .. }) => panic!("{other}"),
    }
});
