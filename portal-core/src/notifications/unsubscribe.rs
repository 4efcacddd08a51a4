//! The signed token in every notification mail's "turn these off" link:
//! it names the contact and the kind, and carries an HMAC-SHA256 over
//! them and the tenant with the portal's
//! [`SecretKey`](crate::identity::SecretKey), so the link works without
//! logging in and cannot be forged or moved to another contact, kind or
//! tenant. Nothing is stored. It does not expire: a link in an old mail
//! still turns its kind off.

use hmac::Mac;

use crate::identity::SecretKey;
use crate::notifications::NotificationKind;
use crate::shared::{ContactId, TenantId};

fn mac(key: &SecretKey, tenant: TenantId, contact: ContactId, kind: NotificationKind) -> Vec<u8> {
    key.mac(&format!(
        "portal-unsubscribe:v1:{tenant}:{contact}:{}",
        kind.as_str()
    ))
    .finalize()
    .into_bytes()
    .to_vec()
}

/// The token for `contact` of `tenant` and `kind`.
///
/// ```
/// use portal_core::identity::SecretKey;
/// use portal_core::notifications::{NotificationKind, unsubscribe};
/// use portal_core::shared::{ContactId, TenantId};
///
/// let key = SecretKey::random();
/// let (tenant, contact) = (TenantId::new(), ContactId::new());
/// let token = unsubscribe::token(&key, tenant, contact, NotificationKind::QuoteIssued);
/// assert_eq!(
///     unsubscribe::verify(&key, tenant, &token),
///     Some((contact, NotificationKind::QuoteIssued))
/// );
/// assert_eq!(unsubscribe::verify(&key, TenantId::new(), &token), None);
/// ```
pub fn token(
    key: &SecretKey,
    tenant: TenantId,
    contact: ContactId,
    kind: NotificationKind,
) -> String {
    format!(
        "v1.{contact}.{}.{}",
        kind.as_str(),
        hex::encode(mac(key, tenant, contact, kind))
    )
}

/// The contact and kind a token of `tenant` names; `None` for anything
/// forged, altered, of another tenant or malformed.
pub fn verify(
    key: &SecretKey,
    tenant: TenantId,
    token: &str,
) -> Option<(ContactId, NotificationKind)> {
    let mut parts = token.trim().split('.');
    let (Some("v1"), Some(contact), Some(kind), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let contact = ContactId::parse(contact).ok()?;
    let kind = NotificationKind::parse(kind)?;
    let signature = hex::decode(signature).ok()?;
    // verify_slice compares in constant time.
    key.mac(&format!(
        "portal-unsubscribe:v1:{tenant}:{contact}:{}",
        kind.as_str()
    ))
    .verify_slice(&signature)
    .ok()?;
    Some((contact, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_passes_only_unaltered_with_its_key_and_tenant() {
        let key = SecretKey::random();
        let (tenant, contact) = (TenantId::new(), ContactId::new());
        let kind = NotificationKind::InvoiceIssued;
        let good = token(&key, tenant, contact, kind);
        assert_eq!(verify(&key, tenant, &good), Some((contact, kind)));

        // Another key, another tenant.
        assert_eq!(verify(&SecretKey::random(), tenant, &good), None);
        assert_eq!(verify(&key, TenantId::new(), &good), None);
        // Moved to another kind or contact, the signature kept.
        let signature = good.rsplit('.').next().unwrap();
        let other_kind = format!("v1.{contact}.quote_issued.{signature}");
        assert_eq!(verify(&key, tenant, &other_kind), None);
        let other_contact = format!("v1.{}.invoice_issued.{signature}", ContactId::new());
        assert_eq!(verify(&key, tenant, &other_contact), None);
        // Malformed in every part.
        for bad in [
            "",
            "v1",
            "v2.a.b.c",
            &format!("{good}.extra"),
            &good[..good.len() - 2],
            &format!("v1.not-an-id.invoice_issued.{signature}"),
            &format!("v1.{contact}.nope.{signature}"),
            &format!("v1.{contact}.invoice_issued.zz"),
        ] {
            assert_eq!(verify(&key, tenant, bad), None, "{bad}");
        }
    }
}
