//! Rentals: what a customer has hired from the host. Rental contracts
//! with the items out on them, reservations (items booked ahead), the
//! "items out" view across every open contract, and "call off rent"
//! requests that ask the host to collect items.
//!
//! - The host pushes contracts and reservations in by its own ids
//!   ([`RentalContractUpsert`], [`ReservationUpsert`]; idempotent: the same
//!   upsert twice is one record) and moves call-offs along like any
//!   service request (`portal.host().set_request_status(..)`).
//! - A call-off never asks for more than is still out: per item, the
//!   quantity out less the quantity returned less what the contract's
//!   open call-offs (pending, scheduled or in progress) already asked for
//!   ([`ContractDetail::available`], checked by [`CallOffRequest::check`]
//!   and again by the store under the account's lock, so two racing
//!   call-offs for the last items give one success and one conflict).
//! - Each call-off writes a `RentalCallOffRequested` host event to the
//!   outbox in its transaction.

mod call_off;
mod contract;
mod errors;
mod ports;
mod service;

pub use call_off::{
    CallOff, CallOffItem, CallOffLine, CallOffRequest, MAX_CALL_OFF_ITEMS, MAX_CALL_OFF_NOTES,
};
pub use contract::{
    Contract, ContractDetail, ContractLine, ContractQuery, ContractStatus, ItemOut,
    MAX_CONTRACT_LINES, RentalContractUpsert, Reservation, ReservationItem, ReservationStatus,
    ReservationUpsert,
};
pub use errors::RentalsConflict;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockRentalStore;
pub use ports::RentalStore;
pub use service::RentalsService;
