//! The contacts store port: an account's contacts and the changes a
//! manager makes to them. Each method is one transaction; the conformance
//! suite in `portal-store-sqlx` tests every MUST below on SQLite and
//! PostgreSQL.

use async_trait::async_trait;

use super::{AccountContact, ContactChange, NewAccountContact};
use crate::access::AccountScope;
use crate::outbox::OutboxMessage;
use crate::shared::{ContactId, Page, PageRequest, StoreError};

/// An account's contacts (its memberships) as a manager sees and changes
/// them.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AccountContactStore: Send + Sync {
    /// One page of the scope's account's contacts, by name then id, with
    /// the number of them all. MUST list only members of that account in
    /// that tenant.
    async fn account_contacts(
        &self,
        scope: AccountScope,
        page: PageRequest,
    ) -> Result<Page<AccountContact>, StoreError>;

    /// One contact of the scope's account; MUST return `None` for a
    /// contact who is not a member of it (another account's, another
    /// tenant's, or nobody's).
    async fn account_contact(
        &self,
        scope: AccountScope,
        contact: ContactId,
    ) -> Result<Option<AccountContact>, StoreError>;

    /// Creates the contact and its membership of the scope's account
    /// (access on) and writes `messages`, in one transaction. MUST return
    /// `Conflict(Taken(Email))` (or `Phone`) and write nothing when another
    /// contact of the tenant has the e-mail (or phone).
    async fn add_account_contact(
        &self,
        scope: AccountScope,
        contact: &NewAccountContact,
        messages: &[OutboxMessage],
    ) -> Result<AccountContact, StoreError>;

    /// Applies `change` to the contact's membership of the scope's account
    /// (and, for an edit, to the person) and writes `messages`, in one
    /// transaction; returns the contact as it is after (`None` when
    /// removed). MUST return `NotFound` and write nothing when the contact
    /// is not a member of that account. MUST return
    /// `Conflict(Contacts(LastManager))` and write nothing when the contact
    /// could manage contacts ([`super::can_manage_contacts`]) and no member
    /// of the account could after the change; this check and the change
    /// MUST be serialised per account (PostgreSQL: the account's row lock),
    /// so two concurrent demotions of an account's last two managers never
    /// both succeed. Switching access off or removing MUST end the
    /// contact's sessions on that account in the same transaction. An
    /// edit MUST return `Conflict(Taken(Email))` (or `Phone`) and write
    /// nothing when another contact of the tenant has the e-mail, and
    /// when the e-mail changes MUST spend the contact's unused one-time
    /// tokens (a link mailed to the old address dies).
    async fn change_account_contact(
        &self,
        scope: AccountScope,
        contact: ContactId,
        change: &ContactChange,
        messages: &[OutboxMessage],
    ) -> Result<Option<AccountContact>, StoreError>;
}
