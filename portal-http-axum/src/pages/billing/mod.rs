//! The customer's billing pages: the account summary, invoices (list,
//! detail, PDF), payment history and receipts, and statements (page and
//! PDF). Paying and credit are in `pay.rs`, cards on file and autopay in
//! `cards.rs`.
//!
//! Every handler reads its input through [`crate::params`], asks one use
//! case on the facade and renders what it gets; whether the contact may
//! see a page (role, feature switches) is the facade's answer, shown as
//! its 403 or 404 page ([`PageError`]). Amounts and dates are turned into
//! text here, once, so templates stay free of logic.

mod cards;
mod history;
mod invoices;
mod pay;
mod statement;

use history::{payments, receipt, receipt_pdf};
use invoices::{InvoiceFilters, allocation_rows, invoice, invoice_pdf, invoices, kind_label};
use statement::{statement, statement_pdf};

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use askama::Template;
use portal_core::AuthContext;
use portal_core::billing::{
    AccountSummary, Invoice, InvoiceQuery, InvoiceSort, InvoiceStatusFilter,
};
use portal_core::shared::{Currency, Formats, PageRequest};
use std::sync::Arc;

pub(super) use pay::{amount_input, card_label};

use super::list::Listing;
use super::{Layout, PageError, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::pdf::{self, Heading, Paper};
use crate::route_table::{PageRoutes, form_post, get};
use crate::security::{Csrf, PageUser};
use portal_i18n::Messages;

/// The billing routes, under the portal's prefix.
pub fn routes() -> PageRoutes {
    PageRoutes::new()
        .route("/billing", get(summary))
        .route("/billing/invoices", get(invoices))
        .route("/billing/invoices/{id}", get(invoice))
        .route("/billing/invoices/{id}/pdf", get(invoice_pdf))
        .route("/billing/pay", get(pay::form).post(pay::submit))
        .route("/billing/pay/balance", get(pay::balance))
        .route(
            "/billing/credit",
            get(pay::credit_form).post(pay::credit_submit),
        )
        .route("/billing/payments", get(payments))
        // The receipt mail links here (`billing/payments/{id}` from the
        // tenant's base URL): keep the path.
        .route("/billing/payments/{id}", get(receipt))
        .route("/billing/payments/{id}/receipt.pdf", get(receipt_pdf))
        .route("/billing/statement", get(statement))
        .route("/billing/statement.pdf", get(statement_pdf))
        .route("/billing/methods", get(cards::methods).post(cards::add))
        .route(
            "/billing/methods/{id}/remove",
            get(cards::confirm_remove).post(cards::remove),
        )
        .route(
            "/billing/methods/{id}/default",
            form_post(cards::make_default, "/billing/methods"),
        )
        .route("/billing/autopay", get(cards::autopay).post(cards::enrol))
        .route(
            "/billing/autopay/withdraw",
            get(cards::confirm_withdraw).post(cards::withdraw),
        )
}

/// What every billing handler works with: the logged-in customer, the
/// tenant and the form token.
pub struct Visit {
    state: AppState,
    context: RequestContext,
    csrf: Csrf,
    auth: AuthContext,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let PageUser(auth) = PageUser::from_request_parts(parts, state).await?;
        let context = RequestContext::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let csrf = Csrf::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            state: state.clone(),
            context,
            csrf,
            auth,
        })
    }
}

impl Visit {
    pub(in crate::pages) fn portal(&self) -> &portal_core::Portal {
        &self.state.portal
    }

    pub(in crate::pages) fn actor(&self) -> &portal_core::access::Actor {
        &self.auth.actor
    }

    /// The catalog in the contact's language.
    pub(in crate::pages) fn t(&self) -> Messages {
        self.context.t()
    }

    /// The session: who is acting, on which account.
    pub(in crate::pages) fn auth(&self) -> &AuthContext {
        &self.auth
    }

    /// The tenant, the mount path and the client's address.
    pub(in crate::pages) fn context(&self) -> &RequestContext {
        &self.context
    }

    pub(in crate::pages) fn layout(&self, title: &str, page: &str) -> Layout {
        super::accounts::layout(
            &self.state,
            title,
            page,
            &self.context,
            &self.csrf,
            &self.auth,
        )
    }

    /// 303 to a page of the portal (post/redirect/get).
    pub(in crate::pages) fn redirect(&self, path: &str) -> Response {
        Redirect::to(&format!("{}/{path}", self.context.base)).into_response()
    }

    /// How the tenant writes money and dates (made once per locale and
    /// zone, shared).
    pub(in crate::pages) fn formats(&self) -> Arc<Formats> {
        self.context.tenant.settings.formats(self.t().language())
    }

    fn currency(&self) -> Currency {
        self.context.tenant.settings.currency()
    }

    /// Today in the tenant's time zone.
    fn today(&self) -> NaiveDate {
        self.portal().billing().today(&self.context.tenant)
    }

    /// A PDF of the active account ([`pdf::account_document`]).
    pub(in crate::pages) fn document(
        &self,
        name: &str,
        draw: impl FnOnce(&Heading<'_>, Paper) -> Vec<u8>,
    ) -> Response {
        pdf::account_document(&self.auth, self.t(), name, draw)
    }
}

/// The page notice after a redirect (`?done=...`).
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    pub(in crate::pages) fn notice(&self, known: &[(&str, String)]) -> Option<String> {
        let done = self.done.as_deref()?;
        known
            .iter()
            .find(|(key, _)| *key == done)
            .map(|(_, text)| text.clone())
    }
}

/// The account summary as text.
pub struct Summary {
    pub(in crate::pages) balance: String,
    pub(in crate::pages) past_due: String,
    pub(in crate::pages) has_past_due: bool,
    pub(in crate::pages) credit: String,
    pub(in crate::pages) has_credit: bool,
    /// Whether anything may be paid now (unpaid, and not all held by
    /// payments being processed): what "Pay" offers go by.
    pub(in crate::pages) has_payable: bool,
    /// What payments still being processed hold, when any do.
    pub(in crate::pages) processing: Option<String>,
    pub(in crate::pages) last_payment: Option<(String, String)>,
}

impl Summary {
    /// `summary` written the tenant's way (money, and days in its zone).
    pub fn of(summary: &AccountSummary, formats: &Formats) -> Self {
        Self {
            balance: formats.money.format(summary.current_balance),
            past_due: formats.money.format(summary.past_due),
            has_past_due: summary.past_due.is_positive(),
            credit: formats.money.format(summary.credit),
            has_credit: summary.credit.is_positive(),
            has_payable: summary.payable().is_positive(),
            processing: summary
                .processing
                .is_positive()
                .then(|| formats.money.format(summary.processing)),
            last_payment: summary
                .last_payment
                .map(|(amount, at)| (formats.money.format(amount), formats.dates.day_of(at))),
        }
    }
}

/// An invoice as a list row.
pub struct InvoiceRow {
    id: String,
    number: String,
    issued_on: String,
    due_on: String,
    total: String,
    paid: String,
    balance: String,
    status: String,
    is_overdue: bool,
    is_unpaid: bool,
    /// Held by a payment still being processed.
    pending: Option<String>,
}

impl InvoiceRow {
    fn of(t: Messages, invoice: &Invoice, today: NaiveDate, formats: &Formats) -> Self {
        Self {
            id: invoice.id.to_string(),
            number: invoice.number.clone(),
            issued_on: formats.dates.day(invoice.issued_on),
            due_on: formats.dates.day(invoice.due_on),
            total: formats.money.format(invoice.total),
            paid: formats.money.format(invoice.amount_paid),
            balance: formats.money.format(invoice.balance()),
            status: pdf::status_label(t, invoice.status),
            is_overdue: invoice.is_overdue(today),
            is_unpaid: invoice.status.is_unpaid() && invoice.payable().is_positive(),
            pending: invoice
                .amount_pending
                .is_positive()
                .then(|| formats.money.format(invoice.amount_pending)),
        }
    }
}

// ---- summary ---------------------------------------------------------

#[derive(Template)]
#[template(path = "billing/summary.html")]
struct SummaryPage {
    layout: Layout,
    section: &'static str,
    notice: Option<String>,
    summary: Summary,
    unpaid: Vec<InvoiceRow>,
    more_unpaid: bool,
}

/// How many unpaid invoices the summary lists before linking to the rest.
const SUMMARY_ROWS: u32 = 10;

/// `/billing`: the account summary and the unpaid invoices.
pub async fn summary(visit: Visit, Query(done): Query<Done>) -> Result<Response, PageError> {
    let query = InvoiceQuery {
        status: Some(InvoiceStatusFilter::Unpaid),
        sort: InvoiceSort::DueAsc,
        page: PageRequest::new(1, SUMMARY_ROWS),
        ..InvoiceQuery::default()
    };
    let (summary, list) = tokio::join!(
        visit.portal().billing().account_summary(visit.actor()),
        visit.portal().billing().invoices(visit.actor(), &query)
    );
    let (summary, list) = (summary?, list?);
    let formats = visit.formats();
    let page = SummaryPage {
        layout: visit.layout(&visit.t().msg("nav-billing"), "billing"),
        section: "summary",
        notice: done.notice(&[
            ("credit", visit.t().msg("billing-done-credit")),
            ("autopay-on", visit.t().msg("billing-done-autopay-on")),
        ]),
        summary: Summary::of(&summary, &formats),
        more_unpaid: list.invoices.total > list.invoices.items.len() as u64,
        unpaid: list
            .invoices
            .items
            .iter()
            .map(|invoice| InvoiceRow::of(visit.t(), invoice, list.today, &formats))
            .collect(),
    };
    render(StatusCode::OK, &page)
}

// ---- invoices --------------------------------------------------------
