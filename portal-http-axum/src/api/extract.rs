//! Reading a request for the API: query strings, JSON and multipart
//! bodies and path segments whose every failure is a problem+json answer of the status
//! the OpenAPI document promises (400, 404, 413, 415), never axum's
//! plain-text rejections. The safety net for anything that still slips
//! through is [`errors_as_problems`].

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use portal_core::access::Actor;

use crate::error::{ApiError, PROBLEM_JSON, ProblemType};
use crate::uploads::{self, FilesFor, MessageParts, PartsError};

/// The largest JSON body the API reads (its requests are a few hundred
/// bytes; a payment naming hundreds of invoices stays far below this).
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A query string whose errors are problem+json 400s instead of axum's
/// text. Unknown parameters are refused, so a misspelt filter is an error
/// rather than a silently unfiltered list.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        serde_urlencoded::from_str(parts.uri.query().unwrap_or_default())
            .map(ApiQuery)
            .map_err(|error| ApiError::bad_request(format!("the query string is invalid: {error}")))
    }
}

/// A path segment (an id). One that cannot even be decoded (`%ff%fe` is
/// not UTF-8) names nothing that exists: 404, as for any malformed id.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| ApiError::not_found())
    }
}

/// A JSON body: `application/json` (any case, with an optional UTF-8
/// charset) or 415, at most [`MAX_JSON_BYTES`] or 413, a well-formed JSON
/// object of the expected shape or 400. Every request body the API
/// documents is an object; serde would also read a struct from an array
/// (`[null]`), which the contract does not allow, so anything else is
/// refused before serde sees it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::unsupported_media_type());
        }
        let bytes = read_body(request.into_body(), MAX_JSON_BYTES).await?;
        if !is_json_object(&bytes) {
            return Err(ApiError::bad_request("the JSON body must be an object"));
        }
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| ApiError::bad_request(format!("the JSON body is invalid: {error}")))
    }
}

/// A `multipart/form-data` body (a message with files), left to the
/// handler to read part by part ([`crate::uploads`]): another media type
/// is 415, a body without a boundary 400. The route raises axum's body
/// limit to [`crate::uploads::MAX_UPLOAD_BODY`]; each file is held to the
/// tenant's own limits as it streams.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_multipart(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemType::UnsupportedMediaType,
                "send the body as multipart/form-data",
            ));
        }
        Multipart::from_request(request, state)
            .await
            .map(ApiMultipart)
            .map_err(|_| ApiError::bad_request("the multipart body has no boundary"))
    }
}

/// A body that is either JSON ([`ApiJson`]) or, when it carries files,
/// `multipart/form-data` ([`ApiMultipart`]), told by its `Content-Type`;
/// anything else is 415.
pub enum ApiJsonOrMultipart<T> {
    /// A JSON object.
    Json(T),
    /// A multipart body, to read part by part.
    Multipart(Multipart),
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJsonOrMultipart<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if is_multipart(request.headers()) {
            let ApiMultipart(multipart) = ApiMultipart::from_request(request, state).await?;
            return Ok(Self::Multipart(multipart));
        }
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ProblemType::UnsupportedMediaType,
                "send the body as application/json, or as multipart/form-data with files",
            ));
        }
        let ApiJson(body) = ApiJson::from_request(request, state).await?;
        Ok(Self::Json(body))
    }
}

/// Reads a multipart body's text parts and stores its files for `files`'
/// context; a body that is not one (cut short, a part `takes` does not
/// accept) is 400, one over the upload limit 413, a file the core refuses
/// its problem, and each keeps nothing.
pub async fn read_parts(
    files: FilesFor<'_>,
    actor: &Actor,
    multipart: Multipart,
    takes: fn(&str) -> bool,
) -> Result<MessageParts, ApiError> {
    let parts = match uploads::read_message(multipart, files, actor).await {
        Ok(parts) => parts,
        Err(PartsError::Refused(error)) => return Err(error.into()),
        Err(PartsError::Malformed(why)) => return Err(ApiError::bad_request(why)),
        Err(PartsError::TooLarge) => {
            return Err(ApiError::payload_too_large(uploads::MAX_UPLOAD_BODY));
        }
    };
    let unknown = parts.fields.keys().find(|name| !takes(name)).cloned();
    match unknown {
        Some(name) => {
            files.discard(actor, parts.files).await;
            Err(ApiError::bad_request(format!(
                "this operation does not read a part named `{name}`"
            )))
        }
        None => Ok(parts),
    }
}

/// Whether the request's `Content-Type` is `multipart/form-data` (any
/// case, parameters allowed).
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// Whether a body's first significant character opens a JSON object
/// (whitespace as JSON defines it may come first); what follows is left
/// to the parser.
fn is_json_object(body: &[u8]) -> bool {
    body.iter()
        .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|&byte| byte == b'{')
}

/// Whether the request's `Content-Type` is JSON: the media type
/// `application/json` compared without regard to case (RFC 9110 §8.3.1),
/// with parameters allowed, but a charset only if it is UTF-8 (RFC 8259
/// §8.1). `application/json-patch+json` and the like are other types.
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|parameter| match parameter.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            Some((name, _)) => !name.trim().is_empty(),
            None => false,
        })
}

/// The body, at most `limit` bytes: over it is 413 naming the limit, a
/// body that broke off is 400.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|error| {
        let too_large = std::error::Error::source(&error)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::payload_too_large(limit)
        } else {
            ApiError::bad_request("the body could not be read")
        }
    })
}

/// The API's safety net, a layer on every API route: an error answer that
/// is not problem+json yet (axum's own 405, with its `Allow` header) is
/// made one of its status, keeping its headers. Handlers and extractors
/// answer with problems themselves; this covers what the framework
/// answers before them.
pub async fn errors_as_problems(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(response.headers()) {
        return response;
    }
    let (parts, _body) = response.into_parts();
    let mut problem = ApiError::for_status(status).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value == PROBLEM_JSON)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
        headers
    }

    #[test]
    fn only_an_object_is_a_json_body() {
        for object in [&b"{}"[..], b" \n\t{\"a\":1}", b"\r\n{"] {
            assert!(
                is_json_object(object),
                "{:?}",
                String::from_utf8_lossy(object)
            );
        }
        for other in [
            &b"[null]"[..],
            b"[]",
            b"null",
            b"1",
            b"\"{\"",
            b"",
            b"  ",
            b"\xef\xbb\xbf{}",
        ] {
            assert!(
                !is_json_object(other),
                "{:?}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn json_is_matched_without_case_and_with_a_utf8_charset_only() {
        for accepted in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            " application/json ; foo=bar",
        ] {
            assert!(is_json(&with_type(accepted)), "{accepted}");
        }
        for refused in [
            "application/json-patch+json",
            "application/jsonx",
            "text/json",
            "application/json; charset=latin1",
            "application/json; junk",
            "text/plain",
            "",
        ] {
            assert!(!is_json(&with_type(refused)), "{refused}");
        }
        assert!(!is_json(&HeaderMap::new()));
    }
}
