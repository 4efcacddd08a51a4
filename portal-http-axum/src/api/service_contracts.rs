//! Service contracts over JSON: the list (by status, in pages) and one
//! contract. A recurring contract carries its schedule, next visit and
//! price per period; a block of time its hours bought, used, remaining
//! and over (the core derives the last two). A malformed, unknown or
//! another account's id is 404.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::service_contracts::{ContractTerms, ServiceContract};
use portal_core::shared::{Page, ServiceContractId};

use crate::AppState;
use crate::api::billing::views::money;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, ContractFilterText, Source};
use crate::security::ApiUser;

/// The contract routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/service-contracts", get(list_contracts))
        .route("/service-contracts/{id}", get(get_contract))
}

/// The status filter and page of the contract list; unknown parameters
/// are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContractListParams {
    /// `active`, `paused`, `ended` or `cancelled`.
    #[param(value_type = Option<wire::ContractStatus>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A service contract. `kind` says which of the two sets of terms is
/// filled: `recurring` (schedule, next visit, price per period) or
/// `time_block` (hours).
#[derive(Serialize, ToSchema)]
pub struct ContractView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Number printed on it.
    #[schema(example = "SC-104")]
    pub number: String,
    /// Its name.
    pub name: String,
    /// What it covers (plain text; may be empty).
    pub description: String,
    /// `active`, `paused`, `ended` or `cancelled`.
    #[schema(value_type = wire::ContractStatus)]
    pub status: String,
    /// The first day it runs.
    pub starts_on: NaiveDate,
    /// The last day it runs, if it has one.
    pub ends_on: Option<NaiveDate>,
    /// `recurring` or `time_block`.
    #[schema(example = "recurring")]
    pub kind: String,
    /// A recurring contract's schedule, in the business's words.
    pub schedule: Option<String>,
    /// A recurring contract's next visit, when planned.
    pub next_visit_on: Option<NaiveDate>,
    /// A recurring contract's price per period, when given.
    #[schema(example = "120.00")]
    pub price_per_period: Option<String>,
    /// ISO 4217 code of the price.
    pub currency: Option<String>,
    /// A block's hours (decimal strings).
    pub hours: Option<HoursView>,
}

/// A block of time's hours, as decimal strings (`"7.5"`).
#[derive(Serialize, ToSchema)]
pub struct HoursView {
    /// Hours bought.
    #[schema(example = "20")]
    pub bought: String,
    /// Hours used.
    #[schema(example = "7.5")]
    pub used: String,
    /// Hours left (never below zero).
    #[schema(example = "12.5")]
    pub remaining: String,
    /// Hours used beyond those bought (only where overage is allowed).
    #[schema(example = "0")]
    pub overage: String,
    /// Whether the contract allows using more than was bought.
    pub overage_allowed: bool,
}

impl From<&ServiceContract> for ContractView {
    fn from(contract: &ServiceContract) -> Self {
        let mut view = Self {
            id: contract.id.to_string(),
            number: contract.number.clone(),
            name: contract.name.clone(),
            description: contract.description.clone(),
            status: contract.status.as_str().to_owned(),
            starts_on: contract.starts_on,
            ends_on: contract.ends_on,
            kind: contract.terms.kind().to_owned(),
            schedule: None,
            next_visit_on: None,
            price_per_period: None,
            currency: None,
            hours: None,
        };
        match &contract.terms {
            ContractTerms::Recurring {
                schedule,
                next_visit_on,
                price_per_period,
            } => {
                view.schedule = Some(schedule.clone());
                view.next_visit_on = *next_visit_on;
                view.price_per_period = price_per_period.map(money);
                view.currency = price_per_period.map(|price| price.currency().to_string());
            }
            ContractTerms::TimeBlock(block) => {
                view.hours = Some(HoursView {
                    bought: block.bought().to_string(),
                    used: block.used().to_string(),
                    remaining: block.remaining().to_string(),
                    overage: block.overage().to_string(),
                    overage_allowed: block.overage_allowed(),
                });
            }
        }
        view
    }
}

/// One page of contracts.
#[derive(Serialize, ToSchema)]
pub struct ContractPageView {
    /// The contracts on this page, latest start first.
    pub items: Vec<ContractView>,
    /// All contracts matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl From<&Page<ServiceContract>> for ContractPageView {
    fn from(page: &Page<ServiceContract>) -> Self {
        Self {
            items: page.items.iter().map(ContractView::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// One page of the active account's service contracts, latest start
/// first.
#[utoipa::path(get, path = "/api/v1/service-contracts", tag = "services", security(("bearer" = [])), params(ContractListParams),
    responses((status = 200, body = ContractPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "a malformed filter or page; `field` names it")))]
pub async fn list_contracts(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<ContractListParams>,
) -> Result<Json<ContractPageView>, ApiError> {
    let query = ContractFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let page = state
        .portal
        .service_contracts()
        .contracts(&auth.actor, &query)
        .await?;
    Ok(Json(ContractPageView::from(&page)))
}

/// One service contract.
#[utoipa::path(get, path = "/api/v1/service-contracts/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "contract id")),
    responses((status = 200, body = ContractView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_contract(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ContractView>, ApiError> {
    let id = params::id(&id, ServiceContractId::parse)?;
    let contract = state
        .portal
        .service_contracts()
        .contract(&auth.actor, id)
        .await?;
    Ok(Json(ContractView::from(&contract)))
}
