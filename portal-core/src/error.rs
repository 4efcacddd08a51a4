//! The error every use case returns. Variants are what a caller can act on;
//! the HTTP crate maps each to one status code and words it for people, in
//! one place each (its `error` and `messages` modules): the texts here are
//! for logs and developers. Internal causes are logged where they happen and
//! shown to no one.

use crate::access::AccessError;
use crate::identity::HashError;
use crate::ports::StoreError;
use crate::shared::{Item, ParseError, Reason};

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// Input broke a rule; `field` names the input, `item` which one of
    /// several alike (an invoice's amount), `reason` the rule (HTTP 422).
    #[error("invalid {field}: {reason:?}")]
    InvalidInput {
        /// The input field.
        field: &'static str,
        /// Which of several inputs of that field, when there are several.
        item: Option<Item>,
        /// The rule it broke.
        reason: Reason,
    },
    /// Log-in failed. Deliberately the same for an unknown name, a wrong
    /// password, a locked or disabled contact (HTTP 401).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Registration was refused. Deliberately the same whichever fact did
    /// not match, and whether or not the account may register (HTTP 422).
    #[error("registration refused")]
    RegistrationRefused,
    /// A set-password link is unknown, used or expired (HTTP 410).
    #[error("the link is unknown, used or expired")]
    LinkInvalid,
    /// No live session (HTTP 401).
    #[error("no live session")]
    Unauthenticated,
    /// The actor may not do this (HTTP 403).
    #[error(transparent)]
    Forbidden(#[from] AccessError),
    /// Nothing of that id in the actor's scope (HTTP 404). Also what another
    /// account's or tenant's things look like.
    #[error("not found")]
    NotFound,
    /// The change clashes with the current state (HTTP 409); the value
    /// says which rule, and about what.
    #[error("conflict: {0}")]
    Conflict(crate::shared::Conflict),
    /// Something failed inside; details are in the logs (HTTP 500).
    #[error("internal error: {0}")]
    Internal(String),
}

impl PortalError {
    /// An invalid-input error for `field`.
    pub fn invalid(field: &'static str, reason: Reason) -> Self {
        Self::InvalidInput {
            field,
            item: None,
            reason,
        }
    }

    /// An invalid-input error for `field` of one `item` among several.
    pub fn invalid_item(field: &'static str, item: Item, reason: Reason) -> Self {
        Self::InvalidInput {
            field,
            item: Some(item),
            reason,
        }
    }
}

impl From<crate::billing::BillingConflict> for PortalError {
    fn from(conflict: crate::billing::BillingConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::tickets::TicketsConflict> for PortalError {
    fn from(conflict: crate::tickets::TicketsConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::quotes::QuotesConflict> for PortalError {
    fn from(conflict: crate::quotes::QuotesConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::properties::PropertiesConflict> for PortalError {
    fn from(conflict: crate::properties::PropertiesConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::rentals::RentalsConflict> for PortalError {
    fn from(conflict: crate::rentals::RentalsConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::requests::RequestsConflict> for PortalError {
    fn from(conflict: crate::requests::RequestsConflict) -> Self {
        Self::Conflict(conflict.into())
    }
}

impl From<crate::contacts::ContactsConflict> for PortalError {
    fn from(conflict: crate::contacts::ContactsConflict) -> Self {
        Self::Conflict(conflict.into())
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
