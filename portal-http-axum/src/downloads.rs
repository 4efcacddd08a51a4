//! Files served for download (ticket attachments, PDFs), all with the same
//! safe headers: always `Content-Disposition: attachment` (a browser saves
//! the file rather than showing it in the portal's origin), the media type
//! the portal decided from the content when it was stored, `nosniff`, a
//! sandboxing CSP should it be opened anyway, and no caching.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use portal_core::blobs::Blob;

/// What RFC 8187 lets stand unencoded besides letters and digits
/// (`attr-char`); everything else is percent-encoded.
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition` for a download named `name`: an ASCII fallback
/// (anything else becomes `_`) and the UTF-8 name percent-encoded
/// (RFC 6266, RFC 8187).
pub fn disposition(name: &str) -> HeaderValue {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(name, NOT_ATTR_CHAR);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The headers every download carries besides its type and name.
fn safe_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}

/// A stored file, streamed from the blob store as a download.
pub fn blob(blob: Blob) -> Response {
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(blob.meta.kind.media_type()),
            ),
            (
                header::CONTENT_DISPOSITION,
                disposition(blob.meta.name.as_str()),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(blob.meta.size)),
        ],
        Body::from_stream(blob.content),
    )
        .into_response();
    safe_headers(&mut response);
    response
}

/// A PDF the portal made, as a download named `name`.pdf.
pub fn pdf(bytes: Vec<u8>, name: &str) -> Response {
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                disposition(&format!("{name}.pdf")),
            ),
        ],
        bytes,
    )
        .into_response();
    safe_headers(&mut response);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_quoted_safely_and_kept_whole_in_utf8() {
        let value = disposition("Año \"2026\";\r\n.pdf");
        let text = value.to_str().unwrap();
        assert_eq!(
            text,
            "attachment; filename=\"A_o _2026____.pdf\"; filename*=UTF-8''A%C3%B1o%20%222026%22%3B%0D%0A.pdf"
        );
    }
}
