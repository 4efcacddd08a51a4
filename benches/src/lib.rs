//! # portal-benches
//!
//! Portal's benchmarks: criterion micro-benchmarks of core's hot paths
//! (`benches/core.rs`) and the HTTP load benchmark that `benches/run.sh`
//! drives end to end. The load benchmark is three binaries:
//!
//! - `bench-seed`: seeds the tenant `bench` (N accounts, 1.2 N contacts,
//!   communications, 10 N invoices and 3 N payments, jobs, tickets,
//!   passwords) and writes 1,000 fresh cookie and bearer sessions, the
//!   invoices the payment scenario pays, and the log-ins to files the load
//!   generator reads;
//! - `bench-server`: Portal's router on the seeded database, in release
//!   mode, with the production argon2id hasher;
//! - `loadgen`: a closed-loop HTTP/1.1 load generator (one task per
//!   keep-alive connection) that prints one JSON line per scenario, and
//!   measures the machine's raw argon2id hash rate.
//!
//! The library holds what they share: the dataset's [`plan`] and each
//! account's billing [`ledger`], the seeding code ([`seed`], with
//! multi-row inserts from [`bulk`]), the load generator ([`load`]), the
//! hash-rate probe ([`hashrate`]) and a tiny argument parser ([`cli`]).

pub mod bulk;
pub mod cli;
pub mod hashrate;
pub mod ledger;
pub mod load;
pub mod plan;
pub mod seed;
