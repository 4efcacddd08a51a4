//! Quotes' inputs: the list's status filter and page, and what an
//! approval carries besides typed text (the digest of the quote as shown,
//! the optional lines ticked). The typed text (the signer's name, a
//! comment, a PO number, a decline's reason) is the core's to judge
//! (`ApproveQuote::checked`), so both front ends pass it as it came.

use portal_core::quotes::{QuoteQuery, QuoteStatusFilter};
use portal_core::shared::{Reason, Shape};

use super::billing::page_request;
use super::values::given_in;
use super::{Field, ParamError, Source};

/// The quote list's filter and page as received; a blank value is not
/// given.
#[derive(Clone, Copy, Debug, Default)]
pub struct QuoteFilterText<'a> {
    /// `pending`, `approved`, `declined` or `expired`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl QuoteFilterText<'_> {
    /// The core's query.
    pub fn parse(&self, source: Source) -> Result<QuoteQuery, ParamError> {
        let status = given_in(self.status, source)
            .map(|text| {
                QuoteStatusFilter::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: QuoteStatusFilter::ALL
                                .map(QuoteStatusFilter::as_str)
                                .join(", "),
                        },
                    )
                })
            })
            .transpose()?;
        Ok(QuoteQuery {
            status,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

/// The digest of a quote as a page showed it (a hidden field) or an API
/// client read it: 64 lower-case hex digits. Whether it is the quote's
/// current one is the core's question (a conflict when not).
pub fn content_sha256(text: &str) -> Result<String, ParamError> {
    let is_digest = text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
    if is_digest {
        Ok(text.to_owned())
    } else {
        Err(ParamError::invalid(
            Field::ContentSha256,
            Reason::Malformed(Shape::Digest),
        ))
    }
}

/// The optional lines ticked on the approval form, by position (from 0):
/// each checkbox sends its line's position.
pub fn optional_lines<'a>(
    texts: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<u32>, ParamError> {
    texts
        .into_iter()
        .map(|text| {
            let digits =
                !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| text.parse::<u32>().ok())
                .flatten()
                .ok_or_else(|| {
                    ParamError::invalid(Field::OptionalLines, Reason::Malformed(Shape::Position))
                })
        })
        .collect()
}

/// The optional lines an API client names, as JSON numbers. JSON Schema
/// calls `2.0` an integer as much as `2`, so both are read; a fraction,
/// a negative number or one past `u32` is no position (422 naming
/// `optional_lines`).
pub fn optional_line_numbers(numbers: &[serde_json::Number]) -> Result<Vec<u32>, ParamError> {
    numbers
        .iter()
        .map(|number| {
            let whole = number.as_u64().or_else(|| {
                number
                    .as_f64()
                    .filter(|value| {
                        value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(value)
                    })
                    // In range and whole, so the cast is exact.
                    .map(|value| value as u64)
            });
            whole
                .and_then(|whole| u32::try_from(whole).ok())
                .ok_or_else(|| {
                    ParamError::invalid(Field::OptionalLines, Reason::Malformed(Shape::Position))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_filter_reads_its_four_choices_and_blank_as_none() {
        for filter in QuoteStatusFilter::ALL {
            let text = QuoteFilterText {
                status: Some(filter.as_str()),
                ..QuoteFilterText::default()
            };
            assert_eq!(text.parse(Source::Api).unwrap().status, Some(filter));
        }
        let blank = QuoteFilterText {
            status: Some(""),
            ..QuoteFilterText::default()
        };
        assert_eq!(blank.parse(Source::Page).unwrap().status, None);
        let wrong = QuoteFilterText {
            status: Some("open"),
            ..QuoteFilterText::default()
        };
        assert!(matches!(
            wrong.parse(Source::Page),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }

    #[test]
    fn digests_are_64_lower_case_hex_digits() {
        let digest = "0123456789abcdef".repeat(4);
        assert_eq!(content_sha256(&digest).unwrap(), digest);
        for bad in [
            "",
            "abc",
            &digest.to_uppercase(),
            &format!("{digest}0"),
            &"g".repeat(64),
        ] {
            assert!(content_sha256(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_api_client_may_write_a_position_as_a_whole_float() {
        let numbers: Vec<serde_json::Number> = serde_json::from_str("[0, 3, 17709.0]").unwrap();
        assert_eq!(optional_line_numbers(&numbers).unwrap(), vec![0, 3, 17709]);
        for bad in ["[1.5]", "[-1]", "[4294967296]", "[1e300]"] {
            let numbers: Vec<serde_json::Number> = serde_json::from_str(bad).unwrap();
            assert!(optional_line_numbers(&numbers).is_err(), "{bad}");
        }
    }

    #[test]
    fn optional_lines_are_positions_from_zero() {
        assert_eq!(optional_lines(["0", "3"]).unwrap(), vec![0, 3]);
        for bad in ["", "-1", "1.0", " 1", "9999999999", "x"] {
            assert!(optional_lines([bad]).is_err(), "{bad}");
        }
    }
}
