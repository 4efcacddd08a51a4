//! Accounts and their communications log on either database
//! ([`AccountStore`]).

use std::collections::BTreeMap;

use async_trait::async_trait;
use portal_core::access::AccountScope;
use portal_core::accounts::{Account, AccountUpsert};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{AccountStore, StoreError};
use portal_core::shared::{AccountId, EmailAddress, ExternalId, PhoneNumber, PostalCode, TenantId};
use uuid::Uuid;

use super::outbox::enqueue;
use super::{Arg, Backend, Conn, Dialect, DialectOf, SqlStore};
use crate::error::{backend, store_error};
use crate::rows::{AccountRow, accounts};

/// A query of `accounts` selecting the columns [`AccountRow`] reads, then
/// the rest (string literals: `FROM`, the `WHERE` clause, the order).
macro_rules! account_sql {
    ($($rest:literal),+) => {
        concat!(
            "SELECT id, tenant_id, external_id, number, name, address_line1, address_line2, \
                 address_city, address_region, address_postal_code, address_country, phone, \
                 email, postal_code, custom_fields, portal_enabled, has_history ",
            $($rest),+
        )
    };
}

/// The account in this tenant found by `$2` in the column `sql` names.
async fn account_where<C: Conn>(
    conn: &mut C,
    sql: &'static str,
    tenant: TenantId,
    key: Arg<'_>,
) -> Result<Option<Account>, StoreError> {
    conn.fetch_optional::<AccountRow>(sql, &[Arg::Id(tenant.as_uuid()), key])
        .await?
        .map(Account::try_from)
        .transpose()
}

/// The account with this id in this tenant: the port's read, and what a
/// custom-field edit starts from.
async fn account_by_id<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: AccountId,
) -> Result<Option<Account>, StoreError> {
    let sql = account_sql!("FROM accounts WHERE tenant_id = $1 AND id = $2");
    account_where(conn, sql, tenant, Arg::Id(id.as_uuid())).await
}

#[async_trait]
impl<B: Backend> AccountStore for SqlStore<B> {
    /// Creates or updates the account by external id.
    async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, StoreError> {
        // The id is only used when the row is new; an update keeps the old
        // one, which RETURNING hands back.
        let address = &account.address;
        self.writer()
            .await?
            .fetch_optional::<AccountRow>(
                "INSERT INTO accounts (id, tenant_id, external_id, number, name, \
                     address_line1, address_line2, address_city, address_region, \
                     address_postal_code, address_country, phone, email, postal_code, \
                     custom_fields, portal_enabled, has_history) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
                 ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                     number = excluded.number, name = excluded.name, \
                     address_line1 = excluded.address_line1, address_line2 = excluded.address_line2, \
                     address_city = excluded.address_city, address_region = excluded.address_region, \
                     address_postal_code = excluded.address_postal_code, \
                     address_country = excluded.address_country, \
                     phone = excluded.phone, email = excluded.email, \
                     postal_code = excluded.postal_code, custom_fields = excluded.custom_fields, \
                     portal_enabled = excluded.portal_enabled, has_history = excluded.has_history \
                 RETURNING id, tenant_id, external_id, number, name, address_line1, address_line2, \
                     address_city, address_region, address_postal_code, address_country, phone, \
                     email, postal_code, custom_fields, portal_enabled, has_history",
                &[
                    Arg::Id(AccountId::new().as_uuid()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Text(account.external_id.as_str()),
                    Arg::Text(&account.number),
                    Arg::Text(&account.name),
                    Arg::Text(&address.line1),
                    Arg::Text(&address.line2),
                    Arg::Text(&address.city),
                    Arg::Text(&address.region),
                    Arg::Text(&address.postal_code),
                    Arg::Text(&address.country),
                    Arg::OptText(account.phone.as_ref().map(PhoneNumber::as_str)),
                    Arg::OptText(account.email.as_ref().map(EmailAddress::as_str)),
                    Arg::OptText(account.postal_code.as_ref().map(PostalCode::as_str)),
                    Arg::Fields(&account.custom_fields),
                    Arg::Bool(account.portal_enabled),
                    Arg::Bool(account.has_history),
                ],
            )
            .await?
            .ok_or_else(|| backend("the account upsert returned no row"))?
            .try_into()
    }

    async fn account(
        &self,
        tenant: TenantId,
        id: AccountId,
    ) -> Result<Option<Account>, StoreError> {
        account_by_id(&mut *self.reader().await?, tenant, id).await
    }

    async fn account_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Account>, StoreError> {
        let sql = account_sql!("FROM accounts WHERE tenant_id = $1 AND external_id = $2");
        account_where(
            &mut *self.reader().await?,
            sql,
            tenant,
            Arg::Text(id.as_str()),
        )
        .await
    }

    /// Turns the account's portal on or off and writes `messages` with it;
    /// `NotFound` when the account is not in this tenant.
    async fn set_portal_enabled(
        &self,
        tenant: TenantId,
        account: AccountId,
        enabled: bool,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let done = conn
            .execute(
                "UPDATE accounts SET portal_enabled = $3 WHERE tenant_id = $1 AND id = $2",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(account.as_uuid()),
                    Arg::Bool(enabled),
                ],
            )
            .await?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(conn, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// The accounts in this tenant whose phone, e-mail and postal code all
    /// match, by name.
    async fn accounts_matching_facts(
        &self,
        tenant: TenantId,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
    ) -> Result<Vec<Account>, StoreError> {
        let rows = self
            .reader()
            .await?
            .fetch_all::<AccountRow>(
                account_sql!(
                    "FROM accounts \
                     WHERE tenant_id = $1 AND email = $2 AND phone = $3 AND postal_code = $4 \
                     ORDER BY name, id"
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Text(email.as_str()),
                    Arg::Text(phone.as_str()),
                    Arg::Text(postal_code.as_str()),
                ],
            )
            .await?;
        accounts(rows)
    }

    /// Sets some of the account's custom fields, under the account's row
    /// lock (PostgreSQL) or the write lock (SQLite), so two edits of
    /// different fields both survive; writes `messages` with it.
    async fn update_custom_fields(
        &self,
        scope: &AccountScope,
        changes: &BTreeMap<String, String>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant, id) = (scope.tenant(), scope.account());
        conn.fetch_optional::<(Uuid,)>(
            DialectOf::<B>::LOCK_ACCOUNT,
            &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let mut fields = account_by_id(conn, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?
            .custom_fields;
        fields.extend(
            changes
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
        conn.execute(
            "UPDATE accounts SET custom_fields = $3 WHERE tenant_id = $1 AND id = $2",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(id.as_uuid()),
                Arg::Fields(&fields),
            ],
        )
        .await?;
        enqueue(conn, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }
}
