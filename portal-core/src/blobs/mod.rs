//! Files customers upload and download (ticket and request attachments,
//! documents): the [`BlobStore`] port, the rules every adapter shares, and
//! files staged for a record not written yet ([`StagedFile`]).
//!
//! - Keys are ours ([`BlobKey`]): a tenant prefix and 128 random bits,
//!   never anything from the client, so no file name can choose where a
//!   file lands or guess another's.
//! - The customer's file name is metadata only ([`FileName`]), cleaned for
//!   the download's `Content-Disposition`.
//! - Uploads stream: an adapter reads the content through [`CheckedUpload`],
//!   which decides the file's kind from its first bytes ([`FileKind`],
//!   against the caller's allow-list) and stops at the size limit
//!   ([`BlobLimits`]), so nothing oversized or of the wrong kind is kept and
//!   no upload is held whole in memory.
//!
//! The adapters (a folder on disk, S3-compatible object storage) live in
//! the `portal-blobs` crate and pass one conformance suite.

mod check;
mod key;
mod kind;
mod ports;
mod staged;

pub use check::{CheckedUpload, SNIFF_BYTES};
pub use key::{BlobKey, FILE_NAME_MAX_CHARS, FileName};
#[cfg(any(test, feature = "testing"))]
pub use kind::sample;
pub use kind::{BlobLimits, FileKind};
pub use ports::{Blob, BlobError, BlobStore, ByteStream, StoredBlob, Upload, store_upload};
#[cfg(test)]
pub(crate) use staged::testing::RecordingBlobs;
pub use staged::{Attachment, StagedFile};
pub(crate) use staged::{attachments_of, check_staged};
