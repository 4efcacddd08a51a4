//! The jobs context's conflicts: which rule refused a host's upsert.

/// Job rules an upsert can break. Only the host's upserts break them (a
/// record named for another account); customers only read jobs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobsConflict {
    /// The job belongs to another account (a job never moves account).
    #[error("the job belongs to another account")]
    JobOfAnotherAccount,
    /// The job's property belongs to another account.
    #[error("the property belongs to another account")]
    PropertyOfAnotherAccount,
    /// A linked invoice belongs to another account.
    #[error("a linked invoice belongs to another account")]
    InvoiceOfAnotherAccount,
    /// A linked asset belongs to another account.
    #[error("a linked asset belongs to another account")]
    AssetOfAnotherAccount,
}
