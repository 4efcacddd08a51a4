//! The error every use case returns. Variants are what a caller can act on;
//! the HTTP crate maps each to one status code in one place. Internal causes
//! are logged where they happen and shown to no one.

use crate::access::AccessError;
use crate::identity::HashError;
use crate::ports::StoreError;
use crate::shared::ParseError;

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// Input broke a rule; `field` names the input (HTTP 422).
    #[error("{} {reason}.", crate::shared::field_label(field))]
    InvalidInput {
        /// The input field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Log-in failed. Deliberately the same for an unknown name, a wrong
    /// password, a locked or disabled contact (HTTP 401).
    #[error(
        "That email or phone number and password don't match. After several failed tries log-in \
         pauses for a few minutes; resetting your password lifts the pause."
    )]
    InvalidCredentials,
    /// Registration was refused. Deliberately the same whichever fact did
    /// not match, and whether or not the account may register (HTTP 422).
    #[error(
        "We couldn't match these details to an account that can register here. Check them \
         against a recent invoice, or contact us."
    )]
    RegistrationRefused,
    /// A set-password link is unknown, used or expired (HTTP 410).
    #[error("This link has expired or was already used. Ask for a new one.")]
    LinkInvalid,
    /// No live session (HTTP 401).
    #[error("Please log in.")]
    Unauthenticated,
    /// The actor may not do this (HTTP 403).
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// Nothing of that id in the actor's scope (HTTP 404). Also what another
    /// account's or tenant's things look like.
    #[error("We couldn't find that.")]
    NotFound,
    /// The change clashes with the current state (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// Something failed inside; details are in the logs (HTTP 500).
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal(String),
}

impl PortalError {
    /// An invalid-input error for `field`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}

impl From<ParseError> for PortalError {
    fn from(error: ParseError) -> Self {
        Self::invalid(error.field, error.reason)
    }
}

impl From<StoreError> for PortalError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(rule) => Self::Conflict(rule),
            StoreError::Backend(cause) => {
                tracing::error!(%cause, "store failed");
                Self::Internal(cause)
            }
        }
    }
}

impl From<HashError> for PortalError {
    fn from(error: HashError) -> Self {
        tracing::error!(cause = %error, "password hasher failed");
        Self::Internal(error.to_string())
    }
}
