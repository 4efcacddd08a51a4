//! The service contracts context's conflicts.

/// Contract rules an upsert can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContractsConflict {
    /// An upsert names a contract of another account (a contract is with
    /// one account for good).
    #[error("the service contract belongs to another account")]
    ContractOfAnotherAccount,
}
