//! Per-client-address rate limiting of the endpoints that guess at
//! credentials (log-in, registration, reset, set-password). Counters live in
//! process memory: a coarse throttle per process. The lockout that protects
//! a contact across processes counts in the database.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use crate::config::RateLimit;

/// A keyed limiter; cheap to clone.
#[derive(Clone)]
pub struct AuthLimiter(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl AuthLimiter {
    /// A limiter for `limit`, or one that allows everything.
    pub fn new(limit: Option<RateLimit>) -> Self {
        Self(limit.and_then(|limit| {
            let per_minute = NonZeroU32::new(limit.per_minute)?;
            let burst = NonZeroU32::new(limit.burst)?;
            Some(Arc::new(RateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            )))
        }))
    }

    /// Whether `client` may make one more request now. IPv6 clients are
    /// counted per /64, the block one subscriber usually holds (as the
    /// lockout counts them).
    pub fn allows(&self, client: IpAddr) -> bool {
        let client = portal_core::identity::client_block(client);
        match &self.0 {
            Some(limiter) => {
                if limiter.len() > 100_000 {
                    limiter.retain_recent();
                }
                limiter.check_key(&client).is_ok()
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_slash_64_is_one_client() {
        let limiter = AuthLimiter::new(Some(RateLimit {
            per_minute: 1,
            burst: 1,
        }));
        assert!(limiter.allows("2001:db8:0:1::1".parse().unwrap()));
        assert!(!limiter.allows("2001:db8:0:1::ffff".parse().unwrap()));
        assert!(limiter.allows("2001:db8:0:2::1".parse().unwrap()));
    }
}
