//! What a notification says: the [`Notice`] (its facts, stored as JSON in
//! the feed and in the outbox) and its [`NotificationKind`] (what a
//! contact switches on or off).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Permission;
use crate::jobs::JobStatus;
use crate::requests::CALL_OFF;
use crate::requests::RequestStatus;
use crate::shared::{InvoiceId, JobId, Money, PaymentId, QuoteId, ServiceRequestId, TicketId};

/// The kinds of notification a contact chooses between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A new invoice.
    InvoiceIssued,
    /// A payment went through.
    PaymentReceived,
    /// A payment was declined or failed.
    PaymentFailed,
    /// A new quote to look at.
    QuoteIssued,
    /// A visit was scheduled, moved or cancelled.
    JobScheduled,
    /// Staff answered a ticket.
    TicketReplied,
    /// A ticket was closed.
    TicketClosed,
    /// The host moved a request's status.
    RequestUpdated,
    /// The host moved a call-off's status (a request too, told apart so
    /// that a rental customer without services hears of it).
    CallOffUpdated,
}

impl NotificationKind {
    /// Every kind, in the order the preferences page lists them.
    pub const ALL: [Self; 9] = [
        Self::InvoiceIssued,
        Self::PaymentReceived,
        Self::PaymentFailed,
        Self::QuoteIssued,
        Self::JobScheduled,
        Self::TicketReplied,
        Self::TicketClosed,
        Self::RequestUpdated,
        Self::CallOffUpdated,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvoiceIssued => "invoice_issued",
            Self::PaymentReceived => "payment_received",
            Self::PaymentFailed => "payment_failed",
            Self::QuoteIssued => "quote_issued",
            Self::JobScheduled => "job_scheduled",
            Self::TicketReplied => "ticket_replied",
            Self::TicketClosed => "ticket_closed",
            Self::RequestUpdated => "request_updated",
            Self::CallOffUpdated => "call_off_updated",
        }
    }

    /// The kind named `name` (as [`Self::as_str`] writes it).
    ///
    /// ```
    /// use portal_core::notifications::NotificationKind;
    /// assert_eq!(NotificationKind::parse("quote_issued"), Some(NotificationKind::QuoteIssued));
    /// assert_eq!(NotificationKind::parse("quote"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The kinds `actor` may be told of: those whose permission its role
    /// holds in the tenant's switched-on features (what the settings page
    /// and the API offer).
    pub fn seen_by(
        actor: &crate::access::Actor,
        features: &crate::tenancy::Features,
    ) -> impl Iterator<Item = Self> {
        Self::ALL
            .into_iter()
            .filter(move |kind| actor.can(kind.permission(), features))
    }

    /// What a contact needs to be told of this kind: a contact who may not
    /// see invoices is not told about them.
    pub fn permission(self) -> Permission {
        match self {
            Self::InvoiceIssued | Self::PaymentReceived | Self::PaymentFailed => {
                Permission::ViewBilling
            }
            Self::QuoteIssued => Permission::ViewQuotes,
            Self::JobScheduled => Permission::ViewServices,
            Self::TicketReplied | Self::TicketClosed => Permission::ViewTickets,
            Self::RequestUpdated => Permission::RequestService,
            Self::CallOffUpdated => Permission::CallOffRent,
        }
    }
}

/// Where a notification reaches a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The feed in the portal.
    Feed,
    /// A mail.
    Email,
}

impl Channel {
    /// Both channels.
    pub const ALL: [Self; 2] = [Self::Feed, Self::Email];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Email => "email",
        }
    }

    /// The channel named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == name)
    }
}

/// What happened, with the facts a feed entry and a mail show. Host text
/// in it (numbers, titles, subjects) is shown escaped wherever it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A new invoice.
    InvoiceIssued {
        /// The invoice.
        invoice: InvoiceId,
        /// Its number.
        number: String,
        /// What it asks for.
        #[serde(with = "stored_money")]
        total: Money,
        /// When it is due.
        due_on: NaiveDate,
    },
    /// A payment went through.
    PaymentReceived {
        /// The payment.
        payment: PaymentId,
        /// How much.
        #[serde(with = "stored_money")]
        amount: Money,
    },
    /// A payment failed.
    PaymentFailed {
        /// The payment.
        payment: PaymentId,
        /// How much it tried.
        #[serde(with = "stored_money")]
        amount: Money,
    },
    /// A new quote.
    QuoteIssued {
        /// The quote.
        quote: QuoteId,
        /// Its number.
        number: String,
        /// Its title.
        title: String,
        /// Its total.
        #[serde(with = "stored_money")]
        total: Money,
        /// The last day it can be approved.
        valid_until: NaiveDate,
    },
    /// A visit was scheduled, moved or cancelled.
    JobScheduled {
        /// The job.
        job: JobId,
        /// Its number.
        number: String,
        /// Its title.
        title: String,
        /// Its status now (scheduled or cancelled).
        status: JobStatus,
        /// When it starts, when scheduled.
        start: Option<DateTime<Utc>>,
        /// When it ends, when scheduled.
        end: Option<DateTime<Utc>>,
    },
    /// Staff answered a ticket.
    TicketReplied {
        /// The ticket.
        ticket: TicketId,
        /// Its number.
        number: u64,
        /// Its subject.
        subject: String,
    },
    /// A ticket was closed.
    TicketClosed {
        /// The ticket.
        ticket: TicketId,
        /// Its number.
        number: u64,
        /// Its subject.
        subject: String,
    },
    /// The host moved a request's status (or changed its note). Of the
    /// kind [`NotificationKind::CallOffUpdated`] for a call-off, else
    /// [`NotificationKind::RequestUpdated`].
    RequestUpdated {
        /// The request.
        request: ServiceRequestId,
        /// Its kind's key: `service`, `call_off` or the host's (`kind`
        /// names the notice itself).
        request_kind: String,
        /// The host's name for a kind it declared; `None` for the
        /// portal's own kinds, which the reader's catalog names.
        kind_name: Option<String>,
        /// Its status now.
        status: RequestStatus,
        /// The host's note; may be empty.
        note: String,
    },
}

impl Notice {
    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Self::InvoiceIssued { .. } => NotificationKind::InvoiceIssued,
            Self::PaymentReceived { .. } => NotificationKind::PaymentReceived,
            Self::PaymentFailed { .. } => NotificationKind::PaymentFailed,
            Self::QuoteIssued { .. } => NotificationKind::QuoteIssued,
            Self::JobScheduled { .. } => NotificationKind::JobScheduled,
            Self::TicketReplied { .. } => NotificationKind::TicketReplied,
            Self::TicketClosed { .. } => NotificationKind::TicketClosed,
            Self::RequestUpdated { request_kind, .. } if request_kind == CALL_OFF => {
                NotificationKind::CallOffUpdated
            }
            Self::RequestUpdated { .. } => NotificationKind::RequestUpdated,
        }
    }

    /// The portal page it is about, relative to the portal's mount (no
    /// leading slash), for the feed's and the mail's links.
    ///
    /// ```
    /// use portal_core::notifications::Notice;
    /// use portal_core::shared::{TicketId};
    /// let ticket = TicketId::new();
    /// let notice = Notice::TicketClosed { ticket, number: 7, subject: "Leak".into() };
    /// assert_eq!(notice.path(), format!("tickets/{ticket}"));
    /// ```
    pub fn path(&self) -> String {
        match self {
            Self::InvoiceIssued { invoice, .. } => format!("billing/invoices/{invoice}"),
            Self::PaymentReceived { payment, .. } | Self::PaymentFailed { payment, .. } => {
                format!("billing/payments/{payment}")
            }
            Self::QuoteIssued { quote, .. } => format!("quotes/{quote}"),
            Self::JobScheduled { job, .. } => format!("jobs/{job}"),
            Self::TicketReplied { ticket, .. } | Self::TicketClosed { ticket, .. } => {
                format!("tickets/{ticket}")
            }
            Self::RequestUpdated {
                request,
                request_kind,
                ..
            } if request_kind == CALL_OFF => format!("rentals/call-offs/{request}"),
            Self::RequestUpdated { request, .. } => format!("requests/{request}"),
        }
    }
}

/// Money inside a stored notice: its amount and its currency side by
/// side (`Money` itself reads from no bare amount).
mod stored_money {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::shared::{Currency, Money};

    #[derive(Serialize, Deserialize)]
    struct Stored {
        amount: Decimal,
        currency: Currency,
    }

    pub fn serialize<S: Serializer>(money: &Money, serializer: S) -> Result<S::Ok, S::Error> {
        Stored {
            amount: money.amount(),
            currency: money.currency(),
        }
        .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        let stored = Stored::deserialize(deserializer)?;
        Ok(Money::new(stored.amount, stored.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name_and_names_are_distinct() {
        let names: std::collections::BTreeSet<_> = NotificationKind::ALL
            .iter()
            .map(|kind| kind.as_str())
            .collect();
        assert_eq!(names.len(), NotificationKind::ALL.len());
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
            // serde writes the same name the store uses.
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
    }

    #[test]
    fn money_in_a_notice_keeps_its_currency() {
        let notice = Notice::PaymentFailed {
            payment: PaymentId::new(),
            amount: Money::new(
                rust_decimal::Decimal::new(12050, 2),
                crate::shared::Currency::parse("EUR").unwrap(),
            ),
        };
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["amount"]["amount"], "120.50");
        assert_eq!(json["amount"]["currency"], "EUR");
        assert_eq!(serde_json::from_value::<Notice>(json).unwrap(), notice);
    }

    #[test]
    fn a_notice_round_trips_through_json_with_its_kind_as_tag() {
        let notice = Notice::TicketReplied {
            ticket: TicketId::new(),
            number: 12,
            subject: "<script>alert(1)</script>".into(),
        };
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["kind"], "ticket_replied");
        assert_eq!(serde_json::from_value::<Notice>(json).unwrap(), notice);
        assert_eq!(notice.kind(), NotificationKind::TicketReplied);
    }

    #[test]
    fn a_request_notice_keeps_its_kind_tag_apart_from_the_requests_kind() {
        let request = ServiceRequestId::new();
        let notice = Notice::RequestUpdated {
            request,
            request_kind: "skip_visit".into(),
            kind_name: Some("Skip a visit".into()),
            status: RequestStatus::InProgress,
            note: "On it".into(),
        };
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["kind"], "request_updated");
        assert_eq!(json["request_kind"], "skip_visit");
        assert_eq!(json["status"], "in_progress");
        assert_eq!(serde_json::from_value::<Notice>(json).unwrap(), notice);
        assert_eq!(notice.kind(), NotificationKind::RequestUpdated);
        assert_eq!(notice.kind().permission(), Permission::RequestService);
        assert_eq!(notice.path(), format!("requests/{request}"));
    }
}
