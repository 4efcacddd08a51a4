//! The blob store conformance suite: every MUST of
//! `portal_core::blobs::BlobStore`, written once and run against the
//! folder store and the S3 store alike. The S3 tests need
//! `PORTAL_TEST_S3_URL` (an S3-compatible server on loopback, which
//! `scripts/test.sh` starts: moto) and fail without it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;
mod suite;
