//! [`PageError`]: why a page handler did not answer with its page, and the
//! one place where each kind of error becomes the page a customer sees.
//!
//! Handlers return `Result<Response, PageError>` and use `?` on use cases
//! and parsers. A form handler first asks [`super::form::Refusal::of`]
//! whether the error is one its form shows again (input, a conflict, a
//! refused log-in); everything else comes here:
//!
//! | error | answer |
//! | --- | --- |
//! | `NotFound` | the 404 page (also a malformed id, and another account's) |
//! | `Forbidden` | the 403 page with the reason (role, feature switched off) |
//! | `Unauthenticated` | to the log-in page, and back here after it |
//! | `Internal` | the 500 page; the cause was logged where it happened |
//! | `Invalid`, `Refused` outside a form | a page with the message and its status |
//!
//! A `PageError` cannot render itself: its page needs the tenant's branding
//! and mount path, which the request has and the error does not. So its
//! `IntoResponse` only marks the response, and [`render_errors`], a layer
//! on every page route, renders the marked ones with the request's
//! context. Statuses are those of the API (`crate::error::status_of`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use portal_core::PortalError;
use portal_core::access::AccessError;
use portal_core::shared::{Item, Reason};

use super::ErrorWords;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::status_of;
use crate::params::{Field, ParamError};
use crate::security::Csrf;
use portal_i18n::Messages;

/// Input the customer can correct, about one field.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// The field as the core and [`crate::params`] name it (`min_total`).
    pub(super) field: &'static str,
    /// The form input it is about, when whoever found the error knew it
    /// exactly (which invoice's amount).
    pub(super) input: Option<String>,
    /// Which of several inputs of the field the core found it in (an
    /// invoice, a custom field), for the page to place it.
    pub(super) item: Option<Item>,
    /// What is wrong.
    pub(super) message: Message,
}

/// What a [`FieldError`] says.
#[derive(Clone, Debug)]
pub(super) enum Message {
    /// A rule, worded to follow the field's label ("must be a date ...").
    Rule(Reason),
    /// A sentence of its own ("The two passwords do not match.").
    Sentence(String),
}

impl FieldError {
    /// A page's own sentence about `input`.
    pub(super) fn sentence(input: &'static str, text: &str) -> Self {
        Self {
            field: input,
            input: Some(input.to_owned()),
            item: None,
            message: Message::Sentence(text.to_owned()),
        }
    }

    /// The message under `label`, the name customers see the input by.
    pub(super) fn text(&self, t: Messages, label: &str) -> String {
        match &self.message {
            Message::Rule(reason) => crate::messages::labelled_rule(t, label, reason),
            Message::Sentence(sentence) => sentence.clone(),
        }
    }

    /// Places an error about one item of `field` (an invoice's amount, a
    /// custom field) at that item's input, whose label names the item:
    /// `input_of` gives the input's key for an item the page shows. Other
    /// errors are left as they are.
    pub(super) fn at_item(
        mut self,
        field: &str,
        input_of: impl Fn(&Item) -> Option<String>,
    ) -> Self {
        if self.field == field
            && self.input.is_none()
            && let Some(key) = self.item.as_ref().and_then(&input_of)
        {
            self.input = Some(key);
        }
        self
    }

    /// The message where no input carries it: the field (and item) named
    /// as the API names them.
    pub(super) fn standalone(&self, t: Messages) -> String {
        match &self.message {
            Message::Rule(reason) => {
                crate::messages::invalid_input(t, self.field, self.item.as_ref(), reason)
            }
            Message::Sentence(sentence) => sentence.clone(),
        }
    }
}

/// Why a page handler did not answer with its page. See the module docs
/// for what each becomes.
#[derive(Clone, Debug)]
pub enum PageError {
    /// Input the customer can correct (422).
    Invalid(Box<FieldError>),
    /// A refusal with its status and the message for the customer: a
    /// conflict with the current state (409), a failed log-in (401), a
    /// refused registration (422), a used link (410), too many attempts
    /// (429).
    Refused {
        /// The status to answer with.
        status: StatusCode,
        /// What to tell the customer, worded in the page's language
        /// when the page is drawn.
        message: Said,
    },
    /// Unknown, or not this customer's (404).
    NotFound,
    /// Not allowed (403), and why.
    Forbidden(AccessError),
    /// No live session.
    Unauthenticated,
    /// Something failed inside (500).
    Internal,
}

/// What a refusal tells the customer, kept as a value until the page that
/// shows it knows the reader's language.
#[derive(Clone, Debug)]
pub enum Said {
    /// A domain error, worded by [`crate::messages::error_message`].
    Error(Arc<PortalError>),
    /// A sentence already worded (a declined card's, the rate limit's).
    Text(String),
}

impl Said {
    /// The sentence in `t`'s language.
    pub fn word(&self, t: Messages) -> String {
        match self {
            Said::Error(error) => crate::messages::error_message(t, error),
            Said::Text(text) => text.clone(),
        }
    }
}

impl PageError {
    /// A page's own sentence about its `input` (422), for what only the
    /// page checks (two passwords that should match).
    pub(super) fn at(input: &'static str, sentence: &str) -> Self {
        PageError::Invalid(Box::new(FieldError::sentence(input, sentence)))
    }

    /// The status of the answer; the log-in redirect is a 303.
    pub fn status(&self) -> StatusCode {
        match self {
            PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::Refused { status, .. } => *status,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::Unauthenticated => StatusCode::SEE_OTHER,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Too many attempts from this client (the rate limit of log-in,
    /// registration and password forms).
    pub(super) fn too_many_requests(limited: &crate::error::ApiError) -> Self {
        PageError::Refused {
            status: limited.status(),
            message: Said::Text(limited.detail().to_owned()),
        }
    }

    /// What this error's page says; `None` for no session, which is not a
    /// page but the way to log in.
    fn words(self, context: Option<&RequestContext>) -> Option<ErrorWords> {
        let status = self.status();
        let t = context.map_or(crate::messages::api(), RequestContext::t);
        let (heading, message) = match self {
            PageError::Unauthenticated => return None,
            PageError::NotFound => (
                t.msg("error-page-not-found"),
                crate::messages::error_message(t, &PortalError::NotFound),
            ),
            PageError::Forbidden(why) => (
                t.msg("error-page-not-available"),
                crate::messages::forbidden(t, why),
            ),
            PageError::Internal => (t.msg("error-page-went-wrong"), t.msg("error-try-again")),
            PageError::Invalid(error) => (t.msg("error-page-did-not-work"), error.standalone(t)),
            PageError::Refused { message, .. } => {
                (t.msg("error-page-did-not-work"), message.word(t))
            }
        };
        Some(ErrorWords {
            status,
            heading,
            message,
        })
    }
}

impl From<PortalError> for PageError {
    fn from(error: PortalError) -> Self {
        match error {
            PortalError::InvalidInput {
                field,
                item,
                reason,
            } => PageError::Invalid(Box::new(FieldError {
                field,
                input: None,
                item,
                message: Message::Rule(reason),
            })),
            PortalError::NotFound => PageError::NotFound,
            PortalError::Forbidden(why) => PageError::Forbidden(why),
            PortalError::Unauthenticated => PageError::Unauthenticated,
            // Logged where it happened.
            PortalError::Internal(_) => PageError::Internal,
            refused @ (PortalError::Conflict(_)
            | PortalError::InvalidCredentials
            | PortalError::RegistrationRefused
            | PortalError::LinkInvalid) => PageError::Refused {
                status: status_of(&refused),
                message: Said::Error(Arc::new(refused)),
            },
        }
    }
}

impl From<ParamError> for PageError {
    fn from(error: ParamError) -> Self {
        match error {
            ParamError::Invalid { field, reason } => PageError::Invalid(Box::new(FieldError {
                field: field.name(),
                input: match field {
                    Field::InvoiceAmount(id) => Some(super::billing::amount_input(&id)),
                    Field::ItemQuantity(index) => Some(super::rentals::quantity_input(index)),
                    Field::OtherPhone(index) => Some(super::accounts::other_phone_input(index)),
                    Field::OtherKind(index) => Some(super::accounts::other_kind_input(index)),
                    _ => None,
                },
                item: None,
                message: Message::Rule(reason),
            })),
            ParamError::UnknownId => PageError::NotFound,
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "template failed to render");
        PageError::Internal
    }
}

/// The mark [`render_errors`] looks for.
#[derive(Clone)]
struct Unrendered(PageError);

impl IntoResponse for PageError {
    /// Only the status and a mark: [`render_errors`] renders the page.
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Unrendered(self));
        response
    }
}

/// What an error page needs of the request, taken before the handler
/// consumes it: the tenant, the form token and the cookies (a logged-in
/// customer keeps the navigation).
struct ErrorContext {
    context: Option<RequestContext>,
    csrf: Option<Csrf>,
    cookies: HeaderMap,
}

impl ErrorContext {
    fn of(request: &Request) -> Self {
        let mut cookies = HeaderMap::new();
        for cookie in request.headers().get_all(header::COOKIE) {
            cookies.append(header::COOKIE, cookie.clone());
        }
        Self {
            context: request.extensions().get::<RequestContext>().cloned(),
            csrf: request.extensions().get::<Csrf>().cloned(),
            cookies,
        }
    }

    async fn page(&self, state: &AppState, words: ErrorWords) -> Response {
        super::error_page(
            state,
            self.context.as_ref(),
            &self.cookies,
            self.csrf.as_ref(),
            words,
        )
        .await
    }
}

/// The layer on every page route that renders a returned [`PageError`]
/// as its page, with the tenant's branding and mount path (and the
/// navigation, for a logged-in customer). Headers the handler set on the
/// error (a token page's `Referrer-Policy`) are kept.
pub(crate) async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let at = ErrorContext::of(&request);
    let uri = request.uri().clone();
    let mut response = next.run(request).await;
    let Some(Unrendered(error)) = response.extensions_mut().remove::<Unrendered>() else {
        return response;
    };
    let mut page = match error.words(at.context.as_ref()) {
        Some(words) => at.page(&state, words).await,
        // Back to where the customer was going once logged in.
        None => {
            let base = at
                .context
                .as_ref()
                .map_or("", |context| context.base.as_str());
            to_login(base, uri.path_and_query().map_or("/", |p| p.as_str()))
        }
    };
    let kept =
        |name: &header::HeaderName| name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH;
    // The handler's value wins, all of them (several cookies).
    for name in response.headers().keys().filter(|name| kept(name)) {
        page.headers_mut().remove(name);
    }
    for (name, value) in response.headers().iter().filter(|(name, _)| kept(name)) {
        page.headers_mut().append(name, value.clone());
    }
    page
}

/// The layer on every page route that gives the framework's bare 405 (a
/// method the page does not take, `DELETE /login`) a page, keeping its
/// `Allow` header, in the tenant's branding.
pub(crate) async fn method_not_allowed_page(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let at = ErrorContext::of(&request);
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let t = at
        .context
        .as_ref()
        .map_or(crate::messages::api(), RequestContext::t);
    let words = ErrorWords {
        status: StatusCode::METHOD_NOT_ALLOWED,
        heading: t.msg("error-page-not-available"),
        message: t.msg("error-method-not-allowed"),
    };
    let mut page = at.page(&state, words).await;
    if let Some(allow) = response.headers().get(header::ALLOW) {
        page.headers_mut().insert(header::ALLOW, allow.clone());
    }
    page
}

/// To the log-in page, and from there back to `wanted` (the path the
/// customer asked for, under the mount path `base`).
pub(crate) fn to_login(base: &str, wanted: &str) -> Response {
    let next = format!("{base}{wanted}");
    let query = serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
    Redirect::to(&format!("{base}/login?{query}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::HeaderValue;
    use axum::middleware;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn answer(route: Router<AppState>) -> (StatusCode, axum::http::HeaderMap, String) {
        let store = portal_store_sqlx::connect("sqlite::memory:").await.unwrap();
        let hasher = std::sync::Arc::new(portal_runtime::Argon2Hasher::insecure_for_tests());
        let portal = portal_core::Portal::builder(store, hasher).build();
        let state = AppState::new(portal, crate::HttpConfig::single_tenant("acme"));
        let app = route
            .layer(middleware::from_fn_with_state(state.clone(), render_errors))
            .with_state(state);
        let request = axum::http::Request::get("/billing/invoices?page=2")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn no_session_is_a_way_to_the_log_in_page_and_back() {
        let route = Router::new().route(
            "/billing/invoices",
            get(async || Err::<Response, _>(PageError::Unauthenticated)),
        );
        let (status, headers, _) = answer(route).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            headers.get(header::LOCATION).unwrap(),
            "/login?next=%2Fbilling%2Finvoices%3Fpage%3D2"
        );
    }

    #[tokio::test]
    async fn an_error_becomes_its_page_and_keeps_the_handlers_headers() {
        let route = Router::new().route(
            "/billing/invoices",
            get(async || {
                let policy = HeaderValue::from_static("no-referrer");
                let (one, two) = (
                    HeaderValue::from_static("a=1"),
                    HeaderValue::from_static("b=2"),
                );
                let headers = axum::response::AppendHeaders([
                    (header::REFERRER_POLICY, policy),
                    (header::SET_COOKIE, one),
                    (header::SET_COOKIE, two),
                ]);
                (headers, PageError::NotFound)
            }),
        );
        let (status, headers, body) = answer(route).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers.get(header::REFERRER_POLICY).unwrap(), "no-referrer");
        assert_eq!(headers.get_all(header::SET_COOKIE).iter().count(), 2);
        assert!(
            headers
                .get(header::CONTENT_TYPE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(body.contains("<h1>Not found</h1>"), "{body}");
    }

    #[test]
    fn core_errors_keep_the_apis_statuses() {
        let cases = [
            (
                PortalError::invalid("from", Reason::AfterEnd),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                portal_core::billing::BillingConflict::PaymentInProgress.into(),
                StatusCode::CONFLICT,
            ),
            (PortalError::InvalidCredentials, StatusCode::UNAUTHORIZED),
            (PortalError::LinkInvalid, StatusCode::GONE),
            (PortalError::NotFound, StatusCode::NOT_FOUND),
            (
                PortalError::Forbidden(AccessError::FeatureOff),
                StatusCode::FORBIDDEN,
            ),
            (
                PortalError::Internal("boom".into()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(status_of(&error), status);
            assert_eq!(PageError::from(error).status(), status);
        }
    }

    #[test]
    fn an_error_about_an_item_is_moved_to_its_input() {
        let invoice = |number: &str| Item::Invoice {
            id: portal_core::shared::InvoiceId::new(),
            number: number.to_owned(),
        };
        let (one, ten) = (invoice("INV-1"), invoice("INV-10"));
        let balance = portal_core::shared::Money::zero(portal_core::shared::Currency::USD);
        let error = |item: &Item| FieldError {
            field: "amount",
            input: None,
            item: Some(item.clone()),
            message: Message::Rule(Reason::OverBalance { balance }),
        };
        let input_of = |item: &Item| (item == &one).then(|| "amount_1".to_owned());
        let placed = error(&one).at_item("amount", input_of);
        assert_eq!(placed.input.as_deref(), Some("amount_1"));
        assert_eq!(
            placed.text(crate::messages::api(), "Amount for INV-1"),
            "Amount for INV-1 is more than its balance of 0.00 USD."
        );
        assert_eq!(
            placed.standalone(crate::messages::api()),
            "Amount for invoice INV-1 is more than its balance of 0.00 USD."
        );
        // Another invoice, and other fields, are left alone.
        assert_eq!(error(&ten).at_item("amount", input_of).input, None);
        assert_eq!(error(&one).at_item("prepayment", input_of).input, None);
    }
}
