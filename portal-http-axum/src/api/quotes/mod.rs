//! Quotes over JSON: the list, one quote, its PDF and approval
//! certificate, approving and declining.
//!
//! Approving sends back the quote's `content_sha256` (from `GET
//! /quotes/{id}`): a quote changed since is 409, so a client only ever
//! approves what its customer read. Deciding a quote that was decided
//! already, or expired, is 409 too; of two concurrent approvals one gets
//! 200 and the other 409. A malformed, unknown or another account's id is
//! 404.

pub mod views;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use portal_core::AuthContext;
use portal_core::quotes::{ApproveQuote, DecisionClient};
use portal_core::shared::QuoteId;

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::params::{self, QuoteFilterText, Source};
use crate::pdf;
use crate::security::ApiUser;
use views::{QuoteDetailView, QuotePageView, QuoteView};

/// The quote routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quotes", get(list_quotes))
        .route("/quotes/{id}", get(get_quote))
        .route("/quotes/{id}/pdf", get(quote_pdf))
        .route("/quotes/{id}/certificate", get(quote_certificate))
        .route("/quotes/{id}/approval", post(approve_quote))
        .route("/quotes/{id}/decline", post(decline_quote))
}

/// The status filter and page of the quote list; unknown parameters are
/// refused (400).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuoteListParams {
    /// `pending`, `approved`, `declined` or `expired`.
    #[param(value_type = Option<wire::QuoteStatus>)]
    status: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<wire::Count>)]
    page: Option<String>,
    /// Page size, 1 to 100 (default 25; larger is capped).
    #[param(value_type = Option<wire::Count>)]
    per_page: Option<String>,
}

fn today(state: &AppState, auth: &AuthContext) -> chrono::NaiveDate {
    state.portal.quotes().today(&auth.tenant)
}

/// One page of the active account's quotes, newest issued first.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", security(("bearer" = [])), params(QuoteListParams),
    responses((status = 200, body = QuotePageView), (status = 400, body = Problem, description = "an unknown parameter"),
        (status = 401, body = Problem),
        (status = 403, body = Problem, description = "quotes are off, or the contact may not see them"),
        (status = 422, body = Problem, description = "a malformed filter or page; `field` names it")))]
pub async fn list_quotes(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<QuoteListParams>,
) -> Result<Json<QuotePageView>, ApiError> {
    let query = QuoteFilterText {
        status: params.status.as_deref(),
        page: params.page.as_deref(),
        per_page: params.per_page.as_deref(),
    }
    .parse(Source::Api)?;
    let list = state.portal.quotes().quotes(&auth.actor, &query).await?;
    Ok(Json(QuotePageView::from(&list)))
}

/// One quote with its scope of work, lines, totals, terms and decision.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "quote id")),
    responses((status = 200, body = QuoteDetailView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn get_quote(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<QuoteDetailView>, ApiError> {
    let id = params::id(&id, QuoteId::parse)?;
    let detail = state.portal.quotes().quote(&auth.actor, id).await?;
    Ok(Json(QuoteDetailView::of(&detail, today(&state, &auth))))
}

/// A quote as PDF.
#[utoipa::path(get, path = "/api/v1/quotes/{id}/pdf", tag = "quotes", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "quote id")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "the PDF, as an attachment"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn quote_pdf(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, QuoteId::parse)?;
    let detail = state.portal.quotes().quote(&auth.actor, id).await?;
    let today = today(&state, &auth);
    Ok(pdf::account_document(
        &auth,
        context.t(),
        &format!("quote-{}", detail.quote.number),
        |heading, paper| pdf::quote(heading, &detail, today, paper),
    ))
}

/// An approved quote's approval certificate as PDF: who approved, when,
/// from which address and browser, and the SHA-256 of the content
/// approved with that content.
#[utoipa::path(get, path = "/api/v1/quotes/{id}/certificate", tag = "quotes", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "quote id")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "the PDF, as an attachment"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, another account's, or not approved")))]
pub async fn quote_certificate(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, QuoteId::parse)?;
    let detail = state.portal.quotes().certificate(&auth.actor, id).await?;
    let zone = auth.tenant.settings.time_zone();
    Ok(pdf::account_document(
        &auth,
        context.t(),
        &format!("quote-{}-approval", detail.quote.number),
        |heading, paper| pdf::certificate(heading, &detail, zone, paper),
    ))
}

/// An approval: the signer's typed name, and what they chose and add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    /// The signer's full name, typed as their signature (one line).
    #[schema(min_length = 1, max_length = 200, example = "Ada Lovelace")]
    pub signer_name: String,
    /// A comment for the business.
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// The customer's purchase-order number (one line).
    #[schema(max_length = 64, example = "PO-7731")]
    pub po_number: Option<String>,
    /// Positions (from 0) of the optional lines to include.
    #[serde(default)]
    #[schema(value_type = Vec<u32>)]
    pub optional_lines: Vec<serde_json::Number>,
    /// `content_sha256` of the quote as it was shown (`GET /quotes/{id}`).
    #[schema(value_type = wire::Sha256)]
    pub content_sha256: String,
}

/// Approve a quote as the logged-in contact. The approval keeps its
/// evidence (contact, time, client address, user agent, the SHA-256 of the
/// exact content approved) and the business is told.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/approval", tag = "quotes", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "quote id")), request_body = ApprovalRequest,
    responses((status = 200, body = QuoteView, description = "approved"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "quotes are off, or the contact may not approve them"),
        (status = 404, body = Problem, description = "unknown, or another account's"),
        (status = 409, body = Problem, description = "decided already, expired, or changed since it was shown"),
        (status = 422, body = Problem, description = "no name, a text too long or not one line, a line that is not optional, or a malformed digest; `field` names it")))]
pub async fn approve_quote(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    context: RequestContext,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ApprovalRequest>,
) -> Result<Json<QuoteView>, ApiError> {
    let id = params::id(&id, QuoteId::parse)?;
    let request = ApproveQuote {
        quote: id,
        signer_name: body.signer_name,
        comment: body.comment,
        po_number: body.po_number,
        optional_lines: params::optional_line_numbers(&body.optional_lines)?,
        shown_sha256: params::content_sha256(&body.content_sha256)?,
    };
    let client = DecisionClient {
        ip: context.client,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
    };
    let quote = state
        .portal
        .quotes()
        .approve(&auth, &request, &client)
        .await?;
    Ok(Json(QuoteView::of(&quote, today(&state, &auth))))
}

/// A decline, with its reason.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineRequest {
    /// Why the quote is declined.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "We went with a smaller scope."
    )]
    pub reason: String,
}

/// Decline a quote as the logged-in contact; the business is told why.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/decline", tag = "quotes", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "quote id")), request_body = DeclineRequest,
    responses((status = 200, body = QuoteView, description = "declined"), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "quotes are off, or the contact may not decline them"),
        (status = 404, body = Problem, description = "unknown, or another account's"),
        (status = 409, body = Problem, description = "decided already, or expired"),
        (status = 422, body = Problem, description = "no reason, or one too long")))]
pub async fn decline_quote(
    State(state): State<AppState>,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<DeclineRequest>,
) -> Result<Json<QuoteView>, ApiError> {
    let id = params::id(&id, QuoteId::parse)?;
    let quote = state
        .portal
        .quotes()
        .decline(&auth, id, &body.reason)
        .await?;
    Ok(Json(QuoteView::of(&quote, today(&state, &auth))))
}
