//! The dashboard, as JSON.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::security::ApiUser;

/// The dashboard's panels; a panel the contact may not see is `null`.
#[derive(Serialize, ToSchema)]
pub struct DashboardResponse {
    /// The account summary (with the unpaid invoices; `null` without
    /// ViewBilling).
    pub account_summary: Option<super::billing::views::SummaryView>,
    /// Unpaid invoices: `{rows, total}`.
    #[schema(value_type = Object)]
    pub unpaid_invoices: serde_json::Value,
    /// Open jobs: `{rows, total}`.
    #[schema(value_type = Object)]
    pub open_jobs: serde_json::Value,
    /// Open tickets: `{rows, total}`.
    #[schema(value_type = Object)]
    pub open_tickets: serde_json::Value,
    /// Quotes awaiting approval, nearest to expire first: `{rows, total}`,
    /// each row `{id, number, title, valid_until, total, currency}`
    /// (`null` without ViewQuotes or with quotes switched off).
    #[schema(value_type = Option<Object>)]
    pub pending_quotes: serde_json::Value,
    /// Latest communications: `{rows, total}`.
    #[schema(value_type = Object)]
    pub recent_communications: serde_json::Value,
}

/// The active account's dashboard.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "customer", security(("bearer" = [])),
    responses((status = 200, body = DashboardResponse), (status = 401, body = Problem)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<DashboardResponse>, ApiError> {
    let dashboard = state.portal.dashboard().show(&auth.actor).await?;
    let json =
        |value: serde_json::Result<serde_json::Value>| value.unwrap_or(serde_json::Value::Null);
    Ok(Json(DashboardResponse {
        account_summary: dashboard.account_summary.as_ref().map(Into::into),
        unpaid_invoices: json(serde_json::to_value(&dashboard.unpaid_invoices)),
        open_jobs: json(serde_json::to_value(&dashboard.open_jobs)),
        open_tickets: json(serde_json::to_value(&dashboard.open_tickets)),
        pending_quotes: json(serde_json::to_value(&dashboard.pending_quotes)),
        recent_communications: json(serde_json::to_value(&dashboard.recent_communications)),
    }))
}
