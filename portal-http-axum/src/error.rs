//! The one place that knows how domain errors become HTTP: problem+json
//! (RFC 9457) for the API. Pages re-render their form with the message
//! instead (see `pages`). Internal causes are logged, never sent. Every
//! problem names its request (`request_id`), so a report from a client
//! leads to the server's log lines of that request.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use portal_core::PortalError;
use portal_core::access::AccessError;

use crate::observability::RequestId;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: one of the stable types listed in
    /// the README (`https://portal.invalid/problems/<kind>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// The input field at fault, for invalid input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The id of the request that failed, as in its `x-request-id` header
    /// and its log lines: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "0b6f6c3e-3f5c-4a47-9d2e-6d1f2b9c8a71")]
    pub request_id: Option<String>,
}

/// The media type of every error answer of the API.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where the problem types live: a problem's `type` is this followed by
/// the kind's slug. Stable: clients match on it (README, "Problem types").
pub const PROBLEM_TYPE_BASE: &str = "https://portal.invalid/problems/";

/// The kinds of problem the API answers with; each is a stable `type` URI
/// ([`ProblemType::uri`]), listed in the README and, as an enum, in the
/// OpenAPI document's `Problem` schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemType {
    /// 400: a body or query string that is not what the operation reads.
    BadRequest,
    /// 400: a webhook whose signature is missing, wrong or stale.
    InvalidSignature,
    /// 401: wrong log-in name or password, or a locked contact.
    InvalidCredentials,
    /// 401: no bearer token, or one that is not (or no longer) valid.
    Unauthenticated,
    /// 402: the payment failed; nothing was charged.
    PaymentFailed,
    /// 403: something the contact's role may not do.
    Forbidden,
    /// 403: a feature the business switched off.
    FeatureOff,
    /// 404: unknown, another account's, or a malformed id.
    NotFound,
    /// 405: the path exists, the method does not (see `Allow`).
    MethodNotAllowed,
    /// 409: a conflict with the current state.
    Conflict,
    /// 410: a set-password link that is unknown, used or expired.
    LinkInvalid,
    /// 413: a body over the limit the `detail` names.
    PayloadTooLarge,
    /// 415: a body that is not `application/json`.
    UnsupportedMediaType,
    /// 422: input that is well formed but not valid (`field` names it).
    InvalidInput,
    /// 422: a known-facts registration that does not match.
    RegistrationRefused,
    /// 429: too many attempts from this address (see `Retry-After`).
    RateLimited,
    /// 500: something failed inside; the request id finds it in the log.
    Internal,
}

impl ProblemType {
    /// Every kind, for the README and the OpenAPI document.
    pub const ALL: [ProblemType; 17] = [
        Self::BadRequest,
        Self::InvalidSignature,
        Self::InvalidCredentials,
        Self::Unauthenticated,
        Self::PaymentFailed,
        Self::Forbidden,
        Self::FeatureOff,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::LinkInvalid,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidInput,
        Self::RegistrationRefused,
        Self::RateLimited,
        Self::Internal,
    ];

    /// The last segment of the type's URI.
    pub const fn slug(self) -> &'static str {
        match self {
            Self::BadRequest => "bad-request",
            Self::InvalidSignature => "invalid-signature",
            Self::InvalidCredentials => "invalid-credentials",
            Self::Unauthenticated => "unauthenticated",
            Self::PaymentFailed => "payment-failed",
            Self::Forbidden => "forbidden",
            Self::FeatureOff => "feature-off",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::LinkInvalid => "link-invalid",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::InvalidInput => "invalid-input",
            Self::RegistrationRefused => "registration-refused",
            Self::RateLimited => "rate-limited",
            Self::Internal => "internal",
        }
    }

    /// The problem's `type`.
    pub fn uri(self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.slug())
    }
}

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: ProblemType,
    detail: String,
    field: Option<String>,
}

impl ApiError {
    /// A problem of `kind` with `status`.
    pub fn new(status: StatusCode, kind: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
            field: None,
        }
    }

    /// 404, the same for "does not exist" and "not yours".
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ProblemType::NotFound, "not found")
    }

    /// 429; the response gets its `Retry-After` from the tenant middleware
    /// (`context::resolve_tenant`), which knows when the limit lifts.
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemType::RateLimited,
            "too many attempts; wait a minute and try again",
        )
    }

    /// 400 for a body or query string that could not be read.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ProblemType::BadRequest, detail)
    }

    /// 413 for a body over `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::PayloadTooLarge,
            format!(
                "the body is larger than the limit of {} KiB ({limit} bytes)",
                limit / 1024
            ),
        )
    }

    /// 415 for a body that is not JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::UnsupportedMediaType,
            "send the body as application/json (UTF-8)",
        )
    }

    /// 500, with the variant's generic text: causes are logged, never sent.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemType::Internal,
            "internal error",
        )
    }

    /// The problem an error answer without a body of its own becomes:
    /// axum's 405, or anything else that reached the API's safety net
    /// (`api::errors_as_problems`).
    pub fn for_status(status: StatusCode) -> Self {
        let kind = match status {
            StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
            StatusCode::NOT_FOUND => ProblemType::NotFound,
            StatusCode::UNAUTHORIZED => ProblemType::Unauthenticated,
            StatusCode::FORBIDDEN => ProblemType::Forbidden,
            StatusCode::CONFLICT => ProblemType::Conflict,
            StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => ProblemType::InvalidInput,
            StatusCode::TOO_MANY_REQUESTS => ProblemType::RateLimited,
            status if status.is_server_error() => ProblemType::Internal,
            _ => ProblemType::BadRequest,
        };
        let detail = match kind {
            ProblemType::MethodNotAllowed => {
                "this path does not take that method; the Allow header lists those it takes"
                    .to_owned()
            }
            _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
        };
        Self::new(status, kind, detail)
    }

    /// The same problem naming `field` as the input at fault (a member
    /// the core names by its item, such as one answer of several).
    pub fn at_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

/// The status each domain error maps to; pages use it too.
pub fn status_of(error: &PortalError) -> StatusCode {
    match error {
        PortalError::InvalidInput { .. } | PortalError::RegistrationRefused => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        PortalError::InvalidCredentials | PortalError::Unauthenticated => StatusCode::UNAUTHORIZED,
        PortalError::LinkInvalid => StatusCode::GONE,
        PortalError::Forbidden(_) => StatusCode::FORBIDDEN,
        PortalError::NotFound => StatusCode::NOT_FOUND,
        PortalError::Conflict(_) => StatusCode::CONFLICT,
        PortalError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<PortalError> for ApiError {
    fn from(error: PortalError) -> Self {
        let status = status_of(&error);
        let (kind, field) = match &error {
            PortalError::InvalidInput { field, .. } => {
                (ProblemType::InvalidInput, Some((*field).to_owned()))
            }
            PortalError::InvalidCredentials => (ProblemType::InvalidCredentials, None),
            PortalError::RegistrationRefused => (ProblemType::RegistrationRefused, None),
            PortalError::LinkInvalid => (ProblemType::LinkInvalid, None),
            PortalError::Unauthenticated => (ProblemType::Unauthenticated, None),
            PortalError::Forbidden(AccessError::FeatureOff) => (ProblemType::FeatureOff, None),
            PortalError::Forbidden(_) => (ProblemType::Forbidden, None),
            PortalError::NotFound => (ProblemType::NotFound, None),
            PortalError::Conflict(conflict) => (ProblemType::Conflict, conflict_field(conflict)),
            PortalError::Internal(_) => (ProblemType::Internal, None),
        };
        // Internal causes were logged where they happened; the client gets
        // the variant's generic text only.
        Self {
            status,
            kind,
            detail: crate::messages::error_message(crate::messages::api(), &error),
            field,
        }
    }
}

/// The input a conflict is about, when it is about one (a contact's
/// e-mail that cannot be used): the problem's `field`.
fn conflict_field(conflict: &portal_core::shared::Conflict) -> Option<String> {
    use portal_core::contacts::ContactsConflict;
    use portal_core::shared::Conflict;
    match conflict {
        Conflict::Contacts(ContactsConflict::EmailUnavailable | ContactsConflict::OwnEmail) => {
            Some("email".into())
        }
        Conflict::Contacts(ContactsConflict::PhoneUnavailable) => Some("phone".into()),
        _ => None,
    }
}

impl ApiError {
    /// The problem document this error becomes.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: self.kind.uri(),
            title: self.status.canonical_reason().unwrap_or("error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            field: self.field.clone(),
            // Errors are built far from the request; the router's
            // middleware makes its id known to the task handling it.
            request_id: RequestId::current().map(|id| id.to_string()),
        }
    }
}

/// A problem+json response with `status` and `body`: a [`Problem`], or a
/// document that flattens one and adds extension members (RFC 9457 §3.2).
pub fn problem_response(status: StatusCode, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(PROBLEM_JSON),
    );
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        problem_response(self.status, self.problem())
    }
}
