//! Money rules that every context shares. Amounts are `rust_decimal::Decimal`
//! with an ISO 4217 currency code; never floats.
//!
//! The one rounding rule: an amount is rounded to its currency's minor unit
//! (2 decimals for most, 0 for JPY and friends, 3 for the dinars) with
//! half away from zero, the rule customers know from receipts. Every
//! rounding and display of money goes through [`round_to_minor_unit`].

use rust_decimal::{Decimal, RoundingStrategy};

/// How many decimals the currency's minor unit has.
///
/// ```
/// use portal_core::shared::minor_unit_digits;
/// assert_eq!(minor_unit_digits("USD"), 2);
/// assert_eq!(minor_unit_digits("JPY"), 0);
/// assert_eq!(minor_unit_digits("KWD"), 3);
/// ```
pub fn minor_unit_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Rounds `amount` to the minor unit of `currency`, half away from zero.
///
/// ```
/// use portal_core::shared::round_to_minor_unit;
/// use rust_decimal::Decimal;
/// assert_eq!(round_to_minor_unit(Decimal::new(100_500, 4), "USD").to_string(), "10.05");
/// assert_eq!(round_to_minor_unit(Decimal::new(105, 1), "JPY").to_string(), "11");
/// ```
pub fn round_to_minor_unit(amount: Decimal, currency: &str) -> Decimal {
    let digits = minor_unit_digits(currency);
    let mut rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(digits);
    rounded
}

/// An amount as customers read it: rounded, then the currency code
/// (`1234.50 USD`).
pub fn format_amount(amount: Decimal, currency: &str) -> String {
    format!("{} {currency}", round_to_minor_unit(amount, currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rounding_is_within_half_a_minor_unit_and_idempotent(units in -10_000_000i64..10_000_000, scale in 0u32..6) {
            let amount = Decimal::new(units, scale);
            let rounded = round_to_minor_unit(amount, "USD");
            prop_assert!((rounded - amount).abs() <= Decimal::new(5, 3));
            prop_assert_eq!(round_to_minor_unit(rounded, "USD"), rounded);
            prop_assert_eq!(rounded.scale(), 2);
        }
    }

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(
            round_to_minor_unit(Decimal::new(1005, 3), "USD"),
            Decimal::new(101, 2)
        );
        assert_eq!(
            round_to_minor_unit(Decimal::new(-1005, 3), "USD"),
            Decimal::new(-101, 2)
        );
        assert_eq!(format_amount(Decimal::new(101_000, 4), "USD"), "10.10 USD");
    }
}
