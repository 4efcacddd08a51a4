//! Service requests ([`RequestStore`]) on either database: the kinds a
//! tenant declared, and every request of an account (call-offs too, which
//! `rentals` writes under the account's lock) in one table, their typed
//! details kept as JSON text.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{RequestStore, StoreError};
use portal_core::requests::{
    RequestKind, RequestQuery, RequestStatus, RequestsConflict, ServiceRequest,
};
use portal_core::shared::{Page, ServiceRequestId, TenantId};

use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset, outbox};
use crate::error::{backend, store_error};
use crate::rows::requests::{KindRow, RequestRow, attachments_json, request_columns};

/// The filters of an account's request list: `$1` tenant, `$2` account,
/// `$3` the filter (`all`, `open`, `closed`).
macro_rules! request_filters {
    () => {
        " FROM service_requests WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 = 'all' OR ($3 = 'open') = \
                (status IN ('pending', 'scheduled', 'in_progress')))"
    };
}

/// Writes `request` (no checks: the caller's).
pub(crate) async fn insert_request<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    request: &ServiceRequest,
) -> Result<(), StoreError> {
    let details = serde_json::to_string(&request.details).map_err(backend)?;
    let attachments = attachments_json(&request.attachments)?;
    conn.execute(
        "INSERT INTO service_requests (id, tenant_id, account_id, kind, subject_id, details, \
             status, host_note, requested_by, requested_at, updated_at, attachments) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            Arg::Id(request.id.as_uuid()),
            Arg::Id(tenant.as_uuid()),
            Arg::Id(request.account.as_uuid()),
            Arg::Text(request.details.kind()),
            Arg::OptId(request.subject()),
            Arg::Text(&details),
            Arg::Text(request.status.as_str()),
            Arg::Text(&request.host_note),
            Arg::Id(request.requested_by.as_uuid()),
            Arg::Time(request.requested_at),
            Arg::Time(request.updated_at),
            Arg::Text(&attachments),
        ],
    )
    .await?;
    Ok(())
}

/// The scope's request with this id.
pub(crate) async fn scoped_request<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: ServiceRequestId,
) -> Result<Option<ServiceRequest>, StoreError> {
    conn.fetch_optional::<RequestRow>(
        concat!(
            "SELECT ",
            request_columns!(),
            " FROM service_requests WHERE tenant_id = $1 AND account_id = $2 AND id = $3"
        ),
        &[
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(id.as_uuid()),
        ],
    )
    .await?
    .map(ServiceRequest::try_from)
    .transpose()
}

/// The tenant's request with this id.
async fn tenant_request<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: ServiceRequestId,
) -> Result<Option<ServiceRequest>, StoreError> {
    conn.fetch_optional::<RequestRow>(
        concat!(
            "SELECT ",
            request_columns!(),
            " FROM service_requests WHERE tenant_id = $1 AND id = $2"
        ),
        &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
    )
    .await?
    .map(ServiceRequest::try_from)
    .transpose()
}

/// The requests about `subject` (a contract's call-offs), newest first.
pub(crate) async fn requests_about<C: Conn>(
    conn: &mut C,
    subject: uuid::Uuid,
) -> Result<Vec<ServiceRequest>, StoreError> {
    conn.fetch_all::<RequestRow>(
        concat!(
            "SELECT ",
            request_columns!(),
            " FROM service_requests WHERE subject_id = $1 ORDER BY requested_at DESC, id DESC"
        ),
        &[Arg::Id(subject)],
    )
    .await?
    .into_iter()
    .map(ServiceRequest::try_from)
    .collect()
}

#[async_trait]
impl<B: Backend> RequestStore for SqlStore<B> {
    async fn declare_request_kind(
        &self,
        tenant: TenantId,
        kind: &RequestKind,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let spec = serde_json::to_string(kind).map_err(backend)?;
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.fetch_optional::<(uuid::Uuid,)>(
            "SELECT id FROM tenants WHERE id = $1",
            &[Arg::Id(tenant.as_uuid())],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        conn.execute(
            "INSERT INTO request_kinds (tenant_id, key, name, spec, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tenant_id, key) DO UPDATE SET name = excluded.name, \
                 spec = excluded.spec, active = excluded.active, updated_at = excluded.updated_at",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Text(kind.key.as_str()),
                Arg::Text(&kind.name),
                Arg::Text(&spec),
                Arg::Bool(kind.active),
                Arg::Time(at),
            ],
        )
        .await?;
        tx.commit().await.map_err(store_error)
    }

    async fn request_kinds(
        &self,
        tenant: TenantId,
        active_only: bool,
    ) -> Result<Vec<RequestKind>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_all::<KindRow>(
            "SELECT spec FROM request_kinds WHERE tenant_id = $1 AND (active OR NOT $2) \
             ORDER BY name, key",
            &[Arg::Id(tenant.as_uuid()), Arg::Bool(active_only)],
        )
        .await?
        .into_iter()
        .map(RequestKind::try_from)
        .collect()
    }

    async fn request_kind(
        &self,
        tenant: TenantId,
        key: &str,
    ) -> Result<Option<RequestKind>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_optional::<KindRow>(
            "SELECT spec FROM request_kinds WHERE tenant_id = $1 AND key = $2",
            &[Arg::Id(tenant.as_uuid()), Arg::Text(key)],
        )
        .await?
        .map(RequestKind::try_from)
        .transpose()
    }

    async fn submit_request(
        &self,
        scope: &AccountScope,
        request: &ServiceRequest,
        messages: &[OutboxMessage],
    ) -> Result<ServiceRequest, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        insert_request(conn, scope.tenant(), request).await?;
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let written = scoped_request(conn, scope, request.id)
            .await?
            .ok_or_else(|| backend("the request is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }

    async fn requests(
        &self,
        scope: &AccountScope,
        query: &RequestQuery,
    ) -> Result<Page<ServiceRequest>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Text(query.filter.as_str()),
            limit,
            offset,
        ];
        fetch_page::<RequestRow, _>(
            conn,
            concat!(
                "SELECT ",
                request_columns!(),
                ", COUNT(*) OVER () AS full_count",
                request_filters!(),
                " ORDER BY requested_at DESC, id DESC LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", request_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(ServiceRequest::try_from).collect())
    }

    async fn request(
        &self,
        scope: &AccountScope,
        id: ServiceRequestId,
    ) -> Result<Option<ServiceRequest>, StoreError> {
        let conn = &mut *self.reader().await?;
        scoped_request(conn, scope, id).await
    }

    async fn request_of_tenant(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
    ) -> Result<Option<ServiceRequest>, StoreError> {
        let conn = &mut *self.reader().await?;
        tenant_request(conn, tenant, id).await
    }

    async fn cancel_request(
        &self,
        scope: &AccountScope,
        id: ServiceRequestId,
        messages: &[OutboxMessage],
        at: DateTime<Utc>,
    ) -> Result<ServiceRequest, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        // Conditional on `pending`: a racing cancel or host answer that
        // committed first leaves nothing to update here.
        let canceled = conn
            .execute(
                "UPDATE service_requests SET status = 'canceled', updated_at = $4 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND status = 'pending'",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Time(at),
                ],
            )
            .await?;
        let request = scoped_request(conn, scope, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if canceled == 0 {
            // Dropping the transaction rolls it back: nothing written.
            return Err(StoreError::Conflict(
                RequestsConflict::NotPending {
                    status: request.status,
                }
                .into(),
            ));
        }
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(request)
    }

    async fn set_request_status(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
        status: RequestStatus,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<ServiceRequest, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.execute(
            "UPDATE service_requests SET status = $3, host_note = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2 AND (status <> $3 OR host_note <> $4)",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(id.as_uuid()),
                Arg::Text(status.as_str()),
                Arg::Text(note),
                Arg::Time(at),
            ],
        )
        .await?;
        let request = tenant_request(conn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(store_error)?;
        Ok(request)
    }
}
