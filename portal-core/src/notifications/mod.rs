//! Notifications: what the business tells a customer's contacts when
//! something happens on their account (an invoice issued, a payment
//! received or failed, a quote issued, a visit scheduled or changed, a
//! ticket answered or closed, a request's status moved by the host), in
//! the portal's feed and by mail, as each contact chooses per kind.
//!
//! A host use case that causes one (for instance
//! [`HostApi::upsert_invoice`](crate::HostApi::upsert_invoice)) names it
//! with a [`Notice`] and a key; [`notify`] finds the account's contacts who
//! may see it, writes one feed entry for each who wants it in the feed and
//! queues one mail in the outbox for each who wants it by mail, all in one
//! store transaction that happens once per key. So a host that retries a
//! call after a failure neither loses a notification nor sends it twice,
//! and a mail server that is down only delays the mails. Every mail carries
//! a signed link that turns its kind off without logging in
//! ([`unsubscribe`]).

mod notice;
mod ports;
mod service;
pub(crate) mod triggers;
pub mod unsubscribe;

pub use notice::{Channel, Notice, NotificationKind};
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockNotificationStore;
pub use ports::{NotificationStore, Recipient};
pub use service::NotificationsService;
pub(crate) use service::notify;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::shared::{AccountId, ContactId, NotificationId};

/// One entry of a contact's feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    /// Our id.
    pub id: NotificationId,
    /// Whose feed it is in.
    pub contact: ContactId,
    /// The account it is about.
    pub account: AccountId,
    /// What happened.
    pub notice: Notice,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When the contact marked it read.
    pub read_at: Option<DateTime<Utc>>,
}

/// A contact's choices: the kinds and channels they switched off
/// (everything else is on, so a new kind reaches everyone until they say
/// otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    off: BTreeSet<(NotificationKind, Channel)>,
}

impl Preferences {
    /// Every kind on both channels.
    pub fn all_on() -> Self {
        Self::default()
    }

    /// Whether `kind` reaches the contact on `channel`.
    ///
    /// ```
    /// use portal_core::notifications::{Channel, NotificationKind, Preferences};
    /// let mut choices = Preferences::all_on();
    /// choices.set(NotificationKind::InvoiceIssued, Channel::Email, false);
    /// assert!(!choices.wants(NotificationKind::InvoiceIssued, Channel::Email));
    /// assert!(choices.wants(NotificationKind::InvoiceIssued, Channel::Feed));
    /// ```
    pub fn wants(&self, kind: NotificationKind, channel: Channel) -> bool {
        !self.off.contains(&(kind, channel))
    }

    /// Switches `kind` on `channel` on or off.
    pub fn set(&mut self, kind: NotificationKind, channel: Channel, on: bool) {
        if on {
            self.off.remove(&(kind, channel));
        } else {
            self.off.insert((kind, channel));
        }
    }

    /// What is switched off, in a stable order (what the store keeps).
    pub fn switched_off(&self) -> impl Iterator<Item = (NotificationKind, Channel)> + '_ {
        self.off.iter().copied()
    }

    /// Preferences with exactly these switched off.
    pub fn from_switched_off(off: impl IntoIterator<Item = (NotificationKind, Channel)>) -> Self {
        Self {
            off: off.into_iter().collect(),
        }
    }
}

/// One page of a contact's feed and how many of all their entries for
/// the account are unread.
#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    /// The page, newest first.
    pub page: crate::shared::Page<Notification>,
    /// Unread entries of the account, on any page.
    pub unread: u64,
}
