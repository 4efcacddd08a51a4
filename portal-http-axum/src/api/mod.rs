//! The JSON API under `/api/v1`: the same use cases as the pages, with
//! bearer tokens from `POST /api/v1/sessions` instead of cookies. Errors
//! are RFC 9457 problem+json. The OpenAPI document is generated from these
//! handlers and served at `/api/v1/openapi.json`.

mod identity;
mod me;

use axum::body::Bytes;
use axum::extract::FromRequest;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::AppState;
use crate::error::{ApiError, Problem};

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/sessions", post(identity::create_session))
        .route("/sessions/current", delete(identity::delete_session))
        .route("/registrations/email", post(identity::register_by_email))
        .route("/registrations/facts", post(identity::register_by_facts))
        .route("/password-resets", post(identity::request_reset))
        .route("/password-links/inspect", post(identity::inspect_link))
        .route("/password-links/redeem", post(identity::redeem_link))
        .route("/me", get(me::me))
        .route("/me/password", post(me::change_password))
        .route("/me/active-account", put(me::switch_account))
        .route("/dashboard", get(me::dashboard))
        .route("/account", get(me::account))
        // Responses carry bearer tokens and customer data: never cached.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        ))
}

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Portal customer API", version = "1", description = "Self-service API for a tenant's customers. Log in with POST /sessions and send the token as `Authorization: Bearer <token>`."),
    paths(
        identity::create_session,
        identity::delete_session,
        identity::register_by_email,
        identity::register_by_facts,
        identity::request_reset,
        identity::inspect_link,
        identity::redeem_link,
        me::me,
        me::change_password,
        me::switch_account,
        me::dashboard,
        me::account,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    tags((name = "identity", description = "Registration, log-in and passwords"), (name = "customer", description = "The logged-in customer's data"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(ApiDoc::openapi()),
    )
}

/// A JSON body whose errors are problem+json 400s instead of axum's text.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::bad_request("the body could not be read"))?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| ApiError::bad_request(format!("the JSON body is invalid: {error}")))
    }
}
