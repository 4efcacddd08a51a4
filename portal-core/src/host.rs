//! The host's API: the host product pushes its data in by its own ids
//! (idempotent upserts) and runs the portal's administration. It is Rust
//! code of the host's, so it is trusted; the customer-facing checks apply to
//! everything customers do with the data.
//!
//! Each context adds its host-side use cases to [`HostApi`] in its own
//! folder (`tenancy/service.rs`, `accounts/host.rs`,
//! `identity/service/host.rs`, `billing/service/host.rs`).

use crate::portal::Portal;

/// The host's side of the portal; get one with [`Portal::host`].
pub struct HostApi<'a> {
    pub(crate) portal: &'a Portal,
}

impl<'a> HostApi<'a> {
    pub(crate) fn new(portal: &'a Portal) -> Self {
        Self { portal }
    }

    /// The store ports.
    pub(crate) fn stores(&self) -> &'a crate::portal::Stores {
        self.portal.stores()
    }
}
