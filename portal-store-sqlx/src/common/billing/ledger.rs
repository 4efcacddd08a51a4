//! The ledger ([`LedgerStore`]): the account's money at a glance and the
//! parts of a statement: sums in integer SQL, dates and ordering of entries
//! in Rust (a payment's day depends on the tenant's time zone).
//!
//! Why statements add up: void invoices are never charges and released
//! allocations count nowhere, whatever the range; an allocation is applied
//! no earlier than its payment was received. So at any instant the charges
//! less the payments equal what invoices still owe less what payments have
//! not applied, which is what `Statement::build` checks against.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use portal_core::access::AccountScope;
use portal_core::billing::{
    AccountSummary, EntryKind, LedgerEntry, PaymentKind, StatementParts, StatementRange,
};
use portal_core::ports::{LedgerStore, StoreError};
use portal_core::shared::{Currency, InvoiceId, Money, PaymentId};

use super::tenant_currency;
use crate::common::{Arg, Backend, Conn, SqlStore};
use crate::rows::billing::{ChargeRow, ReceiptRow, SummaryRow};

/// The account summary's sums as columns of one `SELECT` (`$1` tenant,
/// `$2` account, `when` a condition that must hold for them to be read at
/// all, `today` the placeholder of the day past-due is judged by), each an
/// indexed subquery: decoded by
/// [`crate::rows::billing::SummaryRow`]. Written once for the summary and
/// the dashboard's one statement.
macro_rules! summary_columns {
    ($when:literal, $today:literal) => {
        concat!(
            "CASE WHEN ",
            $when,
            " THEN \
                 (SELECT CAST(COALESCE(SUM(total_minor - paid_minor), 0) AS BIGINT) \
                  FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                    AND status IN ('open', 'partially_paid')) END AS owed_minor, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT CAST(COALESCE(SUM(pending_minor), 0) AS BIGINT) \
                  FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                    AND status IN ('open', 'partially_paid')) END AS processing_minor, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT CAST(COALESCE(SUM(total_minor - paid_minor), 0) AS BIGINT) \
                  FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                    AND status IN ('open', 'partially_paid') AND due_on < ",
            $today,
            ") \
             END AS past_due_minor, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT COUNT(*) FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                    AND status IN ('open', 'partially_paid')) END AS unpaid_count, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT CAST(COALESCE(SUM(amount_minor - applied_minor), 0) AS BIGINT) \
                  FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                    AND status = 'succeeded') END AS credit_minor, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT amount_minor FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                    AND status = 'succeeded' AND kind = 'payment' \
                  ORDER BY received_at DESC, id DESC LIMIT 1) END AS last_payment_minor, \
             CASE WHEN ",
            $when,
            " THEN \
                 (SELECT received_at FROM payments WHERE tenant_id = $1 AND account_id = $2 \
                    AND status = 'succeeded' AND kind = 'payment' \
                  ORDER BY received_at DESC, id DESC LIMIT 1) END AS last_payment_at"
        )
    };
}
pub(crate) use summary_columns;

/// The first instant of `day` in `zone`. A midnight the clocks skip (a
/// few zones change at 00:00) starts at the first instant after the gap.
fn start_of_day(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..=3)
        .find_map(|hours| {
            zone.from_local_datetime(&(midnight + Duration::hours(hours)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc))
}

#[async_trait]
impl<B: Backend> LedgerStore for SqlStore<B> {
    /// The summary's sums in one statement of scalar subqueries: what unpaid
    /// invoices owe (in all, and past due), how many there are, the unapplied
    /// credit, and the last succeeded payment.
    async fn account_summary(
        &self,
        scope: &AccountScope,
        currency: Currency,
        today: NaiveDate,
    ) -> Result<AccountSummary, StoreError> {
        let conn = &mut *self.reader().await?;
        let row = conn
            .fetch_optional::<SummaryRow>(
                concat!("SELECT ", summary_columns!("TRUE", "$3")),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Date(today),
                ],
            )
            .await?
            .ok_or_else(|| crate::error::backend("the summary returned no row"))?;
        row.into_summary(currency)
            .ok_or_else(|| crate::error::backend("the summary's sums were NULL"))
    }

    /// What a statement of `range` needs, with payments dated in `zone`.
    async fn statement_parts(
        &self,
        scope: &AccountScope,
        range: StatementRange,
        zone: Tz,
    ) -> Result<StatementParts, StoreError> {
        let conn = &mut *self.reader().await?;
        let currency = tenant_currency(conn, scope.tenant()).await?;
        let start = start_of_day(zone, range.from);
        let end = range
            .to
            .succ_opt()
            .map_or(DateTime::<Utc>::MAX_UTC, |day| start_of_day(zone, day));
        let (tenant, account) = (
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
        );

        // Before the range (charges by issue date, payments by time received)
        // and at its end (payments received, and what of them was applied).
        let (charged_before, received_before, received_by_end, applied_by_end) = conn
            .fetch_optional::<(i64, i64, i64, i64)>(
                "SELECT \
                     (SELECT CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) FROM invoices \
                      WHERE tenant_id = $1 AND account_id = $2 AND status <> 'void' \
                        AND issued_on < $3), \
                     (SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payments \
                      WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
                        AND received_at < $4), \
                     (SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM payments \
                      WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
                        AND received_at < $5), \
                     (SELECT CAST(COALESCE(SUM(a.amount_minor), 0) AS BIGINT) \
                      FROM allocations a JOIN payments p ON p.id = a.payment_id \
                      JOIN invoices i ON i.id = a.invoice_id \
                      WHERE a.tenant_id = $1 AND a.account_id = $2 AND a.state = 'applied' \
                        AND a.applied_at < $5 AND p.received_at < $5 AND i.issued_on <= $6)",
                // Applied by the end means: to an invoice issued by the last day
                // (money applied early to a later invoice is still credit on the
                // statement), from a payment received by then; the aging below
                // subtracts exactly the same allocations, so aging less credit
                // is the closing balance.
                &[
                    tenant,
                    account,
                    Arg::Date(range.from),
                    Arg::Time(start),
                    Arg::Time(end),
                    Arg::Date(range.to),
                ],
            )
            .await?
            .ok_or_else(|| crate::error::backend("the statement sums returned no row"))?;

        let charges = conn
            .fetch_all::<ChargeRow>(
                "SELECT id, number, issued_on, total_minor FROM invoices \
                 WHERE tenant_id = $1 AND account_id = $2 AND status <> 'void' \
                   AND issued_on >= $3 AND issued_on <= $4 \
                 ORDER BY issued_on, number_key, id",
                &[tenant, account, Arg::Date(range.from), Arg::Date(range.to)],
            )
            .await?;
        let receipts = conn
            .fetch_all::<ReceiptRow>(
                "SELECT id, kind, method_label, amount_minor, received_at FROM payments \
                 WHERE tenant_id = $1 AND account_id = $2 AND status = 'succeeded' \
                   AND received_at >= $3 AND received_at < $4 \
                 ORDER BY received_at, id",
                &[tenant, account, Arg::Time(start), Arg::Time(end)],
            )
            .await?;
        let mut entries: Vec<LedgerEntry> = charges
            .into_iter()
            .map(|charge| LedgerEntry {
                date: charge.issued_on,
                kind: EntryKind::Charge,
                reference: charge.number,
                amount: Money::from_minor(charge.total_minor, currency),
                invoice: Some(InvoiceId::from_uuid(charge.id)),
                payment: None,
            })
            .collect();
        for receipt in receipts {
            let kind = match receipt.kind()? {
                PaymentKind::Payment => EntryKind::Payment,
                PaymentKind::Credit => EntryKind::Credit,
            };
            entries.push(LedgerEntry {
                date: receipt.received_at.0.with_timezone(&zone).date_naive(),
                kind,
                // No label, no reference: the entry's kind says what it
                // was, in the reader's words.
                reference: receipt.method_label.unwrap_or_default(),
                amount: Money::from_minor(receipt.amount_minor, currency),
                invoice: None,
                payment: Some(PaymentId::from_uuid(receipt.id)),
            });
        }
        // Stable: within a day, charges first, each kind in the order read.
        entries.sort_by_key(|entry| (entry.date, entry.kind != EntryKind::Charge));

        // What each invoice issued by the last day still owed at the end: its
        // total less the allocations applied to it by then.
        let owed = conn
            .fetch_all::<(NaiveDate, i64)>(
                "SELECT due_on, owed_minor FROM ( \
                     SELECT i.due_on, CAST(i.total_minor - COALESCE(( \
                         SELECT SUM(a.amount_minor) FROM allocations a \
                         JOIN payments p ON p.id = a.payment_id \
                         WHERE a.invoice_id = i.id AND a.state = 'applied' AND a.applied_at < $4 \
                           AND p.received_at < $4 \
                     ), 0) AS BIGINT) AS owed_minor \
                     FROM invoices i \
                     WHERE i.tenant_id = $1 AND i.account_id = $2 AND i.status <> 'void' \
                       AND i.issued_on <= $3) owed \
                 WHERE owed_minor > 0 ORDER BY due_on",
                &[tenant, account, Arg::Date(range.to), Arg::Time(end)],
            )
            .await?;

        Ok(StatementParts {
            opening_balance: Money::from_minor(charged_before - received_before, currency),
            entries,
            owed_at_end: owed
                .into_iter()
                .map(|(due_on, minor)| (due_on, Money::from_minor(minor, currency)))
                .collect(),
            unapplied_at_end: Money::from_minor(received_by_end - applied_by_end, currency),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2030, 3, 4).unwrap();
        assert_eq!(
            start_of_day(chrono_tz::America::New_York, day),
            "2030-03-04T05:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            start_of_day(chrono_tz::UTC, day),
            day.and_time(NaiveTime::MIN).and_utc()
        );
        // Santiago skips its midnight when summer time starts (2030-09-08).
        let skipped = NaiveDate::from_ymd_opt(2030, 9, 8).unwrap();
        let start = start_of_day(chrono_tz::America::Santiago, skipped);
        assert_eq!(
            start
                .with_timezone(&chrono_tz::America::Santiago)
                .date_naive(),
            skipped
        );
    }
}
