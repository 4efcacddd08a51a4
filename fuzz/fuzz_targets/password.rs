//! New passwords (registration, set-password links, change): no panic; a
//! password is accepted exactly when it has 8 to 128 characters, and is
//! kept as typed (never trimmed or changed).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::identity::Password;

fuzz_target!(|text: &str| {
    let length = text.chars().count();
    match Password::parse(text) {
        Ok(password) => {
            assert!((8..=128).contains(&length), "{length}");
            assert_eq!(password.expose(), text);
            assert_eq!(format!("{password:?}"), "Password(***)");
        }
        // Too short, too long, or a common password.
        Err(error) => assert_eq!(error.field, "password"),
    }
});
