//! Entry points for the fuzz targets in `fuzz/`: the crate's own readers
//! of client input, unchanged, so the fuzzers drive exactly the code a
//! request runs. Hidden and not an API (as `page_routes` is for tests).
//! Always compiled rather than behind a feature, so the workspace and
//! the fuzz build do not keep two builds of this crate.

use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::cookie::CookieJar;
use url::Url;

pub use crate::params::*;
use crate::{HttpConfig, context, pages, security};

/// Where a log-in or an account switch redirects for `next`, with the
/// portal mounted at `base` (`None`: to the portal's start page).
pub fn redirect_target(base: &str, next: Option<&str>) -> Option<String> {
    pages::redirect::local_target(base, next?)
}

/// The entry of a forwarding header our one trusted proxy appended.
pub fn proxy_entry(value: &HeaderValue) -> Option<&str> {
    context::proxy_entry(value)
}

/// Whether a state-changing page request with these headers passes the
/// Origin/Referer check, for a request made to `host` (`secure_cookies`
/// as configured; the tenant's base URL when it has one).
pub fn is_own_origin(
    headers: &HeaderMap,
    host: Option<&str>,
    secure_cookies: bool,
    tenant_base: Option<&Url>,
) -> Option<bool> {
    let claimed = security::claimed_origin(headers)?;
    let config = HttpConfig {
        secure_cookies,
        ..HttpConfig::single_tenant("fuzz")
    };
    Some(security::is_own_origin(
        &claimed,
        host,
        &config,
        tenant_base,
    ))
}

/// The session cookie's value in a request's `Cookie` headers, as the page
/// extractor reads it (`secure`: the `__Host-` name).
pub fn session_cookie(headers: &HeaderMap, secure: bool) -> Option<String> {
    let names = security::CookieNames::new(secure);
    CookieJar::from_headers(headers)
        .get(names.session)
        .map(|cookie| cookie.value().to_owned())
}
