//! Billing's inputs: the invoice list's filters, the page of a list, a
//! statement's range, the invoices and amounts chosen to pay (or to apply
//! credit to), and how to pay. Each front end fills in a `...Text` with
//! the text it received, under the names it received it by, and gets
//! the core's type back.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

use portal_core::PortalError;
use portal_core::billing::{
    CardToken, IdempotencyKey, InvoiceQuery, MethodChoice, PayRequest, StatementRange,
};
use portal_core::shared::{InvoiceId, PageRequest, PaymentMethodId, Reason, Shape};

use super::values::{amount, choice, count, date, given, given_in, named_id};
use super::{Field, ParamError, Source};

/// The invoice list's filters, sort and page as received; each is
/// optional, and a blank one is not given.
#[derive(Clone, Copy, Debug, Default)]
pub struct InvoiceFilterText<'a> {
    /// `unpaid`, `overdue`, `paid` or `void`.
    pub status: Option<&'a str>,
    /// Part of an invoice number.
    pub number: Option<&'a str>,
    /// Issued on or after (`YYYY-MM-DD`).
    pub issued_from: Option<&'a str>,
    /// Issued on or before (`YYYY-MM-DD`).
    pub issued_to: Option<&'a str>,
    /// Total at least.
    pub min_total: Option<&'a str>,
    /// Total at most.
    pub max_total: Option<&'a str>,
    /// One of `InvoiceSort`'s names.
    pub sort: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl InvoiceFilterText<'_> {
    /// The core's query. Whether the dates and amounts make a sensible
    /// range is the core's rule (`InvoiceQuery::validate`), checked when
    /// the list is read.
    pub fn parse(&self, source: Source) -> Result<InvoiceQuery, ParamError> {
        let page = page_request(self.page, self.per_page, source)?;
        let given_here = |text| given_in(text, source);
        let date = |field, text| given_here(text).map(|text| date(field, text)).transpose();
        let total = |field, text| amount(field, given_here(text), source);
        Ok(InvoiceQuery {
            status: given_here(self.status)
                .map(|text| choice(Field::Status, text))
                .transpose()?,
            // Free text searched for: the spaces around it, on either
            // front end, are never part of a number.
            number: given(self.number).map(str::to_owned),
            issued_from: date(Field::IssuedFrom, self.issued_from)?,
            issued_to: date(Field::IssuedTo, self.issued_to)?,
            min_total: total(Field::MinTotal, self.min_total)?,
            max_total: total(Field::MaxTotal, self.max_total)?,
            sort: given_here(self.sort)
                .map(|text| choice(Field::Sort, text))
                .transpose()?
                .unwrap_or_default(),
            page,
        })
    }
}

/// Which page of a list, and how long pages are (25 unless asked; the
/// core caps it).
pub fn page_request(
    page: Option<&str>,
    per_page: Option<&str>,
    source: Source,
) -> Result<PageRequest, ParamError> {
    let read = |field, text: Option<&str>, default| match (given_in(text, source), source) {
        (None, _) => Ok(default),
        (Some(text), Source::Api) => count(field, text),
        // A page number on a page came from a link: a mangled one is
        // page 1 rather than an error nobody can act on.
        (Some(text), Source::Page) => Ok(count(field, text).unwrap_or(default)),
    };
    Ok(PageRequest::new(
        read(Field::Page, page, 1)?,
        read(Field::PerPage, per_page, PageRequest::DEFAULT_PER_PAGE)?,
    ))
}

/// What a statement without dates covers.
#[derive(Clone, Copy, Debug)]
pub enum MissingDates {
    /// Both days must be given (the API: a program says what it wants).
    Required,
    /// A missing end is `today`; a missing start is the first of the
    /// month before the end (a full month plus this month so far: the
    /// page's first view).
    LastMonthTo(NaiveDate),
}

/// A statement's first and last day (`YYYY-MM-DD`), in order and at most
/// ten years apart (the core's [`StatementRange::new`]).
pub fn statement_range(
    from: Option<&str>,
    to: Option<&str>,
    missing: MissingDates,
) -> Result<StatementRange, ParamError> {
    let read = |field, text| given(text).map(|text| date(field, text)).transpose();
    let required = |field| ParamError::invalid(field, Reason::Required);
    let from = read(Field::From, from)?;
    let today = match missing {
        MissingDates::Required if from.is_none() => return Err(required(Field::From)),
        MissingDates::Required => None,
        MissingDates::LastMonthTo(today) => Some(today),
    };
    let to = read(Field::To, to)?
        .or(today)
        .ok_or_else(|| required(Field::To))?;
    let from = from.unwrap_or_else(|| start_of_last_month(to));
    // The core's constructor is the rule (in order, at most ten years);
    // it names the end at fault, and only ever says invalid input.
    StatementRange::new(from, to).map_err(|error| match error {
        PortalError::InvalidInput { field, reason, .. } if field == Field::From.name() => {
            ParamError::invalid(Field::From, reason)
        }
        PortalError::InvalidInput { reason, .. } => ParamError::invalid(Field::To, reason),
        other => {
            tracing::error!(%other, "a statement range was refused for no input rule");
            ParamError::invalid(Field::To, Reason::AfterEnd)
        }
    })
}

/// The first day of the month before `day`'s.
fn start_of_last_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1)
        .and_then(|first| first.checked_sub_days(Days::new(1)))
        .and_then(|last_month| last_month.with_day(1))
        .unwrap_or(day)
}

/// An invoice chosen on a form or in a body, with the amount given for it.
#[derive(Clone, Copy, Debug)]
pub struct InvoiceChoiceText<'a> {
    /// Its id.
    pub id: &'a str,
    /// How much of it; not given: all that is payable (or, for credit, as
    /// much as the credit covers).
    pub amount: Option<&'a str>,
}

/// The invoices chosen, each with its amount, in the order given.
pub fn invoice_choices<'a>(
    chosen: impl IntoIterator<Item = InvoiceChoiceText<'a>>,
    source: Source,
) -> Result<Vec<(InvoiceId, Option<Decimal>)>, ParamError> {
    chosen
        .into_iter()
        .map(|choice| {
            let id = named_id(
                Field::Invoices,
                choice.id,
                InvoiceId::parse,
                source,
                Reason::Malformed(Shape::Id),
            )?;
            let amount = amount(Field::InvoiceAmount(id), choice.amount, source)?;
            Ok((id, amount))
        })
        .collect()
}

/// A new card's token from the payment provider's card field, as core's
/// secret [`CardToken`] (a person's pasted one without surrounding spaces).
/// Whether it is usable (not empty, not a card number) is the core's rule,
/// checked where it is used; here it is only read as each front end sends
/// it.
pub fn card_token(text: &str, source: Source) -> CardToken {
    match source {
        Source::Page => CardToken::new(text.trim()),
        Source::Api => CardToken::new(text),
    }
}

/// A card on file named in `field`.
pub fn card_id(field: Field, text: &str, source: Source) -> Result<PaymentMethodId, ParamError> {
    named_id(
        field,
        text,
        PaymentMethodId::parse,
        source,
        Reason::Malformed(Shape::Id),
    )
}

/// How to pay, as received.
#[derive(Clone, Copy, Debug)]
pub enum MethodText<'a> {
    /// A card on file, by id.
    Saved {
        /// Its id.
        id: &'a str,
    },
    /// A new card.
    New {
        /// The provider's token.
        token: &'a str,
        /// Keep it on file.
        save: bool,
    },
}

impl MethodText<'_> {
    /// The core's choice.
    pub fn parse(self, source: Source) -> Result<MethodChoice, ParamError> {
        Ok(match self {
            MethodText::Saved { id } => MethodChoice::Saved {
                id: card_id(Field::Method, id, source)?,
            },
            MethodText::New { token, save } => MethodChoice::NewToken {
                token: card_token(token, source),
                save,
            },
        })
    }
}

/// A payment as received: invoices, a prepayment, how to pay.
#[derive(Clone, Debug)]
pub struct PayText<'a> {
    /// The invoices and their amounts.
    pub invoices: Vec<InvoiceChoiceText<'a>>,
    /// An amount beyond the invoices.
    pub prepayment: Option<&'a str>,
    /// How to pay.
    pub method: MethodText<'a>,
    /// Pay from the account's credit first.
    pub use_credit: bool,
}

impl PayText<'_> {
    /// The request for `BillingService::pay` (and `review_payment`) under `key`.
    pub fn parse(&self, key: IdempotencyKey, source: Source) -> Result<PayRequest, ParamError> {
        Ok(PayRequest {
            idempotency_key: key,
            invoices: invoice_choices(self.invoices.iter().copied(), source)?,
            prepayment: amount(Field::Prepayment, self.prepayment, source)?,
            method: self.method.parse(source)?,
            use_credit: self.use_credit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::billing::{InvoiceSort, InvoiceStatusFilter};
    use portal_core::shared::Currency;
    use proptest::prelude::*;

    proptest! {
        /// The edge reads the number, the core judges it against the
        /// currency (after authorizing): together, any amount with more
        /// decimals than the currency has is refused, and any other
        /// amount (not below zero) passes, whichever front end read it.
        #[test]
        fn an_amount_read_here_is_refused_by_the_core_iff_it_has_too_many_decimals(units in 0i64..10_000_000_000, scale in 0u32..=6) {
            let amount = Decimal::new(units, scale);
            let text = amount.to_string();
            for code in ["USD", "JPY", "KWD"] {
                let currency = Currency::parse(code).unwrap();
                for source in [Source::Page, Source::Api] {
                    let filter = InvoiceFilterText { min_total: Some(&text), ..Default::default() };
                    let query = filter.parse(source).unwrap();
                    prop_assert_eq!(query.min_total, Some(amount));
                    let fits = amount.normalize().scale() <= currency.minor_digits();
                    prop_assert_eq!(query.validate(currency).is_ok(), fits, "{} {}", text, code);
                }
            }
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn field_of(error: ParamError) -> Field {
        match error {
            ParamError::Invalid { field, .. } => field,
            ParamError::UnknownId => panic!("expected invalid input"),
        }
    }

    /// Found by the `invoice_filter` fuzz target: the API kept the spaces
    /// around a number a page trims.
    #[test]
    fn both_front_ends_read_a_number_without_its_spaces() {
        for (typed, read) in [
            (" 019 ", Some("019")),
            ("019\u{fffd}  d ", Some("019\u{fffd}  d")),
            ("   ", None),
        ] {
            let text = InvoiceFilterText {
                number: Some(typed),
                ..InvoiceFilterText::default()
            };
            for source in [Source::Page, Source::Api] {
                assert_eq!(
                    text.parse(source).unwrap().number.as_deref(),
                    read,
                    "{source:?}"
                );
            }
        }
    }

    #[test]
    fn an_invoice_filter_reads_every_part_and_blanks_are_not_given() {
        let text = InvoiceFilterText {
            status: Some("unpaid"),
            number: Some(" 019 "),
            issued_from: Some("2026-01-01"),
            issued_to: Some(""),
            min_total: Some("1,000"),
            max_total: None,
            sort: Some("total_desc"),
            page: Some("3"),
            per_page: None,
        };
        let query = text.parse(Source::Page).unwrap();
        assert_eq!(query.status, Some(InvoiceStatusFilter::Unpaid));
        assert_eq!(query.number.as_deref(), Some("019"));
        assert_eq!(query.issued_from, Some(day("2026-01-01")));
        assert_eq!(query.issued_to, None);
        assert_eq!(query.min_total, Some(Decimal::new(1000, 0)));
        assert_eq!(query.sort, InvoiceSort::TotalDesc);
        assert_eq!(
            query.page,
            PageRequest::new(3, PageRequest::DEFAULT_PER_PAGE)
        );
        assert_eq!(
            InvoiceFilterText::default().parse(Source::Api).unwrap(),
            InvoiceQuery::default()
        );
    }

    #[test]
    fn a_padded_page_is_refused_on_the_api_and_a_blank_filter_is_not_given() {
        let padded = InvoiceFilterText {
            page: Some(" 2"),
            ..InvoiceFilterText::default()
        };
        assert_eq!(
            field_of(padded.parse(Source::Api).unwrap_err()),
            Field::Page
        );
        assert_eq!(
            padded.parse(Source::Page).unwrap().page,
            PageRequest::new(2, PageRequest::DEFAULT_PER_PAGE)
        );
        let blank = InvoiceFilterText {
            min_total: Some(""),
            page: Some(""),
            ..InvoiceFilterText::default()
        };
        assert_eq!(blank.parse(Source::Api).unwrap(), InvoiceQuery::default());
        for page in [" 2", "0"] {
            assert_eq!(
                field_of(page_request(Some(page), None, Source::Api).unwrap_err()),
                Field::Page,
                "{page:?}"
            );
        }
    }

    #[test]
    fn each_bad_filter_is_reported_for_its_own_field() {
        let cases: [(InvoiceFilterText<'_>, Field); 6] = [
            (
                InvoiceFilterText {
                    status: Some("lost"),
                    ..Default::default()
                },
                Field::Status,
            ),
            (
                InvoiceFilterText {
                    sort: Some("sideways"),
                    ..Default::default()
                },
                Field::Sort,
            ),
            (
                InvoiceFilterText {
                    issued_to: Some("yesterday"),
                    ..Default::default()
                },
                Field::IssuedTo,
            ),
            (
                InvoiceFilterText {
                    min_total: Some("lots"),
                    ..Default::default()
                },
                Field::MinTotal,
            ),
            (
                InvoiceFilterText {
                    max_total: Some("1e3"),
                    ..Default::default()
                },
                Field::MaxTotal,
            ),
            (
                InvoiceFilterText {
                    per_page: Some("all"),
                    ..Default::default()
                },
                Field::PerPage,
            ),
        ];
        for (text, field) in cases {
            assert_eq!(field_of(text.parse(Source::Api).unwrap_err()), field);
        }
    }

    #[test]
    fn a_mangled_page_number_is_page_one_on_pages_and_an_error_on_the_api() {
        assert_eq!(
            page_request(Some("x"), None, Source::Page),
            Ok(PageRequest::default())
        );
        assert_eq!(
            field_of(page_request(Some("x"), None, Source::Api).unwrap_err()),
            Field::Page
        );
        assert_eq!(
            page_request(Some("2"), Some("10"), Source::Api),
            Ok(PageRequest::new(2, 10))
        );
    }

    #[test]
    fn a_statement_without_dates_is_last_month_to_today_on_pages_and_refused_on_the_api() {
        let today = day("2026-03-15");
        assert_eq!(
            statement_range(None, None, MissingDates::LastMonthTo(today)),
            StatementRange::new(day("2026-02-01"), today).map_err(|_| ParamError::UnknownId)
        );
        let january = statement_range(None, Some("2026-01-10"), MissingDates::LastMonthTo(today));
        assert_eq!(january.unwrap().from, day("2025-12-01"));
        assert_eq!(
            field_of(
                statement_range(Some("2026-01-01"), None, MissingDates::Required).unwrap_err()
            ),
            Field::To
        );
    }

    #[test]
    fn a_statement_range_is_reported_at_the_end_the_core_names() {
        let backwards = statement_range(
            Some("2026-02-01"),
            Some("2026-01-01"),
            MissingDates::Required,
        );
        assert_eq!(field_of(backwards.unwrap_err()), Field::From);
        let too_long = statement_range(
            Some("2000-01-01"),
            Some("2026-01-01"),
            MissingDates::Required,
        );
        assert_eq!(field_of(too_long.unwrap_err()), Field::To);
        let bad = statement_range(Some("soon"), Some("2026-01-01"), MissingDates::Required);
        assert_eq!(field_of(bad.unwrap_err()), Field::From);
    }

    #[test]
    fn a_payment_reads_its_invoices_prepayment_and_card() {
        let id = InvoiceId::new();
        let card = PaymentMethodId::new();
        let (id_text, card_text) = (id.to_string(), card.to_string());
        let key = IdempotencyKey::generate();
        let text = PayText {
            invoices: vec![InvoiceChoiceText {
                id: &id_text,
                amount: Some("12.50"),
            }],
            prepayment: None,
            method: MethodText::Saved { id: &card_text },
            use_credit: true,
        };
        let request = text.parse(key.clone(), Source::Api).unwrap();
        assert!(request.use_credit);
        assert_eq!(request.invoices, vec![(id, Some(Decimal::new(1250, 2)))]);
        assert_eq!(request.method, MethodChoice::Saved { id: card });
        assert_eq!(request.idempotency_key, key);

        let bad_amount = PayText {
            invoices: vec![InvoiceChoiceText {
                id: &id_text,
                amount: Some("ten"),
            }],
            ..text.clone()
        };
        assert_eq!(
            field_of(bad_amount.parse(key.clone(), Source::Page).unwrap_err()),
            Field::InvoiceAmount(id),
            "the page can point at that invoice's amount"
        );
        let bad_card = PayText {
            method: MethodText::Saved { id: "x" },
            ..text
        };
        assert_eq!(
            field_of(bad_card.parse(key.clone(), Source::Api).unwrap_err()),
            Field::Method
        );
        assert_eq!(
            bad_card.parse(key, Source::Page),
            Err(ParamError::UnknownId)
        );
    }

    #[test]
    fn a_card_token_is_trimmed_for_people_and_never_printed() {
        let pasted = MethodText::New {
            token: " tok_sandbox_visa ",
            save: true,
        };
        assert_eq!(
            pasted.parse(Source::Page),
            Ok(MethodChoice::NewToken {
                token: CardToken::new("tok_sandbox_visa"),
                save: true
            })
        );
        assert_eq!(
            pasted.parse(Source::Api),
            Ok(MethodChoice::NewToken {
                token: CardToken::new(" tok_sandbox_visa "),
                save: true
            })
        );
        let token = card_token("tok_secret", Source::Api);
        assert_eq!(format!("{token:?}"), "CardToken(***)");
        assert_eq!(token.expose(), "tok_secret");
    }
}
