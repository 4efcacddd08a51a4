//! Contacts as their account's manager sees them: who has access to the
//! account's portal, with which role, and the changes a contact with
//! [`Permission::ManageContacts`](crate::access::Permission::ManageContacts)
//! makes to them (add, edit, change role, switch access on or off, remove).
//!
//! Identity keeps the person (log-in names, passwords, sessions, tokens);
//! this context keeps the *membership* side a customer manages. Access is
//! per membership: switching a colleague off on account A leaves their
//! access to account B as it is. Two rules hold here and in the store
//! transaction: the last contact of the account who can manage contacts is
//! never removed, switched off or demoted ([`ContactsConflict::LastManager`]),
//! and every change is written to the outbox as a host event in the same
//! transaction (`DomainEvent::Contact*`).

mod errors;
mod models;
mod ports;
mod service;

pub use errors::ContactsConflict;
pub use models::{
    AccountContact, ContactChange, ContactDetails, NewAccountContact, PORTAL_EXTERNAL_ID_PREFIX,
    PortalStatus, can_manage_contacts,
};
pub use ports::AccountContactStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockAccountContactStore;
pub use service::ContactsService;
