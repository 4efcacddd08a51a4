//! Tickets' inputs: the list's filter and page, and what a new ticket
//! names (its category's key and the job it is about). The category, the
//! body's length and the files are the core's to judge, against the
//! tenant's policy.

use portal_core::shared::{JobId, Reason, Shape};
use portal_core::tickets::{TicketDraft, TicketFilter, TicketQuery};

use super::billing::page_request;
use super::values::{given_in, named_id};
use super::{Field, ParamError, Source};

/// The ticket list's filter and page as received; a blank filter is every
/// ticket (open ones first).
#[derive(Clone, Copy, Debug, Default)]
pub struct TicketFilterText<'a> {
    /// `all`, `open` or `closed`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl TicketFilterText<'_> {
    /// The core's query. An unknown filter is invalid input naming
    /// `status` on both front ends.
    pub fn parse(&self, source: Source) -> Result<TicketQuery, ParamError> {
        let filter = given_in(self.status, source)
            .map(|text| {
                TicketFilter::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: "all, open, closed".into(),
                        },
                    )
                })
            })
            .transpose()?
            .unwrap_or_default();
        Ok(TicketQuery {
            filter,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

/// A new ticket as typed: the category's key and body as they are (the
/// core checks them against the tenant's policy) and the job's id, blank
/// for none.
pub fn ticket_draft(
    category: &str,
    body: &str,
    job: Option<&str>,
    source: Source,
) -> Result<TicketDraft, ParamError> {
    let job = given_in(job, source)
        .map(|text| {
            named_id(
                Field::Job,
                text,
                JobId::parse,
                source,
                Reason::Malformed(Shape::Id),
            )
        })
        .transpose()?;
    Ok(TicketDraft {
        category: category.trim().to_owned(),
        body: body.to_owned(),
        job,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_every_ticket_and_an_unknown_filter_names_status() {
        let parse = |status| {
            TicketFilterText {
                status,
                ..Default::default()
            }
            .parse(Source::Api)
        };
        assert_eq!(parse(None).unwrap().filter, TicketFilter::All);
        assert_eq!(parse(Some("closed")).unwrap().filter, TicketFilter::Closed);
        assert!(matches!(
            parse(Some("pending")),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }

    #[test]
    fn a_malformed_job_is_invalid_on_the_api_and_unknown_on_a_page() {
        assert!(matches!(
            ticket_draft("billing", "Hi", Some("nope"), Source::Api),
            Err(ParamError::Invalid {
                field: Field::Job,
                ..
            })
        ));
        assert!(matches!(
            ticket_draft("billing", "Hi", Some("nope"), Source::Page),
            Err(ParamError::UnknownId)
        ));
        let draft = ticket_draft(" billing ", "Hi", Some(""), Source::Page).unwrap();
        assert_eq!((draft.category.as_str(), draft.job), ("billing", None));
    }
}
