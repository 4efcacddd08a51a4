//! Support tickets: a customer opens one in a category of the tenant's
//! with a message within the tenant's limit (500 characters unless the
//! tenant says otherwise), optionally about a job, with photos or PDFs
//! attached; the tenant's policy assigns it; the thread grows with the
//! customer's replies and the host's (staff) answers; the host moves its
//! status, and the customer may reopen a closed one when the tenant
//! allows.
//!
//! Files are checked and stored while they stream
//! ([`TicketsService::attach`], into the [`BlobStore`](crate::blobs::BlobStore))
//! before the message that carries them is written; a message that is
//! refused removes them, so nothing is left of bad input. Every customer
//! change is written with its host event (`TicketOpened`,
//! `TicketReplied`, `TicketReopened`) in one transaction.

mod errors;
mod policy;
mod ports;
mod service;
mod ticket;

pub use crate::blobs::{Attachment, StagedFile};
pub use errors::TicketsConflict;
pub use policy::{
    MAX_ATTACHMENT_BYTES_LIMIT, MAX_ATTACHMENTS_LIMIT, MAX_BODY_LIMIT, MAX_CATEGORIES,
    TicketCategory, TicketPolicy,
};
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockTicketStore;
pub use ports::TicketStore;
pub use service::{TicketForm, TicketsService};
pub use ticket::{
    Author, CategoryRef, MAX_STAFF_BODY, SUBJECT_CHARS, StaffReply, Ticket, TicketDraft,
    TicketFilter, TicketMessage, TicketQuery, TicketStatus, TicketThread,
};
