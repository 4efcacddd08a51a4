//! Reading billing: the summary, invoices and statements.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use portal_core::billing::{InvoiceQuery, StatementRange};
use portal_core::shared::InvoiceId;

use super::today;
use super::views::{InvoiceDetailView, InvoicePageView, StatementView, SummaryView};
use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, InvoiceFilterText, MissingDates, Source};
use crate::security::ApiUser;

/// The active account's balance, past-due amount, credit and last payment.
#[utoipa::path(get, path = "/api/v1/billing/summary", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = SummaryView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "billing is off, or the contact may not see it")))]
pub async fn summary(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<SummaryView>, ApiError> {
    let summary = state.portal.billing().account_summary(&auth.actor).await?;
    Ok(Json(SummaryView::from(&summary)))
}

/// Filters, sort and page of the invoice list. Every parameter is
/// optional; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListParams {
    /// `unpaid`, `overdue`, `paid` or `void`.
    #[param(value_type = Option<wire::InvoiceStatus>)]
    status: Option<String>,
    /// Invoices whose number contains this (case-insensitive).
    number: Option<String>,
    /// Issued on or after (`YYYY-MM-DD`).
    #[param(value_type = Option<wire::Day>)]
    issued_from: Option<String>,
    /// Issued on or before (`YYYY-MM-DD`).
    #[param(value_type = Option<wire::Day>)]
    issued_to: Option<String>,
    /// Total at least (decimal string).
    #[param(value_type = Option<wire::Amount>)]
    min_total: Option<String>,
    /// Total at most (decimal string).
    #[param(value_type = Option<wire::Amount>)]
    max_total: Option<String>,
    /// `issued_desc` (default), `issued_asc`, `due_asc`, `due_desc`,
    /// `total_asc`, `total_desc`, `number_asc` or `number_desc`.
    #[param(value_type = Option<wire::InvoiceSort>)]
    sort: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

impl InvoiceListParams {
    /// The core's query; malformed values are 422 naming the parameter.
    fn query(&self) -> Result<InvoiceQuery, ApiError> {
        let text = InvoiceFilterText {
            status: self.status.as_deref(),
            number: self.number.as_deref(),
            issued_from: self.issued_from.as_deref(),
            issued_to: self.issued_to.as_deref(),
            min_total: self.min_total.as_deref(),
            max_total: self.max_total.as_deref(),
            sort: self.sort.as_deref(),
            page: self.page.as_deref(),
            per_page: self.per_page.as_deref(),
        };
        Ok(text.parse(Source::Api)?)
    }
}

/// One page of the active account's invoices.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing", security(("bearer" = [])), params(InvoiceListParams),
    responses((status = 200, body = InvoicePageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "a malformed or inconsistent filter; `field` names it")))]
pub async fn list_invoices(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<InvoiceListParams>,
) -> Result<Json<InvoicePageView>, ApiError> {
    let query = params.query()?;
    let list = state.portal.billing().invoices(&auth.actor, &query).await?;
    Ok(Json(InvoicePageView::from(&list)))
}

/// One invoice with its lines and the payments applied to it.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "invoice id")),
    responses((status = 200, body = InvoiceDetailView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_invoice(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InvoiceDetailView>, ApiError> {
    let id = params::id(&id, InvoiceId::parse)?;
    let detail = state.portal.billing().invoice(&auth.actor, id).await?;
    Ok(Json(InvoiceDetailView::of(
        &detail,
        today(&state, &auth.tenant),
    )))
}

/// A statement's range.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// First day, included (`YYYY-MM-DD`).
    #[param(value_type = wire::Day, required = true)]
    from: Option<String>,
    /// Last day, included (`YYYY-MM-DD`); at most ten years after `from`.
    #[param(value_type = wire::Day, required = true)]
    to: Option<String>,
}

impl StatementParams {
    /// The core's range; both ends are required.
    pub(super) fn range(&self) -> Result<StatementRange, ApiError> {
        Ok(params::statement_range(
            self.from.as_deref(),
            self.to.as_deref(),
            MissingDates::Required,
        )?)
    }
}

/// The active account's statement: opening balance, charges, payments,
/// credits, closing balance, running lines and aging.
#[utoipa::path(get, path = "/api/v1/statements", tag = "billing", security(("bearer" = [])), params(StatementParams),
    responses((status = 200, body = StatementView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "statements are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "a missing or malformed date, or `from` after `to`")))]
pub async fn statement(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<StatementParams>,
) -> Result<Json<StatementView>, ApiError> {
    let statement = state
        .portal
        .billing()
        .statement(&auth.actor, params.range()?)
        .await?;
    Ok(Json(StatementView::from(&statement)))
}
