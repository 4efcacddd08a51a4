//! The active account and the custom fields the business lets customers
//! edit.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use portal_core::AccountOverview;

use super::ApiJson;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::security::ApiUser;

/// The active account's details.
#[derive(Serialize, ToSchema)]
pub struct AccountResponse {
    /// Account id.
    #[schema(value_type = super::wire::Id)]
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
