//! What a manager sees and changes of the account's contacts.

use serde::Serialize;

use crate::access::{Permission, Role};
use crate::error::PortalError;
use crate::identity::{Contact, check_contact_name};
use crate::shared::{ContactId, EmailAddress, ExternalId, PhoneNumber, Reason};

/// How the external id of a contact added in the portal starts
/// (`portal-<uuid>`): the host did not make it, and tells it apart by this.
pub const PORTAL_EXTERNAL_ID_PREFIX: &str = "portal-";

/// Whether a contact with `role` and this access can manage the account's
/// contacts: the rule the last-manager check counts by, written once.
pub fn can_manage_contacts(role: Role, has_access: bool, enabled: bool) -> bool {
    has_access && enabled && role.grants(Permission::ManageContacts)
}

/// A contact's standing in the account's portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    /// Access on and a password set: they log in.
    Active,
    /// Access on, no password yet: an invitation is (or was) on its way.
    Invited,
    /// Access switched off on this account (or the host disabled the
    /// contact).
    NoAccess,
}

impl PortalStatus {
    /// The name the API sends and the pages key their words by.
    pub fn as_str(self) -> &'static str {
        match self {
            PortalStatus::Active => "active",
            PortalStatus::Invited => "invited",
            PortalStatus::NoAccess => "no_access",
        }
    }
}

/// One contact of the account, with their membership.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountContact {
    /// The person.
    pub contact: Contact,
    /// Their role on this account.
    pub role: Role,
    /// Whether their access to this account's portal is on.
    pub has_access: bool,
    /// Whether they have set a password.
    pub has_password: bool,
}

impl AccountContact {
    /// Their standing in the portal.
    pub fn status(&self) -> PortalStatus {
        match (self.has_access && self.contact.enabled, self.has_password) {
            (false, _) => PortalStatus::NoAccess,
            (true, true) => PortalStatus::Active,
            (true, false) => PortalStatus::Invited,
        }
    }

    /// Whether they can manage the account's contacts.
    pub fn can_manage_contacts(&self) -> bool {
        can_manage_contacts(self.role, self.has_access, self.contact.enabled)
    }
}

/// A contact's name, e-mail and phone as a manager enters them, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactDetails {
    /// Full name, one line of 1 to 200 characters.
    pub name: String,
    /// E-mail: required, since the invitation goes there.
    pub email: EmailAddress,
    /// Phone, optional.
    pub phone: Option<PhoneNumber>,
}

impl ContactDetails {
    /// Reads what was typed; an empty phone is none. `InvalidInput` names
    /// the first field that is wrong (`name`, `email`, `phone`).
    ///
    /// ```
    /// use portal_core::contacts::ContactDetails;
    /// assert!(ContactDetails::parse("Ada", "ada@example.com", "").is_ok());
    /// assert!(ContactDetails::parse("", "ada@example.com", "").is_err());
    /// assert!(ContactDetails::parse("Ada", "not an e-mail", "").is_err());
    /// ```
    pub fn parse(name: &str, email: &str, phone: &str) -> Result<Self, PortalError> {
        let name = check_contact_name(name)?;
        let email = email.trim();
        if email.is_empty() {
            return Err(PortalError::invalid("email", Reason::Required));
        }
        let email = EmailAddress::parse(email)?;
        let phone = match phone.trim() {
            "" => None,
            phone => Some(PhoneNumber::parse(phone)?),
        };
        Ok(Self {
            name: name.to_owned(),
            email,
            phone,
        })
    }
}

/// A contact a manager adds: a new person, a member of the account with
/// access on, under an external id of the portal's making.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAccountContact {
    /// Our id, made before the write so its events can name it.
    pub id: ContactId,
    /// `portal-<uuid>` ([`PORTAL_EXTERNAL_ID_PREFIX`]).
    pub external_id: ExternalId,
    /// Name, e-mail, phone.
    pub details: ContactDetails,
    /// Their role on the account.
    pub role: Role,
}

/// One change a manager makes to a contact of the account.
#[derive(Clone, Debug, PartialEq)]
pub enum ContactChange {
    /// New name, e-mail, phone and role.
    Edit {
        /// Name, e-mail, phone.
        details: ContactDetails,
        /// The role on this account.
        role: Role,
    },
    /// A new role on this account.
    Role(Role),
    /// Access to this account's portal on or off.
    Access(bool),
    /// Off the account: the membership goes (the person stays, they may
    /// belong to other accounts).
    Remove,
}

impl ContactChange {
    /// The contact's role and access after the change, from before it
    /// (`None`: no longer a member).
    pub fn apply(&self, role: Role, has_access: bool) -> Option<(Role, bool)> {
        match self {
            ContactChange::Edit { role, .. } | ContactChange::Role(role) => {
                Some((*role, has_access))
            }
            ContactChange::Access(on) => Some((role, *on)),
            ContactChange::Remove => None,
        }
    }
}
