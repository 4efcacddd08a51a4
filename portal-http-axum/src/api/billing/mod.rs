//! Billing over JSON: the account summary, invoices and statements (also
//! as PDF), payments (with Stripe-style idempotency), account credit,
//! cards on file, autopay, and the payment provider's webhook.
//!
//! Handlers only translate: they read the wire format through
//! [`crate::params`] (ids, decimal strings, dates, the same parsers the
//! pages use), call one use case on the [`portal_core::Portal`] facade,
//! and render [`views`]. Every rule (who may pay, what may be
//! paid, idempotency, holds and settlement) is in `portal-core`.
//!
//! Two status choices clients must know:
//! - a payment that failed (declined, refused card, provider error) is
//!   **402** problem+json whose `detail` is the customer's message and
//!   whose `payment` member is the failed payment as recorded (nothing was
//!   charged or applied); a succeeded or still-pending payment is 201;
//! - an id in the path that is malformed, unknown or another account's is
//!   404, always the same answer.

mod documents;
mod invoices;
mod methods;
mod payments;
pub mod views;

pub use documents::*;
pub use invoices::*;
pub use methods::*;
pub use payments::*;

use axum::Router;
use axum::routing::{get, post, put};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;

use portal_core::shared::InvoiceId;
use portal_core::tenancy::Tenant;

use crate::AppState;
use crate::api::wire;
use crate::error::ApiError;
use crate::params::{self, Source};

/// The billing routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/billing/summary", get(invoices::summary))
        .route("/invoices", get(invoices::list_invoices))
        .route("/invoices/{id}", get(invoices::get_invoice))
        .route("/invoices/{id}/pdf", get(documents::invoice_pdf))
        .route("/payments/{id}/pdf", get(documents::payment_pdf))
        .route("/statements", get(invoices::statement))
        .route("/statements/pdf", get(documents::statement_pdf))
        .route(
            "/payments",
            get(payments::list_payments).post(payments::create_payment),
        )
        .route("/payments/preview", post(payments::preview_payment))
        .route("/payments/review", post(payments::review_payment))
        .route("/payments/{id}", get(payments::get_payment))
        .route("/credit-applications", post(payments::apply_credit))
        .route("/webhooks/payments", post(payments::payment_webhook))
        .route(
            "/payment-methods",
            get(methods::list_methods).post(methods::add_method),
        )
        .route(
            "/payment-methods/{id}",
            axum::routing::delete(methods::remove_method),
        )
        .route("/payment-methods/{id}/default", put(methods::set_default))
        .route(
            "/autopay",
            get(methods::autopay)
                .put(methods::enrol_autopay)
                .delete(methods::withdraw_autopay),
        )
}

/// An invoice chosen in a request body, with an optional amount.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceAmount {
    /// The invoice's id.
    #[schema(value_type = wire::Id)]
    pub id: String,
    /// How much of it, as a decimal string (`"50.00"`); omitted: all that
    /// is payable (or, for credit, as much as the credit covers).
    #[schema(value_type = Option<wire::Amount>)]
    pub amount: Option<String>,
}

impl InvoiceAmount {
    /// The text [`params::invoice_choices`] reads.
    fn text(&self) -> params::InvoiceChoiceText<'_> {
        params::InvoiceChoiceText {
            id: &self.id,
            amount: self.amount.as_deref(),
        }
    }
}

/// The ids and amounts of chosen invoices; a malformed id is invalid
/// input naming `invoices`.
fn invoice_choices(
    chosen: &[InvoiceAmount],
) -> Result<Vec<(InvoiceId, Option<Decimal>)>, ApiError> {
    Ok(params::invoice_choices(
        chosen.iter().map(InvoiceAmount::text),
        Source::Api,
    )?)
}

/// Today in the tenant's time zone, which is what the core judges
/// "overdue" against (the invoice list carries it; a single invoice does
/// not).
fn today(state: &AppState, tenant: &Tenant) -> NaiveDate {
    state.portal.billing().today(tenant)
}
