//! Random tokens (sessions, set-password links) and their hashes. A raw token
//! exists only in the response or mail that carries it; storage keeps the
//! SHA-256, so a database leak yields nothing usable. SHA-256 without a salt
//! is enough here because the tokens carry 256 bits of entropy.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// A freshly made token, as given to the customer. `Debug` prints `***`.
#[derive(Clone)]
pub struct RawToken(SecretString);

impl RawToken {
    /// Wraps a token the customer sent back.
    pub fn from_client(text: &str) -> Self {
        Self(SecretString::from(text.trim().to_owned()))
    }

    /// The token's text, to put in a cookie, a link or a response.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The same token marked as a staff member's "view as customer"
    /// session's ([`VIEW_AS_PREFIX`] in front): the HTTP layer refuses a
    /// request that changes anything with such a token before looking it
    /// up. The mark is part of the hashed token, so it cannot be taken
    /// off a view-as token (nor put on a customer's own to any effect but
    /// refusing their own changes).
    pub fn into_view_as(self) -> Self {
        Self(SecretString::from(format!(
            "{VIEW_AS_PREFIX}{}",
            self.expose()
        )))
    }

    /// Whether the token is marked as a "view as customer" session's.
    ///
    /// ```
    /// use portal_core::identity::RawToken;
    /// let token = RawToken::from_client("abc");
    /// assert!(!token.is_view_as());
    /// assert!(token.into_view_as().is_view_as());
    /// ```
    pub fn is_view_as(&self) -> bool {
        is_view_as_token(self.expose())
    }

    /// The hash to store and look up by.
    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(self.expose().as_bytes())))
    }
}

impl fmt::Debug for RawToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawToken(***)")
    }
}

/// What a "view as customer" session's token starts with.
pub const VIEW_AS_PREFIX: &str = "view-as.";

/// Whether `token` (a cookie's or bearer token's text) is marked as a
/// "view as customer" session's.
pub fn is_view_as_token(token: &str) -> bool {
    token.trim().starts_with(VIEW_AS_PREFIX)
}

/// The SHA-256 of a token, hex-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// Wraps a hash read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares in constant time, for checks made outside an indexed lookup.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

/// Makes tokens. A port so tests can predict them; the real one reads the
/// operating system's random source.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenSource: Send + Sync {
    /// A new token with 256 bits of entropy.
    fn new_token(&self) -> RawToken;
}

/// Tokens from the operating system's CSPRNG: 32 bytes, hex-encoded.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsTokens;

impl TokenSource for OsTokens {
    fn new_token(&self) -> RawToken {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        RawToken(SecretString::from(hex::encode(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_distinct() {
        let a = OsTokens.new_token();
        let b = OsTokens.new_token();
        assert_eq!(a.expose().len(), 64);
        assert_ne!(a.expose(), b.expose());
    }

    #[test]
    fn the_hash_is_stable_and_never_the_token() {
        let token = RawToken::from_client("abc");
        assert_eq!(token.hash(), RawToken::from_client(" abc ").hash());
        assert_ne!(token.hash().as_str(), "abc");
        assert!(token.hash().matches(&token.hash()));
        assert_eq!(format!("{token:?}"), "RawToken(***)");
    }
}
