//! The contacts context's conflicts.

/// Contact-management rules a write can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactsConflict {
    /// The change would leave the account with no contact who can manage
    /// contacts (removing, switching off or demoting the last one).
    #[error("the account's last contact who can manage contacts must stay")]
    LastManager,
    /// Another contact of the tenant has this e-mail. Deliberately says no
    /// more (not whose, not which account), so it cannot be used to look
    /// people up.
    #[error("the e-mail cannot be used for this contact")]
    EmailUnavailable,
    /// Another contact of the tenant has this phone number (said as
    /// little as [`ContactsConflict::EmailUnavailable`]).
    #[error("the phone number cannot be used for this contact")]
    PhoneUnavailable,
    /// A manager tried to change their own e-mail here. Their log-in name
    /// changes only from their own account page, which asks the new
    /// address to confirm; here it would need no proof at all.
    #[error("a contact's own e-mail is changed on their account page")]
    OwnEmail,
    /// A manager tried to switch off or remove their own access: another
    /// manager does that, so nobody locks themself out by a slip.
    #[error("a manager may not switch off or remove themself")]
    Yourself,
    /// A colleague's e-mail and phone are their log-in names: a manager
    /// changes them only while the colleague has no password and no other
    /// account (else a manager of one account could take over a person who
    /// is also on another); the colleague changes them on their own
    /// account page.
    #[error("a colleague who uses the portal changes their own e-mail and phone")]
    TheirLogIn,
}
