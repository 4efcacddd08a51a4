//! Billing on either database, one file per port: invoices
//! ([`invoices`]: `InvoiceStore`), payments and credits ([`payments`]:
//! `PaymentStore`), the summary and statements ([`ledger`]:
//! `LedgerStore`), cards on file ([`methods`]: `PaymentMethodStore`) and
//! the autopay consent ([`autopay`]: `AutopayStore`). What several of them
//! share is here: the columns rows read, the invoice status rule, and the
//! money moves (taking what an invoice has payable, holding a payment's
//! shares, writing allocation rows).
//!
//! Money is whole minor units in SQL (see the 0003 migration), so every
//! money move is an integer conditional update that checks and writes in
//! one statement: an invoice takes a payment only while
//! `total - paid - pending` covers it, whatever else runs at the same time
//! (PostgreSQL re-checks the condition on the row's latest version under
//! its row lock; SQLite has one writer). A refused move makes the whole
//! transaction roll back, so nothing is half written.
//!
//! Lock order on PostgreSQL, the same in every write so none can wait on
//! another in a circle: the new payment row (invisible to others), then
//! invoices in id order, then existing payments in id order. Settling is
//! the one write that starts from an existing payment, a pending one, which
//! no other write locks.
//!
//! An allocation row is a payment's share of one invoice: `held` while the
//! payment is pending, `applied` when the money moved (with the time, which
//! statements need), `released` when a failed payment let go of its hold
//! or a voided invoice gave its payments back. Released rows count nowhere.
//!
//! Bound limits are written `LIMIT +$n`. SQLite's planner reads the value
//! bound to a bare `LIMIT $n` and marks the statement as depending on it,
//! so every new binding (sqlx binds every parameter at every execution)
//! expires the prepared statement and SQLite parses and plans it again: the
//! invoice list, the unpaid invoices a payment reads and the payment lists
//! were parsed afresh at every call. The unary plus (a no-op on both
//! databases) hides the parameter from that check (`sqlite3ExprIsInteger`
//! looks through `+` without the parse context that marks it).

mod autopay;
mod credit;
mod invoices;
mod ledger;
mod methods;
mod payments;
mod settle_sql;

pub(crate) use ledger::summary_columns;

use chrono::{DateTime, Utc};
use portal_core::billing::BillingConflict;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, AtLeast, Currency, Money, MoneyError, TenantId};
use uuid::Uuid;

use super::{Arg, Conn, tenancy};
use crate::error::backend;
use crate::rows::billing::to_minor;

/// Which applied allocations [`release_allocations`] releases.
#[derive(Clone, Copy)]
pub(super) enum Applied {
    /// Those applied together with this payment (credit it used).
    WithPayment(Uuid),
    /// Those on this invoice (it is being voided).
    ToInvoice(Uuid),
}

/// Gives each source payment back what it had applied (`(source, minor
/// units)`, in source id order: the module's lock order) and marks the
/// allocations `released`, which count nowhere.
pub(super) async fn release_allocations<C: Conn>(
    conn: &mut C,
    per_source: &[(Uuid, i64)],
    applied: Applied,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for &(source, amount) in per_source {
        conn.execute(
            "UPDATE payments SET applied_minor = applied_minor - $2 WHERE id = $1",
            &[Arg::Id(source), Arg::Int(amount)],
        )
        .await?;
    }
    let (sql, key) = match applied {
        Applied::WithPayment(payment) => (
            "UPDATE allocations SET state = 'released', released_at = $2 \
             WHERE for_payment = $1 AND state = 'applied'",
            payment,
        ),
        Applied::ToInvoice(invoice) => (
            "UPDATE allocations SET state = 'released', released_at = $2 \
             WHERE invoice_id = $1 AND state = 'applied'",
            invoice,
        ),
    };
    conn.execute(sql, &[Arg::Id(key), Arg::Time(at)]).await?;
    Ok(())
}

/// The columns [`crate::rows::billing::InvoiceRow`] reads, from
/// `invoices`.
macro_rules! invoice_columns {
    () => {
        "id, account_id, external_id, number, issued_on, due_on, currency, subtotal_minor, \
         tax_minor, total_minor, paid_minor, pending_minor, status, has_host_pdf, memo, voided_at"
    };
}
pub(crate) use invoice_columns;

/// The columns [`crate::rows::billing::PaymentRow`] reads, from
/// `payments`.
macro_rules! payment_columns {
    () => {
        "id, account_id, kind, source, status, currency, amount_minor, applied_minor, \
         method_label, gateway_reference, failure_reason, failure_message, external_id, fingerprint, \
         contact_id, memo, received_at"
    };
}
pub(crate) use payment_columns;

/// `InvoiceStatus::from_amounts` in SQL: the status of an invoice whose
/// paid amount is the expression `$paid` and total `$total` (both SQL
/// text). Every statement that changes paid or total sets `status` to this.
macro_rules! invoice_status {
    ($paid:literal, $total:literal) => {
        concat!(
            "CASE WHEN ",
            $paid,
            " >= ",
            $total,
            " THEN 'paid' WHEN ",
            $paid,
            " > 0 THEN 'partially_paid' ELSE 'open' END"
        )
    };
}
pub(crate) use invoice_status;

/// Who owns what is being written: the tenant and the account.
#[derive(Clone, Copy)]
pub(crate) struct Owner {
    tenant: Uuid,
    account: Uuid,
}

impl Owner {
    fn new(tenant: TenantId, account: AccountId) -> Self {
        Self {
            tenant: tenant.as_uuid(),
            account: account.as_uuid(),
        }
    }
}

/// `amount` in minor units of `currency`, which it must be in and more
/// than zero ([`Money::exact`]): an allocation or payment of nothing, or
/// in another currency than the row's, is refused rather than stored.
fn positive_minor(currency: Currency, amount: Money) -> Result<i64, StoreError> {
    if amount.currency() != currency {
        return Err(StoreError::Conflict(
            BillingConflict::WrongCurrency {
                expected: currency,
                got: amount.currency(),
            }
            .into(),
        ));
    }
    let amount = amount.amount();
    match Money::exact(amount, currency, AtLeast::MoreThanZero) {
        Err(MoneyError::TooSmall) => Err(StoreError::Conflict(
            BillingConflict::AmountNotPositive { amount }.into(),
        )),
        _ => to_minor(currency, amount),
    }
}

/// The tenant's currency (its settings), for port calls that carry none.
async fn tenant_currency<C: Conn>(conn: &mut C, tenant: TenantId) -> Result<Currency, StoreError> {
    let tenant = tenancy::tenant_by_id(conn, tenant)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(tenant.settings.currency())
}

/// Applies `amount` (minor units) of what the owner's invoice has
/// payable, in one conditional update: only an unpaid invoice of this
/// account whose `total - paid - pending` covers it. When nothing matched,
/// a second read tells `NotFound` (not the account's) from `Conflict` (too
/// little payable, naming the invoice). A portal payment's holds take the
/// same condition in [`hold_shares`].
async fn take_payable<C: Conn>(
    conn: &mut C,
    owner: Owner,
    invoice: Uuid,
    amount: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sql = concat!(
        "UPDATE invoices SET paid_minor = paid_minor + $4, updated_at = $5, status = ",
        invoice_status!("paid_minor + $4", "total_minor"),
        " WHERE tenant_id = $1 AND account_id = $2 AND id = $3 \
           AND status IN ('open', 'partially_paid') \
           AND total_minor - paid_minor - pending_minor >= $4"
    );
    let args = [
        Arg::Id(owner.tenant),
        Arg::Id(owner.account),
        Arg::Id(invoice),
        Arg::Int(amount),
        Arg::Time(at),
    ];
    if conn.execute(sql, &args).await? == 1 {
        return Ok(());
    }
    Err(refusal(conn, owner, invoice).await)
}

/// Why a take of the owner's invoice matched nothing: `NotFound` when it
/// is not the account's, else `Conflict` naming it (too little payable).
async fn refusal<C: Conn>(conn: &mut C, owner: Owner, invoice: Uuid) -> StoreError {
    let number = conn
        .fetch_optional::<(String,)>(
            "SELECT number FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND id = $3",
            &[
                Arg::Id(owner.tenant),
                Arg::Id(owner.account),
                Arg::Id(invoice),
            ],
        )
        .await;
    match number {
        Err(error) => error,
        Ok(None) => StoreError::NotFound,
        Ok(Some((number,))) => StoreError::Conflict(
            portal_core::billing::BillingConflict::InvoiceShort {
                invoice: portal_core::shared::InvoiceId::from_uuid(invoice),
                number,
            }
            .into(),
        ),
    }
}

/// How many invoices (or rows) one prebuilt multi-row statement takes at
/// most; more are written in chunks of this many.
const CHUNK: usize = 4;

/// The row lock (PostgreSQL only, in id order) and the hold of one chunk
/// of shares: `$1` tenant, `$2` account, `$3` time, then each invoice's id
/// and amount. The hold is [`take_payable`]'s conditional update for all
/// of them at once, returning the ids it held on.
macro_rules! hold_sql {
    ($id0:literal $amount0:literal $(, $id:literal $amount:literal)*) => {
        (
            concat!(
                "SELECT id FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                   AND id IN (", $id0, $(", ", $id,)* ") \
                 ORDER BY id FOR NO KEY UPDATE"
            ),
            concat!(
                "UPDATE invoices SET pending_minor = pending_minor + CASE id WHEN ", $id0,
                " THEN ", $amount0, $(" WHEN ", $id, " THEN ", $amount,)* " END, \
                     updated_at = $3 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id IN (", $id0, $(", ", $id,)* ") \
                   AND status IN ('open', 'partially_paid') \
                   AND total_minor - paid_minor - pending_minor >= CASE id WHEN ", $id0,
                " THEN ", $amount0, $(" WHEN ", $id, " THEN ", $amount,)* " END \
                 RETURNING id"
            ),
        )
    };
}

/// [`hold_sql`] for one to [`CHUNK`] invoices.
const HOLDS: [(&str, &str); CHUNK] = [
    hold_sql!("$4" "$5"),
    hold_sql!("$4" "$5", "$6" "$7"),
    hold_sql!("$4" "$5", "$6" "$7", "$8" "$9"),
    hold_sql!("$4" "$5", "$6" "$7", "$8" "$9", "$10" "$11"),
];

/// Holds each amount (minor units) on its invoice of the owner: the same
/// conditional update as [`take_payable`] (growing `pending`), one
/// statement for up to [`CHUNK`] invoices instead of one each (on SQLite
/// every statement is a round trip to the writer's thread under the write
/// lock). `shares` are in invoice id order, each invoice once. When an
/// invoice did not take its share, the first such (in id order) is
/// refused as [`take_payable`] would, and the caller's rollback undoes the
/// others. On PostgreSQL the chunk's rows are locked in id order first, so
/// the lock order stays that of every other write.
async fn hold_shares<C: Conn>(
    conn: &mut C,
    owner: Owner,
    shares: &[(Uuid, i64)],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in shares.chunks(CHUNK) {
        let (lock, hold) = HOLDS[chunk.len() - 1];
        let mut args = vec![Arg::Id(owner.tenant), Arg::Id(owner.account), Arg::Time(at)];
        for &(invoice, amount) in chunk {
            args.extend([Arg::Id(invoice), Arg::Int(amount)]);
        }
        if C::ROW_LOCKS {
            conn.execute(lock, &args).await?;
        }
        let held = conn.fetch_all::<(Uuid,)>(hold, &args).await?;
        if held.len() != chunk.len() {
            let refused = chunk
                .iter()
                .map(|&(invoice, _)| invoice)
                .find(|invoice| !held.iter().any(|(id,)| id == invoice))
                .ok_or_else(|| backend("a hold matched an invoice it did not name"))?;
            return Err(refusal(conn, owner, refused).await);
        }
    }
    Ok(())
}

/// What an allocation row is.
#[derive(Clone, Copy)]
enum Share {
    Held,
    Applied,
}

/// One multi-row insert of allocation rows: `$1` tenant, `$2` account,
/// `$3` payment, `$4` state, `$5` created, `$6` applied at, then each row's
/// id, invoice and amount.
macro_rules! allocations_sql {
    ($row0:literal $(, $row:literal)*) => {
        concat!(
            "INSERT INTO allocations \
                 (id, tenant_id, account_id, payment_id, invoice_id, amount_minor, state, \
                  created_at, applied_at) \
             VALUES ", $row0, $(", ", $row,)*
        )
    };
}

/// [`allocations_sql`] for one to [`CHUNK`] rows.
const INSERT_ALLOCATIONS: [&str; CHUNK] = [
    allocations_sql!("($7, $1, $2, $3, $8, $9, $4, $5, $6)"),
    allocations_sql!(
        "($7, $1, $2, $3, $8, $9, $4, $5, $6)",
        "($10, $1, $2, $3, $11, $12, $4, $5, $6)"
    ),
    allocations_sql!(
        "($7, $1, $2, $3, $8, $9, $4, $5, $6)",
        "($10, $1, $2, $3, $11, $12, $4, $5, $6)",
        "($13, $1, $2, $3, $14, $15, $4, $5, $6)"
    ),
    allocations_sql!(
        "($7, $1, $2, $3, $8, $9, $4, $5, $6)",
        "($10, $1, $2, $3, $11, $12, $4, $5, $6)",
        "($13, $1, $2, $3, $14, $15, $4, $5, $6)",
        "($16, $1, $2, $3, $17, $18, $4, $5, $6)"
    ),
];

/// Records a payment's shares (invoice, amount), one statement for up to
/// [`CHUNK`] rows.
async fn insert_allocations<C: Conn>(
    conn: &mut C,
    owner: Owner,
    payment: Uuid,
    shares: &[(Uuid, i64)],
    share: Share,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, applied_at) = match share {
        Share::Held => ("held", None),
        Share::Applied => ("applied", Some(at)),
    };
    for chunk in shares.chunks(CHUNK) {
        let mut args = vec![
            Arg::Id(owner.tenant),
            Arg::Id(owner.account),
            Arg::Id(payment),
            Arg::Text(state),
            Arg::Time(at),
            Arg::OptTime(applied_at),
        ];
        for &(invoice, amount) in chunk {
            args.extend([Arg::Id(Uuid::now_v7()), Arg::Id(invoice), Arg::Int(amount)]);
        }
        conn.execute(INSERT_ALLOCATIONS[chunk.len() - 1], &args)
            .await?;
    }
    Ok(())
}
