//! Contacts' inputs, for the add and edit forms and the API's bodies
//! alike: a contact's name, e-mail, phone and role, and a role alone.

use portal_core::PortalError;
use portal_core::access::Role;
use portal_core::contacts::ContactDetails;
use portal_core::shared::Reason;

use super::{Field, ParamError};

/// A contact as typed: every input as text (an absent one is empty).
#[derive(Clone, Copy, Debug, Default)]
pub struct ContactText<'a> {
    /// Full name (required).
    pub name: &'a str,
    /// E-mail (required).
    pub email: &'a str,
    /// Phone (optional).
    pub phone: &'a str,
    /// Role on the account: `primary`, `billing`, `member` or `viewer`.
    pub role: &'a str,
}

impl ContactText<'_> {
    /// The contact's details and role; the first input that is wrong, in
    /// the form's order, is named.
    pub fn parse(self) -> Result<(ContactDetails, Role), PortalError> {
        let details = ContactDetails::parse(self.name, self.email, self.phone)?;
        Ok((details, contact_role(self.role)?))
    }
}

/// A role by its name (`role` is invalid otherwise, listing the choices).
pub fn contact_role(text: &str) -> Result<Role, ParamError> {
    Role::parse(text.trim()).ok_or_else(|| {
        ParamError::invalid(
            Field::Role,
            Reason::NotAChoice {
                choices: Role::ALL.map(Role::as_str).join(", "),
            },
        )
    })
}

/// The access switch of the contacts page: `on` or `off` (`access` is
/// invalid otherwise).
pub fn access_switch(text: &str) -> Result<bool, ParamError> {
    match text.trim() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(ParamError::invalid(
            Field::Access,
            Reason::NotAChoice {
                choices: "on, off".into(),
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_needs_a_name_an_email_and_a_role_and_may_have_a_phone() {
        let typed = ContactText {
            name: " Grace ",
            email: "grace@example.com",
            phone: "",
            role: "billing",
        };
        let (details, role) = typed.parse().unwrap();
        assert_eq!(
            (details.name.as_str(), details.phone, role),
            ("Grace", None, Role::Billing)
        );
        let field = |typed: ContactText| match typed.parse() {
            Err(PortalError::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(ContactText { name: "", ..typed }), "name");
        assert_eq!(
            field(ContactText {
                email: "grace",
                ..typed
            }),
            "email"
        );
        assert_eq!(
            field(ContactText {
                role: "boss",
                ..typed
            }),
            "role"
        );
    }
}
