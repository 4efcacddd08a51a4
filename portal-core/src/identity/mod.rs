//! Identity: contacts, credentials, sessions and one-time tokens, and the
//! password policy and hasher.

mod ports;
pub use ports::{
    ContactStore, CredentialStore, LinkIssue, LockoutStore, ProfileStore, SessionStore, TokenStore,
};
#[cfg(any(test, feature = "mocks"))]
pub use ports::{
    MockContactStore, MockCredentialStore, MockLockoutStore, MockProfileStore, MockSessionStore,
    MockTokenStore,
};

mod device;
mod errors;
mod models;
mod service;
pub use service::{
    AuthContext, IdentityService, KnownFacts, LinkRequest, NewSession, NewViewAs, TokenInfo,
    VIEW_AS_HOURS,
};
mod password;
mod tokens;

pub use device::{
    DEVICE_LIFETIME, DeviceId, DeviceToken, InvalidKey, LoginClient, LoginSource, SecretKey,
    UNTRUSTED_SCOPE, client_block,
};
pub use errors::IdentityConflict;
pub use models::{
    Contact, ContactUpsert, Credential, EMAIL_CHANGE_LIFETIME, EmailChange, LoginCandidate,
    LoginName, MAX_CONTACT_NAME, MAX_OTHER_PHONES, Membership, OneTimeToken, OtherPhone, PhoneKind,
    ProfileChange, Session, SessionContext, SessionKind, TokenPurpose, check_contact_name,
};
#[cfg(any(test, feature = "mocks"))]
pub use password::MockPasswordHasher;
pub use password::{HashError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password, PasswordHasher};
#[cfg(any(test, feature = "mocks"))]
pub use tokens::MockTokenSource;
pub use tokens::{OsTokens, RawToken, TokenHash, TokenSource, VIEW_AS_PREFIX, is_view_as_token};
