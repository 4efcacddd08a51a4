//! The jobs store port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Job, JobDetail, JobNote, JobNoteUpsert, JobQuery, JobUpsert};
use crate::access::AccountScope;
use crate::shared::{ExternalId, JobId, Page, StoreError, TenantId};

/// Jobs: the host's upserts and notes, and the account's reads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Creates the job with this external id in the tenant, or replaces
    /// its fields, technicians and links keeping its id, in one
    /// transaction. `digest` is [`JobUpsert::digest`]: an upsert whose
    /// digest is the stored job's writes nothing (idempotent). A status
    /// change ([`super::status_change`]; a new job's first status too)
    /// appends one timeline entry at `at`; `completed_at` is `at` when the
    /// job becomes completed and none once it is not. Invoices and assets
    /// are linked by the host's ids and resolved when read, so one sent
    /// later shows once it arrives. MUST return `NotFound` (writing
    /// nothing) when the account or the property is not in this tenant,
    /// and `Conflict` (writing nothing) when the job is another account's
    /// (`JobOfAnotherAccount`) or the property, a linked invoice or a
    /// linked asset is (`PropertyOfAnotherAccount`,
    /// `InvoiceOfAnotherAccount`, `AssetOfAnotherAccount`). Returns the
    /// job as stored.
    async fn upsert_job(
        &self,
        tenant: TenantId,
        job: &JobUpsert,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<Job, StoreError>;
    /// Adds a note to the tenant's job with external id `job`, or updates
    /// the note with the same external id (its author and text; its time
    /// kept), so the same note twice is one. MUST return `NotFound` when
    /// the job is not in this tenant.
    async fn add_job_note(
        &self,
        tenant: TenantId,
        job: &ExternalId,
        note: &JobNoteUpsert,
        at: DateTime<Utc>,
    ) -> Result<JobNote, StoreError>;
    /// The job with this external id in this tenant (none for another
    /// tenant's).
    async fn job_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Job>, StoreError>;
    /// One page of the account's jobs on `query`'s list at `now`
    /// ([`super::JobFilter`] says which and in what order), with the
    /// list's total, read as a range of an index led by tenant and
    /// account. MUST hold only the scope's account's jobs.
    async fn jobs(
        &self,
        scope: &AccountScope,
        query: &JobQuery,
        now: DateTime<Utc>,
    ) -> Result<Page<Job>, StoreError>;
    /// The account's job with its timeline, notes, and the account's
    /// invoices and assets it links (those of another account or not yet
    /// sent left out), in a fixed number of queries. MUST return none for
    /// another account's job.
    async fn job(&self, scope: &AccountScope, id: JobId) -> Result<Option<JobDetail>, StoreError>;
}
