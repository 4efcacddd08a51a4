//! Sessions on either database ([`SessionStore`]): stored by the hash of
//! their token, with idle and absolute expiry checked in SQL, and looked up
//! with everything a request needs in one statement
//! ([`session_context_sql`]).

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portal_core::identity::{LoginSource, Session, SessionContext, TokenHash};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{SessionStore, StoreError};
use portal_core::shared::{AccountId, ContactId, SessionId, TenantId};
use uuid::Uuid;

use super::lock_contact;
use super::lockouts::checked_scopes;
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, Dialect, DialectOf, SqlStore};
use crate::error::store_error;
use crate::rows::{SessionContextRow, SessionRow};

/// How long used and expired one-time tokens are kept before starting a
/// session deletes them.
const SPENT_TOKENS_KEPT: Duration = Duration::days(1);

/// The columns of a [`crate::rows::SessionRow`] from `sessions s`.
macro_rules! session_columns {
    () => {
        "s.id AS session_id, s.tenant_id, s.contact_id, s.active_account_id, \
         s.token_hash, s.kind, s.created_at, s.last_seen_at, s.idle_expires_at, \
         s.absolute_expires_at, s.user_agent, s.client_addr, s.viewer"
    };
}

/// The session lookup with the contact's memberships as a JSON list (the
/// column `memberships`, written by each database its own way): every
/// request runs it, so the account switcher costs no second statement.
/// One indexed lookup by token hash (`$1`; `$2` tenant, `$3` now), and
/// every reason for "no" (expired, other tenant, contact disabled,
/// membership gone or its access off, portal off) is a condition of the
/// same query.
macro_rules! session_context_sql {
    ($memberships:literal) => {
        concat!(
            "SELECT ",
            session_columns!(),
            ", c.external_id AS contact_external_id, c.name AS contact_name, \
                 c.email AS contact_email, c.phone AS contact_phone, \
                 c.other_phones AS contact_other_phones, \
                 c.enabled AS contact_enabled, c.language AS contact_language, \
                 m.account_id, a.number AS account_number, a.name AS account_name, m.role, \
                 a.portal_enabled, a.has_history, ",
            $memberships,
            " AS memberships \
             FROM sessions s \
             JOIN contacts c ON c.id = s.contact_id AND c.tenant_id = s.tenant_id \
             JOIN memberships m ON m.contact_id = s.contact_id \
                 AND m.account_id = s.active_account_id AND m.tenant_id = s.tenant_id \
             JOIN accounts a ON a.id = m.account_id AND a.tenant_id = s.tenant_id \
             WHERE s.token_hash = $1 AND s.tenant_id = $2 \
               AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 \
               AND c.enabled AND a.portal_enabled AND m.portal_access"
        )
    };
}
pub(crate) use {session_columns, session_context_sql};

#[async_trait]
impl<B: Backend> SessionStore for SqlStore<B> {
    /// Stores the session if the contact's password hash is still the one
    /// verified and `source` is not locked at the session's start (the
    /// insert selects from the membership, the credential and the locks,
    /// so the check and the write are one statement, after the contact's
    /// lock). Also deletes the contact's expired sessions and its one-time
    /// tokens used or expired more than `SPENT_TOKENS_KEPT` (a day) ago, and
    /// forgets the failures of the scopes `source` was checked against.
    async fn start_session(
        &self,
        session: &Session,
        verified_hash: &str,
        source: &LoginSource,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let (own, shared) = checked_scopes(source);
        let address = session.client.address.map(|address| address.to_string());
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let tenant = Arg::Id(session.tenant.as_uuid());
        let contact = Arg::Id(session.contact.as_uuid());
        let account = Arg::Id(session.active_account.as_uuid());
        let now = Arg::Time(session.created_at);
        lock_contact(conn, session.tenant, session.contact).await?;
        conn.execute(
            "DELETE FROM sessions \
             WHERE tenant_id = $1 AND contact_id = $2 \
               AND (idle_expires_at <= $3 OR absolute_expires_at <= $3)",
            &[tenant, contact, now],
        )
        .await?;
        conn.execute(
            "DELETE FROM one_time_tokens \
             WHERE tenant_id = $1 AND contact_id = $2 AND (used_at < $3 OR expires_at < $3)",
            &[
                tenant,
                contact,
                Arg::Time(session.created_at - SPENT_TOKENS_KEPT),
            ],
        )
        .await?;
        let inserted = conn
            .execute(
                "INSERT INTO sessions (id, tenant_id, token_hash, contact_id, active_account_id, \
                     kind, created_at, last_seen_at, idle_expires_at, absolute_expires_at, \
                     user_agent, client_addr) \
                 SELECT $4, m.tenant_id, $5, m.contact_id, m.account_id, $6, $7, $8, $9, $10, \
                     $14, $15 \
                 FROM memberships m \
                 JOIN credentials cr ON cr.contact_id = m.contact_id AND cr.tenant_id = m.tenant_id \
                 WHERE m.tenant_id = $1 AND m.contact_id = $2 AND m.account_id = $3 \
                   AND m.portal_access AND cr.password_hash = $11 \
                   AND NOT EXISTS ( \
                       SELECT 1 FROM login_lockouts l \
                       WHERE l.contact_id = m.contact_id AND l.scope IN ($12, $13) \
                         AND l.locked_until > $7)",
                &[
                    tenant,
                    contact,
                    account,
                    Arg::Id(session.id.as_uuid()),
                    Arg::Text(session.token_hash.as_str()),
                    Arg::Text(session.kind.as_str()),
                    now,
                    Arg::Time(session.last_seen_at),
                    Arg::Time(session.idle_expires_at),
                    Arg::Time(session.absolute_expires_at),
                    Arg::Text(verified_hash),
                    Arg::Text(&own),
                    Arg::Text(&shared),
                    Arg::OptText(session.client.user_agent.as_deref()),
                    Arg::OptText(address.as_deref()),
                ],
            )
            .await?;
        if inserted == 0 {
            // Only on an account the contact is a member of, in this tenant;
            // a member whose password or lock changed is a conflict.
            let member = conn
                .fetch_optional::<(Uuid,)>(
                    "SELECT account_id FROM memberships \
                     WHERE tenant_id = $1 AND contact_id = $2 AND account_id = $3",
                    &[tenant, contact, account],
                )
                .await?;
            return Err(match member {
                Some(_) => StoreError::Conflict(
                    portal_core::identity::IdentityConflict::PasswordChangedOrLocked.into(),
                ),
                None => StoreError::NotFound,
            });
        }
        // None of these scopes is locked (the insert checked), so this
        // forgets only their counts.
        conn.execute(
            "DELETE FROM login_lockouts \
             WHERE tenant_id = $1 AND contact_id = $2 AND scope IN ($3, $4)",
            &[tenant, contact, Arg::Text(&own), Arg::Text(&shared)],
        )
        .await?;
        enqueue(conn, session.tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// Stores the view-as session if its contact is a member of its
    /// account (the insert selects from the membership), with its audit
    /// entry.
    async fn start_view_as_session(
        &self,
        session: &Session,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let address = session.client.address.map(|address| address.to_string());
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let inserted = conn
            .execute(
                "INSERT INTO sessions (id, tenant_id, token_hash, contact_id, active_account_id, \
                     kind, created_at, last_seen_at, idle_expires_at, absolute_expires_at, \
                     user_agent, client_addr, viewer) \
                 SELECT $4, m.tenant_id, $5, m.contact_id, m.account_id, $6, $7, $8, $9, $10, \
                     $11, $12, $13 \
                 FROM memberships m \
                 WHERE m.tenant_id = $1 AND m.contact_id = $2 AND m.account_id = $3",
                &[
                    Arg::Id(session.tenant.as_uuid()),
                    Arg::Id(session.contact.as_uuid()),
                    Arg::Id(session.active_account.as_uuid()),
                    Arg::Id(session.id.as_uuid()),
                    Arg::Text(session.token_hash.as_str()),
                    Arg::Text(session.kind.as_str()),
                    Arg::Time(session.created_at),
                    Arg::Time(session.last_seen_at),
                    Arg::Time(session.idle_expires_at),
                    Arg::Time(session.absolute_expires_at),
                    Arg::OptText(session.client.user_agent.as_deref()),
                    Arg::OptText(address.as_deref()),
                    Arg::OptText(session.viewer.as_deref()),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(conn, session.tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// The contact's own live sessions, on the (tenant, contact) index.
    async fn contact_sessions(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        self.reader()
            .await?
            .fetch_all::<SessionRow>(
                concat!(
                    "SELECT ",
                    session_columns!(),
                    " FROM sessions s \
                     WHERE s.tenant_id = $1 AND s.contact_id = $2 AND s.viewer IS NULL \
                       AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 \
                     ORDER BY s.last_seen_at DESC, s.id DESC"
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Time(now),
                ],
            )
            .await?
            .into_iter()
            .map(Session::try_from)
            .collect()
    }

    /// Deletes the contact's own session by id (a conditional delete), then
    /// writes `messages`.
    async fn end_contact_session(
        &self,
        tenant: TenantId,
        contact: ContactId,
        session: SessionId,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let ended = conn
            .execute(
                "DELETE FROM sessions \
                 WHERE tenant_id = $1 AND contact_id = $2 AND id = $3 AND viewer IS NULL",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Id(session.as_uuid()),
                ],
            )
            .await?;
        if ended == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(conn, tenant, messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// The live session with this token hash, with its contact, active
    /// membership and all the contact's memberships
    /// (the database's `Dialect::SESSION_CONTEXT`).
    async fn session_context(
        &self,
        tenant: TenantId,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionContext>, StoreError> {
        self.reader()
            .await?
            .fetch_optional::<SessionContextRow>(
                DialectOf::<B>::SESSION_CONTEXT,
                &[
                    Arg::Text(token.as_str()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Time(now),
                ],
            )
            .await?
            .map(SessionContext::try_from)
            .transpose()
    }

    /// Records use of a session. A session already past an expiry stays
    /// dead: touching never revives it, and the idle expiry never passes
    /// the absolute one.
    async fn touch_session(
        &self,
        tenant: TenantId,
        session: SessionId,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.writer()
            .await?
            .execute(
                "UPDATE sessions SET last_seen_at = $3, \
                     idle_expires_at = CASE WHEN $4 < absolute_expires_at THEN $4 \
                                            ELSE absolute_expires_at END \
                 WHERE tenant_id = $1 AND id = $2 \
                   AND idle_expires_at > $3 AND absolute_expires_at > $3",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(session.as_uuid()),
                    Arg::Time(now),
                    Arg::Time(idle_expires_at),
                ],
            )
            .await
            .map(drop)
    }

    /// Makes `account` the session's active account, if the session's
    /// contact is a member of it and its portal is on (`NotFound`
    /// otherwise).
    async fn switch_account(
        &self,
        tenant: TenantId,
        session: SessionId,
        account: AccountId,
    ) -> Result<(), StoreError> {
        let switched = self
            .writer()
            .await?
            .execute(
                "UPDATE sessions SET active_account_id = $3 \
                 WHERE tenant_id = $1 AND id = $2 \
                   AND EXISTS ( \
                       SELECT 1 FROM memberships m \
                       JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
                       WHERE m.tenant_id = $1 AND m.contact_id = sessions.contact_id \
                         AND m.account_id = $3 AND a.portal_enabled AND m.portal_access)",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(session.as_uuid()),
                    Arg::Id(account.as_uuid()),
                ],
            )
            .await?;
        if switched == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Ends one session.
    async fn end_session(&self, tenant: TenantId, session: SessionId) -> Result<(), StoreError> {
        self.writer()
            .await?
            .execute(
                "DELETE FROM sessions WHERE tenant_id = $1 AND id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(session.as_uuid())],
            )
            .await
            .map(drop)
    }
}
