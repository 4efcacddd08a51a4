//! Reading an amount a client typed or sent. Pages and the API accept the
//! same numbers (the pages also let people type thousands separators);
//! the core then checks sign and decimals against the currency.

use rust_decimal::Decimal;

/// `text` as a decimal when it is only digits with at most one point and an
/// optional leading minus: no exponent, no currency sign, nothing that
/// `Decimal` would round.
pub(crate) fn plain_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
    plain.then(|| Decimal::from_str_exact(text).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_decimals_are_amounts() {
        assert_eq!(plain_decimal(" 120.50 "), Some(Decimal::new(12050, 2)));
        assert_eq!(plain_decimal("-1"), Some(Decimal::NEGATIVE_ONE));
        for refused in ["", "-", "1e3", "£10", "$10", "1,000", "1.2.3", "ten"] {
            assert_eq!(plain_decimal(refused), None, "{refused}");
        }
    }
}
