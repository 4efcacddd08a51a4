//! Rentals over JSON: the contract list (by status, in pages), one
//! contract with its items and call-offs, the items still out on every
//! open contract, reservations, calling items off rent, and one call-off
//! with its status as the host moves it.
//!
//! A call-off names items by their `code` on the contract. Asking for
//! more than can still be called off (out, less returned, less what open
//! call-offs hold), for an item not on the contract, for no item, or for
//! a pickup before today is 422 naming the `field`; a closed contract, or
//! a call-off that lost a race for the last items, is 409. A malformed,
//! unknown or another account's id is 404.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::rentals::{
    CallOff, CallOffLine, CallOffRequest, Contract, ContractDetail, ContractLine, ItemOut,
    Reservation,
};
use portal_core::shared::{Page, RentalContractId, ServiceRequestId};

use crate::AppState;
use crate::api::billing::views::money;
use crate::api::{ApiJson, ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, RentalFilterText, Source};
use crate::security::ApiUser;

/// The rental routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rentals/contracts", get(list_rental_contracts))
        .route("/rentals/contracts/{id}", get(get_rental_contract))
        .route("/rentals/contracts/{id}/call-offs", post(request_call_off))
        .route("/rentals/items-out", get(list_items_out))
        .route("/rentals/reservations", get(list_reservations))
        .route("/rentals/call-offs/{id}", get(get_call_off))
}

/// The status filter and page of the contract list; unknown parameters
/// are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RentalListParams {
    /// `open` or `closed`.
    #[param(value_type = Option<wire::RentalStatus>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A page of a list without filters; unknown parameters are refused
/// (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RentalPageParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A rental contract as lists show it.
#[derive(Serialize, ToSchema)]
pub struct RentalContractView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Number printed on it.
    #[schema(example = "RC-1042")]
    pub number: String,
    /// `open` or `closed`.
    #[schema(value_type = wire::RentalStatus)]
    pub status: String,
    /// When it started.
    pub started_on: NaiveDate,
    /// Where the items are, as the business names it.
    pub site: Option<String>,
    /// How many items are still out on it, every line together.
    pub items_out: u64,
}

impl From<&Contract> for RentalContractView {
    fn from(contract: &Contract) -> Self {
        Self {
            id: contract.id.to_string(),
            number: contract.number.clone(),
            status: contract.status.as_str().to_owned(),
            started_on: contract.started_on,
            site: contract.site.clone(),
            items_out: contract.items_out,
        }
    }
}

/// One item line of a contract.
#[derive(Serialize, ToSchema)]
pub struct RentalLineView {
    /// The item's code on the contract: what a call-off names it by.
    #[schema(example = "GEN-20")]
    pub code: String,
    /// The item's name.
    #[schema(example = "Generator 20 kVA")]
    pub name: String,
    /// How many went out.
    pub quantity_out: u32,
    /// How many came back.
    pub quantity_returned: u32,
    /// How many are still out.
    pub still_out: u32,
    /// How many can still be called off (still out, less what open
    /// call-offs hold); absent in the items-out list.
    pub available: Option<u32>,
    /// Since when they are out.
    pub out_since: NaiveDate,
    /// The business's rate for one item, when it gives one (a decimal
    /// string).
    #[schema(example = "85.00")]
    pub rate: Option<String>,
    /// ISO 4217 code of the rate.
    pub currency: Option<String>,
}

impl RentalLineView {
    fn of(line: &ContractLine, available: Option<u32>) -> Self {
        Self {
            code: line.code.clone(),
            name: line.name.clone(),
            quantity_out: line.quantity_out,
            quantity_returned: line.quantity_returned,
            still_out: line.still_out(),
            available,
            out_since: line.out_since,
            rate: line.rate.map(money),
            currency: line.rate.map(|rate| rate.currency().to_string()),
        }
    }
}

/// One item of a call-off.
#[derive(Serialize, ToSchema)]
pub struct CallOffItemView {
    /// The item's code on the contract.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// A call-off: items the customer asked the business to collect.
#[derive(Serialize, ToSchema)]
pub struct CallOffView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The contract's id.
    #[schema(value_type = wire::Id)]
    pub contract_id: String,
    /// The items and quantities.
    pub items: Vec<CallOffItemView>,
    /// When the items can be picked up.
    pub pickup_on: NaiveDate,
    /// The customer's notes (may be empty).
    pub notes: String,
    /// `pending`, `scheduled`, `collected` or `cancelled`.
    #[schema(example = "pending")]
    pub status: String,
    /// When it was asked for.
    pub requested_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&CallOff> for CallOffView {
    fn from(call_off: &CallOff) -> Self {
        Self {
            id: call_off.id.to_string(),
            contract_id: call_off.contract.to_string(),
            items: call_off
                .items
                .iter()
                .map(|item| CallOffItemView {
                    code: item.code.clone(),
                    name: item.name.clone(),
                    quantity: item.quantity,
                })
                .collect(),
            pickup_on: call_off.pickup_on,
            notes: call_off.notes.clone(),
            status: call_off.status.as_str().to_owned(),
            requested_at: call_off.requested_at,
            updated_at: call_off.updated_at,
        }
    }
}

/// A rental contract with its items and call-offs.
#[derive(Serialize, ToSchema)]
pub struct RentalContractDetailView {
    /// The contract.
    #[serde(flatten)]
    pub contract: RentalContractView,
    /// Its items, in the business's order.
    pub lines: Vec<RentalLineView>,
    /// The call-offs asked on it, newest first.
    pub call_offs: Vec<CallOffView>,
    /// Whether anything on it can be called off now.
    pub can_call_off: bool,
}

impl From<&ContractDetail> for RentalContractDetailView {
    fn from(detail: &ContractDetail) -> Self {
        Self {
            contract: RentalContractView::from(&detail.contract),
            lines: detail
                .lines
                .iter()
                .map(|line| RentalLineView::of(line, Some(detail.available(line))))
                .collect(),
            call_offs: detail.call_offs.iter().map(CallOffView::from).collect(),
            can_call_off: detail.can_call_off(),
        }
    }
}

/// One page of rental contracts.
#[derive(Serialize, ToSchema)]
pub struct RentalContractPageView {
    /// The contracts on this page, open first, newest start first.
    pub items: Vec<RentalContractView>,
    /// All contracts matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// An item still out on an open contract.
#[derive(Serialize, ToSchema)]
pub struct ItemOutView {
    /// The contract's id.
    #[schema(value_type = wire::Id)]
    pub contract_id: String,
    /// The contract's number.
    pub contract_number: String,
    /// Where the items are.
    pub site: Option<String>,
    /// The line.
    pub line: RentalLineView,
}

/// One page of items still out.
#[derive(Serialize, ToSchema)]
pub struct ItemOutPageView {
    /// The lines on this page, by contract number then the business's
    /// order.
    pub items: Vec<ItemOutView>,
    /// All lines with items still out.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// One item booked ahead.
#[derive(Serialize, ToSchema)]
pub struct ReservationItemView {
    /// The item's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

/// A reservation: items and dates booked ahead.
#[derive(Serialize, ToSchema)]
pub struct ReservationView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Its number.
    #[schema(example = "RS-88")]
    pub number: String,
    /// `pending`, `confirmed`, `fulfilled` or `cancelled`.
    #[schema(example = "confirmed")]
    pub status: String,
    /// First day booked.
    pub starts_on: NaiveDate,
    /// Last day booked.
    pub ends_on: NaiveDate,
    /// The items booked.
    pub items: Vec<ReservationItemView>,
}

impl From<&Reservation> for ReservationView {
    fn from(reservation: &Reservation) -> Self {
        Self {
            id: reservation.id.to_string(),
            number: reservation.number.clone(),
            status: reservation.status.as_str().to_owned(),
            starts_on: reservation.starts_on,
            ends_on: reservation.ends_on,
            items: reservation
                .items
                .iter()
                .map(|item| ReservationItemView {
                    code: item.code.clone(),
                    name: item.name.clone(),
                    quantity: item.quantity,
                })
                .collect(),
        }
    }
}

/// One page of reservations.
#[derive(Serialize, ToSchema)]
pub struct ReservationPageView {
    /// The reservations on this page, latest start first.
    pub items: Vec<ReservationView>,
    /// All of the account's reservations.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

fn page_of<'a, T, V>(page: &'a Page<T>, view: impl Fn(&'a T) -> V) -> (Vec<V>, u64, u32, u32) {
    (
        page.items.iter().map(view).collect(),
        page.total,
        page.page,
        page.per_page,
    )
}

/// One page of the active account's rental contracts, open first, newest
/// start first.
#[utoipa::path(get, path = "/api/v1/rentals/contracts", tag = "rentals", security(("bearer" = [])), params(RentalListParams),
    responses((status = 200, body = RentalContractPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "rentals are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "a malformed filter or page; `field` names it")))]
pub async fn list_rental_contracts(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<RentalListParams>,
) -> Result<Json<RentalContractPageView>, ApiError> {
    let query = RentalFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let page = state
        .portal
        .rentals()
        .contracts(&auth.actor, &query)
        .await?;
    let (items, total, page, per_page) = page_of(&page, RentalContractView::from);
    Ok(Json(RentalContractPageView {
        items,
        total,
        page,
        per_page,
    }))
}

/// One rental contract with its items (what can still be called off of
/// each) and its call-offs.
#[utoipa::path(get, path = "/api/v1/rentals/contracts/{id}", tag = "rentals", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "rental contract id")),
    responses((status = 200, body = RentalContractDetailView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_rental_contract(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RentalContractDetailView>, ApiError> {
    let id = params::id(&id, RentalContractId::parse)?;
    let detail = state.portal.rentals().contract(&auth.actor, id).await?;
    Ok(Json(RentalContractDetailView::from(&detail)))
}

/// One page of the items still out on the account's open contracts.
#[utoipa::path(get, path = "/api/v1/rentals/items-out", tag = "rentals", security(("bearer" = [])), params(RentalPageParams),
    responses((status = 200, body = ItemOutPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_items_out(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<RentalPageParams>,
) -> Result<Json<ItemOutPageView>, ApiError> {
    let request = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let page = state
        .portal
        .rentals()
        .items_out(&auth.actor, request)
        .await?;
    let (items, total, page, per_page) = page_of(&page, |item: &ItemOut| ItemOutView {
        contract_id: item.contract.to_string(),
        contract_number: item.contract_number.clone(),
        site: item.site.clone(),
        line: RentalLineView::of(&item.line, None),
    });
    Ok(Json(ItemOutPageView {
        items,
        total,
        page,
        per_page,
    }))
}

/// One page of the account's reservations, latest start first.
#[utoipa::path(get, path = "/api/v1/rentals/reservations", tag = "rentals", security(("bearer" = [])), params(RentalPageParams),
    responses((status = 200, body = ReservationPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_reservations(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<RentalPageParams>,
) -> Result<Json<ReservationPageView>, ApiError> {
    let request = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let page = state
        .portal
        .rentals()
        .reservations(&auth.actor, request)
        .await?;
    let (items, total, page, per_page) = page_of(&page, ReservationView::from);
    Ok(Json(ReservationPageView {
        items,
        total,
        page,
        per_page,
    }))
}

/// One item and how many of it to collect.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOffItemRequest {
    /// The item's `code` on the contract.
    #[schema(min_length = 1, max_length = 200, example = "GEN-20")]
    pub code: String,
    /// How many, from 1 to what can still be called off (`available`).
    #[schema(value_type = u32, minimum = 1, example = 1)]
    pub quantity: serde_json::Number,
}

/// A call-off: which items to collect, when, and notes for the driver.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOffRequestBody {
    /// The items, each named once.
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<CallOffItemRequest>,
    /// When the items can be picked up: today or later, within a year.
    #[schema(value_type = wire::Day)]
    pub pickup_on: String,
    /// Notes for the driver (gate code, where the items stand).
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// Ask the business to collect items of a rental contract. The call-off
/// is stored pending and the business is told; its status then follows
/// the business's answer (`GET /rentals/call-offs/{id}`).
#[utoipa::path(post, path = "/api/v1/rentals/contracts/{id}/call-offs", tag = "rentals", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "rental contract id")), request_body = CallOffRequestBody,
    responses((status = 201, body = CallOffView, description = "asked for"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "rentals are off, or the contact may not call off rent"),
        (status = 404, body = Problem, description = "unknown, or another account's contract"),
        (status = 409, body = Problem, description = "the contract is closed, or another call-off took the items meanwhile"),
        (status = 422, body = Problem, description = "no item, an item not on the contract or named twice, a quantity of 0 or more than can still be called off, a pickup before today or more than a year ahead, notes too long; `field` names it")))]
pub async fn request_call_off(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CallOffRequestBody>,
) -> Result<(StatusCode, Json<CallOffView>), ApiError> {
    let id = params::id(&id, RentalContractId::parse)?;
    let items = body
        .items
        .iter()
        .map(|item| {
            Ok(CallOffLine {
                code: item.code.clone(),
                quantity: params::call_off_quantity_number(&item.quantity)?,
            })
        })
        .collect::<Result<Vec<_>, params::ParamError>>()?;
    let request = CallOffRequest {
        contract: id,
        items,
        pickup_on: params::pickup_on(Some(&body.pickup_on), Source::Api)?,
        notes: body.notes.unwrap_or_default(),
    };
    let call_off = state
        .portal
        .rentals()
        .request_call_off(&auth.actor, &request)
        .await?;
    Ok((StatusCode::CREATED, Json(CallOffView::from(&call_off))))
}

/// One call-off, with its status as the business set it.
#[utoipa::path(get, path = "/api/v1/rentals/call-offs/{id}", tag = "rentals", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "call-off id")),
    responses((status = 200, body = CallOffView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_call_off(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CallOffView>, ApiError> {
    let id = params::id(&id, ServiceRequestId::parse)?;
    let call_off = state.portal.rentals().call_off(&auth.actor, id).await?;
    Ok(Json(CallOffView::from(&call_off)))
}
