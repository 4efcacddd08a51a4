//! What every request carries once it is through the tenant middleware: the
//! tenant, the path the portal is mounted at (so links work under any
//! prefix), the client's address and the languages its browser asks for.

use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use portal_core::AuthContext;
use portal_core::access::ClientInfo;
use portal_core::identity::LoginClient;
use portal_core::tenancy::Tenant;
use portal_i18n::{AcceptLanguage, Language, Messages, negotiate};

use crate::AppState;
use crate::error::ApiError;

/// The request's tenant and where the portal is mounted.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The tenant.
    pub tenant: Arc<Tenant>,
    /// The mount path without a trailing slash (`/portal/acme`), "" at root.
    pub base: String,
    /// The client's address (for rate limits).
    pub client: IpAddr,
    /// The languages the browser asks for (`Accept-Language`), best first.
    pub browser: AcceptLanguage,
    /// The client's `User-Agent` (for the audit log and the security page),
    /// cut to `portal_core::audit::MAX_USER_AGENT` bytes at most.
    pub user_agent: Option<String>,
    /// When a refused client may try again, once a rate limit refused it;
    /// shared by the context's clones, read back by [`resolve_tenant`].
    throttled: Arc<OnceLock<Duration>>,
    /// The logged-in contact's language, once a session extractor read it;
    /// shared by the context's clones.
    chosen: Arc<OnceLock<Language>>,
}

impl RequestContext {
    /// The catalog in the language to answer in: the logged-in contact's
    /// choice (noted by the session extractors, so none on pages nobody is
    /// logged in to), else the best the browser asks for, else the
    /// tenant's default.
    pub fn t(&self) -> Messages {
        Messages::new(negotiate(
            self.chosen.get().copied(),
            &self.browser,
            self.tenant.settings.language,
        ))
    }

    /// What the audit log keeps of the client.
    pub fn client_info(&self) -> ClientInfo {
        ClientInfo {
            address: Some(self.client),
            user_agent: self.user_agent.clone(),
        }
    }

    /// The client of a log-in or password attempt, with the device token
    /// it presented.
    pub fn login_client(&self, device: Option<String>) -> LoginClient {
        LoginClient {
            address: self.client,
            device,
            user_agent: self.user_agent.clone(),
        }
    }

    /// Notes the logged-in contact's choice of language, if they made one;
    /// [`RequestContext::t`] follows it from then on, in the handler and in
    /// the error page after it.
    pub fn choose_language(&self, auth: &AuthContext) {
        if let Some(language) = auth.contact.language {
            let _ = self.chosen.set(language);
        }
    }

    /// Notes that a rate limit refused this request and how long the
    /// client has to wait: the answer gets `Retry-After`.
    pub fn retry_after(&self, wait: Duration) {
        let _ = self.throttled.set(wait);
    }
}

/// `Retry-After` for a 429 after `wait`: whole seconds, rounded up, at
/// least one. A 429 whose cause noted no wait says a minute.
fn retry_after_value(wait: Option<Duration>) -> HeaderValue {
    let seconds = wait.map_or(60, |wait| {
        wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
    });
    HeaderValue::from(seconds.max(1))
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .ok_or(ApiError::not_found())
    }
}

/// The request's tenant and mount path, or the error to answer with (the
/// tenant unknown, or not resolved).
pub(crate) async fn context_of(
    state: &AppState,
    parts: &mut Parts,
) -> Result<RequestContext, ApiError> {
    let slug = state
        .config
        .resolver
        .resolve(parts)
        .await
        .ok_or_else(ApiError::not_found)?;
    let tenant = state.portal.tenant_by_slug(&slug).await?;
    // The request's span (see `observability`) declared the field empty.
    tracing::Span::current().record("tenant", tracing::field::display(&slug));
    let inner_path = parts.uri.path().to_owned();
    let original = parts
        .extensions
        .get::<OriginalUri>()
        .map(|uri| uri.0.path().to_owned())
        .unwrap_or_else(|| inner_path.clone());
    let browser = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(AcceptLanguage::parse)
        .unwrap_or_default();
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .filter(|agent| !agent.is_empty())
        .map(|agent| {
            let mut end = agent.len().min(portal_core::audit::MAX_USER_AGENT);
            while !agent.is_char_boundary(end) {
                end -= 1;
            }
            agent[..end].to_owned()
        });
    Ok(RequestContext {
        tenant,
        base: mount_base(&original, &inner_path),
        client: client_address(parts, state.config.trust_forwarded_for),
        browser,
        user_agent,
        throttled: Arc::new(OnceLock::new()),
        chosen: Arc::new(OnceLock::new()),
    })
}

/// Resolves the tenant (404 when unknown) and records the mount path.
pub async fn resolve_tenant(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let context = match context_of(&state, &mut parts).await {
        Ok(context) => context,
        Err(error) => return error.into_response(),
    };
    let throttled = context.throttled.clone();
    parts.extensions.insert(context);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    // Every 429, page or problem, says when to come back (RFC 6585 §4).
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        let value = retry_after_value(throttled.get().copied());
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(value);
    }
    response
}

/// The part of `original` before the router's own path: the mount point.
fn mount_base(original: &str, inner: &str) -> String {
    // A router nested at `/portal` sees `/portal` itself as `/`.
    let base = match original.strip_suffix(inner) {
        Some(base) => base,
        None if inner == "/" => original,
        None => "",
    };
    base.trim_end_matches('/').to_owned()
}

/// The right-most entry of a comma-separated forwarding header: the one our
/// single trusted proxy appended; entries to its left are whatever the
/// client chose to send.
pub(crate) fn proxy_entry(value: &axum::http::HeaderValue) -> Option<&str> {
    value
        .to_str()
        .ok()
        .and_then(|value| value.rsplit(',').next())
        .map(str::trim)
}

fn client_address(parts: &Parts, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(proxy_entry)
            .and_then(|last| last.parse().ok())
    {
        return ip;
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or_else(|| {
            warn_once_without_connect_info();
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        })
}

/// Without the peer address every client shares one rate-limit bucket; say
/// so once instead of failing quietly.
fn warn_once_without_connect_info() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::error!(
            "no client address: serve the app with into_make_service_with_connect_info::<SocketAddr>() \
             (or set trust_forwarded_for behind a proxy), or all clients share one rate limit"
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mount_base_is_what_precedes_the_routers_path() {
        assert_eq!(mount_base("/portal/login", "/login"), "/portal");
        assert_eq!(mount_base("/portal/acme/", "/"), "/portal/acme");
        assert_eq!(mount_base("/login", "/login"), "");
        assert_eq!(mount_base("/portal", "/"), "/portal");
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(retry_after_value(Some(Duration::from_millis(5_200))), "6");
        assert_eq!(retry_after_value(Some(Duration::from_secs(6))), "6");
        assert_eq!(retry_after_value(Some(Duration::ZERO)), "1");
        assert_eq!(retry_after_value(None), "60");
    }
}
