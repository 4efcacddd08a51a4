//! The identity store ports, one per aggregate: contacts, credentials,
//! lockouts, sessions and one-time tokens. Each method is one transaction;
//! the conformance suite in `portal-store-sqlx` tests every MUST below on
//! SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Contact, ContactUpsert, Credential, LoginCandidate, LoginName, Membership, OneTimeToken,
    Session, SessionContext, TokenHash,
};
use crate::access::Role;
use crate::outbox::OutboxMessage;
use crate::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, SessionId, StoreError, TenantId,
};
use crate::tenancy::LockoutPolicy;

/// Contacts and their memberships of accounts.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ContactStore: Send + Sync {
    /// Creates the contact or updates the one with the same external id,
    /// keeping its id. MUST be idempotent and MUST return `Conflict` when
    /// another contact of the tenant has the e-mail or the phone. When the
    /// e-mail changes, the contact's unused one-time tokens MUST be spent in
    /// the same transaction (a link mailed to the old address dies).
    async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, StoreError>;
    /// The contact with this id in this tenant.
    async fn contact(&self, tenant: TenantId, id: ContactId)
    -> Result<Option<Contact>, StoreError>;
    /// The contact with this external id in this tenant.
    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contact>, StoreError>;
    /// The contact with this e-mail in this tenant.
    async fn contact_by_email(
        &self,
        tenant: TenantId,
        email: &EmailAddress,
    ) -> Result<Option<Contact>, StoreError>;
    /// Gives a contact a role on an account, or changes it. MUST return
    /// `NotFound` when either is not in this tenant.
    async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), StoreError>;
    /// Removes a contact's membership and ends the contact's sessions whose
    /// active account it was, in one transaction.
    async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), StoreError>;
    /// The contact's memberships, by account name.
    async fn memberships(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Vec<Membership>, StoreError>;
}

/// Passwords: the stored hash, the log-in lookup and password writes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// The contact's credential, if it has set a password.
    async fn credential(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Option<Credential>, StoreError>;
    /// The contact who logs in with this name, with its credential.
    async fn login_candidate(
        &self,
        tenant: TenantId,
        login: &LoginName,
    ) -> Result<Option<LoginCandidate>, StoreError>;
    /// Replaces a contact's password hash, ends every other session of the
    /// contact (all of them when `keep` is `None`), spends all its unused
    /// one-time tokens and writes `messages`, in one transaction. MUST
    /// return `Conflict` and write nothing when the stored hash is no longer
    /// `current_hash` (another change won the race).
    async fn change_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        current_hash: &str,
        new_hash: &str,
        keep: Option<SessionId>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Sets the first password of a contact that has none (known-facts
    /// registration), spends all its unused one-time tokens and writes
    /// `messages`, in one transaction. MUST return `Conflict` when the
    /// contact already has a password.
    async fn set_first_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
}

/// Failed log-in counting and the lock it engages.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LockoutStore: Send + Sync {
    /// When the contact's log-in is locked at `now`, the lock's end.
    async fn locked_until(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Counts a failed log-in or known-facts registration attempt
    /// atomically (a single conditional update, so concurrent failures are
    /// all counted). Lockout state MUST exist apart from the credential:
    /// failures of a contact who has no password yet count too, and a later
    /// first password keeps them (a redeemed link clears them). On reaching
    /// `policy.max_failures` the contact is locked until
    /// `now + policy.lock_minutes`, the counter restarts, `on_lock` is
    /// written to the outbox in the same transaction and the returned value
    /// is the lock's end. `on_lock` is written only when this failure
    /// engages the lock.
    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
        on_lock: &[OutboxMessage],
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// Log-in sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session and clears the contact's failure counter, in
    /// one transaction; also deletes the contact's expired sessions. MUST
    /// return `Conflict` and write nothing when the contact's password hash
    /// is no longer `verified_hash` (a reset or change committed while the
    /// password was being checked) or the contact is locked at the
    /// session's `created_at`.
    async fn start_session(&self, session: &Session, verified_hash: &str)
    -> Result<(), StoreError>;
    /// The live session with this token hash: MUST return `None` when it is
    /// in another tenant, past either expiry at `now`, its contact is
    /// disabled, or its active membership is gone or on an account whose
    /// portal is off. MUST return with it all the contact's memberships,
    /// exactly as [`ContactStore::memberships`] would and read in the same
    /// query, so that a page needs no second one.
    async fn session_context(
        &self,
        tenant: TenantId,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionContext>, StoreError>;
    /// Records use of a session, pushing its idle expiry out (never past
    /// the absolute expiry).
    async fn touch_session(
        &self,
        tenant: TenantId,
        session: SessionId,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Makes `account` the session's active account. MUST return `NotFound`
    /// unless the session's contact is a member of it and its portal is on.
    async fn switch_account(
        &self,
        tenant: TenantId,
        session: SessionId,
        account: AccountId,
    ) -> Result<(), StoreError>;
    /// Ends one session (log-out).
    async fn end_session(&self, tenant: TenantId, session: SessionId) -> Result<(), StoreError>;
}

/// One-time tokens (set-password, reset and invitation links).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a one-time token and writes `messages` (the mail carrying
    /// it), in one transaction. Earlier unused tokens of the same contact,
    /// of any purpose, are spent, so only the newest link works; two
    /// concurrent calls for one contact MUST leave one live token (lock the
    /// contact's row on PostgreSQL).
    async fn issue_token(
        &self,
        token: &OneTimeToken,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// The unspent, unexpired token with this hash, without spending it.
    async fn live_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<OneTimeToken>, StoreError>;
    /// Spends the token and sets the password, in one transaction: marks
    /// the token used only if it is unspent and unexpired at `now` (a
    /// conditional update; MUST return `NotFound` otherwise, and then write
    /// nothing), stores the hash, clears failures and any lock, spends the
    /// contact's other unused tokens, ends all of the contact's sessions and
    /// writes `messages`. Returns the contact.
    async fn redeem_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
        new_hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<ContactId, StoreError>;
}
