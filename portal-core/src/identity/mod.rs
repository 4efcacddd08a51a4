//! Identity: contacts, credentials, sessions and one-time tokens, and the
//! password policy and hasher.

mod models;
mod password;
mod tokens;

pub use models::{
    Contact, ContactUpsert, Credential, LoginCandidate, LoginName, Membership, OneTimeToken,
    Session, SessionContext, SessionKind, TokenPurpose,
};
#[cfg(any(test, feature = "mocks"))]
pub use password::MockPasswordHasher;
pub use password::{
    Argon2Hasher, HashError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password, PasswordHasher,
};
#[cfg(any(test, feature = "mocks"))]
pub use tokens::MockTokenSource;
pub use tokens::{OsTokens, RawToken, TokenHash, TokenSource};
