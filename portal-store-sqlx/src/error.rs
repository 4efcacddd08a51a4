//! One place that turns database errors into [`StoreError`]s, for both
//! databases: unique violations become `Conflict(Taken(..))` naming the
//! value that is taken, foreign-key violations `NotFound` (the row referred to is not
//! there), and everything else `Backend`, whose text is logged, never shown.

use portal_core::ports::StoreError;
use portal_core::shared::{Conflict, Unique};
use sqlx::error::{DatabaseError, ErrorKind};

/// Uniqueness rules callers can act on: the PostgreSQL constraint (or
/// unique index) name, the column SQLite names in its message
/// (`UNIQUE constraint failed: contacts.tenant_id, contacts.email`), and
/// the text for the caller.
const UNIQUE_RULES: [(&str, &str, Unique); 3] = [
    ("contacts_tenant_email_key", "contacts.email", Unique::Email),
    ("contacts_tenant_phone_key", "contacts.phone", Unique::Phone),
    ("tenants_slug_key", "tenants.slug", Unique::TenantSlug),
];

/// Maps any sqlx error to the port's error.
pub(crate) fn store_error(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(database) = &error {
        match database.kind() {
            ErrorKind::UniqueViolation => {
                return StoreError::Conflict(Conflict::Taken(taken(database.as_ref())));
            }
            ErrorKind::ForeignKeyViolation => return StoreError::NotFound,
            _ => {}
        }
    }
    backend(error)
}

/// Wraps an unexpected failure (a migration, a row that does not decode).
pub(crate) fn backend(error: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(error.to_string())
}

fn taken(error: &dyn DatabaseError) -> Unique {
    let constraint = error.constraint();
    let message = error.message();
    UNIQUE_RULES
        .iter()
        .find(|(name, column, _)| constraint == Some(*name) || message.contains(column))
        .map_or(Unique::Other, |(_, _, unique)| *unique)
}
