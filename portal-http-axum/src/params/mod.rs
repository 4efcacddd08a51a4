//! Reading what clients send, once, at the edge. Pages (forms and query
//! strings) and the JSON API (query strings and bodies) both hand their
//! text to the parsers here and get back the types the core takes
//! ([`InvoiceQuery`], [`StatementRange`], [`PayRequest`], ...), or a
//! [`ParamError`] that names the [`Field`] at fault.
//!
//! The rules about values (an amount's decimals against the currency,
//! what may be paid, whether a token is a card number) stay in the core,
//! which checks them after it has authorized the actor: a forbidden
//! request is a 403 whatever it carries. What is read here is only
//! whether the text *is* a value at all: digits, a date, one of the
//! choices, an id.
//!
//! Pages and the API read the same inputs the same way except where a
//! person typing and a program sending should be treated differently;
//! each such difference is a [`Source`] and is listed on it.
//!
//! - `values.rs`: amounts, dates, choices, counts, ids
//! - `billing.rs`: the invoice list's filters, pages of a list, a
//!   statement's range, the invoices and card of a payment
//! - `contacts.rs`: a contact's details and role
//! - `jobs.rs`: the job list's filter
//! - `quotes.rs`: the quote list's filter, an approval's digest and
//!   optional lines
//! - `rentals.rs`: the rental contract list's filter, a call-off's
//!   quantities and pickup date
//! - `tickets.rs`: the ticket list's filter, a new ticket's job
//!
//! [`InvoiceQuery`]: portal_core::billing::InvoiceQuery
//! [`StatementRange`]: portal_core::billing::StatementRange
//! [`PayRequest`]: portal_core::billing::PayRequest

mod assets;
mod billing;
mod contacts;
mod identity;
mod jobs;
mod notifications;
mod quotes;
mod rentals;
mod requests;
mod service_contracts;
mod tickets;
mod values;

use portal_core::PortalError;
use portal_core::shared::{InvoiceId, Reason};

use crate::error::ApiError;

pub use assets::AssetFilterText;
pub use billing::{
    InvoiceChoiceText, InvoiceFilterText, MethodText, MissingDates, PayText, card_id, card_token,
    invoice_choices, page_request, statement_range,
};
pub use contacts::{ContactText, access_switch, contact_role};
pub use identity::{other_phone, profile_change};
pub use jobs::JobFilterText;
pub use notifications::{notification_choice, notification_choices, notification_kinds};
pub use quotes::{QuoteFilterText, content_sha256, optional_line_numbers, optional_lines};
pub use rentals::{RentalFilterText, call_off_quantity, call_off_quantity_number, pickup_on};
pub use requests::{RequestFilterText, service_ask};
pub use service_contracts::ContractFilterText;
pub use tickets::{TicketFilterText, ticket_draft};
pub use values::{amount, given, id, idempotency_key, language};

/// Who sent the text. The parsers differ only in these ways:
///
/// | input | [`Source::Page`] (a person) | [`Source::Api`] (a program) |
/// | --- | --- | --- |
/// | amount | thousands separators and spaces are allowed; nothing but separators is no amount | a plain decimal string only |
/// | page number | nonsense is page 1 (it came from a link) | nonsense is invalid input |
/// | card token | surrounding spaces are trimmed (it was pasted) | taken as sent |
/// | an id in a form or body | malformed is unknown, 404 (only a tampered form sends one) | malformed is invalid input naming its field |
///
/// Everywhere else (dates, choices, ids in the path, blank query
/// values) both read alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// An HTML form or a page's query string.
    Page,
    /// The JSON API.
    Api,
}

/// An input that crosses into the core, by what it is. Its [`Field::name`]
/// is what the API's query strings and bodies call it, what problem+json
/// reports as `field`, and what the core's own errors call it; pages map
/// it to the input (and label) customers see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The invoice list's status filter.
    Status,
    /// The invoice list's number search.
    Number,
    /// Invoices issued on or after.
    IssuedFrom,
    /// Invoices issued on or before.
    IssuedTo,
    /// Invoices whose total is at least.
    MinTotal,
    /// Invoices whose total is at most.
    MaxTotal,
    /// The invoice list's order.
    Sort,
    /// Which page of a list.
    Page,
    /// How many rows a page of a list has.
    PerPage,
    /// A statement's first day.
    From,
    /// A statement's last day.
    To,
    /// The invoices chosen to pay, or to apply credit to.
    Invoices,
    /// How much of one chosen invoice.
    InvoiceAmount(InvoiceId),
    /// An amount paid ahead, kept as account credit.
    Prepayment,
    /// An amount to spread over the unpaid invoices (paying the balance).
    Amount,
    /// How to pay: a saved card, or a new one.
    Method,
    /// A card on file chosen by its id (autopay's).
    MethodId,
    /// The card on file that becomes the default when the default card
    /// is removed.
    NewDefault,
    /// A new card's token from the payment provider.
    Token,
    /// The key that makes a payment happen once.
    IdempotencyKey,
    /// The language a contact chose.
    Language,
    /// The digest of a quote as it was shown.
    ContentSha256,
    /// The optional lines of a quote ticked when approving it.
    OptionalLines,
    /// The asset list's property filter.
    Property,
    /// A call-off's quantity of one item (the API's `items[].quantity`).
    Quantity,
    /// The quantity typed for the call-off form's `n`th item (its input
    /// `quantity_<n>`).
    ItemQuantity(usize),
    /// When called-off items can be picked up.
    PickupOn,
    /// The job a ticket is about.
    Job,
    /// A kind of notification.
    Kind,
    /// A contact's phone.
    Phone,
    /// The number of the `n`th (from 1) of a contact's other numbers (the
    /// form's `other_phone_<n>`, the API's `other_phones[n-1].number`).
    OtherPhone(usize),
    /// The kind of the `n`th of a contact's other numbers (the form's
    /// `other_kind_<n>`, the API's `other_phones[n-1].kind`).
    OtherKind(usize),
    /// A contact's role on an account.
    Role,
    /// Whether a contact's access to the account's portal is on.
    Access,
}

impl Field {
    /// The name clients send it under and errors report it by.
    pub fn name(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Number => "number",
            Field::IssuedFrom => "issued_from",
            Field::IssuedTo => "issued_to",
            Field::MinTotal => "min_total",
            Field::MaxTotal => "max_total",
            Field::Sort => "sort",
            Field::Page => "page",
            Field::PerPage => "per_page",
            Field::From => "from",
            Field::To => "to",
            Field::Invoices => "invoices",
            Field::InvoiceAmount(_) | Field::Amount => "amount",
            Field::Prepayment => "prepayment",
            Field::Method => "method",
            Field::MethodId => "method_id",
            Field::NewDefault => "new_default",
            Field::Token => "token",
            Field::IdempotencyKey => "idempotency_key",
            Field::Language => "language",
            Field::ContentSha256 => "content_sha256",
            Field::OptionalLines => "optional_lines",
            Field::Property => "property",
            Field::Quantity | Field::ItemQuantity(_) => "quantity",
            Field::PickupOn => "pickup_on",
            Field::Job => "job",
            Field::Kind => "kind",
            Field::Phone => "phone",
            Field::OtherPhone(_) | Field::OtherKind(_) => "other_phones",
            Field::Role => "role",
            Field::Access => "access",
        }
    }
}

/// Text that is not a value of its field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// Not a value of `field`, by the rule `reason`.
    #[error("invalid {}: {reason:?}", field.name())]
    Invalid {
        /// The input at fault.
        field: Field,
        /// The rule it broke.
        reason: Reason,
    },
    /// An id that does not parse: answered as an unknown one is, so a
    /// malformed id says no more than another account's.
    #[error("We couldn't find that.")]
    UnknownId,
}

impl ParamError {
    /// Invalid input for `field`.
    pub fn invalid(field: Field, reason: Reason) -> Self {
        Self::Invalid { field, reason }
    }
}

impl From<ParamError> for PortalError {
    fn from(error: ParamError) -> Self {
        match error {
            ParamError::Invalid { field, reason } => PortalError::invalid(field.name(), reason),
            ParamError::UnknownId => PortalError::NotFound,
        }
    }
}

/// The API answers a parse error as the core's error of the same kind:
/// 422 naming the field, or 404.
impl From<ParamError> for ApiError {
    fn from(error: ParamError) -> Self {
        PortalError::from(error).into()
    }
}
