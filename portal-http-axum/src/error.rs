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
    /// A URI naming the kind of problem.
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

/// An error on its way to becoming a problem+json response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    detail: String,
    field: Option<String>,
}

impl ApiError {
    /// A problem of `kind` with `status`.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
            field: None,
        }
    }

    /// 404, the same for "does not exist" and "not yours".
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "not found")
    }

    /// 429.
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too many attempts; wait a minute and try again",
        )
    }

    /// 400 for a body that could not be read.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
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
            PortalError::InvalidInput { field, .. } => ("invalid-input", Some((*field).to_owned())),
            PortalError::InvalidCredentials => ("invalid-credentials", None),
            PortalError::RegistrationRefused => ("registration-refused", None),
            PortalError::LinkInvalid => ("link-invalid", None),
            PortalError::Unauthenticated => ("unauthenticated", None),
            PortalError::Forbidden(AccessError::FeatureOff) => ("feature-off", None),
            PortalError::Forbidden(_) => ("forbidden", None),
            PortalError::NotFound => ("not-found", None),
            PortalError::Conflict(_) => ("conflict", None),
            PortalError::Internal(_) => ("internal", None),
        };
        // Internal causes were logged where they happened; the client gets
        // the variant's generic text only.
        Self {
            status,
            kind,
            detail: crate::messages::error_message(&error),
            field,
        }
    }
}

impl ApiError {
    /// The problem document this error becomes.
    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("https://portal.invalid/problems/{}", self.kind),
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
        header::HeaderValue::from_static("application/problem+json"),
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
