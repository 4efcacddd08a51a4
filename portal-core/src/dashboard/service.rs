//! The dashboard use case. Each panel is authorized on its own, so a role
//! or a switched-off feature hides exactly that panel.

use super::{Dashboard, PanelSelection};
use crate::access::{Actor, Permission, authorize};
use crate::error::PortalError;

crate::portal::service! {
    /// The customer's dashboard. Get one from [`crate::Portal::dashboard`].
    /// Get one from the [`Portal`](crate::Portal) facade.
    DashboardService
}

impl DashboardService<'_> {
    /// The dashboard of the actor's active account.
    pub async fn show(self, actor: &Actor) -> Result<Dashboard, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewDashboard).await?;
        let features = &tenant.settings.features;
        let allowed = |permission| authorize(actor, permission, features).is_ok();
        let panels = PanelSelection {
            invoices: allowed(Permission::ViewBilling),
            jobs: allowed(Permission::ViewServices),
            tickets: allowed(Permission::ViewTickets) && features.tickets_view_open,
            quotes: allowed(Permission::ViewQuotes),
        };
        let time_zone = tenant.settings.time_zone();
        let today = self
            .portal
            .inner
            .clock
            .now()
            .with_timezone(&time_zone)
            .date_naive();
        let currency = tenant.settings.currency();
        Ok(self
            .stores()
            .dashboard
            .dashboard(&scope, panels, today, currency)
            .await?)
    }
}
