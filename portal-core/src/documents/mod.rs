//! Documents: files the host publishes for customers to download, either
//! for one account (its contract, a report) or for the whole tenant (an
//! installer, a guide). The downloads page lists the account's and the
//! tenant-wide ones together, newest first.
//!
//! The host publishes by its own id ([`ExternalId`](crate::shared::ExternalId)):
//! publishing the same id again replaces the title, the description and
//! the file (the document keeps its id, so links stay good), and the file
//! it replaced is removed from the [`BlobStore`](crate::blobs::BlobStore)
//! once the new one is committed. Files are checked while they stream, as
//! ticket attachments are ([`BlobLimits::documents`](crate::blobs::BlobLimits::documents)).

mod document;
mod ports;
mod service;

pub use document::{
    DESCRIPTION_CHARS, Document, DocumentDraft, FOLDER_CHARS, Published, TITLE_CHARS,
};
pub use ports::DocumentStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockDocumentStore;
pub use service::DocumentsService;
