//! Assets and equipment: what the customer has on site (a boiler, a
//! rooftop unit, a server), at which property and where there, with its
//! make, model, serial number, install date, next maintenance date and
//! service history (the jobs that touched it).
//!
//! - The host pushes them in by its own ids ([`AssetUpsert`], idempotent;
//!   the property is named by the host's property id, and must be the
//!   asset's account's). An asset stays with its account for good.
//! - The service history is the jobs linked to this asset's external id
//!   (`job_assets`), newest first, read in one indexed query
//!   ([`AssetStore::asset_history`]); the jobs are the jobs context's
//!   ([`crate::jobs`]), and the link is written by their upserts.
//! - Customers read the active account's assets ([`AssetsService`],
//!   `portal.assets()`), with the assets feature and
//!   [`crate::access::Permission::ViewAssets`].

mod asset;
mod errors;
mod ports;
mod service;

/// The jobs context's statuses, which the history shows (named here too,
/// where the history's front ends have always found it).
pub use crate::jobs::JobStatus;
pub use asset::{Asset, AssetJob, AssetQuery, AssetUpsert, MAX_ASSET_DETAIL, MAX_ASSET_NAME};
pub use errors::AssetsConflict;
pub use ports::AssetStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockAssetStore;
pub use service::AssetsService;
