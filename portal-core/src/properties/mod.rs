//! Properties: an account's service locations (a house, a site, a
//! branch). Jobs happen at one and requests for service name one, so a
//! customer whose account has several picks which.
//!
//! - The host pushes them in by its own ids ([`PropertyUpsert`],
//!   idempotent: the same property twice is one; a change updates it).
//! - A property belongs to one account, for good: an upsert naming it for
//!   another account is a conflict, not a move.
//! - Customers read the active account's properties
//!   ([`PropertiesService`], `portal.properties()`), with the services
//!   feature and [`crate::access::Permission::ViewServices`].

mod errors;
mod ports;
mod property;
mod service;

pub use errors::PropertiesConflict;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockPropertyStore;
pub use ports::PropertyStore;
pub use property::{MAX_ADDRESS_LINE, MAX_PROPERTY_NAME, Property, PropertyUpsert};
pub use service::PropertiesService;
