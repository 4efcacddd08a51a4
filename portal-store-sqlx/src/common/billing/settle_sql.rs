//! The statements that settle a pending payment in one go: its status
//! change (returning the settled row), and applying or releasing every hold
//! it has on its invoices, each one `UPDATE` whatever the invoice count.

use super::payment_columns;

/// A payment's held amount on the invoice being updated (`invoices.id`),
/// summed over its held rows; `$2` is the payment.
macro_rules! held_sql {
    () => {
        "(SELECT CAST(SUM(a.amount_minor) AS BIGINT) FROM allocations a \
          WHERE a.payment_id = $2 AND a.invoice_id = invoices.id AND a.state = 'held')"
    };
}

/// The invoices a payment (`$2`) of the tenant (`$1`) holds on. The
/// tenant is checked on the allocation rows, not on `invoices`: with
/// `invoices.tenant_id` in the outer condition SQLite's planner took an
/// index led by the tenant and went through all its invoices (7 payments
/// a second on the benchmark's 1,000,000), where this form can only be a
/// primary-key lookup per held invoice.
macro_rules! held_invoices_sql {
    () => {
        "id IN (SELECT invoice_id FROM allocations \
                WHERE payment_id = $2 AND state = 'held' AND tenant_id = $1)"
    };
}
pub(super) use held_invoices_sql;

/// The status change that settles a pending payment (`$1` tenant, `$2`
/// payment, `$3` status, `$4` reference, `$5` failure code, `$6` time,
/// `$7` the provider's words of a decline),
/// returning the settled row, how many invoices it holds on and how many
/// rows of credit came with it.
/// `$applied` is the new `applied_minor`.
macro_rules! settle_sql {
    ($applied:literal) => {
        concat!(
            "UPDATE payments SET status = $3, gateway_reference = $4, failure_reason = $5, \
                 failure_message = $7, settled_at = $6, applied_minor = ",
            $applied,
            " WHERE tenant_id = $1 AND id = $2 AND status = 'pending' \
             RETURNING ",
            payment_columns!(),
            ", (SELECT COUNT(DISTINCT invoice_id) FROM allocations \
                WHERE payment_id = $2 AND state = 'held') AS held_invoices, \
             (SELECT COUNT(*) FROM allocations \
                WHERE for_payment = $2 AND state = 'applied') AS credit_rows"
        )
    };
}

/// [`settle_sql`] for a success: everything held is applied.
pub(super) const SETTLE_SUCCEEDED: &str = settle_sql!(
    "(SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM allocations \
      WHERE payment_id = $2 AND state = 'held')"
);

/// [`settle_sql`] for a failure: nothing is applied.
pub(super) const SETTLE_FAILED: &str = settle_sql!("applied_minor");

/// Turns a succeeded payment's (`$2`) holds into paid amounts on all its
/// invoices at once (`$1` tenant, `$3` time), status recomputed; only
/// where the hold is still there.
pub(super) const APPLY_HOLDS: &str = concat!(
    "UPDATE invoices SET pending_minor = pending_minor - ",
    held_sql!(),
    ", paid_minor = paid_minor + ",
    held_sql!(),
    ", updated_at = $3, status = CASE WHEN paid_minor + ",
    held_sql!(),
    " >= total_minor THEN 'paid' WHEN paid_minor + ",
    held_sql!(),
    " > 0 THEN 'partially_paid' ELSE 'open' END WHERE ",
    held_invoices_sql!(),
    " AND pending_minor >= ",
    held_sql!()
);

/// Releases a failed payment's (`$2`) holds on all its invoices at once.
pub(super) const RELEASE_HOLDS: &str = concat!(
    "UPDATE invoices SET pending_minor = pending_minor - ",
    held_sql!(),
    ", updated_at = $3 WHERE ",
    held_invoices_sql!(),
    " AND pending_minor >= ",
    held_sql!()
);
