//! # portal-blobs
//!
//! Adapters of Portal's [`BlobStore`](portal_core::blobs::BlobStore) port,
//! where uploaded files (ticket attachments, documents) are kept:
//!
//! - [`FsBlobStore`]: a folder on disk, the default. Each upload is written
//!   to a hidden temporary file in its final folder and renamed into place
//!   once it passed every check, so a refused or broken upload leaves no
//!   file and a reader never sees half of one.
//! - [`S3BlobStore`] (feature `s3`, on by default): S3-compatible object
//!   storage through the `object_store` crate; large uploads go up as a
//!   multipart upload, part by part, and a refused one is aborted.
//!
//! Both read uploads through
//! [`CheckedUpload`](portal_core::blobs::CheckedUpload), which decides the
//! kind from the first bytes and enforces the size while the bytes stream,
//! and both pass one conformance suite (`tests/it`).

mod fs;
#[cfg(feature = "s3")]
mod s3;

pub use fs::FsBlobStore;
#[cfg(feature = "s3")]
pub use s3::{S3BlobStore, S3Config};

use portal_core::blobs::{BlobError, BlobKey};
use portal_core::shared::TenantId;

/// `NotFound` unless `key` carries `tenant`'s prefix: a key of another
/// tenant finds nothing, whatever is stored under it.
fn check_tenant(tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
    if key.tenant() == tenant {
        Ok(())
    } else {
        Err(BlobError::NotFound)
    }
}
