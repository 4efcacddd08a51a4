//! Postal codes (known-facts registration, the host's accounts): no
//! panic; a parsed code is 3 to 10 upper-case ASCII letters and digits,
//! parses again to itself, and case, spaces and dashes never matter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::PostalCode;

fuzz_target!(|text: &str| {
    let Ok(code) = PostalCode::parse(text) else {
        return;
    };
    let normal = code.as_str();
    assert!((3..=10).contains(&normal.len()), "{normal}");
    assert!(
        normal
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
        "{normal}"
    );
    assert_eq!(PostalCode::parse(normal).as_ref(), Ok(&code));
    let typed = format!(" {}-{} ", &normal[..1], normal[1..].to_lowercase());
    assert_eq!(PostalCode::parse(&typed).as_ref(), Ok(&code));
});
