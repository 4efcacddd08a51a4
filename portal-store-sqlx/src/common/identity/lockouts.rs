//! The log-in lock on either database ([`LockoutStore`]): a row per
//! contact, apart from the credential, so it also covers contacts who have
//! not set a password.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{LockoutStore, StoreError};
use portal_core::shared::{ContactId, TenantId};
use portal_core::tenancy::LockoutPolicy;

use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::Timestamp;

#[async_trait]
impl<B: Backend> LockoutStore for SqlStore<B> {
    /// The end of the contact's lock, when it is locked at `now`.
    async fn locked_until(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let until = self
            .reader()
            .await?
            .fetch_optional::<(Timestamp,)>(
                "SELECT locked_until FROM lockouts \
                 WHERE tenant_id = $1 AND contact_id = $2 AND locked_until > $3",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Time(now),
                ],
            )
            .await?;
        Ok(until.map(|(until,)| until.0))
    }

    /// Counts a failed guess with one statement that reads and writes the
    /// counter (inserting the contact's lockout row on its first failure),
    /// so concurrent failures each count. The counter restarts at the lock,
    /// so a zero after the update means this failure engaged it; then, and
    /// only then, `on_lock` is written.
    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
        on_lock: &[OutboxMessage],
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let lock_end = now + Duration::minutes(i64::from(policy.lock_minutes));
        let counted = conn
            .fetch_optional::<(i32, Option<Timestamp>)>(
                "INSERT INTO lockouts (contact_id, tenant_id, failed_attempts, locked_until) \
                 SELECT c.id, c.tenant_id, \
                     CASE WHEN 1 >= $3 THEN 0 ELSE 1 END, \
                     CASE WHEN 1 >= $3 THEN $4 ELSE NULL END \
                 FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2 \
                 ON CONFLICT (contact_id) DO UPDATE SET \
                     failed_attempts = CASE WHEN lockouts.failed_attempts + 1 >= $3 THEN 0 \
                                            ELSE lockouts.failed_attempts + 1 END, \
                     locked_until = CASE WHEN lockouts.failed_attempts + 1 >= $3 THEN $4 \
                                         ELSE lockouts.locked_until END \
                 RETURNING failed_attempts, locked_until",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Int(i64::from(policy.max_failures)),
                    Arg::Time(lock_end),
                ],
            )
            .await?;
        let engaged = match counted {
            Some((0, Some(until))) => Some(until.0),
            _ => None,
        };
        if engaged.is_some() {
            enqueue(conn, tenant, on_lock).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(engaged)
    }
}
