//! Files a customer attaches to what they write (a ticket's message, a
//! service request): stored first, while the upload streams, then kept
//! as the record's [`Attachment`]s when the record is written, or removed
//! when it is not.

use serde::Serialize;

use super::{BlobKey, FileKind, FileName, StoredBlob, Upload, store_upload};
use crate::error::PortalError;
use crate::shared::{AttachmentId, Reason, TenantId};
use crate::tenancy::Tenant;

/// A file attached to a record (a ticket's message, a service request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// Our id (downloads are by it).
    pub id: AttachmentId,
    /// Where its content is kept (never shown).
    #[serde(skip)]
    pub key: BlobKey,
    /// The uploader's name for it, cleaned.
    pub name: FileName,
    /// Its kind, from its content.
    pub kind: FileKind,
    /// Its size in bytes.
    pub size: u64,
}

/// A file stored for a record not written yet. Only the use cases that
/// take files make one (`TicketsService::attach`,
/// `RequestsService::attach`), after checking it against the tenant's
/// limits, so a record can only carry files the portal checked and
/// stored for this tenant; give it to the use case that writes the
/// record, or to its `discard` when the request fails before.
#[derive(Debug, PartialEq, Eq)]
pub struct StagedFile(pub(crate) StoredBlob);

impl StagedFile {
    /// What was stored.
    pub fn stored(&self) -> &StoredBlob {
        &self.0
    }
}

impl crate::Portal {
    /// Stores `upload` for a record of `tenant`, held to the tenant's
    /// attachment limits (`PortalSettings::tickets`: how large, which
    /// kinds) while it streams; refused at `file` when the tenant takes no
    /// attachments. The caller has authorised the upload.
    pub(crate) async fn stage_attachment(
        &self,
        tenant: &Tenant,
        upload: Upload<'_>,
    ) -> Result<StagedFile, PortalError> {
        let policy = &tenant.settings.tickets;
        if policy.max_attachments == 0 {
            return Err(PortalError::invalid(
                "file",
                Reason::Count { min: 0, max: 0 },
            ));
        }
        let blobs = self.blob_store()?;
        let limits = policy.attachment_limits();
        Ok(StagedFile(
            store_upload(blobs, tenant.id, upload, &limits).await?,
        ))
    }

    /// Removes staged files whose record will not be written. Failures are
    /// logged, not returned: the caller is already answering with the
    /// first error.
    pub(crate) async fn discard_staged(&self, tenant: TenantId, files: Vec<StagedFile>) {
        if files.is_empty() {
            return;
        }
        let Ok(blobs) = self.blob_store() else {
            return;
        };
        for StagedFile(file) in files {
            if let Err(error) = blobs.delete(tenant, &file.key).await {
                tracing::warn!(%error, key = %file.key, "a staged attachment could not be removed");
            }
        }
    }

    /// Removes the staged `files` when `outcome` failed; passes it on.
    pub(crate) async fn settle_staged<T>(
        &self,
        tenant: TenantId,
        outcome: Result<T, PortalError>,
        files: Vec<StagedFile>,
    ) -> Result<T, PortalError> {
        if outcome.is_err() {
            self.discard_staged(tenant, files).await;
        }
        outcome
    }
}

/// At most `max` files (refused at `file`), each stored for `tenant`.
pub(crate) fn check_staged(
    tenant: TenantId,
    files: &[StagedFile],
    max: u8,
) -> Result<(), PortalError> {
    let max = usize::from(max);
    if files.len() > max {
        return Err(PortalError::invalid("file", Reason::Count { min: 0, max }));
    }
    if files.iter().any(|file| file.0.key.tenant() != tenant) {
        return Err(PortalError::NotFound);
    }
    Ok(())
}

/// The staged files as the attachments of the record being written, each
/// with a new id.
pub(crate) fn attachments_of(files: &[StagedFile]) -> Vec<Attachment> {
    files
        .iter()
        .map(|StagedFile(file)| Attachment {
            id: AttachmentId::new(),
            key: file.key.clone(),
            name: file.name.clone(),
            kind: file.kind,
            size: file.size,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod testing {
    use super::{BlobKey, FileKind, StoredBlob, TenantId, Upload};
    use crate::blobs::{Blob, BlobError, BlobLimits, BlobStore};

    /// A blob store for tests that keeps nothing and remembers what it was
    /// asked to read and to remove.
    #[derive(Default)]
    pub(crate) struct RecordingBlobs {
        pub(crate) read: std::sync::Mutex<Vec<BlobKey>>,
        pub(crate) deleted: std::sync::Mutex<Vec<BlobKey>>,
    }

    #[async_trait::async_trait]
    impl BlobStore for RecordingBlobs {
        async fn put(
            &self,
            key: &BlobKey,
            upload: Upload<'_>,
            _limits: &BlobLimits,
        ) -> Result<StoredBlob, BlobError> {
            Ok(StoredBlob {
                key: key.clone(),
                name: upload.name,
                kind: FileKind::Text,
                size: 1,
            })
        }

        async fn get(&self, _tenant: TenantId, key: &BlobKey) -> Result<Blob, BlobError> {
            self.read.lock().unwrap().push(key.clone());
            Err(BlobError::NotFound)
        }

        async fn delete(&self, _tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
            self.deleted.lock().unwrap().push(key.clone());
            Ok(())
        }
    }
}
