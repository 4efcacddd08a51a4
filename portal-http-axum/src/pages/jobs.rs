//! The customer's jobs: the list (upcoming by default, or waiting,
//! in progress, completed, cancelled, all; in pages) and one job with its
//! description, window, technicians, property, timeline, the notes the
//! business shared, its invoices and the equipment it touched. Windows
//! and moments are written in the tenant's zone. Read-only: the business
//! keeps jobs through its host API.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use portal_core::jobs::{Job, JobFilter, JobStatus, JobWindow};
use portal_core::shared::{Formats, JobId};
use portal_i18n::Messages;

use super::billing::Visit;
use super::form::{Choice, Form, Input, Refusal};
use super::list::{Listing, list_url};
use super::{Layout, PageError, render};
use crate::params::{self, JobFilterText, Source};
use crate::route_table::{PageRoutes, get};

/// The job routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/jobs", get(list))
        .route("/jobs/{id}", get(detail))
}

/// The list's query string, as typed.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct JobFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

impl JobFilters {
    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let filters = JobFilters {
            status: params::given(self.status.as_deref()).map(str::to_owned),
            page: (page > 1).then(|| page.to_string()),
        };
        list_url(base, "jobs", &filters)
    }
}

/// A list filter in the customer's words.
fn filter_label(t: Messages, filter: JobFilter) -> String {
    t.msg(match filter {
        JobFilter::Upcoming => "jobs-filter-upcoming",
        JobFilter::Waiting => "jobs-filter-waiting",
        JobFilter::InProgress => "jobs-filter-in-progress",
        JobFilter::Completed => "jobs-filter-completed",
        JobFilter::Cancelled => "jobs-filter-cancelled",
        JobFilter::All => "jobs-filter-all",
    })
}

/// A job's status in the customer's words.
pub(super) fn status_label(t: Messages, status: JobStatus) -> String {
    t.msg(match status {
        JobStatus::Unscheduled => "job-status-unscheduled",
        JobStatus::Scheduled => "job-status-scheduled",
        JobStatus::InProgress => "job-status-in-progress",
        JobStatus::Completed => "job-status-completed",
        JobStatus::Cancelled => "job-status-cancelled",
    })
}

/// A window as its start and end moments in the tenant's zone.
fn window_text(t: Messages, formats: &Formats, window: Option<&JobWindow>) -> String {
    window.map_or_else(
        || t.msg("jobs-not-scheduled"),
        |window| {
            t.msg_with(
                "jobs-window",
                t.arg("start", formats.dates.moment(window.start()))
                    .arg("end", formats.dates.moment(window.end())),
            )
        },
    )
}

/// The technicians as one phrase, or that none is assigned.
fn technicians_text(t: Messages, job: &Job) -> String {
    if job.technicians.is_empty() {
        t.msg("jobs-no-technicians")
    } else {
        job.technicians.join(", ")
    }
}

/// A job as a list row, in text.
pub struct JobRow {
    id: String,
    number: String,
    title: String,
    status: String,
    when: String,
    technicians: String,
    property: String,
    paid_by_autopay: bool,
}

impl JobRow {
    fn of(job: &Job, paid_by_autopay: bool, t: Messages, formats: &Formats) -> Self {
        Self {
            id: job.id.to_string(),
            number: job.number.clone(),
            title: job.title.clone(),
            status: status_label(t, job.status),
            when: window_text(t, formats, job.window.as_ref()),
            technicians: technicians_text(t, job),
            property: job
                .property
                .as_ref()
                .map_or_else(|| t.msg("jobs-no-property"), |p| p.name.clone()),
            paid_by_autopay,
        }
    }
}

#[derive(Template)]
#[template(path = "jobs/list.html")]
struct ListPage {
    layout: Layout,
    form: Form,
    choices: Vec<Choice>,
    list: Listing<JobRow>,
}

fn filter_form(t: Messages) -> Form {
    Form::new(t, vec![Input::new("status", t.msg("jobs-filter-status"))])
}

/// `/jobs`: upcoming unless another list is chosen, in pages.
pub async fn list(visit: Visit, Query(filters): Query<JobFilters>) -> Result<Response, PageError> {
    let t = visit.t();
    let text = JobFilterText {
        status: filters.status.as_deref(),
        page: filters.page.as_deref(),
        per_page: None,
    };
    let listed: Result<_, PageError> = async {
        let query = text.parse(Source::Page)?;
        Ok(visit.portal().jobs().list(visit.actor(), &query).await?)
    }
    .await;
    let current = params::given(filters.status.as_deref())
        .and_then(JobFilter::parse)
        .unwrap_or_default();
    let mut page = ListPage {
        layout: visit.layout(&t.msg("jobs-title"), "jobs"),
        form: filter_form(t),
        choices: JobFilter::ALL
            .into_iter()
            .map(|filter| Choice::new(filter.as_str(), filter_label(t, filter), filter == current))
            .collect(),
        list: Listing::empty(),
    };
    match listed {
        Ok(list) => {
            let formats = visit.formats();
            let base = visit.context().base.clone();
            page.list = Listing::of(
                t,
                &list.jobs,
                |listing| JobRow::of(&listing.job, listing.paid_by_autopay, t, &formats),
                |n| filters.link(&base, n),
            );
        }
        Err(error) => {
            page.form = filter_form(t).showing(Some(Refusal::of(error)?));
        }
    }
    render(page.form.status(), &page)
}

/// A timeline entry, in text.
pub struct EventRow {
    status: String,
    at: String,
}

/// A note the business shared, in text.
pub struct NoteRow {
    byline: String,
    body: String,
}

/// A linked invoice or piece of equipment: its id and label.
pub struct LinkRow {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "jobs/detail.html")]
struct DetailPage {
    layout: Layout,
    number: String,
    title: String,
    description: String,
    status: String,
    when: String,
    technicians: String,
    property: String,
    paid_by_autopay: bool,
    timeline: Vec<EventRow>,
    notes: Vec<NoteRow>,
    invoices: Vec<LinkRow>,
    assets: Vec<LinkRow>,
}

/// `/jobs/{id}`: one job with its timeline, notes and links; a malformed,
/// unknown or another account's id is 404.
pub async fn detail(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, JobId::parse)?;
    let view = visit.portal().jobs().detail(visit.actor(), id).await?;
    let t = visit.t();
    let formats = visit.formats();
    let detail = &view.detail;
    let job = &detail.job;
    let path = format!("jobs/{}", job.id);
    let row = JobRow::of(job, view.paid_by_autopay, t, &formats);
    let page = DetailPage {
        layout: visit.layout(
            &t.msg_with("job-title", t.arg("number", &job.number)),
            &path,
        ),
        number: row.number,
        title: row.title,
        description: detail.description.clone(),
        status: row.status,
        when: row.when,
        technicians: row.technicians,
        property: row.property,
        paid_by_autopay: row.paid_by_autopay,
        timeline: detail
            .timeline
            .iter()
            .map(|event| EventRow {
                status: status_label(t, event.status),
                at: formats.dates.moment(event.at),
            })
            .collect(),
        notes: detail
            .notes
            .iter()
            .map(|note| NoteRow {
                byline: t.msg_with(
                    "job-note-by",
                    t.arg("author", &note.author_name)
                        .arg("when", formats.dates.moment(note.created_at)),
                ),
                body: note.body.clone(),
            })
            .collect(),
        invoices: detail
            .invoices
            .iter()
            .map(|invoice| LinkRow {
                id: invoice.id.to_string(),
                label: invoice.number.clone(),
            })
            .collect(),
        assets: detail
            .assets
            .iter()
            .map(|asset| LinkRow {
                id: asset.id.to_string(),
                label: asset.name.clone(),
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}
