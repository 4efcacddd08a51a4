//! [`S3BlobStore`]: blobs as objects in an S3-compatible bucket (AWS S3,
//! MinIO, Ceph, R2, ...), through the `object_store` crate.
//!
//! An object's key is the blob key (`<tenant>/<random>`); its name and
//! kind ride along as user metadata (`x-amz-meta-portal-name`, percent-
//! encoded since header values are ASCII, and `x-amz-meta-portal-kind`)
//! and its `Content-Type` is the kind's media type.

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, MultipartUpload, ObjectStore, PutMultipartOptions, PutOptions,
    PutPayload,
};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use portal_core::blobs::{
    Blob, BlobError, BlobKey, BlobLimits, BlobStore, CheckedUpload, FileKind, FileName, StoredBlob,
    Upload,
};
use portal_core::shared::TenantId;
use secrecy::{ExposeSecret, SecretString};

use crate::check_tenant;

/// The size of each part of a multipart upload: S3's smallest (every part
/// but the last must have at least 5 MiB). One part is the most of an
/// upload held in memory; bodies smaller than one part go up in one `PUT`.
pub const PART_BYTES: usize = 5 * 1024 * 1024;

const NAME: &str = "portal-name";
const KIND: &str = "portal-kind";

/// Where the bucket is and how to sign requests to it.
#[derive(Clone, Debug)]
pub struct S3Config {
    /// The bucket's name.
    pub bucket: String,
    /// The region (`us-east-1`; any value for most S3-compatible servers).
    pub region: String,
    /// The server, for S3-compatible storage other than AWS
    /// (`https://minio.internal:9000`); `None` for AWS. Requests then name
    /// the bucket in the path, as such servers expect.
    pub endpoint: Option<String>,
    /// The access key's id.
    pub access_key_id: String,
    /// The access key's secret.
    pub secret_access_key: SecretString,
    /// Allows `http://` endpoints (a server on loopback, tests); keep it
    /// off in production.
    pub allow_http: bool,
}

/// Blobs as objects in an S3-compatible bucket.
#[derive(Clone, Debug)]
pub struct S3BlobStore {
    store: Arc<dyn ObjectStore>,
}

impl S3BlobStore {
    /// A store over the bucket `config` names. Nothing is sent until the
    /// first request.
    pub fn new(config: S3Config) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(config.bucket)
            .with_region(config.region)
            .with_access_key_id(config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose_secret())
            .with_allow_http(config.allow_http);
        if let Some(endpoint) = config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false);
        }
        let store = builder.build().map_err(storage)?;
        Ok(Self::from_object_store(Arc::new(store)))
    }

    /// A store over an `object_store` client the host built itself (its
    /// own credentials provider, retry or client options).
    pub fn from_object_store(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    /// The `object_store` client underneath.
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    async fn upload(
        &self,
        path: &Path,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
        multipart: &mut Pending,
    ) -> Result<StoredBlob, BlobError> {
        let mut checked = CheckedUpload::new(upload, limits);
        let mut part = Part::default();
        while let Some(chunk) = checked.next_chunk().await? {
            part.add(chunk);
            if part.len >= PART_BYTES {
                if multipart.0.is_none() {
                    let options = PutMultipartOptions {
                        attributes: attributes(&checked)?,
                        ..PutMultipartOptions::default()
                    };
                    multipart.0 = Some(
                        self.store
                            .put_multipart_opts(path, options)
                            .await
                            .map_err(storage)?,
                    );
                }
                if let Some(upload) = multipart.0.as_mut() {
                    // Awaited before reading on, so one part at a time is
                    // in memory.
                    upload.put_part(part.take()).await.map_err(storage)?;
                }
            }
        }
        let attributes = attributes(&checked)?;
        let stored = checked.finish(key.clone())?;
        match multipart.0.as_mut() {
            None => {
                let options = PutOptions {
                    attributes,
                    ..PutOptions::default()
                };
                self.store
                    .put_opts(path, part.take(), options)
                    .await
                    .map_err(storage)?;
            }
            Some(upload) => {
                if part.len > 0 {
                    upload.put_part(part.take()).await.map_err(storage)?;
                }
                upload.complete().await.map_err(storage)?;
                multipart.0 = None;
            }
        }
        Ok(stored)
    }
}

/// The object's attributes: its media type, name and kind.
fn attributes(checked: &CheckedUpload<'_>) -> Result<Attributes, BlobError> {
    let kind = checked
        .kind()
        .ok_or_else(|| BlobError::Storage("attributes before the kind was known".to_owned()))?;
    let name = utf8_percent_encode(checked.name().as_str(), NON_ALPHANUMERIC).to_string();
    Ok(Attributes::from_iter([
        (Attribute::ContentType, kind.media_type().to_owned()),
        (Attribute::Metadata(NAME.into()), name),
        (Attribute::Metadata(KIND.into()), kind.code().to_owned()),
    ]))
}

/// The chunks of the part being gathered.
#[derive(Default)]
struct Part {
    chunks: Vec<Bytes>,
    len: usize,
}

impl Part {
    fn add(&mut self, chunk: Bytes) {
        self.len += chunk.len();
        self.chunks.push(chunk);
    }

    fn take(&mut self) -> PutPayload {
        self.len = 0;
        std::mem::take(&mut self.chunks).into_iter().collect()
    }
}

/// A multipart upload not yet completed; aborted when dropped, so a
/// refused, failed or cancelled upload leaves no parts in the bucket.
#[derive(Default)]
struct Pending(Option<Box<dyn MultipartUpload>>);

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(mut upload) = self.0.take() {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        if let Err(error) = upload.abort().await {
                            tracing::error!(%error, "a refused multipart upload was not aborted");
                        }
                    });
                }
                Err(_) => {
                    tracing::error!("a multipart upload was left with no runtime to abort it")
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        key: &BlobKey,
        upload: Upload<'_>,
        limits: &BlobLimits,
    ) -> Result<StoredBlob, BlobError> {
        let path = Path::from(key.to_string());
        let mut multipart = Pending::default();
        let result = self
            .upload(&path, key, upload, limits, &mut multipart)
            .await;
        if result.is_err()
            && let Some(mut upload) = multipart.0.take()
        {
            // Aborted before answering, so the refusal leaves nothing.
            if let Err(error) = upload.abort().await {
                tracing::error!(%error, "a refused multipart upload was not aborted");
            }
        }
        result
    }

    async fn get(&self, tenant: TenantId, key: &BlobKey) -> Result<Blob, BlobError> {
        check_tenant(tenant, key)?;
        let result = self
            .store
            .get(&Path::from(key.to_string()))
            .await
            .map_err(not_found_or_storage)?;
        let metadata = |name: &'static str| {
            result
                .attributes
                .get(&Attribute::Metadata(name.into()))
                .map(|value| value.as_ref().to_owned())
                .ok_or_else(|| BlobError::Storage(format!("object {key} has no {name}")))
        };
        let kind = metadata(KIND)?;
        let kind = FileKind::from_code(&kind)
            .ok_or_else(|| BlobError::Storage(format!("unknown kind {kind:?}")))?;
        let name = metadata(NAME)?;
        let name = percent_decode_str(&name)
            .decode_utf8()
            .map_err(storage)
            .and_then(|name| FileName::parse(&name).map_err(storage))?;
        let size = result.meta.size;
        let content = result.into_stream().map_err(std::io::Error::other);
        Ok(Blob {
            meta: StoredBlob {
                key: key.clone(),
                name,
                kind,
                size,
            },
            content: content.boxed(),
        })
    }

    async fn delete(&self, tenant: TenantId, key: &BlobKey) -> Result<(), BlobError> {
        check_tenant(tenant, key)?;
        match self.store.delete(&Path::from(key.to_string())).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(storage(error)),
        }
    }
}

fn storage(error: impl std::fmt::Display) -> BlobError {
    BlobError::Storage(error.to_string())
}

fn not_found_or_storage(error: object_store::Error) -> BlobError {
    match error {
        object_store::Error::NotFound { .. } => BlobError::NotFound,
        error => storage(error),
    }
}
