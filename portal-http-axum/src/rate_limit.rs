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

    /// Whether `client` may make one more request now.
    pub fn allows(&self, client: IpAddr) -> bool {
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
