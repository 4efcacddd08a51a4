//! Phone numbers (log-in, known-facts registration, the host's contacts):
//! no panic; a parsed number is an optional `+` and 7 to 15 digits, and
//! parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::PhoneNumber;

fuzz_target!(|text: &str| {
    let Ok(phone) = PhoneNumber::parse(text) else {
        return;
    };
    let digits = phone.as_str().strip_prefix('+').unwrap_or(phone.as_str());
    assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{phone}");
    assert!((7..=15).contains(&digits.len()), "{phone}");
    assert_eq!(PhoneNumber::parse(phone.as_str()).as_ref(), Ok(&phone));
});
