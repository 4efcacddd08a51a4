//! The audit log: who did what, when, on whose behalf and from where.
//! Sign-ins and failed ones, password changes, payments, quote decisions,
//! contact changes and staff "view as customer" sessions each leave an
//! [`AuditEntry`]. An entry is written in the transaction of the change it
//! records ([`OutboxMessage::Audit`](crate::outbox::OutboxMessage::Audit)),
//! so a change is never without its entry nor an entry without its change;
//! entries are never updated.
//!
//! Contacts who manage contacts read their account's log
//! ([`AuditService::account_log`]); every contact reads their own sign-in
//! history ([`AuditService::sign_ins`]).

mod ports;

pub use ports::AuditStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockAuditStore;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, ClientInfo, Permission};
use crate::error::PortalError;
use crate::identity::AuthContext;
use crate::shared::{AccountId, AuditId, ContactId, Page, PageRequest, TenantId};

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A contact signed in.
    SignedIn,
    /// A sign-in with a wrong password (or while locked out).
    SignInFailed,
    /// A contact changed their password.
    PasswordChanged,
    /// A contact set a password from a mailed link (reset, invitation).
    PasswordSet,
    /// A contact ended one of their sessions from the security page.
    SessionEnded,
    /// A payment was made.
    PaymentMade,
    /// A quote was approved.
    QuoteApproved,
    /// A quote was declined.
    QuoteDeclined,
    /// A colleague was added.
    ContactAdded,
    /// A colleague's details changed.
    ContactUpdated,
    /// A colleague was removed from the account.
    ContactRemoved,
    /// A colleague's role changed.
    RoleChanged,
    /// A colleague's portal access was switched on.
    AccessOn,
    /// A colleague's portal access was switched off.
    AccessOff,
    /// A contact changed their own details.
    DetailsChanged,
    /// Staff of the business started viewing the portal as the customer.
    ViewAsStarted,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 16] = [
        AuditAction::SignedIn,
        AuditAction::SignInFailed,
        AuditAction::PasswordChanged,
        AuditAction::PasswordSet,
        AuditAction::SessionEnded,
        AuditAction::PaymentMade,
        AuditAction::QuoteApproved,
        AuditAction::QuoteDeclined,
        AuditAction::ContactAdded,
        AuditAction::ContactUpdated,
        AuditAction::ContactRemoved,
        AuditAction::RoleChanged,
        AuditAction::AccessOn,
        AuditAction::AccessOff,
        AuditAction::DetailsChanged,
        AuditAction::ViewAsStarted,
    ];

    /// The stored name (and the message catalog's key suffix).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordSet => "password_set",
            AuditAction::SessionEnded => "session_ended",
            AuditAction::PaymentMade => "payment_made",
            AuditAction::QuoteApproved => "quote_approved",
            AuditAction::QuoteDeclined => "quote_declined",
            AuditAction::ContactAdded => "contact_added",
            AuditAction::ContactUpdated => "contact_updated",
            AuditAction::ContactRemoved => "contact_removed",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::AccessOn => "access_on",
            AuditAction::AccessOff => "access_off",
            AuditAction::DetailsChanged => "details_changed",
            AuditAction::ViewAsStarted => "view_as_started",
        }
    }

    /// Reads a stored name back.
    ///
    /// ```
    /// use portal_core::audit::AuditAction;
    /// assert_eq!(AuditAction::parse("signed_in"), Some(AuditAction::SignedIn));
    /// assert_eq!(AuditAction::parse("nonsense"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }

    /// Whether it belongs in a contact's sign-in history.
    pub fn is_sign_in(self) -> bool {
        matches!(self, AuditAction::SignedIn | AuditAction::SignInFailed)
    }
}

/// Who did it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditActor {
    /// A customer contact.
    Contact {
        /// Their id.
        id: ContactId,
        /// Their name at the time.
        name: String,
    },
    /// Staff of the business, by the id the host gave.
    Staff {
        /// The host's id for the staff member.
        id: String,
    },
    /// The host product itself (an import, an upsert).
    Host,
}

impl AuditActor {
    /// The stored kind: `contact`, `staff` or `host`.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditActor::Contact { .. } => "contact",
            AuditActor::Staff { .. } => "staff",
            AuditActor::Host => "host",
        }
    }

    /// The stored id (a contact's uuid, a staff id), none for the host.
    pub fn id(&self) -> Option<String> {
        match self {
            AuditActor::Contact { id, .. } => Some(id.to_string()),
            AuditActor::Staff { id } => Some(id.clone()),
            AuditActor::Host => None,
        }
    }

    /// The name shown: the contact's, the staff id, or empty for the host.
    pub fn name(&self) -> &str {
        match self {
            AuditActor::Contact { name, .. } => name,
            AuditActor::Staff { id } => id,
            AuditActor::Host => "",
        }
    }

    /// Reads stored columns back; `None` when they do not fit together.
    pub fn from_stored(kind: &str, id: Option<&str>, name: &str) -> Option<Self> {
        match (kind, id) {
            ("contact", Some(id)) => Some(AuditActor::Contact {
                id: ContactId::parse(id).ok()?,
                name: name.to_owned(),
            }),
            ("staff", Some(id)) => Some(AuditActor::Staff { id: id.to_owned() }),
            ("host", _) => Some(AuditActor::Host),
            _ => None,
        }
    }
}

/// The longest user agent kept (the rest is cut off).
pub const MAX_USER_AGENT: usize = 256;

/// The longest detail kept.
pub const MAX_DETAIL: usize = 200;

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Time-ordered id.
    pub id: AuditId,
    /// The tenant.
    pub tenant: TenantId,
    /// The account it happened on, if any.
    pub account: Option<AccountId>,
    /// The contact it is about (who signed in, whose password changed).
    pub contact: Option<ContactId>,
    /// What happened.
    pub action: AuditAction,
    /// Who did it.
    pub actor: AuditActor,
    /// The contact whose portal staff were viewing, when staff acted.
    pub on_behalf_of: Option<ContactId>,
    /// What it was about, in a few words (a quote number, an amount).
    pub detail: Option<String>,
    /// The client's address.
    pub client_addr: Option<IpAddr>,
    /// The client's user agent, cut to [`MAX_USER_AGENT`].
    pub user_agent: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl AuditEntry {
    /// An entry of `action` at `at` by `actor`, with nothing else known yet.
    pub fn new(
        tenant: TenantId,
        action: AuditAction,
        actor: AuditActor,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AuditId::new(),
            tenant,
            account: None,
            contact: None,
            action,
            actor,
            on_behalf_of: None,
            detail: None,
            client_addr: None,
            user_agent: None,
            at,
        }
    }

    /// The entry of `action` done by a logged-in contact (or staff viewing
    /// as one) on their active account, about themself, with their client.
    pub fn by(auth: &AuthContext, action: AuditAction, at: DateTime<Utc>) -> Self {
        let mut entry =
            Self::by_actor(&auth.actor, &auth.contact.name, action, at).about(auth.contact.id);
        if let Actor::Staff(_) = auth.actor {
            entry.on_behalf_of = Some(auth.contact.id);
        }
        entry
    }

    /// The entry of `action` done by `actor` (a contact called `name`, or
    /// staff) on its account, with its client.
    pub fn by_actor(actor: &Actor, name: &str, action: AuditAction, at: DateTime<Utc>) -> Self {
        let (who, client) = match actor {
            Actor::Contact(contact) => (
                AuditActor::Contact {
                    id: contact.contact,
                    name: name.to_owned(),
                },
                &contact.client,
            ),
            Actor::Staff(staff) => (
                AuditActor::Staff {
                    id: staff.staff.clone(),
                },
                &staff.client,
            ),
        };
        Self::new(actor.tenant(), action, who, at)
            .on(actor.account())
            .from_client(client)
    }

    /// The same entry about `contact`.
    pub fn about(mut self, contact: ContactId) -> Self {
        self.contact = Some(contact);
        self
    }

    /// The same entry on `account`.
    pub fn on(mut self, account: AccountId) -> Self {
        self.account = Some(account);
        self
    }

    /// The same entry with `detail`, cut to [`MAX_DETAIL`] characters.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(cut(detail.into(), MAX_DETAIL));
        self
    }

    /// The same entry from `client`.
    pub fn from_client(mut self, client: &ClientInfo) -> Self {
        self.client_addr = client.address;
        self.user_agent = client
            .user_agent
            .as_ref()
            .map(|agent| cut(agent.clone(), MAX_USER_AGENT));
        self
    }

    /// As an outbox message, to write with the change it records.
    pub fn message(self) -> crate::outbox::OutboxMessage {
        crate::outbox::OutboxMessage::Audit(Box::new(self))
    }
}

/// `text` cut to at most `max` characters, on a character boundary.
fn cut(mut text: String, max: usize) -> String {
    if let Some((index, _)) = text.char_indices().nth(max) {
        text.truncate(index);
    }
    text
}

crate::portal::service! {
    /// The audit log's reads (`portal.audit()`).
    AuditService
}

impl AuditService<'_> {
    /// One page of the active account's log, newest first: everything done
    /// on it, by its contacts, by staff and by the host. Needs
    /// [`Permission::ManageContacts`].
    pub async fn account_log(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ManageContacts).await?;
        Ok(self.stores().audit.account_log(&scope, page).await?)
    }

    /// The logged-in contact's recent sign-ins and failed sign-ins, newest
    /// first (at most `limit`). Staff viewing as the customer see the
    /// customer's.
    pub async fn sign_ins(
        self,
        auth: &AuthContext,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, PortalError> {
        Ok(self
            .stores()
            .audit
            .sign_ins(auth.tenant.id, auth.contact.id, limit.min(100))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_stored_name() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn actors_read_back_from_their_columns() {
        let contact = AuditActor::Contact {
            id: ContactId::new(),
            name: "Ada".into(),
        };
        for actor in [
            contact,
            AuditActor::Staff { id: "kim".into() },
            AuditActor::Host,
        ] {
            let id = actor.id();
            assert_eq!(
                AuditActor::from_stored(actor.kind(), id.as_deref(), actor.name()),
                Some(actor)
            );
        }
        assert_eq!(AuditActor::from_stored("contact", None, "x"), None);
        assert_eq!(AuditActor::from_stored("robot", Some("1"), "x"), None);
    }

    #[test]
    fn long_details_and_user_agents_are_cut_on_a_character_boundary() {
        let entry = AuditEntry::new(
            TenantId::new(),
            AuditAction::SignedIn,
            AuditActor::Host,
            Utc::now(),
        )
        .with_detail("é".repeat(MAX_DETAIL + 10))
        .from_client(&ClientInfo {
            address: None,
            user_agent: Some("x".repeat(1000)),
        });
        assert_eq!(entry.detail.unwrap().chars().count(), MAX_DETAIL);
        assert_eq!(entry.user_agent.unwrap().len(), MAX_USER_AGENT);
    }
}
