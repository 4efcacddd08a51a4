//! The customer's service contracts: the list (by status, in pages) and
//! one contract, a recurring agreement with its schedule, next visit and
//! price per period, or a block of time with its hours bought, used and
//! remaining (and any overage the business allows). Read-only: the
//! business keeps them through its host API.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::service_contracts::{ContractStatus, ContractTerms, ServiceContract};
use portal_core::shared::{Formats, ServiceContractId};
use portal_i18n::Messages;

use super::billing::Visit;
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, ContractFilterText, Source};
use crate::route_table::{PageRoutes, get};

/// The contract routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/service-contracts", get(list))
        .route("/service-contracts/{id}", get(detail))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct ContractFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl ContractFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = ContractFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "service-contracts", &filters)
    }
}

/// A status in the customer's words.
fn status_label(t: Messages, status: ContractStatus) -> String {
    t.msg(match status {
        ContractStatus::Active => "contract-status-active",
        ContractStatus::Paused => "contract-status-paused",
        ContractStatus::Ended => "contract-status-ended",
        ContractStatus::Cancelled => "contract-status-cancelled",
    })
}

/// A contract as a list row, in text.
pub struct ContractRow {
    id: String,
    number: String,
    name: String,
    kind: String,
    status: String,
    is_active: bool,
    starts_on: String,
    /// The next visit (recurring) or the hours left (a block).
    outlook: String,
}

impl ContractRow {
    fn of(contract: &ServiceContract, t: Messages, formats: &Formats) -> Self {
        let outlook = match &contract.terms {
            ContractTerms::Recurring { next_visit_on, .. } => next_visit_on.map_or_else(
                || t.msg("contract-no-visit-planned"),
                |day| {
                    t.msg_with(
                        "contract-next-visit-on",
                        t.arg("day", formats.dates.day(day)),
                    )
                },
            ),
            ContractTerms::TimeBlock(block) => t.msg_with(
                "contract-hours-left",
                t.arg("hours", block.remaining())
                    .arg("bought", block.bought()),
            ),
        };
        Self {
            id: contract.id.to_string(),
            number: contract.number.clone(),
            name: contract.name.clone(),
            kind: kind_label(t, &contract.terms),
            status: status_label(t, contract.status),
            is_active: contract.status == ContractStatus::Active,
            starts_on: formats.dates.day(contract.starts_on),
            outlook,
        }
    }
}

fn kind_label(t: Messages, terms: &ContractTerms) -> String {
    t.msg(match terms {
        ContractTerms::Recurring { .. } => "contract-kind-recurring",
        ContractTerms::TimeBlock(_) => "contract-kind-time-block",
    })
}

#[derive(Template)]
#[template(path = "service_contracts/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    statuses: Vec<Choice>,
    list: Listing<ContractRow>,
    is_filtered: bool,
}

fn filter_form(t: Messages) -> Form {
    Form::new(
        t,
        vec![Input::new("status", t.msg("contracts-filter-status"))],
    )
}

/// `/service-contracts`: by status, latest start first, in pages.
pub async fn list(
    visit: Visit,
    Query(filters): Query<ContractFilters>,
) -> Result<Response, PageError> {
    let t = visit.t();
    let text = ContractFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit
            .portal()
            .service_contracts()
            .contracts(visit.actor(), &query)
            .await?)
    }
    .await;
    let current = params::given(filters.status.as_deref()).unwrap_or("");
    let mut statuses = vec![Choice::new(
        "",
        t.msg("contracts-any-status"),
        current.is_empty(),
    )];
    statuses.extend(ContractStatus::ALL.map(|status| {
        Choice::new(
            status.as_str(),
            status_label(t, status),
            status.as_str() == current,
        )
    }));
    let mut page = ListPage {
        layout: visit.layout(&t.msg("contracts-title"), "service-contracts"),
        form: filter_form(t),
        statuses,
        list: Listing::empty(),
        is_filtered: !current.is_empty(),
    };
    match listed {
        Ok(contracts) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &contracts,
                |contract| ContractRow::of(contract, t, &formats),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// A block's hours, in text.
pub struct HoursText {
    bought: String,
    used: String,
    remaining: String,
    /// The hours over, when there are any.
    overage: Option<String>,
}

#[derive(Template)]
#[template(path = "service_contracts/detail.html")]
struct DetailPage {
    layout: Layout,
    number: String,
    name: String,
    description: String,
    kind: String,
    status: String,
    starts_on: String,
    ends_on: Option<String>,
    schedule: Option<String>,
    next_visit_on: Option<String>,
    price_per_period: Option<String>,
    hours: Option<HoursText>,
}

/// `/service-contracts/{id}`: one contract; another account's is 404.
pub async fn detail(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, ServiceContractId::parse)?;
    let contract = visit
        .portal()
        .service_contracts()
        .contract(visit.actor(), id)
        .await?;
    let t = visit.t();
    let formats = visit.formats();
    let mut page = DetailPage {
        layout: visit.layout(
            &t.msg_with("contract-title", t.arg("number", &contract.number)),
            &format!("service-contracts/{}", contract.id),
        ),
        number: contract.number.clone(),
        name: contract.name.clone(),
        description: contract.description.clone(),
        kind: kind_label(t, &contract.terms),
        status: status_label(t, contract.status),
        starts_on: formats.dates.day(contract.starts_on),
        ends_on: contract.ends_on.map(|day| formats.dates.day(day)),
        schedule: None,
        next_visit_on: None,
        price_per_period: None,
        hours: None,
    };
    match &contract.terms {
        ContractTerms::Recurring {
            schedule,
            next_visit_on,
            price_per_period,
        } => {
            page.schedule = Some(schedule.clone());
            page.next_visit_on = next_visit_on.map(|day| formats.dates.day(day));
            page.price_per_period = price_per_period.map(|price| formats.money.format(price));
        }
        ContractTerms::TimeBlock(block) => {
            let hours = |value| t.msg_with("contract-hours", t.arg("hours", value));
            page.hours = Some(HoursText {
                bought: hours(block.bought()),
                used: hours(block.used()),
                remaining: hours(block.remaining()),
                overage: (block.overage() > portal_core::service_contracts::Hours::ZERO)
                    .then(|| hours(block.overage())),
            });
        }
    }
    render(axum::http::StatusCode::OK, &page)
}
