//! Credentials on either database ([`CredentialStore`]): reading a
//! contact's password hash (with its lockout state) for a log-in, and the
//! one way every password is written ([`write_password`]), which the
//! password change, the first password and a redeemed link all take.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::identity::{Credential, LoginCandidate, LoginName, TokenHash};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{CredentialStore, StoreError};
use portal_core::shared::{ContactId, SessionId, TenantId};
use uuid::Uuid;

use super::{contact_sql, lock_contact, spend_tokens};
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::{CredentialRow, LoginCandidateRow};

/// The contact and its credential for [`LoginCandidateRow`], where
/// `$where`.
macro_rules! login_candidate_sql {
    ($where:literal) => {
        contact_sql!(
            ", cr.password_hash \
             FROM contacts c \
             LEFT JOIN credentials cr ON cr.contact_id = c.id \
             WHERE ",
            $where
        )
    };
}

/// What a password write requires of the stored state; when it does not
/// hold, the write refuses and writes nothing.
pub(super) enum Guard<'a> {
    /// The contact has no password yet (`Conflict` otherwise).
    NoPassword,
    /// The stored hash is still this one (`Conflict` otherwise).
    CurrentHash(&'a str),
    /// This one-time token of the contact is unspent and unexpired at the
    /// write's time (`NotFound` otherwise); it is spent, and the contact's
    /// failures and lock are cleared.
    Token(&'a TokenHash),
}

/// Which of the contact's sessions a password write ends.
#[derive(Clone, Copy)]
pub(super) enum SessionsToEnd {
    All,
    AllBut(SessionId),
}

impl From<Option<SessionId>> for SessionsToEnd {
    fn from(keep: Option<SessionId>) -> Self {
        keep.map_or(SessionsToEnd::All, SessionsToEnd::AllBut)
    }
}

/// One password write: the contact, the new hash and what else happens.
pub(super) struct PasswordWrite<'a> {
    pub(super) tenant: TenantId,
    pub(super) contact: ContactId,
    pub(super) guard: Guard<'a>,
    pub(super) hash: &'a str,
    pub(super) end_sessions: SessionsToEnd,
    /// When the tokens it spends are marked used.
    pub(super) at: DateTime<Utc>,
    pub(super) messages: &'a [OutboxMessage],
}

/// The one way a password is written: under the contact's lock, checks
/// the guard and stores the hash, then ends sessions, spends all the
/// contact's unused tokens and writes the messages. Commits nothing; the
/// caller does.
pub(super) async fn write_password<C: Conn>(
    conn: &mut C,
    write: PasswordWrite<'_>,
) -> Result<(), StoreError> {
    let tenant = Arg::Id(write.tenant.as_uuid());
    let contact = Arg::Id(write.contact.as_uuid());
    let hash = Arg::Text(write.hash);
    lock_contact(conn, write.tenant, write.contact).await?;
    match write.guard {
        Guard::NoPassword => {
            let inserted = conn
                .execute(
                    "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
                     VALUES ($2, $1, $3) ON CONFLICT (contact_id) DO NOTHING",
                    &[tenant, contact, hash],
                )
                .await?;
            if inserted == 0 {
                return Err(StoreError::Conflict(
                    portal_core::identity::IdentityConflict::PasswordAlreadySet.into(),
                ));
            }
        }
        Guard::CurrentHash(current) => {
            let updated = conn
                .execute(
                    "UPDATE credentials SET password_hash = $3 \
                     WHERE tenant_id = $1 AND contact_id = $2 AND password_hash = $4",
                    &[tenant, contact, hash, Arg::Text(current)],
                )
                .await?;
            if updated == 0 {
                return Err(StoreError::Conflict(
                    portal_core::identity::IdentityConflict::PasswordChanged.into(),
                ));
            }
        }
        Guard::Token(token) => {
            // The conditional update is the check: of two requests racing
            // with one token, one spends it and the other matches nothing.
            let spent = conn
                .execute(
                    "UPDATE one_time_tokens SET used_at = $4 \
                     WHERE tenant_id = $1 AND contact_id = $2 AND hash = $3 \
                       AND used_at IS NULL AND expires_at > $4",
                    &[
                        tenant,
                        contact,
                        Arg::Text(token.as_str()),
                        Arg::Time(write.at),
                    ],
                )
                .await?;
            if spent == 0 {
                return Err(StoreError::NotFound);
            }
            conn.execute(
                "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
                 VALUES ($2, $1, $3) \
                 ON CONFLICT (contact_id) DO UPDATE SET password_hash = excluded.password_hash",
                &[tenant, contact, hash],
            )
            .await?;
            conn.execute(
                "DELETE FROM login_lockouts WHERE tenant_id = $1 AND contact_id = $2",
                &[tenant, contact],
            )
            .await?;
        }
    }
    // A session id nothing has (the nil UUID) keeps none.
    let keep = match write.end_sessions {
        SessionsToEnd::All => Uuid::nil(),
        SessionsToEnd::AllBut(session) => session.as_uuid(),
    };
    conn.execute(
        "DELETE FROM sessions WHERE tenant_id = $1 AND contact_id = $2 AND id <> $3",
        &[tenant, contact, Arg::Id(keep)],
    )
    .await?;
    spend_tokens(conn, write.tenant, write.contact, write.at).await?;
    enqueue(conn, write.tenant, write.messages).await
}

#[async_trait]
impl<B: Backend> CredentialStore for SqlStore<B> {
    /// The contact's credential, if it has a password.
    async fn credential(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<Option<Credential>, StoreError> {
        Ok(self
            .reader()
            .await?
            .fetch_optional::<CredentialRow>(
                "SELECT cr.password_hash FROM credentials cr \
                 WHERE cr.tenant_id = $1 AND cr.contact_id = $2",
                &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
            )
            .await?
            .map(Credential::from))
    }

    /// The contact who logs in with this name, with its credential.
    async fn login_candidate(
        &self,
        tenant: TenantId,
        login: &LoginName,
    ) -> Result<Option<LoginCandidate>, StoreError> {
        let (sql, name) = match login {
            LoginName::Email(email) => (
                login_candidate_sql!("c.tenant_id = $1 AND c.email = $2"),
                email.as_str(),
            ),
            LoginName::Phone(phone) => (
                login_candidate_sql!("c.tenant_id = $1 AND c.phone = $2"),
                phone.as_str(),
            ),
        };
        self.reader()
            .await?
            .fetch_optional::<LoginCandidateRow>(sql, &[Arg::Id(tenant.as_uuid()), Arg::Text(name)])
            .await?
            .map(LoginCandidate::try_from)
            .transpose()
    }

    /// Replaces the password if the stored hash is still `current_hash`,
    /// ending every session but `keep`.
    async fn change_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        current_hash: &str,
        new_hash: &str,
        keep: Option<SessionId>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let write = PasswordWrite {
            tenant,
            contact,
            guard: Guard::CurrentHash(current_hash),
            hash: new_hash,
            end_sessions: keep.into(),
            at: Utc::now(),
            messages,
        };
        write_password(&mut *tx, write).await?;
        tx.commit().await.map_err(store_error)
    }

    /// Sets the first password of a contact that has none. Its failure
    /// count and lock stay as they are.
    async fn set_first_password(
        &self,
        tenant: TenantId,
        contact: ContactId,
        hash: &str,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let write = PasswordWrite {
            tenant,
            contact,
            guard: Guard::NoPassword,
            hash,
            end_sessions: SessionsToEnd::All,
            at: Utc::now(),
            messages,
        };
        write_password(&mut *tx, write).await?;
        tx.commit().await.map_err(store_error)
    }
}
