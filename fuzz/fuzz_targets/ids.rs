//! Ids and keys from outside: our UUID ids (paths, forms, bodies), the
//! host's external ids, idempotency keys, tenant slugs and the stored
//! names of roles and statuses. No panic; what parses prints back to text
//! that parses to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portal_core::access::Role;
use portal_core::billing::{
    IdempotencyKey, InvoiceStatus, PaymentKind, PaymentSource, PaymentStatus,
};
use portal_core::identity::{SessionKind, TokenPurpose};
use portal_core::shared::{ExternalId, InvoiceId, PaymentId};
use portal_core::tenancy::TenantSlug;

fuzz_target!(|text: &str| {
    if let Ok(id) = InvoiceId::parse(text) {
        assert_eq!(InvoiceId::parse(&id.to_string()), Ok(id));
        assert_eq!(
            PaymentId::parse(text).map(|p| p.as_uuid()),
            Ok(id.as_uuid())
        );
    }
    if let Ok(external) = ExternalId::parse(text) {
        let kept = external.as_str();
        assert!(!kept.is_empty() && kept.len() <= 128 && kept == kept.trim());
        assert_eq!(ExternalId::parse(kept).as_ref(), Ok(&external));
    }
    if let Ok(key) = IdempotencyKey::parse(text) {
        assert_eq!(key.as_str(), text);
        assert!((8..=100).contains(&text.len()));
    }
    if let Ok(slug) = TenantSlug::parse(text) {
        assert_eq!(slug.as_str(), text);
        assert!(!text.starts_with('-'));
    }
    if let Some(role) = Role::parse(text) {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    if let Some(kind) = PaymentKind::parse(text) {
        assert_eq!(kind.as_str(), text);
    }
    if let Some(status) = PaymentStatus::parse(text) {
        assert_eq!(status.as_str(), text);
    }
    if let Some(status) = InvoiceStatus::parse(text) {
        assert_eq!(status.as_str(), text);
    }
    if let Some(source) = PaymentSource::parse(text) {
        assert_eq!(source.as_str(), text);
    }
    if let Some(kind) = SessionKind::parse(text) {
        assert_eq!(kind.as_str(), text);
    }
    if let Some(purpose) = TokenPurpose::parse(text) {
        assert_eq!(purpose.as_str(), text);
    }
});
