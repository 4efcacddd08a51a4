//! Building blocks every context uses: ids, parsed contact points, money
//! rounding, the clock, pagination and the parse error.

mod clock;
mod contact_points;
mod ids;
mod money;
mod page;

#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
pub use clock::{Clock, FixedClock, SystemClock};
pub use contact_points::{EmailAddress, PhoneNumber, PostalCode};
pub use ids::{
    AccountId, CommunicationId, ContactId, ExternalId, LeaseId, OutboxId, SessionId, TenantId,
};
pub use money::{format_amount, minor_unit_digits, round_to_minor_unit};
pub use page::{Page, PageRequest};

/// A value from outside did not meet its type's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} {reason}")]
pub struct ParseError {
    /// The input field the value came from, as the caller knows it.
    pub field: &'static str,
    /// What is wrong, phrased to follow the field name.
    pub reason: &'static str,
}

impl ParseError {
    /// An error about `field`.
    pub const fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}
