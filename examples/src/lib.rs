//! Shared pieces of the example hosts: the demo tenant's seed data and a
//! webhook receiver.

pub mod seed;
pub mod webhooks;
