//! A ticket as stored: its category, status and thread of messages, each
//! message with the files attached to it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::blobs::Attachment;
use crate::requests::Reference;
use crate::shared::{AccountId, ContactId, JobId, PageRequest, TicketId, TicketMessageId};

/// The most characters of the opening text a ticket's subject keeps.
pub const SUBJECT_CHARS: usize = 80;

/// The longest reply the host may write (characters); the customer's
/// messages are held to the tenant's own limit.
pub const MAX_STAFF_BODY: usize = 20_000;

/// Where a ticket stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for the business (just opened, or the customer wrote).
    Open,
    /// Waiting for the customer (the business answered).
    Waiting,
    /// Done.
    Closed,
}

impl TicketStatus {
    /// Every status.
    pub const ALL: [Self; 3] = [Self::Open, Self::Waiting, Self::Closed];

    /// How stores and the API spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Waiting => "waiting",
            Self::Closed => "closed",
        }
    }

    /// The status spelled by [`TicketStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// Whether the ticket is still being dealt with.
    pub fn is_open(self) -> bool {
        self != Self::Closed
    }
}

/// The category a ticket was opened in, as it was named then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryRef {
    /// The category's key.
    pub key: String,
    /// Its name when the ticket was opened.
    pub name: String,
}

/// A ticket, without its thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ticket {
    /// Our id (the host answers by it).
    pub id: TicketId,
    /// The account it belongs to.
    pub account: AccountId,
    /// Its number, counted per tenant from 1 (the store gives it).
    pub number: u64,
    /// The category picked.
    pub category: CategoryRef,
    /// The opening text's first line, cut to [`SUBJECT_CHARS`].
    pub subject: String,
    /// Where it stands.
    pub status: TicketStatus,
    /// The job or visit it is about, if any.
    pub job: Option<Reference<JobId>>,
    /// Who the tenant's policy assigned it to.
    pub assignee: Option<String>,
    /// Who opened it.
    pub opened_by: ContactId,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it last changed (a message, a status).
    pub updated_at: DateTime<Utc>,
    /// How many messages its thread holds (the opening text included).
    pub messages: u32,
}

impl Ticket {
    /// The subject of a ticket whose opening text is `body`: its first
    /// non-empty line, cut to [`SUBJECT_CHARS`] characters (with `…`).
    pub fn subject_of(body: &str) -> String {
        let line = body.lines().map(str::trim).find(|line| !line.is_empty());
        let line = line.unwrap_or_default();
        if line.chars().count() <= SUBJECT_CHARS {
            return line.to_owned();
        }
        let mut cut: String = line.chars().take(SUBJECT_CHARS - 1).collect();
        cut.truncate(cut.trim_end().len());
        cut.push('…');
        cut
    }
}

/// Who wrote a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Author {
    /// A contact of the account.
    Customer {
        /// Who.
        contact: ContactId,
        /// Their name (as it is now).
        name: String,
    },
    /// The business's staff, through the host.
    Staff {
        /// The name the host gave.
        name: String,
    },
}

/// One message of a thread: the opening text or a reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketMessage {
    /// Our id.
    pub id: TicketMessageId,
    /// Who wrote it.
    pub author: Author,
    /// What they wrote.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
    /// The files attached to it.
    pub attachments: Vec<Attachment>,
}

/// A ticket with its thread, oldest message first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TicketThread {
    /// The ticket.
    pub ticket: Ticket,
    /// Its messages, oldest first.
    pub messages: Vec<TicketMessage>,
}

/// Which tickets a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TicketFilter {
    /// Open ones first, then closed ones.
    #[default]
    All,
    /// Only those not closed.
    Open,
    /// Only closed ones.
    Closed,
}

impl TicketFilter {
    /// How query strings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The filter spelled by [`TicketFilter::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        [Self::All, Self::Open, Self::Closed]
            .into_iter()
            .find(|filter| filter.as_str() == text)
    }
}

/// A page of an account's tickets: open ones first, then closed ones,
/// each latest activity first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TicketQuery {
    /// Which tickets.
    pub filter: TicketFilter,
    /// Which page.
    pub page: PageRequest,
}

/// What a customer writes to open a ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketDraft {
    /// The category's key.
    pub category: String,
    /// The opening text.
    pub body: String,
    /// The job or visit it is about, if any.
    pub job: Option<JobId>,
}

/// What the host writes to answer a ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffReply {
    /// The host's id for the reply: sending it again changes nothing.
    pub external_id: crate::shared::ExternalId,
    /// Who answered, as the customer will read it.
    pub author_name: String,
    /// The answer (1 to [`MAX_STAFF_BODY`] characters).
    pub body: String,
    /// The status the ticket takes; none leaves it waiting for the
    /// customer.
    pub status: Option<TicketStatus>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_subject_is_the_first_line_that_says_something() {
        assert_eq!(
            Ticket::subject_of("\n  \n  Ants in the kitchen \nsince Monday"),
            "Ants in the kitchen"
        );
        assert_eq!(Ticket::subject_of(""), "");
        let long = "word ".repeat(40);
        let subject = Ticket::subject_of(&long);
        assert_eq!(subject.chars().count(), SUBJECT_CHARS);
        assert!(subject.ends_with("word…"));
    }

    #[test]
    fn statuses_and_filters_read_back_as_spelled() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(status.as_str()), Some(status));
        }
        assert!(!TicketStatus::Closed.is_open());
        assert!(TicketStatus::Waiting.is_open());
        for filter in [TicketFilter::All, TicketFilter::Open, TicketFilter::Closed] {
            assert_eq!(TicketFilter::parse(filter.as_str()), Some(filter));
        }
        assert_eq!(TicketFilter::parse("Open"), None);
    }

    proptest! {
        #[test]
        fn a_subject_is_one_line_within_the_limit(body in "\\PC{0,300}(\n\\PC{0,50}){0,3}") {
            let subject = Ticket::subject_of(&body);
            prop_assert!(subject.chars().count() <= SUBJECT_CHARS);
            prop_assert!(!subject.contains('\n'));
        }
    }
}
