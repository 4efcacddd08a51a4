//! Cards on file and autopay.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use portal_core::shared::PaymentMethodId;

use super::views::{AutopayConsentView, AutopayView, PaymentMethodView};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, wire};
use crate::error::{ApiError, Problem};
use crate::params::{self, Field, Source};
use crate::security::ApiUser;

/// The cards on file.
#[derive(Serialize, ToSchema)]
pub struct PaymentMethodList {
    /// Every card on file of the account (at most 20).
    pub items: Vec<PaymentMethodView>,
}

/// The active account's cards on file (empty when cards on file are off
/// and the contact may only pay).
#[utoipa::path(get, path = "/api/v1/payment-methods", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = PaymentMethodList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_methods(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<PaymentMethodList>, ApiError> {
    let methods = state.portal.billing().payment_methods(&auth.actor).await?;
    Ok(Json(PaymentMethodList {
        items: methods.iter().map(PaymentMethodView::from).collect(),
    }))
}

/// A card to put on file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMethodRequest {
    /// The payment provider's one-time token from its card field. Never a
    /// card number: those are refused (422) and never sent or stored.
    #[schema(min_length = 1)]
    pub token: String,
    /// Make it the default card.
    #[serde(default)]
    pub make_default: bool,
}

/// Put a card on file.
#[utoipa::path(post, path = "/api/v1/payment-methods", tag = "billing", security(("bearer" = [])), request_body = NewMethodRequest,
    responses((status = 201, body = PaymentMethodView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "cards on file are off, or the contact may not manage them"),
        (status = 409, body = Problem, description = "the account has 20 cards on file, or the provider failed"),
        (status = 422, body = Problem, description = "not a usable token (or a card number)")))]
pub async fn add_method(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<NewMethodRequest>,
) -> Result<(StatusCode, Json<PaymentMethodView>), ApiError> {
    let token = params::card_token(&body.token, Source::Api);
    let method = state
        .portal
        .billing()
        .add_payment_method(&auth.actor, &token, body.make_default)
        .await?;
    Ok((StatusCode::CREATED, Json(PaymentMethodView::from(&method))))
}

/// Remove a card on file (not the one autopay uses). Removing the default
/// card leaves the account with no default (no other card is made the
/// default unasked): make one the default with
/// `PUT /payment-methods/{id}/default`.
#[utoipa::path(delete, path = "/api/v1/payment-methods/{id}", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "payment method id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's"),
        (status = 409, body = Problem, description = "autopay uses it")))]
pub async fn remove_method(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = params::id(&id, PaymentMethodId::parse)?;
    state
        .portal
        .billing()
        .remove_payment_method(&auth.actor, id, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a card on file the default.
#[utoipa::path(put, path = "/api/v1/payment-methods/{id}/default", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "payment method id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn set_default(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = params::id(&id, PaymentMethodId::parse)?;
    state
        .portal
        .billing()
        .set_default_payment_method(&auth.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Autopay: the active consent, the terms and the cards it can use.
#[utoipa::path(get, path = "/api/v1/autopay", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = AutopayView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "autopay is off, or the contact may not manage it")))]
pub async fn autopay(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<AutopayView>, ApiError> {
    let status = state
        .portal
        .billing()
        .autopay(&auth.actor, &standard_autopay_terms(&auth))
        .await?;
    Ok(Json(AutopayView::from(&status)))
}

/// Consent to autopay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutopayRequest {
    /// The card on file to charge.
    #[schema(value_type = wire::Id)]
    pub method_id: String,
    /// `terms_digest` from `GET /autopay`: the terms the customer read.
    pub terms_digest: String,
    /// The customer's explicit agreement to those terms; must be `true`.
    pub consent: bool,
}

/// Enrol in autopay (or change its card), recording the consent.
#[utoipa::path(put, path = "/api/v1/autopay", tag = "billing", security(("bearer" = [])), request_body = AutopayRequest,
    responses((status = 200, body = AutopayConsentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "the card is unknown, or another account's"),
        (status = 409, body = Problem, description = "the terms changed since they were shown: read them again"),
        (status = 422, body = Problem, description = "the card has expired, or the id is malformed")))]
pub async fn enrol_autopay(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<AutopayRequest>,
) -> Result<Json<AutopayConsentView>, ApiError> {
    let method = params::card_id(Field::MethodId, &body.method_id, Source::Api)?;
    let consent = state
        .portal
        .billing()
        .enrol_autopay(
            &auth.actor,
            method,
            &standard_autopay_terms(&auth),
            &body.terms_digest,
            body.consent,
        )
        .await?;
    Ok(Json(AutopayConsentView::from(&consent)))
}

/// Withdraw the autopay consent; answers with it, withdrawn.
#[utoipa::path(delete, path = "/api/v1/autopay", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = AutopayConsentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "not enrolled")))]
pub async fn withdraw_autopay(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
) -> Result<Json<AutopayConsentView>, ApiError> {
    let consent = state.portal.billing().withdraw_autopay(&auth.actor).await?;
    Ok(Json(AutopayConsentView::from(&consent)))
}

/// The portal's standard autopay terms in the contact's language (the
/// tenant's default when they chose none): what `GET /autopay` shows and
/// `PUT /autopay` checks the digest against, when the business has not
/// written its own.
fn standard_autopay_terms(auth: &portal_core::identity::AuthContext) -> String {
    portal_i18n::Messages::new(
        auth.contact
            .language
            .unwrap_or(auth.tenant.settings.language),
    )
    .msg("autopay-terms-standard")
}
