//! Assets over JSON: the list (all, or one property's, in pages), one
//! asset, and its service history (the jobs that touched it, newest
//! first). A malformed, unknown or another account's id is 404.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::assets::{Asset, AssetJob};
use portal_core::shared::{AssetId, Page};

use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, AssetFilterText, Source};
use crate::security::ApiUser;

/// The asset routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets", get(list_assets))
        .route("/assets/{id}", get(get_asset))
        .route("/assets/{id}/history", get(asset_history))
}

/// The property filter and page of the asset list; unknown parameters
/// are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssetListParams {
    /// Only the assets at this property (its id).
    #[param(value_type = Option<wire::Id>)]
    property: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A page of a list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// A piece of equipment at one of the account's properties.
#[derive(Serialize, ToSchema)]
pub struct AssetView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The property it is at.
    #[schema(value_type = wire::Id)]
    pub property_id: String,
    /// That property's name.
    pub property_name: String,
    /// Its name.
    #[schema(example = "Boiler")]
    pub name: String,
    /// Its maker (may be empty).
    pub make: String,
    /// Its model (may be empty).
    pub model: String,
    /// Its serial number (may be empty).
    pub serial_number: String,
    /// Where it is on site (may be empty).
    pub location: String,
    /// When it was installed.
    pub installed_on: Option<NaiveDate>,
    /// When it is next due for maintenance.
    pub next_maintenance_on: Option<NaiveDate>,
}

impl From<&Asset> for AssetView {
    fn from(asset: &Asset) -> Self {
        Self {
            id: asset.id.to_string(),
            property_id: asset.property.to_string(),
            property_name: asset.property_name.clone(),
            name: asset.name.clone(),
            make: asset.make.clone(),
            model: asset.model.clone(),
            serial_number: asset.serial_number.clone(),
            location: asset.location.clone(),
            installed_on: asset.installed_on,
            next_maintenance_on: asset.next_maintenance_on,
        }
    }
}

/// One page of assets.
#[derive(Serialize, ToSchema)]
pub struct AssetPageView {
    /// The assets on this page, by property then name.
    pub items: Vec<AssetView>,
    /// All assets matching the filter.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl From<&Page<Asset>> for AssetPageView {
    fn from(page: &Page<Asset>) -> Self {
        Self {
            items: page.items.iter().map(AssetView::from).collect(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// A job that touched an asset.
#[derive(Serialize, ToSchema)]
pub struct AssetJobView {
    /// The job's id (`GET /api/v1/jobs/{id}`).
    #[schema(value_type = wire::Id)]
    pub job_id: String,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Its status.
    #[schema(example = "completed")]
    pub status: String,
    /// When it was scheduled for.
    pub scheduled_for: Option<DateTime<Utc>>,
}

impl From<&AssetJob> for AssetJobView {
    fn from(job: &AssetJob) -> Self {
        Self {
            job_id: job.job.to_string(),
            number: job.number.clone(),
            title: job.title.clone(),
            status: job.status.as_str().to_owned(),
            scheduled_for: job.scheduled_for,
        }
    }
}

/// One page of an asset's service history.
#[derive(Serialize, ToSchema)]
pub struct AssetHistoryView {
    /// The jobs on this page, newest first.
    pub items: Vec<AssetJobView>,
    /// All the jobs that touched the asset.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// One page of the active account's assets, by property then name.
#[utoipa::path(get, path = "/api/v1/assets", tag = "services", security(("bearer" = [])), params(AssetListParams),
    responses((status = 200, body = AssetPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "assets are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "a malformed property id or page; `field` names it")))]
pub async fn list_assets(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<AssetListParams>,
) -> Result<Json<AssetPageView>, ApiError> {
    let query = AssetFilterText {
        property: params.property.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let page = state.portal.assets().assets(&auth.actor, &query).await?;
    Ok(Json(AssetPageView::from(&page)))
}

/// One asset.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "asset id")),
    responses((status = 200, body = AssetView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_asset(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AssetView>, ApiError> {
    let id = params::id(&id, AssetId::parse)?;
    let asset = state.portal.assets().asset(&auth.actor, id).await?;
    Ok(Json(AssetView::from(&asset)))
}

/// One page of an asset's service history: the jobs that touched it,
/// newest first.
#[utoipa::path(get, path = "/api/v1/assets/{id}/history", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "asset id"), HistoryParams),
    responses((status = 200, body = AssetHistoryView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's"),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn asset_history(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<AssetHistoryView>, ApiError> {
    let id = params::id(&id, AssetId::parse)?;
    let page = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let history = state.portal.assets().history(&auth.actor, id, page).await?;
    Ok(Json(AssetHistoryView {
        items: history.items.iter().map(AssetJobView::from).collect(),
        total: history.total,
        page: history.page,
        per_page: history.per_page,
    }))
}
