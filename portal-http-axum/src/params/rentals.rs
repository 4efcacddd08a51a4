//! Rentals' inputs: the contract list's status filter and page, and a
//! call-off's quantities and pickup date. Whether a quantity can be
//! called off (no more than is available, from 1) and whether the day is
//! today or later is the core's rule (`CallOffRequest::check`); here only
//! whether the text is a whole number or a day.

use chrono::NaiveDate;

use portal_core::rentals::{ContractQuery, ContractStatus};
use portal_core::shared::{Reason, Shape};

use super::billing::page_request;
use super::values::{date, given, given_in};
use super::{Field, ParamError, Source};

/// The rental contract list's filter and page as received; a blank value
/// is not given.
#[derive(Clone, Copy, Debug, Default)]
pub struct RentalFilterText<'a> {
    /// `open` or `closed`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl RentalFilterText<'_> {
    /// The core's query.
    pub fn parse(&self, source: Source) -> Result<ContractQuery, ParamError> {
        let status = given_in(self.status, source)
            .map(|text| {
                ContractStatus::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: [ContractStatus::Open, ContractStatus::Closed]
                                .map(ContractStatus::as_str)
                                .join(", "),
                        },
                    )
                })
            })
            .transpose()?;
        Ok(ContractQuery {
            status,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

/// The quantity typed for the `index`th item of a call-off form: blank
/// or `0` is "not this item" (`None`); otherwise digits only, a whole
/// number (a sign, a decimal point or a word is refused at that input).
pub fn call_off_quantity(index: usize, text: &str) -> Result<Option<u32>, ParamError> {
    let Some(text) = given(Some(text)) else {
        return Ok(None);
    };
    let malformed = || {
        ParamError::invalid(
            Field::ItemQuantity(index),
            Reason::Malformed(Shape::WholeNumber),
        )
    };
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(malformed());
    }
    match text.parse::<u32>() {
        Ok(0) => Ok(None),
        Ok(quantity) => Ok(Some(quantity)),
        // More digits than any stock: more than is out, which is the
        // core's to say, so it is asked for the most a count can be.
        Err(_) => Ok(Some(u32::MAX)),
    }
}

/// A quantity in a JSON body: a whole number that fits a count (0 is
/// passed on: the core says it is not a quantity, naming the item).
pub fn call_off_quantity_number(number: &serde_json::Number) -> Result<u32, ParamError> {
    number
        .as_u64()
        .and_then(|quantity| u32::try_from(quantity).ok())
        .ok_or_else(|| ParamError::invalid(Field::Quantity, Reason::Malformed(Shape::WholeNumber)))
}

/// The pickup day, `YYYY-MM-DD`; required.
pub fn pickup_on(text: Option<&str>, source: Source) -> Result<NaiveDate, ParamError> {
    match given_in(text, source) {
        None => Err(ParamError::invalid(Field::PickupOn, Reason::Required)),
        Some(text) => date(Field::PickupOn, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_open_or_closed_and_blank_is_both() {
        let parse = |status| {
            RentalFilterText {
                status,
                ..Default::default()
            }
            .parse(Source::Api)
        };
        assert_eq!(
            parse(Some("closed")).unwrap().status,
            Some(ContractStatus::Closed)
        );
        assert_eq!(parse(None).unwrap().status, None);
        assert!(matches!(
            parse(Some("active")),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }

    #[test]
    fn a_typed_quantity_is_digits_and_blank_or_zero_is_not_asked() {
        assert_eq!(call_off_quantity(0, " 2 "), Ok(Some(2)));
        assert_eq!(call_off_quantity(0, ""), Ok(None));
        assert_eq!(call_off_quantity(0, "0"), Ok(None));
        assert_eq!(call_off_quantity(0, "99999999999"), Ok(Some(u32::MAX)));
        for bad in ["-1", "1.5", "two", "+3", "1e2"] {
            assert_eq!(
                call_off_quantity(3, bad),
                Err(ParamError::invalid(
                    Field::ItemQuantity(3),
                    Reason::Malformed(Shape::WholeNumber)
                )),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_pickup_day_is_required_and_a_date() {
        assert_eq!(
            pickup_on(Some("2026-12-01"), Source::Page),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        );
        assert_eq!(
            pickup_on(Some(" "), Source::Page),
            Err(ParamError::invalid(Field::PickupOn, Reason::Required))
        );
        assert!(pickup_on(Some("01/12/2026"), Source::Api).is_err());
    }
}
