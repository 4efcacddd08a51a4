//! A payment gateway that runs in memory, for the demo, tests and
//! benchmarks. It behaves like a real one where it matters: repeated
//! idempotency keys replay the first answer, a timeout means the charge
//! happened but the answer was lost (so reconciling finds it), and its
//! webhooks are signed.
//!
//! Test tokens (the one-time tokens a payment form would get from the
//! provider's card field):
//!
//! | token | result |
//! | --- | --- |
//! | `tok_sandbox_visa` | succeeds (Visa ending 4242) |
//! | `tok_sandbox_mastercard` | succeeds (Mastercard ending 4444) |
//! | `tok_sandbox_decline` | declined: "Your card was declined." |
//! | `tok_sandbox_insufficient_funds` | declined: "Your card has insufficient funds." |
//! | `tok_sandbox_timeout` | the call times out, but the charge succeeded |
//! | `tok_sandbox_error` | the gateway fails; nothing is charged |
//!
//! Saving a test token gives a reusable `pm_sandbox_...` token that
//! behaves the same way. Any other token is refused as invalid.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use portal_core::billing::{
    CardToken, ChargeOutcome, ChargeRequest, GatewayError, GatewayEvent, PaymentGateway,
    SavedMethod, WebhookError, sign_webhook, verify_webhook_signature,
};
use portal_core::shared::Money;

/// How a test token behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Visa,
    Mastercard,
    Decline,
    InsufficientFunds,
    Timeout,
    Error,
}

impl Behaviour {
    const ALL: [(Behaviour, &'static str); 6] = [
        (Behaviour::Visa, "visa"),
        (Behaviour::Mastercard, "mastercard"),
        (Behaviour::Decline, "decline"),
        (Behaviour::InsufficientFunds, "insufficient_funds"),
        (Behaviour::Timeout, "timeout"),
        (Behaviour::Error, "error"),
    ];

    /// The behaviour of a one-time `tok_sandbox_*` or saved
    /// `pm_sandbox_*_<n>` token.
    fn of(token: &str) -> Option<Self> {
        if let Some(name) = token.strip_prefix("tok_sandbox_") {
            return Self::named(name);
        }
        let rest = token.strip_prefix("pm_sandbox_")?;
        let (name, serial) = rest.rsplit_once('_')?;
        serial.parse::<u64>().ok()?;
        Self::named(name)
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(behaviour, _)| *behaviour)
    }

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(behaviour, _)| *behaviour == self)
            .map_or("visa", |(_, name)| name)
    }

    fn card(self) -> (&'static str, &'static str) {
        match self {
            Behaviour::Visa => ("Visa", "4242"),
            Behaviour::Mastercard => ("Mastercard", "4444"),
            Behaviour::Decline => ("Visa", "0002"),
            Behaviour::InsufficientFunds => ("Visa", "9995"),
            Behaviour::Timeout => ("Visa", "0119"),
            Behaviour::Error => ("Visa", "0127"),
        }
    }
}

/// One charge the sandbox processed.
#[derive(Clone, Debug)]
struct Charge {
    amount: Money,
    method_token: String,
    outcome: ChargeOutcome,
}

/// The in-memory gateway; see the module docs for its test tokens. It
/// plugs into the builder like any provider's adapter:
///
/// ```
/// use std::sync::Arc;
/// use portal_core::{ports::Store, Portal};
/// use portal_runtime::{Argon2Hasher, SandboxGateway};
///
/// fn wire(store: Arc<dyn Store>) -> Portal {
///     Portal::builder(store, Arc::new(Argon2Hasher::insecure_for_tests()))
///         .gateway(Arc::new(SandboxGateway::default()))
///         .build()
/// }
/// ```
pub struct SandboxGateway {
    webhook_secret: Vec<u8>,
    charges: Mutex<HashMap<String, Charge>>,
    refunds: Mutex<HashMap<String, String>>,
    serial: AtomicU64,
}

impl SandboxGateway {
    /// A sandbox whose webhooks are signed with `webhook_secret`.
    pub fn new(webhook_secret: impl Into<Vec<u8>>) -> Self {
        Self {
            webhook_secret: webhook_secret.into(),
            charges: Mutex::default(),
            refunds: Mutex::default(),
            serial: AtomicU64::new(1),
        }
    }

    /// How many charges succeeded: the money actually taken (tests count
    /// it to prove nothing was charged twice).
    pub fn successful_charges(&self) -> usize {
        self.lock_charges()
            .values()
            .filter(|charge| matches!(charge.outcome, ChargeOutcome::Succeeded { .. }))
            .count()
    }

    /// The total successfully charged.
    pub fn charged_total(&self) -> Decimal {
        self.lock_charges()
            .values()
            .filter(|charge| matches!(charge.outcome, ChargeOutcome::Succeeded { .. }))
            .map(|charge| charge.amount.amount())
            .sum()
    }

    /// The signed webhook the provider would send about the charge with
    /// this key: `(body, signature header)`; `None` if there was none.
    pub fn webhook_for(
        &self,
        idempotency_key: &str,
        at: DateTime<Utc>,
    ) -> Option<(Vec<u8>, String)> {
        let outcome = self.lock_charges().get(idempotency_key)?.outcome.clone();
        let event = GatewayEvent {
            id: format!(
                "evt_sandbox_{}",
                self.serial.fetch_add(1, Ordering::Relaxed)
            ),
            idempotency_key: idempotency_key.to_owned(),
            outcome,
        };
        let body = serde_json::to_vec(&event).ok()?;
        let header = sign_webhook(&self.webhook_secret, &body, at);
        Some((body, header))
    }

    fn lock_charges(&self) -> std::sync::MutexGuard<'_, HashMap<String, Charge>> {
        self.charges
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn reference(&self, prefix: &str) -> String {
        format!(
            "{prefix}_sandbox_{:08}",
            self.serial.fetch_add(1, Ordering::Relaxed)
        )
    }
}

impl Default for SandboxGateway {
    fn default() -> Self {
        Self::new("whsec_sandbox")
    }
}

#[async_trait]
impl PaymentGateway for SandboxGateway {
    async fn charge(&self, request: &ChargeRequest) -> Result<ChargeOutcome, GatewayError> {
        let behaviour = Behaviour::of(request.method_token.expose())
            .ok_or_else(|| GatewayError::InvalidMethod("unknown sandbox token".to_owned()))?;
        if !request.amount.is_positive() {
            return Err(GatewayError::Failed("amount must be positive".to_owned()));
        }
        let mut charges = self.lock_charges();
        if let Some(first) = charges.get(&request.idempotency_key) {
            let same = first.amount == request.amount
                && first.method_token == request.method_token.expose();
            return if same {
                Ok(first.outcome.clone())
            } else {
                Err(GatewayError::Failed(
                    "idempotency key reused with different parameters".to_owned(),
                ))
            };
        }
        let outcome = match behaviour {
            Behaviour::Error => {
                return Err(GatewayError::Failed("sandbox gateway error".to_owned()));
            }
            Behaviour::Decline => ChargeOutcome::Declined {
                code: "card_declined".to_owned(),
                message: "Your card was declined.".to_owned(),
            },
            Behaviour::InsufficientFunds => ChargeOutcome::Declined {
                code: "insufficient_funds".to_owned(),
                message: "Your card has insufficient funds.".to_owned(),
            },
            Behaviour::Visa | Behaviour::Mastercard | Behaviour::Timeout => {
                ChargeOutcome::Succeeded {
                    reference: self.reference("ch"),
                }
            }
        };
        charges.insert(
            request.idempotency_key.clone(),
            Charge {
                amount: request.amount,
                method_token: request.method_token.expose().to_owned(),
                outcome: outcome.clone(),
            },
        );
        if behaviour == Behaviour::Timeout {
            // The money moved; only the answer is lost.
            return Err(GatewayError::Timeout);
        }
        Ok(outcome)
    }

    async fn charge_status(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<ChargeOutcome>, GatewayError> {
        Ok(self
            .lock_charges()
            .get(idempotency_key)
            .map(|charge| charge.outcome.clone()))
    }

    async fn save_method(&self, token: &CardToken) -> Result<SavedMethod, GatewayError> {
        let behaviour = token
            .expose()
            .strip_prefix("tok_sandbox_")
            .and_then(Behaviour::named)
            .ok_or_else(|| GatewayError::InvalidMethod("unknown sandbox token".to_owned()))?;
        let (brand, last4) = behaviour.card();
        Ok(SavedMethod {
            token: CardToken::new(format!(
                "pm_sandbox_{}_{}",
                behaviour.name(),
                self.serial.fetch_add(1, Ordering::Relaxed)
            )),
            brand: brand.to_owned(),
            last4: last4.to_owned(),
            exp_month: Some(12),
            exp_year: Some(2030),
        })
    }

    async fn refund(
        &self,
        reference: &str,
        amount: Money,
        idempotency_key: &str,
    ) -> Result<String, GatewayError> {
        let charged = self.lock_charges().values().any(|charge| {
            charge.amount.checked_cmp(&amount).is_ok_and(|order| order.is_ge())
                && matches!(&charge.outcome, ChargeOutcome::Succeeded { reference: r } if r == reference)
        });
        if !charged {
            return Err(GatewayError::Failed("no such charge to refund".to_owned()));
        }
        let mut refunds = self
            .refunds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(first) = refunds.get(idempotency_key) {
            return Ok(first.clone());
        }
        let refund = self.reference("re");
        refunds.insert(idempotency_key.to_owned(), refund.clone());
        Ok(refund)
    }

    fn verify_webhook(
        &self,
        body: &[u8],
        signature_header: &str,
        now: DateTime<Utc>,
    ) -> Result<GatewayEvent, WebhookError> {
        verify_webhook_signature(&self.webhook_secret, body, signature_header, now)?;
        serde_json::from_slice(body).map_err(|error| WebhookError::BadBody(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::shared::Currency;

    fn request(token: &str, key: &str) -> ChargeRequest {
        ChargeRequest {
            amount: Money::new(Decimal::TEN, Currency::USD),
            method_token: CardToken::new(token),
            idempotency_key: key.to_owned(),
            description: "test".to_owned(),
        }
    }

    #[tokio::test]
    async fn test_tokens_behave_as_documented() {
        let gateway = SandboxGateway::default();
        let ok = gateway.charge(&request("tok_sandbox_visa", "k1")).await;
        assert!(matches!(ok, Ok(ChargeOutcome::Succeeded { .. })));
        let declined = gateway.charge(&request("tok_sandbox_decline", "k2")).await;
        assert!(
            matches!(declined, Ok(ChargeOutcome::Declined { code, .. }) if code == "card_declined")
        );
        let broke = gateway
            .charge(&request("tok_sandbox_insufficient_funds", "k3"))
            .await;
        assert!(
            matches!(broke, Ok(ChargeOutcome::Declined { code, .. }) if code == "insufficient_funds")
        );
        assert_eq!(
            gateway.charge(&request("tok_sandbox_error", "k4")).await,
            Err(GatewayError::Failed("sandbox gateway error".to_owned()))
        );
        assert_eq!(
            gateway.charge(&request("tok_sandbox_timeout", "k5")).await,
            Err(GatewayError::Timeout)
        );
        assert!(matches!(
            gateway.charge_status("k5").await,
            Ok(Some(ChargeOutcome::Succeeded { .. }))
        ));
        assert!(matches!(
            gateway.charge(&request("4242424242424242", "k6")).await,
            Err(GatewayError::InvalidMethod(_))
        ));
        assert_eq!(gateway.successful_charges(), 2);
    }

    #[tokio::test]
    async fn a_key_charges_once() {
        let gateway = SandboxGateway::default();
        let first = gateway
            .charge(&request("tok_sandbox_visa", "same-key"))
            .await;
        let again = gateway
            .charge(&request("tok_sandbox_visa", "same-key"))
            .await;
        assert_eq!(first, again);
        assert_eq!(gateway.successful_charges(), 1);
        let mut other = request("tok_sandbox_visa", "same-key");
        other.amount = Money::new(Decimal::ONE, Currency::USD);
        assert!(gateway.charge(&other).await.is_err());
    }

    #[tokio::test]
    async fn saved_methods_keep_their_behaviour_and_webhooks_verify() {
        let gateway = SandboxGateway::new("secret");
        let saved = gateway
            .save_method(&CardToken::new("tok_sandbox_decline"))
            .await
            .unwrap();
        assert_eq!(
            (saved.brand.as_str(), saved.last4.as_str()),
            ("Visa", "0002")
        );
        let outcome = gateway.charge(&request(saved.token.expose(), "k")).await;
        assert!(matches!(outcome, Ok(ChargeOutcome::Declined { .. })));
        let now = Utc::now();
        let (body, header) = gateway.webhook_for("k", now).unwrap();
        let event = gateway.verify_webhook(&body, &header, now).unwrap();
        assert_eq!(event.idempotency_key, "k");
        assert!(gateway.verify_webhook(b"{}", &header, now).is_err());
    }
}
