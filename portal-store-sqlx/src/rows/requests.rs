//! Service request rows: the typed details and declarations come back
//! from their JSON text through core's types.

use portal_core::ports::StoreError;
use portal_core::requests::{RequestDetails, RequestKind, RequestStatus, ServiceRequest};
use portal_core::shared::{AccountId, ContactId, ServiceRequestId};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, stored};
use crate::error::backend;

/// The columns [`RequestRow`] reads, from `service_requests`.
macro_rules! request_columns {
    () => {
        "id, account_id, details, status, host_note, requested_by, requested_at, updated_at"
    };
}
pub(crate) use request_columns;

/// A request, selected with [`request_columns!`].
#[derive(FromRow)]
pub(crate) struct RequestRow {
    id: Uuid,
    account_id: Uuid,
    details: String,
    status: String,
    host_note: String,
    requested_by: Uuid,
    requested_at: Timestamp,
    updated_at: Timestamp,
}

impl TryFrom<RequestRow> for ServiceRequest {
    type Error = StoreError;

    fn try_from(row: RequestRow) -> Result<Self, StoreError> {
        Ok(ServiceRequest {
            id: ServiceRequestId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            details: stored(
                "request details",
                serde_json::from_str::<RequestDetails>(&row.details),
            )?,
            status: RequestStatus::parse(&row.status)
                .ok_or_else(|| backend(format!("stored request status: {}", row.status)))?,
            host_note: row.host_note,
            requested_by: ContactId::from_uuid(row.requested_by),
            requested_at: row.requested_at.0,
            updated_at: row.updated_at.0,
            attachments: Vec::new(),
        })
    }
}

/// A declared kind: its declaration's JSON text.
#[derive(FromRow)]
pub(crate) struct KindRow {
    spec: String,
}

impl TryFrom<KindRow> for RequestKind {
    type Error = StoreError;

    fn try_from(row: KindRow) -> Result<Self, StoreError> {
        stored("request kind", serde_json::from_str(&row.spec))
    }
}
