//! The identity context's conflicts.

/// Identity rules a write can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityConflict {
    /// The password hash is no longer the one the write was based on (a
    /// reset or change committed meanwhile).
    #[error("the password changed meanwhile")]
    PasswordChanged,
    /// The password changed or the contact was locked while a log-in was
    /// being checked.
    #[error("the password changed or the log-in was locked meanwhile")]
    PasswordChangedOrLocked,
    /// A first password was asked for a contact who has one.
    #[error("the contact already has a password")]
    PasswordAlreadySet,
    /// The contact's name, e-mail, phone or other numbers changed while a
    /// change of their details was being made (it was built on the old
    /// ones).
    #[error("the contact's details changed meanwhile")]
    DetailsChanged,
}
