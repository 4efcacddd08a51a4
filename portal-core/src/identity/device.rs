//! Device cookies and the client a log-in attempt comes from (OWASP's
//! "Slow Down Online Guessing Attacks with Device Cookies").
//!
//! Each successful log-in hands the browser (or API client) a device token
//! signed with the portal's [`SecretKey`] and bound to the tenant and the
//! contact. An attempt that carries a valid one for the contact it names is
//! a *recognised device*: its failures count against that device alone, and
//! locks engaged by other clients do not stop it. Every other attempt counts
//! against its client address and against all unrecognised clients of the
//! contact together (see [`LockoutPolicy`](crate::tenancy::LockoutPolicy)).
//! The token is stateless: nothing is stored until a device fails, and then
//! only its lock row, keyed by the token's random part.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::net::IpAddr;

use crate::shared::{ContactId, TenantId};

/// How long a device token is recognised after the log-in that issued it.
/// Every log-in issues a new one, so a browser in use stays recognised.
pub const DEVICE_LIFETIME: Duration = Duration::days(365);

/// The portal's secret key: signs device tokens. Give every process of a
/// deployment the same key (`PortalBuilder::secret_key`), or browsers are
/// recognised only by the process that logged them in. `Debug` prints
/// `***`.
#[derive(Clone)]
pub struct SecretKey(Box<[u8]>);

/// Why a secret key was refused.
#[derive(Debug, thiserror::Error)]
pub enum InvalidKey {
    /// Fewer than 32 bytes.
    #[error("a secret key needs at least 32 bytes (64 hex digits)")]
    TooShort,
    /// Not hex digits.
    #[error("a secret key in text must be hex digits")]
    NotHex,
}

impl SecretKey {
    /// A key from the host's configuration: at least 32 bytes (e.g. 64 hex
    /// characters decoded).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidKey> {
        if bytes.len() < 32 {
            return Err(InvalidKey::TooShort);
        }
        Ok(Self(bytes.into()))
    }

    /// A key from hex text (at least 64 digits), as configuration holds it,
    /// e.g. made by `openssl rand -hex 32`.
    ///
    /// ```
    /// use portal_core::identity::SecretKey;
    /// assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
    /// assert!(SecretKey::from_hex("abcd").is_err());
    /// ```
    pub fn from_hex(text: &str) -> Result<Self, InvalidKey> {
        Self::from_bytes(&hex::decode(text.trim()).map_err(|_| InvalidKey::NotHex)?)
    }

    /// A random key: device tokens die with the process that made it.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes.into())
    }

    /// A MAC with this key over `purpose` (which names what it is for
    /// first, so a MAC made for one thing never passes for another).
    pub(crate) fn mac(&self, purpose: &str) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(purpose.as_bytes());
        mac
    }

    fn device_mac(
        &self,
        tenant: TenantId,
        contact: ContactId,
        issued: i64,
        nonce: &str,
    ) -> Hmac<Sha256> {
        self.mac(&format!(
            "portal-device:v1:{tenant}:{contact}:{issued}:{nonce}"
        ))
    }

    /// A device token for `contact`, issued at `now`; `nonce` is its random
    /// part (32 hex digits), the device's id. Log-in issues these; a host
    /// has no need to.
    pub fn device_token(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
        nonce: &str,
    ) -> DeviceToken {
        let issued = now.timestamp();
        let mac = self
            .device_mac(tenant, contact, issued, nonce)
            .finalize()
            .into_bytes();
        DeviceToken(format!("v1.{issued}.{nonce}.{}", hex::encode(mac)))
    }

    /// The device a token names, when it is this key's, for this tenant and
    /// contact, and not older than [`DEVICE_LIFETIME`] at `now`; anything
    /// else (forged, another contact's, expired, malformed) is `None`.
    pub fn recognise(
        &self,
        tenant: TenantId,
        contact: ContactId,
        token: &str,
        now: DateTime<Utc>,
    ) -> Option<DeviceId> {
        let mut parts = token.trim().split('.');
        let (Some("v1"), Some(issued), Some(nonce), Some(mac), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let issued: i64 = issued.parse().ok()?;
        let issued_at = DateTime::<Utc>::from_timestamp(issued, 0)?;
        if issued_at > now + Duration::minutes(5) || now - issued_at > DEVICE_LIFETIME {
            return None;
        }
        if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mac = hex::decode(mac).ok()?;
        // verify_slice compares in constant time.
        self.device_mac(tenant, contact, issued, nonce)
            .verify_slice(&mac)
            .ok()?;
        Some(DeviceId(nonce.to_ascii_lowercase()))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// A device token, handed to the client at log-in (the device cookie, or
/// `device_token` in the API's answer). `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// The token's text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(***)")
    }
}

/// A recognised device: the random part of its token.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceId(String);

/// Who makes a log-in (or known-facts, or current-password) attempt, as the
/// HTTP layer sees it.
#[derive(Clone, Debug)]
pub struct LoginClient {
    /// The client's address.
    pub address: IpAddr,
    /// The device token it presented, if any (checked by the use case).
    pub device: Option<String>,
    /// Its `User-Agent`, for the security page and the audit log.
    pub user_agent: Option<String>,
}

impl LoginClient {
    /// A client without a device token.
    pub fn at(address: IpAddr) -> Self {
        Self {
            address,
            device: None,
            user_agent: None,
        }
    }

    /// What the audit log and the session keep of the client.
    pub fn info(&self) -> crate::access::ClientInfo {
        crate::access::ClientInfo {
            address: Some(self.address),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// The client an attempt is counted against, once its device token (if
/// any) has been checked for the contact it names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LoginSource {
    /// A browser or API client recognised by its device token.
    Device(DeviceId),
    /// Any other client, by address (IPv6 by its /64, see
    /// [`client_block`]).
    Address(IpAddr),
}

/// The lock scope that every unrecognised client of a contact shares.
pub const UNTRUSTED_SCOPE: &str = "untrusted";

impl LoginSource {
    /// The source for an attempt on `contact`: its device when the client
    /// presented a valid token for that contact, else its address.
    pub fn of(
        key: &SecretKey,
        tenant: TenantId,
        contact: ContactId,
        client: &LoginClient,
        now: DateTime<Utc>,
    ) -> Self {
        client
            .device
            .as_deref()
            .and_then(|token| key.recognise(tenant, contact, token, now))
            .map_or_else(
                || LoginSource::Address(client_block(client.address)),
                LoginSource::Device,
            )
    }

    /// The lock scope this source's own failures count in: `device:<id>` or
    /// `address:<ip>`.
    pub fn scope(&self) -> String {
        match self {
            LoginSource::Device(id) => format!("device:{}", id.0),
            LoginSource::Address(ip) => format!("address:{ip}"),
        }
    }

    /// Whether the source is an unrecognised client, whose failures also
    /// count in (and whose attempts are also stopped by) [`UNTRUSTED_SCOPE`].
    pub fn is_untrusted(&self) -> bool {
        matches!(self, LoginSource::Address(_))
    }
}

/// The block one subscriber usually holds: an IPv4 address itself, an IPv6
/// address's /64. Rate limits and lockouts count clients by it.
pub fn client_block(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-23T09:00:00Z".parse().unwrap()
    }

    const NONCE: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_device_token_is_recognised_only_for_its_tenant_contact_and_key() {
        let key = SecretKey::random();
        let (tenant, contact) = (TenantId::new(), ContactId::new());
        let token = key.device_token(tenant, contact, now(), NONCE);
        assert_eq!(
            key.recognise(tenant, contact, token.expose(), now()),
            Some(DeviceId(NONCE.into()))
        );
        assert_eq!(
            key.recognise(tenant, ContactId::new(), token.expose(), now()),
            None
        );
        assert_eq!(
            key.recognise(TenantId::new(), contact, token.expose(), now()),
            None
        );
        assert_eq!(
            SecretKey::random().recognise(tenant, contact, token.expose(), now()),
            None
        );
    }

    #[test]
    fn a_tampered_malformed_or_expired_token_is_not_recognised() {
        let key = SecretKey::from_bytes(&[7; 32]).unwrap();
        let (tenant, contact) = (TenantId::new(), ContactId::new());
        let token = key.device_token(tenant, contact, now(), NONCE);
        let text = token.expose();
        let other_nonce = text.replace(NONCE, "ffffffffffffffffffffffffffffffff");
        let later = text.replacen(
            &now().timestamp().to_string(),
            &(now().timestamp() + 1).to_string(),
            1,
        );
        for bad in [
            other_nonce.as_str(),
            later.as_str(),
            "",
            "v1",
            "v1.1.2.3",
            "v2.1.2.3",
            &format!("{text}.extra"),
        ] {
            assert_eq!(key.recognise(tenant, contact, bad, now()), None, "{bad}");
        }
        let expired = now() + DEVICE_LIFETIME + Duration::seconds(1);
        assert_eq!(key.recognise(tenant, contact, text, expired), None);
        assert!(
            key.recognise(tenant, contact, text, now() + DEVICE_LIFETIME)
                .is_some()
        );
    }

    #[test]
    fn short_keys_are_refused_and_keys_never_show() {
        assert!(SecretKey::from_bytes(&[1; 31]).is_err());
        assert_eq!(format!("{:?}", SecretKey::random()), "SecretKey(***)");
    }

    #[test]
    fn sources_name_their_scope_and_ipv6_counts_by_its_slash_64() {
        let a = client_block("2001:db8:0:1::1".parse().unwrap());
        assert_eq!(a, client_block("2001:db8:0:1::ffff".parse().unwrap()));
        assert_eq!(LoginSource::Address(a).scope(), "address:2001:db8:0:1::");
        assert!(LoginSource::Address(a).is_untrusted());
        let device = LoginSource::Device(DeviceId(NONCE.into()));
        assert_eq!(device.scope(), format!("device:{NONCE}"));
        assert!(!device.is_untrusted());
    }
}
