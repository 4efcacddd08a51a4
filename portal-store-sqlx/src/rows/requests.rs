//! Service request rows: the typed details and declarations come back
//! from their JSON text through core's types, the attached files from
//! theirs through the blob rules tickets' attachments use.

use portal_core::blobs::Attachment;
use portal_core::ports::StoreError;
use portal_core::requests::{RequestDetails, RequestKind, RequestStatus, ServiceRequest};
use portal_core::shared::{AccountId, ContactId, ServiceRequestId};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use uuid::Uuid;

use super::tickets::attachment_of;
use super::{Timestamp, stored};
use crate::error::backend;

/// The columns [`RequestRow`] reads, from `service_requests`.
macro_rules! request_columns {
    () => {
        "id, account_id, details, status, host_note, requested_by, requested_at, updated_at, \
         attachments"
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
    attachments: String,
}

/// One attached file as `service_requests.attachments` holds it.
#[derive(Serialize, Deserialize)]
struct StoredAttachment {
    id: Uuid,
    key: String,
    name: String,
    kind: String,
    size: i64,
}

/// `files` as the JSON text of `service_requests.attachments`.
pub(crate) fn attachments_json(files: &[Attachment]) -> Result<String, StoreError> {
    let stored = files
        .iter()
        .map(|file| {
            Ok(StoredAttachment {
                id: file.id.as_uuid(),
                key: file.key.to_string(),
                name: file.name.as_str().to_owned(),
                kind: file.kind.code().to_owned(),
                size: i64::try_from(file.size).map_err(backend)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    serde_json::to_string(&stored).map_err(backend)
}

/// The files of `service_requests.attachments`' JSON text.
fn attachments_of(json: &str) -> Result<Vec<Attachment>, StoreError> {
    let stored: Vec<StoredAttachment> = stored("request attachments", serde_json::from_str(json))?;
    stored
        .into_iter()
        .map(|file| attachment_of(file.id, &file.key, &file.name, &file.kind, file.size))
        .collect()
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
            attachments: attachments_of(&row.attachments)?,
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
