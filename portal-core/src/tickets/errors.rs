//! The tickets context's conflicts: which rule refused a change.

/// Ticket rules a change can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TicketsConflict {
    /// The ticket is closed: reopen it before replying.
    #[error("the ticket is closed")]
    Closed,
    /// Only a closed ticket can be reopened.
    #[error("the ticket is not closed")]
    NotClosed,
    /// The business does not let customers reopen tickets.
    #[error("closed tickets cannot be reopened")]
    ReopenNotAllowed,
}
