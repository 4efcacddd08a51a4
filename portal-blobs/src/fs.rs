//! [`FsBlobStore`]: blobs as files in a folder, one folder per tenant.
//!
//! Layout under the root: `<tenant>/<random>` (the content) and
//! `<tenant>/<random>.json` (its name, kind and size). Uploads are written
//! to `<tenant>/.<random>.part` and renamed into place, the metadata first,
//! so the content's presence means the blob is whole.

use std::io;
use std::path::{Path, PathBuf};

use bytes::BytesMut;
use futures::StreamExt;
use portal_core::blobs::{
    Blob, BlobError, BlobKey, BlobLimits, BlobStore, CheckedUpload, FileKind, FileName, StoredBlob,
    Upload,
};
use portal_core::shared::TenantId;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

use crate::check_tenant;

/// Bytes read or written at a time: the most of a file held in memory.
const CHUNK_BYTES: usize = 64 * 1024;

/// Blobs kept as files under a root folder.
///
/// ```no_run
/// # async fn wire() -> std::io::Result<()> {
/// let blobs = portal_blobs::FsBlobStore::open("/var/lib/portal/blobs").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FsBlobStore {
    root: PathBuf,
}

/// What is kept beside a blob's content.
#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    name: String,
    kind: String,
    size: u64,
}

impl FsBlobStore {
    /// A store under `root`, created if missing.
    pub async fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        tokio::fs::create_dir_all(&root).await?;
        Ok(Self { root })
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn folder(&self, key: &BlobKey) -> PathBuf {
        self.root
            .join(key.tenant().as_uuid().hyphenated().to_string())
    }

    fn content_path(&self, key: &BlobKey) -> PathBuf {
        self.folder(key).join(key.random_part())
    }

    fn meta_path(&self, key: &BlobKey) -> PathBuf {
        self.folder(key).join(format!("{}.json", key.random_part()))
    }

    async fn write(
        &self,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
        partial: &mut Partial,
    ) -> Result<StoredBlob, BlobError> {
        let folder = self.folder(key);
        let content_part = folder.join(format!(".{}.part", key.random_part()));
        let meta_part = folder.join(format!(".{}.json.part", key.random_part()));
        partial.track(&content_part);
        let file = tokio::fs::File::create_new(&content_part)
            .await
            .map_err(storage)?;
        let mut writer = BufWriter::with_capacity(CHUNK_BYTES, file);
        let mut checked = CheckedUpload::new(upload, limits);
        while let Some(chunk) = checked.next_chunk().await? {
            writer.write_all(&chunk).await.map_err(storage)?;
        }
        writer.flush().await.map_err(storage)?;
        writer.get_ref().sync_all().await.map_err(storage)?;
        let stored = checked.finish(key.clone())?;

        let meta = serde_json::to_vec(&Meta {
            name: stored.name.as_str().to_owned(),
            kind: stored.kind.code().to_owned(),
            size: stored.size,
        })
        .map_err(|error| BlobError::Storage(error.to_string()))?;
        partial.track(&meta_part);
        tokio::fs::write(&meta_part, meta).await.map_err(storage)?;
        partial.track(&self.meta_path(key));
        tokio::fs::rename(&meta_part, self.meta_path(key))
            .await
            .map_err(storage)?;
        tokio::fs::rename(&content_part, self.content_path(key))
            .await
            .map_err(storage)?;
        partial.keep();
        Ok(stored)
    }
}

#[async_trait::async_trait]
impl BlobStore for FsBlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
    ) -> Result<StoredBlob, BlobError> {
        tokio::fs::create_dir_all(self.folder(key))
            .await
            .map_err(storage)?;
        // Dropped on every way out but success, including a cancelled
        // request (the future dropped mid-upload): the partial file goes.
        let mut partial = Partial::default();
        self.write(key, upload, limits, &mut partial).await
    }

    async fn get(&self, tenant: TenantId, key: &BlobKey) -> Result<Blob, BlobError> {
        check_tenant(tenant, key)?;
        let file = tokio::fs::File::open(self.content_path(key))
            .await
            .map_err(not_found_or_storage)?;
        let meta = tokio::fs::read(self.meta_path(key))
            .await
            .map_err(not_found_or_storage)?;
        let meta: Meta =
            serde_json::from_slice(&meta).map_err(|error| BlobError::Storage(error.to_string()))?;
        let kind = FileKind::from_code(&meta.kind)
            .ok_or_else(|| BlobError::Storage(format!("unknown kind {:?}", meta.kind)))?;
        let name =
            FileName::parse(&meta.name).map_err(|error| BlobError::Storage(error.to_string()))?;
        let content = futures::stream::try_unfold(file, |mut file| async move {
            let mut buffer = BytesMut::with_capacity(CHUNK_BYTES);
            match file.read_buf(&mut buffer).await? {
                0 => Ok(None),
                _ => Ok(Some((buffer.freeze(), file))),
            }
        });
        Ok(Blob {
            meta: StoredBlob {
                key: key.clone(),
                name,
                kind,
                size: meta.size,
            },
            content: content.boxed(),
        })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        check_tenant(tenant, key)?;
        // Content first: without it the blob is gone, whatever happens next.
        for path in [self.content_path(key), self.meta_path(key)] {
            match tokio::fs::remove_file(&path).await {
                Err(error) if error.kind() != io::ErrorKind::NotFound => {
                    return Err(storage(error));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Files of an upload in progress, removed when dropped unless kept.
#[derive(Default)]
struct Partial {
    paths: Vec<PathBuf>,
}

impl Partial {
    /// Removes `path` on drop.
    fn track(&mut self, path: &Path) {
        self.paths.push(path.to_owned());
    }

    /// Removes nothing on drop.
    fn keep(&mut self) {
        self.paths.clear();
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        for path in &self.paths {
            // Small and local: removing a file does not stall the executor.
            if let Err(error) = std::fs::remove_file(path)
                && error.kind() != io::ErrorKind::NotFound
            {
                tracing::error!(path = %path.display(), %error, "a partial upload was not removed");
            }
        }
    }
}

fn storage(error: io::Error) -> BlobError {
    BlobError::Storage(error.to_string())
}

fn not_found_or_storage(error: io::Error) -> BlobError {
    if error.kind() == io::ErrorKind::NotFound {
        BlobError::NotFound
    } else {
        storage(error)
    }
}
