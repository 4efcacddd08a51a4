//! Building blocks every context uses: ids, parsed contact points, money
//! ([`Money`] and its rounding rule), the clock, pagination and the parse error.

mod clock;
mod conflict;
mod contact_points;
mod ids;
mod invalid;
mod language;
mod locale;
mod money;
mod page;
mod store_error;
mod text;

#[cfg(any(test, feature = "mocks"))]
pub use clock::MockClock;
pub use clock::{Clock, FixedClock, SystemClock};
pub use conflict::{Conflict, Unique};
pub use contact_points::{EmailAddress, PhoneNumber, PostalCode};
pub use ids::{
    AccountId, AssetId, AttachmentId, AuditId, AutopayId, CommunicationId, ContactId, DocumentId,
    EventId, ExternalId, InvoiceId, JobId, LeaseId, NotificationId, OutboxId, PaymentId,
    PaymentMethodId, PropertyId, QuoteId, RentalContractId, ReservationId, ServiceContractId,
    ServiceRequestId, SessionId, TenantId, TicketId, TicketMessageId,
};
pub use invalid::{Item, ParseError, Reason, Shape};
pub use language::Language;
pub use locale::{DateFormatter, Formats, Locale, MoneyFormatter};
pub use money::{
    AtLeast, Currency, Money, MoneyError, format_amount, minor_unit_digits, round_to_minor_unit,
};
pub use page::{Page, PageRequest};
pub use store_error::StoreError;
pub use text::{check_one_line, check_text, is_slug};
