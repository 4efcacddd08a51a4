//! The dashboard's reads on either database ([`DashboardStore`]), in one
//! statement: per panel a subquery that turns the panel's first rows into
//! a JSON list ([`crate::rows::DashboardRow`]). SQLite runs every statement on its
//! connection's own thread, a thread switch there and back per statement,
//! so one statement instead of four is most of what a page costs.
//!
//! Which rows a panel shows and in what order is written once, here, as
//! the panel's inner query and its order (the macros below): one indexed
//! query with `LIMIT`, its total from a count subquery over the same
//! filter ([`panel_query!`]). The limit is
//! written into the SQL, not bound: SQLite plans with a bound `LIMIT`'s
//! value, so every new binding made it parse and plan the statement again. Each database
//! wraps them in its own JSON functions ([`super::Dialect::DASHBOARD`]),
//! sorting the list by the same order again, since an aggregate is not
//! bound to keep its input's order. A panel that is not selected is
//! guarded by `CASE WHEN`, so its subquery never runs.

use async_trait::async_trait;
use chrono::NaiveDate;
use portal_core::access::AccountScope;
use portal_core::dashboard::{Dashboard, PANEL_ROWS, PanelSelection};
use portal_core::ports::{DashboardStore, StoreError};
use portal_core::shared::Currency;

use super::{Arg, Backend, Conn, Dialect, DialectOf, SqlStore};
use crate::error::backend;
use crate::rows::DashboardRow;

/// [`PANEL_ROWS`], as SQL text.
macro_rules! panel_rows {
    () => {
        "5"
    };
}

const _: () = assert!(PANEL_ROWS == 5, "panel_rows!() must say PANEL_ROWS");

/// A panel's query: its `$columns` of the first [`panel_rows!`] rows
/// `$from` (a `FROM ... WHERE ...` clause) in `$order`, each with `total`,
/// the count of every matching row. The count is a subquery of its own,
/// which SQLite and PostgreSQL run once: `COUNT(*) OVER ()` made SQLite
/// copy the rows into a temporary table and sort them again.
macro_rules! panel_query {
    ($columns:expr, $from:expr, $order:expr) => {
        concat!(
            "SELECT ",
            $columns,
            ", (SELECT COUNT(*) ",
            $from,
            ") AS total ",
            $from,
            " ORDER BY ",
            $order,
            " LIMIT ",
            $crate::common::dashboard::panel_rows!()
        )
    };
}

/// The unpaid invoices' order: oldest due first.
macro_rules! invoices_order {
    () => {
        "due_on, issued_on, number, id"
    };
}

/// The first unpaid invoices (`$1` tenant, `$2` account).
macro_rules! unpaid_invoices {
    () => {
        $crate::common::dashboard::panel_query!(
            "id, number, due_on, issued_on, total_minor - paid_minor AS balance_minor, currency",
            "FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
             AND status IN ('open', 'partially_paid')",
            $crate::common::dashboard::invoices_order!()
        )
    };
}

/// The open jobs' order: soonest window first, unscheduled last (then
/// any without a window), then by number.
macro_rules! jobs_order {
    () => {
        "CASE WHEN status = 'unscheduled' THEN 1 ELSE 0 END, window_start NULLS LAST, number, id"
    };
}

/// The first open jobs (`$1` tenant, `$2` account): three ranges of
/// `jobs_account_status_window_idx`.
macro_rules! open_jobs {
    () => {
        $crate::common::dashboard::panel_query!(
            "id, number, title, status, window_start",
            "FROM jobs WHERE tenant_id = $1 AND account_id = $2 \
             AND status IN ('unscheduled', 'scheduled', 'in_progress')",
            $crate::common::dashboard::jobs_order!()
        )
    };
}

/// The open tickets' order: latest activity first.
macro_rules! tickets_order {
    () => {
        "updated_at DESC, id DESC"
    };
}

/// The first open tickets (`$1` tenant, `$2` account).
macro_rules! open_tickets {
    () => {
        $crate::common::dashboard::panel_query!(
            "id, number, subject, status, updated_at",
            "FROM tickets WHERE tenant_id = $1 AND account_id = $2 AND NOT closed",
            $crate::common::dashboard::tickets_order!()
        )
    };
}

/// The communications' order: latest first.
macro_rules! communications_order {
    () => {
        "occurred_at DESC, id DESC"
    };
}

/// The latest communications (`$1` tenant, `$2` account).
macro_rules! recent_communications {
    () => {
        $crate::common::dashboard::panel_query!(
            "id, account_id, channel, subject, body, occurred_at",
            "FROM communications WHERE tenant_id = $1 AND account_id = $2",
            $crate::common::dashboard::communications_order!()
        )
    };
}

/// The quotes awaiting approval's order: nearest to expire first.
macro_rules! quotes_order {
    () => {
        "valid_until, id"
    };
}

/// The first quotes awaiting approval (`$1` tenant, `$2` account): pending
/// and valid until today (`$6`) or later, from the partial index of
/// pending quotes.
macro_rules! pending_quotes {
    () => {
        $crate::common::dashboard::panel_query!(
            "id, number, title, valid_until, total_minor, currency",
            "FROM quotes WHERE tenant_id = $1 AND account_id = $2 \
             AND status = 'pending' AND valid_until >= $6",
            $crate::common::dashboard::quotes_order!()
        )
    };
}

pub(crate) use {
    communications_order, invoices_order, jobs_order, open_jobs, open_tickets, panel_query,
    panel_rows, pending_quotes, quotes_order, recent_communications, tickets_order,
    unpaid_invoices,
};

#[async_trait]
impl<B: Backend> DashboardStore for SqlStore<B> {
    /// The selected panels of the account's dashboard, and always its
    /// recent communications; invoices due before `today` are overdue.
    async fn dashboard(
        &self,
        scope: &AccountScope,
        panels: PanelSelection,
        today: NaiveDate,
        currency: Currency,
    ) -> Result<Dashboard, StoreError> {
        self.reader()
            .await?
            .fetch_optional::<DashboardRow>(
                DialectOf::<B>::DASHBOARD,
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Bool(panels.invoices),
                    Arg::Bool(panels.jobs),
                    Arg::Bool(panels.tickets),
                    Arg::Date(today),
                    Arg::Bool(panels.quotes),
                ],
            )
            .await?
            .ok_or_else(|| backend("the dashboard query returned no row"))?
            .into_dashboard(panels, today, currency)
    }
}
