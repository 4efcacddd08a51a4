//! What customers are told about a domain error: every sentence for people
//! about core's errors is worded here, in one place, and nowhere below the
//! HTTP layer (core's errors are values: which rule, about what). Pages
//! and the API both use [`error_message`], so they say the same thing.
//!
//! English only for now; the message catalog (English, Spanish) replaces
//! these strings with keys.

use portal_core::PortalError;
use portal_core::access::AccessError;
use portal_core::billing::BillingConflict;
use portal_core::identity::IdentityConflict;
use portal_core::shared::{Conflict, Unique, field_label};

/// The sentence a customer sees for `error`.
pub fn error_message(error: &PortalError) -> String {
    match error {
        PortalError::InvalidInput { field, reason } => {
            format!("{} {reason}.", field_label(field))
        }
        PortalError::InvalidCredentials => "That email or phone number and password don't match. \
             After several failed tries log-in pauses for a few minutes; resetting your \
             password lifts the pause."
            .to_owned(),
        PortalError::RegistrationRefused => "We couldn't match these details to an account that \
             can register here. Check them against a recent invoice, or contact us."
            .to_owned(),
        PortalError::LinkInvalid => {
            "This link has expired or was already used. Ask for a new one.".to_owned()
        }
        PortalError::Unauthenticated => "Please log in.".to_owned(),
        PortalError::Forbidden(why) => forbidden(*why).to_owned(),
        PortalError::NotFound => "We couldn't find that.".to_owned(),
        PortalError::Conflict(conflict) => conflict_message(conflict),
        PortalError::Internal(_) => {
            "Something went wrong on our side. Please try again in a moment.".to_owned()
        }
    }
}

/// Why an actor was refused.
pub fn forbidden(why: AccessError) -> &'static str {
    match why {
        AccessError::NotPermitted => "Your role on this account does not allow this.",
        AccessError::FeatureOff => "This is not available in this portal.",
        AccessError::ReadOnly => "Viewing as a customer is read-only.",
    }
}

/// The rule a change broke, for people.
pub fn conflict_message(conflict: &Conflict) -> String {
    match conflict {
        Conflict::Taken(Unique::Email) => "This email is already in use.".to_owned(),
        Conflict::Taken(Unique::Phone) => "This phone number is already in use.".to_owned(),
        Conflict::Taken(Unique::TenantSlug) => "This portal name is already in use.".to_owned(),
        Conflict::Taken(Unique::Other) => "This already exists.".to_owned(),
        Conflict::Identity(conflict) => identity(conflict).to_owned(),
        Conflict::Billing(conflict) => billing(conflict),
    }
}

fn identity(conflict: &IdentityConflict) -> &'static str {
    match conflict {
        IdentityConflict::PasswordChanged => {
            "Your password was changed meanwhile. Please try again."
        }
        IdentityConflict::PasswordChangedOrLocked => {
            "Your password was changed, or log-in was paused, meanwhile. Please try again."
        }
        IdentityConflict::PasswordAlreadySet => {
            "A password is already set. Use \"Forgot password\" to choose a new one."
        }
    }
}

fn billing(conflict: &BillingConflict) -> String {
    match conflict {
        BillingConflict::NothingOwed => "Nothing is owed right now.".to_owned(),
        BillingConflict::NothingLeftToPay { number, .. } => {
            format!("Invoice {number} has nothing left to pay.")
        }
        BillingConflict::InvoiceShort { number, .. } => {
            format!("Invoice {number} has less than that left to pay.")
        }
        BillingConflict::InvoiceOfAnotherAccount => {
            "This invoice belongs to another account.".to_owned()
        }
        BillingConflict::InvoiceVoid { number } => format!("Invoice {number} is void."),
        BillingConflict::TotalBelowPaid { number } => {
            format!("The new total of invoice {number} is below what is paid and held.")
        }
        BillingConflict::InvoiceHeld { number } => {
            format!("A payment in progress holds part of invoice {number}.")
        }
        BillingConflict::PaymentInProgress => "This payment is still being processed. Check your \
             payment history in a moment before trying again."
            .to_owned(),
        BillingConflict::AmountsExceedPayment => {
            "The amounts applied exceed the payment.".to_owned()
        }
        BillingConflict::NotEnoughCredit => "The account has less credit than that.".to_owned(),
        BillingConflict::CreditChanged => {
            "The account's credit changed meanwhile. Please try again.".to_owned()
        }
        BillingConflict::AmountNotPositive { .. } => "Amounts must be more than zero.".to_owned(),
        BillingConflict::AmountNotInMinorUnits { currency, .. } => {
            format!("Amounts in {currency} have too many decimals.")
        }
        BillingConflict::WrongCurrency { expected, .. } => {
            format!("Amounts must be in {expected}.")
        }
        BillingConflict::CardUsedByAutopay => "Autopay uses this card. Choose another card for \
             autopay, or leave autopay, before removing it."
            .to_owned(),
        BillingConflict::TooManyCards { max } => {
            format!("An account can keep at most {max} cards on file; remove one first.")
        }
        BillingConflict::ProviderFailed => "The payment provider had a problem, and nothing was \
             charged. Please try again in a moment."
            .to_owned(),
        BillingConflict::AutopayTermsChanged => {
            "The autopay terms have changed. Please read them again and confirm.".to_owned()
        }
    }
}
