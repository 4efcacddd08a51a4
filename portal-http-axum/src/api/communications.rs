//! The communications log over JSON: the account's entries, latest first,
//! in pages.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::communications::LoggedCommunication;

use crate::AppState;
use crate::api::{ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, Source};
use crate::security::ApiUser;

/// The log's route, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/communications", get(list_communications))
}

/// The log's page; unknown parameters are refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// One entry of the log.
#[derive(Serialize, ToSchema)]
pub struct CommunicationView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// `email`, `call`, `sms`, `letter`, `visit` or `note`.
    #[schema(example = "call")]
    pub channel: String,
    /// `inbound` (from the customer) or `outbound`, when known.
    pub direction: Option<String>,
    /// One line.
    pub subject: String,
    /// The text (plain; may be empty).
    pub body: String,
    /// Who at the business, when known.
    pub staff_name: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// One page of the log.
#[derive(Serialize, ToSchema)]
pub struct CommunicationPageView {
    /// The entries, latest first.
    pub items: Vec<CommunicationView>,
    /// All entries.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

impl From<&LoggedCommunication> for CommunicationView {
    fn from(entry: &LoggedCommunication) -> Self {
        let c = &entry.communication;
        Self {
            id: c.id.to_string(),
            channel: c.channel.clone(),
            direction: entry.direction.clone(),
            subject: c.subject.clone(),
            body: c.body.clone(),
            staff_name: entry.staff_name.clone(),
            occurred_at: c.occurred_at,
        }
    }
}

/// One page of the active account's communications, latest first.
#[utoipa::path(get, path = "/api/v1/communications", tag = "customer", security(("bearer" = [])), params(LogParams),
    responses((status = 200, body = CommunicationPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 422, body = Problem, description = "a malformed page; `field` names it")))]
pub async fn list_communications(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<LogParams>,
) -> Result<Json<CommunicationPageView>, ApiError> {
    let page = params::page_request(
        params.page.as_deref(),
        params.per_page.as_deref(),
        Source::Api,
    )?;
    let log = state
        .portal
        .communications()
        .list(&auth.actor, page)
        .await?;
    Ok(Json(CommunicationPageView {
        items: log.items.iter().map(CommunicationView::from).collect(),
        total: log.total,
        page: log.page,
        per_page: log.per_page,
    }))
}
