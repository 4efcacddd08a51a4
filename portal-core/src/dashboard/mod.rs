//! The dashboard: what a customer sees first. Each panel holds real data
//! from its context (billing, services, support, communications) or is
//! `None` when the tenant switched the feature off or the contact's role
//! does not allow it, so pages can tell "nothing here" from "not for you".

mod ports;
mod service;
pub use ports::DashboardStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockDashboardStore;
pub use service::DashboardService;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::accounts::Communication;
use crate::billing::AccountSummary;

/// How many rows each panel shows.
pub const PANEL_ROWS: u32 = 5;

/// Which panels to load; decided by [`crate::access::authorize`] per panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PanelSelection {
    /// Unpaid invoices and the account summary (ViewBilling).
    pub invoices: bool,
    /// Open jobs (ViewServices).
    pub jobs: bool,
    /// Open tickets (ViewTickets).
    pub tickets: bool,
}

/// Everything on the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dashboard {
    /// The account's balance, past-due amount, credit and last payment
    /// (with the invoices panel: ViewBilling).
    pub account_summary: Option<AccountSummary>,
    /// Unpaid invoices, oldest due first.
    pub unpaid_invoices: Option<Panel<InvoiceRow>>,
    /// Jobs not yet completed or cancelled, soonest first.
    pub open_jobs: Option<Panel<JobRow>>,
    /// Tickets not closed, newest first.
    pub open_tickets: Option<Panel<TicketRow>>,
    /// The latest communications.
    pub recent_communications: Panel<Communication>,
}

/// A few rows and how many there are in all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Panel<T> {
    /// Up to [`PANEL_ROWS`] rows.
    pub rows: Vec<T>,
    /// All matching rows.
    pub total: u64,
}

impl<T> Default for Panel<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            total: 0,
        }
    }
}

/// An unpaid invoice on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InvoiceRow {
    /// Its number.
    pub number: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// What is still owed.
    pub balance: Decimal,
    /// ISO currency.
    pub currency: String,
    /// Whether the due date has passed.
    pub is_overdue: bool,
}

impl InvoiceRow {
    /// The balance as customers read it (`120.50 USD`).
    pub fn balance_text(&self) -> String {
        crate::shared::format_amount(self.balance, &self.currency)
    }
}

/// An open job on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRow {
    /// Its number.
    pub number: String,
    /// What is to be done.
    pub title: String,
    /// Unscheduled, scheduled, in progress.
    pub status: String,
    /// When it is scheduled, if it is.
    pub scheduled_for: Option<DateTime<Utc>>,
}

/// An open ticket on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketRow {
    /// Its number.
    pub number: String,
    /// Its subject.
    pub subject: String,
    /// Open, waiting, ...
    pub status: String,
    /// Last activity.
    pub updated_at: DateTime<Utc>,
}
