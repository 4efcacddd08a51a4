//! Passwords: the policy (8 to 128 characters, no composition rules, common
//! passwords refused) and the [`PasswordHasher`] port (its argon2id adapter,
//! which hashes on threads of its own, is `portal_runtime::Argon2Hasher`).
//! The cap bounds hashing cost; NIST SP 800-63B and OWASP ASVS
//! advise against composition rules.

use crate::shared::Reason;
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

use crate::shared::ParseError;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted; bounds the cost of hashing.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords too common to accept, lower-cased (a short list of the most
/// used; the check is case-insensitive).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "qwerty123",
    "qwerty12",
    "1q2w3e4r",
    "1qaz2wsx",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "abc12345",
    "abcd1234",
    "11111111",
    "00000000",
    "88888888",
    "87654321",
    "letmein1",
    "trustno1",
    "superman",
    "starwars",
    "dragon123",
    "monkey123",
    "master123",
    "whatever",
    "changeme",
    "adminadmin",
    "administrator",
    "admin123",
    "qazwsxedc",
    "zaq12wsx",
    "asdfghjk",
    "asdfasdf",
    "secret123",
    "internet",
    "computer",
    "michelle",
    "jennifer",
    "charlie1",
    "shadow12",
    "liverpool",
    "chelsea1",
    "password!",
    "p@ssw0rd",
    "p@ssword",
    "test1234",
    "default1",
    "login123",
    "portal123",
    "customer",
];

/// A new password that meets the policy. `Debug` prints `***`.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    /// Checks the policy: 8 to 128 characters, not a common password.
    ///
    /// ```
    /// use portal_core::identity::Password;
    /// assert!(Password::parse("correct horse battery").is_ok());
    /// assert!(Password::parse("short").is_err());
    /// assert!(Password::parse("Password123").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let length = text.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(ParseError::new(
                "password",
                Reason::TooShort {
                    min: MIN_PASSWORD_CHARS,
                },
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(ParseError::new(
                "password",
                Reason::Length {
                    min: 0,
                    max: MAX_PASSWORD_CHARS,
                },
            ));
        }
        if COMMON_PASSWORDS.contains(&text.to_lowercase().as_str()) {
            return Err(ParseError::new("password", Reason::CommonPassword));
        }
        Ok(Self(SecretString::from(text.to_owned())))
    }

    /// The password's text, for the hasher only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The hasher failed in a way that is not "wrong password".
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(pub String);

/// Hashes and verifies passwords. Implementations MUST be slow on purpose
/// (a memory-hard function) and MUST NOT block the async executor.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a new password into a self-describing (PHC) string.
    async fn hash(&self, password: &Password) -> Result<String, HashError>;

    /// Whether `candidate` matches `stored`. A malformed `stored` is an error.
    async fn verify(&self, candidate: &SecretString, stored: &str) -> Result<bool, HashError>;

    /// Spends the same time as a [`Self::verify`] against a real hash, so an
    /// unknown log-in name costs what a known one does.
    async fn verify_dummy(&self, candidate: &SecretString);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_bounds_length_and_refuses_common_passwords() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse("LetMeIn1").is_err());
        assert!(Password::parse("seven dwarfs walk").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("seven dwarfs walk").unwrap()),
            "Password(***)"
        );
    }
}
