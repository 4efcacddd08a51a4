//! The host's side of documents: publishing one (for an account or the
//! whole tenant) and taking it down.

use crate::blobs::{BlobKey, BlobLimits, Upload, store_upload};
use crate::documents::{Document, DocumentDraft};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::shared::{DocumentId, ExternalId, TenantId};

impl HostApi<'_> {
    /// Publishes a document for `draft.account` (or, with none, for every
    /// account of the tenant), idempotently by its external id: publishing
    /// the same id again replaces its texts and file (the document keeps
    /// its id) and removes the file it had. The file streams into the blob
    /// store under [`BlobLimits::documents`] (too large, a kind the portal
    /// does not keep, a name of another kind: refused at `file`, nothing
    /// kept). `NotFound` when the account is not the tenant's.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::blobs::{FileName, Upload};
    /// use portal_core::documents::DocumentDraft;
    /// use portal_core::shared::ExternalId;
    ///
    /// let pdf = b"%PDF-1.7\n...".to_vec();
    /// let upload = Upload::of(FileName::parse("guide.pdf").expect("a name"), pdf);
    /// let draft = DocumentDraft {
    ///     external_id: ExternalId::parse("guide-2026").expect("an id"),
    ///     account: None, // every account of the tenant
    ///     title: "Getting started".into(),
    ///     description: Some("How to use your new system.".into()),
    ///     folder: Some("Guides".into()),
    /// };
    /// portal.host().publish_document(tenant, &draft, upload).await?;
    /// # Ok(()) }
    /// ```
    pub async fn publish_document(
        &self,
        tenant: TenantId,
        draft: &DocumentDraft,
        upload: Upload<'_>,
    ) -> Result<Document, PortalError> {
        let checked = draft.checked()?;
        let blobs = self.portal.blob_store()?;
        let file = store_upload(blobs, tenant, upload, &BlobLimits::documents()).await?;
        let key = file.key.clone();
        let document = Document {
            id: DocumentId::new(),
            account: draft.account,
            external_id: draft.external_id.clone(),
            title: checked.title,
            description: checked.description,
            folder: checked.folder,
            file,
            published_at: self.portal.inner.clock.now(),
        };
        match self
            .stores()
            .documents
            .publish_document(tenant, &document)
            .await
        {
            Ok(published) => {
                if let Some(replaced) = published.replaced {
                    self.remove_file(tenant, &replaced).await;
                }
                Ok(published.document)
            }
            Err(error) => {
                self.remove_file(tenant, &key).await;
                Err(error.into())
            }
        }
    }

    /// Takes the tenant's document with this external id down and removes
    /// its file; taking down one that is not there is not an error.
    pub async fn unpublish_document(
        &self,
        tenant: TenantId,
        external_id: &ExternalId,
    ) -> Result<(), PortalError> {
        let removed = self
            .stores()
            .documents
            .unpublish_document(tenant, external_id)
            .await?;
        if let Some(key) = removed {
            self.remove_file(tenant, &key).await;
        }
        Ok(())
    }

    /// Removes a file no document refers to any more. A failure is logged,
    /// not returned: the document's change is already committed, and a
    /// file left behind is only space.
    async fn remove_file(&self, tenant: TenantId, key: &BlobKey) {
        let removed = match self.portal.blob_store() {
            Ok(blobs) => blobs.delete(tenant, key).await.map_err(PortalError::from),
            Err(error) => Err(error),
        };
        if let Err(error) = removed {
            tracing::warn!(%error, %key, "a document's old file could not be removed");
        }
    }
}
