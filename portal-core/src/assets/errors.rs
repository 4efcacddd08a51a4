//! The assets context's conflicts.

/// Asset rules an upsert can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssetsConflict {
    /// An upsert names an asset of another account (equipment stays with
    /// its account, and so does its service history).
    #[error("the asset belongs to another account")]
    AssetOfAnotherAccount,
    /// An upsert places the asset at a property of another account.
    #[error("the property belongs to another account")]
    PropertyOfAnotherAccount,
}
