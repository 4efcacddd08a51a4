//! Document rows.

use portal_core::documents::Document;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, DocumentId, ExternalId};
use sqlx::FromRow;
use uuid::Uuid;

use super::{Timestamp, stored_blob};
use crate::error::backend;

/// The columns [`DocumentRow`] reads, from `documents`.
macro_rules! document_columns {
    () => {
        "id, account_id, external_id, title, description, folder, blob_key, file_name, kind, \
         size, published_at"
    };
}
pub(crate) use document_columns;

/// A document, selected with [`document_columns!`].
#[derive(FromRow)]
pub(crate) struct DocumentRow {
    id: Uuid,
    account_id: Option<Uuid>,
    external_id: String,
    title: String,
    description: Option<String>,
    folder: Option<String>,
    blob_key: String,
    file_name: String,
    kind: String,
    size: i64,
    published_at: Timestamp,
}

impl TryFrom<DocumentRow> for Document {
    type Error = StoreError;

    fn try_from(row: DocumentRow) -> Result<Self, StoreError> {
        Ok(Document {
            id: DocumentId::from_uuid(row.id),
            account: row.account_id.map(AccountId::from_uuid),
            external_id: ExternalId::parse(&row.external_id)
                .map_err(|_| backend("a stored external id"))?,
            title: row.title,
            description: row.description,
            folder: row.folder,
            file: stored_blob(&row.blob_key, &row.file_name, &row.kind, row.size)?,
            published_at: row.published_at.0,
        })
    }
}
