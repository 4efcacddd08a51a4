//! The rentals context's conflicts: which rule refused a call-off or an
//! upsert, about what, so front ends can say so.

/// Rental rules a change can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RentalsConflict {
    /// An upsert names a contract or reservation of another account.
    #[error("the rental record belongs to another account")]
    OfAnotherAccount,
    /// The contract is closed: nothing on it can be called off.
    #[error("rental contract {number} is closed")]
    ContractClosed {
        /// Its number.
        number: String,
    },
    /// Less of an item is still out (after the open call-offs) than the
    /// call-off asks for; another call-off took it meanwhile.
    #[error("only {available} of {code} can still be called off")]
    NotEnoughOut {
        /// The item's code.
        code: String,
        /// The item's name.
        name: String,
        /// How many can still be called off.
        available: u32,
    },
}
