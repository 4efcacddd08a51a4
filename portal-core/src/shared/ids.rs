//! Id newtypes: one type per entity so a function that takes an `AccountId`
//! cannot be handed a `ContactId`. Ours are time-ordered UUIDs (v7), which
//! keeps B-tree inserts local; the host's own ids are [`ExternalId`]s.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an id read back from storage or a URL.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
            /// Parses the hyphenated form used in URLs.
            pub fn parse(text: &str) -> Result<Self, crate::shared::ParseError> {
                Uuid::try_parse(text)
                    .map(Self)
                    .map_err(|_| crate::shared::ParseError::new(stringify!($name), crate::shared::Reason::Malformed(crate::shared::Shape::Id)))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant: one service business running a portal.
    TenantId
);
id_type!(
    /// A customer account of a tenant (a business, group or household).
    AccountId
);
id_type!(
    /// A person who may log in to the portal.
    ContactId
);
id_type!(
    /// A log-in session.
    SessionId
);
id_type!(
    /// A row in the outbox of mails and host events.
    OutboxId
);
id_type!(
    /// A host event. Every delivery of it (a retry, a replay the host asks
    /// for) carries the same id, so a receiver handles each id once.
    EventId
);
id_type!(
    /// One worker's claim on an outbox row; completing or failing the row
    /// needs it, so a worker whose lease ran out cannot touch the row.
    LeaseId
);
id_type!(
    /// An entry of an account's communications log.
    CommunicationId
);
id_type!(
    /// A quote.
    QuoteId
);
id_type!(
    /// An invoice.
    InvoiceId
);
id_type!(
    /// A payment or credit on an account.
    PaymentId
);
id_type!(
    /// A card or bank account on file.
    PaymentMethodId
);
id_type!(
    /// An autopay enrolment (the consent record).
    AutopayId
);
id_type!(
    /// A property: a service location of an account.
    PropertyId
);
id_type!(
    /// A job (work order, visit).
    JobId
);
id_type!(
    /// A customer's request (service, call-off, a host-defined kind).
    ServiceRequestId
);
id_type!(
    /// A rental contract.
    RentalContractId
);
id_type!(
    /// A reservation of rental items.
    ReservationId
);
id_type!(
    /// A service contract (a recurring agreement or a block of hours).
    ServiceContractId
);
id_type!(
    /// An asset: a piece of equipment at one of an account's properties.
    AssetId
);
id_type!(
    /// A support ticket.
    TicketId
);
id_type!(
    /// One message of a ticket's thread (the opening text or a reply).
    TicketMessageId
);
id_type!(
    /// A file attached to a ticket's message.
    AttachmentId
);
id_type!(
    /// An entry of a contact's notification feed.
    NotificationId
);
id_type!(
    /// A document the host published for an account or the whole tenant.
    DocumentId
);
id_type!(
    /// An entry of the audit log.
    AuditId
);

/// An id given by the host product to one of its own records (an account,
/// a contact). Upserts are keyed by it, which makes them idempotent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    /// Accepts 1 to 128 printable characters without surrounding spaces.
    ///
    /// ```
    /// use portal_core::shared::ExternalId;
    /// assert!(ExternalId::parse("CUST-0042").is_ok());
    /// assert!(ExternalId::parse("").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, crate::shared::ParseError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 128 || trimmed.chars().any(char::is_control) {
            return Err(crate::shared::ParseError::new(
                "external_id",
                crate::shared::Reason::Malformed(crate::shared::Shape::ExternalId),
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The id as the host gave it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = crate::shared::ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ExternalId> for String {
    fn from(value: ExternalId) -> Self {
        value.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
