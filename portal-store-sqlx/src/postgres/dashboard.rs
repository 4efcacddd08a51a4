//! The dashboard's reads on PostgreSQL: per selected panel one indexed query
//! for the first rows, with the panel's total from `COUNT(*) OVER ()` in the
//! same query (the window is computed before `LIMIT`, so it counts every
//! matching row).

use async_trait::async_trait;
use chrono::NaiveDate;
use portal_core::access::AccountScope;
use portal_core::dashboard::{Dashboard, PANEL_ROWS, PanelSelection};
use portal_core::ports::{DashboardStore, StoreError};

use super::PgStore;
use crate::error::store_error;
use crate::rows::{
    CommunicationPanelRow, InvoicePanelRow, JobPanelRow, TicketPanelRow, communication_panel,
    invoice_panel, job_panel, ticket_panel,
};

#[async_trait]
impl DashboardStore for PgStore {
    async fn dashboard(
        &self,
        scope: &AccountScope,
        panels: PanelSelection,
        today: NaiveDate,
    ) -> Result<Dashboard, StoreError> {
        let tenant = scope.tenant().as_uuid();
        let account = scope.account().as_uuid();
        let limit = i64::from(PANEL_ROWS);

        let unpaid_invoices = if panels.invoices {
            let rows = sqlx::query_as::<_, InvoicePanelRow>(
                "SELECT number, due_on, CAST(balance AS TEXT) AS balance, currency, \
                     COUNT(*) OVER () AS total \
                 FROM invoices \
                 WHERE tenant_id = $1 AND account_id = $2 \
                   AND status IN ('open', 'partially_paid') \
                 ORDER BY due_on, number \
                 LIMIT $3",
            )
            .bind(tenant)
            .bind(account)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            Some(invoice_panel(rows, today)?)
        } else {
            None
        };

        let open_jobs = if panels.jobs {
            let rows = sqlx::query_as::<_, JobPanelRow>(
                "SELECT number, title, status, scheduled_for, COUNT(*) OVER () AS total \
                 FROM work_orders \
                 WHERE tenant_id = $1 AND account_id = $2 \
                   AND status IN ('unscheduled', 'scheduled', 'in_progress') \
                 ORDER BY scheduled_for NULLS LAST, number \
                 LIMIT $3",
            )
            .bind(tenant)
            .bind(account)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            Some(job_panel(rows))
        } else {
            None
        };

        let open_tickets = if panels.tickets {
            let rows = sqlx::query_as::<_, TicketPanelRow>(
                "SELECT number, subject, status, updated_at, COUNT(*) OVER () AS total \
                 FROM tickets \
                 WHERE tenant_id = $1 AND account_id = $2 AND status <> 'closed' \
                 ORDER BY updated_at DESC, number \
                 LIMIT $3",
            )
            .bind(tenant)
            .bind(account)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
            Some(ticket_panel(rows))
        } else {
            None
        };

        let rows = sqlx::query_as::<_, CommunicationPanelRow>(
            "SELECT id, account_id, channel, subject, body, occurred_at, \
                 COUNT(*) OVER () AS total \
             FROM communications \
             WHERE tenant_id = $1 AND account_id = $2 \
             ORDER BY occurred_at DESC, id DESC \
             LIMIT $3",
        )
        .bind(tenant)
        .bind(account)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;

        Ok(Dashboard {
            unpaid_invoices,
            open_jobs,
            open_tickets,
            recent_communications: communication_panel(rows),
        })
    }
}
