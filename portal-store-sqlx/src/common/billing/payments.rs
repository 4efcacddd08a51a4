//! Payments and credits ([`PaymentStore`]): the portal's hold-then-settle
//! payments with their idempotency keys, the host's external payments,
//! applying account credit, and the reads (a payment, a page of them, the
//! pending ones).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::billing::{
    Allocation, ExternalPayment, IdempotencyKey, Payment, PaymentDetail, PaymentFailure,
    PaymentIntent, PaymentStart, PaymentStatus, Settlement,
};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{PaymentStore, StoreError};
use portal_core::shared::{Page, PageRequest, PaymentId, TenantId};
use uuid::Uuid;

use super::credit::{release_credit, take_credit};
use super::settle_sql::{
    APPLY_HOLDS, RELEASE_HOLDS, SETTLE_FAILED, SETTLE_SUCCEEDED, held_invoices_sql,
};
use super::{
    Owner, Share, hold_shares, insert_allocations, payment_columns, positive_minor, take_payable,
    tenant_currency,
};
use crate::common::outbox::enqueue;
use crate::common::{Arg, Backend, Conn, Dialect, DialectOf, SqlStore, fetch_page, limit_offset};
use crate::error::{backend, store_error};
use crate::rows::billing::{AllocationRow, PaymentRow, SettledRow, payment_details};

/// The allocations (summed per invoice, released ones left out) of the
/// payments `$where` picks, oldest invoice first, with the payment the
/// credit came with (`for_payment`) where it did.
macro_rules! allocation_sql {
    ($where:literal) => {
        concat!(
            "SELECT a.payment_id, a.for_payment, a.invoice_id, i.number AS invoice_number, \
                 CAST(SUM(a.amount_minor) AS BIGINT) AS amount_minor \
             FROM allocations a JOIN invoices i ON i.id = a.invoice_id \
             WHERE a.state <> 'released' AND ",
            $where,
            " GROUP BY a.payment_id, a.for_payment, a.invoice_id, i.number, i.due_on, i.issued_on \
             ORDER BY i.due_on, i.issued_on, i.number, a.invoice_id"
        )
    };
}

/// A payment row with its allocations.
async fn detail<C: Conn>(conn: &mut C, row: PaymentRow) -> Result<PaymentDetail, StoreError> {
    let allocations = conn
        .fetch_all::<AllocationRow>(
            allocation_sql!("(a.payment_id = $1 OR a.for_payment = $1)"),
            &[Arg::Id(row.id())],
        )
        .await?;
    payment_details(vec![row], allocations)?
        .pop()
        .ok_or_else(|| backend("a payment went missing while reading it"))
}

/// A payment of the tenant by id, with its allocations.
async fn tenant_payment_detail<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: PaymentId,
) -> Result<Option<PaymentDetail>, StoreError> {
    let row = conn
        .fetch_optional::<PaymentRow>(
            concat!(
                "SELECT ",
                payment_columns!(),
                " FROM payments WHERE tenant_id = $1 AND id = $2"
            ),
            &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
        )
        .await?;
    match row {
        Some(row) => detail(conn, row).await.map(Some),
        None => Ok(None),
    }
}

/// Allocations in minor units, in invoice id order (the lock order), and
/// their sum, which must not exceed `amount`.
fn shares(
    currency: portal_core::shared::Currency,
    allocations: impl Iterator<Item = (Uuid, portal_core::shared::Money)>,
    amount: i64,
) -> Result<Vec<(Uuid, i64)>, StoreError> {
    let mut shares = allocations
        .map(|(invoice, share)| Ok((invoice, positive_minor(currency, share)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    shares.sort();
    let sum = shares
        .iter()
        .try_fold(0i64, |sum, (_, share)| sum.checked_add(*share));
    if sum.is_none_or(|sum| sum > amount) {
        return Err(StoreError::Conflict(
            portal_core::billing::BillingConflict::AmountsExceedPayment.into(),
        ));
    }
    Ok(shares)
}

async fn earlier_attempt<C: Conn>(
    conn: &mut C,
    owner: Owner,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Option<PaymentStart>, StoreError> {
    let Some(earlier) = conn
        .fetch_optional::<PaymentRow>(
            concat!(
                "SELECT ",
                payment_columns!(),
                " FROM payments \
                 WHERE tenant_id = $1 AND account_id = $2 AND idempotency_key = $3"
            ),
            &[
                Arg::Id(owner.tenant),
                Arg::Id(owner.account),
                Arg::Text(key.as_str()),
            ],
        )
        .await?
    else {
        return Ok(None);
    };
    if earlier.fingerprint.as_deref() != Some(fingerprint) {
        return Ok(Some(PaymentStart::KeyReused));
    }
    let earlier = detail(conn, earlier).await?;
    Ok(Some(match earlier.payment.status {
        PaymentStatus::Pending => PaymentStart::InProgress(earlier),
        PaymentStatus::Succeeded | PaymentStatus::Failed => PaymentStart::Replay(earlier),
    }))
}

#[async_trait]
impl<B: Backend> PaymentStore for SqlStore<B> {
    /// Records a payment or credit the host took, applied at once. The
    /// external id's unique index makes it idempotent under concurrency too:
    /// the insert does nothing when the id is known, and the known one is
    /// returned.
    async fn record_external_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
        payment: &ExternalPayment,
        messages: &[OutboxMessage],
    ) -> Result<PaymentDetail, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = Owner::new(tenant, payment.account);
        let currency = payment.amount.currency();
        let amount = positive_minor(currency, payment.amount)?;
        let applied = shares(
            currency,
            payment
                .applied_to
                .iter()
                .map(|(invoice, share)| (invoice.as_uuid(), *share)),
            amount,
        )?;
        let applied_sum: i64 = applied.iter().map(|(_, share)| share).sum();
        let inserted = conn
            .execute(
                "INSERT INTO payments (id, tenant_id, account_id, kind, source, status, currency, \
                     amount_minor, applied_minor, method_label, external_id, memo, received_at, \
                     settled_at) \
                 SELECT $1, a.tenant_id, a.id, $4, 'host', 'succeeded', $5, $6, $7, $8, $9, $10, \
                     $11, $11 \
                 FROM accounts a WHERE a.tenant_id = $2 AND a.id = $3 \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                &[
                    Arg::Id(id.as_uuid()),
                    Arg::Id(owner.tenant),
                    Arg::Id(owner.account),
                    Arg::Text(payment.kind.as_str()),
                    Arg::Text(currency.as_str()),
                    Arg::Int(amount),
                    Arg::Int(applied_sum),
                    Arg::OptText(payment.method_label.as_deref()),
                    Arg::Text(payment.external_id.as_str()),
                    Arg::OptText(payment.memo.as_deref()),
                    Arg::Time(payment.received_at),
                ],
            )
            .await?;
        if inserted == 0 {
            let known = conn
                .fetch_optional::<PaymentRow>(
                    concat!(
                        "SELECT ",
                        payment_columns!(),
                        " FROM payments WHERE tenant_id = $1 AND external_id = $2"
                    ),
                    &[
                        Arg::Id(owner.tenant),
                        Arg::Text(payment.external_id.as_str()),
                    ],
                )
                .await?
                // Not a known id, so the account was not the tenant's.
                .ok_or(StoreError::NotFound)?;
            return detail(conn, known).await;
        }
        // Applied when received: statements then never show it as credit
        // before it paid the invoices it was taken for.
        let at = payment.received_at;
        for &(invoice, share) in &applied {
            take_payable(conn, owner, invoice, share, at).await?;
        }
        insert_allocations(conn, owner, id.as_uuid(), &applied, Share::Applied, at).await?;
        enqueue(conn, tenant, messages).await?;
        let recorded = tenant_payment_detail(conn, tenant, id)
            .await?
            .ok_or_else(|| backend("the recorded payment is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(recorded)
    }

    /// One page of the account's payments, newest first, and the allocations
    /// of the whole page in one more query (the page's own subquery picks the
    /// payments, so no list of ids is sent).
    async fn payments(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<PaymentDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        let rows = fetch_page::<PaymentRow, _>(
            conn,
            concat!(
                "SELECT ",
                payment_columns!(),
                ", COUNT(*) OVER () AS full_count \
                 FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                 ORDER BY received_at DESC, id DESC LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM payments WHERE tenant_id = $1 AND account_id = $2",
            &args,
            2,
            page,
        )
        .await?;
        let allocations = if rows.items.is_empty() {
            Vec::new()
        } else {
            conn.fetch_all::<AllocationRow>(
                allocation_sql!(
                    "a.tenant_id = $1 AND a.account_id = $2 AND (a.payment_id IN ( \
                         SELECT id FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                         ORDER BY received_at DESC, id DESC LIMIT +$3 OFFSET $4) \
                       OR a.for_payment IN ( \
                         SELECT id FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                         ORDER BY received_at DESC, id DESC LIMIT +$3 OFFSET $4))"
                ),
                &args,
            )
            .await?
        };
        rows.map_items(|rows| payment_details(rows, allocations))
    }

    /// A payment of the account by id, with its allocations.
    async fn payment(
        &self,
        scope: &AccountScope,
        id: PaymentId,
    ) -> Result<Option<PaymentDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let row = conn
            .fetch_optional::<PaymentRow>(
                concat!(
                    "SELECT ",
                    payment_columns!(),
                    " FROM payments WHERE tenant_id = $1 AND account_id = $2 AND id = $3"
                ),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                ],
            )
            .await?;
        match row {
            Some(row) => detail(conn, row).await.map(Some),
            None => Ok(None),
        }
    }

    /// The answer for a key the account used before (Stripe's rules), or
    /// `None` when it has no payment with the key.
    async fn payment_attempt(
        &self,
        scope: &AccountScope,
        key: &IdempotencyKey,
        fingerprint: &str,
    ) -> Result<Option<PaymentStart>, StoreError> {
        let conn = &mut *self.reader().await?;
        let owner = Owner::new(scope.tenant(), scope.account());
        earlier_attempt(conn, owner, key, fingerprint).await
    }

    /// Starts a portal payment: claims the idempotency key by inserting the
    /// pending payment (`ON CONFLICT DO NOTHING` on the key's unique index, so
    /// of two concurrent starts with one key exactly one inserts and the other
    /// waits for it and then finds it), then holds each share on its invoice.
    /// A key already there is answered from its payment and writes nothing.
    async fn begin_payment(
        &self,
        scope: &AccountScope,
        intent: &PaymentIntent,
    ) -> Result<PaymentStart, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = Owner::new(scope.tenant(), scope.account());
        let currency = intent.amount.currency();
        let amount = positive_minor(currency, intent.amount)?;
        let holds = shares(
            currency,
            intent
                .allocations
                .iter()
                .map(|allocation| (allocation.invoice.as_uuid(), allocation.amount)),
            amount,
        )?;
        let payment = intent.id.as_uuid();
        let inserted = conn
            .execute(
                "INSERT INTO payments (id, tenant_id, account_id, kind, source, status, currency, \
                     amount_minor, method_id, method_label, idempotency_key, fingerprint, \
                     contact_id, received_at) \
                 SELECT $1, a.tenant_id, a.id, 'payment', $4, 'pending', $5, $6, $7, $8, $9, $10, \
                     $11, $12 \
                 FROM accounts a WHERE a.tenant_id = $2 AND a.id = $3 \
                 ON CONFLICT (tenant_id, account_id, idempotency_key) DO NOTHING",
                &[
                    Arg::Id(payment),
                    Arg::Id(owner.tenant),
                    Arg::Id(owner.account),
                    Arg::Text(intent.source.as_str()),
                    Arg::Text(currency.as_str()),
                    Arg::Int(amount),
                    Arg::OptId(intent.method.map(|method| method.as_uuid())),
                    Arg::OptText(intent.method_label.as_deref()),
                    Arg::Text(intent.idempotency_key.as_str()),
                    Arg::Text(&intent.fingerprint),
                    Arg::OptId(intent.contact.map(|contact| contact.as_uuid())),
                    Arg::Time(intent.at),
                ],
            )
            .await?;
        if inserted == 0 {
            // Nothing was written; dropping the transaction rolls it back.
            return earlier_attempt(conn, owner, &intent.idempotency_key, &intent.fingerprint)
                .await?
                .ok_or(StoreError::NotFound);
        }
        // One hold per invoice (shares of one invoice summed), then the rows.
        let mut per_invoice: Vec<(Uuid, i64)> = Vec::with_capacity(holds.len());
        for &(invoice, share) in &holds {
            match per_invoice.last_mut() {
                Some((last, sum)) if *last == invoice => *sum += share,
                _ => per_invoice.push((invoice, share)),
            }
        }
        let credit = shares(
            currency,
            intent
                .credit
                .iter()
                .map(|allocation| (allocation.invoice.as_uuid(), allocation.amount)),
            i64::MAX,
        )?;
        if DialectOf::<B>::ROW_LOCKS && !credit.is_empty() {
            // Credit takes invoices the holds may not: lock all of them
            // first, in id order, as every write does.
            let mut ids: Vec<Uuid> = holds.iter().chain(&credit).map(|&(id, _)| id).collect();
            ids.sort();
            ids.dedup();
            for id in ids {
                conn.execute(
                    "SELECT id FROM invoices WHERE id = $1 FOR NO KEY UPDATE",
                    &[Arg::Id(id)],
                )
                .await?;
            }
        }
        hold_shares(conn, owner, &per_invoice, intent.at).await?;
        insert_allocations(conn, owner, payment, &holds, Share::Held, intent.at).await?;
        if !credit.is_empty() {
            take_credit(conn, owner, &credit, intent.at, Some(payment)).await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(PaymentStart::Started)
    }

    /// Settles a pending payment. The status change is the conditional update
    /// that decides: only a payment still pending changes, so a webhook and a
    /// reconcile racing settle it once; the loser reads it back unchanged.
    /// Then the held shares are applied (or released) on their invoices, all
    /// in one statement (locked in invoice id order on PostgreSQL), the
    /// allocation rows follow in one more, and the outbox rows in one insert:
    /// on SQLite every statement is a round trip to the writer's thread under
    /// the write lock, so a payment's writer time is its statement count.
    async fn settle_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
        settlement: &Settlement,
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<PaymentDetail, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant_id, payment) = (tenant.as_uuid(), id.as_uuid());
        let (status, reference, failure) = match settlement {
            Settlement::Succeeded { reference } => ("succeeded", Some(reference.as_str()), None),
            Settlement::Failed { failure } => ("failed", None, Some(failure)),
        };
        let succeeded = matches!(settlement, Settlement::Succeeded { .. });
        let args = [
            Arg::Id(tenant_id),
            Arg::Id(payment),
            Arg::Text(status),
            Arg::OptText(reference),
            Arg::OptText(failure.map(PaymentFailure::code)),
            Arg::Time(at),
            Arg::OptText(failure.and_then(PaymentFailure::provider_message)),
        ];
        // The settled row comes back from the update (no read afterwards),
        // with how many invoices the payment holds on.
        let settled = conn
            .fetch_optional::<SettledRow>(
                if succeeded {
                    SETTLE_SUCCEEDED
                } else {
                    SETTLE_FAILED
                },
                &args,
            )
            .await?;
        let Some(settled) = settled else {
            // A success for a payment already failed (a gateway answered late):
            // the money was taken, its holds are long released, so it becomes
            // account credit. Conditional on "failed", so it happens once.
            let late = match reference {
                Some(reference) => {
                    conn.execute(
                        "UPDATE payments SET status = 'succeeded', gateway_reference = $3, \
                             failure_reason = NULL, failure_message = NULL, settled_at = $4 \
                         WHERE tenant_id = $1 AND id = $2 AND status = 'failed'",
                        &[
                            Arg::Id(tenant_id),
                            Arg::Id(payment),
                            Arg::Text(reference),
                            Arg::Time(at),
                        ],
                    )
                    .await?
                }
                None => 0,
            };
            if late == 1 {
                enqueue(conn, tenant, messages).await?;
                let detail = tenant_payment_detail(conn, tenant, id).await?;
                tx.commit().await.map_err(store_error)?;
                return detail.ok_or(StoreError::NotFound);
            }
            return tenant_payment_detail(conn, tenant, id)
                .await?
                .ok_or(StoreError::NotFound);
        };
        // All held invoices in one statement each way (the amounts summed per
        // invoice from the payment's held rows), locked first in id order on
        // PostgreSQL, after the payment row as everywhere.
        let args = [Arg::Id(tenant_id), Arg::Id(payment), Arg::Time(at)];
        // Credit that came with a failed payment goes back: its invoices
        // are locked with the held ones.
        let give_back = !succeeded && settled.credit_rows > 0;
        if DialectOf::<B>::ROW_LOCKS {
            conn.execute(
                if give_back {
                    concat!(
                        "SELECT id FROM invoices WHERE ",
                        held_invoices_sql!(),
                        " OR id IN (SELECT invoice_id FROM allocations \
                                    WHERE for_payment = $2 AND state = 'applied') \
                         ORDER BY id FOR NO KEY UPDATE"
                    )
                } else {
                    concat!(
                        "SELECT id FROM invoices WHERE ",
                        held_invoices_sql!(),
                        " ORDER BY id FOR NO KEY UPDATE"
                    )
                },
                &args[..2],
            )
            .await?;
        }
        let moved = conn
            .execute(
                if succeeded {
                    APPLY_HOLDS
                } else {
                    RELEASE_HOLDS
                },
                &args,
            )
            .await?;
        if i64::try_from(moved).ok() != Some(settled.held_invoices) {
            return Err(backend(format!(
                "the invoices no longer hold what payment {payment} held on them"
            )));
        }
        conn.execute(
            if succeeded {
                "UPDATE allocations SET state = 'applied', applied_at = $2 \
                 WHERE payment_id = $1 AND state = 'held'"
            } else {
                "UPDATE allocations SET state = 'released', released_at = $2 \
                 WHERE payment_id = $1 AND state = 'held'"
            },
            &[Arg::Id(payment), Arg::Time(at)],
        )
        .await?;
        if give_back {
            release_credit(conn, payment, at).await?;
        }
        enqueue(conn, tenant, messages).await?;
        let settled = detail(conn, settled.payment).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(settled)
    }

    async fn tenant_payment(
        &self,
        tenant: TenantId,
        id: PaymentId,
    ) -> Result<Option<PaymentDetail>, StoreError> {
        tenant_payment_detail(&mut *self.reader().await?, tenant, id).await
    }

    /// The tenant's payments pending since before `before`, oldest first.
    async fn pending_payments(
        &self,
        tenant: TenantId,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Payment>, StoreError> {
        let conn = &mut *self.reader().await?;
        conn.fetch_all::<PaymentRow>(
            concat!(
                "SELECT ",
                payment_columns!(),
                " FROM payments WHERE tenant_id = $1 AND status = 'pending' AND received_at < $2 \
                 ORDER BY received_at, id LIMIT +$3"
            ),
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Time(before),
                Arg::Int(i64::from(limit)),
            ],
        )
        .await?
        .into_iter()
        .map(Payment::try_from)
        .collect()
    }

    /// Applies account credit (`credit::take_credit`: invoices first, then
    /// the oldest credit).
    async fn apply_credit(
        &self,
        scope: &AccountScope,
        allocations: &[Allocation],
        at: DateTime<Utc>,
        messages: &[OutboxMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let owner = Owner::new(scope.tenant(), scope.account());
        let currency = tenant_currency(conn, scope.tenant()).await?;
        let wanted = shares(
            currency,
            allocations
                .iter()
                .map(|allocation| (allocation.invoice.as_uuid(), allocation.amount)),
            i64::MAX,
        )?;
        take_credit(conn, owner, &wanted, at, None).await?;
        enqueue(conn, scope.tenant(), messages).await?;
        tx.commit().await.map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::shared::{Currency, Money};
    use rust_decimal::Decimal;

    #[test]
    fn shares_are_refused_above_the_payment_or_at_zero() {
        let usd = Currency::USD;
        let money = |amount| Money::new(amount, usd);
        let (a, b) = (Uuid::from_u128(2), Uuid::from_u128(1));
        let ok = shares(
            usd,
            [(a, money(Decimal::ONE)), (b, money(Decimal::TWO))].into_iter(),
            300,
        );
        assert_eq!(ok.unwrap(), vec![(b, 200), (a, 100)]);
        assert!(shares(usd, [(a, money(Decimal::new(301, 2)))].into_iter(), 300).is_err());
        assert!(shares(usd, [(a, money(Decimal::ZERO))].into_iter(), 300).is_err());
        // 0.001 is no cent: Money rounds it to zero, which is refused.
        assert!(shares(usd, [(a, money(Decimal::new(1, 3)))].into_iter(), 300).is_err());
        let yen = Money::from_minor(1, Currency::parse("JPY").unwrap());
        assert!(shares(usd, [(a, yen)].into_iter(), 300).is_err());
    }
}
