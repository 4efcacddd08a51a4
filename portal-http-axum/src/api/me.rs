//! The logged-in customer: who they are, their accounts, the dashboard and
//! the account details, changing the password and switching account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use portal_core::AccountOverview;
use portal_core::shared::AccountId;

use super::ApiJson;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::security::ApiUser;

/// One of the contact's accounts.
#[derive(Serialize, ToSchema)]
pub struct AccountRef {
    /// Account id.
    pub id: String,
    /// Account number.
    pub number: String,
    /// Account name.
    pub name: String,
    /// The contact's role there.
    pub role: String,
    /// Whether it is the active account.
    pub active: bool,
}

/// The logged-in contact.
#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    /// Contact id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Log-in e-mail.
    pub email: Option<String>,
    /// Log-in phone.
    pub phone: Option<String>,
    /// The accounts the contact may switch between.
    pub accounts: Vec<AccountRef>,
}

/// Who is logged in, and their accounts.
#[utoipa::path(get, path = "/api/v1/me", tag = "customer", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, ApiUser(auth): ApiUser) -> Json<MeResponse> {
    let memberships = state.portal.identity().memberships(&auth);
    Json(MeResponse {
        id: auth.contact.id.to_string(),
        name: auth.contact.name.clone(),
        email: auth.contact.email.as_ref().map(ToString::to_string),
        phone: auth.contact.phone.as_ref().map(ToString::to_string),
        accounts: memberships
            .into_iter()
            .map(|m| AccountRef {
                id: m.account.to_string(),
                active: m.account == auth.membership.account,
                number: m.account_number,
                name: m.account_name,
                role: m.role.as_str().to_owned(),
            })
            .collect(),
    })
}

/// A password change.
#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: String,
    /// The new password (8 to 128 characters).
    pub new_password: String,
}

/// Change the password; other sessions end.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "customer", security(("bearer" = [])), request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: crate::context::RequestContext,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    crate::security::check_rate(&state, &context)?;
    let current = SecretString::from(body.current_password);
    state
        .portal
        .identity()
        .change_password(&auth, &current, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which account to make active.
#[derive(Deserialize, ToSchema)]
pub struct SwitchAccountRequest {
    /// One of the ids from `GET /me`.
    pub account_id: String,
}

/// Switch the active account; everything follows it.
#[utoipa::path(put, path = "/api/v1/me/active-account", tag = "customer", security(("bearer" = [])), request_body = SwitchAccountRequest,
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem, description = "not one of the contact's accounts")))]
pub async fn switch_account(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<SwitchAccountRequest>,
) -> Result<StatusCode, ApiError> {
    let account = crate::params::id(&body.account_id, AccountId::parse)?;
    state
        .portal
        .identity()
        .switch_account(&auth, account)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

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
        recent_communications: json(serde_json::to_value(&dashboard.recent_communications)),
    }))
}

/// The active account's details.
#[derive(Serialize, ToSchema)]
pub struct AccountResponse {
    /// Account id.
    pub id: String,
    /// Account number.
    pub number: String,
    /// Name.
    pub name: String,
    /// Billing address lines.
    pub address: Vec<String>,
    /// Phone on file.
    pub phone: Option<String>,
    /// E-mail on file.
    pub email: Option<String>,
    /// The custom fields the business shows, by name.
    pub custom_fields: BTreeMap<String, String>,
}

/// The active account's details.
#[utoipa::path(get, path = "/api/v1/account", tag = "customer", security(("bearer" = [])),
    responses((status = 200, body = AccountResponse), (status = 401, body = Problem)))]
pub async fn account(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<AccountResponse>, ApiError> {
    let overview = state
        .portal
        .accounts()
        .account_overview(&auth.actor)
        .await?;
    Ok(Json(AccountResponse::from(overview)))
}

impl From<AccountOverview> for AccountResponse {
    fn from(overview: AccountOverview) -> Self {
        let account = overview.account;
        Self {
            id: account.id.to_string(),
            address: account.address.lines(),
            number: account.number,
            name: account.name,
            phone: account.phone.map(String::from),
            email: account.email.map(String::from),
            custom_fields: overview
                .custom_fields
                .into_iter()
                .map(|(name, (value, _))| (name, value))
                .collect(),
        }
    }
}

/// What `PATCH /account` changes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    /// Custom fields to set, by name; only those the business lets
    /// customers edit.
    pub custom_fields: BTreeMap<String, String>,
}

/// Change the active account's editable custom fields.
#[utoipa::path(patch, path = "/api/v1/account", tag = "customer", security(("bearer" = [])),
    request_body = AccountChange,
    responses((status = 200, body = AccountResponse), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem, description = "a field that cannot be changed, or a bad value")))]
pub async fn update_account(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<AccountChange>,
) -> Result<Json<AccountResponse>, ApiError> {
    let overview = state
        .portal
        .accounts()
        .update_custom_fields(&auth.actor, &body.custom_fields)
        .await?;
    Ok(Json(AccountResponse::from(overview)))
}
