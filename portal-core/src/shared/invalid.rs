//! Why a value was refused, as a value: which rule it broke, with the
//! figures the rule names. The HTTP layer words each for people (its
//! `messages` module), so no customer sentence is written below it and a
//! message catalog can translate every one.

use super::{Currency, InvoiceId, Money};

/// A value from outside did not meet its type's rules.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason:?}")]
pub struct ParseError {
    /// The input field the value came from, as the caller knows it.
    pub field: &'static str,
    /// The rule it broke.
    pub reason: Reason,
}

impl ParseError {
    /// An error about `field`.
    pub const fn new(field: &'static str, reason: Reason) -> Self {
        Self { field, reason }
    }
}

/// Which one of several inputs named alike an error is about: the amount
/// of one invoice among those being paid, one custom field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// An invoice, by id and by the number its customer knows it by.
    Invoice {
        /// Its id.
        id: InvoiceId,
        /// Its number.
        number: String,
    },
    /// A custom field, by its name.
    CustomField(String),
    /// A rented item of a contract, by its code and name.
    RentalItem {
        /// The host's item code.
        code: String,
        /// Its name.
        name: String,
    },
}

/// What a value should have looked like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Shape {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A postal code.
    PostalCode,
    /// An e-mail address or a phone number (a log-in name).
    EmailOrPhone,
    /// An id of ours.
    Id,
    /// A host's id: 1 to 128 printable characters.
    ExternalId,
    /// A portal's short name: lower-case letters, digits and dashes.
    Slug,
    /// A colour as `#1a2b3c`.
    Colour,
    /// An IANA time zone.
    TimeZone,
    /// A three-letter ISO 4217 currency code.
    CurrencyCode,
    /// A BCP 47 language tag (`en-US`).
    Locale,
    /// An absolute http(s) URL ending in `/`.
    BaseUrl,
    /// An absolute URL.
    AbsoluteUrl,
    /// An https URL (http only for loopback hosts).
    SafeUrl,
    /// A payment's idempotency key: 8 to 100 letters, digits, `-`, `_`.
    IdempotencyKey,
    /// A payment provider's token.
    PaymentToken,
    /// A PDF document within the size limit.
    Pdf,
    /// A date as `YYYY-MM-DD`.
    Date,
    /// An amount a person typed: digits with at most one point.
    Amount,
    /// An amount as a decimal string (`"120.50"`), as the API takes it.
    DecimalString,
    /// A language code the catalog has (`en`, `es`).
    Language,
    /// A whole number from 1.
    WholeNumber,
    /// A SHA-256 digest: 64 lower-case hex digits.
    Digest,
    /// A position in a list: a whole number from 0.
    Position,
    /// Plain text.
    Text,
    /// A file's own name, without folders.
    FileName,
}

/// The rule a value broke, and the figures it names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Nothing was given.
    Required,
    /// Not of its shape.
    Malformed(Shape),
    /// Fewer or more characters than allowed.
    Length {
        /// The least allowed (0: no minimum).
        min: usize,
        /// The most allowed.
        max: usize,
    },
    /// Fewer characters than allowed.
    TooShort {
        /// The least allowed.
        min: usize,
    },
    /// Fewer or more items than allowed.
    Count {
        /// The least allowed.
        min: usize,
        /// The most allowed.
        max: usize,
    },
    /// Spaces or control characters where none may be.
    Whitespace,
    /// A URL that holds a user name or password.
    UrlCredentials,
    /// Not one line of text within `max` characters.
    OneLine {
        /// The most characters allowed.
        max: usize,
    },
    /// Not one of the choices, which are listed.
    NotAChoice {
        /// The choices, as the client sends them.
        choices: String,
    },
    /// A percentage outside 0 to 100.
    Percent,
    /// A figure too large to handle.
    TooLarge,
    /// Not an amount above zero with at most `decimals` decimals.
    NotPositiveAmount {
        /// The currency's minor-unit digits.
        decimals: u32,
    },
    /// Amounts of a range that are not amounts in `currency`, at least
    /// zero.
    AmountRange {
        /// The currency they must be in.
        currency: Currency,
    },
    /// In another currency than the portal's.
    WrongCurrency {
        /// The portal's currency.
        expected: Currency,
    },
    /// A date before the issue date.
    BeforeIssueDate,
    /// The start of a range after its end.
    AfterEnd,
    /// The low end of a range above its high end.
    AboveMaximum,
    /// A range longer than allowed.
    RangeTooLong {
        /// The longest allowed, in years.
        years: u32,
    },
    /// Lines that would total below zero.
    NegativeTotal,
    /// A wrong current password.
    WrongPassword,
    /// A password on the list of common ones.
    CommonPassword,
    /// A contact with neither an e-mail nor a phone number to log in with.
    NoLoginName,
    /// A contact whose account has the portal switched off.
    PortalOff,
    /// A lockout policy outside 1-100 failures and 1-1440 minutes.
    LockoutPolicy,
    /// A session policy outside idle 5-1440 minutes, absolute 1-720 hours.
    SessionPolicy,
    /// More than is owed.
    OverOwed {
        /// What is owed.
        owed: Money,
    },
    /// An amount that stops inside an invoice where only whole invoices
    /// may be paid; `below` and `above` would pay whole ones.
    WholeInvoices {
        /// The amount paying the whole invoices it covers.
        below: Money,
        /// The amount paying the next one too.
        above: Money,
    },
    /// No invoice chosen (and, when `or_prepay`, no amount to prepay).
    NothingChosen {
        /// Whether a prepayment would have done instead.
        or_prepay: bool,
    },
    /// The same item listed twice.
    ListedTwice,
    /// A contact's other numbers include their log-in phone.
    IncludesLoginPhone,
    /// More than the item's balance.
    OverBalance {
        /// The balance.
        balance: Money,
    },
    /// Less than the item's balance where only whole balances are paid.
    NotFullBalance {
        /// The balance.
        balance: Money,
    },
    /// More than the account's credit.
    OverCredit {
        /// The credit.
        credit: Money,
    },
    /// The account has no credit.
    NoCredit,
    /// Account credit pays all of it: there is nothing to charge to a card
    /// (apply the credit instead).
    CoveredByCredit,
    /// More than the payment it is applied from.
    OverPayment,
    /// The chosen card has expired.
    CardExpired,
    /// No new card and no saved one.
    CardMissing,
    /// A card number where only a provider's token may go.
    CardNumber,
    /// The provider would not keep the card.
    CardRefused,
    /// The terms were not agreed to.
    ConsentNeeded,
    /// An idempotency key already used for another payment.
    KeyReused,
    /// An idempotency key a form should have carried is missing.
    FormExpired,
    /// A webhook whose signature does not verify.
    BadSignature,
    /// A field the customer may not change.
    NotEditable,
    /// The value is what it already is (a "new" e-mail that is the
    /// current one).
    Unchanged,
    /// A quote line chosen that is not one of its optional lines.
    NotAnOptionalLine,
    /// A file larger than allowed.
    FileTooLarge {
        /// The most bytes allowed.
        max_bytes: u64,
    },
    /// A file whose content is none of the kinds allowed.
    FileType {
        /// The kinds allowed, as people name them (`JPEG, PNG, PDF`).
        allowed: String,
    },
    /// A file whose name's extension is not its content's kind's.
    FileNameMismatch {
        /// The extensions its content's kind takes (`.jpg, .jpeg`).
        extensions: String,
    },
    /// An upload that did not arrive whole.
    UploadBroken,
    /// More rented items than can still be called off.
    OverOut {
        /// How many can.
        available: u32,
    },
    /// An item that is not on the rental contract.
    NotOnContract,
    /// A record (property, job, invoice) that is not one of the account's.
    UnknownRecord,
    /// A date before today.
    BeforeToday,
    /// Not a number of hours from 0 to `max` with at most two decimals.
    Hours {
        /// The most hours allowed.
        max: u32,
    },
    /// More hours used than a block bought, where the contract allows no
    /// overage.
    OverBlock,
}
