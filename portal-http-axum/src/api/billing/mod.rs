//! Billing over JSON: the account summary, invoices and statements (also
//! as PDF), payments (with Stripe-style idempotency), account credit,
//! cards on file, autopay, and the payment provider's webhook.
//!
//! Handlers only translate: they parse the wire format (ids, decimal
//! strings, dates), call one use case on the [`portal_core::Portal`]
//! facade, and render [`views`]. Every rule (who may pay, what may be
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
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use portal_core::PortalError;
use portal_core::shared::InvoiceId;
use portal_core::tenancy::Tenant;

use crate::AppState;
use crate::error::ApiError;

/// The billing routes, mounted under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/billing/summary", get(invoices::summary))
        .route("/invoices", get(invoices::list_invoices))
        .route("/invoices/{id}", get(invoices::get_invoice))
        .route("/invoices/{id}/pdf", get(documents::invoice_pdf))
        .route("/statements", get(invoices::statement))
        .route("/statements/pdf", get(documents::statement_pdf))
        .route(
            "/payments",
            get(payments::list_payments).post(payments::create_payment),
        )
        .route("/payments/preview", post(payments::preview_payment))
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
    pub id: String,
    /// How much of it, as a decimal string (`"50.00"`); omitted: all that
    /// is payable (or, for credit, as much as the credit covers).
    #[schema(example = "50.00")]
    pub amount: Option<String>,
}

/// Parses a decimal string a client sent as money. Only digits, one point
/// and a leading minus are accepted (no exponents, no separators); the
/// core then checks sign and decimals against the currency.
fn parse_amount(field: &'static str, text: &str) -> Result<Decimal, ApiError> {
    crate::amount::plain_decimal(text).ok_or_else(|| {
        PortalError::invalid(
            field,
            "must be an amount written as a decimal string, such as \"120.50\"",
        )
        .into()
    })
}

/// The ids and amounts of chosen invoices; a malformed id is invalid input.
fn invoice_choices(
    chosen: &[InvoiceAmount],
    field: &'static str,
) -> Result<Vec<(InvoiceId, Option<Decimal>)>, ApiError> {
    chosen
        .iter()
        .map(|choice| {
            let id = InvoiceId::parse(&choice.id).map_err(|_| {
                PortalError::invalid(field, "names an invoice id that is not valid")
            })?;
            let amount = choice
                .amount
                .as_deref()
                .map(|text| parse_amount("amount", text))
                .transpose()?;
            Ok((id, amount))
        })
        .collect()
}

/// An id from the path: malformed is the same 404 as unknown or foreign.
fn path_id<T, E>(parse: impl FnOnce(&str) -> Result<T, E>, text: &str) -> Result<T, ApiError> {
    parse(text).map_err(|_| ApiError::not_found())
}

/// A query parameter, treating an empty value (`?status=`, as forms send)
/// as not given.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A `YYYY-MM-DD` date parameter.
fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| PortalError::invalid(field, "must be a date written as YYYY-MM-DD").into())
}

/// A parameter whose values are a core enum's serde names; the error lists
/// the accepted values.
fn parse_choice<T: DeserializeOwned>(field: &'static str, text: &str) -> Result<T, ApiError> {
    use serde::de::IntoDeserializer;
    let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        text.into_deserializer();
    T::deserialize(deserializer)
        .map_err(|error| PortalError::invalid(field, format!("is not valid: {error}")).into())
}

/// A whole-number parameter (page numbers).
fn parse_count(field: &'static str, text: &str) -> Result<u32, ApiError> {
    text.parse()
        .map_err(|_| PortalError::invalid(field, "must be a whole number from 1").into())
}

/// Today in the tenant's time zone, which is what the core judges
/// "overdue" against (the invoice list carries it; a single invoice does
/// not).
fn today(state: &AppState, tenant: &Tenant) -> NaiveDate {
    state.portal.billing().today(tenant)
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_are_plain_decimal_strings() {
        assert_eq!(
            parse_amount("amount", "120.50").unwrap().to_string(),
            "120.50"
        );
        assert_eq!(parse_amount("amount", "-1").unwrap().to_string(), "-1");
        for bad in ["", "1e3", "1_000", "12,50", "abc", "1.2.3", "--1", " "] {
            assert!(parse_amount("amount", bad).is_err(), "{bad}");
        }
    }
}
