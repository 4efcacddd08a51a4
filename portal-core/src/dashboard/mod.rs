//! The dashboard: what a customer sees first. Each panel holds real data
//! from its context (billing, quotes, services, support, communications) or is
//! `None` when the tenant switched the feature off or the contact's role
//! does not allow it, so pages can tell "nothing here" from "not for you".

mod ports;
mod service;
pub use ports::DashboardStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockDashboardStore;
pub use service::DashboardService;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::accounts::Communication;
use crate::billing::AccountSummary;
use crate::shared::{Currency, InvoiceId, JobId, Money, QuoteId};

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
    /// Quotes awaiting approval (ViewQuotes).
    pub quotes: bool,
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
    /// Quotes awaiting approval (pending, not expired), nearest to expire
    /// first.
    pub pending_quotes: Option<Panel<QuoteRow>>,
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

/// An unpaid invoice on the dashboard. Serialised as the dashboard API
/// has always written it: `balance` a decimal string with a `currency`
/// field beside it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(into = "InvoiceRowWire")]
pub struct InvoiceRow {
    /// Its id, for a link to it (not written to JSON: the dashboard API
    /// names invoices by number).
    pub id: InvoiceId,
    /// Its number.
    pub number: String,
    /// When it is due.
    pub due_on: NaiveDate,
    /// What is still owed, in what.
    pub balance: Money,
    /// Whether the due date has passed.
    pub is_overdue: bool,
}

/// [`InvoiceRow`] as JSON: the currency a field of its own.
#[derive(Serialize)]
struct InvoiceRowWire {
    number: String,
    due_on: NaiveDate,
    balance: Money,
    currency: Currency,
    is_overdue: bool,
}

impl From<InvoiceRow> for InvoiceRowWire {
    fn from(row: InvoiceRow) -> Self {
        Self {
            number: row.number,
            due_on: row.due_on,
            balance: row.balance,
            currency: row.balance.currency(),
            is_overdue: row.is_overdue,
        }
    }
}

/// An open job on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JobRow {
    /// The job, for the link to its page (not written to the dashboard
    /// API's JSON, whose shape is published).
    #[serde(skip)]
    pub id: JobId,
    /// Its number.
    pub number: String,
    /// What is to be done.
    pub title: String,
    /// Unscheduled, scheduled, in progress.
    pub status: String,
    /// When its window starts, once it is scheduled.
    pub scheduled_for: Option<DateTime<Utc>>,
}

impl JobRow {
    /// Whether the account's autopay will pay for this job: the jobs'
    /// rule ([`JobStatus::paid_by_autopay`](crate::jobs::JobStatus::paid_by_autopay))
    /// on its status, so the dashboard never says more than the job's page.
    pub fn paid_by_autopay(&self, autopay_active: bool) -> bool {
        crate::jobs::JobStatus::parse(&self.status)
            .is_some_and(|status| status.paid_by_autopay(autopay_active))
    }
}

/// A quote awaiting approval on the dashboard. Serialised with `total`
/// a decimal string and `currency` beside it, as every amount of the API.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(into = "QuoteRowWire")]
pub struct QuoteRow {
    /// The quote.
    pub id: QuoteId,
    /// Its number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// The last day it can be approved.
    pub valid_until: NaiveDate,
    /// What its required lines come to.
    pub total: Money,
}

/// [`QuoteRow`] as JSON: the currency a field of its own.
#[derive(Serialize)]
struct QuoteRowWire {
    id: QuoteId,
    number: String,
    title: String,
    valid_until: NaiveDate,
    total: Money,
    currency: Currency,
}

impl From<QuoteRow> for QuoteRowWire {
    fn from(row: QuoteRow) -> Self {
        Self {
            id: row.id,
            number: row.number,
            title: row.title,
            valid_until: row.valid_until,
            currency: row.total.currency(),
            total: row.total,
        }
    }
}

/// An open ticket on the dashboard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketRow {
    /// Our id (its page).
    pub id: crate::shared::TicketId,
    /// Its number.
    pub number: u64,
    /// Its subject.
    pub subject: String,
    /// Open or waiting.
    pub status: crate::tickets::TicketStatus,
    /// Last activity.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dashboard API writes an unpaid invoice as it always has: the
    /// balance a decimal string, the currency a field beside it.
    #[test]
    fn an_invoice_row_is_written_with_its_currency_beside_the_balance() {
        let row = InvoiceRow {
            id: InvoiceId::new(),
            number: "INV-1".into(),
            due_on: NaiveDate::from_ymd_opt(2030, 3, 3).unwrap(),
            balance: Money::from_minor(1010, Currency::USD),
            is_overdue: true,
        };
        assert_eq!(
            serde_json::to_string(&row).unwrap(),
            r#"{"number":"INV-1","due_on":"2030-03-03","balance":"10.10","currency":"USD","is_overdue":true}"#
        );
    }
}
