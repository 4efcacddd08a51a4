//! A contact's own details as typed: name and phone.

use portal_core::identity::ProfileChange;
use portal_core::shared::PhoneNumber;

use super::{Field, ParamError};

/// The name and phone a contact gives themself: no phone removes it
/// (a form's blank input is none: pass it through [`super::given`]); any
/// text given must be a phone number, so the API's `""` is invalid. The
/// name is checked by the core (required, one line, its length).
pub fn profile_change(name: &str, phone: Option<&str>) -> Result<ProfileChange, ParamError> {
    let phone = phone
        .map(|phone| {
            PhoneNumber::parse(phone)
                .map_err(|error| ParamError::invalid(Field::Phone, error.reason))
        })
        .transpose()?;
    Ok(ProfileChange {
        name: name.to_owned(),
        phone,
    })
}
