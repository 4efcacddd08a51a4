//! The [`BlobStore`] port: where uploaded files are kept. One trait, three
//! methods, each stated as the MUST sentences the adapters' conformance
//! suite (`portal-blobs/tests/it`) tests on every adapter.

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;

use super::{BlobKey, BlobLimits, FileKind, FileName};
use crate::PortalError;
use crate::shared::{Reason, TenantId};

/// Bytes arriving or leaving in chunks; never the whole file at once.
pub type ByteStream<'a> = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send + 'a>>;

/// A file on its way in: the customer's name for it and its content.
pub struct Upload<'a> {
    /// The cleaned name, kept as metadata.
    pub name: FileName,
    /// The content, as it arrives.
    pub content: ByteStream<'a>,
}

impl Upload<'static> {
    /// An upload of content already in memory (a host publishing a file
    /// it generated, a test): one chunk.
    ///
    /// ```
    /// use portal_core::blobs::{FileName, Upload};
    /// let upload = Upload::of(FileName::parse("notes.txt").expect("a name"), b"Hello".to_vec());
    /// assert_eq!(upload.name.as_str(), "notes.txt");
    /// ```
    pub fn of(name: FileName, content: Vec<u8>) -> Self {
        Self {
            name,
            content: Box::pin(futures::stream::iter([Ok(Bytes::from(content))])),
        }
    }
}

/// What a store keeps about a blob beside its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    /// Where it is kept.
    pub key: BlobKey,
    /// The customer's name for it (with its kind's extension if it had none).
    pub name: FileName,
    /// Its kind, as its first bytes showed.
    pub kind: FileKind,
    /// Its size in bytes.
    pub size: u64,
}

/// A blob read back: what was stored about it and its content.
pub struct Blob {
    /// Its metadata, as `put` returned it.
    pub meta: StoredBlob,
    /// Its content, streamed from the store.
    pub content: ByteStream<'static>,
}

/// Why a blob could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// Nothing under that key for that tenant.
    #[error("no blob under that key")]
    NotFound,
    /// The upload broke a rule ([`Reason::FileTooLarge`],
    /// [`Reason::FileType`], [`Reason::FileNameMismatch`],
    /// [`Reason::Required`] for an empty file).
    #[error("upload refused: {0:?}")]
    Refused(Reason),
    /// Reading the upload failed (the client went away, the body was cut).
    #[error("reading the upload failed: {0}")]
    Upload(io::Error),
    /// The storage failed; the cause is for logs.
    #[error("blob storage failed: {0}")]
    Storage(String),
}

impl From<BlobError> for PortalError {
    fn from(error: BlobError) -> Self {
        match error {
            BlobError::NotFound => PortalError::NotFound,
            BlobError::Refused(reason) => PortalError::invalid("file", reason),
            BlobError::Upload(cause) => {
                tracing::info!(%cause, "an upload did not arrive whole");
                PortalError::invalid("file", Reason::UploadBroken)
            }
            BlobError::Storage(cause) => {
                tracing::error!(%cause, "blob storage failed");
                PortalError::Internal(cause)
            }
        }
    }
}

/// Where uploaded files are kept: a folder on disk, S3-compatible object
/// storage (adapters in `portal-blobs`).
///
/// Keys are the portal's ([`BlobKey::generate`]), carrying the tenant as
/// their prefix; `get` and `delete` take the tenant asking, so a key of
/// another tenant finds nothing.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    /// Streams `upload` into storage under `key`, through
    /// [`CheckedUpload`](super::CheckedUpload) under `limits`, and returns
    /// what it kept.
    ///
    /// - MUST read the content as a stream, holding a bounded amount of it
    ///   in memory (a chunk, or one multipart part), never the whole file.
    /// - MUST refuse what `CheckedUpload` refuses (too large, not an
    ///   allowed kind, a name of another kind, empty) and stop reading then.
    /// - MUST keep nothing when it returns an error: no object, no
    ///   temporary file, no pending multipart upload.
    /// - MUST make the blob readable only whole: a `get` during the upload
    ///   finds nothing, never a part.
    async fn put(
        &self,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
    ) -> Result<StoredBlob, BlobError>;

    /// The blob under `key`: what `put` returned and its content, streamed.
    ///
    /// - MUST return `NotFound` when nothing is stored under `key`.
    /// - MUST return `NotFound` when `key`'s prefix is not `tenant`'s,
    ///   whatever is stored under it.
    async fn get(&self, tenant: TenantId, key: &BlobKey) -> Result<Blob, BlobError>;

    /// Removes the blob under `key` and what was kept about it.
    ///
    /// - MUST succeed when nothing is stored under `key` (removing twice
    ///   is not an error).
    /// - MUST remove nothing, and return `NotFound`, when `key`'s prefix is
    ///   not `tenant`'s.
    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError>;
}

/// Stores `upload` for `tenant` under a new key of ours: what a use case
/// calls once it has authorised the upload.
pub async fn store_upload(
    store: &dyn BlobStore,
    tenant: TenantId,
    upload: Upload<'_>,
    limits: &BlobLimits,
) -> Result<StoredBlob, BlobError> {
    store.put(&BlobKey::generate(tenant), upload, limits).await
}
