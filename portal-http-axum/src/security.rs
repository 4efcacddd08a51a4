//! Cookies, CSRF and the extractors that turn a request into an
//! authenticated [`AuthContext`].
//!
//! CSRF uses the double-submit pattern with a `__Host-` cookie: every page
//! response carries a random token in a cookie, forms echo it in a hidden
//! field, and a POST is accepted only when both are present and equal
//! (compared in constant time) and `Sec-Fetch-Site`, when the browser sends
//! it, is not cross-site. The `__Host-` prefix means no subdomain can plant
//! the cookie; SameSite=Lax is a second fence, not the only one.
//!
//! In front of every page handler, [`refuse_cross_origin`] is the second
//! line: a state-changing request (anything but GET, HEAD, OPTIONS, TRACE)
//! whose `Origin`, or without one whose `Referer`, names another origin
//! than the portal's own is refused before any extractor runs, whatever its
//! token. It catches what the token cannot: a token leaked to another site,
//! or a handler that forgot [`CsrfForm`]. Requests with neither header
//! (old browsers, privacy proxies) are left to the token, as before.
//! `Origin: null` is refused, which is why no page of ours may send
//! `Referrer-Policy: no-referrer`: browsers send `null` with its forms.

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::RngCore;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;
use url::{Host, Origin, Url};

use portal_core::AuthContext;
use portal_core::identity::{DeviceToken, LoginClient, RawToken, is_view_as_token};

use crate::AppState;
use crate::config::HttpConfig;
use crate::context::RequestContext;
use crate::error::ApiError;

/// The largest form body accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Names of the cookies, which depend on whether they are `Secure`.
#[derive(Clone, Copy, Debug)]
pub struct CookieNames {
    /// The session cookie.
    pub session: &'static str,
    /// The CSRF cookie.
    pub csrf: &'static str,
    /// The device cookie: the browser's device token (see
    /// [`CookieNames::device_cookie`]).
    pub device: &'static str,
    secure: bool,
}

impl CookieNames {
    /// The names for `secure` cookies (`__Host-` prefixed) or plain ones.
    pub fn new(secure: bool) -> Self {
        if secure {
            Self {
                session: "__Host-portal_session",
                csrf: "__Host-portal_csrf",
                device: "__Host-portal_device",
                secure,
            }
        } else {
            Self {
                session: "portal_session",
                csrf: "portal_csrf",
                device: "portal_device",
                secure,
            }
        }
    }

    /// A cookie with the portal's attributes: HttpOnly, SameSite=Lax,
    /// Path=/ and Secure when configured.
    pub fn build(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build((name, value))
            .http_only(true)
            .same_site(SameSite::Lax)
            .path("/")
            .secure(self.secure)
            .build()
    }

    /// The device cookie carrying `token`, set at each log-in: kept for
    /// [`DEVICE_LIFETIME`](portal_core::identity::DEVICE_LIFETIME) (it
    /// outlives sessions and log-outs, as recognising the browser is its
    /// point), and `SameSite=Strict`, as only our own forms (log-in, the
    /// password change) ever need it.
    pub fn device_cookie(&self, token: &DeviceToken) -> Cookie<'static> {
        let mut cookie = self.build(self.device, token.expose().to_owned());
        cookie.set_same_site(SameSite::Strict);
        let lifetime = portal_core::identity::DEVICE_LIFETIME.num_seconds();
        cookie.set_max_age(time::Duration::seconds(lifetime));
        cookie
    }

    /// The client of a log-in, known-facts or password-change form: its
    /// address and the token of its device cookie, if it sent one.
    pub fn page_client(&self, context: &RequestContext, jar: &CookieJar) -> LoginClient {
        context.login_client(jar.get(self.device).map(|cookie| cookie.value().to_owned()))
    }

    /// A cookie that deletes `name`.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut cookie = self.build(name, String::new());
        cookie.make_removal();
        cookie
    }
}

/// The CSRF token for this response's forms.
#[derive(Clone, Debug)]
pub struct Csrf(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Csrf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Csrf>()
            .cloned()
            .ok_or_else(ApiError::internal)
    }
}

/// A new random CSRF token.
pub fn new_csrf_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Page middleware: makes sure the client has a CSRF cookie (setting one
/// when missing) and exposes its value to handlers as [`Csrf`].
pub async fn ensure_csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let names = state.cookies;
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(names.csrf)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| value.len() == 64);
    let token = existing.clone().unwrap_or_else(new_csrf_token);
    request.extensions_mut().insert(Csrf(token.clone()));
    let response = next.run(request).await;
    if existing.is_some() {
        return response;
    }
    (
        CookieJar::new().add(names.build(names.csrf, token)),
        response,
    )
        .into_response()
}

/// The CSRF token the client already holds, if any (its cookie), for
/// pages drawn outside the page routes' layers (the unknown address).
pub(crate) fn existing_csrf(state: &AppState, headers: &HeaderMap) -> Option<Csrf> {
    CookieJar::from_headers(headers)
        .get(state.cookies.csrf)
        .map(|cookie| cookie.value().to_owned())
        .filter(|value| value.len() == 64)
        .map(Csrf)
}

/// The live session the request's cookie names, if any: for error pages,
/// which keep a logged-in customer's navigation. Any failure is no
/// session (the page is then drawn without it).
pub(crate) async fn session_of(
    state: &AppState,
    context: &RequestContext,
    headers: &HeaderMap,
) -> Option<AuthContext> {
    let jar = CookieJar::from_headers(headers);
    let token = RawToken::from_client(jar.get(state.cookies.session)?.value());
    state
        .portal
        .identity()
        .authenticate(&context.tenant, &token)
        .await
        .ok()
}

/// A form body whose CSRF token checked out. Rejects with 403 and reads
/// nothing further otherwise, so a forged POST writes nothing.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// Why a form was refused before its handler ran, and where (the tenant
/// and mount path, for the page saying so).
pub struct FormRejection {
    context: Option<RequestContext>,
    reason: Refusal,
}

/// What was wrong with a form.
enum Refusal {
    /// The CSRF check failed.
    Forbidden,
    /// The body was not a form or too large.
    BadRequest(String),
}

impl FormRejection {
    fn forbidden(context: &Option<RequestContext>) -> Self {
        Self {
            context: context.clone(),
            reason: Refusal::Forbidden,
        }
    }

    fn bad_request(context: &Option<RequestContext>, detail: impl Into<String>) -> Self {
        Self {
            context: context.clone(),
            reason: Refusal::BadRequest(detail.into()),
        }
    }
}

impl IntoResponse for FormRejection {
    fn into_response(self) -> Response {
        let (status, message) = match self.reason {
            Refusal::Forbidden => (
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from this site. Go back, reload the page and try again."
                    .to_owned(),
            ),
            Refusal::BadRequest(detail) => (StatusCode::BAD_REQUEST, detail),
        };
        crate::pages::message_page_for(
            self.context.as_ref(),
            status,
            "The request was refused",
            &message,
        )
    }
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|site| !matches!(site, "same-origin" | "none"))
}

/// Page middleware: refuses a state-changing request that names another
/// origin than the portal's own (see the module docs) with the same 403
/// page a failed CSRF token gets.
pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    let Some(claimed) = claimed_origin(request.headers()) else {
        // Neither header: nothing to compare; the token decides.
        return next.run(request).await;
    };
    let context = request.extensions().get::<RequestContext>().cloned();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        // HTTP/2 carries the host in the request target, not a header.
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|authority| authority.as_str())
        });
    let tenant_base = context.as_ref().map(|context| &context.tenant.base_url);
    // Behind the one trusted proxy, the host the browser asked for is the
    // last `X-Forwarded-Host` (the proxy's own), whatever `Host` it sent.
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| last_forwarded_host(request.headers()))
        .flatten();
    if is_own_origin(&claimed, host, &state.config, tenant_base)
        || forwarded.is_some_and(|host| is_own_origin(&claimed, Some(host), &state.config, None))
    {
        return next.run(request).await;
    }
    // The origin only: a Referer's path and query may hold a token. WARN
    // with the host seen, so a proxy that rewrites it shows in the logs.
    tracing::warn!(
        origin = %claimed.ascii_serialization(),
        host = host.unwrap_or_default(),
        forwarded_host = forwarded.unwrap_or_default(),
        "cross-origin form post refused"
    );
    FormRejection::forbidden(&context).into_response()
}

/// Whether the request carries a staff member's "view as customer"
/// session, in the session cookie or as a bearer token (the token's mark,
/// [`portal_core::identity::is_view_as_token`]: no lookup needed).
fn carries_view_as(state: &AppState, headers: &HeaderMap) -> bool {
    let cookie = CookieJar::from_headers(headers)
        .get(state.cookies.session)
        .is_some_and(|cookie| is_view_as_token(cookie.value()));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(is_view_as_token);
    cookie || bearer
}

/// The routes a "view as" session may still post to: ending itself.
const VIEW_AS_MAY_POST: [&str; 2] = ["/logout", "/api/v1/sessions/current"];

/// Middleware on every route, pages and API: a staff member's "view as
/// customer" session may look at everything and change nothing, so any
/// request that is not a `GET`/`HEAD`/`OPTIONS` (bar signing out) is
/// refused with 403 before its handler runs: problem+json on the API, the
/// branded error page otherwise. Use cases refuse staff too (`authorize`,
/// `AuthContext::writable`); this makes a route added later safe without
/// either (the route-walk test proves it for every route).
pub async fn refuse_view_as_changes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let signing_out = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|path| {
            VIEW_AS_MAY_POST
                .iter()
                .any(|end| path.as_str().ends_with(end))
        });
    if is_safe(request.method()) || signing_out || !carries_view_as(&state, request.headers()) {
        return next.run(request).await;
    }
    let refusal = portal_core::PortalError::Forbidden(portal_core::access::AccessError::ReadOnly);
    if request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|path| path.as_str().contains("/api/v1/"))
    {
        return ApiError::from(refusal).into_response();
    }
    let context = request.extensions().get::<RequestContext>().cloned();
    let csrf = existing_csrf(&state, request.headers());
    let t = context
        .as_ref()
        .map_or(crate::messages::api(), RequestContext::t);
    crate::pages::error_page(
        &state,
        context.as_ref(),
        request.headers(),
        csrf.as_ref(),
        crate::pages::ErrorWords {
            status: StatusCode::FORBIDDEN,
            heading: t.msg("error-page-not-available"),
            message: crate::messages::forbidden(t, portal_core::access::AccessError::ReadOnly),
        },
    )
    .await
}

/// The last `X-Forwarded-Host` entry: the one a single trusted reverse
/// proxy sets (earlier ones may come from the client).
fn last_forwarded_host(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all("x-forwarded-host")
        .iter()
        .next_back()
        .and_then(crate::context::proxy_entry)
}

/// Methods that must not change anything, so need no origin check.
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The origin the request says it comes from: `Origin`, or when absent the
/// origin of `Referer`; `None` when it sends neither. `Origin: null` (sandboxed
/// frames, some redirects, `file:` pages) and anything unreadable is an
/// opaque origin, which equals no other, so it is refused.
pub(crate) fn claimed_origin(headers: &HeaderMap) -> Option<Origin> {
    let value = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))?;
    Some(
        value
            .to_str()
            .ok()
            .and_then(|text| Url::parse(text).ok())
            .map_or_else(Origin::new_opaque, |url| url.origin()),
    )
}

/// Whether `claimed` is the portal's own origin: the tenant's base URL's,
/// or the scheme and `Host` the request was made to. The scheme is https
/// when cookies are `Secure` (production), except on loopback hosts, which
/// browsers treat as secure over plain http too; with plain cookies the
/// scheme is unknown, so either is accepted (an attacker who can serve the
/// same host and port can read plain cookies anyway).
pub(crate) fn is_own_origin(
    claimed: &Origin,
    host: Option<&str>,
    config: &HttpConfig,
    tenant_base: Option<&Url>,
) -> bool {
    let Origin::Tuple(scheme, claimed_host, _) = claimed else {
        return false;
    };
    if tenant_base.is_some_and(|base| base.origin() == *claimed) {
        return true;
    }
    let scheme_fits = match scheme.as_str() {
        "https" => true,
        "http" => !config.secure_cookies || is_loopback(claimed_host),
        _ => false,
    };
    // A Host header is an authority and nothing else; anything that would
    // make the URL below mean something different is not ours.
    let Some(host) = host.filter(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
    }) else {
        return false;
    };
    scheme_fits
        && Url::parse(&format!("{scheme}://{host}/")).is_ok_and(|own| own.origin() == *claimed)
}

fn is_loopback(host: &Host) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = FormRejection;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let context = request.extensions().get::<RequestContext>().cloned();
        if request.method() != Method::POST {
            return Err(FormRejection::bad_request(&context, "expected a POST"));
        }
        let headers = request.headers().clone();
        if is_cross_site(&headers) {
            return Err(FormRejection::forbidden(&context));
        }
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(FormRejection::bad_request(&context, "expected a form"));
        }
        let body = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
            .await
            .map_err(|_| FormRejection::bad_request(&context, "the form is too large"))?;
        let cookie = CookieJar::from_headers(&headers)
            .get(state.cookies.csrf)
            .map(|cookie| cookie.value().to_owned())
            .unwrap_or_default();
        let field: CsrfField =
            serde_urlencoded::from_bytes(&body).map_err(|_| FormRejection::forbidden(&context))?;
        let matches: bool = cookie.as_bytes().ct_eq(field.csrf_token.as_bytes()).into();
        if cookie.is_empty() || !matches {
            return Err(FormRejection::forbidden(&context));
        }
        serde_urlencoded::from_bytes(&body)
            .map(CsrfForm)
            .map_err(|error| {
                FormRejection::bad_request(&context, format!("the form is incomplete: {error}"))
            })
    }
}

/// A multipart form (one that carries files) whose CSRF token was checked
/// before anything else of it was read: the token must be the body's first
/// part, so no file is streamed for a forged form. The rest of the body is
/// left to the handler, part by part.
pub struct CsrfMultipart(pub axum::extract::Multipart);

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = FormRejection;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let context = request.extensions().get::<RequestContext>().cloned();
        if request.method() != Method::POST {
            return Err(FormRejection::bad_request(&context, "expected a POST"));
        }
        if is_cross_site(request.headers()) {
            return Err(FormRejection::forbidden(&context));
        }
        let cookie = CookieJar::from_headers(request.headers())
            .get(state.cookies.csrf)
            .map(|cookie| cookie.value().to_owned())
            .unwrap_or_default();
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|_| FormRejection::bad_request(&context, "expected a form with files"))?;
        let first = multipart
            .next_field()
            .await
            .map_err(|_| FormRejection::bad_request(&context, "the form did not arrive whole"))?
            .ok_or_else(|| FormRejection::forbidden(&context))?;
        if first.name() != Some("csrf_token") || first.file_name().is_some() {
            return Err(FormRejection::forbidden(&context));
        }
        let token = crate::uploads::text_of(first, 256)
            .await
            .ok_or_else(|| FormRejection::forbidden(&context))?;
        let matches: bool = cookie.as_bytes().ct_eq(token.as_bytes()).into();
        if cookie.is_empty() || !matches {
            return Err(FormRejection::forbidden(&context));
        }
        Ok(CsrfMultipart(multipart))
    }
}

/// A form whose CSRF token checked out, sent either way: a plain form
/// ([`CsrfForm`]'s fields) or, when it carries files, `multipart/form-data`
/// ([`CsrfMultipart`], left to the handler to read). A form offers a file
/// input only when files are taken, so one route serves both.
pub enum CsrfFormOrFiles {
    /// A plain form's fields, in order.
    Fields(Vec<(String, String)>),
    /// A multipart form past its token.
    Files(axum::extract::Multipart),
}

impl FromRequest<AppState> for CsrfFormOrFiles {
    type Rejection = FormRejection;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if multipart {
            let CsrfMultipart(parts) = CsrfMultipart::from_request(request, state).await?;
            Ok(Self::Files(parts))
        } else {
            let CsrfForm(fields) = CsrfForm::from_request(request, state).await?;
            Ok(Self::Fields(fields))
        }
    }
}

/// A page request from a logged-in customer; anyone else is sent to the
/// log-in page.
pub struct PageUser(pub AuthContext);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let context = RequestContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        // Back to where the customer was going once logged in.
        let wanted = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let to_login = || crate::pages::to_login(&context.base, wanted);
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(state.cookies.session) else {
            return Err(to_login());
        };
        let token = RawToken::from_client(cookie.value());
        match state
            .portal
            .identity()
            .authenticate(&context.tenant, &token)
            .await
        {
            Ok(auth) => {
                context.choose_language(&auth);
                Ok(PageUser(auth.with_client(context.client_info())))
            }
            Err(portal_core::PortalError::Unauthenticated) => Err(to_login()),
            Err(other) => Err(ApiError::from(other).into_response()),
        }
    }
}

/// An API request with a valid bearer token. Cookies are not accepted on
/// the API, which is why it needs no CSRF protection.
pub struct ApiUser(pub AuthContext);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let context = RequestContext::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(portal_core::PortalError::Unauthenticated)?;
        let auth = state
            .portal
            .identity()
            .authenticate(&context.tenant, &RawToken::from_client(token))
            .await?;
        context.choose_language(&auth);
        Ok(ApiUser(auth.with_client(context.client_info())))
    }
}

/// Refuses the request with 429 when its client is over the auth limit,
/// noting in the request's context when it may try again (the tenant
/// middleware turns that into `Retry-After`, on pages and the API alike).
pub fn check_rate(state: &AppState, context: &RequestContext) -> Result<(), ApiError> {
    state.limiter.check(context.client).map_err(|wait| {
        context.retry_after(wait);
        ApiError::too_many_requests()
    })
}

/// The Content-Security-Policy of every response, with `script_src` as
/// its `script-src` (`'none'` everywhere but pages with a script of our
/// own, which name its hash).
pub fn content_security_policy(script_src: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; \
         script-src {script_src}; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
}

/// A script of our own (from `assets/`), served inline and allowed by its
/// hash alone, so no other script (an injected one included) runs.
pub struct InlineScript {
    /// The script, exactly as the page writes it.
    pub source: &'static str,
    /// The page's Content-Security-Policy, allowing this script only.
    policy: HeaderValue,
}

impl InlineScript {
    fn new(source: &'static str) -> Self {
        use base64::Engine;
        use sha2::{Digest, Sha256};
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(source));
        let policy = content_security_policy(&format!("'sha256-{hash}'"));
        Self {
            source,
            // Base64 and the fixed policy are visible ASCII.
            policy: HeaderValue::from_str(&policy)
                .unwrap_or_else(|_| HeaderValue::from_static("script-src 'none'")),
        }
    }

    /// Sets the policy that lets this script run on `response`.
    pub fn allow_on(&self, response: &mut Response) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, self.policy.clone());
    }
}

/// The pay form's running total (`assets/pay-total.js`), hashed once.
pub static PAY_TOTAL: std::sync::LazyLock<InlineScript> =
    std::sync::LazyLock::new(|| InlineScript::new(include_str!("../assets/pay-total.js")));

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Url::parse(text).unwrap().origin()
    }

    fn config(secure_cookies: bool) -> HttpConfig {
        HttpConfig {
            secure_cookies,
            ..HttpConfig::single_tenant("acme")
        }
    }

    #[test]
    fn the_request_host_under_https_is_our_origin() {
        let secure = config(true);
        let ours = Some("portal.acme.test");
        assert!(is_own_origin(
            &origin("https://portal.acme.test"),
            ours,
            &secure,
            None
        ));
        assert!(is_own_origin(
            &origin("https://portal.acme.test:443"),
            ours,
            &secure,
            None
        ));
        assert!(is_own_origin(
            &origin("https://PORTAL.acme.test"),
            ours,
            &secure,
            None
        ));
        assert!(is_own_origin(
            &origin("https://portal.acme.test:8443"),
            Some("portal.acme.test:8443"),
            &secure,
            None
        ));
    }

    #[test]
    fn another_host_port_or_scheme_is_not_our_origin() {
        let secure = config(true);
        let ours = Some("portal.acme.test");
        for other in [
            "https://evil.example",
            "https://portal.acme.test.evil.example",
            "https://portal.acme.test:8443",
            // Plain http of our own host: someone on the network path.
            "http://portal.acme.test",
        ] {
            assert!(
                !is_own_origin(&origin(other), ours, &secure, None),
                "{other}"
            );
        }
        assert!(!is_own_origin(&Origin::new_opaque(), ours, &secure, None));
        assert!(!is_own_origin(
            &origin("https://portal.acme.test"),
            None,
            &secure,
            None
        ));
    }

    #[test]
    fn a_host_header_that_is_more_than_an_authority_matches_nothing() {
        let secure = config(true);
        for host in [
            "evil.example/x",
            "x@evil.example",
            "evil.example?",
            "",
            "a b",
        ] {
            assert!(
                !is_own_origin(&origin("https://evil.example"), Some(host), &secure, None),
                "{host}"
            );
        }
    }

    #[test]
    fn loopback_over_http_is_ours_even_with_secure_cookies() {
        let secure = config(true);
        assert!(is_own_origin(
            &origin("http://127.0.0.1:3000"),
            Some("127.0.0.1:3000"),
            &secure,
            None
        ));
        assert!(is_own_origin(
            &origin("http://localhost:3000"),
            Some("localhost:3000"),
            &secure,
            None
        ));
        assert!(is_own_origin(
            &origin("http://[::1]:3000"),
            Some("[::1]:3000"),
            &secure,
            None
        ));
    }

    #[test]
    fn with_plain_cookies_either_scheme_of_our_host_is_ours() {
        let plain = config(false);
        let ours = Some("portal.acme.test");
        assert!(is_own_origin(
            &origin("http://portal.acme.test"),
            ours,
            &plain,
            None
        ));
        assert!(is_own_origin(
            &origin("https://portal.acme.test"),
            ours,
            &plain,
            None
        ));
        assert!(!is_own_origin(
            &origin("http://evil.example"),
            ours,
            &plain,
            None
        ));
    }

    #[test]
    fn the_tenants_base_url_is_our_origin_whatever_the_host_header() {
        let secure = config(true);
        let base = Url::parse("https://acme.example/portal/").unwrap();
        assert!(is_own_origin(
            &origin("https://acme.example"),
            Some("10.0.0.5:8080"),
            &secure,
            Some(&base)
        ));
        assert!(!is_own_origin(
            &origin("https://evil.example"),
            Some("10.0.0.5:8080"),
            &secure,
            Some(&base)
        ));
    }

    #[test]
    fn the_claimed_origin_is_origin_then_referer_and_null_is_opaque() {
        let mut headers = HeaderMap::new();
        assert!(claimed_origin(&headers).is_none());
        headers.insert(
            header::REFERER,
            "https://evil.example/x?token=1".parse().unwrap(),
        );
        assert_eq!(
            claimed_origin(&headers),
            Some(origin("https://evil.example"))
        );
        headers.insert(header::ORIGIN, "https://portal.acme.test".parse().unwrap());
        assert_eq!(
            claimed_origin(&headers),
            Some(origin("https://portal.acme.test"))
        );
        headers.insert(header::ORIGIN, "null".parse().unwrap());
        assert!(!claimed_origin(&headers).unwrap().is_tuple());
    }
}
