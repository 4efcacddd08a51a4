//! Document use cases of a logged-in customer: the list, one document and
//! its download. The host's side (publishing, unpublishing) is in
//! `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use crate::access::{Actor, Permission};
use crate::blobs::Blob;
use crate::documents::Document;
use crate::error::PortalError;
use crate::shared::{DocumentId, Page, PageRequest};

crate::portal::service! {
    /// The documents the active account may download: its own and the
    /// tenant-wide ones (ViewDocuments, with the tenant's downloads
    /// switched on). Get one from the [`Portal`](crate::Portal) facade.
    DocumentsService
}

impl DocumentsService<'_> {
    /// One page of the account's and the tenant-wide documents, newest
    /// first (ViewDocuments).
    pub async fn list(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Document>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewDocuments).await?;
        Ok(self.stores().documents.documents(&scope, page).await?)
    }

    /// One document the account sees (ViewDocuments); `NotFound` for
    /// another account's, another tenant's or an unpublished one.
    pub async fn document(self, actor: &Actor, id: DocumentId) -> Result<Document, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewDocuments).await?;
        self.stores()
            .documents
            .document(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// A document's file, streamed from the blob store (ViewDocuments);
    /// `NotFound` as for [`document`](Self::document).
    pub async fn download(self, actor: &Actor, id: DocumentId) -> Result<Blob, PortalError> {
        let document = self.document(actor, id).await?;
        Ok(self
            .portal
            .blob_store()?
            .get(actor.tenant(), &document.file.key)
            .await?)
    }
}
