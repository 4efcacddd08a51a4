//! What customers are told about a domain error: every sentence for people
//! about core's errors is worded here, in one place, and nowhere below the
//! HTTP layer (core's errors are values: which rule, about what). Pages
//! and the API both use [`error_message`], so they say the same thing.
//!
//! The words come from the message catalog (`portal-i18n`, `errors.ftl`):
//! each function takes the catalog in the reader's language and maps the
//! error's value to its key, so every language says the same rule.

use portal_core::PortalError;
use portal_core::access::AccessError;
use portal_core::billing::BillingConflict;
use portal_core::billing::PaymentFailure;
use portal_core::contacts::ContactsConflict;
use portal_core::identity::IdentityConflict;
use portal_core::properties::PropertiesConflict;
use portal_core::quotes::QuotesConflict;
use portal_core::rentals::RentalsConflict;
use portal_core::requests::{RequestStatus, RequestsConflict};
use portal_core::shared::{Conflict, Item, Reason, Shape, Unique};
use portal_core::tickets::TicketsConflict;
use portal_i18n::Messages;

/// The catalog the JSON API words its problem details and failure messages
/// in: English, whoever asks. API clients act on the problem's `type` and
/// `field`, not on its sentence, and show their own words.
pub fn api() -> Messages {
    Messages::new(portal_i18n::Language::English)
}

/// The sentence a customer sees for `error`.
///
/// ```
/// use portal_core::PortalError;
/// use portal_core::shared::{Reason, Shape};
/// use portal_http_axum::messages::error_message;
/// use portal_i18n::{Language, Messages};
///
/// let error = PortalError::invalid("email", Reason::Malformed(Shape::Email));
/// let t = Messages::new(Language::English);
/// assert_eq!(error_message(t, &error), "Email doesn't look like an email address.");
/// let t = Messages::new(Language::Spanish);
/// assert_eq!(
///     error_message(t, &error),
///     "Correo electrónico: no parece un correo electrónico."
/// );
/// ```
pub fn error_message(t: Messages, error: &PortalError) -> String {
    match error {
        PortalError::InvalidInput {
            field,
            item,
            reason,
        } => invalid_input(t, field, item.as_ref(), reason),
        PortalError::InvalidCredentials => t.msg("error-invalid-credentials"),
        PortalError::RegistrationRefused => t.msg("error-registration-refused"),
        PortalError::LinkInvalid => t.msg("error-link-invalid"),
        PortalError::Unauthenticated => t.msg("error-unauthenticated"),
        PortalError::Forbidden(why) => forbidden(t, *why),
        PortalError::NotFound => t.msg("error-not-found"),
        PortalError::Conflict(conflict) => conflict_message(t, conflict),
        PortalError::Internal(_) => t.msg("error-internal"),
    }
}

/// Why an actor was refused.
pub fn forbidden(t: Messages, why: AccessError) -> String {
    match why {
        AccessError::NotPermitted => t.msg("forbidden-not-permitted"),
        AccessError::FeatureOff => t.msg("forbidden-feature-off"),
        AccessError::ReadOnly => t.msg("forbidden-read-only"),
    }
}

/// The rule a change broke, for people.
pub fn conflict_message(t: Messages, conflict: &Conflict) -> String {
    match conflict {
        Conflict::Taken(Unique::Email) => t.msg("taken-email"),
        Conflict::Taken(Unique::Phone) => t.msg("taken-phone"),
        Conflict::Taken(Unique::TenantSlug) => t.msg("taken-tenant-slug"),
        Conflict::Taken(Unique::Other) => t.msg("taken-other"),
        Conflict::Identity(conflict) => identity(t, conflict),
        Conflict::Billing(conflict) => billing(t, conflict),
        Conflict::Quotes(conflict) => quotes(t, conflict),
        Conflict::Properties(PropertiesConflict::PropertyOfAnotherAccount) => {
            t.msg("properties-property-of-another-account")
        }
        Conflict::Rentals(conflict) => rentals(t, conflict),
        Conflict::Requests(RequestsConflict::NotPending { status }) => t.msg_with(
            "request-not-pending",
            t.arg("status", request_status(t, *status)),
        ),
        // Only the host's upserts break these (a record named for another
        // account); customers only read contracts, equipment, jobs and sites.
        Conflict::ServiceContracts(_) | Conflict::Assets(_) | Conflict::Jobs(_) => {
            t.msg("conflict-another-account")
        }
        Conflict::Contacts(conflict) => t.msg(match conflict {
            ContactsConflict::LastManager => "contacts-conflict-last-manager",
            ContactsConflict::EmailUnavailable => "contacts-conflict-email-unavailable",
            ContactsConflict::PhoneUnavailable => "contacts-conflict-phone-unavailable",
            ContactsConflict::OwnEmail => "contacts-conflict-own-email",
            ContactsConflict::Yourself => "contacts-conflict-yourself",
            ContactsConflict::TheirLogIn => "contacts-conflict-their-log-in",
        }),
        Conflict::Tickets(conflict) => t.msg(match conflict {
            TicketsConflict::Closed => "tickets-conflict-closed",
            TicketsConflict::NotClosed => "tickets-conflict-not-closed",
            TicketsConflict::ReopenNotAllowed => "tickets-conflict-reopen-not-allowed",
        }),
    }
}

/// A request's status in the customer's words.
pub fn request_status(t: Messages, status: RequestStatus) -> String {
    portal_i18n::words::request_status(t, status)
}

fn rentals(t: Messages, conflict: &RentalsConflict) -> String {
    match conflict {
        RentalsConflict::OfAnotherAccount => t.msg("rentals-of-another-account"),
        RentalsConflict::ContractClosed { number } => {
            t.msg_with("rentals-contract-closed", t.arg("number", number))
        }
        RentalsConflict::NotEnoughOut {
            name, available, ..
        } => t.msg_with(
            "rentals-not-enough-out",
            t.arg("name", name).count("available", *available),
        ),
    }
}

fn quotes(t: Messages, conflict: &QuotesConflict) -> String {
    let quote = |key: &str, number: &str| t.msg_with(key, t.arg("number", number));
    match conflict {
        QuotesConflict::AlreadyDecided {
            number,
            approved: true,
        } => quote("quote-already-approved", number),
        QuotesConflict::AlreadyDecided {
            number,
            approved: false,
        } => quote("quote-already-declined", number),
        QuotesConflict::Expired { number } => quote("quote-expired", number),
        QuotesConflict::Changed { number } => quote("quote-changed", number),
        QuotesConflict::QuoteOfAnotherAccount => t.msg("quote-of-another-account"),
        QuotesConflict::DecidedQuoteChanged { number } => quote("quote-decided-changed", number),
    }
}

fn identity(t: Messages, conflict: &IdentityConflict) -> String {
    match conflict {
        IdentityConflict::PasswordChanged => t.msg("identity-password-changed-meanwhile"),
        IdentityConflict::PasswordChangedOrLocked => t.msg("identity-password-changed-or-locked"),
        IdentityConflict::PasswordAlreadySet => t.msg("identity-password-already-set"),
        IdentityConflict::DetailsChanged => t.msg("identity-details-changed-meanwhile"),
    }
}

fn billing(t: Messages, conflict: &BillingConflict) -> String {
    let invoice = |key: &str, number: &str| t.msg_with(key, t.arg("number", number));
    match conflict {
        BillingConflict::NothingOwed => t.msg("billing-nothing-owed"),
        BillingConflict::NothingLeftToPay { number, .. } => {
            invoice("billing-nothing-left-to-pay", number)
        }
        BillingConflict::InvoiceShort { number, .. } => invoice("billing-invoice-short", number),
        BillingConflict::InvoiceOfAnotherAccount => t.msg("billing-invoice-of-another-account"),
        BillingConflict::InvoiceVoid { number } => invoice("billing-invoice-void", number),
        BillingConflict::TotalBelowPaid { number } => invoice("billing-total-below-paid", number),
        BillingConflict::InvoiceHeld { number } => invoice("billing-invoice-held", number),
        BillingConflict::PaymentInProgress => t.msg("billing-payment-in-progress"),
        BillingConflict::AmountsExceedPayment => t.msg("billing-amounts-exceed-payment"),
        BillingConflict::NotEnoughCredit => t.msg("billing-not-enough-credit"),
        BillingConflict::CreditChanged => t.msg("billing-credit-changed"),
        BillingConflict::AmountNotPositive { .. } => t.msg("billing-amount-not-positive"),
        BillingConflict::AmountNotInMinorUnits { currency, .. } => {
            t.msg_with("billing-amount-minor-units", t.arg("currency", currency))
        }
        BillingConflict::WrongCurrency { expected, .. } => {
            t.msg_with("billing-wrong-currency", t.arg("currency", expected))
        }
        BillingConflict::CardUsedByAutopay => t.msg("billing-card-used-by-autopay"),
        BillingConflict::TooManyCards { max } => {
            t.msg_with("billing-too-many-cards", t.count("max", *max))
        }
        BillingConflict::ProviderFailed => t.msg("billing-provider-failed"),
        BillingConflict::AutopayTermsChanged => t.msg("billing-autopay-terms-changed"),
    }
}

/// The sentence for invalid input: the field's label, the item when it is
/// one of several ("Amount for invoice INV-1"), then the rule.
pub fn invalid_input(t: Messages, field: &str, item: Option<&Item>, reason: &Reason) -> String {
    let args = t
        .arg("label", field_label(t, field))
        .arg("rule", rule(t, reason));
    match item {
        Some(item) => t.msg_with(
            "invalid-sentence-item",
            args.arg("item", item_words(t, item)),
        ),
        None => t.msg_with("invalid-sentence", args),
    }
}

/// A rule after a label the page shows ("Amount from must not be ...").
pub fn labelled_rule(t: Messages, label: &str, reason: &Reason) -> String {
    t.msg_with(
        "invalid-sentence",
        t.arg("label", label).arg("rule", rule(t, reason)),
    )
}

/// How an item among several is named after its field's label.
fn item_words(t: Messages, item: &Item) -> String {
    match item {
        Item::Invoice { number, .. } => t.msg_with("item-invoice", t.arg("number", number)),
        Item::CustomField(name) => t.msg_with("item-custom-field", t.arg("name", name)),
        Item::RentalItem { name, .. } => t.msg_with("item-rental", t.arg("name", name)),
    }
}

/// How a field is named to customers, where no label of a page names it.
pub fn field_label(t: Messages, field: &str) -> String {
    t.msg(match field {
        "email" => "field-email",
        "phone" => "field-phone",
        "postal_code" => "field-postal-code",
        "login" => "field-login",
        "password" => "field-password",
        "new_password" => "field-new-password",
        "password_confirm" | "new_password_confirm" => "field-password-confirm",
        "current_password" => "field-current-password",
        "min_total" => "field-min-total",
        "max_total" => "field-max-total",
        "issued_from" => "field-issued-from",
        "issued_to" => "field-issued-to",
        "method" | "method_id" | "token" | "new_default" => "field-card",
        "amount" => "field-amount",
        "invoices" => "field-invoices",
        "prepayment" => "field-prepayment",
        "status" => "field-status",
        "number" => "field-number",
        "sort" => "field-sort",
        "page" => "field-page",
        "per_page" => "field-per-page",
        "from" => "field-from",
        "to" => "field-to",
        "language" => "field-language",
        "custom_fields" => "field-custom-fields",
        "idempotency_key" => "field-idempotency-key",
        "credit" | "use_credit" => "field-credit",
        "consent" => "field-consent",
        "signature" => "field-signature",
        "signer_name" => "field-signer-name",
        "file" => "field-file",
        "po_number" => "field-po-number",
        "optional_lines" => "field-optional-lines",
        "quantity" => "field-quantity",
        "pickup_on" => "field-pickup-on",
        "notes" => "field-notes",
        "category" => "field-category",
        "body" => "field-body",
        "job" => "field-job",
        "items" => "field-items",
        "comment" => "field-comment",
        "reason" => "field-reason",
        "content_sha256" => "field-content-sha256",
        "kind" => "field-kind",
        "description" => "field-description",
        "property" => "field-property",
        "answers" => "field-answers",
        "name" => "field-name",
        "role" => "field-role",
        "access" => "field-access",
        _ => "field-other",
    })
}

/// A rule, phrased to follow a field's label ("must be 1 to 64
/// characters").
pub fn rule(t: Messages, reason: &Reason) -> String {
    match reason {
        Reason::Required => t.msg("rule-required"),
        Reason::Malformed(shape) => malformed(t, *shape),
        Reason::Length { min: 0, max } => t.msg_with("rule-length-max", t.count("max", *max)),
        Reason::Length { min, max } => {
            t.msg_with("rule-length", t.count("min", *min).count("max", *max))
        }
        Reason::TooShort { min } => t.msg_with("rule-too-short", t.count("min", *min)),
        Reason::Count { min, max } => t.msg_with("rule-count", t.arg("min", min).arg("max", max)),
        Reason::Whitespace => t.msg("rule-whitespace"),
        Reason::UrlCredentials => t.msg("rule-url-credentials"),
        Reason::OneLine { max } => t.msg_with("rule-one-line", t.count("max", *max)),
        Reason::NotAChoice { choices } => {
            t.msg_with("rule-not-a-choice", t.arg("choices", choices))
        }
        Reason::Percent => t.msg("rule-percent"),
        Reason::TooLarge => t.msg("rule-too-large"),
        Reason::NotPositiveAmount { decimals } => {
            t.msg_with("rule-not-positive-amount", t.arg("decimals", decimals))
        }
        Reason::AmountRange { currency } => t.msg_with(
            "rule-amount-range",
            t.arg("currency", currency)
                .arg("decimals", currency.minor_digits()),
        ),
        Reason::WrongCurrency { expected } => {
            t.msg_with("rule-wrong-currency", t.arg("currency", expected))
        }
        Reason::BeforeIssueDate => t.msg("rule-before-issue-date"),
        Reason::AfterEnd => t.msg("rule-after-end"),
        Reason::AboveMaximum => t.msg("rule-above-maximum"),
        Reason::RangeTooLong { years } => t.msg_with("rule-range-too-long", t.arg("years", years)),
        Reason::NegativeTotal => t.msg("rule-negative-total"),
        Reason::WrongPassword => t.msg("rule-wrong-password"),
        Reason::CommonPassword => t.msg("rule-common-password"),
        Reason::NoLoginName => t.msg("rule-no-login-name"),
        Reason::PortalOff => t.msg("rule-portal-off"),
        Reason::LockoutPolicy => t.msg("rule-lockout-policy"),
        Reason::SessionPolicy => t.msg("rule-session-policy"),
        Reason::OverOwed { owed } => t.msg_with("rule-over-owed", t.arg("owed", owed.format())),
        Reason::WholeInvoices { below, above } => t.msg_with(
            "rule-whole-invoices",
            t.arg("below", below.format()).arg("above", above.format()),
        ),
        Reason::NothingChosen { or_prepay: true } => t.msg("rule-nothing-chosen-or-prepay"),
        Reason::NothingChosen { or_prepay: false } => t.msg("rule-nothing-chosen"),
        Reason::ListedTwice => t.msg("rule-listed-twice"),
        Reason::IncludesLoginPhone => t.msg("rule-includes-login-phone"),
        Reason::OverBalance { balance } => {
            t.msg_with("rule-over-balance", t.arg("balance", balance.format()))
        }
        Reason::NotFullBalance { balance } => {
            t.msg_with("rule-not-full-balance", t.arg("balance", balance.format()))
        }
        Reason::OverCredit { credit } => {
            t.msg_with("rule-over-credit", t.arg("credit", credit.format()))
        }
        Reason::NoCredit => t.msg("rule-no-credit"),
        Reason::CoveredByCredit => t.msg("rule-covered-by-credit"),
        Reason::OverPayment => t.msg("rule-over-payment"),
        Reason::CardExpired => t.msg("rule-card-expired"),
        Reason::CardMissing => t.msg("rule-card-missing"),
        Reason::CardNumber => t.msg("rule-card-number"),
        Reason::CardRefused => t.msg("rule-card-refused"),
        Reason::ConsentNeeded => t.msg("rule-consent-needed"),
        Reason::KeyReused => t.msg("rule-key-reused"),
        Reason::FormExpired => t.msg("rule-form-expired"),
        Reason::BadSignature => t.msg("rule-bad-signature"),
        Reason::NotEditable => t.msg("rule-not-editable"),
        Reason::Unchanged => t.msg("rule-unchanged"),
        Reason::NotAnOptionalLine => t.msg("rule-not-an-optional-line"),
        // Sizes in whole megabytes (decimal, as file managers show them),
        // in kilobytes below one.
        Reason::FileTooLarge { max_bytes } if *max_bytes >= 1_000_000 => t.msg_with(
            "rule-file-too-large-mb",
            t.arg("megabytes", max_bytes / 1_000_000),
        ),
        Reason::FileTooLarge { max_bytes } => t.msg_with(
            "rule-file-too-large-kb",
            t.arg("kilobytes", (max_bytes / 1_000).max(1)),
        ),
        Reason::FileType { allowed } => t.msg_with("rule-file-type", t.arg("allowed", allowed)),
        Reason::FileNameMismatch { extensions } => {
            t.msg_with("rule-file-name-mismatch", t.arg("extensions", extensions))
        }
        Reason::UploadBroken => t.msg("rule-upload-broken"),
        Reason::OverOut { available } => {
            t.msg_with("rule-over-out", t.count("available", *available))
        }
        Reason::NotOnContract => t.msg("rule-not-on-contract"),
        Reason::UnknownRecord => t.msg("rule-unknown-record"),
        Reason::BeforeToday => t.msg("rule-before-today"),
        Reason::Hours { max } => t.msg_with("rule-hours", t.arg("max", max)),
        Reason::OverBlock => t.msg("rule-over-block"),
        _ => t.msg("rule-not-valid"),
    }
}

fn malformed(t: Messages, shape: Shape) -> String {
    t.msg(match shape {
        Shape::Email => "shape-email",
        Shape::Phone => "shape-phone",
        Shape::PostalCode => "shape-postal-code",
        Shape::EmailOrPhone => "shape-email-or-phone",
        Shape::Id => "shape-id",
        Shape::ExternalId => "shape-external-id",
        Shape::Slug => "shape-slug",
        Shape::Colour => "shape-colour",
        Shape::AbsoluteUrl => "shape-absolute-url",
        Shape::SafeUrl => "shape-safe-url",
        Shape::TimeZone => "shape-time-zone",
        Shape::CurrencyCode => "shape-currency-code",
        Shape::BaseUrl => "shape-base-url",
        Shape::IdempotencyKey => "shape-idempotency-key",
        Shape::PaymentToken => "shape-payment-token",
        Shape::Pdf => "shape-pdf",
        Shape::Date => "shape-date",
        Shape::Amount => "shape-amount",
        Shape::DecimalString => "shape-decimal-string",
        Shape::Language => "shape-language",
        Shape::WholeNumber => "shape-whole-number",
        Shape::Text => "shape-text",
        Shape::Locale => "shape-locale",
        Shape::Digest => "shape-digest",
        Shape::Position => "shape-position",
        Shape::FileName => "shape-file-name",
        _ => "rule-not-valid",
    })
}

/// Why a payment failed, for the customer: nothing was charged.
pub fn payment_failure(t: Messages, failure: &PaymentFailure) -> String {
    match failure {
        PaymentFailure::Declined { message } if message.trim().is_empty() => {
            t.msg("payment-declined")
        }
        // The provider's own words, as it gave them.
        PaymentFailure::Declined { message } => {
            t.msg_with("payment-declined-with", t.arg("message", message))
        }
        PaymentFailure::MethodRefused => t.msg("payment-method-refused"),
        PaymentFailure::ProviderFailed => t.msg("payment-provider-failed"),
        PaymentFailure::Abandoned => t.msg("payment-abandoned"),
    }
}

/// A statement line's reference: the invoice number, or the payment's
/// method in the reader's words.
pub fn entry_reference(t: Messages, entry: &portal_core::billing::LedgerEntry) -> String {
    match entry.kind {
        portal_core::billing::EntryKind::Charge => entry.reference.clone(),
        _ => payment_method(t, Some(&entry.reference)),
    }
}

/// A payment's method as stored (`Visa ending 4242`, `Check 1042`), in the
/// reader's words; nothing when none was stored.
pub fn payment_method(t: Messages, label: Option<&str>) -> String {
    label
        .map(|stored| portal_i18n::words::payment_method(t, stored))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_i18n::Language;

    fn en() -> Messages {
        Messages::new(Language::English)
    }
    use portal_core::shared::{Currency, InvoiceId, Money};

    #[test]
    fn an_items_error_names_the_item_after_the_fields_label() {
        let item = Item::Invoice {
            id: InvoiceId::new(),
            number: "INV-7".into(),
        };
        let balance = Money::from_minor(1_250, Currency::USD);
        assert_eq!(
            invalid_input(
                en(),
                "amount",
                Some(&item),
                &Reason::OverBalance { balance }
            ),
            "Amount for invoice INV-7 is more than its balance of 12.50 USD."
        );
        let field = Item::CustomField("Gate code".into());
        assert_eq!(
            invalid_input(en(), "custom_fields", Some(&field), &Reason::NotEditable),
            "Custom fields \"Gate code\" cannot be changed here."
        );
        assert_eq!(
            invalid_input(en(), "min_total", None, &Reason::AboveMaximum),
            "Amount from must not be above the maximum."
        );
    }

    /// Every value this module words, so a key it names that the catalog
    /// lacks (which would show as the key itself) fails a test.
    fn every_error() -> Vec<PortalError> {
        let usd = Currency::USD;
        let money = Money::from_minor(1_250, usd);
        let number = || "INV-7".to_owned();
        let reasons = [
            Reason::Required,
            Reason::Length { min: 0, max: 5 },
            Reason::Length { min: 1, max: 5 },
            Reason::TooShort { min: 8 },
            Reason::Count { min: 1, max: 3 },
            Reason::Whitespace,
            Reason::UrlCredentials,
            Reason::OneLine { max: 80 },
            Reason::NotAChoice {
                choices: "a, b".into(),
            },
            Reason::Percent,
            Reason::TooLarge,
            Reason::NotPositiveAmount { decimals: 2 },
            Reason::AmountRange { currency: usd },
            Reason::WrongCurrency { expected: usd },
            Reason::BeforeIssueDate,
            Reason::AfterEnd,
            Reason::AboveMaximum,
            Reason::RangeTooLong { years: 5 },
            Reason::NegativeTotal,
            Reason::WrongPassword,
            Reason::CommonPassword,
            Reason::NoLoginName,
            Reason::PortalOff,
            Reason::LockoutPolicy,
            Reason::SessionPolicy,
            Reason::OverOwed { owed: money },
            Reason::WholeInvoices {
                below: money,
                above: money,
            },
            Reason::NothingChosen { or_prepay: true },
            Reason::NothingChosen { or_prepay: false },
            Reason::ListedTwice,
            Reason::IncludesLoginPhone,
            Reason::OverBalance { balance: money },
            Reason::NotFullBalance { balance: money },
            Reason::OverCredit { credit: money },
            Reason::NoCredit,
            Reason::CoveredByCredit,
            Reason::OverPayment,
            Reason::CardExpired,
            Reason::CardMissing,
            Reason::CardNumber,
            Reason::CardRefused,
            Reason::ConsentNeeded,
            Reason::KeyReused,
            Reason::FormExpired,
            Reason::BadSignature,
            Reason::NotEditable,
            Reason::FileTooLarge {
                max_bytes: 20_000_000,
            },
            Reason::FileTooLarge { max_bytes: 500_000 },
            Reason::FileType {
                allowed: "JPEG, PDF".into(),
            },
            Reason::FileNameMismatch {
                extensions: ".pdf".into(),
            },
            Reason::UploadBroken,
            Reason::OverOut { available: 0 },
            Reason::OverOut { available: 1 },
            Reason::OverOut { available: 4 },
            Reason::NotOnContract,
            Reason::UnknownRecord,
            Reason::BeforeToday,
            Reason::Hours { max: 100 },
            Reason::OverBlock,
        ];
        let shapes = [
            Shape::Email,
            Shape::Phone,
            Shape::PostalCode,
            Shape::EmailOrPhone,
            Shape::Id,
            Shape::ExternalId,
            Shape::Slug,
            Shape::Colour,
            Shape::AbsoluteUrl,
            Shape::SafeUrl,
            Shape::TimeZone,
            Shape::CurrencyCode,
            Shape::BaseUrl,
            Shape::IdempotencyKey,
            Shape::PaymentToken,
            Shape::Pdf,
            Shape::Date,
            Shape::Amount,
            Shape::DecimalString,
            Shape::Language,
            Shape::WholeNumber,
            Shape::Text,
            Shape::FileName,
        ];
        let fields = [
            "email",
            "phone",
            "postal_code",
            "login",
            "password",
            "new_password",
            "password_confirm",
            "current_password",
            "min_total",
            "max_total",
            "issued_from",
            "issued_to",
            "method",
            "amount",
            "invoices",
            "prepayment",
            "status",
            "number",
            "sort",
            "page",
            "per_page",
            "from",
            "to",
            "language",
            "custom_fields",
            "idempotency_key",
            "use_credit",
            "consent",
            "signature",
            "anything_else",
        ];
        let conflicts = [
            Conflict::Taken(Unique::Email),
            Conflict::Taken(Unique::Phone),
            Conflict::Taken(Unique::TenantSlug),
            Conflict::Taken(Unique::Other),
            Conflict::Identity(IdentityConflict::PasswordChanged),
            Conflict::Identity(IdentityConflict::PasswordChangedOrLocked),
            Conflict::Identity(IdentityConflict::PasswordAlreadySet),
            Conflict::Identity(IdentityConflict::DetailsChanged),
            Conflict::Billing(BillingConflict::NothingOwed),
            Conflict::Billing(BillingConflict::NothingLeftToPay {
                invoice: InvoiceId::new(),
                number: number(),
            }),
            Conflict::Billing(BillingConflict::InvoiceShort {
                invoice: InvoiceId::new(),
                number: number(),
            }),
            Conflict::Billing(BillingConflict::InvoiceOfAnotherAccount),
            Conflict::Billing(BillingConflict::InvoiceVoid { number: number() }),
            Conflict::Billing(BillingConflict::TotalBelowPaid { number: number() }),
            Conflict::Billing(BillingConflict::InvoiceHeld { number: number() }),
            Conflict::Billing(BillingConflict::PaymentInProgress),
            Conflict::Billing(BillingConflict::AmountsExceedPayment),
            Conflict::Billing(BillingConflict::NotEnoughCredit),
            Conflict::Billing(BillingConflict::CreditChanged),
            Conflict::Billing(BillingConflict::AmountNotInMinorUnits {
                amount: money.amount(),
                currency: usd,
            }),
            Conflict::Billing(BillingConflict::CardUsedByAutopay),
            Conflict::Billing(BillingConflict::TooManyCards { max: 5 }),
            Conflict::Billing(BillingConflict::ProviderFailed),
            Conflict::Billing(BillingConflict::AutopayTermsChanged),
            Conflict::Rentals(RentalsConflict::OfAnotherAccount),
            Conflict::Rentals(RentalsConflict::ContractClosed {
                number: "RC-1".into(),
            }),
            Conflict::Rentals(RentalsConflict::NotEnoughOut {
                code: "GEN".into(),
                name: "Generator".into(),
                available: 2,
            }),
            Conflict::Tickets(TicketsConflict::Closed),
            Conflict::Tickets(TicketsConflict::NotClosed),
            Conflict::Tickets(TicketsConflict::ReopenNotAllowed),
            Conflict::Contacts(ContactsConflict::LastManager),
            Conflict::Contacts(ContactsConflict::EmailUnavailable),
            Conflict::Contacts(ContactsConflict::PhoneUnavailable),
            Conflict::Contacts(ContactsConflict::OwnEmail),
            Conflict::Contacts(ContactsConflict::Yourself),
            Conflict::Contacts(ContactsConflict::TheirLogIn),
        ];
        let mut errors: Vec<PortalError> = vec![
            PortalError::InvalidCredentials,
            PortalError::RegistrationRefused,
            PortalError::LinkInvalid,
            PortalError::Unauthenticated,
            PortalError::NotFound,
            PortalError::Internal("boom".into()),
            PortalError::Forbidden(AccessError::NotPermitted),
            PortalError::Forbidden(AccessError::FeatureOff),
            PortalError::Forbidden(AccessError::ReadOnly),
        ];
        errors.extend(conflicts.into_iter().map(PortalError::Conflict));
        errors.push(PortalError::invalid_item(
            "quantity",
            Item::RentalItem {
                code: "GEN".into(),
                name: "Generator".into(),
            },
            Reason::OverOut { available: 2 },
        ));
        errors.extend(
            reasons
                .into_iter()
                .map(|r| PortalError::invalid("amount", r)),
        );
        errors.extend(
            shapes
                .into_iter()
                .map(|shape| PortalError::invalid("email", Reason::Malformed(shape))),
        );
        errors.extend(
            fields
                .into_iter()
                .map(|field| PortalError::invalid(field, Reason::Required)),
        );
        errors
    }

    #[test]
    fn every_error_is_worded_from_the_catalog_in_every_language() {
        for language in Language::ALL {
            let t = Messages::new(language);
            for error in every_error() {
                let said = error_message(t, &error);
                // A missing key shows as the key itself.
                let keys = portal_i18n::testing::keys(language);
                let looks_like_a_key = said.split_whitespace().any(|word| {
                    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                    keys.contains(word)
                        || word.starts_with("rule-")
                        || word.starts_with("shape-")
                        || word.starts_with("field-")
                });
                assert!(!looks_like_a_key, "{language} {error:?}: {said}");
            }
        }
        let es = Messages::new(Language::Spanish);
        for error in every_error() {
            let said = error_message(es, &error);
            assert_eq!(
                portal_i18n::testing::english_left(&said),
                Vec::<String>::new(),
                "{error:?}: {said}"
            );
        }
    }

    #[test]
    fn every_payment_failure_is_worded_in_spanish() {
        let es = Messages::new(Language::Spanish);
        for failure in [
            PaymentFailure::MethodRefused,
            PaymentFailure::ProviderFailed,
            PaymentFailure::Abandoned,
            PaymentFailure::Declined {
                message: String::new(),
            },
        ] {
            let said = payment_failure(es, &failure);
            assert!(said.contains("No se cobró nada") || said.contains("no se cobró nada"));
        }
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
            let said = payment_failure(en(), &failure);
            assert!(
                said.to_lowercase().contains("nothing was charged"),
                "{said}"
            );
        }
        let declined = PaymentFailure::Declined {
            message: "Insufficient funds.".into(),
        };
        assert_eq!(
            payment_failure(en(), &declined),
            "Insufficient funds. Nothing was charged."
        );
    }
}
