//! Service contracts' inputs: the list's status filter and page.

use portal_core::service_contracts::{ContractQuery, ContractStatus};
use portal_core::shared::Reason;

use super::billing::page_request;
use super::values::given_in;
use super::{Field, ParamError, Source};

/// The contract list's filter and page as received; a blank value is not
/// given.
#[derive(Clone, Copy, Debug, Default)]
pub struct ContractFilterText<'a> {
    /// `active`, `paused`, `ended` or `cancelled`.
    pub status: Option<&'a str>,
    /// Page, from 1.
    pub page: Option<&'a str>,
    /// Page size.
    pub per_page: Option<&'a str>,
}

impl ContractFilterText<'_> {
    /// The core's query.
    pub fn parse(&self, source: Source) -> Result<ContractQuery, ParamError> {
        let status = given_in(self.status, source)
            .map(|text| {
                ContractStatus::parse(text).ok_or_else(|| {
                    ParamError::invalid(
                        Field::Status,
                        Reason::NotAChoice {
                            choices: ContractStatus::ALL.map(ContractStatus::as_str).join(", "),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_one_of_the_contract_states_and_blank_is_every_one() {
        let parse = |status| {
            ContractFilterText {
                status,
                ..Default::default()
            }
            .parse(Source::Api)
        };
        assert_eq!(
            parse(Some("paused")).unwrap().status,
            Some(ContractStatus::Paused)
        );
        assert_eq!(parse(None).unwrap().status, None);
        assert!(matches!(
            parse(Some("open")),
            Err(ParamError::Invalid {
                field: Field::Status,
                ..
            })
        ));
    }
}
