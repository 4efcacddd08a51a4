//! A contact's own details as typed: name, phone and other numbers.

use portal_core::identity::{OtherPhone, PhoneKind, ProfileChange};
use portal_core::shared::{PhoneNumber, Reason};

use super::{Field, ParamError};

/// The name and phones a contact gives themself: no phone removes it
/// (a form's blank input is none: pass it through [`super::given`]); any
/// text given must be a phone number, so the API's `""` is invalid. The
/// name, and the other numbers as a list, are checked by the core
/// (required, one line, its length; how many, none twice).
pub fn profile_change(
    name: &str,
    phone: Option<&str>,
    other_phones: Vec<OtherPhone>,
) -> Result<ProfileChange, ParamError> {
    let phone = phone
        .map(|phone| {
            PhoneNumber::parse(phone)
                .map_err(|error| ParamError::invalid(Field::Phone, error.reason))
        })
        .transpose()?;
    Ok(ProfileChange {
        name: name.to_owned(),
        phone,
        other_phones,
    })
}

/// The `index`th (from 1) of a contact's other numbers, as its kind's
/// name and the number typed: both required (a form leaves out the rows
/// whose number is blank before asking).
pub fn other_phone(index: usize, kind: &str, number: &str) -> Result<OtherPhone, ParamError> {
    let kind = PhoneKind::parse(kind.trim()).ok_or_else(|| {
        ParamError::invalid(
            Field::OtherKind(index),
            Reason::NotAChoice {
                choices: PhoneKind::ALL.map(PhoneKind::as_str).join(", "),
            },
        )
    })?;
    let number = PhoneNumber::parse(number)
        .map_err(|error| ParamError::invalid(Field::OtherPhone(index), error.reason))?;
    Ok(OtherPhone { kind, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_other_phone_needs_a_known_kind_and_a_number() {
        let work = other_phone(2, " work ", "(555) 010-0042").unwrap();
        assert_eq!(work.kind, PhoneKind::Work);
        assert_eq!(work.number.as_str(), "5550100042");
        assert!(matches!(
            other_phone(2, "fax", "555 0100 42"),
            Err(ParamError::Invalid {
                field: Field::OtherKind(2),
                reason: Reason::NotAChoice { .. }
            })
        ));
        assert!(matches!(
            other_phone(3, "home", ""),
            Err(ParamError::Invalid {
                field: Field::OtherPhone(3),
                reason: Reason::Required
            })
        ));
        assert!(matches!(
            other_phone(1, "home", "call me"),
            Err(ParamError::Invalid {
                field: Field::OtherPhone(1),
                ..
            })
        ));
    }
}
