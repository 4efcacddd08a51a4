//! An account's contacts as their manager changes them
//! ([`AccountContactStore`]).
//!
//! Every change first locks the contact (when there is one, like every
//! identity write: [`lock_contact`]), then the account
//! ([`Dialect::LOCK_ACCOUNT`]), so changes to one account's contacts queue
//! and the last-manager check always sees the others' committed result;
//! SQLite's write lock does the same. The check runs after the change,
//! inside the transaction: a refusal drops the transaction, which writes
//! nothing.

use async_trait::async_trait;
use chrono::Utc;
use portal_core::access::AccountScope;
use portal_core::contacts::{
    AccountContact, AccountContactStore, ContactChange, ContactsConflict, NewAccountContact,
};
use portal_core::identity::OtherPhone;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::{ContactId, EmailAddress, Page, PageRequest, PhoneNumber, TenantId};

use super::identity::{contact_sql, lock_contact, other_phones_json, spend_tokens};
use super::jobs::lock_account;
use super::outbox::enqueue;
use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset};
use crate::error::store_error;
use crate::rows::contacts::{AccountContactRow, ManagerRow};

/// The members of an account (`$1` tenant, `$2` account) as
/// [`AccountContactRow`]s with more columns (`""` for none), then the rest
/// of the statement.
macro_rules! account_contact_sql {
    ($columns:literal, $($rest:literal),*) => {
        contact_sql!(
            ", m.role, m.portal_access, EXISTS ( \
                 SELECT 1 FROM credentials cr \
                 WHERE cr.contact_id = c.id AND cr.tenant_id = c.tenant_id) AS has_password",
            $columns,
            " FROM memberships m \
             JOIN contacts c ON c.id = m.contact_id AND c.tenant_id = m.tenant_id \
             WHERE m.tenant_id = $1 AND m.account_id = $2"
            $(, $rest)*
        )
    };
}

/// The contact (`$3`) as a member of the scope's account, if they are one.
async fn member<C: Conn>(
    conn: &mut C,
    scope: AccountScope,
    contact: ContactId,
) -> Result<Option<AccountContact>, StoreError> {
    conn.fetch_optional::<AccountContactRow>(
        account_contact_sql!("", " AND c.id = $3"),
        &[
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(contact.as_uuid()),
        ],
    )
    .await?
    .map(AccountContact::try_from)
    .transpose()
}

/// Whether any member of the scope's account can manage its contacts.
async fn has_manager<C: Conn>(conn: &mut C, scope: AccountScope) -> Result<bool, StoreError> {
    let members = conn
        .fetch_all::<ManagerRow>(
            "SELECT m.role, m.portal_access, c.enabled \
             FROM memberships m \
             JOIN contacts c ON c.id = m.contact_id AND c.tenant_id = m.tenant_id \
             WHERE m.tenant_id = $1 AND m.account_id = $2",
            &[
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
            ],
        )
        .await?;
    for member in &members {
        if member.can_manage_contacts()? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Ends the contact's sessions whose active account is the scope's.
async fn end_sessions<C: Conn>(
    conn: &mut C,
    scope: AccountScope,
    contact: ContactId,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions \
         WHERE tenant_id = $1 AND active_account_id = $2 AND contact_id = $3",
        &[
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::Id(contact.as_uuid()),
        ],
    )
    .await
    .map(drop)
}

/// Writes the contact's name, e-mail and phone; spends its unused tokens
/// when the e-mail changes (a link mailed to the old address dies). A
/// phone that was one of the contact's other numbers stops being one (a
/// number is the log-in phone or another number, never both); otherwise
/// the other numbers are left as they are.
async fn write_details<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    before: &AccountContact,
    details: &portal_core::contacts::ContactDetails,
) -> Result<(), StoreError> {
    let others = &before.contact.other_phones;
    let is_login_phone = |other: &&OtherPhone| Some(&other.number) == details.phone.as_ref();
    // The list rewritten only when the new phone was in it; NULL keeps it.
    let kept = others
        .iter()
        .any(|other| is_login_phone(&other))
        .then(|| {
            let kept: Vec<OtherPhone> = others
                .iter()
                .filter(|other| !is_login_phone(other))
                .cloned()
                .collect();
            other_phones_json(&kept)
        })
        .transpose()?;
    conn.execute(
        "UPDATE contacts SET name = $3, email = $4, phone = $5, \
             other_phones = COALESCE($6, other_phones) \
         WHERE tenant_id = $1 AND id = $2",
        &[
            Arg::Id(tenant.as_uuid()),
            Arg::Id(before.contact.id.as_uuid()),
            Arg::Text(&details.name),
            Arg::Text(details.email.as_str()),
            Arg::OptText(details.phone.as_ref().map(PhoneNumber::as_str)),
            Arg::OptText(kept.as_deref()),
        ],
    )
    .await?;
    if before.contact.email.as_ref() != Some(&details.email) {
        // The port gives no time; the stamp only records that it is spent.
        spend_tokens(conn, tenant, before.contact.id, Utc::now()).await?;
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> AccountContactStore for SqlStore<B> {
    async fn account_contacts(
        &self,
        scope: AccountScope,
        page: PageRequest,
    ) -> Result<Page<AccountContact>, StoreError> {
        let [limit, offset] = limit_offset(page)?;
        fetch_page::<AccountContactRow, _>(
            &mut *self.reader().await?,
            account_contact_sql!(
                ", COUNT(*) OVER () AS full_count",
                " ORDER BY c.name, c.id LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND account_id = $2",
            &[
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
                limit,
                offset,
            ],
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(AccountContact::try_from).collect())
    }

    async fn account_contact(
        &self,
        scope: AccountScope,
        contact: ContactId,
    ) -> Result<Option<AccountContact>, StoreError> {
        member(&mut *self.reader().await?, scope, contact).await
    }

    /// Inserts the person and the membership after the account's lock; a
    /// taken e-mail or phone fails the insert (`Conflict(Taken(..))`).
    async fn add_account_contact(
        &self,
        scope: AccountScope,
        new: &NewAccountContact,
        messages: &[OutboxMessage],
    ) -> Result<AccountContact, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant, account) = (scope.tenant().as_uuid(), scope.account().as_uuid());
        lock_account(conn, tenant, account).await?;
        conn.execute(
            "INSERT INTO contacts (id, tenant_id, external_id, name, email, phone, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Arg::Id(new.id.as_uuid()),
                Arg::Id(tenant),
                Arg::Text(new.external_id.as_str()),
                Arg::Text(&new.details.name),
                Arg::Text(EmailAddress::as_str(&new.details.email)),
                Arg::OptText(new.details.phone.as_ref().map(PhoneNumber::as_str)),
                Arg::Bool(true),
            ],
        )
        .await?;
        conn.execute(
            "INSERT INTO memberships (contact_id, account_id, tenant_id, role, portal_access) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Id(new.id.as_uuid()),
                Arg::Id(account),
                Arg::Id(tenant),
                Arg::Text(new.role.as_str()),
                Arg::Bool(true),
            ],
        )
        .await?;
        enqueue(conn, scope.tenant(), messages).await?;
        let added = member(conn, scope, new.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(store_error)?;
        Ok(added)
    }

    /// Locks the contact, then the account; applies the change, refuses
    /// it if it took the account's last manager, writes `messages`.
    async fn change_account_contact(
        &self,
        scope: AccountScope,
        contact: ContactId,
        change: &ContactChange,
        messages: &[OutboxMessage],
    ) -> Result<Option<AccountContact>, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant, account) = (scope.tenant(), scope.account());
        lock_contact(conn, tenant, contact).await?;
        lock_account(conn, tenant.as_uuid(), account.as_uuid()).await?;
        let before = member(conn, scope, contact)
            .await?
            .ok_or(StoreError::NotFound)?;
        let membership = [
            Arg::Id(tenant.as_uuid()),
            Arg::Id(account.as_uuid()),
            Arg::Id(contact.as_uuid()),
        ];
        if let ContactChange::Edit { details, .. } = change {
            write_details(conn, tenant, &before, details).await?;
        }
        match change.apply(before.role, before.has_access) {
            Some((role, has_access)) => {
                conn.execute(
                    "UPDATE memberships SET role = $4, portal_access = $5 \
                     WHERE tenant_id = $1 AND account_id = $2 AND contact_id = $3",
                    &[
                        membership[0],
                        membership[1],
                        membership[2],
                        Arg::Text(role.as_str()),
                        Arg::Bool(has_access),
                    ],
                )
                .await?;
                if !has_access {
                    end_sessions(conn, scope, contact).await?;
                }
            }
            None => {
                conn.execute(
                    "DELETE FROM memberships \
                     WHERE tenant_id = $1 AND account_id = $2 AND contact_id = $3",
                    &membership,
                )
                .await?;
                end_sessions(conn, scope, contact).await?;
            }
        }
        if before.can_manage_contacts() && !has_manager(conn, scope).await? {
            return Err(StoreError::Conflict(ContactsConflict::LastManager.into()));
        }
        enqueue(conn, tenant, messages).await?;
        let after = member(conn, scope, contact).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(after)
    }
}
