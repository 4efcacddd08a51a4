//! Values customers type in that have rules: e-mail addresses, phone numbers
//! and postal codes. Each is parsed once at the edge into a normalised form,
//! so comparisons inside (log-in, known-facts registration) are plain `==`.

use super::{Reason, Shape};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::ParseError;

/// A syntactically valid e-mail address, stored lower-cased so that lookups
/// are case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and lower-cases an address: one `@`, a non-empty local part,
    /// a domain with a dot, no spaces, at most 254 characters.
    ///
    /// ```
    /// use portal_core::shared::EmailAddress;
    /// assert_eq!(EmailAddress::parse(" Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    /// assert!(EmailAddress::parse("ada@localhost").is_err());
    /// assert!(EmailAddress::parse("not an email").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let candidate = text.trim().to_lowercase();
        if candidate.is_empty() {
            return Err(ParseError::new("email", Reason::Required));
        }
        let invalid = || ParseError::new("email", Reason::Malformed(Shape::Email));
        if candidate.len() > 254
            || candidate
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid());
        }
        let (local, domain) = candidate.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok =
            !local.is_empty() && local.len() <= 64 && !local.contains(['<', '>', '"', ',']);
        if !(domain_ok && local_ok) {
            return Err(invalid());
        }
        Ok(Self(candidate))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number reduced to its digits (with a leading `+` when given), so
/// that "(555) 123-4567" and "555-123-4567" are the same number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Keeps a leading `+` and the digits; spaces, dots, dashes and brackets
    /// are dropped; anything else is refused. 7 to 15 digits (E.164's limit).
    ///
    /// ```
    /// use portal_core::shared::PhoneNumber;
    /// assert_eq!(PhoneNumber::parse("(555) 123-4567").unwrap().as_str(), "5551234567");
    /// assert_eq!(PhoneNumber::parse("+44 20 7946 0958").unwrap().as_str(), "+442079460958");
    /// assert!(PhoneNumber::parse("call me").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let invalid = || ParseError::new("phone", Reason::Malformed(Shape::Phone));
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ParseError::new("phone", Reason::Required));
        }
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", trimmed),
        };
        let mut digits = String::with_capacity(rest.len() + 1);
        digits.push_str(plus);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(invalid()),
            }
        }
        let count = digits.len() - plus.len();
        if !(7..=15).contains(&count) {
            return Err(invalid());
        }
        Ok(Self(digits))
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A postal or ZIP code, upper-cased with inner spaces and dashes removed,
/// so "sw1a 1aa" matches "SW1A1AA" and "12345-6789" matches "123456789".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

impl PostalCode {
    /// 3 to 10 letters and digits once spaces and dashes are removed.
    ///
    /// ```
    /// use portal_core::shared::PostalCode;
    /// assert_eq!(PostalCode::parse("sw1a 1aa").unwrap().as_str(), "SW1A1AA");
    /// assert!(PostalCode::parse("12").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code: String = text
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(ParseError::new("postal_code", Reason::Required));
        }
        if !(3..=10).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ParseError::new(
                "postal_code",
                Reason::Malformed(Shape::PostalCode),
            ));
        }
        Ok(Self(code))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PostalCode {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PostalCode> for String {
    fn from(value: PostalCode) -> Self {
        value.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsing_a_normalised_value_gives_it_back(raw in "[+]?[0-9 ().-]{7,25}") {
            if let Ok(phone) = PhoneNumber::parse(&raw) {
                prop_assert_eq!(PhoneNumber::parse(phone.as_str()), Ok(phone.clone()));
                prop_assert!(phone.as_str().trim_start_matches('+').chars().all(|c| c.is_ascii_digit()));
            }
        }

        #[test]
        fn phone_formatting_never_changes_the_number(digits in "[0-9]{10}") {
            let dashed = format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]);
            prop_assert_eq!(PhoneNumber::parse(&dashed), PhoneNumber::parse(&digits));
        }

        #[test]
        fn emails_compare_case_insensitively(local in "[a-z0-9._]{1,20}", domain in "[a-z0-9]{1,20}") {
            let lower = format!("{local}@{domain}.com");
            let upper = lower.to_uppercase();
            prop_assert_eq!(EmailAddress::parse(&lower), EmailAddress::parse(&upper));
        }

        #[test]
        fn postal_codes_ignore_case_spaces_and_dashes(code in "[a-z0-9]{3,8}") {
            let spaced = format!(" {}-{} ", &code[..2], &code[2..]);
            prop_assert_eq!(PostalCode::parse(&spaced), PostalCode::parse(&code.to_uppercase()));
        }
    }

    #[test]
    fn hostile_input_is_refused() {
        for bad in [
            "a@b",
            "@example.com",
            "a b@example.com",
            "<a@example.com>",
            "a@example..com",
            "a@-",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
        for bad in ["123", "555-CALL-NOW", "+", "1234567890123456"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
