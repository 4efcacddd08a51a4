//! Requests' inputs: the list's filter and page, and what "request
//! service" names (a property). A host-declared kind's answers go to the
//! core as typed, by field key: its declaration is their one parser
//! (`RequestKind::read`).

use portal_core::requests::{RequestFilter, RequestQuery, ServiceAsk};
use portal_core::shared::{PropertyId, Reason, Shape};

use super::billing::page_request;
use super::values::{given_in, named_id};
use super::{Field, ParamError, Source};

/// The request list's filter and page as received; a blank filter is
/// every request.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestFilterText<'a> {
    /// `all`, `open` or `closed`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl RequestFilterText<'_> {
    /// The core's query. An unknown filter is invalid input naming
    /// `status` on both front ends.
    pub fn parse(&self, source: Source) -> Result<RequestQuery, ParamError> {
        let filter = given_in(self.status, source)
            .map(|text| {
                RequestFilter::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: RequestFilter::ALL.map(RequestFilter::as_str).join(", "),
                        },
                    )
                })
            })
            .transpose()?
            .unwrap_or_default();
        Ok(RequestQuery {
            filter,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

/// "Request service" as typed: the description as it is (the core
/// checks its length) and the property's id, blank for none.
pub fn service_ask(
    description: &str,
    property: Option<&str>,
    source: Source,
) -> Result<ServiceAsk, ParamError> {
    let property = given_in(property, source)
        .map(|text| {
            named_id(
                Field::Property,
                text,
                PropertyId::parse,
                source,
                Reason::Malformed(Shape::Id),
            )
        })
        .transpose()?;
    Ok(ServiceAsk {
        description: description.to_owned(),
        property,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_every_request_and_an_unknown_filter_names_status() {
        let parse = |status| {
            RequestFilterText {
                status,
                ..Default::default()
            }
            .parse(Source::Api)
        };
        assert_eq!(parse(None).unwrap().filter, RequestFilter::All);
        assert_eq!(parse(Some("open")).unwrap().filter, RequestFilter::Open);
        assert!(matches!(
            parse(Some("soon")),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }

    #[test]
    fn a_malformed_property_is_invalid_on_the_api_and_unknown_on_a_page() {
        assert!(matches!(
            service_ask("Mow", Some("nope"), Source::Api),
            Err(ParamError::Invalid {
                field: Field::Property,
                ..
            })
        ));
        assert!(matches!(
            service_ask("Mow", Some("nope"), Source::Page),
            Err(ParamError::UnknownId)
        ));
        assert_eq!(
            service_ask("Mow", Some(""), Source::Page).unwrap().property,
            None
        );
    }
}
