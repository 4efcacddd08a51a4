//! The host's jobs API: it pushes jobs and their notes in by its own ids,
//! and reads a job back as its customer sees it.

use super::{JobView, autopay_active};
use crate::access::AccountScope;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::jobs::{Job, JobNote, JobNoteUpsert, JobUpsert};
use crate::shared::{ExternalId, TenantId};

impl HostApi<'_> {
    /// Creates or updates a job by the host's id, idempotently: the same
    /// job twice is one job and writes nothing the second time; a status
    /// change is added to the job's timeline. The property, invoices and
    /// assets are named by the host's ids. A job stays with its account:
    /// naming it for another, or linking another account's property,
    /// invoice or asset, is a `Conflict`; an unknown account or property
    /// is `NotFound`; an invoice or asset not sent yet is linked and shows
    /// once it arrives. Nothing is written on any refusal.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::jobs::{JobStatus, JobUpsert, JobWindow};
    /// use portal_core::shared::ExternalId;
    /// let at = |hour| chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap().and_hms_opt(hour, 0, 0).unwrap().and_utc();
    /// let job = portal.host().upsert_job(tenant, &JobUpsert {
    ///     external_id: ExternalId::parse("wo-1042")?,
    ///     account,
    ///     number: "J-1042".into(),
    ///     title: "Annual boiler service".into(),
    ///     description: "Service the boiler and test the flue.".into(),
    ///     status: JobStatus::Scheduled,
    ///     property: Some(ExternalId::parse("site-17")?),
    ///     window: Some(JobWindow::new(at(8), at(12))?),
    ///     technicians: vec!["Ana Ruiz".into()],
    ///     invoices: Vec::new(),
    ///     assets: vec![ExternalId::parse("asset-88")?],
    /// }).await?;
    /// assert_eq!(job.status, JobStatus::Scheduled);
    /// # Ok(()) }
    /// ```
    pub async fn upsert_job(&self, tenant: TenantId, job: &JobUpsert) -> Result<Job, PortalError> {
        job.validate()?;
        let digest = job.digest();
        let now = self.portal.inner.clock.now();
        let job = self
            .stores()
            .jobs
            .upsert_job(tenant, job, &digest, now)
            .await?;
        if let Some(notice) = crate::notifications::triggers::job_scheduled(&job, now) {
            crate::notifications::notify(self.portal, tenant, job.account, notice, None).await?;
        }
        Ok(job)
    }

    /// Shares a note about the job with the host's id `job` with its
    /// customer, idempotently by the note's own id (sent again, its text
    /// is updated and its time kept). `NotFound` for an unknown job.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::jobs::JobNoteUpsert;
    /// use portal_core::shared::ExternalId;
    /// let note = portal.host().add_job_note(tenant, &ExternalId::parse("wo-1042")?, &JobNoteUpsert {
    ///     external_id: ExternalId::parse("note-1")?,
    ///     author_name: "Ana Ruiz".into(),
    ///     body: "Replacement part ordered; back on Thursday.".into(),
    /// }).await?;
    /// assert_eq!(note.author_name, "Ana Ruiz");
    /// # Ok(()) }
    /// ```
    pub async fn add_job_note(
        &self,
        tenant: TenantId,
        job: &ExternalId,
        note: &JobNoteUpsert,
    ) -> Result<JobNote, PortalError> {
        note.validate()?;
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .jobs
            .add_job_note(tenant, job, note, now)
            .await?)
    }

    /// The job with the host's id as its customer sees it: timeline,
    /// notes, links, and whether the account's autopay will pay for it.
    pub async fn job(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<JobView>, PortalError> {
        let Some(job) = self.stores().jobs.job_by_external_id(tenant, id).await? else {
            return Ok(None);
        };
        // The host is trusted with every account of its tenant.
        let scope = AccountScope::for_host(tenant, job.account);
        let Some(detail) = self.stores().jobs.job(&scope, job.id).await? else {
            return Ok(None);
        };
        let settings = self.portal.tenant(tenant).await?;
        let autopay = autopay_active(self.stores(), &settings, &scope).await?;
        Ok(Some(JobView::of(detail, autopay)))
    }
}
