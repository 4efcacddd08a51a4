//! The contacts context's rows: a contact with its membership of one
//! account.

use portal_core::contacts::AccountContact;
use portal_core::ports::StoreError;
use sqlx::FromRow;

use super::*;

/// A contact of an account, selected as [`ContactRow`]'s columns and
/// `m.role, m.portal_access, has_password`.
#[derive(FromRow)]
pub(crate) struct AccountContactRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    role: String,
    portal_access: bool,
    has_password: bool,
}

impl TryFrom<AccountContactRow> for AccountContact {
    type Error = StoreError;
    fn try_from(row: AccountContactRow) -> Result<Self, StoreError> {
        Ok(AccountContact {
            contact: row.contact.try_into()?,
            role: role(&row.role)?,
            has_access: row.portal_access,
            has_password: row.has_password,
        })
    }
}

/// What the last-manager check reads of each member of an account:
/// `m.role, m.portal_access, c.enabled`.
#[derive(FromRow)]
pub(crate) struct ManagerRow {
    pub(crate) role: String,
    pub(crate) portal_access: bool,
    pub(crate) enabled: bool,
}

impl ManagerRow {
    /// Whether this member can manage the account's contacts.
    pub(crate) fn can_manage_contacts(&self) -> Result<bool, StoreError> {
        Ok(portal_core::contacts::can_manage_contacts(
            role(&self.role)?,
            self.portal_access,
            self.enabled,
        ))
    }
}
