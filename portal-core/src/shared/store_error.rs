//! The error every store port returns.

/// What went wrong in a store. Adapters map constraint violations to
/// [`StoreError::Conflict`] and everything unexpected to
/// [`StoreError::Backend`], whose text is logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in the caller's scope.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a conditional update refused the write; the
    /// value names the rule.
    #[error("conflict: {0}")]
    Conflict(super::Conflict),
    /// The database failed.
    #[error("store backend error: {0}")]
    Backend(String),
}
