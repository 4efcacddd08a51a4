//! One-time tokens on either database ([`TokenStore`]): only their hash is
//! stored, only a contact's newest unspent one works, and redeeming one
//! sets the password through [`write_password`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::identity::{LinkIssue, OneTimeToken, TokenHash};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{StoreError, TokenStore};
use portal_core::shared::{ContactId, TenantId};
use portal_core::tenancy::LinkMailPolicy;
use uuid::Uuid;

use super::credentials::{Guard, PasswordWrite, SessionsToEnd, write_password};
use super::{lock_contact, spend_tokens};
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::TokenRow;

#[async_trait]
impl<B: Backend> TokenStore for SqlStore<B> {
    /// Stores a one-time token and its mail unless the contact's recent
    /// tokens reach `limit`; the contact's earlier unused tokens, of any
    /// purpose, are spent first. All under the contact's lock, so of two
    /// concurrent calls the second counts the first's token and spends it.
    async fn issue_token(
        &self,
        token: &OneTimeToken,
        messages: &[OutboxMessage],
        limit: &LinkMailPolicy,
    ) -> Result<LinkIssue, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        lock_contact(conn, token.tenant, token.contact).await?;
        // Served by one_time_tokens_contact_created_idx.
        let (recent,) = conn
            .fetch_optional::<(i64,)>(
                "SELECT COUNT(*) FROM one_time_tokens \
                 WHERE tenant_id = $1 AND contact_id = $2 AND created_at > $3",
                &[
                    Arg::Id(token.tenant.as_uuid()),
                    Arg::Id(token.contact.as_uuid()),
                    Arg::Time(token.created_at - limit.window()),
                ],
            )
            .await?
            .unwrap_or((0,));
        if recent >= i64::from(limit.max_per_window) {
            // Dropping the transaction rolls it back: nothing was written.
            return Ok(LinkIssue::Throttled);
        }
        spend_tokens(conn, token.tenant, token.contact, token.created_at).await?;
        conn.execute(
            "INSERT INTO one_time_tokens \
                 (hash, tenant_id, contact_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Arg::Text(token.hash.as_str()),
                Arg::Id(token.tenant.as_uuid()),
                Arg::Id(token.contact.as_uuid()),
                Arg::Text(token.purpose.as_str()),
                Arg::Time(token.created_at),
                Arg::Time(token.expires_at),
            ],
        )
        .await?;
        enqueue(conn, token.tenant, messages).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(LinkIssue::Issued)
    }

    /// The unspent, unexpired token with this hash.
    async fn live_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<OneTimeToken>, StoreError> {
        self.reader()
            .await?
            .fetch_optional::<TokenRow>(
                "SELECT hash, tenant_id, contact_id, purpose, created_at, expires_at \
                 FROM one_time_tokens \
                 WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL AND expires_at > $3",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Text(hash.as_str()),
                    Arg::Time(now),
                ],
            )
            .await?
            .map(OneTimeToken::try_from)
            .transpose()
    }

    /// Spends the token and sets the password; returns the token's contact.
    async fn redeem_token(
        &self,
        tenant: TenantId,
        hash: &TokenHash,
        now: DateTime<Utc>,
        new_hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<ContactId, StoreError> {
        let mut tx = self.begin().await?;
        // Whose token it is, without a lock: the contact's lock comes first,
        // then the conditional spend in `write_password` decides.
        let (contact,) = tx
            .fetch_optional::<(Uuid,)>(
                "SELECT contact_id FROM one_time_tokens WHERE tenant_id = $1 AND hash = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Text(hash.as_str())],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact = ContactId::from_uuid(contact);
        let write = PasswordWrite {
            tenant,
            contact,
            guard: Guard::Token(hash),
            hash: new_hash,
            end_sessions: SessionsToEnd::All,
            at: now,
            messages,
        };
        write_password(&mut *tx, write).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(contact)
    }
}
