//! The checks every upload passes on its way into a store, applied while
//! it streams: its kind from the first bytes, its size as it arrives.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;

use super::{BlobError, BlobKey, BlobLimits, ByteStream, FileKind, FileName, StoredBlob, Upload};
use crate::shared::Reason;

/// How many first bytes decide a file's kind. Enough for every signature
/// we know (HEIC's brand sits at bytes 8 to 12) and a fair look at text.
pub const SNIFF_BYTES: usize = 4096;

/// An upload being read under its limits. A store's `put` takes the bytes
/// to keep from [`next_chunk`](Self::next_chunk) until it returns `None`,
/// then asks [`finish`](Self::finish) for what it stored; on an error it
/// throws away what it wrote.
///
/// The first chunk is held back until [`SNIFF_BYTES`] have arrived (or the
/// content ended) and the kind is known; later chunks pass as they come,
/// counted, so memory stays at one chunk whatever the file's size.
pub struct CheckedUpload<'a> {
    content: ByteStream<'a>,
    name: FileName,
    limits: BlobLimits,
    received: u64,
    kind: Option<FileKind>,
}

impl<'a> CheckedUpload<'a> {
    /// Starts reading `upload` under `limits`.
    pub fn new(upload: Upload<'a>, limits: &BlobLimits) -> Self {
        Self {
            content: upload.content,
            name: upload.name,
            limits: limits.clone(),
            received: 0,
            kind: None,
        }
    }

    /// The next bytes to keep, or `None` at the end of the content.
    ///
    /// Errors: `Refused(Required)` for empty content,
    /// `Refused(FileType { .. })` for content of a kind not allowed,
    /// `Refused(FileNameMismatch { .. })` for a name whose extension
    /// belongs to another kind, `Refused(FileTooLarge { .. })` as soon as
    /// the content passes the limit, `Upload` when reading it failed.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, BlobError> {
        if self.kind.is_none() {
            return self.head().await.map(Some);
        }
        match self.content.next().await {
            None => Ok(None),
            Some(Err(error)) => Err(BlobError::Upload(error)),
            Some(Ok(chunk)) => {
                self.count(&chunk)?;
                Ok(Some(chunk))
            }
        }
    }

    /// The content's kind, once the first chunk has been read.
    pub fn kind(&self) -> Option<FileKind> {
        self.kind
    }

    /// The name to keep: the customer's, given its kind's usual extension
    /// if it had none (and the kind is known).
    pub fn name(&self) -> FileName {
        match self.kind {
            Some(kind) if self.name.extension().is_none() => {
                self.name.with_extension(kind.extensions()[0])
            }
            _ => self.name.clone(),
        }
    }

    /// What was stored under `key`, once [`next_chunk`](Self::next_chunk)
    /// has returned `None`.
    pub fn finish(self, key: BlobKey) -> Result<StoredBlob, BlobError> {
        let kind = self.kind.ok_or_else(|| {
            BlobError::Storage("an upload was finished before it was read".to_owned())
        })?;
        Ok(StoredBlob {
            key,
            name: self.name(),
            kind,
            size: self.received,
        })
    }

    /// Reads the first [`SNIFF_BYTES`] (or all, if fewer) and decides the
    /// kind; they are the first chunk to keep.
    async fn head(&mut self) -> Result<Bytes, BlobError> {
        let mut head = BytesMut::new();
        let mut complete = false;
        while head.len() < SNIFF_BYTES {
            match self.content.next().await {
                None => {
                    complete = true;
                    break;
                }
                Some(Err(error)) => return Err(BlobError::Upload(error)),
                Some(Ok(chunk)) => {
                    self.count(&chunk)?;
                    head.extend_from_slice(&chunk);
                }
            }
        }
        if head.is_empty() {
            return Err(BlobError::Refused(Reason::Required));
        }
        let window = &head[..head.len().min(SNIFF_BYTES)];
        let kind = FileKind::sniff(window, complete)
            .filter(|kind| self.limits.allows(*kind))
            .ok_or_else(|| {
                BlobError::Refused(Reason::FileType {
                    allowed: self.limits.allowed_labels(),
                })
            })?;
        if !kind.suits(&self.name) {
            return Err(BlobError::Refused(Reason::FileNameMismatch {
                extensions: kind
                    .extensions()
                    .iter()
                    .map(|extension| format!(".{extension}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            }));
        }
        self.kind = Some(kind);
        Ok(head.freeze())
    }

    fn count(&mut self, chunk: &Bytes) -> Result<(), BlobError> {
        self.received += chunk.len() as u64;
        if self.received > self.limits.max_bytes {
            return Err(BlobError::Refused(Reason::FileTooLarge {
                max_bytes: self.limits.max_bytes,
            }));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blobs::sample;
    use crate::shared::TenantId;
    use std::io;

    fn upload(name: &str, chunks: Vec<io::Result<Vec<u8>>>) -> Upload<'static> {
        Upload {
            name: FileName::parse(name).unwrap(),
            content: Box::pin(futures::stream::iter(
                chunks.into_iter().map(|chunk| chunk.map(Bytes::from)),
            )),
        }
    }

    async fn read_all(
        upload: Upload<'_>,
        limits: &BlobLimits,
    ) -> Result<(Vec<u8>, StoredBlob), BlobError> {
        let mut checked = CheckedUpload::new(upload, limits);
        let mut kept = Vec::new();
        while let Some(chunk) = checked.next_chunk().await? {
            kept.extend_from_slice(&chunk);
        }
        let key = BlobKey::generate(TenantId::new());
        Ok((kept, checked.finish(key)?))
    }

    #[tokio::test]
    async fn content_passes_whole_in_order_with_its_kind_and_size() {
        let mut pdf = sample(FileKind::Pdf);
        pdf.resize(10_000, b'x');
        let chunks = pdf.chunks(777).map(|chunk| Ok(chunk.to_vec())).collect();
        let (kept, stored) = read_all(upload("scan.pdf", chunks), &BlobLimits::attachments())
            .await
            .unwrap();
        assert_eq!(kept, pdf);
        assert_eq!((stored.kind, stored.size), (FileKind::Pdf, 10_000));
        assert_eq!(stored.name.as_str(), "scan.pdf");
    }

    #[tokio::test]
    async fn a_name_without_extension_gets_its_kinds() {
        let (_, stored) = read_all(
            upload("photo", vec![Ok(sample(FileKind::Png))]),
            &BlobLimits::attachments(),
        )
        .await
        .unwrap();
        assert_eq!(stored.name.as_str(), "photo.png");
    }

    #[tokio::test]
    async fn the_limit_stops_reading_as_soon_as_it_is_passed() {
        let limits = BlobLimits {
            max_bytes: 5_000,
            allowed: vec![FileKind::Text],
        };
        let mut text = sample(FileKind::Text);
        text.resize(5_000, b'a');
        assert!(
            read_all(upload("a.txt", vec![Ok(text.clone())]), &limits)
                .await
                .is_ok()
        );
        // The stream would fail on its third chunk: the limit stops first.
        let chunks = vec![
            Ok(text.clone()),
            Ok(b"b".to_vec()),
            Err(io::Error::other("never read")),
        ];
        let error = read_all(upload("a.txt", chunks), &limits)
            .await
            .unwrap_err();
        assert!(matches!(
            error,
            BlobError::Refused(Reason::FileTooLarge { max_bytes: 5_000 })
        ));
    }

    #[tokio::test]
    async fn kinds_outside_the_allow_list_are_refused_whatever_the_name() {
        let limits = BlobLimits {
            max_bytes: 1_000,
            allowed: vec![FileKind::Pdf, FileKind::Png],
        };
        for (name, content) in [
            ("photo.jpg", sample(FileKind::Jpeg)),
            ("page.pdf", b"<html><script>alert(1)</script>".to_vec()),
            ("tool.png", b"MZ\x90\0\x03\0\0\0".to_vec()),
        ] {
            let error = read_all(upload(name, vec![Ok(content)]), &limits)
                .await
                .unwrap_err();
            assert!(
                matches!(&error, BlobError::Refused(Reason::FileType { allowed }) if allowed == "PDF, PNG"),
                "{name}: {error:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_name_of_another_kind_is_refused() {
        let error = read_all(
            upload("notes.html", vec![Ok(sample(FileKind::Text))]),
            &BlobLimits::attachments(),
        )
        .await
        .unwrap_err();
        assert!(matches!(
            error,
            BlobError::Refused(Reason::FileNameMismatch { extensions }) if extensions == ".txt, .text, .log"
        ));
    }

    #[tokio::test]
    async fn empty_content_is_required_and_a_broken_stream_is_an_upload_error() {
        let error = read_all(upload("a.txt", vec![]), &BlobLimits::attachments())
            .await
            .unwrap_err();
        assert!(matches!(error, BlobError::Refused(Reason::Required)));
        let error = read_all(
            upload("a.txt", vec![Err(io::Error::other("reset"))]),
            &BlobLimits::attachments(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, BlobError::Upload(_)));
    }
}
