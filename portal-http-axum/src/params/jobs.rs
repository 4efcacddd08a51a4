//! Jobs' inputs: the list's filter and page.

use portal_core::jobs::{JobFilter, JobQuery};
use portal_core::shared::Reason;

use super::billing::page_request;
use super::values::given_in;
use super::{Field, ParamError, Source};

/// The job list's filter and page as received; a blank value is not
/// given (the default list, upcoming).
#[derive(Clone, Copy, Debug, Default)]
pub struct JobFilterText<'a> {
    /// `upcoming`, `waiting`, `in_progress`, `completed`, `cancelled` or
    /// `all`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl JobFilterText<'_> {
    /// The core's query. An unknown filter is invalid input naming
    /// `status` on both front ends (it is a field the customer sees).
    pub fn parse(&self, source: Source) -> Result<JobQuery, ParamError> {
        let filter = given_in(self.status, source)
            .map(|text| {
                JobFilter::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: JobFilter::ALL.map(JobFilter::as_str).join(", "),
                        },
                    )
                })
            })
            .transpose()?
            .unwrap_or_default();
        Ok(JobQuery {
            filter,
            page: page_request(self.page, self.per_page, source)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_upcoming_and_an_unknown_filter_names_status() {
        let parse = |status| {
            JobFilterText {
                status,
                ..Default::default()
            }
            .parse(Source::Page)
        };
        assert_eq!(parse(None).unwrap().filter, JobFilter::Upcoming);
        assert_eq!(parse(Some("")).unwrap().filter, JobFilter::Upcoming);
        assert_eq!(
            parse(Some("in_progress")).unwrap().filter,
            JobFilter::InProgress
        );
        assert!(matches!(
            parse(Some("soon")),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }
}
