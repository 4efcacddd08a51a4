//! The property model and the rules of the host's upsert.

use serde::{Deserialize, Serialize};

use crate::accounts::Address;
use crate::error::PortalError;
use crate::shared::{AccountId, ExternalId, PropertyId, check_one_line};

/// The longest property name (characters).
pub const MAX_PROPERTY_NAME: usize = 200;

/// The longest line of a property's address (characters).
pub const MAX_ADDRESS_LINE: usize = 200;

/// A service location of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// Our id.
    pub id: PropertyId,
    /// The account it belongs to.
    pub account: AccountId,
    /// The host's id.
    pub external_id: ExternalId,
    /// What the customer calls it ("Main office", "Lake house").
    pub name: String,
    /// Where it is.
    pub address: Address,
}

/// What the host sends to create or update a property, keyed by its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyUpsert {
    /// The host's id.
    pub external_id: ExternalId,
    /// The account it belongs to (for good).
    pub account: AccountId,
    /// Its name: one line, 1 to [`MAX_PROPERTY_NAME`] characters.
    pub name: String,
    /// Its address: each line one line of at most [`MAX_ADDRESS_LINE`].
    pub address: Address,
}

impl PropertyUpsert {
    /// Checks the name and the address lines (they reach the customer's
    /// pages, so they are one line each and bounded).
    pub fn validate(&self) -> Result<(), PortalError> {
        check_one_line("name", &self.name, 1, MAX_PROPERTY_NAME)?;
        let address = &self.address;
        for (field, line) in [
            ("address.line1", &address.line1),
            ("address.line2", &address.line2),
            ("address.city", &address.city),
            ("address.region", &address.region),
            ("address.postal_code", &address.postal_code),
            ("address.country", &address.country),
        ] {
            check_one_line(field, line, 0, MAX_ADDRESS_LINE)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::Reason;

    pub(crate) fn upsert() -> PropertyUpsert {
        PropertyUpsert {
            external_id: ExternalId::parse("p-1").unwrap(),
            account: AccountId::new(),
            name: "Lake house".into(),
            address: Address {
                line1: "1 Shore Rd".into(),
                ..Address::default()
            },
        }
    }

    #[test]
    fn a_property_needs_a_name_and_one_line_addresses() {
        assert!(upsert().validate().is_ok());
        let mut nameless = upsert();
        nameless.name = "  ".into();
        assert!(matches!(
            nameless.validate(),
            Err(PortalError::InvalidInput {
                field: "name",
                reason: Reason::Length { .. },
                ..
            })
        ));
        let mut two_lines = upsert();
        two_lines.address.city = "Springfield\nShelbyville".into();
        assert!(matches!(
            two_lines.validate(),
            Err(PortalError::InvalidInput {
                field: "address.city",
                reason: Reason::OneLine { .. },
                ..
            })
        ));
        let mut long = upsert();
        long.address.line1 = "x".repeat(MAX_ADDRESS_LINE + 1);
        assert!(long.validate().is_err());
    }
}
