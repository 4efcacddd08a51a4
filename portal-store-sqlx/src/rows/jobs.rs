//! Job rows (with their property's name), timeline entries and notes, and
//! their conversion into core's models.

use portal_core::jobs::{Job, JobEvent, JobNote, JobProperty, JobStatus, JobWindow};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, ExternalId, JobId, PropertyId};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, stored};
use crate::error::backend;

/// The columns [`JobRow`] reads, from [`job_from!`].
macro_rules! job_columns {
    () => {
        "j.id, j.account_id, j.external_id, j.number, j.title, j.status, j.property_id, \
         p.name AS property_name, j.window_start, j.window_end, j.technicians, j.created_at, \
         j.updated_at, j.completed_at"
    };
}
pub(crate) use job_columns;

/// The jobs `j` with their property `p` (when they name one).
macro_rules! job_from {
    () => {
        " FROM jobs j LEFT JOIN properties p ON p.id = j.property_id"
    };
}
pub(crate) use job_from;

/// A job, selected with [`job_columns!`].
#[derive(FromRow)]
pub(crate) struct JobRow {
    id: Uuid,
    account_id: Uuid,
    external_id: String,
    number: String,
    title: String,
    status: String,
    property_id: Option<Uuid>,
    property_name: Option<String>,
    window_start: Option<Timestamp>,
    window_end: Option<Timestamp>,
    technicians: String,
    created_at: Timestamp,
    updated_at: Timestamp,
    completed_at: Option<Timestamp>,
}

/// A job with its description, for its page.
#[derive(FromRow)]
pub(crate) struct JobDetailRow {
    #[sqlx(flatten)]
    pub(crate) job: JobRow,
    pub(crate) description: String,
}

/// A status as stored.
pub(crate) fn status(text: &str) -> Result<JobStatus, StoreError> {
    JobStatus::parse(text).ok_or_else(|| backend(format!("stored job status is unknown: {text}")))
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(row: JobRow) -> Result<Self, StoreError> {
        let window = match (row.window_start, row.window_end) {
            (Some(start), Some(end)) => Some(stored("window", JobWindow::new(start.0, end.0))?),
            (None, None) => None,
            _ => return Err(backend("a stored job window has one end")),
        };
        let property = match (row.property_id, row.property_name) {
            (Some(id), Some(name)) => Some(JobProperty {
                id: PropertyId::from_uuid(id),
                name,
            }),
            _ => None,
        };
        Ok(Job {
            id: JobId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            title: row.title,
            status: status(&row.status)?,
            property,
            window,
            technicians: serde_json::from_str(&row.technicians).map_err(backend)?,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            completed_at: row.completed_at.map(|at| at.0),
        })
    }
}

/// An entry of a job's timeline.
#[derive(FromRow)]
pub(crate) struct JobEventRow {
    status: String,
    at: Timestamp,
}

impl TryFrom<JobEventRow> for JobEvent {
    type Error = StoreError;
    fn try_from(row: JobEventRow) -> Result<Self, StoreError> {
        Ok(JobEvent {
            status: status(&row.status)?,
            at: row.at.0,
        })
    }
}

/// The columns [`JobNoteRow`] reads, from `job_notes`.
macro_rules! note_columns {
    () => {
        "external_id, author_name, body, created_at"
    };
}
pub(crate) use note_columns;

/// A note about a job, selected with [`note_columns!`].
#[derive(FromRow)]
pub(crate) struct JobNoteRow {
    external_id: String,
    author_name: String,
    body: String,
    created_at: Timestamp,
}

impl TryFrom<JobNoteRow> for JobNote {
    type Error = StoreError;
    fn try_from(row: JobNoteRow) -> Result<Self, StoreError> {
        Ok(JobNote {
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            author_name: row.author_name,
            body: row.body,
            created_at: row.created_at.0,
        })
    }
}
