//! Per-client-address rate limiting of the endpoints that guess at
//! credentials (log-in, registration, reset, set-password). Counters live in
//! process memory: a coarse throttle per process. The lockout that protects
//! a contact across processes counts in the database.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

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

    /// Whether `client` may make one more request now, or else how long
    /// until it may. IPv6 clients are counted per /64, the block one
    /// subscriber usually holds (as the lockout counts them).
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let client = portal_core::identity::client_block(client);
        match &self.0 {
            Some(limiter) => {
                if limiter.len() > 100_000 {
                    limiter.retain_recent();
                }
                limiter
                    .check_key(&client)
                    .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
            }
            None => Ok(()),
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
        assert!(limiter.check("2001:db8:0:1::1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("2001:db8:0:1::ffff".parse().unwrap())
                .is_err()
        );
        assert!(limiter.check("2001:db8:0:2::1".parse().unwrap()).is_ok());
    }

    #[test]
    fn a_refusal_says_when_the_next_request_is_allowed() {
        let limiter = AuthLimiter::new(Some(RateLimit {
            per_minute: 2,
            burst: 1,
        }));
        let client = "192.0.2.1".parse().unwrap();
        assert!(limiter.check(client).is_ok());
        let wait = limiter.check(client).unwrap_err();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }
}
