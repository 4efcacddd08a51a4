//! The notification store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::access::{AccountScope, Role};
use crate::identity::Contact;
use crate::notifications::{Channel, Feed, Notification, NotificationKind, Preferences};
use crate::outbox::OutboxMessage;
use crate::shared::{AccountId, ContactId, PageRequest, StoreError, TenantId};

/// A contact who might be told about something on an account.
#[derive(Clone, Debug, PartialEq)]
pub struct Recipient {
    /// The contact.
    pub contact: Contact,
    /// Their role on the account.
    pub role: Role,
    /// What they switched off.
    pub preferences: Preferences,
}

/// Feeds, preferences and the once-per-key write of a notification.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// The enabled contacts with a membership on `account`, each with their
    /// role and preferences, in one statement. MUST return none when the
    /// account is not `tenant`'s or its portal is off.
    async fn recipients(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Vec<Recipient>, StoreError>;

    /// Writes the feed entries and queues the mails of the notification
    /// named `key`, in one transaction, unless `tenant` already has one by
    /// that key: then it writes nothing and returns false. MUST be safe
    /// when two callers race with the same key (one writes).
    async fn notify(
        &self,
        tenant: TenantId,
        key: &str,
        feed: &[Notification],
        mails: &[OutboxMessage],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// One page of `contact`'s feed for the scope's account, newest first,
    /// and how many of its entries are unread. MUST read only that
    /// contact's entries of that account, on an index (contact, account,
    /// time).
    async fn feed(
        &self,
        scope: &AccountScope,
        contact: ContactId,
        page: PageRequest,
    ) -> Result<Feed, StoreError>;

    /// Marks every unread entry of `contact`'s feed for the scope's
    /// account read at `at`; returns how many changed.
    async fn mark_read(
        &self,
        scope: &AccountScope,
        contact: ContactId,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// What `contact` switched off (nothing for a contact of another
    /// tenant).
    async fn preferences(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Preferences, StoreError>;

    /// Replaces `contact`'s choices with `preferences`, in one
    /// transaction. MUST return `NotFound` when the contact is not
    /// `tenant`'s.
    async fn set_preferences(
        &self,
        tenant: TenantId,
        contact: ContactId,
        preferences: &Preferences,
    ) -> Result<(), StoreError>;

    /// Switches `kind` off on `channel` for `contact`, keeping the rest;
    /// doing it again changes nothing. MUST return `NotFound` when the
    /// contact is not `tenant`'s.
    async fn switch_off(
        &self,
        tenant: TenantId,
        contact: ContactId,
        kind: NotificationKind,
        channel: Channel,
    ) -> Result<(), StoreError>;
}
