//! E-mail addresses (registration, reset, log-in, the host's contacts):
//! no panic; a parsed address is normalised (lower case, trimmed, within
//! the lengths) and parses again to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::shared::EmailAddress;

fuzz_target!(|text: &str| {
    let Ok(email) = EmailAddress::parse(text) else {
        return;
    };
    let normal = email.as_str();
    assert_eq!(normal, normal.trim());
    assert_eq!(normal, normal.to_lowercase());
    assert!(normal.len() <= 254 && !normal.chars().any(char::is_whitespace));
    let (local, domain) = normal.split_once('@').expect("an @");
    assert!(!local.is_empty() && local.len() <= 64 && domain.contains('.'));
    assert_eq!(EmailAddress::parse(normal).as_ref(), Ok(&email));
    // Case never matters, where upper case maps back (not `ß` -> `SS`).
    let upper = normal.to_uppercase();
    if upper.to_lowercase() == normal {
        assert_eq!(EmailAddress::parse(&upper).as_ref(), Ok(&email));
    }
});
