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
use portal_core::billing::PaymentFailure;
use portal_core::identity::IdentityConflict;
use portal_core::quotes::QuotesConflict;
use portal_core::shared::{Conflict, Item, Reason, Shape, Unique};

/// The sentence a customer sees for `error`.
///
/// ```
/// use portal_core::PortalError;
/// use portal_core::shared::{Reason, Shape};
/// use portal_http_axum::messages::error_message;
///
/// let error = PortalError::invalid("email", Reason::Malformed(Shape::Email));
/// assert_eq!(error_message(&error), "Email doesn't look like an email address.");
/// ```
pub fn error_message(error: &PortalError) -> String {
    match error {
        PortalError::InvalidInput {
            field,
            item,
            reason,
        } => invalid_input(field, item.as_ref(), reason),
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
        Conflict::Quotes(conflict) => quotes(conflict),
    }
}

fn quotes(conflict: &QuotesConflict) -> String {
    match conflict {
        QuotesConflict::AlreadyDecided {
            number,
            approved: true,
        } => format!("Quote {number} was already approved."),
        QuotesConflict::AlreadyDecided {
            number,
            approved: false,
        } => format!("Quote {number} was already declined."),
        QuotesConflict::Expired { number } => format!(
            "Quote {number} has expired and can no longer be approved or declined. Contact us \
             for a new one."
        ),
        QuotesConflict::Changed { number } => format!(
            "Quote {number} was changed since you opened it. Please read it again before \
             approving."
        ),
        QuotesConflict::QuoteOfAnotherAccount => {
            "This quote belongs to another account.".to_owned()
        }
        QuotesConflict::DecidedQuoteChanged { number } => {
            format!("Quote {number} was decided and cannot be changed.")
        }
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

/// The sentence for invalid input: the field's label, the item when it is
/// one of several ("Amount for invoice INV-1"), then the rule.
pub fn invalid_input(field: &str, item: Option<&Item>, reason: &Reason) -> String {
    let label = field_label(field);
    match item {
        Some(item) => format!("{label} {} {}.", item_words(item), rule(reason)),
        None => format!("{label} {}.", rule(reason)),
    }
}

/// How an item among several is named after its field's label.
fn item_words(item: &Item) -> String {
    match item {
        Item::Invoice { number, .. } => format!("for invoice {number}"),
        Item::CustomField(name) => format!("\"{name}\""),
    }
}

/// How a field is named to customers, where no label of a page names it.
pub fn field_label(field: &str) -> String {
    match field {
        "email" => "Email".to_owned(),
        "phone" => "Phone number".to_owned(),
        "postal_code" => "Postal code".to_owned(),
        "login" => "Email or phone number".to_owned(),
        "current_password" => "Current password".to_owned(),
        "min_total" => "Amount from".to_owned(),
        "max_total" => "Amount to".to_owned(),
        "issued_from" => "Issued from".to_owned(),
        "issued_to" => "Issued to".to_owned(),
        "method" | "method_id" => "Card".to_owned(),
        "signer_name" => "Your full name".to_owned(),
        "po_number" => "Purchase order number".to_owned(),
        "optional_lines" => "Optional items".to_owned(),
        "token" => "Card".to_owned(),
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

/// A rule, phrased to follow a field's label ("must be 1 to 64
/// characters").
pub fn rule(reason: &Reason) -> String {
    match reason {
        Reason::Required => "is required".to_owned(),
        Reason::Malformed(shape) => malformed(*shape).to_owned(),
        Reason::Length { min: 0, max } => format!("must be at most {max} characters"),
        Reason::Length { min, max } => format!("must be {min} to {max} characters"),
        Reason::TooShort { min } => format!("must be at least {min} characters"),
        Reason::Count { min, max } => format!("must be {min} to {max}"),
        Reason::Whitespace => "must not contain spaces or control characters".to_owned(),
        Reason::UrlCredentials => "must not hold a user name or password".to_owned(),
        Reason::OneLine { max } => format!("must be one line of at most {max} characters"),
        Reason::NotAChoice { choices } => format!("is not one of the choices: {choices}"),
        Reason::Percent => "must be 0 to 100 percent".to_owned(),
        Reason::TooLarge => "is too large".to_owned(),
        Reason::NotPositiveAmount { decimals } => {
            format!("must be more than zero, with at most {decimals} decimals")
        }
        Reason::AmountRange { currency } => format!(
            "range must be amounts in {currency}, not below zero, with at most {} decimals",
            currency.minor_digits()
        ),
        Reason::WrongCurrency { expected } => format!("must be in {expected}"),
        Reason::BeforeIssueDate => "must not be before the issue date".to_owned(),
        Reason::AfterEnd => "must not be after the end of the range".to_owned(),
        Reason::AboveMaximum => "must not be above the maximum".to_owned(),
        Reason::RangeTooLong { years } => format!("must be within {years} years of the start"),
        Reason::NegativeTotal => "must not total below zero; record a credit instead".to_owned(),
        Reason::WrongPassword => "isn't right".to_owned(),
        Reason::CommonPassword => "is too common; choose another".to_owned(),
        Reason::NoLoginName => "needs an email or a phone number to log in with".to_owned(),
        Reason::PortalOff => "has no account with the portal switched on".to_owned(),
        Reason::LockoutPolicy => "must allow 1-100 failures and lock 1-1440 minutes".to_owned(),
        Reason::SessionPolicy => "must be idle 5-1440 minutes and absolute 1-720 hours".to_owned(),
        Reason::OverOwed { owed } => format!("is more than the {} owed", owed.format()),
        Reason::WholeInvoices { below, above } => format!(
            "must pay whole invoices, oldest first: {} or {} would",
            below.format(),
            above.format()
        ),
        Reason::NothingChosen { or_prepay: true } => {
            "must include at least one invoice, or an amount to prepay".to_owned()
        }
        Reason::NothingChosen { or_prepay: false } => {
            "must include at least one invoice".to_owned()
        }
        Reason::ListedTwice => "is listed twice".to_owned(),
        Reason::OverBalance { balance } => {
            format!("is more than its balance of {}", balance.format())
        }
        Reason::NotFullBalance { balance } => {
            format!("must be its full balance of {}", balance.format())
        }
        Reason::OverCredit { credit } => {
            format!("is more than your account credit of {}", credit.format())
        }
        Reason::NoCredit => "can't be applied: there is no account credit".to_owned(),
        Reason::CoveredByCredit => {
            "covers all of it, so no card is charged: pay it from your credit".to_owned()
        }
        Reason::OverPayment => "adds up to more than the payment".to_owned(),
        Reason::CardExpired => "has expired; use another card".to_owned(),
        Reason::CardMissing => "is missing: enter the new card, or choose a saved one".to_owned(),
        Reason::CardNumber => {
            "looks like a card number; the portal only takes the payment provider's token"
                .to_owned()
        }
        Reason::CardRefused => "was not accepted: check its details or use another card".to_owned(),
        Reason::ConsentNeeded => "is needed: agree to the terms to turn on autopay".to_owned(),
        Reason::KeyReused => {
            "was already used for a different payment; start a new payment".to_owned()
        }
        Reason::FormExpired => "is missing from the form; reload the page and try again".to_owned(),
        Reason::BadSignature => "does not verify".to_owned(),
        Reason::NotEditable => "cannot be changed here".to_owned(),
        Reason::NotAnOptionalLine => "must only tick the quote's optional lines".to_owned(),
        _ => "is not valid".to_owned(),
    }
}

fn malformed(shape: Shape) -> &'static str {
    match shape {
        Shape::Email => "doesn't look like an email address",
        Shape::Phone => "doesn't look like a phone number",
        Shape::PostalCode => "doesn't look like a postal code",
        Shape::EmailOrPhone => "must be an email address or a phone number",
        Shape::Id => "is not a valid id",
        Shape::ExternalId => "must be 1 to 128 printable characters",
        Shape::Slug => "must be 1 to 63 lower-case letters, digits and dashes",
        Shape::Colour => "must be a colour written like #1a2b3c or #abc",
        Shape::AbsoluteUrl => "must be an absolute URL",
        Shape::SafeUrl => "must be an https URL (http only for localhost)",
        Shape::TimeZone => "is not a known IANA time zone",
        Shape::CurrencyCode => "must be a three-letter ISO 4217 code such as USD",
        Shape::Locale => "must be a BCP 47 language tag such as en-US",
        Shape::BaseUrl => "must be an http(s) URL ending in /",
        Shape::IdempotencyKey => "must be 8 to 100 letters, digits, '-' or '_'",
        Shape::PaymentToken => "is not a payment token",
        Shape::Pdf => "must be a PDF document of at most 10 MiB",
        Shape::Date => "must be a date written as YYYY-MM-DD, such as 2026-11-30",
        Shape::Amount => "is not an amount; type digits only, such as 120.50",
        Shape::DecimalString => "must be an amount written as a decimal string, such as \"120.50\"",
        Shape::WholeNumber => "must be a whole number from 1",
        Shape::Digest => "must be a SHA-256 digest: 64 lower-case hex digits",
        Shape::Position => "must be a whole number from 0",
        Shape::Text => "must be plain text",
        _ => "is not valid",
    }
}

/// Why a payment failed, for the customer: nothing was charged.
pub fn payment_failure(failure: &PaymentFailure) -> String {
    match failure {
        PaymentFailure::Declined { message } if message.trim().is_empty() => {
            "The card was declined. Nothing was charged.".to_owned()
        }
        PaymentFailure::Declined { message } => format!("{message} Nothing was charged."),
        PaymentFailure::MethodRefused => "This card was not accepted. Check its details or use \
             another card; nothing was charged."
            .to_owned(),
        PaymentFailure::ProviderFailed => "The payment provider had a problem, and nothing was \
             charged. Please try again in a moment."
            .to_owned(),
        PaymentFailure::Abandoned => {
            "The payment did not go through, and nothing was charged.".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::shared::{Currency, InvoiceId, Money};

    #[test]
    fn an_items_error_names_the_item_after_the_fields_label() {
        let item = Item::Invoice {
            id: InvoiceId::new(),
            number: "INV-7".into(),
        };
        let balance = Money::from_minor(1_250, Currency::USD);
        assert_eq!(
            invalid_input("amount", Some(&item), &Reason::OverBalance { balance }),
            "Amount for invoice INV-7 is more than its balance of 12.50 USD."
        );
        let field = Item::CustomField("Gate code".into());
        assert_eq!(
            invalid_input("custom_fields", Some(&field), &Reason::NotEditable),
            "Custom fields \"Gate code\" cannot be changed here."
        );
        assert_eq!(
            invalid_input("min_total", None, &Reason::AboveMaximum),
            "Amount from must not be above the maximum."
        );
    }

    #[test]
    fn a_failed_payment_always_says_nothing_was_charged() {
        for failure in [
            PaymentFailure::Declined {
                message: "Insufficient funds.".into(),
            },
            PaymentFailure::Declined {
                message: String::new(),
            },
            PaymentFailure::MethodRefused,
            PaymentFailure::ProviderFailed,
            PaymentFailure::Abandoned,
        ] {
            let said = payment_failure(&failure);
            assert!(
                said.to_lowercase().contains("nothing was charged"),
                "{said}"
            );
        }
        let declined = PaymentFailure::Declined {
            message: "Insufficient funds.".into(),
        };
        assert_eq!(
            payment_failure(&declined),
            "Insufficient funds. Nothing was charged."
        );
    }
}
