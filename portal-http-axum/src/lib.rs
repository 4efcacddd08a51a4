//! # portal-http-axum
//!
//! The HTTP face of Portal: an axum [`Router`] with the HTML portal pages
//! and the JSON API under `/api/v1` (OpenAPI document at
//! `/api/v1/openapi.json`). Handlers are thin: they extract, call one use
//! case on the [`Portal`] facade and render; no business rule lives here.
//!
//! Mount it under any prefix of the host's app:
//!
//! ```no_run
//! # async fn wire(portal: portal_core::Portal) {
//! use portal_http_axum::{router, HttpConfig};
//! let app = axum::Router::new().nest("/portal", router(portal, HttpConfig::single_tenant("acme")));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await.unwrap();
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
//! # }
//! ```
//!
//! Every request gets an id, a tracing span and Prometheus metrics (see
//! [`Metrics`] for the scrape route, which the host mounts apart from this
//! router, and the `observability` module for the span's fields and the
//! metric names).
//!
//! Map: [`config`] (resolvers, rate limits), `context` (tenant middleware),
//! `security` (cookies, CSRF, auth extractors), `error` (problem+json),
//! `observability` (request ids, spans, metrics), `pages` (HTML; their
//! routes are declared through `route_table`), `api` (JSON + OpenAPI),
//! `params` (reading input, for both).

mod api;
pub mod config;
mod context;
mod downloads;
mod error;
/// The fuzz targets' entry points (`fuzz/`); not an API.
#[doc(hidden)]
pub mod fuzzing;
pub mod messages;
mod observability;
mod pages;
mod params;
mod pdf;
mod rate_limit;
mod route_table;
mod security;
mod uploads;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

use portal_core::Portal;

pub use api::ApiDoc;
pub use config::{HttpConfig, RateLimit, SingleTenant, TenantByHost, TenantInPath, TenantResolver};
pub use error::{Problem, ProblemType};
pub use observability::{Metrics, MetricsError, RequestId};
/// Quote approval certificates as PDF, for the host's copy (with
/// `portal.host().quote_detail(..)`): the same document customers download.
pub use pdf::{Heading, Paper, certificate as quote_certificate};

use rate_limit::AuthLimiter;
use security::CookieNames;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    portal: Portal,
    config: Arc<HttpConfig>,
    limiter: AuthLimiter,
    cookies: CookieNames,
}

impl AppState {
    fn new(portal: Portal, config: HttpConfig) -> Self {
        Self {
            portal,
            limiter: AuthLimiter::new(config.auth_rate_limit),
            cookies: CookieNames::new(config.secure_cookies),
            config: Arc::new(config),
        }
    }
}

/// Unknown paths: problem+json under the API, a page elsewhere (in the
/// tenant's branding, with the navigation of a logged-in customer, when
/// the address names a tenant).
async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if request.uri().path().contains("/api/") {
        return error::ApiError::not_found().into_response();
    }
    let (mut parts, _) = request.into_parts();
    let context = context::context_of(&state, &mut parts).await.ok();
    let csrf = security::existing_csrf(&state, &parts.headers);
    let t = context
        .as_ref()
        .map_or(messages::api(), context::RequestContext::t);
    pages::error_page(
        &state,
        context.as_ref(),
        &parts.headers,
        csrf.as_ref(),
        pages::ErrorWords {
            status: axum::http::StatusCode::NOT_FOUND,
            heading: t.msg("error-page-not-found"),
            message: t.msg("error-no-page-here"),
        },
    )
    .await
}

/// The portal's router: pages at `/`, the API at `/api/v1`. With
/// [`HttpConfig::tenant_in_path`] everything sits under `/{tenant}`.
pub fn router(portal: Portal, config: HttpConfig) -> Router {
    let state = AppState::new(portal, config);
    let pages = pages::routes()
        .into_router()
        // Innermost: pages' errors become branded pages (or a redirect to
        // log-in) before the outer layers see the response.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::method_not_allowed_page,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::ensure_csrf_cookie,
        ))
        // Outside the cookie layer: a forged post is refused before
        // anything else runs.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::refuse_cross_origin,
        ));
    let inner = Router::new()
        .merge(pages)
        .nest("/api/v1", api::routes())
        // Inside tenant resolution, so a refusal is drawn in the tenant's
        // branding.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            security::refuse_view_as_changes,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            context::resolve_tenant,
        ));
    let inner = if state.config.tenant_in_path {
        Router::new().nest("/{tenant}", inner)
    } else {
        inner
    }
    .fallback(not_found)
    .with_state(state.clone());
    inner
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            // A page with a script of its own sets its policy first
            // (`security::InlineScript`).
            HeaderValue::from_str(&security::content_security_policy("'none'"))
                .unwrap_or_else(|_| HeaderValue::from_static("script-src 'none'")),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        // Outermost, so the span and the timing cover everything above,
        // tenant resolution and refusals included. `Router::layer` runs it
        // per route, after routing, which is what makes the route template
        // (`MatchedPath`) known to it.
        .layer(middleware::from_fn(observability::observe))
}

/// The answer that opens a staff member's "view as customer" session
/// (`portal.host().view_as(..)` with `SessionKind::Cookie`) in their
/// browser: sets it as the portal's session cookie, with a fresh CSRF
/// cookie, and redirects (303) to the portal's dashboard at `portal_path`
/// (where the portal is mounted, `/portal`). The host serves it from its
/// own staff-only route, once it has authenticated the staff member; the
/// portal then shows the account as its primary contact sees it, with a
/// banner, and refuses every change with 403.
///
/// ```no_run
/// # async fn staff_route(portal: portal_core::Portal, tenant: portal_core::shared::TenantId,
/// #     account: portal_core::shared::AccountId) -> axum::response::Response {
/// use portal_core::access::ClientInfo;
/// use portal_core::identity::SessionKind;
/// use portal_http_axum::{HttpConfig, view_as_response};
///
/// let config = HttpConfig::single_tenant("acme");
/// let view = portal
///     .host()
///     .view_as(tenant, account, "kim@host.example", SessionKind::Cookie, &ClientInfo::default())
///     .await
///     .expect("the account has a primary contact");
/// view_as_response(&config, &view, "/portal")
/// # }
/// ```
pub fn view_as_response(
    config: &HttpConfig,
    view: &portal_core::identity::NewViewAs,
    portal_path: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let cookies = security::CookieNames::new(config.secure_cookies);
    let jar = axum_extra::extract::cookie::CookieJar::new()
        .add(cookies.build(cookies.session, view.token.expose().to_owned()))
        .add(cookies.build(cookies.csrf, security::new_csrf_token()));
    let target = format!("{}/dashboard", portal_path.trim_end_matches('/'));
    (jar, axum::response::Redirect::to(&target)).into_response()
}

/// The page routes' methods and paths, relative to the router's mount
/// point and before any `/{tenant}` prefix (`(POST, "/billing/methods/{id}/remove")`),
/// from the same declarations that build the router. For tests that must
/// cover every form route; not part of the API.
#[doc(hidden)]
pub fn page_routes() -> Vec<(Method, &'static str)> {
    pages::routes().into_table()
}
