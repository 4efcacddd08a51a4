//! Money rules that every context shares. Amounts are `rust_decimal::Decimal`
//! with an ISO 4217 currency code; never floats.
//!
//! The one rounding rule: an amount is rounded to its currency's minor unit
//! (2 decimals for most, 0 for JPY and friends, 3 for the dinars) with
//! half away from zero, the rule customers know from receipts. Every
//! rounding and display of money goes through [`round_to_minor_unit`].
//!
//! [`Money`] carries an amount with its currency, rounded by that rule
//! when it is made, so an amount and the currency it is in cannot drift
//! apart; its arithmetic refuses to mix currencies ([`MoneyError`]), and
//! [`Money::exact`] is the one check of an amount that comes from outside
//! (a customer's, a host's, a store's): no more decimals than the minor
//! unit, representable in minor units, and above (or at) zero.

use super::{Reason, Shape};
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::ParseError;

/// How many decimals the currency's minor unit has, from the ISO 4217
/// data (the `iso_currency` crate), not a list of our own; 2 for a code
/// ISO 4217 does not know or gives no minor unit (which [`Currency::parse`]
/// refuses, so only a bare `&str` can reach that).
///
/// ```
/// use portal_core::shared::minor_unit_digits;
/// assert_eq!(minor_unit_digits("USD"), 2);
/// assert_eq!(minor_unit_digits("JPY"), 0);
/// assert_eq!(minor_unit_digits("KWD"), 3);
/// assert_eq!(minor_unit_digits("CLF"), 4);
/// ```
pub fn minor_unit_digits(currency: &str) -> u32 {
    iso_exponent(currency).unwrap_or(2)
}

/// The ISO 4217 exponent of `code`, `None` when the code is not an ISO
/// 4217 currency or has no minor unit (gold, `XXX`).
fn iso_exponent(code: &str) -> Option<u32> {
    iso_currency::Currency::from_code(code)
        .and_then(iso_currency::Currency::exponent)
        .map(u32::from)
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

/// An amount in its plain form: rounded, then the currency code
/// (`1234.50 USD`), for logs and error details. What customers read is
/// written by the tenant's [`MoneyFormatter`](super::MoneyFormatter)
/// (`$1,234.50`).
pub fn format_amount(amount: Decimal, currency: &str) -> String {
    format!("{} {currency}", round_to_minor_unit(amount, currency))
}

/// An ISO 4217 currency with a minor unit, by its code, upper case
/// (`USD`). Codes ISO 4217 does not list (`ABC`) and those without a minor
/// unit (gold `XAU`, `XXX`) are refused: an amount in them has no rule.
///
/// ```
/// use portal_core::shared::Currency;
/// assert_eq!(Currency::parse("usd").unwrap().as_str(), "USD");
/// assert_eq!(Currency::parse("KWD").unwrap().minor_digits(), 3);
/// assert!(Currency::parse("dollars").is_err());
/// assert!(Currency::parse("ABC").is_err());
/// assert!(Currency::parse("XAU").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollars.
    pub const USD: Currency = Currency(*b"USD");

    /// Accepts the code of an ISO 4217 currency with a minor unit, in
    /// either case.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim().to_ascii_uppercase();
        match code.as_bytes() {
            &[a, b, c] if iso_exponent(&code).is_some() => Ok(Self([a, b, c])),
            _ => Err(ParseError::new(
                "currency",
                Reason::Malformed(Shape::CurrencyCode),
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

    /// An amount in its plain form (`1234.50 USD`, [`format_amount`]).
    pub fn format(self, amount: Decimal) -> String {
        format_amount(amount, self.as_str())
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

/// An amount of money in a currency, rounded to the currency's minor unit
/// by the one rule ([`round_to_minor_unit`]) when it is made, so every
/// `Money` is already what customers see and what stores keep.
///
/// Arithmetic is checked: adding or comparing two currencies is a
/// [`MoneyError`], never a sum and never a panic.
///
/// ```
/// use portal_core::shared::{Currency, Money};
/// use rust_decimal::Decimal;
/// let usd = Currency::USD;
/// let price = Money::new(Decimal::new(100_500, 4), usd); // 10.0500 -> 10.05
/// assert_eq!(price.to_string(), "10.05 USD");
/// assert_eq!(price.to_minor(), Some(1005));
/// let twice = price.checked_add(price).unwrap();
/// assert_eq!(twice, Money::from_minor(2010, usd));
/// let yen = Money::from_minor(100, Currency::parse("JPY").unwrap());
/// assert!(price.checked_add(yen).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// Why money arithmetic or an amount check refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of the left-hand amount.
        left: Currency,
        /// The currency of the right-hand amount.
        right: Currency,
    },
    /// The result does not fit (in a `Decimal`, or in whole minor units
    /// as an `i64`).
    #[error("amount is too large")]
    Overflow,
    /// The amount has more decimals than the currency's minor unit
    /// ([`Money::exact`] never rounds what it was given).
    #[error("amount has more decimals than its currency")]
    TooPrecise,
    /// The amount is below the least [`Money::exact`] accepts.
    #[error("amount is too small")]
    TooSmall,
}

/// The least amount [`Money::exact`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AtLeast {
    /// Zero or more (a filter's bound).
    Zero,
    /// More than zero (a payment, a share of one, a credit).
    MoreThanZero,
}

impl Money {
    /// `amount` in `currency`, rounded to its minor unit, half away from
    /// zero ([`round_to_minor_unit`]).
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self {
            amount: currency.round(amount),
            currency,
        }
    }

    /// Nothing, in `currency` (`0.00 USD`).
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// Whole minor units (cents) of `currency`, as stores keep money.
    ///
    /// ```
    /// use portal_core::shared::{Currency, Money};
    /// assert_eq!(Money::from_minor(1050, Currency::USD).to_string(), "10.50 USD");
    /// ```
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self {
            amount: currency.from_minor(minor),
            currency,
        }
    }

    /// The one check of an amount that comes from outside (a customer's
    /// form, a host's call, a store's write): `amount` exactly as given,
    /// with no more decimals than `currency`'s minor unit (it is never
    /// rounded into something the sender did not say), representable in
    /// whole minor units, and at least `least`.
    ///
    /// ```
    /// use portal_core::shared::{AtLeast, Currency, Money, MoneyError};
    /// use rust_decimal::Decimal;
    /// let usd = Currency::USD;
    /// assert_eq!(Money::exact(Decimal::new(1050, 2), usd, AtLeast::MoreThanZero).unwrap().to_minor(), Some(1050));
    /// assert_eq!(Money::exact(Decimal::new(10505, 3), usd, AtLeast::Zero), Err(MoneyError::TooPrecise));
    /// assert_eq!(Money::exact(Decimal::ZERO, usd, AtLeast::MoreThanZero), Err(MoneyError::TooSmall));
    /// assert!(Money::exact(Decimal::ZERO, usd, AtLeast::Zero).is_ok());
    /// ```
    pub fn exact(amount: Decimal, currency: Currency, least: AtLeast) -> Result<Self, MoneyError> {
        let too_small = match least {
            AtLeast::Zero => amount < Decimal::ZERO,
            AtLeast::MoreThanZero => amount <= Decimal::ZERO,
        };
        if too_small {
            return Err(MoneyError::TooSmall);
        }
        if currency.round(amount) != amount {
            return Err(MoneyError::TooPrecise);
        }
        let money = Self::new(amount, currency);
        if money.to_minor().is_none() {
            return Err(MoneyError::Overflow);
        }
        Ok(money)
    }

    /// The amount, with the minor unit's decimals (`10.50`).
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whole minor units (cents), how stores keep it; `None` when it does
    /// not fit an `i64`.
    pub fn to_minor(&self) -> Option<i64> {
        self.currency.to_minor(self.amount)
    }

    /// Whether it is nothing.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// Whether it is more than zero.
    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    /// Whether it is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount < Decimal::ZERO
    }

    /// The same amount with the other sign; zero stays zero (never
    /// "-0.00", which a statement's "Credits" line showed).
    ///
    /// ```
    /// use portal_core::shared::{Currency, Money};
    /// assert_eq!(Money::zero(Currency::USD).negated().format(), "0.00 USD");
    /// assert_eq!(Money::from_minor(250, Currency::USD).negated().format(), "-2.50 USD");
    /// ```
    pub fn negated(self) -> Self {
        if self.amount.is_zero() {
            return Self::zero(self.currency);
        }
        Self::new(-self.amount, self.currency)
    }

    /// The sum, in the one currency both are in.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(sum, currency))
    }

    /// The difference, in the one currency both are in.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let currency = self.same_currency(other)?;
        let difference = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(difference, currency))
    }

    /// The sum of `amounts`, all in `currency` (zero when there are none).
    ///
    /// ```
    /// use portal_core::shared::{Currency, Money};
    /// let usd = Currency::USD;
    /// let parts = [Money::from_minor(101, usd), Money::from_minor(202, usd)];
    /// assert_eq!(Money::checked_sum(parts, usd), Ok(Money::from_minor(303, usd)));
    /// ```
    pub fn checked_sum(
        amounts: impl IntoIterator<Item = Money>,
        currency: Currency,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Self::zero(currency), Money::checked_add)
    }

    /// The smaller of the two, in the one currency both are in.
    pub fn checked_min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount < self.amount {
            other
        } else {
            self
        })
    }

    /// The larger of the two, in the one currency both are in.
    pub fn checked_max(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if other.amount > self.amount {
            other
        } else {
            self
        })
    }

    /// How the two compare, when they are in the one currency.
    pub fn checked_cmp(&self, other: &Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(*other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// Its plain form (`1234.50 USD`), as [`Currency::format`] writes it;
    /// pages, PDFs and mails use the tenant's
    /// [`MoneyFormatter`](super::MoneyFormatter) instead.
    pub fn format(&self) -> String {
        self.to_string()
    }

    fn same_currency(self, other: Money) -> Result<Currency, MoneyError> {
        if self.currency == other.currency {
            Ok(self.currency)
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Money is written as today's wire format writes an amount: its decimal
/// string with the minor unit's decimals (`"120.50"`), the currency in a
/// field of its own beside it. It has no `Deserialize`: a bare amount does
/// not say its currency, so a type that reads money reads the amount and
/// the currency and makes the `Money` itself.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Serialize::serialize(&self.amount, serializer)
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

    fn currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(vec!["USD", "JPY", "KWD", "EUR"])
            .prop_map(|code| Currency::parse(code).unwrap())
    }

    proptest! {
        #[test]
        fn money_is_rounded_once_and_rounding_again_changes_nothing(
            units in -10_000_000_000i64..10_000_000_000,
            scale in 0u32..8,
            currency in currency(),
        ) {
            let amount = Decimal::new(units, scale);
            let money = Money::new(amount, currency);
            prop_assert_eq!(money.amount(), currency.round(amount));
            prop_assert_eq!(money.amount().scale(), currency.minor_digits());
            prop_assert_eq!(Money::new(money.amount(), currency), money);
            prop_assert_eq!(money.format(), currency.format(amount));
        }

        #[test]
        fn money_round_trips_through_minor_units(minor in any::<i64>(), currency in currency()) {
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(money.to_minor(), Some(minor));
            prop_assert_eq!(Money::new(money.amount(), currency), money);
            prop_assert_eq!(Money::exact(money.amount(), currency, AtLeast::Zero).is_ok(), minor >= 0);
            prop_assert_eq!(Money::exact(money.amount(), currency, AtLeast::MoreThanZero).is_ok(), minor > 0);
        }

        #[test]
        fn adding_or_subtracting_two_currencies_is_refused(
            a in -1_000_000i64..1_000_000,
            b in -1_000_000i64..1_000_000,
            left in currency(),
            right in currency(),
        ) {
            let (x, y) = (Money::from_minor(a, left), Money::from_minor(b, right));
            if left == right {
                prop_assert_eq!(x.checked_add(y), Ok(Money::from_minor(a + b, left)));
                prop_assert_eq!(x.checked_sub(y), Ok(Money::from_minor(a - b, left)));
                prop_assert_eq!(x.checked_cmp(&y), Ok(a.cmp(&b)));
            } else {
                let refused = Err(MoneyError::CurrencyMismatch { left, right });
                prop_assert_eq!(x.checked_add(y), refused);
                prop_assert_eq!(x.checked_sub(y), refused);
                prop_assert_eq!(x.checked_min(y), refused);
                prop_assert_eq!(x.checked_max(y), refused);
                prop_assert!(x.checked_cmp(&y).is_err());
                prop_assert!(Money::checked_sum([x, y], left).is_err());
            }
        }

        /// Invoices add rounded line amounts: the sum of rounded parts is
        /// exact (no second rounding moves it) and within half a minor
        /// unit per part of the unrounded sum.
        #[test]
        fn the_sum_of_rounded_parts_is_exact(
            parts in prop::collection::vec((-10_000_000i64..10_000_000, 0u32..6), 0..20),
            currency in currency(),
        ) {
            let amounts: Vec<Decimal> = parts.iter().map(|&(u, s)| Decimal::new(u, s)).collect();
            let rounded: Vec<Money> = amounts.iter().map(|a| Money::new(*a, currency)).collect();
            let sum = Money::checked_sum(rounded.iter().copied(), currency).unwrap();
            let plain: Decimal = rounded.iter().map(Money::amount).sum();
            prop_assert_eq!(sum.amount(), plain);
            prop_assert_eq!(sum.to_minor(), Some(rounded.iter().map(|m| m.to_minor().unwrap()).sum::<i64>()));
            let unrounded: Decimal = amounts.iter().sum();
            let half = Decimal::new(5, currency.minor_digits() + 1);
            prop_assert!((sum.amount() - unrounded).abs() <= half * Decimal::from(amounts.len().max(1)));
        }

        #[test]
        fn exact_refuses_what_rounding_would_change(
            units in -10_000_000i64..10_000_000,
            scale in 0u32..6,
            currency in currency(),
        ) {
            let amount = Decimal::new(units, scale);
            let result = Money::exact(amount, currency, AtLeast::Zero);
            if amount < Decimal::ZERO {
                prop_assert_eq!(result, Err(MoneyError::TooSmall));
            } else if currency.round(amount) != amount {
                prop_assert_eq!(result, Err(MoneyError::TooPrecise));
            } else {
                prop_assert_eq!(result, Ok(Money::new(amount, currency)));
            }
        }
    }

    /// Codes of every minor unit ISO 4217 has: 0, 2, 3 and 4 decimals.
    fn iso_currency() -> impl Strategy<Value = (Currency, u32)> {
        prop::sample::select(vec![
            ("JPY", 0),
            ("KRW", 0),
            ("XOF", 0),
            ("ISK", 0),
            ("USD", 2),
            ("EUR", 2),
            ("INR", 2),
            ("MXN", 2),
            ("KWD", 3),
            ("BHD", 3),
            ("TND", 3),
            ("CLF", 4),
            ("UYW", 4),
        ])
        .prop_map(|(code, digits)| (Currency::parse(code).unwrap(), digits))
    }

    proptest! {
        /// The exponent comes from ISO 4217: money in a currency always
        /// has exactly its minor unit's decimals, and an amount from
        /// outside with more is refused, never rounded.
        #[test]
        fn money_has_its_currencys_iso_exponent(
            units in -10_000_000_000i64..10_000_000_000,
            scale in 0u32..8,
            (currency, digits) in iso_currency(),
        ) {
            prop_assert_eq!(currency.minor_digits(), digits);
            let amount = Decimal::new(units, scale);
            let money = Money::new(amount, currency);
            prop_assert_eq!(money.amount().scale(), digits);
            prop_assert_eq!(Money::from_minor(money.to_minor().unwrap(), currency), money);
            let exact = Money::exact(amount.abs(), currency, AtLeast::Zero);
            if amount.normalize().scale() > digits {
                prop_assert_eq!(exact, Err(MoneyError::TooPrecise));
            } else {
                prop_assert_eq!(exact, Ok(Money::new(amount.abs(), currency)));
            }
        }

        /// Three letters that ISO 4217 does not list are not a currency.
        #[test]
        fn only_iso_4217_codes_are_currencies(code in "[A-Z]{3}") {
            let known = iso_currency::Currency::from_code(&code)
                .is_some_and(|c| c.exponent().is_some());
            prop_assert_eq!(Currency::parse(&code).is_ok(), known);
        }
    }

    #[test]
    fn money_displays_as_currency_format_does() {
        let usd = Currency::USD;
        assert_eq!(
            Money::new(Decimal::new(101_000, 4), usd).to_string(),
            "10.10 USD"
        );
        assert_eq!(
            Money::new(Decimal::new(-1005, 3), usd).format(),
            "-1.01 USD"
        );
        assert_eq!(Money::zero(usd).to_string(), "0.00 USD");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Money::new(Decimal::new(105, 1), jpy).to_string(), "11 JPY");
        assert_eq!(
            serde_json::to_string(&Money::from_minor(12050, usd)).unwrap(),
            "\"120.50\""
        );
        assert!(Money::from_minor(1, usd).is_positive());
        assert!(Money::from_minor(-1, usd).is_negative());
        assert!(Money::zero(usd).is_zero());
        assert_eq!(
            Money::from_minor(5, usd).negated(),
            Money::from_minor(-5, usd)
        );
        assert_eq!(
            Money::exact(Decimal::MAX, usd, AtLeast::Zero),
            Err(MoneyError::Overflow)
        );
        let big = Money::new(Decimal::MAX, Currency::parse("JPY").unwrap());
        assert_eq!(big.checked_add(big), Err(MoneyError::Overflow));
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
