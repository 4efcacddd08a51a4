//! Contacts, memberships, credentials, sessions and one-time tokens on
//! SQLite.
//!
//! Writes that must hold together run in one `BEGIN IMMEDIATE` transaction
//! on the writer connection. Where a write needs "this row is in this
//! tenant", the row is inserted *from* the tenant-scoped row it depends on
//! (`INSERT ... SELECT ... WHERE tenant_id = $1`), so the check and the
//! write are one statement and cannot drift apart.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::Role;
use portal_core::identity::{
    Contact, ContactUpsert, LoginCandidate, LoginName, Membership, OneTimeToken, Session,
    SessionContext, TokenHash,
};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{IdentityStore, StoreError};
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, PhoneNumber, SessionId, TenantId,
};
use portal_core::tenancy::LockoutPolicy;
use uuid::Uuid;

use super::{SqliteStore, begin, outbox::enqueue};
use crate::error::store_error;
use crate::rows::{
    ContactRow, LoginCandidateRow, MembershipRow, SessionContextRow, Timestamp, TokenRow, micros,
};

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, StoreError> {
        // A clash on the e-mail or phone index is not the upsert's conflict
        // target, so it fails the statement and becomes a Conflict naming
        // the field.
        sqlx::query_as::<_, ContactRow>(
            "INSERT INTO contacts (id, tenant_id, external_id, name, email, phone, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                 name = excluded.name, email = excluded.email, phone = excluded.phone, \
                 enabled = excluded.enabled \
             RETURNING id AS contact_id, tenant_id, external_id AS contact_external_id, \
                 name AS contact_name, email AS contact_email, phone AS contact_phone, \
                 enabled AS contact_enabled",
        )
        .bind(ContactId::new().as_uuid())
        .bind(tenant.as_uuid())
        .bind(contact.external_id.as_str())
        .bind(&contact.name)
        .bind(contact.email.as_ref().map(EmailAddress::as_str))
        .bind(contact.phone.as_ref().map(PhoneNumber::as_str))
        .bind(contact.enabled)
        .fetch_one(&self.write)
        .await
        .map_err(store_error)?
        .try_into()
    }

    async fn contact(
        &self,
        tenant: TenantId,
        id: ContactId,
    ) -> Result<Option<Contact>, StoreError> {
        sqlx::query_as::<_, ContactRow>(
            "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                 c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled \
             FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(Contact::try_from)
        .transpose()
    }

    async fn contact_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contact>, StoreError> {
        sqlx::query_as::<_, ContactRow>(
            "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                 c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled \
             FROM contacts c WHERE c.tenant_id = $1 AND c.external_id = $2",
        )
        .bind(tenant.as_uuid())
        .bind(id.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(Contact::try_from)
        .transpose()
    }

    async fn contact_by_email(
        &self,
        tenant: TenantId,
        email: &EmailAddress,
    ) -> Result<Option<Contact>, StoreError> {
        sqlx::query_as::<_, ContactRow>(
            "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                 c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled \
             FROM contacts c WHERE c.tenant_id = $1 AND c.email = $2",
        )
        .bind(tenant.as_uuid())
        .bind(email.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(Contact::try_from)
        .transpose()
    }

    async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), StoreError> {
        // Selecting the pair from this tenant's contacts and accounts: when
        // either is elsewhere (or nowhere) nothing is inserted.
        let done = sqlx::query(
            "INSERT INTO memberships (contact_id, account_id, tenant_id, role) \
             SELECT c.id, a.id, c.tenant_id, $4 \
             FROM contacts c JOIN accounts a ON a.tenant_id = c.tenant_id \
             WHERE c.tenant_id = $1 AND c.id = $2 AND a.id = $3 \
             ON CONFLICT (contact_id, account_id) DO UPDATE SET role = excluded.role",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(account.as_uuid())
        .bind(role.as_str())
        .execute(&self.write)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), StoreError> {
        let mut tx = begin(self).await?;
        sqlx::query(
            "DELETE FROM memberships \
             WHERE tenant_id = $1 AND contact_id = $2 AND account_id = $3",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        sqlx::query(
            "DELETE FROM sessions \
             WHERE tenant_id = $1 AND contact_id = $2 AND active_account_id = $3",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(account.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn memberships(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Vec<Membership>, StoreError> {
        sqlx::query_as::<_, MembershipRow>(
            "SELECT m.account_id, a.number AS account_number, a.name AS account_name, m.role, \
                 a.portal_enabled, a.has_history \
             FROM memberships m \
             JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
             WHERE m.tenant_id = $1 AND m.contact_id = $2 \
             ORDER BY a.name, a.number, a.id",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .fetch_all(&self.read)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(Membership::try_from)
        .collect()
    }

    async fn login_candidate(
        &self,
        tenant: TenantId,
        login: &LoginName,
    ) -> Result<Option<LoginCandidate>, StoreError> {
        let query = match login {
            LoginName::Email(email) => sqlx::query_as::<_, LoginCandidateRow>(
                "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                     c.name AS contact_name, c.email AS contact_email, \
                     c.phone AS contact_phone, c.enabled AS contact_enabled, \
                     cr.password_hash, cr.failed_attempts, cr.locked_until \
                 FROM contacts c LEFT JOIN credentials cr ON cr.contact_id = c.id \
                 WHERE c.tenant_id = $1 AND c.email = $2",
            )
            .bind(tenant.as_uuid())
            .bind(email.as_str()),
            LoginName::Phone(phone) => sqlx::query_as::<_, LoginCandidateRow>(
                "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                     c.name AS contact_name, c.email AS contact_email, \
                     c.phone AS contact_phone, c.enabled AS contact_enabled, \
                     cr.password_hash, cr.failed_attempts, cr.locked_until \
                 FROM contacts c LEFT JOIN credentials cr ON cr.contact_id = c.id \
                 WHERE c.tenant_id = $1 AND c.phone = $2",
            )
            .bind(tenant.as_uuid())
            .bind(phone.as_str()),
        };
        query
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?
            .map(LoginCandidate::try_from)
            .transpose()
    }

    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        // One statement reading and writing the counter, so concurrent
        // failures each count. The counter restarts at the lock, so after
        // the update a zero means this failure set the lock.
        let lock_end = now + chrono::Duration::minutes(i64::from(policy.lock_minutes));
        let row = sqlx::query_as::<_, (i32, Option<Timestamp>)>(
            "UPDATE credentials SET \
                 failed_attempts = CASE WHEN failed_attempts + 1 >= $3 THEN 0 \
                                        ELSE failed_attempts + 1 END, \
                 locked_until = CASE WHEN failed_attempts + 1 >= $3 THEN $4 \
                                     ELSE locked_until END \
             WHERE tenant_id = $1 AND contact_id = $2 \
             RETURNING failed_attempts, locked_until",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(i64::from(policy.max_failures))
        .bind(micros(lock_end))
        .fetch_optional(&self.write)
        .await
        .map_err(store_error)?;
        Ok(match row {
            Some((0, Some(until))) => Some(until.0),
            _ => None,
        })
    }

    async fn start_session(&self, session: &Session) -> Result<(), StoreError> {
        let tenant = session.tenant.as_uuid();
        let contact = session.contact.as_uuid();
        let now = micros(session.created_at);
        let mut tx = begin(self).await?;
        sqlx::query(
            "DELETE FROM sessions \
             WHERE tenant_id = $1 AND contact_id = $2 \
               AND (idle_expires_at <= $3 OR absolute_expires_at <= $3)",
        )
        .bind(tenant)
        .bind(contact)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        // Only on an account the contact is a member of, in this tenant.
        let done = sqlx::query(
            "INSERT INTO sessions (id, tenant_id, token_hash, contact_id, active_account_id, \
                 kind, created_at, last_seen_at, idle_expires_at, absolute_expires_at) \
             SELECT $4, m.tenant_id, $5, m.contact_id, m.account_id, $6, $7, $8, $9, $10 \
             FROM memberships m \
             WHERE m.tenant_id = $1 AND m.contact_id = $2 AND m.account_id = $3",
        )
        .bind(tenant)
        .bind(contact)
        .bind(session.active_account.as_uuid())
        .bind(session.id.as_uuid())
        .bind(session.token_hash.as_str())
        .bind(session.kind.as_str())
        .bind(now)
        .bind(micros(session.last_seen_at))
        .bind(micros(session.idle_expires_at))
        .bind(micros(session.absolute_expires_at))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "UPDATE credentials SET failed_attempts = 0 WHERE tenant_id = $1 AND contact_id = $2",
        )
        .bind(tenant)
        .bind(contact)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn session_context(
        &self,
        tenant: TenantId,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionContext>, StoreError> {
        // The hot path: one indexed lookup by token hash, and every reason
        // for "no" (expired, other tenant, contact disabled, membership gone,
        // portal off) is a condition of the same query.
        sqlx::query_as::<_, SessionContextRow>(
            "SELECT s.id AS session_id, s.tenant_id, s.contact_id, s.active_account_id, \
                 s.token_hash, s.kind, s.created_at, s.last_seen_at, s.idle_expires_at, \
                 s.absolute_expires_at, \
                 c.external_id AS contact_external_id, c.name AS contact_name, \
                 c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled, \
                 m.account_id, a.number AS account_number, a.name AS account_name, m.role, \
                 a.portal_enabled, a.has_history \
             FROM sessions s \
             JOIN contacts c ON c.id = s.contact_id AND c.tenant_id = s.tenant_id \
             JOIN memberships m ON m.contact_id = s.contact_id \
                 AND m.account_id = s.active_account_id AND m.tenant_id = s.tenant_id \
             JOIN accounts a ON a.id = m.account_id AND a.tenant_id = s.tenant_id \
             WHERE s.token_hash = $1 AND s.tenant_id = $2 \
               AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 \
               AND c.enabled AND a.portal_enabled",
        )
        .bind(token.as_str())
        .bind(tenant.as_uuid())
        .bind(micros(now))
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(SessionContext::try_from)
        .transpose()
    }

    async fn touch_session(
        &self,
        tenant: TenantId,
        session: SessionId,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // A session already past an expiry stays dead: touching never
        // revives it, and the idle expiry never passes the absolute one.
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $3, \
                 idle_expires_at = MIN($4, absolute_expires_at) \
             WHERE tenant_id = $1 AND id = $2 \
               AND idle_expires_at > $3 AND absolute_expires_at > $3",
        )
        .bind(tenant.as_uuid())
        .bind(session.as_uuid())
        .bind(micros(now))
        .bind(micros(idle_expires_at))
        .execute(&self.write)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn switch_account(
        &self,
        tenant: TenantId,
        session: SessionId,
        account: AccountId,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE sessions SET active_account_id = $3 \
             WHERE tenant_id = $1 AND id = $2 \
               AND EXISTS ( \
                   SELECT 1 FROM memberships m \
                   JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
                   WHERE m.tenant_id = $1 AND m.contact_id = sessions.contact_id \
                     AND m.account_id = $3 AND a.portal_enabled)",
        )
        .bind(tenant.as_uuid())
        .bind(session.as_uuid())
        .bind(account.as_uuid())
        .execute(&self.write)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn end_session(&self, tenant: TenantId, session: SessionId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_uuid())
            .bind(session.as_uuid())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn change_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        new_hash: &str,
        keep: Option<SessionId>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = begin(self).await?;
        let done = sqlx::query(
            "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
             SELECT c.id, c.tenant_id, $3 FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2 \
             ON CONFLICT (contact_id) DO UPDATE SET password_hash = excluded.password_hash",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(new_hash)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // A session id nothing has (the nil UUID) keeps none.
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND contact_id = $2 AND id <> $3")
            .bind(tenant.as_uuid())
            .bind(contact.as_uuid())
            .bind(keep.map_or(Uuid::nil(), |keep| keep.as_uuid()))
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        enqueue(&mut tx, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn set_first_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = begin(self).await?;
        let done = sqlx::query(
            "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
             SELECT c.id, c.tenant_id, $3 FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2 \
             ON CONFLICT (contact_id) DO NOTHING",
        )
        .bind(tenant.as_uuid())
        .bind(contact.as_uuid())
        .bind(hash)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            let exists = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM contacts WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(contact.as_uuid())
            .fetch_one(&mut *tx)
            .await
            .map_err(store_error)?;
            return Err(if exists > 0 {
                StoreError::Conflict("password already set".to_owned())
            } else {
                StoreError::NotFound
            });
        }
        enqueue(&mut tx, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn issue_token(
        &self,
        token: &OneTimeToken,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let tenant = token.tenant.as_uuid();
        let contact = token.contact.as_uuid();
        let mut tx = begin(self).await?;
        // Only the newest link works: earlier unused ones are spent now.
        sqlx::query(
            "UPDATE one_time_tokens SET used_at = $4 \
             WHERE tenant_id = $1 AND contact_id = $2 AND purpose = $3 AND used_at IS NULL",
        )
        .bind(tenant)
        .bind(contact)
        .bind(token.purpose.as_str())
        .bind(micros(token.created_at))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        let done = sqlx::query(
            "INSERT INTO one_time_tokens \
                 (hash, tenant_id, contact_id, purpose, created_at, expires_at) \
             SELECT $3, c.tenant_id, c.id, $4, $5, $6 \
             FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2",
        )
        .bind(tenant)
        .bind(contact)
        .bind(token.hash.as_str())
        .bind(token.purpose.as_str())
        .bind(micros(token.created_at))
        .bind(micros(token.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(&mut tx, token.tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    async fn live_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<OneTimeToken>, StoreError> {
        sqlx::query_as::<_, TokenRow>(
            "SELECT hash, tenant_id, contact_id, purpose, created_at, expires_at \
             FROM one_time_tokens \
             WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(tenant.as_uuid())
        .bind(hash.as_str())
        .bind(micros(now))
        .fetch_optional(&self.read)
        .await
        .map_err(store_error)?
        .map(OneTimeToken::try_from)
        .transpose()
    }

    async fn redeem_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
        new_hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<ContactId, StoreError> {
        let mut tx = begin(self).await?;
        // The conditional update is the check: of two requests racing with
        // one token, one spends it and the other matches nothing. Returning
        // before commit rolls back, so a refused redemption writes nothing.
        let contact = sqlx::query_scalar::<_, Uuid>(
            "UPDATE one_time_tokens SET used_at = $3 \
             WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING contact_id",
        )
        .bind(tenant.as_uuid())
        .bind(hash.as_str())
        .bind(micros(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(store_error)?
        .ok_or(StoreError::NotFound)?;
        sqlx::query(
            "INSERT INTO credentials (contact_id, tenant_id, password_hash, failed_attempts, \
                 locked_until) \
             VALUES ($2, $1, $3, 0, NULL) \
             ON CONFLICT (contact_id) DO UPDATE SET password_hash = excluded.password_hash, \
                 failed_attempts = 0, locked_until = NULL",
        )
        .bind(tenant.as_uuid())
        .bind(contact)
        .bind(new_hash)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND contact_id = $2")
            .bind(tenant.as_uuid())
            .bind(contact)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        enqueue(&mut tx, tenant, messages).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(ContactId::from_uuid(contact))
    }
}
