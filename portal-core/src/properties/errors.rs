//! The properties context's conflicts.

/// Property rules an upsert can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PropertiesConflict {
    /// An upsert names a property of another account (properties do not
    /// move between accounts: the jobs at one stay with their account).
    #[error("the property belongs to another account")]
    PropertyOfAnotherAccount,
}
