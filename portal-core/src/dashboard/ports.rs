//! The dashboard store port.

use async_trait::async_trait;

use super::{Dashboard, PanelSelection};
use crate::access::AccountScope;
use crate::shared::{Currency, StoreError};

/// Reads that gather what the dashboard shows, scoped to one account.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// The selected panels for the scope's account, each a handful of rows
    /// from an indexed query, plus the latest communications; with the
    /// invoices panel also the account summary (as
    /// [`crate::billing::LedgerStore::account_summary`] gives it, in `currency`).
    async fn dashboard(
        &self,
        scope: &AccountScope,
        panels: PanelSelection,
        today: chrono::NaiveDate,
        currency: Currency,
    ) -> Result<Dashboard, StoreError>;
}
