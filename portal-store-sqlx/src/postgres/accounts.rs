//! Accounts and their communications log on PostgreSQL.

use async_trait::async_trait;
use portal_core::accounts::{Account, AccountUpsert, Communication};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{AccountStore, StoreError};
use portal_core::shared::{AccountId, EmailAddress, ExternalId, PhoneNumber, PostalCode, TenantId};
use sqlx::types::Json;

use super::{PgStore, begin};
use crate::common::outbox::enqueue;
use crate::error::store_error;
use crate::rows::{AccountRow, accounts};

#[async_trait]
impl AccountStore for PgStore {
    async fn upsert_account(
        &self,
        tenant: TenantId,
        account: &AccountUpsert,
    ) -> Result<Account, StoreError> {
        // The id is only used when the row is new; an update keeps the old
        // one, which RETURNING hands back.
        let address = &account.address;
        sqlx::query_as::<_, AccountRow>(
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
        )
        .bind(AccountId::new().as_uuid())
        .bind(tenant.as_uuid())
        .bind(account.external_id.as_str())
        .bind(&account.number)
        .bind(&account.name)
        .bind(&address.line1)
        .bind(&address.line2)
        .bind(&address.city)
        .bind(&address.region)
        .bind(&address.postal_code)
        .bind(&address.country)
        .bind(account.phone.as_ref().map(PhoneNumber::as_str))
        .bind(account.email.as_ref().map(EmailAddress::as_str))
        .bind(account.postal_code.as_ref().map(PostalCode::as_str))
        .bind(Json(&account.custom_fields))
        .bind(account.portal_enabled)
        .bind(account.has_history)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?
        .try_into()
    }

    async fn account(
        &self,
        tenant: TenantId,
        id: AccountId,
    ) -> Result<Option<Account>, StoreError> {
        sqlx::query_as::<_, AccountRow>(
            "SELECT id, tenant_id, external_id, number, name, address_line1, address_line2, \
                 address_city, address_region, address_postal_code, address_country, phone, \
                 email, postal_code, custom_fields, portal_enabled, has_history \
             FROM accounts WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?
        .map(Account::try_from)
        .transpose()
    }

    async fn account_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Account>, StoreError> {
        sqlx::query_as::<_, AccountRow>(
            "SELECT id, tenant_id, external_id, number, name, address_line1, address_line2, \
                 address_city, address_region, address_postal_code, address_country, phone, \
                 email, postal_code, custom_fields, portal_enabled, has_history \
             FROM accounts WHERE tenant_id = $1 AND external_id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?
        .map(Account::try_from)
        .transpose()
    }

    async fn set_portal_enabled(
        &self,
        tenant: TenantId,
        account: AccountId,
        enabled: bool,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = begin(self).await?;
        let done =
            sqlx::query("UPDATE accounts SET portal_enabled = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_uuid())
                .bind(account.as_uuid())
                .bind(enabled)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(&mut *tx, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn accounts_matching_facts(
        &self,
        tenant: TenantId,
        phone: &PhoneNumber,
        email: &EmailAddress,
        postal_code: &PostalCode,
    ) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query_as::<_, AccountRow>(
            "SELECT id, tenant_id, external_id, number, name, address_line1, address_line2, \
                 address_city, address_region, address_postal_code, address_country, phone, \
                 email, postal_code, custom_fields, portal_enabled, has_history \
             FROM accounts \
             WHERE tenant_id = $1 AND email = $2 AND phone = $3 AND postal_code = $4 \
             ORDER BY name, id",
        )
        .bind(tenant.as_uuid())
        .bind(email.as_str())
        .bind(phone.as_str())
        .bind(postal_code.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        accounts(rows)
    }

    async fn record_communication(
        &self,
        tenant: TenantId,
        communication: &Communication,
    ) -> Result<(), StoreError> {
        // Inserting from the account row itself makes "the account is in
        // this tenant" part of the write: no row, nothing inserted.
        let done = sqlx::query(
            "INSERT INTO communications \
                 (id, tenant_id, account_id, channel, subject, body, occurred_at) \
             SELECT $3, a.tenant_id, a.id, $4, $5, $6, $7 \
             FROM accounts a WHERE a.tenant_id = $1 AND a.id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(communication.account.as_uuid())
        .bind(communication.id.as_uuid())
        .bind(&communication.channel)
        .bind(&communication.subject)
        .bind(&communication.body)
        .bind(communication.occurred_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
