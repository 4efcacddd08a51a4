//! Jobs ([`JobStore`]) on either database: the host's upserts and notes,
//! the customer's lists and one job with its timeline, notes and links.
//!
//! An upsert takes the account's row lock first ([`Dialect::LOCK_ACCOUNT`];
//! SQLite's write lock does the same), so two upserts of one job queue and
//! the second reads what the first wrote: its status, to decide whether
//! the timeline gets an entry ([`status_change`]), and its digest, so an
//! unchanged upsert writes nothing. Then it resolves the property, inserts
//! the job (`ON CONFLICT DO NOTHING`) or updates it while it is the
//! account's, rewrites its links, and refuses (rolling everything back) a
//! link to another account's invoice or asset.
//!
//! Each list is its own statement, one status each, so each reads one
//! range of an index led by tenant and account (migration 0017) rather
//! than an `OR` of filters no planner can range over.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::jobs::{
    Job, JobAsset, JobDetail, JobEvent, JobFilter, JobInvoice, JobNote, JobNoteUpsert, JobQuery,
    JobStatus, JobUpsert, JobsConflict, status_change,
};
use portal_core::ports::{JobStore, StoreError};
use portal_core::shared::{AssetId, ExternalId, InvoiceId, JobId, Page, TenantId};
use uuid::Uuid;

use super::{Arg, Backend, Conn, SqlStore, by_external_id, fetch_page, host_record, limit_offset};
use crate::error::{backend, store_error};
use crate::rows::Timestamp;
use crate::rows::jobs::{
    JobDetailRow, JobEventRow, JobNoteRow, JobRow, job_columns, job_from, note_columns, status,
};

host_record!(
    Job,
    JobRow,
    "j.",
    concat!("SELECT ", job_columns!(), job_from!())
);

/// One list's page and count statements: `$1` tenant, `$2` account, then
/// `$where`'s own arguments, then the page's `LIMIT` and `OFFSET` at
/// `$limit` (`LIMIT +$n`: see [`crate::common::billing`] on bound limits).
macro_rules! job_list {
    ($where:expr, $order:expr, $limit:expr) => {
        (
            concat!(
                "SELECT ",
                job_columns!(),
                ", COUNT(*) OVER () AS full_count",
                job_from!(),
                " WHERE j.tenant_id = $1 AND j.account_id = $2 AND ",
                $where,
                " ORDER BY ",
                $order,
                " LIMIT ",
                $limit
            ),
            concat!(
                "SELECT COUNT(*)",
                job_from!(),
                " WHERE j.tenant_id = $1 AND j.account_id = $2 AND ",
                $where
            ),
        )
    };
}

/// The page and count statements of `filter`'s list, and whether they
/// take the time (`$3`, only the upcoming list does).
fn list_sql(filter: JobFilter) -> (&'static str, &'static str, bool) {
    let ((page, count), takes_now) = match filter {
        JobFilter::Upcoming => (
            job_list!(
                "j.status = 'scheduled' AND j.window_end > $3",
                "j.window_start, j.id",
                "+$4 OFFSET $5"
            ),
            true,
        ),
        JobFilter::Waiting => (
            job_list!("j.status = 'unscheduled'", "j.id", "+$3 OFFSET $4"),
            false,
        ),
        JobFilter::InProgress => (
            job_list!(
                "j.status = 'in_progress'",
                "j.window_start NULLS LAST, j.id",
                "+$3 OFFSET $4"
            ),
            false,
        ),
        JobFilter::Completed => (
            job_list!(
                "j.status = 'completed'",
                "j.completed_at DESC, j.id DESC",
                "+$3 OFFSET $4"
            ),
            false,
        ),
        JobFilter::Cancelled => (
            job_list!(
                "j.status = 'cancelled'",
                "j.updated_at DESC, j.id DESC",
                "+$3 OFFSET $4"
            ),
            false,
        ),
        JobFilter::All => (job_list!("TRUE", "j.id DESC", "+$3 OFFSET $4"), false),
    };
    (page, count, takes_now)
}

/// What an upsert needs of the stored job.
type Stored = (Uuid, Uuid, String, String, Option<Timestamp>);

#[async_trait]
impl<B: Backend> JobStore for SqlStore<B> {
    async fn upsert_job(
        &self,
        tenant: TenantId,
        upsert: &JobUpsert,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<Job, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant_id, account_id) = (tenant.as_uuid(), upsert.account.as_uuid());
        lock_account(conn, tenant_id, account_id).await?;
        let property_id = match &upsert.property {
            None => None,
            Some(property) => {
                let (id, owner) = conn
                    .fetch_optional::<(Uuid, Uuid)>(
                        "SELECT id, account_id FROM properties \
                         WHERE tenant_id = $1 AND external_id = $2",
                        &[Arg::Id(tenant_id), Arg::Text(property.as_str())],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                if owner != account_id {
                    return Err(StoreError::Conflict(
                        JobsConflict::PropertyOfAnotherAccount.into(),
                    ));
                }
                Some(id)
            }
        };
        let technicians = serde_json::to_string(&upsert.technicians).map_err(backend)?;
        let window_start = upsert.window.map(|window| window.start());
        let window_end = upsert.window.map(|window| window.end());
        let new_id = JobId::new().as_uuid();
        let fresh_completed = (upsert.status == JobStatus::Completed).then_some(at);
        let inserted = conn
            .execute(
                "INSERT INTO jobs (id, tenant_id, account_id, external_id, number, title, \
                     description, status, property_id, window_start, window_end, technicians, \
                     content_sha256, created_at, updated_at, completed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                &[
                    Arg::Id(new_id),
                    Arg::Id(tenant_id),
                    Arg::Id(account_id),
                    Arg::Text(upsert.external_id.as_str()),
                    Arg::Text(&upsert.number),
                    Arg::Text(&upsert.title),
                    Arg::Text(&upsert.description),
                    Arg::Text(upsert.status.as_str()),
                    Arg::OptId(property_id),
                    Arg::OptTime(window_start),
                    Arg::OptTime(window_end),
                    Arg::Text(&technicians),
                    Arg::Text(digest),
                    Arg::Time(at),
                    Arg::OptTime(fresh_completed),
                ],
            )
            .await?
            > 0;
        let (job_id, previous) = if inserted {
            (new_id, None)
        } else {
            let (id, owner, stored_status, stored_digest, completed_at) = conn
                .fetch_optional::<Stored>(
                    "SELECT id, account_id, status, content_sha256, completed_at FROM jobs \
                     WHERE tenant_id = $1 AND external_id = $2",
                    &[Arg::Id(tenant_id), Arg::Text(upsert.external_id.as_str())],
                )
                .await?
                .ok_or_else(|| backend("the job that refused the insert is not there"))?;
            if owner != account_id {
                return Err(StoreError::Conflict(
                    JobsConflict::JobOfAnotherAccount.into(),
                ));
            }
            if stored_digest == digest {
                // The same job again: nothing to write (the transaction,
                // which wrote nothing, is dropped).
                return by_external_id(conn, tenant, &upsert.external_id)
                    .await?
                    .ok_or_else(|| backend("the upserted job is not there"));
            }
            let previous = status(&stored_status)?;
            // Completed keeps the time it was first completed at; any
            // other status has none.
            let completed_at = match (previous, upsert.status) {
                (JobStatus::Completed, JobStatus::Completed) => completed_at.map(|at| at.0),
                (_, JobStatus::Completed) => Some(at),
                _ => None,
            };
            conn.execute(
                "UPDATE jobs SET number = $3, title = $4, description = $5, status = $6, \
                     property_id = $7, window_start = $8, window_end = $9, technicians = $10, \
                     content_sha256 = $11, updated_at = $12, completed_at = $13 \
                 WHERE tenant_id = $1 AND id = $2",
                &[
                    Arg::Id(tenant_id),
                    Arg::Id(id),
                    Arg::Text(&upsert.number),
                    Arg::Text(&upsert.title),
                    Arg::Text(&upsert.description),
                    Arg::Text(upsert.status.as_str()),
                    Arg::OptId(property_id),
                    Arg::OptTime(window_start),
                    Arg::OptTime(window_end),
                    Arg::Text(&technicians),
                    Arg::Text(digest),
                    Arg::Time(at),
                    Arg::OptTime(completed_at),
                ],
            )
            .await?;
            for sql in [
                "DELETE FROM job_invoices WHERE job_id = $1",
                "DELETE FROM job_assets WHERE job_id = $1",
            ] {
                conn.execute(sql, &[Arg::Id(id)]).await?;
            }
            (id, Some(previous))
        };
        if let Some(next) = status_change(previous, upsert.status) {
            conn.execute(
                "INSERT INTO job_events (job_id, seq, status, at) \
                 SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM job_events WHERE job_id = $1",
                &[Arg::Id(job_id), Arg::Text(next.as_str()), Arg::Time(at)],
            )
            .await?;
        }
        write_links(conn, tenant_id, account_id, job_id, upsert).await?;
        let job = by_external_id(conn, tenant, &upsert.external_id)
            .await?
            .ok_or_else(|| backend("the upserted job is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(job)
    }

    async fn add_job_note(
        &self,
        tenant: TenantId,
        job: &ExternalId,
        note: &JobNoteUpsert,
        at: DateTime<Utc>,
    ) -> Result<JobNote, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (job_id,) = conn
            .fetch_optional::<(Uuid,)>(
                "SELECT id FROM jobs WHERE tenant_id = $1 AND external_id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Text(job.as_str())],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        // The same note again changes nothing; a changed one keeps its
        // time (where it stands among the notes).
        conn.execute(
            "INSERT INTO job_notes (job_id, external_id, author_name, body, created_at, \
                 updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (job_id, external_id) DO UPDATE \
                 SET author_name = excluded.author_name, body = excluded.body, \
                     updated_at = excluded.updated_at \
                 WHERE job_notes.author_name <> excluded.author_name \
                    OR job_notes.body <> excluded.body",
            &[
                Arg::Id(job_id),
                Arg::Text(note.external_id.as_str()),
                Arg::Text(&note.author_name),
                Arg::Text(&note.body),
                Arg::Time(at),
            ],
        )
        .await?;
        let note = conn
            .fetch_optional::<JobNoteRow>(
                concat!(
                    "SELECT ",
                    note_columns!(),
                    " FROM job_notes WHERE job_id = $1 AND external_id = $2"
                ),
                &[Arg::Id(job_id), Arg::Text(note.external_id.as_str())],
            )
            .await?
            .ok_or_else(|| backend("the added note is not there"))?
            .try_into()?;
        tx.commit().await.map_err(store_error)?;
        Ok(note)
    }

    async fn job_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Job>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// One page of `query`'s list with its count (`COUNT(*) OVER ()`;
    /// only a page past the end costs a second query).
    async fn jobs(
        &self,
        scope: &AccountScope,
        query: &JobQuery,
        now: DateTime<Utc>,
    ) -> Result<Page<Job>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(query.page)?;
        let (page_sql, count_sql, takes_now) = list_sql(query.filter);
        let (tenant, account) = (
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
        );
        let (args, filters) = if takes_now {
            (vec![tenant, account, Arg::Time(now), limit, offset], 3)
        } else {
            (vec![tenant, account, limit, offset], 2)
        };
        fetch_page::<JobRow, _>(conn, page_sql, count_sql, &args, filters, query.page)
            .await?
            .map_items(|rows| rows.into_iter().map(Job::try_from).collect())
    }

    /// The job (scoped to the account), then its timeline, notes,
    /// invoices and assets by its id: five queries whatever it holds.
    async fn job(&self, scope: &AccountScope, id: JobId) -> Result<Option<JobDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let account = Arg::Id(scope.account().as_uuid());
        let Some(row) = conn
            .fetch_optional::<JobDetailRow>(
                concat!(
                    "SELECT ",
                    job_columns!(),
                    ", j.description",
                    job_from!(),
                    " WHERE j.tenant_id = $1 AND j.account_id = $2 AND j.id = $3"
                ),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    account,
                    Arg::Id(id.as_uuid()),
                ],
            )
            .await?
        else {
            return Ok(None);
        };
        // The job is the account's, so its own id scopes what hangs on it;
        // linked records are joined only when they are the account's too.
        let job_id = Arg::Id(id.as_uuid());
        let timeline = conn
            .fetch_all::<JobEventRow>(
                "SELECT status, at FROM job_events WHERE job_id = $1 ORDER BY seq",
                &[job_id],
            )
            .await?
            .into_iter()
            .map(JobEvent::try_from)
            .collect::<Result<_, _>>()?;
        let notes = conn
            .fetch_all::<JobNoteRow>(
                concat!(
                    "SELECT ",
                    note_columns!(),
                    " FROM job_notes WHERE job_id = $1 ORDER BY created_at, external_id"
                ),
                &[job_id],
            )
            .await?
            .into_iter()
            .map(JobNote::try_from)
            .collect::<Result<_, _>>()?;
        let invoices = conn
            .fetch_all::<(Uuid, String)>(
                "SELECT i.id, i.number FROM job_invoices ji \
                 JOIN invoices i ON i.tenant_id = ji.tenant_id \
                     AND i.external_id = ji.invoice_external_id \
                 WHERE ji.job_id = $1 AND i.account_id = $2 ORDER BY i.issued_on, i.id",
                &[job_id, account],
            )
            .await?
            .into_iter()
            .map(|(id, number)| JobInvoice {
                id: InvoiceId::from_uuid(id),
                number,
            })
            .collect();
        let assets = conn
            .fetch_all::<(Uuid, String)>(
                "SELECT a.id, a.name FROM job_assets ja \
                 JOIN assets a ON a.tenant_id = ja.tenant_id \
                     AND a.external_id = ja.asset_external_id \
                 WHERE ja.job_id = $1 AND a.account_id = $2 ORDER BY a.name, a.id",
                &[job_id, account],
            )
            .await?
            .into_iter()
            .map(|(id, name)| JobAsset {
                id: AssetId::from_uuid(id),
                name,
            })
            .collect();
        Ok(Some(JobDetail {
            job: row.job.try_into()?,
            description: row.description,
            timeline,
            notes,
            invoices,
            assets,
        }))
    }
}

/// Takes the account's row lock (PostgreSQL; SQLite's write lock already
/// serialises writers); `NotFound` when it is not the tenant's.
pub(crate) async fn lock_account<C: Conn>(
    conn: &mut C,
    tenant: Uuid,
    account: Uuid,
) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(C::LOCK_ACCOUNT, &[Arg::Id(tenant), Arg::Id(account)])
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// Writes the job's links to invoices and assets by the host's ids, then
/// refuses them if one names a record that is another account's.
async fn write_links<C: Conn>(
    conn: &mut C,
    tenant: Uuid,
    account: Uuid,
    job: Uuid,
    upsert: &JobUpsert,
) -> Result<(), StoreError> {
    for invoice in &upsert.invoices {
        conn.execute(
            "INSERT INTO job_invoices (tenant_id, job_id, invoice_external_id) VALUES ($1, $2, $3)",
            &[Arg::Id(tenant), Arg::Id(job), Arg::Text(invoice.as_str())],
        )
        .await?;
    }
    for asset in &upsert.assets {
        conn.execute(
            "INSERT INTO job_assets (tenant_id, job_id, asset_external_id) VALUES ($1, $2, $3)",
            &[Arg::Id(tenant), Arg::Id(job), Arg::Text(asset.as_str())],
        )
        .await?;
    }
    let args = [Arg::Id(job), Arg::Id(account)];
    if !upsert.invoices.is_empty()
        && conn
            .fetch_optional::<(String,)>(
                "SELECT ji.invoice_external_id FROM job_invoices ji \
                 JOIN invoices i ON i.tenant_id = ji.tenant_id \
                     AND i.external_id = ji.invoice_external_id \
                 WHERE ji.job_id = $1 AND i.account_id <> $2 LIMIT 1",
                &args,
            )
            .await?
            .is_some()
    {
        return Err(StoreError::Conflict(
            JobsConflict::InvoiceOfAnotherAccount.into(),
        ));
    }
    if !upsert.assets.is_empty()
        && conn
            .fetch_optional::<(String,)>(
                "SELECT ja.asset_external_id FROM job_assets ja \
                 JOIN assets a ON a.tenant_id = ja.tenant_id \
                     AND a.external_id = ja.asset_external_id \
                 WHERE ja.job_id = $1 AND a.account_id <> $2 LIMIT 1",
                &args,
            )
            .await?
            .is_some()
    {
        return Err(StoreError::Conflict(
            JobsConflict::AssetOfAnotherAccount.into(),
        ));
    }
    Ok(())
}
