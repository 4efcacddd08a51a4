//! The records of identity: contacts, memberships, credentials, sessions and
//! one-time tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tokens::TokenHash;
use crate::access::Role;
use crate::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, Language, PhoneNumber, SessionId, TenantId,
};

/// A person who may log in. Unique per tenant by e-mail and by phone, since
/// either is a log-in name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Our id.
    pub id: ContactId,
    /// The tenant.
    pub tenant: TenantId,
    /// The host's id for the person.
    pub external_id: ExternalId,
    /// Full name.
    pub name: String,
    /// Log-in e-mail.
    pub email: Option<EmailAddress>,
    /// Log-in phone number.
    pub phone: Option<PhoneNumber>,
    /// Numbers the contact can be reached on besides the log-in phone (at
    /// most [`MAX_OTHER_PHONES`]).
    #[serde(default)]
    pub other_phones: Vec<OtherPhone>,
    /// A disabled contact cannot log in or register.
    pub enabled: bool,
    /// The language the contact chose for pages and mails; `None` until
    /// they choose (their browser's, then the tenant's, apply).
    #[serde(default)]
    pub language: Option<Language>,
}

/// What the host sends to create or update a contact, keyed by its own id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactUpsert {
    /// The host's id.
    pub external_id: ExternalId,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: Option<EmailAddress>,
    /// Phone (a log-in name).
    pub phone: Option<PhoneNumber>,
    /// Other numbers (not log-in names; at most [`MAX_OTHER_PHONES`]),
    /// replacing those on file; `None` keeps them (a host that does not
    /// keep them does not wipe what the contact entered).
    #[serde(default)]
    pub other_phones: Option<Vec<OtherPhone>>,
    /// Whether the contact may use the portal.
    pub enabled: bool,
}

/// The longest name a contact may have, whether the host gives it, they
/// give it themself or a manager of their account does.
pub const MAX_CONTACT_NAME: usize = 200;

/// Checks a contact's name: one line of 1 to [`MAX_CONTACT_NAME`]
/// characters once trimmed; returns it trimmed. The error names `name`.
///
/// ```
/// use portal_core::identity::check_contact_name;
/// assert_eq!(check_contact_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
/// assert!(check_contact_name("   ").is_err());
/// assert!(check_contact_name("Ada\nLovelace").is_err());
/// assert!(check_contact_name(&"a".repeat(201)).is_err());
/// ```
pub fn check_contact_name(name: &str) -> Result<&str, crate::error::PortalError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(crate::error::PortalError::invalid(
            "name",
            crate::shared::Reason::Required,
        ));
    }
    crate::shared::check_one_line("name", name, 1, MAX_CONTACT_NAME)?;
    Ok(name)
}

/// What kind of number one of a contact's other phones is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// A mobile.
    Mobile,
    /// At work.
    Work,
    /// At home.
    Home,
    /// Anything else.
    Other,
}

impl PhoneKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [PhoneKind; 4] = [
        PhoneKind::Mobile,
        PhoneKind::Work,
        PhoneKind::Home,
        PhoneKind::Other,
    ];

    /// The kind's name on the wire and in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Home => "home",
            PhoneKind::Work => "work",
            PhoneKind::Other => "other",
        }
    }

    /// The kind named `text`, if any.
    ///
    /// ```
    /// use portal_core::identity::PhoneKind;
    /// assert_eq!(PhoneKind::parse("work"), Some(PhoneKind::Work));
    /// assert_eq!(PhoneKind::parse("fax"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// How many other numbers a contact keeps beside the log-in phone.
pub const MAX_OTHER_PHONES: usize = 3;

/// A number a contact can be reached on besides their log-in phone. Not
/// a log-in name, so two contacts may share one (an office's main line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherPhone {
    /// Mobile, work, home or other.
    pub kind: PhoneKind,
    /// The number.
    pub number: PhoneNumber,
}

impl OtherPhone {
    /// Checks a contact's other numbers: at most [`MAX_OTHER_PHONES`],
    /// none twice and none the log-in phone `main`. The error names
    /// `other_phones`.
    ///
    /// ```
    /// use portal_core::identity::{OtherPhone, PhoneKind};
    /// use portal_core::shared::PhoneNumber;
    /// let work = OtherPhone { kind: PhoneKind::Work, number: PhoneNumber::parse("555 0100 01").unwrap() };
    /// assert!(OtherPhone::check_list(&[work.clone()], None).is_ok());
    /// assert!(OtherPhone::check_list(&[work.clone(), work.clone()], None).is_err());
    /// assert!(OtherPhone::check_list(&[work.clone()], Some(&work.number)).is_err());
    /// ```
    pub fn check_list(
        phones: &[OtherPhone],
        main: Option<&PhoneNumber>,
    ) -> Result<(), crate::error::PortalError> {
        use crate::shared::Reason;
        if phones.len() > MAX_OTHER_PHONES {
            return Err(crate::error::PortalError::invalid(
                "other_phones",
                Reason::Count {
                    min: 0,
                    max: MAX_OTHER_PHONES,
                },
            ));
        }
        for (index, phone) in phones.iter().enumerate() {
            if main == Some(&phone.number) {
                return Err(crate::error::PortalError::invalid(
                    "other_phones",
                    Reason::IncludesLoginPhone,
                ));
            }
            if phones[..index].iter().any(|p| p.number == phone.number) {
                return Err(crate::error::PortalError::invalid(
                    "other_phones",
                    Reason::ListedTwice,
                ));
            }
        }
        Ok(())
    }
}

/// A contact's role on one account, with what the switcher shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// The account.
    pub account: AccountId,
    /// Its number.
    pub account_number: String,
    /// Its name.
    pub account_name: String,
    /// The contact's role there.
    pub role: Role,
    /// Whether this membership is usable: the account's portal is on and
    /// the contact's own access to it is on (a manager may switch it off,
    /// see [`crate::contacts`]); other memberships are never usable.
    pub portal_enabled: bool,
    /// Whether the host marked the account as having history (see
    /// `Account::has_history`); some tenants require it to register.
    pub has_history: bool,
}

/// How a contact names themself at log-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginName {
    /// By e-mail.
    Email(EmailAddress),
    /// By phone number.
    Phone(PhoneNumber),
}

impl LoginName {
    /// Reads what the customer typed: an `@` means e-mail, else a phone number.
    ///
    /// ```
    /// use portal_core::identity::LoginName;
    /// assert!(matches!(LoginName::parse("ada@example.com"), Ok(LoginName::Email(_))));
    /// assert!(matches!(LoginName::parse("555 123 4567"), Ok(LoginName::Phone(_))));
    /// ```
    pub fn parse(text: &str) -> Result<Self, crate::shared::ParseError> {
        if text.trim().is_empty() {
            return Err(crate::shared::ParseError::new(
                "login",
                crate::shared::Reason::Required,
            ));
        }
        if text.contains('@') {
            EmailAddress::parse(text).map(LoginName::Email)
        } else {
            PhoneNumber::parse(text).map(LoginName::Phone).map_err(|_| {
                crate::shared::ParseError::new(
                    "login",
                    crate::shared::Reason::Malformed(crate::shared::Shape::EmailOrPhone),
                )
            })
        }
    }
}

/// A contact's password hash. (Lockout state is per client, read through
/// [`LockoutStore`](super::LockoutStore).)
#[derive(Clone, Debug, PartialEq)]
pub struct Credential {
    /// The PHC-format argon2id hash.
    pub password_hash: String,
}

/// What log-in needs to decide: the contact, its credential if it has
/// registered, and the memberships it could use.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginCandidate {
    /// The contact.
    pub contact: Contact,
    /// None until the contact has set a password.
    pub credential: Option<Credential>,
}

/// Whether a session came from the HTML portal (cookie) or the API (bearer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser session carried in a cookie.
    Cookie,
    /// An API session carried as a bearer token.
    Bearer,
}

impl SessionKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Bearer => "bearer",
        }
    }

    /// Reads a stored name back.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cookie" => Some(SessionKind::Cookie),
            "bearer" => Some(SessionKind::Bearer),
            _ => None,
        }
    }
}

/// A session as stored: only the token's hash, never the token.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Our id.
    pub id: SessionId,
    /// The tenant.
    pub tenant: TenantId,
    /// Who logged in.
    pub contact: ContactId,
    /// The account everything is shown for.
    pub active_account: AccountId,
    /// SHA-256 of the token.
    pub token_hash: TokenHash,
    /// Cookie or bearer.
    pub kind: SessionKind,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// Last time it was used (updated at most once a minute).
    pub last_seen_at: DateTime<Utc>,
    /// It ends at this time unless used again.
    pub idle_expires_at: DateTime<Utc>,
    /// It ends at this time regardless.
    pub absolute_expires_at: DateTime<Utc>,
    /// The client that started it (shown on the security page).
    pub client: crate::access::ClientInfo,
    /// The staff member viewing the portal as the contact, for a "view as
    /// customer" session (read-only); `None` for the contact's own.
    pub viewer: Option<String>,
}

/// A live session with what every request needs: the contact, the active
/// membership and the contact's other memberships (for the account
/// switcher), read in one query.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionContext {
    /// The session.
    pub session: Session,
    /// The contact.
    pub contact: Contact,
    /// The contact's membership of the active account.
    pub membership: Membership,
    /// All the contact's memberships, by account name, including those on
    /// accounts whose portal is off.
    pub memberships: Vec<Membership>,
}

/// What a one-time token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPurpose {
    /// First password, after registering by e-mail on file.
    SetPassword,
    /// Forgotten password.
    ResetPassword,
    /// Invitation by staff or a colleague.
    Invitation,
}

impl TokenPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::SetPassword => "set_password",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::Invitation => "invitation",
        }
    }

    /// Reads a stored name back.
    pub fn parse(text: &str) -> Option<Self> {
        [
            TokenPurpose::SetPassword,
            TokenPurpose::ResetPassword,
            TokenPurpose::Invitation,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == text)
    }

    /// How long a link of this kind stays valid: an hour for passwords,
    /// a week for invitations (people read invitations days later).
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            TokenPurpose::SetPassword | TokenPurpose::ResetPassword => chrono::Duration::hours(1),
            TokenPurpose::Invitation => chrono::Duration::days(7),
        }
    }
}

/// A single-use token as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct OneTimeToken {
    /// SHA-256 of the token mailed out.
    pub hash: TokenHash,
    /// The tenant.
    pub tenant: TenantId,
    /// Whose password it sets.
    pub contact: ContactId,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// It is refused from this time.
    pub expires_at: DateTime<Utc>,
}

/// How long a link confirming a new e-mail address stays valid.
pub const EMAIL_CHANGE_LIFETIME: chrono::Duration = chrono::Duration::hours(24);

/// A change of a contact's e-mail waiting for the new address to confirm
/// it, as stored: only the mailed token's hash.
#[derive(Clone, Debug, PartialEq)]
pub struct EmailChange {
    /// SHA-256 of the token mailed to the new address.
    pub hash: TokenHash,
    /// The tenant.
    pub tenant: TenantId,
    /// Whose e-mail changes.
    pub contact: ContactId,
    /// The address it changes to.
    pub new_email: EmailAddress,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// The link is refused from this time.
    pub expires_at: DateTime<Utc>,
}

/// What a contact may change of themself: their name, phone and other
/// numbers (their e-mail changes only once the new address confirms it).
#[derive(Clone, Debug, PartialEq)]
pub struct ProfileChange {
    /// Full name.
    pub name: String,
    /// Phone, also a log-in name; `None` removes it (when an e-mail is
    /// left to log in with).
    pub phone: Option<PhoneNumber>,
    /// Other numbers, replacing those on file (see
    /// [`OtherPhone::check_list`]).
    pub other_phones: Vec<OtherPhone>,
}
