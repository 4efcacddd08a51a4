//! The payment gateway port, and the webhook signature scheme adapters
//! share.
//!
//! Idempotency: every charge carries the payment's idempotency key, and a
//! gateway MUST answer a repeated key with the first charge's result
//! instead of charging again (every real gateway offers this). The portal
//! adds its own guard in the store, so a key is sent to the gateway for
//! one payment only.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CardToken;
use crate::shared::Money;

/// How long a webhook's timestamp is accepted (Stripe's default).
pub const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// A charge to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChargeRequest {
    /// How much (more than zero), in what.
    pub amount: Money,
    /// A reusable method token or a one-time token.
    pub method_token: CardToken,
    /// The payment's key: the same key never charges twice.
    pub idempotency_key: String,
    /// What the customer's statement says.
    pub description: String,
}

/// The gateway's answer to a charge that it processed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ChargeOutcome {
    /// The money was taken.
    Succeeded {
        /// The gateway's reference for it.
        reference: String,
    },
    /// The card or bank refused.
    Declined {
        /// The gateway's reason code.
        code: String,
        /// What to tell the customer.
        message: String,
    },
}

/// A method saved with the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMethod {
    /// The reusable token.
    pub token: CardToken,
    /// "Visa", "Mastercard".
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: Option<u8>,
    /// Expiry year.
    pub exp_year: Option<u16>,
}

/// The gateway did not give an answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// No answer in time: the charge may or may not have happened.
    #[error("the payment provider did not answer in time")]
    Timeout,
    /// The gateway answered with an error and nothing was charged.
    /// Adapters MUST return this only when the provider guarantees that
    /// (a declined request, a validation error); an answer that leaves it
    /// open (a 5xx, a dropped connection) is a [`GatewayError::Timeout`],
    /// so the payment stays pending until it is reconciled.
    #[error("the payment provider failed: {0}")]
    Failed(String),
    /// The token was refused (unknown, used, malformed).
    #[error("the payment method was not accepted: {0}")]
    InvalidMethod(String),
}

/// An event a gateway pushed to the webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayEvent {
    /// The event's id; receivers handle each id once.
    pub id: String,
    /// The charge's idempotency key.
    pub idempotency_key: String,
    /// What became of the charge.
    pub outcome: ChargeOutcome,
}

/// A webhook was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The signature header is missing or malformed, or no signature
    /// matches, or the timestamp is outside the tolerance.
    #[error("the webhook signature is not valid")]
    BadSignature,
    /// Signed correctly, but the body is not an event we understand.
    #[error("the webhook body is not a known event: {0}")]
    BadBody(String),
}

/// A payment provider. Adapters wrap a real provider; `portal_runtime::SandboxGateway`
/// simulates one for the demo and tests.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Charges a method. MUST return the first result for a repeated
    /// idempotency key instead of charging again.
    async fn charge(&self, request: &ChargeRequest) -> Result<ChargeOutcome, GatewayError>;
    /// What became of the charge with this key, if the gateway saw it
    /// (reconciling a charge that timed out).
    async fn charge_status(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<ChargeOutcome>, GatewayError>;
    /// Turns a one-time token into a reusable, saved method.
    async fn save_method(&self, token: &CardToken) -> Result<SavedMethod, GatewayError>;
    /// Refunds (part of) a charge. MUST not refund twice for one key.
    async fn refund(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, GatewayError>;
    /// Checks a webhook's signature and reads its event.
    fn verify_webhook(
        &self,
        body: &[u8],
        signature_header: &str,
        now: DateTime<Utc>,
    ) -> Result<GatewayEvent, WebhookError>;
}

/// Checks a provider's signature header in Stripe's scheme, `t=<unix
/// seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (several `v1` allowed,
/// for secret rotation): [`crate::webhook::verify_signature`] with
/// [`WEBHOOK_TOLERANCE_SECONDS`], every refusal one `BadSignature`.
///
/// ```
/// use portal_core::billing::{sign_webhook, verify_webhook_signature};
/// let now = chrono::Utc::now();
/// let header = sign_webhook(b"secret", b"{}", now);
/// assert!(verify_webhook_signature(b"secret", b"{}", &header, now).is_ok());
/// assert!(verify_webhook_signature(b"other", b"{}", &header, now).is_err());
/// ```
pub fn verify_webhook_signature(
    secret: &[u8],
    body: &[u8],
    header: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let tolerance = chrono::Duration::seconds(WEBHOOK_TOLERANCE_SECONDS);
    crate::webhook::verify_signature(secret, header, body, now, tolerance)
        .map_err(|_| WebhookError::BadSignature)
}

/// The signature header for `body` at `at` (what a gateway sends; tests
/// and the sandbox use it).
pub fn sign_webhook(secret: &[u8], body: &[u8], at: DateTime<Utc>) -> String {
    crate::webhook::sign(secret, body, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_expire_and_bind_the_body() {
        let now = Utc::now();
        let header = sign_webhook(b"whsec", b"body", now);
        assert!(verify_webhook_signature(b"whsec", b"body", &header, now).is_ok());
        assert!(verify_webhook_signature(b"whsec", b"bodx", &header, now).is_err());
        let late = now + chrono::Duration::seconds(WEBHOOK_TOLERANCE_SECONDS + 1);
        assert!(verify_webhook_signature(b"whsec", b"body", &header, late).is_err());
        assert!(verify_webhook_signature(b"whsec", b"body", "v1=00", now).is_err());
        let hostile = format!("t={},v1=00", i64::MIN);
        assert!(verify_webhook_signature(b"whsec", b"body", &hostile, now).is_err());
        // A rotated secret: either signature is accepted.
        let rotated = format!("{header},v1={}", "ab".repeat(32));
        assert!(verify_webhook_signature(b"whsec", b"body", &rotated, now).is_ok());
    }
}
