//! The dashboard's reads on either database: per selected panel one
//! indexed query for the first rows, with the panel's total from
//! `COUNT(*) OVER ()` in the same query (the window is computed before
//! `LIMIT`, so it counts every matching row).

use chrono::NaiveDate;
use portal_core::access::AccountScope;
use portal_core::dashboard::{Dashboard, PANEL_ROWS, PanelSelection};
use portal_core::ports::StoreError;

use super::{Arg, Conn, Row};
use crate::rows::{
    CommunicationPanelRow, InvoicePanelRow, JobPanelRow, TicketPanelRow, communication_panel,
    invoice_panel, job_panel, ticket_panel,
};

/// The selected panels of the account's dashboard, and always its recent
/// communications; invoices due before `today` are overdue.
pub(crate) async fn dashboard<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    panels: PanelSelection,
    today: NaiveDate,
) -> Result<Dashboard, StoreError> {
    // Every panel's query takes the tenant, the account and the row limit.
    let args = [
        Arg::Id(scope.tenant().as_uuid()),
        Arg::Id(scope.account().as_uuid()),
        Arg::Int(i64::from(PANEL_ROWS)),
    ];

    let unpaid_invoices = selected_rows::<_, InvoicePanelRow>(
        conn,
        panels.invoices,
        "SELECT number, due_on, total_minor - paid_minor AS balance_minor, currency, \
             COUNT(*) OVER () AS total \
         FROM invoices \
         WHERE tenant_id = $1 AND account_id = $2 \
           AND status IN ('open', 'partially_paid') \
         ORDER BY due_on, issued_on, number, id \
         LIMIT $3",
        &args,
    )
    .await?
    .map(|rows| invoice_panel(rows, today))
    .transpose()?;

    let open_jobs = selected_rows::<_, JobPanelRow>(
        conn,
        panels.jobs,
        "SELECT number, title, status, scheduled_for, COUNT(*) OVER () AS total \
         FROM work_orders \
         WHERE tenant_id = $1 AND account_id = $2 \
           AND status IN ('unscheduled', 'scheduled', 'in_progress') \
         ORDER BY scheduled_for NULLS LAST, number \
         LIMIT $3",
        &args,
    )
    .await?
    .map(job_panel);

    let open_tickets = selected_rows::<_, TicketPanelRow>(
        conn,
        panels.tickets,
        "SELECT number, subject, status, updated_at, COUNT(*) OVER () AS total \
         FROM tickets \
         WHERE tenant_id = $1 AND account_id = $2 AND status <> 'closed' \
         ORDER BY updated_at DESC, number \
         LIMIT $3",
        &args,
    )
    .await?
    .map(ticket_panel);

    let rows = conn
        .fetch_all::<CommunicationPanelRow>(
            "SELECT id, account_id, channel, subject, body, occurred_at, \
                 COUNT(*) OVER () AS total \
             FROM communications \
             WHERE tenant_id = $1 AND account_id = $2 \
             ORDER BY occurred_at DESC, id DESC \
             LIMIT $3",
            &args,
        )
        .await?;

    Ok(Dashboard {
        unpaid_invoices,
        open_jobs,
        open_tickets,
        recent_communications: communication_panel(rows),
    })
}

/// A panel's rows when the panel is selected; no query at all when not.
async fn selected_rows<C: Conn, O: Row>(
    conn: &mut C,
    selected: bool,
    sql: &'static str,
    args: &[Arg<'_>],
) -> Result<Option<Vec<O>>, StoreError> {
    if !selected {
        return Ok(None);
    }
    conn.fetch_all(sql, args).await.map(Some)
}
