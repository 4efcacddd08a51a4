//! Cards on file ([`PaymentMethodStore`]). Every write here and in
//! [`super::autopay`] first locks the account
//! ([`Dialect::LOCK_ACCOUNT`](crate::common::Dialect::LOCK_ACCOUNT)), so
//! the rules that span rows (one default, the first card is the default,
//! one active consent, no removing the card autopay uses) hold when two
//! writes for one account meet.
//! Removed methods stay as rows (consents and payments name them) without
//! their gateway token.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::billing::PaymentMethod;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{PaymentMethodStore, StoreError};
use portal_core::shared::PaymentMethodId;
use uuid::Uuid;

use super::Owner;
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::error::store_error;
use crate::rows::billing::MethodRow;

/// Locks the account's row; `NotFound` when it is not the tenant's.
pub(super) async fn lock_account<C: Conn>(conn: &mut C, owner: Owner) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(
        C::LOCK_ACCOUNT,
        &[Arg::Id(owner.tenant), Arg::Id(owner.account)],
    )
    .await?
    .map(drop)
    .ok_or(StoreError::NotFound)
}

/// The scope's tenant and account.
pub(super) fn owner(scope: &AccountScope) -> Owner {
    Owner::new(scope.tenant(), scope.account())
}

/// Whether the account's method on file is its default; `NotFound` when
/// the account has no such method on file.
pub(super) async fn live_method<C: Conn>(
    conn: &mut C,
    owner: Owner,
    id: PaymentMethodId,
) -> Result<bool, StoreError> {
    conn.fetch_optional::<(bool,)>(
        "SELECT is_default FROM payment_methods \
         WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND removed_at IS NULL",
        &[
            Arg::Id(owner.tenant),
            Arg::Id(owner.account),
            Arg::Id(id.as_uuid()),
        ],
    )
    .await?
    .map(|(is_default,)| is_default)
    .ok_or(StoreError::NotFound)
}

/// Makes live method `id` the default, taking it from whichever had it.
async fn make_default<C: Conn>(
    conn: &mut C,
    owner: Owner,
    id: PaymentMethodId,
) -> Result<(), StoreError> {
    clear_default(conn, owner).await?;
    conn.execute(
        "UPDATE payment_methods SET is_default = TRUE \
         WHERE tenant_id = $1 AND account_id = $2 AND id = $3",
        &[
            Arg::Id(owner.tenant),
            Arg::Id(owner.account),
            Arg::Id(id.as_uuid()),
        ],
    )
    .await?;
    Ok(())
}

/// Takes the default away from whichever method has it.
async fn clear_default<C: Conn>(conn: &mut C, owner: Owner) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE payment_methods SET is_default = FALSE \
         WHERE tenant_id = $1 AND account_id = $2 AND is_default = TRUE",
        &[Arg::Id(owner.tenant), Arg::Id(owner.account)],
    )
    .await
    .map(drop)
}

#[async_trait]
impl<B: Backend> PaymentMethodStore for SqlStore<B> {
    /// The account's methods on file, the default first, then newest.
    async fn payment_methods(
        &self,
        scope: &AccountScope,
    ) -> Result<Vec<PaymentMethod>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_all::<MethodRow>(
            "SELECT id, account_id, gateway_token, brand, last4, exp_month, exp_year, is_default, \
                 added_by, added_at \
             FROM payment_methods \
             WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL \
             ORDER BY is_default DESC, added_at DESC, id DESC",
            &[
                Arg::Id(scope.tenant().as_uuid()),
                Arg::Id(scope.account().as_uuid()),
            ],
        )
        .await?
        .into_iter()
        .map(PaymentMethod::try_from)
        .collect()
    }

    /// Puts a method on file for the scope's account; it is the default when
    /// asked or when it is the account's first.
    async fn add_payment_method(
        &self,
        scope: &AccountScope,
        method: &PaymentMethod,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = owner(scope);
        lock_account(conn, owner).await?;
        let (on_file,) = conn
            .fetch_optional::<(i64,)>(
                "SELECT COUNT(*) FROM payment_methods \
                 WHERE tenant_id = $1 AND account_id = $2 AND removed_at IS NULL",
                &[Arg::Id(owner.tenant), Arg::Id(owner.account)],
            )
            .await?
            .unwrap_or((0,));
        let is_default = method.is_default || on_file == 0;
        if is_default {
            clear_default(conn, owner).await?;
        }
        conn.execute(
            "INSERT INTO payment_methods (id, tenant_id, account_id, gateway_token, brand, last4, \
                 exp_month, exp_year, is_default, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                Arg::Id(method.id.as_uuid()),
                Arg::Id(owner.tenant),
                Arg::Id(owner.account),
                Arg::Text(method.gateway_token.expose()),
                Arg::Text(&method.brand),
                Arg::Text(&method.last4),
                Arg::OptInt(method.exp_month.map(i64::from)),
                Arg::OptInt(method.exp_year.map(i64::from)),
                Arg::Bool(is_default),
                Arg::OptId(method.added_by.map(|contact| contact.as_uuid())),
                Arg::Time(method.added_at),
            ],
        )
        .await?;
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// Removes a method unless the active consent uses it; the newest
    /// remaining one inherits the default.
    async fn remove_payment_method(
        &self,
        scope: &AccountScope,
        id: PaymentMethodId,
        new_default: Option<PaymentMethodId>,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = owner(scope);
        lock_account(conn, owner).await?;
        live_method(conn, owner, id).await?;
        let args = [
            Arg::Id(owner.tenant),
            Arg::Id(owner.account),
            Arg::Id(id.as_uuid()),
        ];
        let in_use = conn
            .fetch_optional::<(Uuid,)>(
                "SELECT id FROM autopay_consents \
                 WHERE tenant_id = $1 AND account_id = $2 AND method_id = $3 \
                   AND withdrawn_at IS NULL",
                &args,
            )
            .await?;
        if in_use.is_some() {
            return Err(StoreError::Conflict(
                portal_core::billing::BillingConflict::CardUsedByAutopay.into(),
            ));
        }
        // The port gives no time; the stamp only records when it went.
        conn.execute(
            "UPDATE payment_methods SET removed_at = $4, is_default = FALSE, gateway_token = '' \
             WHERE tenant_id = $1 AND account_id = $2 AND id = $3",
            &[args[0], args[1], args[2], Arg::Time(at)],
        )
        .await?;
        if let Some(new_default) = new_default {
            // The removed one is no longer live, so it cannot be chosen.
            live_method(conn, owner, new_default).await?;
            make_default(conn, owner, new_default).await?;
        }
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)
    }

    /// Makes a method the account's default.
    async fn set_default_payment_method(
        &self,
        scope: &AccountScope,
        id: PaymentMethodId,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = owner(scope);
        lock_account(conn, owner).await?;
        live_method(conn, owner, id).await?;
        make_default(conn, owner, id).await?;
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)
    }
}
