//! A customer's request as stored: its kind's typed details, the status
//! the host moves it through, and who asked when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::kind::{Answer, CALL_OFF, KindKey, Reference, SERVICE};
use crate::blobs::Attachment;
use crate::rentals::CallOffItem;
use crate::shared::{
    AccountId, AttachmentId, ContactId, PageRequest, PropertyId, RentalContractId, ServiceRequestId,
};

/// The longest description of a "request service" (characters).
pub const MAX_DESCRIPTION: usize = 2_000;

/// The longest note the host adds to a status (characters).
pub const MAX_HOST_NOTE: usize = 1_000;

/// Where a request stands, as the host moves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Asked for; the host has not answered yet.
    Pending,
    /// The host has planned it (a visit, a pickup).
    Scheduled,
    /// Being done.
    InProgress,
    /// Done (for a call-off: the items were collected).
    Completed,
    /// The host will not do it.
    Declined,
    /// Canceled (by the host, or at the customer's word).
    Canceled,
}

impl RequestStatus {
    /// Every status.
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Scheduled,
        Self::InProgress,
        Self::Completed,
        Self::Declined,
        Self::Canceled,
    ];

    /// How stores and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Declined => "declined",
            Self::Canceled => "canceled",
        }
    }

    /// The status spelled by [`RequestStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether the host still has it to do (pending, scheduled or in
    /// progress). An open call-off holds its items.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Scheduled | Self::InProgress)
    }
}

/// What was asked, typed per kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestDetails {
    /// "Request service": what is needed, and where.
    Service {
        /// What the customer needs done.
        description: String,
        /// Where, when the account has properties.
        property: Option<Reference<PropertyId>>,
    },
    /// "Call off rent": items of a contract to collect.
    CallOff {
        /// The contract, by its number.
        contract: Reference<RentalContractId>,
        /// The items and quantities.
        items: Vec<CallOffItem>,
        /// When the items can be picked up.
        pickup_on: NaiveDate,
        /// The customer's notes; may be empty.
        notes: String,
    },
    /// A kind the host declared, with the customer's answers.
    Custom {
        /// The kind's key.
        key: KindKey,
        /// The kind's name when asked.
        name: String,
        /// The answers, in the kind's order.
        answers: Vec<Answer>,
    },
}

impl RequestDetails {
    /// The kind's key: [`SERVICE`], [`CALL_OFF`] or the host's.
    pub fn kind(&self) -> &str {
        match self {
            Self::Service { .. } => SERVICE,
            Self::CallOff { .. } => CALL_OFF,
            Self::Custom { key, .. } => key.as_str(),
        }
    }
}

/// A request as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceRequest {
    /// Our id (the host answers by it).
    pub id: ServiceRequestId,
    /// The account.
    pub account: AccountId,
    /// What was asked.
    pub details: RequestDetails,
    /// Where it stands.
    pub status: RequestStatus,
    /// The host's word on its status ("Booked for Tuesday morning");
    /// may be empty.
    pub host_note: String,
    /// Who asked.
    pub requested_by: ContactId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
    /// The files the customer attached, in the order sent.
    pub attachments: Vec<Attachment>,
}

impl ServiceRequest {
    /// The attached file with this id; none when it is not on this
    /// request.
    pub fn attachment(&self, id: AttachmentId) -> Option<&Attachment> {
        self.attachments.iter().find(|file| file.id == id)
    }

    /// The record the request is about, for the store's index: a
    /// call-off's contract.
    pub fn subject(&self) -> Option<uuid::Uuid> {
        match &self.details {
            RequestDetails::CallOff { contract, .. } => Some(contract.id.as_uuid()),
            RequestDetails::Service { .. } | RequestDetails::Custom { .. } => None,
        }
    }
}

/// A customer's "request service", as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAsk {
    /// What is needed (1 to [`MAX_DESCRIPTION`] characters).
    pub description: String,
    /// Where: required when the account has more than one property.
    pub property: Option<PropertyId>,
}

/// Which of an account's requests a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestFilter {
    /// Every request.
    #[default]
    All,
    /// Those the host still has to do.
    Open,
    /// Completed, declined or canceled.
    Closed,
}

impl RequestFilter {
    /// Every filter.
    pub const ALL: [Self; 3] = [Self::All, Self::Open, Self::Closed];

    /// How the API and forms spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The filter spelled by [`RequestFilter::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|filter| filter.as_str() == text)
    }
}

/// One page of an account's requests: newest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestQuery {
    /// Which.
    pub filter: RequestFilter,
    /// Which page.
    pub page: PageRequest,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_spell_back_and_open_ones_are_the_hosts_to_do() {
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(status));
        }
        let open: Vec<_> = RequestStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(
            open,
            [
                RequestStatus::Pending,
                RequestStatus::Scheduled,
                RequestStatus::InProgress
            ]
        );
    }

    #[test]
    fn a_call_off_moved_in_by_the_migration_reads_back() {
        // What migration 0018 writes for a call-off of `rental_call_offs`
        // (SQLite spells the contract's id as 32 hex digits).
        let json = r#"{"kind":"call_off","contract":{"id":"0123456789abcdef0123456789abcdef","label":"RC-1"},"items":[{"code":"GEN","name":"Gen","quantity":2}],"pickup_on":"2026-11-10","notes":"n"}"#;
        let RequestDetails::CallOff {
            contract, items, ..
        } = serde_json::from_str(json).unwrap()
        else {
            panic!("not a call-off");
        };
        assert_eq!(
            contract.id.to_string(),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(items[0].quantity, 2);
    }

    #[test]
    fn details_are_stored_tagged_by_kind() {
        let details = RequestDetails::Service {
            description: "Wasps by the back door".into(),
            property: None,
        };
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(json["kind"], "service");
        assert_eq!(
            serde_json::from_value::<RequestDetails>(json).unwrap(),
            details
        );
    }
}
