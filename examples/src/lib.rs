//! Shared pieces of the example hosts: the demo tenant's seed data.

pub mod seed;
