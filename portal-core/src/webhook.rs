//! Signed webhooks, Stripe's scheme: the sender puts
//! `Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
//! on the request, and the receiver recomputes the HMAC over the exact bytes
//! it received, compares in constant time and refuses a timestamp older
//! (or newer) than its tolerance, so a captured request cannot be replayed
//! later. Several `v1` values may be sent (a secret being rotated); one
//! matching is enough. Keys other than `t` and `v1` are ignored, so a later
//! scheme can be added beside `v1`.
//!
//! The portal signs the host events its webhook sink delivers
//! (`portal_runtime::WebhookSink`) and checks payment providers' webhooks
//! (`billing::verify_webhook_signature`) with the same code. Receivers in
//! Rust call [`verify_signature`] and read the body as a
//! [`WebhookPayload`]; the README shows the same check in Python.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::outbox::{DomainEvent, HostEvent};
use crate::shared::{AccountId, EventId, TenantId};

/// The header the signature travels in.
pub const SIGNATURE_HEADER: &str = "Portal-Signature";

/// How far a signature's timestamp may be from the receiver's clock
/// (Stripe's default, five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::minutes(5);

/// Why a signature was refused. Each is the sender's or an attacker's
/// doing: answer 400 and handle nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=<integer>,v1=<64 hex digits>[,v1=...]`.
    #[error("the signature header is malformed")]
    Malformed,
    /// No `v1` is the HMAC of this body at this timestamp under the
    /// secret: the body was changed, or signed with another secret.
    #[error("no signature matches the body")]
    Forged,
    /// Signed correctly but at `timestamp`, outside the tolerance: a
    /// replay of an old request (or a clock far off).
    #[error("the signature's timestamp {timestamp} is outside the tolerance")]
    Stale {
        /// The header's `t`.
        timestamp: i64,
    },
}

/// The header value signing `body` at `at` with `secret`.
///
/// ```
/// use portal_core::webhook::{sign, verify_signature, DEFAULT_TOLERANCE};
/// let now = chrono::Utc::now();
/// let header = sign(b"whsec_test", br#"{"id":"1"}"#, now);
/// assert!(header.starts_with(&format!("t={},v1=", now.timestamp())));
/// assert!(verify_signature(b"whsec_test", &header, br#"{"id":"1"}"#, now, DEFAULT_TOLERANCE).is_ok());
/// ```
pub fn sign(secret: &[u8], body: &[u8], at: DateTime<Utc>) -> String {
    let timestamp = at.timestamp();
    let signature = hex::encode(mac(secret, timestamp, body).finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// Checks `header` (the [`SIGNATURE_HEADER`] value) against the exact
/// `body` received, at `now`, accepting timestamps at most `tolerance`
/// away. Checks the form first, then the HMAC (constant time), then the
/// time, so a forged request is [`SignatureError::Forged`] whatever its
/// timestamp and only a genuine old one is [`SignatureError::Stale`].
///
/// ```
/// use portal_core::webhook::{sign, verify_signature, SignatureError, DEFAULT_TOLERANCE};
/// let sent = chrono::Utc::now();
/// let header = sign(b"whsec_test", b"{}", sent);
/// let later = sent + chrono::Duration::minutes(6);
/// assert_eq!(
///     verify_signature(b"whsec_test", &header, b"{}", later, DEFAULT_TOLERANCE),
///     Err(SignatureError::Stale { timestamp: sent.timestamp() })
/// );
/// assert_eq!(
///     verify_signature(b"another secret", &header, b"{}", sent, DEFAULT_TOLERANCE),
///     Err(SignatureError::Forged)
/// );
/// assert_eq!(
///     verify_signature(b"whsec_test", "v1=00", b"{}", sent, DEFAULT_TOLERANCE),
///     Err(SignatureError::Malformed)
/// );
/// ```
pub fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let (timestamp, signatures) = parse_header(header)?;
    let expected = mac(secret, timestamp, body);
    // `verify_slice` compares in constant time.
    if !signatures
        .iter()
        .any(|signature| expected.clone().verify_slice(signature).is_ok())
    {
        return Err(SignatureError::Forged);
    }
    // abs_diff: a hostile `t` at i64::MIN must not overflow.
    if now.timestamp().abs_diff(timestamp) > tolerance.num_seconds().unsigned_abs() {
        return Err(SignatureError::Stale { timestamp });
    }
    Ok(())
}

/// The header's one timestamp and its well-formed `v1` signatures (64 hex
/// digits each). Parts it does not know, and `v1` values of another shape,
/// are passed over (another scheme, a secret being rotated); without a
/// timestamp, with two, or without one well-formed `v1`, it is malformed.
fn parse_header(header: &str) -> Result<(i64, Vec<Vec<u8>>), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) if timestamp.is_none() => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            Some(("t", _)) => return Err(SignatureError::Malformed),
            Some(("v1", value)) => signatures.extend(
                hex::decode(value)
                    .ok()
                    .filter(|signature| signature.len() == 32),
            ),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !signatures.is_empty() => Ok((timestamp, signatures)),
        _ => Err(SignatureError::Malformed),
    }
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The JSON body of every webhook delivery (schema version 1; fields are
/// only ever added):
///
/// ```json
/// {
///   "id": "0193a0c1-...",            // the event; the same on every retry and replay
///   "type": "payment_succeeded",      // what happened (DomainEvent's names)
///   "tenant": "0193a0c0-...",         // which business's portal
///   "account": "0193a0c2-..." | null, // the account it is about (null: a contact alone)
///   "occurred_at": "2026-12-05T09:30:00.123456Z",
///   "data": { "account": "...", "payment": "...", "amount": "125.50", ... }
/// }
/// ```
///
/// `data` holds the event's own fields, as [`DomainEvent`] names them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// The event's id: deduplicate on it.
    pub id: EventId,
    /// What happened (`contact_registered`, `payment_succeeded`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// The tenant.
    pub tenant: TenantId,
    /// The account the event is about, if it is about one.
    pub account: Option<AccountId>,
    /// When the change was committed (the database's clock).
    pub occurred_at: DateTime<Utc>,
    /// The event's fields.
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl WebhookPayload {
    /// The body for `event`.
    pub fn of(event: &HostEvent) -> Self {
        let mut data = match serde_json::to_value(&event.event) {
            Ok(serde_json::Value::Object(fields)) => fields,
            // A DomainEvent is always a map (internally tagged enum).
            _ => serde_json::Map::new(),
        };
        let kind = match data.remove("event") {
            Some(serde_json::Value::String(kind)) => kind,
            _ => String::new(),
        };
        Self {
            id: event.id,
            kind,
            tenant: event.tenant,
            account: event.event.account(),
            occurred_at: event.occurred_at,
            data,
        }
    }

    /// The event as a [`DomainEvent`], for receivers written in Rust;
    /// an error for a type this version does not know (a newer sender).
    pub fn event(&self) -> Result<DomainEvent, serde_json::Error> {
        let mut fields = self.data.clone();
        fields.insert("event".into(), self.kind.clone().into());
        serde_json::from_value(serde_json::Value::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &[u8] = b"whsec_0123456789";

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    proptest! {
        #[test]
        fn any_body_signed_verifies(body in proptest::collection::vec(any::<u8>(), 0..2048),
                                    seconds in 0i64..4_000_000_000) {
            let header = sign(SECRET, &body, at(seconds));
            prop_assert_eq!(verify_signature(SECRET, &header, &body, at(seconds), DEFAULT_TOLERANCE), Ok(()));
        }

        #[test]
        fn any_changed_byte_of_the_body_is_refused_as_forged(
            body in proptest::collection::vec(any::<u8>(), 1..2048),
            index in any::<proptest::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let header = sign(SECRET, &body, at(1_800_000_000));
            let mut changed = body.clone();
            let i = index.index(changed.len());
            changed[i] ^= flip;
            prop_assert_eq!(
                verify_signature(SECRET, &header, &changed, at(1_800_000_000), DEFAULT_TOLERANCE),
                Err(SignatureError::Forged)
            );
        }

        #[test]
        fn any_changed_character_of_the_signature_is_refused(
            index in 0usize..64,
            digit in 0u8..16,
        ) {
            let now = at(1_800_000_000);
            let header = sign(SECRET, b"{}", now);
            let (prefix, signature) = header.split_at(header.len() - 64);
            let mut signature = signature.as_bytes().to_vec();
            let replacement = b"0123456789abcdef"[usize::from(digit)];
            prop_assume!(signature[index] != replacement);
            signature[index] = replacement;
            let forged = format!("{prefix}{}", String::from_utf8(signature).unwrap());
            prop_assert_eq!(
                verify_signature(SECRET, &forged, b"{}", now, DEFAULT_TOLERANCE),
                Err(SignatureError::Forged)
            );
        }

        #[test]
        fn no_header_text_panics_or_passes(header in ".{0,200}") {
            let refused = verify_signature(SECRET, &header, b"{}", at(1_800_000_000), DEFAULT_TOLERANCE);
            prop_assert!(refused.is_err());
        }
    }

    #[test]
    fn a_timestamp_outside_the_tolerance_is_stale_either_way() {
        let sent = at(1_800_000_000);
        let header = sign(SECRET, b"{}", sent);
        let edge = sent + DEFAULT_TOLERANCE;
        assert_eq!(
            verify_signature(SECRET, &header, b"{}", edge, DEFAULT_TOLERANCE),
            Ok(())
        );
        for now in [
            edge + Duration::seconds(1),
            sent - DEFAULT_TOLERANCE - Duration::seconds(1),
        ] {
            assert_eq!(
                verify_signature(SECRET, &header, b"{}", now, DEFAULT_TOLERANCE),
                Err(SignatureError::Stale {
                    timestamp: sent.timestamp()
                })
            );
        }
        let hostile = format!("t={},v1={}", i64::MIN, "00".repeat(32));
        assert_eq!(
            verify_signature(SECRET, &hostile, b"{}", sent, DEFAULT_TOLERANCE),
            Err(SignatureError::Forged)
        );
    }

    #[test]
    fn malformed_headers_are_refused_as_such() {
        let sent = at(1_800_000_000);
        let good = sign(SECRET, b"{}", sent);
        let v1 = &good[good.len() - 64..];
        for header in [
            String::new(),
            format!("v1={v1}"),
            "t=1800000000".to_owned(),
            format!("t=soon,v1={v1}"),
            format!("t=1800000000,v1={}", &v1[..62]),
            format!("t=1800000000,v1=zz{}", &v1[2..]),
            format!("t=1800000000,t=1800000000,v1={v1}"),
            format!("t=1800000000;v1={v1}"),
        ] {
            assert_eq!(
                verify_signature(SECRET, &header, b"{}", sent, DEFAULT_TOLERANCE),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn a_rotated_secret_passes_with_either_signature_and_unknown_schemes_are_ignored() {
        let sent = at(1_800_000_000);
        let header = sign(SECRET, b"{}", sent);
        let rotated = format!("{header},v1={},v0=legacy", "ab".repeat(32));
        assert_eq!(
            verify_signature(SECRET, &rotated, b"{}", sent, DEFAULT_TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn the_payload_names_the_event_and_reads_back_as_it() {
        let account = AccountId::new();
        let event = HostEvent {
            id: EventId::new(),
            tenant: TenantId::new(),
            occurred_at: at(1_800_000_000),
            event: DomainEvent::PortalAccessChanged {
                account,
                enabled: false,
            },
        };
        let payload = WebhookPayload::of(&event);
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["type"], "portal_access_changed");
        assert_eq!(json["account"], account.to_string());
        assert_eq!(json["occurred_at"], "2027-01-15T08:00:00Z");
        assert_eq!(json["data"]["enabled"], false);
        assert!(json["data"].get("event").is_none());
        let read: WebhookPayload = serde_json::from_value(json).unwrap();
        assert_eq!(read.event().unwrap(), event.event);
    }
}
