//! Service requests: one typed model for everything a customer asks the
//! host to do. Three sorts of kind share it:
//!
//! - "request service" ([`SERVICE`]): what is needed and, when the account
//!   has several properties, where;
//! - "call off rent" ([`CALL_OFF`]): items of a rental contract to collect,
//!   checked against what is still out (`crate::rentals`);
//! - kinds the host declares ([`RequestKind`]: reschedule a visit, skip a
//!   visit, dispute an invoice line ...), each with its fields, their
//!   inputs and rules; [`RequestKind::read`] parses the answers.
//!
//! A kind may take files (photos, a letter): "request service" by the
//! tenant's `service_request_attachments`, a declared kind by its
//! `attachments`; they are staged through `RequestsService::attach` and
//! kept with the request.
//!
//! Every request is stored the same way ([`ServiceRequest`]: its typed
//! [`RequestDetails`], a [`RequestStatus`] the host moves and a note from
//! the host), listed together, and written with a host event in the same
//! transaction (`ServiceRequested`, or `RentalCallOffRequested` for a
//! call-off). The host answers any of them with
//! `portal.host().set_request_status(..)`, which tells the account's
//! contacts who may ask for service (a `request_updated` notice, in the
//! feed and by mail as each chose; once per change, none for pending; a
//! call-off's is `call_off_updated`, for those who may call off rent);
//! while it is still pending the customer may cancel it
//! (`portal.requests().cancel(..)`, with a `ServiceRequestCanceled` host
//! event).

mod errors;
mod kind;
mod ports;
mod request;
mod service;

pub use errors::RequestsConflict;
pub use kind::{
    Answer, AnswerValue, CALL_OFF, FieldInput, FieldSpec, KindKey, MAX_ANSWER_CHARS, MAX_FIELDS,
    MAX_KINDS, MAX_OPTIONS, Reference, RequestKind, SERVICE,
};
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockRequestStore;
pub use ports::RequestStore;
pub use request::{
    MAX_DESCRIPTION, MAX_HOST_NOTE, RequestDetails, RequestFilter, RequestQuery, RequestStatus,
    ServiceAsk, ServiceRequest,
};
pub use service::{KindChoice, RequestForm, RequestsService};
