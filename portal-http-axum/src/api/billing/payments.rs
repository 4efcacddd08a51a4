//! Money in: the payment history, paying with an idempotency key, the
//! oldest-first preview, applying account credit, and the payment
//! provider's webhook.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use portal_core::PortalError;
use portal_core::billing::{
    IdempotencyKey, PayRequest, PaymentDetail, PaymentFailure, PaymentStatus,
};
use portal_core::shared::{PageRequest, PaymentId, Reason, Shape};

use super::views::{PaymentPageView, PaymentView, PreviewView, ReviewView, SummaryView};
use super::{InvoiceAmount, invoice_choices};
use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, is_json, read_body, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem, ProblemType, problem_response};
use crate::params::{self, Field, MethodText, PayText, Source};
use crate::security::ApiUser;

/// The largest webhook body read (providers send a few kilobytes).
pub const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

/// The headers a webhook's signature may come in, ours first.
const SIGNATURE_HEADERS: [&str; 2] = ["portal-signature", "stripe-signature"];

/// The page of a list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

impl PageParams {
    fn request(&self) -> Result<PageRequest, ApiError> {
        Ok(params::page_request(
            self.page.as_deref(),
            self.per_page.as_deref(),
            Source::Api,
        )?)
    }
}

/// One page of the active account's payments and credits, newest first,
/// each with the invoices it paid.
#[utoipa::path(get, path = "/api/v1/payments", tag = "billing", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = PaymentPageView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn list_payments(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<PaymentPageView>, ApiError> {
    let page = state
        .portal
        .billing()
        .payments(&auth.actor, params.request()?)
        .await?;
    Ok(Json(PaymentPageView::from(&page)))
}

/// One payment or credit (a receipt).
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "payment id")),
    responses((status = 200, body = PaymentView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_payment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PaymentView>, ApiError> {
    let id = params::id(&id, PaymentId::parse)?;
    let detail = state.portal.billing().payment(&auth.actor, id).await?;
    Ok(Json(PaymentView::from(&detail)))
}

/// How to pay.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MethodInput {
    /// A card on file (`GET /payment-methods`).
    Saved {
        /// Its id.
        #[schema(value_type = wire::Id)]
        id: String,
    },
    /// A new card, as the payment provider's one-time token from its card
    /// field. Never a card number: those are refused (422).
    NewToken {
        /// The provider's token.
        token: String,
        /// Keep the card on file (needs cards on file to be on, and the
        /// permission to manage them).
        #[serde(default)]
        save: bool,
    },
}

impl MethodInput {
    /// The text [`params::MethodText::parse`] reads.
    fn text(&self) -> MethodText<'_> {
        match self {
            Self::Saved { id } => MethodText::Saved { id },
            Self::NewToken { token, save } => MethodText::New { token, save: *save },
        }
    }
}

/// A payment: invoices (each in full, or in part where the business
/// allows it), an optional prepayment, and how to pay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// The invoices to pay; may be empty when prepaying.
    #[serde(default)]
    pub invoices: Vec<InvoiceAmount>,
    /// An amount beyond the invoices, kept as account credit (only where
    /// the business takes prepayments; 403 otherwise).
    #[schema(value_type = Option<wire::Amount>)]
    pub prepayment: Option<String>,
    /// How to pay (not looked at when account credit pays everything).
    pub method: MethodInput,
    /// Pay from the account's credit first (oldest invoice first); the
    /// card is charged the rest. Off unless sent, so a client that does
    /// not know about it is charged what it asked. When the credit pays
    /// everything nothing is charged: the answer is 422 (`field`
    /// `use_credit`) and `POST /credit-applications` applies it.
    #[serde(default)]
    pub use_credit: bool,
}

impl PaymentRequest {
    /// The request as the core takes it, under `key`.
    fn parse(&self, key: IdempotencyKey) -> Result<PayRequest, ApiError> {
        Ok(PayText {
            invoices: self.invoices.iter().map(InvoiceAmount::text).collect(),
            prepayment: self.prepayment.as_deref(),
            method: self.method.text(),
            use_credit: self.use_credit,
        }
        .parse(key, Source::Api)?)
    }
}

/// A failed payment: problem+json with the payment as recorded.
#[derive(Serialize, ToSchema)]
pub struct PaymentFailedProblem {
    /// The problem; `detail` is the message for the customer.
    #[serde(flatten)]
    pub problem: Problem,
    /// The failed payment (nothing was charged or applied).
    pub payment: PaymentView,
}

/// The response a payment gets: 201 when it succeeded or is pending, 402
/// when it failed. Replays of the key answer the same way.
fn payment_response(detail: &PaymentDetail) -> Response {
    let view = PaymentView::from(detail);
    if detail.payment.status != PaymentStatus::Failed {
        return (StatusCode::CREATED, Json(view)).into_response();
    }
    let message = view.failure_message.clone().unwrap_or_else(|| {
        crate::messages::payment_failure(crate::messages::api(), &PaymentFailure::ProviderFailed)
    });
    let problem = ApiError::new(
        StatusCode::PAYMENT_REQUIRED,
        ProblemType::PaymentFailed,
        message,
    )
    .problem();
    problem_response(
        StatusCode::PAYMENT_REQUIRED,
        PaymentFailedProblem {
            problem,
            payment: view,
        },
    )
}

/// The `Idempotency-Key` header, required on `POST /payments` (without
/// one the request is malformed, 400; a bad one is invalid input, 422).
fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let value = headers
        .get("idempotency-key")
        .ok_or_else(|| {
            ApiError::bad_request(
                "send an Idempotency-Key header (a fresh random value, such as a UUID, per payment)",
            )
        })?
        .to_str()
        .map_err(|_| params::ParamError::invalid(
                Field::IdempotencyKey,
                Reason::Malformed(Shape::Text),
            ))?;
    Ok(params::idempotency_key(value, Source::Api)?)
}

/// What a reference to an invoice or card that is not payable says: the
/// same whether it does not exist, is another account's, is already paid,
/// or is not a card on file, so nothing about other accounts leaks.
fn not_payable(error: PortalError) -> ApiError {
    match error {
        PortalError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            ProblemType::NotFound,
            "An invoice or card in this request was not found, or has nothing left to pay. \
             Only this account's unpaid invoices and cards on file can be used.",
        ),
        other => other.into(),
    }
}

/// Pay invoices (and a prepayment) in one charge.
///
/// Send a fresh `Idempotency-Key` per payment and reuse it when retrying
/// the same request: the same key and body replay the first answer (and
/// never charge twice); the same key with a different body is 422; while
/// the first request is still being processed (or its charge is pending
/// with the provider) it is 409.
#[utoipa::path(post, path = "/api/v1/payments", tag = "billing", security(("bearer" = [])), request_body = PaymentRequest,
    params(("Idempotency-Key" = wire::IdempotencyKey, Header, description = "8 to 100 letters, digits, '-' or '_'; one per payment attempt")),
    responses(
        (status = 201, body = PaymentView, description = "`succeeded`, or `pending` when the provider did not answer in time: its invoices stay held until the provider's webhook settles it"),
        (status = 400, body = Problem, description = "no Idempotency-Key header, or a malformed body"),
        (status = 401, body = Problem),
        (status = 402, body = PaymentFailedProblem, description = "the payment failed (declined, card refused, or a provider error); `detail` is the customer's message, nothing was charged or applied"),
        (status = 403, body = Problem, description = "online payment or prepayment is off, or the contact may not pay"),
        (status = 404, body = Problem, description = "an invoice or card is unknown, another account's, or already paid"),
        (status = 409, body = Problem, description = "the key's first request is still in flight, or an invoice is held by a payment in progress"),
        (status = 422, body = Problem, description = "a bad amount, more than is owed, a card number as token, the key reused with a different body, or account credit paying everything (`use_credit`); `field` names the input")))]
pub async fn create_payment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PaymentRequest>,
) -> Result<Response, ApiError> {
    let request = body.parse(idempotency_key(&headers)?)?;
    let detail = state
        .portal
        .billing()
        .pay(&auth, request)
        .await
        .map_err(not_payable)?;
    Ok(payment_response(&detail))
}

/// An amount to spread over the unpaid invoices.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The amount to charge (decimal string); omitted: everything
    /// payable, less the credit used ("pay the statement balance").
    #[schema(value_type = Option<wire::Amount>)]
    pub amount: Option<String>,
    /// Pay from the account's credit first (off unless sent).
    #[serde(default)]
    pub use_credit: bool,
}

/// How an amount would pay the unpaid invoices, oldest due first; what is
/// left over shows as `unallocated` (account credit), and is refused where
/// the business takes no prepayments. Changes nothing.
#[utoipa::path(post, path = "/api/v1/payments/preview", tag = "billing", security(("bearer" = [])), request_body = PreviewRequest,
    responses((status = 200, body = PreviewView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "nothing is owed"),
        (status = 422, body = Problem, description = "a bad amount, or more than is owed without prepayment")))]
pub async fn preview_payment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> Result<Json<PreviewView>, ApiError> {
    let amount = params::amount(Field::Amount, body.amount.as_deref(), Source::Api)?;
    let preview = state
        .portal
        .billing()
        .preview_payment(&auth.actor, amount, body.use_credit)
        .await?;
    Ok(Json(PreviewView::from(&preview)))
}

/// What a payment would charge, checked exactly as `POST /payments`
/// checks it: each invoice's share, the credit it uses, the card charge
/// and the balance left. Nothing is written or charged, and no
/// `Idempotency-Key` is needed.
#[utoipa::path(post, path = "/api/v1/payments/review", tag = "billing", security(("bearer" = [])), request_body = PaymentRequest,
    responses((status = 200, body = ReviewView), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "online payment or prepayment is off, or the contact may not pay"),
        (status = 404, body = Problem, description = "an invoice or card is unknown, another account's, or already paid"),
        (status = 409, body = Problem, description = "an invoice is held by a payment in progress"),
        (status = 422, body = Problem, description = "a bad amount, more than is owed, or a card number as token; `field` names the input")))]
pub async fn review_payment(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<PaymentRequest>,
) -> Result<Json<ReviewView>, ApiError> {
    // Nothing is written, so no key is claimed: any key will do.
    let request = body.parse(IdempotencyKey::generate())?;
    let review = state
        .portal
        .billing()
        .review_payment(&auth.actor, &request)
        .await
        .map_err(not_payable)?;
    Ok(Json(ReviewView::from(&review)))
}

/// Invoices to pay from account credit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditApplicationRequest {
    /// The invoices; without an amount an invoice takes as much of the
    /// remaining credit as it can.
    #[schema(min_items = 1)]
    pub invoices: Vec<InvoiceAmount>,
}

/// Apply account credit to invoices (credit is never applied otherwise).
/// Answers with the account's new summary.
#[utoipa::path(post, path = "/api/v1/credit-applications", tag = "billing", security(("bearer" = [])), request_body = CreditApplicationRequest,
    responses((status = 201, body = SummaryView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "an invoice is unknown, another account's, or already paid"),
        (status = 409, body = Problem, description = "an invoice is held by a payment in progress"),
        (status = 422, body = Problem, description = "a bad amount, or more than the account's credit")))]
pub async fn apply_credit(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiJson(body): ApiJson<CreditApplicationRequest>,
) -> Result<(StatusCode, Json<SummaryView>), ApiError> {
    let chosen = invoice_choices(&body.invoices)?;
    let summary = state
        .portal
        .billing()
        .apply_credit(&auth.actor, &chosen)
        .await
        .map_err(not_payable)?;
    Ok((StatusCode::CREATED, Json(SummaryView::from(&summary))))
}

/// The payment provider's event about a charge. No bearer token: the
/// signature (`Portal-Signature`, or `Stripe-Signature`: `t=<unix
/// time>,v1=<hex HMAC-SHA256 of "t.body">`) is the authentication, checked
/// over the raw body within five minutes of its time. 200 for every
/// genuine event, also repeats and events about unknown charges (they
/// change nothing), so the provider stops retrying.
#[utoipa::path(post, path = "/api/v1/webhooks/payments", tag = "billing",
    params(("Portal-Signature" = String, Header, description = "the provider's signature header (or send it as Stripe-Signature)")),
    request_body(content = String, content_type = "application/json", description = "the provider's event, read as raw bytes (at most 64 KiB)"),
    responses((status = 200, description = "handled (or a repeat)"),
        (status = 400, body = Problem, description = "missing or bad signature, or a stale timestamp"),
        (status = 413, body = Problem, description = "body larger than 64 KiB"),
        (status = 415, body = Problem, description = "not sent as `application/json`")))]
pub async fn payment_webhook(
    State(state): State<AppState>,
    context: RequestContext,
    request: Request,
) -> Result<StatusCode, ApiError> {
    if !is_json(request.headers()) {
        return Err(ApiError::unsupported_media_type());
    }
    let signature = SIGNATURE_HEADERS
        .iter()
        .find_map(|name| request.headers().get(*name))
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ProblemType::InvalidSignature,
                "the Portal-Signature header is missing",
            )
        })?;
    let body = read_body(request.into_body(), MAX_WEBHOOK_BYTES).await?;
    state
        .portal
        .billing()
        .handle_payment_webhook(context.tenant.id, &body, &signature)
        .await
        .map_err(|error| match error {
            PortalError::InvalidInput { .. } => ApiError::new(
                StatusCode::BAD_REQUEST,
                ProblemType::InvalidSignature,
                error.to_string(),
            ),
            other => other.into(),
        })?;
    Ok(StatusCode::OK)
}
