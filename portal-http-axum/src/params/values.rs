//! Single values: amounts, dates, choices among a core enum's values,
//! counts and ids.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, IntoDeserializer};

use portal_core::billing::IdempotencyKey;
use portal_core::shared::{Language, Reason, Shape};

use super::{Field, ParamError, Source};

/// A form or query-string value, with a blank one (`?status=`, an empty
/// input) counted as not given, and the rest trimmed.
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|text| !text.is_empty())
}

/// A value as [`given`] reads it from a page, where inputs are padded;
/// the API's client wrote exactly what it sent, so there a padded value is
/// read as it is (and refused by its parser, as the OpenAPI document
/// says). A blank one is not given on both.
pub fn given_in(value: Option<&str>, source: Source) -> Option<&str> {
    match source {
        Source::Page => given(value),
        Source::Api => value.filter(|text| !text.is_empty()),
    }
}

/// An amount of money, as text with digits, at most one point and an
/// optional leading minus: no exponent, no currency sign, nothing that
/// `Decimal` would round. A currency sign is refused rather than ignored:
/// the field is in the portal's currency, and "£10" on a dollar portal is
/// not 10 dollars. A person may also type thousands separators and spaces
/// ([`Source::Page`]); a blank amount is not given (`None`).
///
/// Sign and decimals are the core's to judge against the currency.
pub fn amount(
    field: Field,
    text: Option<&str>,
    source: Source,
) -> Result<Option<Decimal>, ParamError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let digits: String = match source {
        Source::Page => text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}'))
            .collect(),
        Source::Api => text.trim().to_owned(),
    };
    if source == Source::Page && digits.is_empty() {
        return Ok(None);
    }
    match plain_decimal(&digits) {
        Some(amount) => Ok(Some(amount)),
        None => Err(ParamError::invalid(
            field,
            Reason::Malformed(match source {
                Source::Page => Shape::Amount,
                Source::Api => Shape::DecimalString,
            }),
        )),
    }
}

/// `text` as a decimal when it is only digits with at most one point and
/// an optional leading minus.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let plain = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
    plain.then(|| Decimal::from_str_exact(text).ok()).flatten()
}

/// A day written as `YYYY-MM-DD`, as date inputs send it.
pub(super) fn date(field: Field, text: &str) -> Result<NaiveDate, ParamError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ParamError::invalid(field, Reason::Malformed(Shape::Date)))
}

/// One of a core enum's values (`InvoiceSort`, ...), read by the enum's
/// own serde names so the two can never drift apart; the error lists them.
pub(super) fn choice<T: DeserializeOwned>(field: Field, text: &str) -> Result<T, ParamError> {
    let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        text.into_deserializer();
    T::deserialize(deserializer).map_err(|error| {
        // serde names the choices: "unknown variant `x`, expected one of `a`, `b`".
        let text = error.to_string();
        let choices = text
            .split_once("expected ")
            .map_or(text.as_str(), |(_, choices)| choices)
            .trim_start_matches("one of ")
            .to_owned();
        ParamError::invalid(field, Reason::NotAChoice { choices })
    })
}

/// A whole number from 1 (a page, a page size).
pub(super) fn count(field: Field, text: &str) -> Result<u32, ParamError> {
    text.parse()
        .ok()
        .filter(|count| *count > 0)
        .ok_or_else(|| ParamError::invalid(field, Reason::Malformed(Shape::WholeNumber)))
}

/// An id in a path: one that does not parse is as unknown as another
/// account's.
pub fn id<T, E>(text: &str, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, ParamError> {
    parse(text).map_err(|_| ParamError::UnknownId)
}

/// An id a form or a body names in `field`: unknown on a page (only a
/// tampered form sends a malformed one), invalid input on the API.
pub(super) fn named_id<T, E>(
    field: Field,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
    source: Source,
    reason: Reason,
) -> Result<T, ParamError> {
    parse(text).map_err(|_| match source {
        Source::Page => ParamError::UnknownId,
        Source::Api => ParamError::invalid(field, reason),
    })
}

/// A contact's choice of language: a code the catalog has (`en`, `es`), or
/// nothing for "as my browser asks" (`None`).
pub fn language(text: &str) -> Result<Option<Language>, ParamError> {
    match text.trim() {
        "" => Ok(None),
        code => Language::parse(code)
            .map(Some)
            .map_err(|_| ParamError::invalid(Field::Language, Reason::Malformed(Shape::Language))),
    }
}

/// A payment's idempotency key. Pages render it into a hidden field, so a
/// bad one means the page is stale; the API's client chose it and is told
/// the rule.
pub fn idempotency_key(text: &str, source: Source) -> Result<IdempotencyKey, ParamError> {
    IdempotencyKey::parse(text).map_err(|error| {
        ParamError::invalid(
            Field::IdempotencyKey,
            match source {
                Source::Page => Reason::FormExpired,
                Source::Api => error.reason,
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_is_a_code_of_the_catalog_or_nothing() {
        assert_eq!(language("es"), Ok(Some(Language::Spanish)));
        assert_eq!(language(" en "), Ok(Some(Language::English)));
        assert_eq!(language(""), Ok(None));
        for bad in ["fr", "ES", "es-MX", "<script>"] {
            assert_eq!(
                language(bad),
                Err(ParamError::invalid(
                    Field::Language,
                    Reason::Malformed(Shape::Language)
                ))
            );
        }
    }
    use proptest::prelude::*;

    const BOTH: [Source; 2] = [Source::Page, Source::Api];

    fn read(text: &str, source: Source) -> Result<Option<Decimal>, ParamError> {
        amount(Field::Amount, Some(text), source)
    }

    #[test]
    fn plain_decimals_are_amounts_from_either_source() {
        for source in BOTH {
            assert_eq!(read(" 120.50 ", source), Ok(Some(Decimal::new(12050, 2))));
            assert_eq!(read("-1", source), Ok(Some(Decimal::NEGATIVE_ONE)));
            for refused in ["-", "1e3", "£10", "$10", "1.2.3", "ten", "--1", "1_000"] {
                assert!(read(refused, source).is_err(), "{refused} {source:?}");
            }
        }
    }

    // Moved from `amount.rs`, where the plain-decimal rule lived.
    #[test]
    fn only_plain_decimals_are_amounts() {
        assert_eq!(
            plain_decimal(" 120.50 ".trim()),
            Some(Decimal::new(12050, 2))
        );
        assert_eq!(plain_decimal("-1"), Some(Decimal::NEGATIVE_ONE));
        for refused in ["", "-", "1e3", "£10", "$10", "1,000", "1.2.3", "ten"] {
            assert_eq!(plain_decimal(refused), None, "{refused}");
        }
    }

    // Moved from `api/billing/mod.rs`, where the API's amount parser lived.
    #[test]
    fn amounts_are_plain_decimal_strings() {
        let parse_amount = |text| read(text, Source::Api);
        assert_eq!(
            parse_amount("120.50").unwrap().unwrap().to_string(),
            "120.50"
        );
        assert_eq!(parse_amount("-1").unwrap().unwrap().to_string(), "-1");
        for bad in ["", "1e3", "1_000", "12,50", "abc", "1.2.3", "--1", " "] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn people_may_type_thousands_separators_and_programs_may_not() {
        assert_eq!(
            read("1,234.50", Source::Page),
            Ok(Some(Decimal::new(123_450, 2)))
        );
        assert_eq!(
            read("1\u{a0}234", Source::Page),
            Ok(Some(Decimal::new(1234, 0)))
        );
        for refused in ["1,234.50", "12,50", "1 234"] {
            assert!(read(refused, Source::Api).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_blank_amount_on_a_page_is_not_given_and_on_the_api_is_no_amount() {
        assert_eq!(amount(Field::Amount, None, Source::Api), Ok(None));
        for blank in ["", "  ", " , "] {
            assert_eq!(read(blank, Source::Page), Ok(None), "{blank:?}");
        }
        for blank in ["", " "] {
            assert!(read(blank, Source::Api).is_err(), "{blank:?}");
        }
    }

    /// What a customer is told of `error`.
    fn worded(error: ParamError) -> String {
        crate::messages::error_message(
            crate::messages::api(),
            &portal_core::PortalError::from(error),
        )
    }

    #[test]
    fn errors_name_the_field_they_are_about() {
        let field = Field::MinTotal;
        for source in BOTH {
            let error = amount(field, Some("lots"), source).unwrap_err();
            assert!(matches!(error, ParamError::Invalid { field: f, .. } if f == field));
        }
        assert_eq!(
            worded(amount(field, Some("lots"), Source::Page).unwrap_err()),
            "Amount from is not an amount; type digits only, such as 120.50."
        );
    }

    #[test]
    fn dates_choices_and_counts() {
        use portal_core::billing::InvoiceSort;
        assert_eq!(
            date(Field::From, "2026-11-30"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
        );
        assert!(date(Field::From, "30/11/2026").is_err());
        assert_eq!(choice(Field::Sort, "due_asc"), Ok(InvoiceSort::DueAsc));
        let refused = choice::<InvoiceSort>(Field::Sort, "sideways").unwrap_err();
        let worded = worded(refused);
        assert!(
            worded.starts_with("Sort is not one of the choices: "),
            "{worded}"
        );
        assert!(worded.contains("due_asc"), "lists the choices: {worded}");
        assert_eq!(count(Field::Page, "2"), Ok(2));
        assert!(count(Field::Page, "first").is_err());
    }

    #[test]
    fn malformed_ids_are_unknown_in_paths_and_on_pages_and_invalid_on_the_api() {
        use portal_core::shared::InvoiceId;
        assert_eq!(id("nope", InvoiceId::parse), Err(ParamError::UnknownId));
        let named = |source| {
            named_id(
                Field::Invoices,
                "nope",
                InvoiceId::parse,
                source,
                Reason::Malformed(Shape::Id),
            )
        };
        assert_eq!(named(Source::Page), Err(ParamError::UnknownId));
        assert_eq!(
            named(Source::Api),
            Err(ParamError::invalid(
                Field::Invoices,
                Reason::Malformed(Shape::Id)
            ))
        );
    }

    proptest! {
        /// Every amount a client can mean round-trips, from either front end.
        #[test]
        fn any_plain_amount_round_trips(units in any::<i64>(), scale in 0u32..=8) {
            let value = Decimal::new(units, scale);
            for source in BOTH {
                prop_assert_eq!(read(&value.to_string(), source), Ok(Some(value)));
            }
        }

        /// A person's thousands separators, wherever they put them in the
        /// whole part, change nothing.
        #[test]
        fn separators_in_the_whole_part_change_nothing(units in 0i64..1_000_000_000_000, scale in 0u32..=4, at in proptest::collection::vec(any::<prop::sample::Index>(), 0..4)) {
            let value = Decimal::new(units, scale);
            let text = value.to_string();
            let whole = text.split('.').next().unwrap_or_default().len();
            let mut typed: Vec<char> = text.chars().collect();
            for index in at {
                typed.insert(index.index(whole), ',');
            }
            let typed: String = typed.into_iter().collect();
            prop_assert_eq!(read(&typed, Source::Page), Ok(Some(value)));
        }

        /// Anything with a letter, a sign or an exponent in it is refused,
        /// with the field named, never read as some other number.
        #[test]
        fn text_with_other_characters_is_refused(before in "[0-9.]{0,6}", bad in "[a-zA-Z$£€+eE_]", after in "[0-9.]{0,6}") {
            let text = format!("{before}{bad}{after}");
            for source in BOTH {
                let refused = amount(Field::Prepayment, Some(&text), source);
                prop_assert!(
                    matches!(refused, Err(ParamError::Invalid { field: Field::Prepayment, .. })),
                    "{} read as {:?}", text, refused
                );
            }
        }
    }
}
