//! Building blocks every context uses: ids, parsed contact points, money
//! ([`Money`] and its rounding rule), the clock, pagination and the parse error.

mod clock;
mod conflict;
mod contact_points;
mod ids;
mod money;
mod page;
mod store_error;

#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
pub use clock::{Clock, FixedClock, SystemClock};
pub use conflict::{Conflict, Unique};
pub use contact_points::{EmailAddress, PhoneNumber, PostalCode};
pub use ids::{
    AccountId, AutopayId, CommunicationId, ContactId, ExternalId, InvoiceId, LeaseId, OutboxId,
    PaymentId, PaymentMethodId, SessionId, TenantId,
};
pub use money::{
    AtLeast, Currency, Money, MoneyError, format_amount, minor_unit_digits, round_to_minor_unit,
};
pub use page::{Page, PageRequest};
pub use store_error::StoreError;

/// A value from outside did not meet its type's rules. Displays as a
/// sentence a customer can act on ("Postal code is required.").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {reason}.", field_label(field))]
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

/// How a field is named to customers.
pub fn field_label(field: &str) -> String {
    match field {
        "email" => "Email".to_owned(),
        "phone" => "Phone number".to_owned(),
        "postal_code" => "Postal code".to_owned(),
        "login" => "Email or phone number".to_owned(),
        "current_password" => "Current password".to_owned(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}
