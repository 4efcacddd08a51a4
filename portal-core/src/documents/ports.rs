//! The documents store port: the records of published documents (the
//! files themselves are in the [`BlobStore`](crate::blobs::BlobStore)).

use async_trait::async_trait;

use super::{Document, Published};
use crate::access::AccountScope;
use crate::blobs::BlobKey;
use crate::shared::{DocumentId, ExternalId, Page, PageRequest, StoreError, TenantId};

/// Published documents, the account's and the tenant-wide ones.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Writes `document` for `tenant`, keyed by its external id, in one
    /// transaction.
    ///
    /// - MUST insert it when the tenant has no document with that external
    ///   id, and return no replaced file.
    /// - MUST, when there is one, replace its account, texts, file and
    ///   time but keep its id, and return the file it had (unless it is
    ///   the same key), also when two publishes of one id race.
    /// - MUST return `NotFound` for an unknown tenant, or an account that
    ///   is not the tenant's.
    async fn publish_document(
        &self,
        tenant: TenantId,
        document: &Document,
    ) -> Result<Published, StoreError>;

    /// Removes the tenant's document with this external id and returns its
    /// file's key. MUST return `None` when there is none (removing twice
    /// is not an error) and never touch another tenant's.
    async fn unpublish_document(
        &self,
        tenant: TenantId,
        external_id: &ExternalId,
    ) -> Result<Option<BlobKey>, StoreError>;

    /// One page of the documents the scope's account sees: its own and the
    /// tenant-wide ones, newest first (then id), with the total. MUST hold
    /// no other account's and no other tenant's.
    async fn documents(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Document>, StoreError>;

    /// The document with this id when it is the scope's account's or
    /// tenant-wide; none otherwise (another account's, another tenant's,
    /// unpublished).
    async fn document(
        &self,
        scope: &AccountScope,
        id: DocumentId,
    ) -> Result<Option<Document>, StoreError>;
}
