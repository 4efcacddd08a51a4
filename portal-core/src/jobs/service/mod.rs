//! Job use cases of a logged-in customer: the list and one job, each
//! saying whether autopay will pay for the job. The host's side is in
//! `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::access::{AccountScope, Actor, Permission};
use crate::billing::AutopayConsent;
use crate::error::PortalError;
use crate::jobs::{Job, JobDetail, JobFilter, JobQuery};
use crate::portal::Stores;
use crate::shared::{JobId, Page};
use crate::tenancy::{Feature, Features, Tenant};

/// The jobs a form offers to pick from (a request's job field, a
/// ticket's "about a job"): the account's upcoming jobs, then those
/// waiting to be scheduled, at most `limit` of each.
pub(crate) async fn jobs_to_pick(
    stores: &Stores,
    scope: &AccountScope,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<Job>, crate::shared::StoreError> {
    let mut jobs = Vec::new();
    for filter in [JobFilter::Upcoming, JobFilter::Waiting] {
        let query = JobQuery {
            filter,
            page: crate::shared::PageRequest::new(1, limit),
        };
        jobs.extend(stores.jobs.jobs(scope, &query, now).await?.items);
    }
    Ok(jobs)
}

crate::portal::service! {
    /// The active account's jobs and visits. Get one from the
    /// [`Portal`](crate::Portal) facade.
    JobsService
}

/// A job on a list, with whether autopay will pay for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobListing {
    /// The job.
    pub job: Job,
    /// Whether the account's autopay will pay for it
    /// ([`Job::paid_by_autopay`]).
    pub paid_by_autopay: bool,
}

/// One page of jobs, with the moment the filter was judged at.
#[derive(Clone, Debug, PartialEq)]
pub struct JobList {
    /// The page.
    pub jobs: Page<JobListing>,
    /// When the list was read (what "upcoming" was judged against).
    pub now: DateTime<Utc>,
}

/// One job with everything its page shows, and whether autopay will pay
/// for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    /// The job, its timeline, notes and links.
    pub detail: JobDetail,
    /// Whether the account's autopay will pay for it
    /// ([`Job::paid_by_autopay`]).
    pub paid_by_autopay: bool,
}

impl JobView {
    /// The view of `detail` for an account whose autopay is (or is not)
    /// active.
    fn of(detail: JobDetail, autopay_active: bool) -> Self {
        Self {
            paid_by_autopay: detail.job.paid_by_autopay(autopay_active),
            detail,
        }
    }
}

/// Whether the account's autopay is on, from what was read: the tenant
/// runs autopay (else no run would charge, whatever consent is on file)
/// and `consent` is the account's active consent. The jobs' list and page
/// read the consent for it ([`autopay_active`]); the dashboard passes the
/// one its autopay card read (only for a contact who may manage autopay).
pub fn autopay_is_active(features: &Features, consent: Option<&AutopayConsent>) -> bool {
    features.is_on(Feature::Autopay) && consent.is_some()
}

/// Whether the account's autopay is on ([`autopay_is_active`]). One read,
/// and none when the tenant's autopay is off.
pub(crate) async fn autopay_active(
    stores: &Stores,
    tenant: &Tenant,
    scope: &AccountScope,
) -> Result<bool, PortalError> {
    let features = &tenant.settings.features;
    if !features.is_on(Feature::Autopay) {
        return Ok(false);
    }
    let consent = stores.autopay.autopay(scope).await?;
    Ok(autopay_is_active(features, consent.as_ref()))
}

impl JobsService<'_> {
    /// One page of the active account's jobs on `query`'s list, judged at
    /// the portal's clock's now, each saying whether autopay will pay for
    /// it (the consent read once for the page).
    pub async fn list(self, actor: &Actor, query: &JobQuery) -> Result<JobList, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewServices).await?;
        let now = self.portal.inner.clock.now();
        let jobs = self.stores().jobs.jobs(&scope, query, now).await?;
        let autopay = autopay_active(self.stores(), &tenant, &scope).await?;
        let jobs = jobs.map_items(|jobs| {
            Ok::<_, PortalError>(
                jobs.into_iter()
                    .map(|job| JobListing {
                        paid_by_autopay: job.paid_by_autopay(autopay),
                        job,
                    })
                    .collect(),
            )
        })?;
        Ok(JobList { jobs, now })
    }

    /// One job of the active account with its timeline, notes, invoices,
    /// equipment and property; `NotFound` for another account's (and then
    /// nothing else is read).
    pub async fn detail(self, actor: &Actor, id: JobId) -> Result<JobView, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewServices).await?;
        let detail = self
            .stores()
            .jobs
            .job(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        let autopay = autopay_active(self.stores(), &tenant, &scope).await?;
        Ok(JobView::of(detail, autopay))
    }
}
