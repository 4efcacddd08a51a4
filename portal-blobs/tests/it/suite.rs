//! Each MUST of the `BlobStore` port, named after the rule.

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use portal_core::blobs::{
    BlobError, BlobKey, BlobLimits, ByteStream, FileKind, FileName, Upload, sample, store_upload,
};
use portal_core::shared::{Reason, TenantId};

use crate::harness::{Subject, conformance};

conformance!(
    what_is_put_reads_back_whole_with_its_metadata,
    a_20_mb_body_streams_in_and_out,
    an_oversized_upload_is_refused_and_leaves_nothing,
    content_of_a_kind_not_allowed_is_refused_and_leaves_nothing,
    a_name_of_another_kind_is_refused_and_leaves_nothing,
    a_deleted_blob_is_not_found_and_deleting_again_is_fine,
    a_missing_key_is_not_found,
    another_tenants_key_is_not_found_and_not_deleted,
);

/// `len` bytes of `kind`: its header, then filler (printable for text).
fn content(kind: FileKind, len: usize) -> Vec<u8> {
    let mut bytes = sample(kind);
    bytes.resize(len, b'a');
    bytes
}

/// `bytes` as a stream of 64 KiB chunks, made as they are read, so a
/// test's own copy is the only one.
fn stream_of(bytes: Vec<u8>) -> ByteStream<'static> {
    let bytes = Bytes::from(bytes);
    let chunks = (0..bytes.len().div_ceil(65_536))
        .map(move |at| Ok(bytes.slice(at * 65_536..((at + 1) * 65_536).min(bytes.len()))));
    futures::stream::iter(chunks.collect::<Vec<_>>()).boxed()
}

fn upload(name: &str, bytes: Vec<u8>) -> Upload<'static> {
    Upload {
        name: FileName::parse(name).unwrap(),
        content: stream_of(bytes),
    }
}

async fn read(content: ByteStream<'static>) -> Vec<u8> {
    content
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await
        .unwrap()
}

async fn what_is_put_reads_back_whole_with_its_metadata(subject: Subject) {
    let tenant = TenantId::new();
    let pdf = content(FileKind::Pdf, 100_000);
    let stored = store_upload(
        &*subject.store,
        tenant,
        upload("Résumé 2024.pdf", pdf.clone()),
        &BlobLimits::attachments(),
    )
    .await
    .unwrap();
    assert_eq!(stored.key.tenant(), tenant);
    assert_eq!((stored.kind, stored.size), (FileKind::Pdf, 100_000));
    let blob = subject.store.get(tenant, &stored.key).await.unwrap();
    assert_eq!(blob.meta, stored);
    assert_eq!(blob.meta.name.as_str(), "Résumé 2024.pdf");
    assert_eq!(read(blob.content).await, pdf);
}

async fn a_20_mb_body_streams_in_and_out(subject: Subject) {
    let tenant = TenantId::new();
    let jpeg = content(FileKind::Jpeg, 20_000_000);
    let stored = store_upload(
        &*subject.store,
        tenant,
        upload("photo.jpg", jpeg.clone()),
        &BlobLimits::attachments(),
    )
    .await
    .unwrap();
    assert_eq!(stored.size, 20_000_000);
    let blob = subject.store.get(tenant, &stored.key).await.unwrap();
    let read_back = read(blob.content).await;
    assert!(read_back == jpeg, "the 20 MB read back differs");
}

async fn refused(subject: &Subject, upload: Upload<'static>, limits: &BlobLimits) -> Reason {
    let key = BlobKey::generate(TenantId::new());
    let error = subject.store.put(&key, upload, limits).await.unwrap_err();
    let left = subject.leftovers().await;
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(matches!(
        subject.store.get(key.tenant(), &key).await,
        Err(BlobError::NotFound)
    ));
    match error {
        BlobError::Refused(reason) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn an_oversized_upload_is_refused_and_leaves_nothing(subject: Subject) {
    // Past one multipart part, so the S3 store has started one to abort.
    let limits = BlobLimits {
        max_bytes: 6_000_000,
        allowed: vec![FileKind::Png],
    };
    let reason = refused(
        &subject,
        upload("big.png", content(FileKind::Png, 7_000_000)),
        &limits,
    )
    .await;
    assert_eq!(
        reason,
        Reason::FileTooLarge {
            max_bytes: 6_000_000
        }
    );
}

async fn content_of_a_kind_not_allowed_is_refused_and_leaves_nothing(subject: Subject) {
    let limits = BlobLimits {
        max_bytes: 1_000_000,
        allowed: vec![FileKind::Jpeg, FileKind::Pdf],
    };
    let html = b"<!DOCTYPE html><script>alert(1)</script>".to_vec();
    let reason = refused(&subject, upload("scan.pdf", html), &limits).await;
    assert_eq!(
        reason,
        Reason::FileType {
            allowed: "JPEG, PDF".into()
        }
    );
}

async fn a_name_of_another_kind_is_refused_and_leaves_nothing(subject: Subject) {
    let reason = refused(
        &subject,
        upload("invoice.pdf", content(FileKind::Png, 10_000)),
        &BlobLimits::attachments(),
    )
    .await;
    assert_eq!(
        reason,
        Reason::FileNameMismatch {
            extensions: ".png".into()
        }
    );
}

async fn a_deleted_blob_is_not_found_and_deleting_again_is_fine(subject: Subject) {
    let tenant = TenantId::new();
    let stored = store_upload(
        &*subject.store,
        tenant,
        upload("notes.txt", content(FileKind::Text, 500)),
        &BlobLimits::attachments(),
    )
    .await
    .unwrap();
    subject.store.delete(tenant, &stored.key).await.unwrap();
    assert!(matches!(
        subject.store.get(tenant, &stored.key).await,
        Err(BlobError::NotFound)
    ));
    subject.store.delete(tenant, &stored.key).await.unwrap();
    let left = subject.leftovers().await;
    assert!(left.is_empty(), "left behind: {left:?}");
}

async fn a_missing_key_is_not_found(subject: Subject) {
    let tenant = TenantId::new();
    let key = BlobKey::generate(tenant);
    assert!(matches!(
        subject.store.get(tenant, &key).await,
        Err(BlobError::NotFound)
    ));
}

async fn another_tenants_key_is_not_found_and_not_deleted(subject: Subject) {
    let (owner, other) = (TenantId::new(), TenantId::new());
    let stored = store_upload(
        &*subject.store,
        owner,
        upload("photo.png", content(FileKind::Png, 1_000)),
        &BlobLimits::attachments(),
    )
    .await
    .unwrap();
    assert!(matches!(
        subject.store.get(other, &stored.key).await,
        Err(BlobError::NotFound)
    ));
    // The same random part under the other tenant's prefix finds nothing.
    let guessed = BlobKey::parse(&format!("{other}/{}", stored.key.random_part())).unwrap();
    assert!(matches!(
        subject.store.get(other, &guessed).await,
        Err(BlobError::NotFound)
    ));
    assert!(matches!(
        subject.store.delete(other, &stored.key).await,
        Err(BlobError::NotFound)
    ));
    assert!(subject.store.get(owner, &stored.key).await.is_ok());
}
