//! One store under test per test: a fresh temporary folder, or a fresh
//! bucket on the S3 server, and a way to see everything left in it.

use std::sync::Arc;

use futures::TryStreamExt;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use portal_blobs::{FsBlobStore, S3BlobStore, S3Config};
use portal_core::blobs::BlobStore;

/// A store under test and what backs it.
pub struct Subject {
    pub store: Arc<dyn BlobStore>,
    backing: Backing,
}

enum Backing {
    Folder(tempfile::TempDir),
    Bucket {
        url: String,
        bucket: String,
        store: S3BlobStore,
    },
}

impl Subject {
    pub async fn folder() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path().join("blobs")).await.unwrap();
        Self {
            store: Arc::new(store),
            backing: Backing::Folder(dir),
        }
    }

    pub async fn bucket() -> Self {
        let url = std::env::var("PORTAL_TEST_S3_URL").expect(
            "PORTAL_TEST_S3_URL must name an S3-compatible server (scripts/test.sh starts one)",
        );
        let bucket = format!("portal-{}", uuid_hex());
        let (status, _) = request("PUT", &format!("{url}/{bucket}")).await;
        assert!(status.is_success(), "creating bucket {bucket}: {status}");
        let store = S3BlobStore::new(S3Config {
            bucket: bucket.clone(),
            region: "us-east-1".into(),
            endpoint: Some(url.clone()),
            access_key_id: "testing".into(),
            secret_access_key: "testing".to_owned().into(),
            allow_http: true,
        })
        .unwrap();
        Self {
            store: Arc::new(store.clone()),
            backing: Backing::Bucket { url, bucket, store },
        }
    }

    /// Every file or object left, and every multipart upload still open.
    pub async fn leftovers(&self) -> Vec<String> {
        match &self.backing {
            Backing::Folder(dir) => {
                let mut found = Vec::new();
                let mut folders = vec![dir.path().to_owned()];
                while let Some(folder) = folders.pop() {
                    for entry in std::fs::read_dir(folder).unwrap() {
                        let path = entry.unwrap().path();
                        if path.is_dir() {
                            folders.push(path);
                        } else {
                            found.push(path.display().to_string());
                        }
                    }
                }
                found
            }
            Backing::Bucket { url, bucket, store } => {
                let mut found: Vec<String> = store
                    .object_store()
                    .list(None)
                    .map_ok(|meta| meta.location.to_string())
                    .try_collect()
                    .await
                    .unwrap();
                let (_, listing) = request("GET", &format!("{url}/{bucket}?uploads")).await;
                if listing.contains("<UploadId>") {
                    found.push(format!("open multipart uploads: {listing}"));
                }
                found
            }
        }
    }
}

fn uuid_hex() -> String {
    portal_core::blobs::BlobKey::generate(portal_core::shared::TenantId::new())
        .random_part()
        .to_owned()
}

/// An unsigned request to the test server (moto does not check signatures).
async fn request(method: &str, url: &str) -> (hyper::StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Instantiates each listed test once per store.
macro_rules! conformance {
    ($($test:ident),+ $(,)?) => {
        mod folder {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(crate::harness::Subject::folder().await).await;
                }
            )+
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(crate::harness::Subject::bucket().await).await;
                }
            )+
        }
    };
}
pub(crate) use conformance;
