//! Jobs: the work orders and visits the host does for an account, which
//! customers follow from waiting to done.
//!
//! - The host pushes jobs in by its own ids ([`JobUpsert`], idempotent by
//!   content: the same job twice writes nothing), with the property it is
//!   at, its window, its technicians, and the invoices and equipment it
//!   links by the host's ids. A job never moves account.
//! - Each status change is appended to the job's timeline
//!   ([`status_change`]: a change, and only a change, is an entry).
//! - The host shares notes about a job ([`JobNoteUpsert`], idempotent by
//!   the note's id).
//! - Customers read the active account's jobs ([`JobsService`],
//!   `portal.jobs()`, with the services feature and
//!   [`crate::access::Permission::ViewServices`]): lists by
//!   [`JobFilter`], and one job with everything it links. Both say
//!   whether the account's autopay will pay for a job.
//! - No host event and no mail is written: the jobs are the host's own
//!   record, pushed in, so there is nothing to tell it.

mod errors;
mod job;
mod ports;
mod service;

pub use errors::JobsConflict;
pub use job::{
    Job, JobAsset, JobDetail, JobEvent, JobFilter, JobInvoice, JobNote, JobNoteUpsert, JobProperty,
    JobQuery, JobStatus, JobUpsert, JobWindow, MAX_JOB_DESCRIPTION, MAX_JOB_LINKS, MAX_JOB_NUMBER,
    MAX_JOB_TITLE, MAX_NOTE_AUTHOR, MAX_NOTE_BODY, MAX_TECHNICIAN_NAME, MAX_TECHNICIANS,
    status_change,
};
pub use ports::JobStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockJobStore;
pub(crate) use service::jobs_to_pick;
pub use service::{JobList, JobListing, JobView, JobsService, autopay_is_active};
