//! A contact's own details as typed: name and phone.

use portal_core::identity::ProfileChange;
use portal_core::shared::PhoneNumber;

use super::{Field, ParamError};

/// The name and phone a contact gives themself: the phone blank is none
/// (both sources alike); anything else must be a phone number. The name
/// is checked by the core (required, one line, its length).
pub fn profile_change(name: &str, phone: &str) -> Result<ProfileChange, ParamError> {
    let phone = phone.trim();
    let phone = if phone.is_empty() {
        None
    } else {
        Some(
            PhoneNumber::parse(phone)
                .map_err(|error| ParamError::invalid(Field::Phone, error.reason))?,
        )
    };
    Ok(ProfileChange {
        name: name.to_owned(),
        phone,
    })
}
