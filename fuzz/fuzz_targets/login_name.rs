//! What a customer types as log-in name: no panic; an `@` makes it an
//! e-mail address, anything else a phone number, each exactly as that
//! parser reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::identity::LoginName;
use portal_core::shared::{EmailAddress, PhoneNumber};

fuzz_target!(|text: &str| {
    match LoginName::parse(text) {
        Ok(LoginName::Email(email)) => {
            assert!(text.contains('@'));
            assert_eq!(EmailAddress::parse(text), Ok(email));
        }
        Ok(LoginName::Phone(phone)) => {
            assert!(!text.contains('@'));
            assert_eq!(PhoneNumber::parse(text), Ok(phone));
        }
        Err(_) if text.contains('@') => assert!(EmailAddress::parse(text).is_err()),
        Err(_) => assert!(PhoneNumber::parse(text).is_err()),
    }
});
