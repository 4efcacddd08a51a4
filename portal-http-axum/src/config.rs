//! How a host configures the router: where tenants come from, whether
//! cookies are `Secure`, and the rate limits on the log-in, registration and
//! reset endpoints.

use async_trait::async_trait;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::Arc;

/// Finds which tenant a request is for. The host provides one; the
/// common cases are built in.
#[async_trait]
pub trait TenantResolver: Send + Sync {
    /// The tenant's slug, or `None` when the request names no tenant
    /// (answered with 404).
    async fn resolve(&self, parts: &mut Parts) -> Option<String>;
}

/// Every request is for one tenant (a host with a single business).
#[derive(Clone, Debug)]
pub struct SingleTenant(pub String);

#[async_trait]
impl TenantResolver for SingleTenant {
    async fn resolve(&self, _parts: &mut Parts) -> Option<String> {
        Some(self.0.clone())
    }
}

/// The tenant follows from the `Host` header (`portal.acme.test` -> `acme`).
/// Only hosts in the map are served.
#[derive(Clone, Debug, Default)]
pub struct TenantByHost(pub HashMap<String, String>);

#[async_trait]
impl TenantResolver for TenantByHost {
    async fn resolve(&self, parts: &mut Parts) -> Option<String> {
        let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
        let name = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        self.0.get(&name).cloned()
    }
}

/// The tenant is the first path segment under the mount point
/// (`/portal/acme/login`). Use with [`crate::router`], which then nests the
/// portal under `/{tenant}`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TenantInPath;

#[async_trait]
impl TenantResolver for TenantInPath {
    async fn resolve(&self, parts: &mut Parts) -> Option<String> {
        let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
        params
            .iter()
            .find(|(name, _)| *name == "tenant")
            .map(|(_, value)| value.to_owned())
    }
}

/// A limit of `burst` requests at once, refilled at `per_minute`, per
/// client address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests a minute.
    pub per_minute: u32,
    /// Requests allowed at once.
    pub burst: u32,
}

/// The router's configuration.
#[derive(Clone)]
pub struct HttpConfig {
    /// Finds the tenant of each request.
    pub resolver: Arc<dyn TenantResolver>,
    /// Whether the resolver uses a `{tenant}` path segment.
    pub tenant_in_path: bool,
    /// Send cookies with `Secure` and the `__Host-` prefix. Leave on in
    /// production; browsers accept them on `http://localhost` too.
    pub secure_cookies: bool,
    /// Limit on log-in, registration and reset requests per client address;
    /// `None` switches it off (benchmarks).
    pub auth_rate_limit: Option<RateLimit>,
    /// Behind a single trusted reverse proxy: take the client address from
    /// the last `X-Forwarded-For` entry, and accept form posts from the
    /// origin of the last `X-Forwarded-Host` (the public host, when the
    /// proxy rewrites `Host`). Only behind such a proxy.
    pub trust_forwarded_for: bool,
}

impl HttpConfig {
    /// One tenant, secure cookies, 10 auth requests a minute per address
    /// (burst 10).
    ///
    /// ```
    /// let config = portal_http_axum::HttpConfig::single_tenant("acme");
    /// assert!(config.secure_cookies);
    /// ```
    pub fn single_tenant(slug: &str) -> Self {
        Self::with_resolver(Arc::new(SingleTenant(slug.to_owned())))
    }

    /// Tenants named by the first path segment (`/{tenant}/...`).
    pub fn tenant_in_path() -> Self {
        Self {
            tenant_in_path: true,
            ..Self::with_resolver(Arc::new(TenantInPath))
        }
    }

    /// Any resolver, with the defaults above.
    pub fn with_resolver(resolver: Arc<dyn TenantResolver>) -> Self {
        Self {
            resolver,
            tenant_in_path: false,
            secure_cookies: true,
            auth_rate_limit: Some(RateLimit {
                per_minute: 10,
                burst: 10,
            }),
            trust_forwarded_for: false,
        }
    }
}
