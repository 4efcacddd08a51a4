//! The log-in locks on either database ([`LockoutStore`]): a row per
//! contact and scope (`login_lockouts`), apart from the credential, so it
//! also covers contacts who have not set a password. A scope is the
//! source's own (`device:<id>`, `address:<ip>`) or, for every unrecognised
//! source, also [`UNTRUSTED_SCOPE`].

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use portal_core::identity::{LoginSource, UNTRUSTED_SCOPE};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{LockoutStore, StoreError};
use portal_core::shared::{ContactId, TenantId};
use portal_core::tenancy::LockoutPolicy;

use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::Timestamp;

/// The two scopes an attempt from `source` is checked against, for a
/// `scope IN ($a, $b)`: its own and the untrusted one, or its own twice
/// (a recognised device answers for itself alone). One statement text
/// either way, so each is prepared once.
pub(super) fn checked_scopes(source: &LoginSource) -> (String, String) {
    let own = source.scope();
    let shared = if source.is_untrusted() {
        UNTRUSTED_SCOPE.to_owned()
    } else {
        own.clone()
    };
    (own, shared)
}

#[async_trait]
impl<B: Backend> LockoutStore for SqlStore<B> {
    /// The latest end of a lock on the scopes `source` is checked against,
    /// when one runs at `now`.
    async fn locked_until(
        &self,
        tenant: TenantId,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (own, shared) = checked_scopes(source);
        let until = self
            .reader()
            .await?
            .fetch_optional::<(Timestamp,)>(
                "SELECT locked_until FROM login_lockouts \
                 WHERE tenant_id = $1 AND contact_id = $2 AND scope IN ($3, $4) \
                   AND locked_until > $5 \
                 ORDER BY locked_until DESC LIMIT 1",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(contact.as_uuid()),
                    Arg::Text(&own),
                    Arg::Text(&shared),
                    Arg::Time(now),
                ],
            )
            .await?;
        Ok(until.map(|(until,)| until.0))
    }

    /// First forgets the contact's scopes whose last failure is older than
    /// the policy's minutes and that are not locked: that is the counting
    /// window, and what keeps the table to recent clients. Then counts the
    /// failure in each scope with one statement that reads and writes the
    /// counter (inserting the scope's row on its first failure), so
    /// concurrent failures each count. A counter restarts at its lock, so a
    /// zero with a lock end after the update means this failure engaged it;
    /// then, and only then, `on_lock` is written.
    async fn record_login_failure(
        &self,
        tenant: TenantId,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
        on_lock: &[OutboxMessage],
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let window = Duration::minutes(i64::from(policy.lock_minutes));
        let lock_end = now + window;
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        conn.execute(
            "DELETE FROM login_lockouts \
             WHERE tenant_id = $1 AND contact_id = $2 AND last_failed_at <= $3 \
               AND (locked_until IS NULL OR locked_until <= $4)",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(contact.as_uuid()),
                Arg::Time(now - window),
                Arg::Time(now),
            ],
        )
        .await?;
        let own = source.scope();
        let mut scopes = vec![(own.as_str(), policy.max_failures)];
        if source.is_untrusted() {
            scopes.push((UNTRUSTED_SCOPE, policy.untrusted_max_failures));
        }
        let mut engaged = None;
        for (scope, limit) in scopes {
            let counted = conn
                .fetch_optional::<(i32, Option<Timestamp>)>(
                    "INSERT INTO login_lockouts \
                         (contact_id, tenant_id, scope, failed_attempts, last_failed_at, \
                          locked_until) \
                     SELECT c.id, c.tenant_id, $3, \
                         CASE WHEN 1 >= $4 THEN 0 ELSE 1 END, $5, \
                         CASE WHEN 1 >= $4 THEN $6 ELSE NULL END \
                     FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2 \
                     ON CONFLICT (contact_id, scope) DO UPDATE SET \
                         failed_attempts = CASE \
                             WHEN login_lockouts.failed_attempts + 1 >= $4 THEN 0 \
                             ELSE login_lockouts.failed_attempts + 1 END, \
                         locked_until = CASE \
                             WHEN login_lockouts.failed_attempts + 1 >= $4 THEN $6 \
                             ELSE login_lockouts.locked_until END, \
                         last_failed_at = $5 \
                     RETURNING failed_attempts, locked_until",
                    &[
                        Arg::Id(tenant.as_uuid()),
                        Arg::Id(contact.as_uuid()),
                        Arg::Text(scope),
                        Arg::Int(i64::from(limit)),
                        Arg::Time(now),
                        Arg::Time(lock_end),
                    ],
                )
                .await?;
            if let Some((0, Some(until))) = counted {
                engaged = Some(until.0);
            }
        }
        if engaged.is_some() {
            enqueue(conn, tenant, on_lock).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(engaged)
    }
}
