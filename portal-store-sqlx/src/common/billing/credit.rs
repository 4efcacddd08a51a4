//! Account credit moving onto invoices: applied by the customer on its
//! own ([`PaymentStore::apply_credit`](portal_core::ports::PaymentStore)),
//! or together with a portal payment, and then given back if that payment
//! fails. Credit is the unapplied part of the account's succeeded
//! payments and credits; taking it is a conditional update on each, so
//! two writers can never spend the same credit.

use chrono::{DateTime, Utc};
use portal_core::billing::BillingConflict;
use portal_core::ports::StoreError;
use uuid::Uuid;

use super::{Applied, Owner, release_allocations, take_payable};
use crate::common::{Arg, Conn};
use crate::rows::billing::CreditRow;

/// Applies account credit to the owner's invoices (`wanted`: invoice and
/// minor units, in invoice id order): each invoice takes its share, then
/// the credit comes from the account's unapplied payments and credits,
/// oldest first, read under their row locks (id order, after the
/// invoices, as every write locks). With `for_payment` the rows name the
/// payment the credit came with. `Conflict` (the caller rolls back) when
/// there is less credit than wanted or an invoice has less payable.
pub(super) async fn take_credit<C: Conn>(
    conn: &mut C,
    owner: Owner,
    wanted: &[(Uuid, i64)],
    at: DateTime<Utc>,
    for_payment: Option<Uuid>,
) -> Result<(), StoreError> {
    for &(invoice, share) in wanted {
        take_payable(conn, owner, invoice, share, at).await?;
    }
    let mut sources = conn
        .fetch_all::<CreditRow>(
            C::LOCK_CREDIT_SOURCES,
            &[Arg::Id(owner.tenant), Arg::Id(owner.account)],
        )
        .await?;
    sources.sort_by_key(|source| (source.received_at.0, source.id));
    let credit: i64 = sources.iter().map(|source| source.unapplied_minor).sum();
    let needed: i64 = wanted.iter().map(|(_, share)| share).sum();
    if credit < needed {
        return Err(StoreError::Conflict(
            BillingConflict::NotEnoughCredit.into(),
        ));
    }
    // Pair invoices with sources, oldest source first.
    let mut taken = vec![0i64; sources.len()];
    let mut next = 0;
    for &(invoice, share) in wanted {
        let mut left = share;
        while left > 0 {
            let available = sources[next].unapplied_minor - taken[next];
            if available == 0 {
                next += 1;
                continue;
            }
            let piece = left.min(available);
            conn.execute(
                "INSERT INTO allocations (id, tenant_id, account_id, payment_id, invoice_id, \
                     amount_minor, state, created_at, applied_at, for_payment) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7, $7, $8)",
                &[
                    Arg::Id(Uuid::now_v7()),
                    Arg::Id(owner.tenant),
                    Arg::Id(owner.account),
                    Arg::Id(sources[next].id),
                    Arg::Id(invoice),
                    Arg::Int(piece),
                    Arg::Time(at),
                    Arg::OptId(for_payment),
                ],
            )
            .await?;
            taken[next] += piece;
            left -= piece;
        }
    }
    for (source, taken) in sources.iter().zip(taken) {
        let args = [Arg::Id(source.id), Arg::Int(taken)];
        if taken > 0
            && conn
                .execute(
                    "UPDATE payments SET applied_minor = applied_minor + $2 \
                     WHERE id = $1 AND applied_minor + $2 <= amount_minor",
                    &args,
                )
                .await?
                != 1
        {
            return Err(StoreError::Conflict(BillingConflict::CreditChanged.into()));
        }
    }
    Ok(())
}

/// Gives back the credit applied with a payment (`payment`) that failed:
/// each invoice's paid amount and status, each source's applied amount,
/// and the rows become `released`, which count nowhere. Rows a void
/// invoice released already are not there to give back. Invoices were
/// locked by the caller (id order); sources are updated in id order.
pub(super) async fn release_credit<C: Conn>(
    conn: &mut C,
    payment: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut rows = conn
        .fetch_all::<(Uuid, Uuid, i64)>(
            "SELECT payment_id, invoice_id, amount_minor FROM allocations \
             WHERE for_payment = $1 AND state = 'applied'",
            &[Arg::Id(payment)],
        )
        .await?;
    rows.sort_by_key(|&(_, invoice, _)| invoice);
    for &(_, invoice, amount) in &rows {
        let sql = concat!(
            "UPDATE invoices SET paid_minor = paid_minor - $2, updated_at = $3, status = ",
            super::invoice_status!("paid_minor - $2", "total_minor"),
            " WHERE id = $1 AND status <> 'void' AND paid_minor >= $2"
        );
        if conn
            .execute(sql, &[Arg::Id(invoice), Arg::Int(amount), Arg::Time(at)])
            .await?
            != 1
        {
            return Err(crate::error::backend(format!(
                "invoice {invoice} no longer holds the credit payment {payment} applied"
            )));
        }
    }
    let mut per_source: Vec<(Uuid, i64)> = rows
        .iter()
        .map(|&(source, _, amount)| (source, amount))
        .collect();
    per_source.sort_by_key(|&(source, _)| source);
    release_allocations(conn, &per_source, Applied::WithPayment(payment), at).await
}
