//! The autopay consent ([`AutopayStore`]): who consented, when, with which
//! card and to what terms, word for word; one active consent per account,
//! written under the account's lock like the cards on file
//! ([`super::methods`]).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::AccountScope;
use portal_core::billing::AutopayConsent;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{AutopayStore, StoreError};
use portal_core::shared::{ContactId, TenantId};

use super::Owner;
use super::methods::{live_method, lock_account, owner};
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::billing::ConsentRow;

/// The columns [`ConsentRow`] reads.
macro_rules! consent_columns {
    () => {
        "id, account_id, method_id, contact_id, terms, consented_at, withdrawn_at, withdrawn_by"
    };
}

/// Withdraws the active consent, if any, returning it as withdrawn.
async fn withdraw<C: Conn>(
    conn: &mut C,
    owner: Owner,
    by: ContactId,
    at: DateTime<Utc>,
) -> Result<Option<AutopayConsent>, StoreError> {
    let row = conn
        .fetch_optional::<ConsentRow>(
            concat!(
                "UPDATE autopay_consents SET withdrawn_at = $3, withdrawn_by = $4 \
                 WHERE tenant_id = $1 AND account_id = $2 AND withdrawn_at IS NULL \
                 RETURNING ",
                consent_columns!()
            ),
            &[
                Arg::Id(owner.tenant),
                Arg::Id(owner.account),
                Arg::Time(at),
                Arg::Id(by.as_uuid()),
            ],
        )
        .await?;
    Ok(row.map(AutopayConsent::from))
}

#[async_trait]
impl<B: Backend> AutopayStore for SqlStore<B> {
    /// The account's active consent.
    async fn autopay(&self, scope: &AccountScope) -> Result<Option<AutopayConsent>, StoreError> {
        let conn = &mut *self.reader().await?;
        let row = conn
            .fetch_optional::<ConsentRow>(
                concat!(
                    "SELECT ",
                    consent_columns!(),
                    " FROM autopay_consents \
                     WHERE tenant_id = $1 AND account_id = $2 AND withdrawn_at IS NULL"
                ),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                ],
            )
            .await?;
        Ok(row.map(AutopayConsent::from))
    }

    /// The tenant's active consents with something due by `today`.
    async fn autopay_due(
        &self,
        tenant: TenantId,
        today: NaiveDate,
        limit: u32,
    ) -> Result<Vec<AutopayConsent>, StoreError> {
        let conn = &mut *self.reader().await?;
        let rows = conn
            .fetch_all::<ConsentRow>(
                concat!(
                    "SELECT ",
                    consent_columns!(),
                    " FROM autopay_consents c \
                     WHERE c.tenant_id = $1 AND c.withdrawn_at IS NULL \
                       AND EXISTS (SELECT 1 FROM invoices i \
                           WHERE i.tenant_id = c.tenant_id AND i.account_id = c.account_id \
                             AND i.status IN ('open', 'partially_paid') AND i.due_on <= $2 \
                             AND i.total_minor - i.paid_minor - i.pending_minor > 0) \
                     ORDER BY c.consented_at, c.id \
                     LIMIT $3"
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Date(today),
                    Arg::Int(i64::from(limit)),
                ],
            )
            .await?;
        Ok(rows.into_iter().map(AutopayConsent::from).collect())
    }

    /// Records a consent, withdrawing the active one (by the same contact, at
    /// the same time) first. The consenting contact must be the tenant's.
    async fn enrol_autopay(
        &self,
        scope: &AccountScope,
        consent: &AutopayConsent,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = owner(scope);
        lock_account(conn, owner).await?;
        live_method(conn, owner, consent.method).await?;
        withdraw(conn, owner, consent.contact, consent.consented_at).await?;
        let inserted = conn
            .execute(
                "INSERT INTO autopay_consents \
                     (id, tenant_id, account_id, method_id, contact_id, terms, consented_at) \
                 SELECT $1, c.tenant_id, $3, $4, c.id, $6, $7 \
                 FROM contacts c WHERE c.tenant_id = $2 AND c.id = $5",
                &[
                    Arg::Id(consent.id.as_uuid()),
                    Arg::Id(owner.tenant),
                    Arg::Id(owner.account),
                    Arg::Id(consent.method.as_uuid()),
                    Arg::Id(consent.contact.as_uuid()),
                    Arg::Text(&consent.terms),
                    Arg::Time(consent.consented_at),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// Withdraws the active consent; `NotFound` when there is none.
    async fn withdraw_autopay(
        &self,
        scope: &AccountScope,
        by: ContactId,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<AutopayConsent, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let consent = withdraw(conn, owner(scope), by, at)
            .await?
            .ok_or(StoreError::NotFound)?;
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(consent)
    }
}
