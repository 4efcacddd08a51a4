//! Invoices, statements and receipts as PDF files: the host's own PDF of
//! an invoice when it gave one, otherwise the portal's rendering
//! ([`crate::pdf`]).

use axum::extract::State;
use axum::response::Response;

use portal_core::InvoiceDocument;
use portal_core::shared::{InvoiceId, PaymentId};

use super::invoices::StatementParams;
use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::params;
use crate::pdf;
use crate::security::ApiUser;

/// An invoice as PDF: the business's own document when it gave one, the
/// portal's rendering otherwise.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "invoice id")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "the PDF, as an attachment"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn invoice_pdf(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, InvoiceId::parse)?;
    Ok(
        match state
            .portal
            .billing()
            .invoice_document(&auth.actor, id)
            .await?
        {
            InvoiceDocument::HostPdf(bytes) => {
                crate::pdf::download(bytes, &format!("invoice-{id}"))
            }
            InvoiceDocument::Render(detail) => pdf::account_document(
                &auth,
                context.t(),
                &format!("invoice-{}", detail.invoice.number),
                |heading, paper| pdf::invoice(heading, &detail, paper),
            ),
        },
    )
}

/// The statement for a date range as PDF.
#[utoipa::path(get, path = "/api/v1/statements/pdf", tag = "billing", security(("bearer" = [])), params(StatementParams),
    responses((status = 200, content_type = "application/pdf", body = String, description = "the PDF, as an attachment"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "a missing or malformed date, or `from` after `to`")))]
pub async fn statement_pdf(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiQuery(params): ApiQuery<StatementParams>,
) -> Result<Response, ApiError> {
    let range = params.range()?;
    let statement = state.portal.billing().statement(&auth.actor, range).await?;
    Ok(pdf::account_document(
        &auth,
        context.t(),
        &format!("statement-{}-{}", range.from, range.to),
        |heading, paper| pdf::statement(heading, &statement, paper),
    ))
}

/// A payment's receipt as PDF: the card, the invoices paid, the account
/// credit used and what is left to pay on the account.
#[utoipa::path(get, path = "/api/v1/payments/{id}/pdf", tag = "billing", security(("bearer" = [])),
    params(("id" = wire::Id, Path, description = "payment id")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "the PDF, as an attachment"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem, description = "unknown, or another account's")))]
pub async fn payment_pdf(
    State(state): State<AppState>,
    context: RequestContext,
    ApiUser(auth): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = params::id(&id, PaymentId::parse)?;
    let billing = state.portal.billing();
    let detail = billing.payment(&auth.actor, id).await?;
    let summary = billing.account_summary(&auth.actor).await?;
    let day = detail
        .payment
        .received_at
        .with_timezone(&auth.tenant.settings.time_zone())
        .date_naive();
    Ok(pdf::account_document(
        &auth,
        context.t(),
        &format!("receipt-{}", detail.payment.id),
        |heading, paper| pdf::receipt(heading, &detail, day, summary.current_balance, paper),
    ))
}
