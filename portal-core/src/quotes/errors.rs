//! The quotes context's conflicts: which rule refused a decision or an
//! upsert, about which quote, so front ends can say so.

/// Quote rules a change can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuotesConflict {
    /// The quote was approved or declined already (once is all).
    #[error("quote {number} was decided already")]
    AlreadyDecided {
        /// Its number.
        number: String,
        /// Whether it was approved (else declined).
        approved: bool,
    },
    /// The quote's valid-until day has passed.
    #[error("quote {number} has expired")]
    Expired {
        /// Its number.
        number: String,
    },
    /// The quote changed since the customer was shown it: what they
    /// would approve is not what they read.
    #[error("quote {number} changed since it was shown")]
    Changed {
        /// Its number.
        number: String,
    },
    /// An upsert names a quote of another account.
    #[error("the quote belongs to another account")]
    QuoteOfAnotherAccount,
    /// An upsert would change a quote that was decided already.
    #[error("quote {number} was decided and is not rewritten")]
    DecidedQuoteChanged {
        /// Its number.
        number: String,
    },
}
