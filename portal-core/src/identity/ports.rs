//! The identity store ports, one per aggregate: contacts, credentials,
//! lockouts, sessions and one-time tokens. Each method is one transaction;
//! the conformance suite in `portal-store-sqlx` tests every MUST below on
//! SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Contact, ContactUpsert, Credential, EmailChange, LoginCandidate, LoginName, LoginSource,
    Membership, OneTimeToken, ProfileChange, Session, SessionContext, TokenHash,
};
use crate::access::Role;
use crate::outbox::OutboxMessage;
use crate::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, Language, SessionId, StoreError, TenantId,
};
use crate::tenancy::{LinkMailPolicy, LockoutPolicy};

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
    /// Records the language the contact chose (`None`: no choice, the
    /// browser's and the tenant's apply again). MUST return `NotFound` when
    /// the contact is not in this tenant, and MUST leave the contact's
    /// other fields as they are (a host upsert does not reset it either).
    async fn set_contact_language(
        &self,
        tenant: TenantId,
        contact: ContactId,
        language: Option<Language>,
    ) -> Result<(), StoreError>;
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
    /// The account's primary contact, whose portal staff see when they view
    /// it as the customer: its member with the primary role, enabled, whose
    /// portal access to it is on, the earliest by contact id if several. `None` when it
    /// has none or is not in this tenant.
    async fn primary_contact(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Option<ContactId>, StoreError>;
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

/// Failed log-in counting and the locks it engages, per client: a
/// recognised device's failures count in its own scope, an unrecognised
/// client's in its address's scope and in the contact's
/// [`UNTRUSTED_SCOPE`](super::UNTRUSTED_SCOPE), shared by all unrecognised
/// clients (see [`LoginSource`]).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LockoutStore: Send + Sync {
    /// When an attempt on the contact from `source` is locked at `now`, the
    /// lock's end (the latest, if several apply). MUST consider the
    /// source's own scope and, for an unrecognised source, the contact's
    /// untrusted scope; locks in other scopes (other addresses, other
    /// devices) MUST NOT apply.
    async fn locked_until(
        &self,
        tenant: TenantId,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Counts a failed log-in, known-facts or current-password attempt
    /// from `source` atomically (one conditional update per scope, so
    /// concurrent failures are all counted): in the source's scope against
    /// `policy.max_failures` and, for an unrecognised source, in the untrusted
    /// scope against `policy.untrusted_max_failures`. A failure more than
    /// `policy.lock_minutes` after the scope's previous one starts its count
    /// again. Lockout state MUST exist apart from the credential: failures
    /// of a contact who has no password yet count too, and a later first
    /// password keeps them (a redeemed link clears them). On reaching its
    /// limit a scope is locked until `now + policy.lock_minutes` and its
    /// count restarts; then `on_lock` is written to the outbox in the same
    /// transaction and the lock's end returned. `on_lock` is written only
    /// when this failure engages a lock. Also forgets the contact's scopes
    /// neither locked nor failed within `policy.lock_minutes` at `now`.
    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
        on_lock: &[OutboxMessage],
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// Log-in sessions.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session, writes `messages` (the sign-in's audit entry)
    /// and forgets the failures counted in the
    /// scopes `source` is checked against (see [`LockoutStore`]) that are
    /// not locked, in one transaction; also deletes the contact's expired
    /// sessions. MUST return `Conflict` and write nothing when the contact's
    /// password hash is no longer `verified_hash` (a reset or change
    /// committed while the password was being checked) or an attempt from
    /// `source` is locked at the session's `created_at` (a concurrent
    /// failure engaged the lock).
    async fn start_session(
        &self,
        session: &Session,
        verified_hash: &str,
        source: &LoginSource,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// Stores a staff member's "view as customer" session (its `viewer`
    /// set) with `messages` (the audit entry recording its start), in one
    /// transaction. MUST return `NotFound` and write nothing unless the
    /// session's contact is a member of its active account, in its tenant.
    async fn start_view_as_session(
        &self,
        session: &Session,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// The contact's own live sessions at `now` (not staff's "view as"
    /// sessions), most recently used first.
    async fn contact_sessions(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;
    /// Ends one of the contact's own sessions and writes `messages`, in one
    /// transaction. MUST return `NotFound` and write nothing when no live
    /// session of this contact (in this tenant, not a "view as" one) has
    /// this id.
    async fn end_contact_session(
        &self,
        tenant: TenantId,
        contact: ContactId,
        session: SessionId,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
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

/// A contact's own details: name, phone and other numbers, and e-mail
/// changes that the new address confirms.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Sets the contact's name, phone and other numbers and writes
    /// `messages`, in one transaction, only while the contact's name,
    /// e-mail, phone and other numbers are still `based_on`'s (`messages`
    /// were built from them); returns the contact as stored. MUST return
    /// `NotFound` when the contact is not in this tenant,
    /// `Conflict(DetailsChanged)` when they changed meanwhile and
    /// `Conflict` (the phone taken) when another contact of the tenant has
    /// the phone, writing nothing in each case.
    async fn update_profile(
        &self,
        tenant: TenantId,
        based_on: &Contact,
        change: &ProfileChange,
        messages: &[OutboxMessage],
    ) -> Result<Contact, StoreError>;
    /// Stores a pending e-mail change and writes `messages` (the mail to
    /// the new address), in one transaction; the contact's earlier pending
    /// changes are spent, so only the newest link works.
    async fn start_email_change(
        &self,
        change: &EmailChange,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
    /// The unspent, unexpired change with this token hash, without
    /// spending it.
    async fn pending_email_change(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<EmailChange>, StoreError>;
    /// Confirms the change, in one transaction: spends it only if it is
    /// unspent and unexpired at `now` (MUST return `NotFound` otherwise),
    /// sets the contact's e-mail to the new address only while the
    /// contact's name, e-mail, phone and other numbers are still those of
    /// `based_on`
    /// (MUST return `Conflict(DetailsChanged)` otherwise: `messages` were
    /// built from them) and MUST return `Conflict` when another contact
    /// of the tenant has the address meanwhile,
    /// spends the contact's unused one-time tokens (a link mailed to the
    /// old address dies) and writes `messages`. Writes nothing on an
    /// error.
    async fn complete_email_change(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        based_on: &Contact,
        now: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError>;
}

/// Whether [`TokenStore::issue_token`] stored the token and its mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkIssue {
    /// Stored, with its mail.
    Issued,
    /// Nothing written: the contact was sent its limit of link mails.
    Throttled,
}

/// One-time tokens (set-password, reset and invitation links).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Stores a one-time token and writes `messages` (the mail carrying
    /// it), in one transaction, unless the contact's throttle is reached:
    /// when `limit.max_per_window` tokens of the contact (any purpose, spent
    /// or not) were created in the `limit.window_minutes` before the
    /// token's `created_at`, it MUST write nothing and return
    /// [`LinkIssue::Throttled`]. The count and the write happen under the
    /// contact's lock, so concurrent calls (from any process) never exceed
    /// the limit. Earlier unused tokens of the same contact, of any
    /// purpose, are spent, so only the newest link works; two concurrent
    /// calls for one contact MUST leave one live token (lock the contact's
    /// row on PostgreSQL).
    async fn issue_token(
        &self,
        token: &OneTimeToken,
        messages: &[OutboxMessage],
        limit: &LinkMailPolicy,
    ) -> Result<LinkIssue, StoreError>;
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
