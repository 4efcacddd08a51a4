//! What requests carry in headers: the session cookie and tokens (hashed
//! to look the session up), the forwarding headers our trusted proxy
//! appends to, the Origin/Referer a state-changing form is checked by, and
//! `next`, where a log-in redirects to. No panic; a proxy's entry is the
//! last; an opaque origin is never ours; a token is hashed as sent less
//! surrounding spaces; a redirect target stays a path inside the mount.
#![no_main]

use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use portal_core::identity::RawToken;
use portal_fuzz::{split, text};
use portal_http_axum::fuzzing::{is_own_origin, proxy_entry, redirect_target, session_cookie};

fuzz_target!(|data: &[u8]| {
    let [cookie, origin, referer, host, forwarded, next, mount] = split(data, 7)[..] else {
        return;
    };

    let mut headers = HeaderMap::new();
    for (name, value) in [
        (header::COOKIE, cookie),
        (header::ORIGIN, origin),
        (header::REFERER, referer),
    ] {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.insert(name, value);
        }
    }
    for secure in [false, true] {
        if let Some(session) = session_cookie(&headers, secure) {
            let token = RawToken::from_client(&session);
            let hash = token.hash();
            assert_eq!(hash.as_str().len(), 64);
            assert!(hash.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(hash.matches(&RawToken::from_client(session.trim()).hash()));
        }
    }
    if let Ok(text) = std::str::from_utf8(cookie)
        // Cookies are visible ASCII (a header with more is not read as
        // text) and percent-decoded (our tokens are hex, never encoded);
        // the rest of cookie syntax is not a value's.
        && text.bytes().all(|b| b.is_ascii_graphic())
        && !text.contains([';', '"', ',', '\\', '%'])
        && !text.is_empty()
        && let Ok(value) = HeaderValue::from_str(&format!("other=1; portal_session={text}"))
    {
        let mut ours = HeaderMap::new();
        ours.insert(header::COOKIE, value);
        assert_eq!(session_cookie(&ours, false).as_deref(), Some(text));
    }

    let host = std::str::from_utf8(host).ok();
    let base = url::Url::parse("https://acme.portal.test/portal/").expect("a URL");
    for secure in [false, true] {
        let ours = is_own_origin(&headers, host, secure, None);
        if headers.get(header::ORIGIN).is_some_and(|o| o == "null") {
            assert_eq!(ours, Some(false), "an opaque origin is never ours");
        }
        if ours == Some(true) && !secure {
            assert!(
                host.is_some(),
                "without a tenant URL, only the Host names us"
            );
        }
        let with_base = is_own_origin(&headers, host, secure, Some(&base));
        assert_eq!(with_base.is_some(), ours.is_some());
        if ours == Some(true) {
            assert_eq!(with_base, Some(true));
        }
    }

    if let Ok(value) = HeaderValue::from_bytes(forwarded)
        && let Ok(text) = value.to_str()
    {
        let last = text.rsplit(',').next().map(str::trim);
        assert_eq!(proxy_entry(&value), last);
    }

    let mount = match mount.first() {
        Some(b'a') => "",
        Some(b'b') => "/portal/acme",
        _ => "/portal",
    };
    let next = text(next);
    if let Some(target) = redirect_target(mount, Some(&next)) {
        // Normalised once is normalised: the target, when taken again, is
        // its own target (it may be refused again: re-encoding can make a
        // long one longer than the limit).
        if let Some(again) = redirect_target(mount, Some(&target)) {
            assert_eq!(again, target);
        }
        // The path decides where the browser goes; the query is data.
        let path = target.split('?').next().unwrap_or_default();
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        assert!(
            !decoded
                .split('/')
                .any(|segment| segment == "." || segment == ".."),
            "{target}"
        );
        assert!(target.starts_with(&format!("{mount}/")), "{target}");
        assert!(!path.contains("//") && !path.contains('\\'), "{target}");
        assert!(target.chars().all(|c| c.is_ascii_graphic()), "{target}");
    }
});
