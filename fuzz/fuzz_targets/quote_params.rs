//! What a quote's pages and API read: the list's query string (status,
//! page), the digest an approval quotes, the optional lines it ticks, and
//! the typed text the core checks (`ApproveQuote::checked`,
//! `checked_reason`). No panic; a page reads whatever the API reads; an
//! accepted digest is 64 lower-case hex digits; an accepted line position
//! prints back to the text it came from; a checked name is trimmed, one
//! line and not blank.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::quotes::{ApproveQuote, checked_reason};
use portal_core::shared::{PageRequest, QuoteId};
use portal_fuzz::{split, text};
use portal_http_axum::fuzzing::{QuoteFilterText, Source, content_sha256, optional_lines};

fuzz_target!(|data: &[u8]| {
    let [query, digest, lines, name, comment, po] = split(data, 6)[..] else {
        return;
    };
    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(query) {
        let value = |wanted: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key == wanted)
                .map(|(_, value)| value.as_str())
        };
        let filter = QuoteFilterText {
            status: value("status"),
            page: value("page"),
            per_page: value("per_page"),
        };
        let api = filter.parse(Source::Api);
        let page = filter.parse(Source::Page);
        if let Ok(query) = &api {
            assert_eq!(page.as_ref(), Ok(query), "a page reads what the API reads");
        }
        if let Ok(query) = page {
            assert!(query.page.page() >= 1);
            assert!((1..=PageRequest::MAX_PER_PAGE).contains(&query.page.per_page()));
        }
    }
    let digest = String::from_utf8_lossy(digest);
    if let Ok(read) = content_sha256(&digest) {
        assert_eq!(read, digest);
        assert!(
            read.len() == 64
                && read
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
    let lines = String::from_utf8_lossy(lines);
    let texts: Vec<&str> = lines.split(',').collect();
    if let Ok(positions) = optional_lines(texts.iter().copied()) {
        let printed: Vec<String> = positions.iter().map(u32::to_string).collect();
        let trimmed: Vec<String> = texts
            .iter()
            .map(|text| text.trim_start_matches('0'))
            .map(|text| {
                if text.is_empty() {
                    "0".to_owned()
                } else {
                    text.to_owned()
                }
            })
            .collect();
        assert_eq!(printed, trimmed, "a position prints back to its text");
    }
    let request = ApproveQuote {
        quote: QuoteId::new(),
        signer_name: text(name),
        comment: Some(text(comment)),
        po_number: Some(text(po)),
        optional_lines: Vec::new(),
        shown_sha256: digest.into_owned(),
    };
    if let Ok(checked) = request.checked() {
        assert!(!checked.signer_name.is_empty());
        assert_eq!(checked.signer_name, checked.signer_name.trim());
        assert!(!checked.signer_name.chars().any(char::is_control));
    }
    if let Ok(reason) = checked_reason(&text(comment)) {
        assert!(!reason.is_empty() && reason == reason.trim());
    }
});
