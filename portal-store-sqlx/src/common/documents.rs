//! Documents ([`DocumentStore`]) on either database: one row per
//! published document, keyed by the host's id within the tenant; the
//! files are in the blob store.

use async_trait::async_trait;
use portal_core::access::AccountScope;
use portal_core::blobs::BlobKey;
use portal_core::documents::{Document, Published};
use portal_core::ports::{DocumentStore, StoreError};
use portal_core::shared::{DocumentId, ExternalId, Page, PageRequest, TenantId};
use uuid::Uuid;

use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset};
use crate::error::{backend, store_error};
use crate::rows::documents::{DocumentRow, document_columns};

/// The documents an account sees: `$1` tenant, `$2` account; its own and
/// the tenant-wide ones (both halves read from
/// `documents_account_published_idx`).
macro_rules! visible {
    () => {
        " FROM documents WHERE tenant_id = $1 AND (account_id = $2 OR account_id IS NULL)"
    };
}

/// Replaces the row `id`'s account, texts, file and time with
/// `document`'s.
async fn replace<C: Conn>(conn: &mut C, id: Uuid, document: &Document) -> Result<(), StoreError> {
    let key = document.file.key.to_string();
    conn.execute(
        "UPDATE documents SET account_id = $2, title = $3, description = $4, folder = $5, \
             blob_key = $6, file_name = $7, kind = $8, size = $9, published_at = $10 \
         WHERE id = $1",
        &[
            Arg::Id(id),
            Arg::OptId(document.account.map(|account| account.as_uuid())),
            Arg::Text(&document.title),
            Arg::OptText(document.description.as_deref()),
            Arg::OptText(document.folder.as_deref()),
            Arg::Text(&key),
            Arg::Text(document.file.name.as_str()),
            Arg::Text(document.file.kind.code()),
            Arg::Int(i64::try_from(document.file.size).map_err(backend)?),
            Arg::Time(document.published_at),
        ],
    )
    .await?;
    Ok(())
}

/// Inserts `document`; false when a row with its external id is there
/// (another publish of the same id committed first).
async fn insert<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    document: &Document,
) -> Result<bool, StoreError> {
    let key = document.file.key.to_string();
    let inserted = conn
        .execute(
            "INSERT INTO documents (id, tenant_id, account_id, external_id, title, description, \
                 folder, blob_key, file_name, kind, size, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (tenant_id, external_id) DO NOTHING",
            &[
                Arg::Id(document.id.as_uuid()),
                Arg::Id(tenant.as_uuid()),
                Arg::OptId(document.account.map(|account| account.as_uuid())),
                Arg::Text(document.external_id.as_str()),
                Arg::Text(&document.title),
                Arg::OptText(document.description.as_deref()),
                Arg::OptText(document.folder.as_deref()),
                Arg::Text(&key),
                Arg::Text(document.file.name.as_str()),
                Arg::Text(document.file.kind.code()),
                Arg::Int(i64::try_from(document.file.size).map_err(backend)?),
                Arg::Time(document.published_at),
            ],
        )
        .await?;
    Ok(inserted == 1)
}

/// The tenant's document with this external id, locked (PostgreSQL), as
/// its row id and blob key.
async fn locked<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    external_id: &ExternalId,
) -> Result<Option<(Uuid, String)>, StoreError> {
    conn.fetch_optional::<(Uuid, String)>(
        C::LOCK_DOCUMENT,
        &[Arg::Id(tenant.as_uuid()), Arg::Text(external_id.as_str())],
    )
    .await
}

#[async_trait]
impl<B: Backend> DocumentStore for SqlStore<B> {
    async fn publish_document(
        &self,
        tenant: TenantId,
        document: &Document,
    ) -> Result<Published, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.fetch_optional::<(Uuid,)>(
            "SELECT id FROM tenants WHERE id = $1",
            &[Arg::Id(tenant.as_uuid())],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        if let Some(account) = document.account {
            conn.fetch_optional::<(Uuid,)>(
                "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(account.as_uuid())],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        }
        let mut earlier = locked(conn, tenant, &document.external_id).await?;
        if earlier.is_none() && !insert(conn, tenant, document).await? {
            // A publish of the same id committed between the two
            // statements: replace what it wrote.
            earlier = locked(conn, tenant, &document.external_id).await?;
            if earlier.is_none() {
                return Err(backend("a document's row vanished while it was published"));
            }
        }
        let (id, replaced) = match earlier {
            Some((id, key)) => {
                replace(conn, id, document).await?;
                let key = BlobKey::parse(&key).map_err(|_| backend("a stored blob key"))?;
                (id, (key != document.file.key).then_some(key))
            }
            None => (document.id.as_uuid(), None),
        };
        let written = conn
            .fetch_optional::<DocumentRow>(
                concat!(
                    "SELECT ",
                    document_columns!(),
                    " FROM documents WHERE id = $1"
                ),
                &[Arg::Id(id)],
            )
            .await?
            .ok_or_else(|| backend("the document is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(Published {
            document: Document::try_from(written)?,
            replaced,
        })
    }

    async fn unpublish_document(
        &self,
        tenant: TenantId,
        external_id: &ExternalId,
    ) -> Result<Option<BlobKey>, StoreError> {
        let conn = &mut *self.writer().await?;
        conn.fetch_optional::<(String,)>(
            "DELETE FROM documents WHERE tenant_id = $1 AND external_id = $2 RETURNING blob_key",
            &[Arg::Id(tenant.as_uuid()), Arg::Text(external_id.as_str())],
        )
        .await?
        .map(|(key,)| BlobKey::parse(&key).map_err(|_| backend("a stored blob key")))
        .transpose()
    }

    async fn documents(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Document>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        fetch_page::<DocumentRow, _>(
            conn,
            concat!(
                "SELECT ",
                document_columns!(),
                ", COUNT(*) OVER () AS full_count",
                visible!(),
                " ORDER BY published_at DESC, id DESC LIMIT +$3 OFFSET $4"
            ),
            concat!("SELECT COUNT(*)", visible!()),
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Document::try_from).collect())
    }

    async fn document(
        &self,
        scope: &AccountScope,
        id: DocumentId,
    ) -> Result<Option<Document>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_optional::<DocumentRow>(
            concat!("SELECT ", document_columns!(), visible!(), " AND id = $3"),
            &[
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
                Arg::Id(id.as_uuid()),
            ],
        )
        .await?
        .map(Document::try_from)
        .transpose()
    }
}
