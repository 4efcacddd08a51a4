//! Invoices, statements and receipts as PDF files: the host's own PDF of
//! an invoice when it gave one, otherwise the portal's rendering
//! ([`crate::pdf`]).

use axum::extract::State;
use axum::response::Response;

use portal_core::shared::{InvoiceId, PaymentId};
use portal_core::{AuthContext, InvoiceDocument};

use super::invoices::StatementParams;
use crate::AppState;
use crate::api::{ApiPath, ApiQuery, wire};
use crate::context::RequestContext;
use crate::error::{ApiError, Problem};
use crate::params;
use crate::pdf::{self, Heading, Paper};
use crate::security::ApiUser;

/// Who a rendered document is from and for: the business, and the active
/// account as "Name (number)".
fn heading_parts(auth: &AuthContext) -> (String, String) {
    (
        auth.tenant.settings.display_name.clone(),
        format!(
            "{} ({})",
            auth.membership.account_name, auth.membership.account_number
        ),
    )
}

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
            InvoiceDocument::Render(detail) => {
                let (business, account) = heading_parts(&auth);
                let formats = auth.tenant.settings.formats();
                let heading = Heading {
                    business: &business,
                    account: &account,
                    t: context.t(),
                    formats: &formats,
                };
                let paper = Paper::for_locale(&auth.tenant.settings.locale);
                let bytes = pdf::invoice(&heading, &detail, paper);
                crate::pdf::download(bytes, &format!("invoice-{}", detail.invoice.number))
            }
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
    let (business, account) = heading_parts(&auth);
    let formats = auth.tenant.settings.formats();
    let heading = Heading {
        business: &business,
        account: &account,
        t: context.t(),
        formats: &formats,
    };
    let paper = Paper::for_locale(&auth.tenant.settings.locale);
    let bytes = pdf::statement(&heading, &statement, paper);
    Ok(crate::pdf::download(
        bytes,
        &format!("statement-{}-{}", range.from, range.to),
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
    let (business, account) = heading_parts(&auth);
    let settings = &auth.tenant.settings;
    let formats = settings.formats();
    let heading = Heading {
        business: &business,
        account: &account,
        t: context.t(),
        formats: &formats,
    };
    let day = detail
        .payment
        .received_at
        .with_timezone(&settings.time_zone())
        .date_naive();
    let paper = Paper::for_locale(&settings.locale);
    let bytes = pdf::receipt(&heading, &detail, day, summary.current_balance, paper);
    Ok(crate::pdf::download(
        bytes,
        &format!("receipt-{}", detail.payment.id),
    ))
}
