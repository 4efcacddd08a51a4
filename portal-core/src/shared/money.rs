//! Money rules that every context shares. Amounts are `rust_decimal::Decimal`
//! with an ISO 4217 currency code; never floats.
//!
//! The one rounding rule: an amount is rounded to its currency's minor unit
//! (2 decimals for most, 0 for JPY and friends, 3 for the dinars) with
//! half away from zero, the rule customers know from receipts. Every
//! rounding and display of money goes through [`round_to_minor_unit`].

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ParseError;

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

/// An ISO 4217 currency code, upper case (`USD`).
///
/// ```
/// use portal_core::shared::Currency;
/// assert_eq!(Currency::parse("usd").unwrap().as_str(), "USD");
/// assert!(Currency::parse("dollars").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars.
    pub const USD: Currency = Currency(*b"USD");

    /// Accepts three ASCII letters, in either case.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let bytes = text.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(ParseError::new(
                "currency",
                "must be a three-letter ISO 4217 code",
            )),
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimals of the minor unit ([`minor_unit_digits`]).
    pub fn minor_digits(self) -> u32 {
        minor_unit_digits(self.as_str())
    }

    /// `amount` rounded by the one rule ([`round_to_minor_unit`]).
    pub fn round(self, amount: Decimal) -> Decimal {
        round_to_minor_unit(amount, self.as_str())
    }

    /// `amount` in minor units (cents), how stores keep money so sums and
    /// comparisons are integer arithmetic in SQL. `None` when `amount` has
    /// more decimals than the minor unit or does not fit.
    ///
    /// ```
    /// use portal_core::shared::Currency;
    /// use rust_decimal::Decimal;
    /// let usd = Currency::parse("USD").unwrap();
    /// assert_eq!(usd.to_minor(Decimal::new(1050, 2)), Some(1050));
    /// assert_eq!(usd.to_minor(Decimal::new(10505, 3)), None);
    /// assert_eq!(usd.from_minor(1050), Decimal::new(1050, 2));
    /// ```
    pub fn to_minor(self, amount: Decimal) -> Option<i64> {
        let digits = self.minor_digits();
        let mut scaled = amount.checked_mul(Decimal::from(10i64.pow(digits)))?;
        scaled = scaled.normalize();
        if scaled.scale() != 0 {
            return None;
        }
        i64::try_from(scaled).ok()
    }

    /// Minor units back to an amount with the minor unit's scale.
    pub fn from_minor(self, minor: i64) -> Decimal {
        Decimal::new(minor, self.minor_digits())
    }

    /// An amount as customers read it (`1234.50 USD`).
    pub fn format(self, amount: Decimal) -> String {
        format_amount(amount, self.as_str())
    }

    /// A unit price as customers read it: not rounded (a line's amount is,
    /// a price per litre or per minute need not be), with at least the
    /// currency's minor digits.
    ///
    /// ```
    /// use portal_core::shared::Currency;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Currency::USD.format_unit_price(Decimal::new(125, 3)), "0.125 USD");
    /// assert_eq!(Currency::USD.format_unit_price(Decimal::new(5, 0)), "5.00 USD");
    /// assert_eq!(Currency::USD.format_unit_price(Decimal::new(33330, 3)), "33.33 USD");
    /// ```
    pub fn format_unit_price(self, unit_price: Decimal) -> String {
        let mut shown = unit_price.normalize();
        if shown.scale() < self.minor_digits() {
            shown.rescale(self.minor_digits());
        }
        format!("{shown} {self}")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
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

        #[test]
        fn minor_units_round_trip(units in -1_000_000_000i64..1_000_000_000) {
            for code in ["USD", "JPY", "KWD"] {
                let currency = Currency::parse(code).unwrap();
                let amount = currency.from_minor(units);
                prop_assert_eq!(currency.to_minor(amount), Some(units));
                prop_assert_eq!(currency.round(amount), amount);
            }
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
