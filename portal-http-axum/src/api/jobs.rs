//! Jobs over JSON: the list (upcoming by default, or waiting, in
//! progress, completed, cancelled, all; in pages) and one job with its
//! timeline, notes, invoices and equipment. Each says whether the
//! account's autopay will pay for it. A malformed, unknown or another
//! account's id is 404.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::jobs::{Job, JobView};
use portal_core::shared::JobId;

use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, JobFilterText, Source};
use crate::security::ApiUser;

/// The job routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list_jobs))
        .route("/jobs/{id}", get(get_job))
}

/// The filter and page of the job list; unknown parameters are refused
/// (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobListParams {
    /// Which jobs (default `upcoming`: scheduled, window not over).
    #[param(value_type = Option<wire::JobFilter>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

/// When a job is scheduled for.
#[derive(Serialize, ToSchema)]
pub struct JobWindowView {
    /// The window's start.
    pub start: DateTime<Utc>,
    /// The window's end.
    pub end: DateTime<Utc>,
}

/// The property a job is at.
#[derive(Serialize, ToSchema)]
pub struct JobPropertyView {
    /// Its id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// Its name.
    pub name: String,
}

/// A job of the active account.
#[derive(Serialize, ToSchema)]
pub struct JobSummaryView {
    /// Id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The business's number for it.
    #[schema(example = "J-1042")]
    pub number: String,
    /// What is to be done.
    pub title: String,
    /// Where it stands.
    #[schema(value_type = wire::JobStatus)]
    pub status: String,
    /// The property it is at, when the business named one.
    pub property: Option<JobPropertyView>,
    /// When it is scheduled for (always for a scheduled job).
    pub window: Option<JobWindowView>,
    /// The technicians assigned.
    pub technicians: Vec<String>,
    /// When the portal first heard of it.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Whether the account's autopay will pay for it.
    pub paid_by_autopay: bool,
}

impl JobSummaryView {
    fn of(job: &Job, paid_by_autopay: bool) -> Self {
        Self {
            id: job.id.to_string(),
            number: job.number.clone(),
            title: job.title.clone(),
            status: job.status.as_str().to_owned(),
            property: job.property.as_ref().map(|property| JobPropertyView {
                id: property.id.to_string(),
                name: property.name.clone(),
            }),
            window: job.window.as_ref().map(|window| JobWindowView {
                start: window.start(),
                end: window.end(),
            }),
            technicians: job.technicians.clone(),
            created_at: job.created_at,
            updated_at: job.updated_at,
            completed_at: job.completed_at,
            paid_by_autopay,
        }
    }
}

/// One page of jobs.
#[derive(Serialize, ToSchema)]
pub struct JobPageView {
    /// The jobs on this page, in the filter's order.
    pub items: Vec<JobSummaryView>,
    /// All jobs on this list.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
}

/// A status change of a job.
#[derive(Serialize, ToSchema)]
pub struct JobEventView {
    /// The status it moved to.
    #[schema(value_type = wire::JobStatus)]
    pub status: String,
    /// When the portal recorded it.
    pub at: DateTime<Utc>,
}

/// A note the business shared about a job.
#[derive(Serialize, ToSchema)]
pub struct JobNoteView {
    /// Who wrote it.
    pub author_name: String,
    /// What it says.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// An invoice or piece of equipment a job links.
#[derive(Serialize, ToSchema)]
pub struct JobLinkView {
    /// Its id (`GET /api/v1/invoices/{id}` or `/api/v1/assets/{id}`).
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// The invoice's number or the equipment's name.
    pub label: String,
}

/// One job with its timeline, notes and links.
#[derive(Serialize, ToSchema)]
pub struct JobDetailView {
    /// The job, as the list shows it.
    pub job: JobSummaryView,
    /// What the business wrote about it (may be empty).
    pub description: String,
    /// Its status changes, oldest first.
    pub timeline: Vec<JobEventView>,
    /// The notes the business shared, oldest first.
    pub notes: Vec<JobNoteView>,
    /// The invoices for it.
    pub invoices: Vec<JobLinkView>,
    /// The equipment it touched.
    pub assets: Vec<JobLinkView>,
}

impl From<&JobView> for JobDetailView {
    fn from(view: &JobView) -> Self {
        let detail = &view.detail;
        Self {
            job: JobSummaryView::of(&detail.job, view.paid_by_autopay),
            description: detail.description.clone(),
            timeline: detail
                .timeline
                .iter()
                .map(|event| JobEventView {
                    status: event.status.as_str().to_owned(),
                    at: event.at,
                })
                .collect(),
            notes: detail
                .notes
                .iter()
                .map(|note| JobNoteView {
                    author_name: note.author_name.clone(),
                    body: note.body.clone(),
                    created_at: note.created_at,
                })
                .collect(),
            invoices: detail
                .invoices
                .iter()
                .map(|invoice| JobLinkView {
                    id: invoice.id.to_string(),
                    label: invoice.number.clone(),
                })
                .collect(),
            assets: detail
                .assets
                .iter()
                .map(|asset| JobLinkView {
                    id: asset.id.to_string(),
                    label: asset.name.clone(),
                })
                .collect(),
        }
    }
}

/// One page of the active account's jobs on a list.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "services", security(("bearer" = [])), params(JobListParams),
    responses((status = 200, body = JobPageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "an unknown filter or a malformed page; `field` names it")))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<JobListParams>,
) -> Result<Json<JobPageView>, ApiError> {
    let query = JobFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let list = state.portal.jobs().list(&auth.actor, &query).await?;
    let jobs = &list.jobs;
    Ok(Json(JobPageView {
        items: jobs
            .items
            .iter()
            .map(|listing| JobSummaryView::of(&listing.job, listing.paid_by_autopay))
            .collect(),
        total: jobs.total,
        page: jobs.page,
        per_page: jobs.per_page,
    }))
}

/// One job with its timeline, notes, invoices and equipment.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "job id")),
    responses((status = 200, body = JobDetailView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "services are off, or the contact may not see them"),
        (status = 404, body = Problem, description = "unknown, malformed, or another account's")))]
pub async fn get_job(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<JobDetailView>, ApiError> {
    let id = params::id(&id, JobId::parse)?;
    let view = state.portal.jobs().detail(&auth.actor, id).await?;
    Ok(Json(JobDetailView::from(&view)))
}
