//! The customer's billing pages: the account summary, invoices (list,
//! detail, PDF), payment history and receipts, and statements (page and
//! PDF). Paying and credit are in `pay.rs`, cards on file and autopay in
//! `cards.rs`.
//!
//! Every handler asks one use case on the facade and renders what it
//! gets; whether the contact may see a page (role, feature switches) is
//! the facade's answer, shown as its 403 or 404 page. Amounts and dates
//! are turned into text here, once, so templates stay free of logic.

mod cards;
mod pay;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};

use askama::Template;
use portal_core::billing::{
    AccountSummary, EntryKind, Invoice, InvoiceQuery, InvoiceSort, InvoiceStatusFilter,
    PaymentDetail, PaymentKind, PaymentStatus, Statement, StatementRange,
};
use portal_core::shared::{Currency, InvoiceId, PageRequest, PaymentId};
use portal_core::{AuthContext, PortalError};

use super::{Layout, error_page, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::pdf::{self, Heading, Paper};
use crate::route_table::{PageRoutes, get, post};
use crate::security::{Csrf, PageUser};

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
        .route("/billing/statement", get(statement))
        .route("/billing/statement.pdf", get(statement_pdf))
        .route("/billing/methods", get(cards::methods).post(cards::add))
        .route("/billing/methods/{id}/remove", post(cards::remove))
        .route("/billing/methods/{id}/default", post(cards::make_default))
        .route("/billing/autopay", get(cards::autopay).post(cards::enrol))
        .route("/billing/autopay/withdraw", post(cards::withdraw))
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
    fn portal(&self) -> &portal_core::Portal {
        &self.state.portal
    }

    fn actor(&self) -> &portal_core::access::Actor {
        &self.auth.actor
    }

    fn layout(&self, title: &str, page: &str) -> Layout {
        super::portal::layout(
            &self.state,
            title,
            page,
            &self.context,
            &self.csrf,
            &self.auth,
        )
    }

    /// The error page for a use case's refusal.
    fn fail(&self, error: PortalError) -> Response {
        error_page(&self.context, error)
    }

    /// 303 to a page of the portal (post/redirect/get).
    fn redirect(&self, path: &str) -> Response {
        Redirect::to(&format!("{}/{path}", self.context.base)).into_response()
    }

    fn zone(&self) -> chrono_tz::Tz {
        self.context.tenant.settings.time_zone()
    }

    fn currency(&self) -> Currency {
        self.context.tenant.settings.currency()
    }

    /// Today in the tenant's time zone.
    fn today(&self) -> NaiveDate {
        self.portal().billing().today(&self.context.tenant)
    }

    /// Who a printed document is from and for.
    fn heading(&self) -> (String, String) {
        (
            self.context.tenant.settings.display_name.clone(),
            format!(
                "{} ({})",
                self.auth.membership.account_name, self.auth.membership.account_number
            ),
        )
    }

    fn paper(&self) -> Paper {
        Paper::for_locale(&self.context.tenant.settings.locale)
    }
}

/// Collapses "render or fail early" handlers into one response.
fn respond(result: Result<Response, Response>) -> Response {
    result.unwrap_or_else(|response| response)
}

/// A day as customers read it.
fn day(date: NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

/// A moment as a day in the tenant's time zone.
fn day_of(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    day(at.with_timezone(&zone).date_naive())
}

/// An amount a customer typed: digits with an optional decimal point;
/// thousands separators and spaces are allowed. A currency sign is not:
/// the field is in the portal's currency, and "£10" on a dollar portal
/// must be refused, not read as 10 dollars.
fn parse_amount(field: &'static str, text: &str) -> Result<Option<Decimal>, PortalError> {
    let cleaned: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match crate::amount::plain_decimal(&cleaned) {
        Some(amount) => Ok(Some(amount)),
        None => Err(PortalError::invalid(
            field,
            format!(
                "\"{}\" is not an amount; type digits only, such as 120.50",
                text.trim()
            ),
        )),
    }
}

/// The id in a URL: one that does not parse is as unknown as another
/// account's.
fn parse_id<T>(
    text: &str,
    parse: fn(&str) -> Result<T, portal_core::shared::ParseError>,
) -> Result<T, PortalError> {
    parse(text).map_err(|_| PortalError::NotFound)
}

/// A page number from the query string (1 when absent or nonsense).
fn page_request(page: Option<&str>) -> PageRequest {
    let page = page.and_then(|p| p.trim().parse().ok()).unwrap_or(1);
    PageRequest::new(page, PageRequest::DEFAULT_PER_PAGE)
}

/// The page notice after a redirect (`?done=...`).
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

impl Done {
    fn notice(&self, known: &[(&str, &str)]) -> Option<String> {
        let done = self.done.as_deref()?;
        known
            .iter()
            .find(|(key, _)| *key == done)
            .map(|(_, text)| (*text).to_owned())
    }
}

/// The account summary as text.
pub struct Summary {
    pub(in crate::pages) balance: String,
    pub(in crate::pages) past_due: String,
    pub(in crate::pages) has_past_due: bool,
    pub(in crate::pages) credit: String,
    pub(in crate::pages) has_credit: bool,
    /// What payments still being processed hold, when any do.
    pub(in crate::pages) processing: Option<String>,
    pub(in crate::pages) unpaid_invoices: u64,
    pub(in crate::pages) last_payment: Option<(String, String)>,
}

impl Summary {
    /// `summary` for display in the tenant's time zone.
    pub fn of(summary: &AccountSummary, zone: chrono_tz::Tz) -> Self {
        let money = |amount| summary.currency.format(amount);
        Self {
            balance: money(summary.current_balance),
            past_due: money(summary.past_due),
            has_past_due: summary.past_due > Decimal::ZERO,
            credit: money(summary.credit),
            has_credit: summary.credit > Decimal::ZERO,
            processing: (summary.processing > Decimal::ZERO).then(|| money(summary.processing)),
            unpaid_invoices: summary.unpaid_invoices,
            last_payment: summary
                .last_payment
                .map(|(amount, at)| (money(amount), day_of(at, zone))),
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
    status: &'static str,
    is_overdue: bool,
    is_unpaid: bool,
    /// Held by a payment still being processed.
    pending: Option<String>,
}

impl InvoiceRow {
    fn of(invoice: &Invoice, today: NaiveDate) -> Self {
        let money = |amount| invoice.currency.format(amount);
        Self {
            id: invoice.id.to_string(),
            number: invoice.number.clone(),
            issued_on: day(invoice.issued_on),
            due_on: day(invoice.due_on),
            total: money(invoice.total),
            paid: money(invoice.amount_paid),
            balance: money(invoice.balance()),
            status: invoice.status.label(),
            is_overdue: invoice.is_overdue(today),
            is_unpaid: invoice.status.is_unpaid() && invoice.payable() > Decimal::ZERO,
            pending: (invoice.amount_pending > Decimal::ZERO)
                .then(|| money(invoice.amount_pending)),
        }
    }
}

/// Previous and next links of a paginated list.
pub struct Pager {
    previous: Option<String>,
    next: Option<String>,
    text: String,
}

impl Pager {
    /// Links for `page` of `total` rows; `link(n)` is the URL of page n.
    /// A page past the last (an old bookmark) links back to the last.
    fn of(page: u32, per_page: u32, total: u64, link: impl Fn(u32) -> String) -> Self {
        let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
        let last = u32::try_from(pages).unwrap_or(u32::MAX);
        if page > last {
            return Self {
                previous: Some(link(last)),
                next: None,
                text: format!("Page {page} is past the last page ({last})"),
            };
        }
        Self {
            previous: (page > 1).then(|| link(page - 1)),
            next: (page < last).then(|| link(page + 1)),
            text: format!("Page {page} of {pages}"),
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
pub async fn summary(visit: Visit, Query(done): Query<Done>) -> Response {
    respond(
        async {
            let layout = visit.layout("Billing", "billing");
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
            let summary = summary.map_err(|error| visit.fail(error))?;
            let list = list.map_err(|error| visit.fail(error))?;
            let page = SummaryPage {
                layout,
                section: "summary",
                notice: done.notice(&[
                    ("credit", "Your account credit was applied."),
                    ("autopay-on", "Autopay is on."),
                ]),
                summary: Summary::of(&summary, visit.zone()),
                more_unpaid: list.invoices.total > list.invoices.items.len() as u64,
                unpaid: list
                    .invoices
                    .items
                    .iter()
                    .map(|invoice| InvoiceRow::of(invoice, list.today))
                    .collect(),
            };
            Ok(render(StatusCode::OK, &page))
        }
        .await,
    )
}

// ---- invoices --------------------------------------------------------

/// The invoice list's query string, as typed (so a bad value can be shown
/// back with its message).
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct InvoiceFilters {
    #[serde(default, skip_serializing_if = "is_blank")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    number: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    issued_from: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    issued_to: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    min_total: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    max_total: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    sort: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    page: Option<String>,
}

fn is_blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|text| text.trim().is_empty())
}

fn text_of(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// A `YYYY-MM-DD` date from a form or query string.
fn parse_date(
    field: &'static str,
    value: &Option<String>,
) -> Result<Option<NaiveDate>, PortalError> {
    text_of(value)
        .map(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| PortalError::invalid(field, "must be a date like 2026-11-30"))
        })
        .transpose()
}

/// A value of one of core's snake_case enums (`InvoiceSort`, ...), read
/// with the enum's own serde names so the two can never drift apart.
fn parse_choice<T: serde::de::DeserializeOwned>(
    field: &'static str,
    value: &Option<String>,
) -> Result<Option<T>, PortalError> {
    text_of(value)
        .map(|text| {
            let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                text.into_deserializer();
            T::deserialize(de).map_err(|_| PortalError::invalid(field, "is not one of the choices"))
        })
        .transpose()
}

impl InvoiceFilters {
    fn query(&self) -> Result<InvoiceQuery, PortalError> {
        Ok(InvoiceQuery {
            status: parse_choice("status", &self.status)?,
            number: text_of(&self.number).map(str::to_owned),
            issued_from: parse_date("issued_from", &self.issued_from)?,
            issued_to: parse_date("issued_to", &self.issued_to)?,
            min_total: parse_amount("min_total", self.min_total.as_deref().unwrap_or(""))?,
            max_total: parse_amount("max_total", self.max_total.as_deref().unwrap_or(""))?,
            sort: parse_choice("sort", &self.sort)?.unwrap_or_default(),
            page: page_request(self.page.as_deref()),
        })
    }

    fn value(value: &Option<String>) -> String {
        value.clone().unwrap_or_default()
    }

    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let mut filters = self.clone();
        filters.page = (page > 1).then(|| page.to_string());
        let query = serde_urlencoded::to_string(&filters).unwrap_or_default();
        if query.is_empty() {
            format!("{base}/billing/invoices")
        } else {
            format!("{base}/billing/invoices?{query}")
        }
    }
}

/// The status filter's choices: core's serde name and the label.
const STATUS_CHOICES: [(&str, &str); 5] = [
    ("", "Any status"),
    ("unpaid", "Unpaid"),
    ("overdue", "Overdue"),
    ("paid", "Paid"),
    ("void", "Void"),
];

/// The sort choices: core's serde name and the label.
const SORT_CHOICES: [(&str, &str); 8] = [
    ("issued_desc", "Newest first"),
    ("issued_asc", "Oldest first"),
    ("due_asc", "Due soonest"),
    ("due_desc", "Due latest"),
    ("total_desc", "Largest amount"),
    ("total_asc", "Smallest amount"),
    ("number_asc", "Number (A to Z)"),
    ("number_desc", "Number (Z to A)"),
];

/// One `<option>`: value, label, selected.
pub struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn choices(all: &[(&'static str, &'static str)], current: &Option<String>) -> Vec<Choice> {
    let current = text_of(current).unwrap_or("");
    all.iter()
        .map(|(value, label)| Choice {
            value,
            label,
            selected: *value == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "billing/invoices.html")]
struct InvoicesPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    notice: Option<String>,
    statuses: Vec<Choice>,
    sorts: Vec<Choice>,
    number: String,
    issued_from: String,
    issued_to: String,
    min_total: String,
    max_total: String,
    rows: Vec<InvoiceRow>,
    total: u64,
    pager: Option<Pager>,
    is_filtered: bool,
}

/// `/billing/invoices`: filters, sorting and pages from the query string.
pub async fn invoices(visit: Visit, Query(filters): Query<InvoiceFilters>) -> Response {
    respond(
        async {
            let layout = visit.layout("Invoices", "billing/invoices");
            let mut page = InvoicesPage {
                layout,
                section: "invoices",
                error: None,
                notice: None,
                statuses: choices(&STATUS_CHOICES, &filters.status),
                sorts: choices(&SORT_CHOICES, &filters.sort),
                number: InvoiceFilters::value(&filters.number),
                issued_from: InvoiceFilters::value(&filters.issued_from),
                issued_to: InvoiceFilters::value(&filters.issued_to),
                min_total: InvoiceFilters::value(&filters.min_total),
                max_total: InvoiceFilters::value(&filters.max_total),
                rows: Vec::new(),
                total: 0,
                pager: None,
                is_filtered: [
                    &filters.status,
                    &filters.number,
                    &filters.issued_from,
                    &filters.issued_to,
                    &filters.min_total,
                    &filters.max_total,
                ]
                .into_iter()
                .any(|value| !is_blank(value)),
            };
            let listed = match filters.query() {
                Ok(query) => {
                    visit
                        .portal()
                        .billing()
                        .invoices(visit.actor(), &query)
                        .await
                }
                Err(error) => Err(error),
            };
            match listed {
                Ok(list) => {
                    let invoices = &list.invoices;
                    page.rows = invoices
                        .items
                        .iter()
                        .map(|invoice| InvoiceRow::of(invoice, list.today))
                        .collect();
                    page.total = invoices.total;
                    let base = visit.context.base.clone();
                    page.pager = Some(Pager::of(
                        invoices.page,
                        invoices.per_page,
                        invoices.total,
                        |n| filters.link(&base, n),
                    ));
                    Ok(render(StatusCode::OK, &page))
                }
                // A filter the customer can fix: show it with the form.
                Err(error @ PortalError::InvalidInput { .. }) => {
                    page.error = Some(error.to_string());
                    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
                }
                Err(error) => Err(visit.fail(error)),
            }
        }
        .await,
    )
}

/// One line of an invoice as text.
pub struct LineRow {
    description: String,
    quantity: String,
    unit_price: String,
    tax_rate: String,
    amount: String,
}

/// A payment's or credit's share of an invoice as text.
pub struct AppliedRow {
    payment: String,
    kind: &'static str,
    date: String,
    amount: String,
    method: String,
}

fn kind_label(kind: PaymentKind) -> &'static str {
    match kind {
        PaymentKind::Payment => "Payment",
        PaymentKind::Credit => "Credit",
    }
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
struct InvoicePage {
    layout: Layout,
    section: &'static str,
    invoice: InvoiceRow,
    subtotal: String,
    tax: String,
    memo: Option<String>,
    lines: Vec<LineRow>,
    applied: Vec<AppliedRow>,
}

/// `/billing/invoices/{id}`: lines, totals and what was applied.
pub async fn invoice(visit: Visit, Path(id): Path<String>) -> Response {
    respond(
        async {
            let id = parse_id(&id, InvoiceId::parse).map_err(|error| visit.fail(error))?;
            let detail = visit
                .portal()
                .billing()
                .invoice(visit.actor(), id)
                .await
                .map_err(|error| visit.fail(error))?;
            let invoice = &detail.invoice;
            let currency = invoice.currency;
            let layout = visit.layout(&format!("Invoice {}", invoice.number), "billing/invoices");
            let page = InvoicePage {
                layout,
                section: "invoices",
                invoice: InvoiceRow::of(invoice, visit.today()),
                subtotal: currency.format(invoice.subtotal),
                tax: currency.format(invoice.tax),
                memo: invoice.memo.clone(),
                lines: detail
                    .lines
                    .iter()
                    .map(|line| LineRow {
                        description: line.description.clone(),
                        quantity: line.quantity.normalize().to_string(),
                        unit_price: currency.format_unit_price(line.unit_price),
                        tax_rate: format!("{}%", line.tax_rate.normalize()),
                        amount: currency.format(line.amount(currency)),
                    })
                    .collect(),
                applied: detail
                    .applied
                    .iter()
                    .map(|applied| AppliedRow {
                        payment: applied.payment.to_string(),
                        kind: kind_label(applied.kind),
                        date: day_of(applied.applied_at, visit.zone()),
                        amount: currency.format(applied.amount),
                        method: applied.method_label.clone().unwrap_or_default(),
                    })
                    .collect(),
            };
            Ok(render(StatusCode::OK, &page))
        }
        .await,
    )
}

/// `/billing/invoices/{id}/pdf`: the host's PDF, else one rendered here.
pub async fn invoice_pdf(visit: Visit, Path(id): Path<String>) -> Response {
    use portal_core::InvoiceDocument;
    let id = match parse_id(&id, InvoiceId::parse) {
        Ok(id) => id,
        Err(error) => return visit.fail(error),
    };
    match visit
        .portal()
        .billing()
        .invoice_document(visit.actor(), id)
        .await
    {
        Ok(InvoiceDocument::HostPdf(bytes)) => {
            crate::pdf::download(bytes, &format!("invoice-{id}"))
        }
        Ok(InvoiceDocument::Render(detail)) => {
            let (business, account) = visit.heading();
            let heading = Heading {
                business: &business,
                account: &account,
            };
            let bytes = pdf::invoice(&heading, &detail, visit.paper());
            crate::pdf::download(bytes, &format!("invoice-{}", detail.invoice.number))
        }
        Err(error) => visit.fail(error),
    }
}

// ---- payments --------------------------------------------------------

/// Allocations as the pages list them: invoice id, number and amount.
pub(super) fn allocation_rows(
    allocations: &[portal_core::billing::Allocation],
    currency: Currency,
) -> Vec<(String, String, String)> {
    allocations
        .iter()
        .map(|a| {
            (
                a.invoice.to_string(),
                a.invoice_number.clone(),
                currency.format(a.amount),
            )
        })
        .collect()
}

/// A payment or credit as text, with the invoices it paid.
pub struct PaymentRow {
    id: String,
    kind: &'static str,
    date: String,
    amount: String,
    method: String,
    reference: String,
    status: PaymentStatus,
    failure: Option<String>,
    /// Invoice id, number and amount applied.
    invoices: Vec<(String, String, String)>,
    /// What was kept as account credit.
    unapplied: Option<String>,
    /// A credit the business gave, not a payment.
    credit: bool,
}

impl PaymentRow {
    fn of(detail: &PaymentDetail, zone: chrono_tz::Tz) -> Self {
        let payment = &detail.payment;
        let money = |amount| payment.currency.format(amount);
        let unapplied = payment.unapplied();
        Self {
            id: payment.id.to_string(),
            kind: kind_label(payment.kind),
            date: day_of(payment.received_at, zone),
            amount: money(payment.amount),
            method: payment.method_label.clone().unwrap_or_default(),
            reference: payment.gateway_reference.clone().unwrap_or_default(),
            status: payment.status,
            failure: payment.failure_message.clone(),
            invoices: allocation_rows(&detail.allocations, payment.currency),
            unapplied: (unapplied > Decimal::ZERO).then(|| money(unapplied)),
            credit: payment.kind == PaymentKind::Credit,
        }
    }

    fn status_label(&self) -> &'static str {
        match self.status {
            PaymentStatus::Pending => "Being processed",
            PaymentStatus::Succeeded => "Received",
            PaymentStatus::Failed => "Failed",
        }
    }

    fn is_pending(&self) -> bool {
        self.status == PaymentStatus::Pending
    }

    fn is_failed(&self) -> bool {
        self.status == PaymentStatus::Failed
    }

    fn is_credit(&self) -> bool {
        self.credit
    }

    /// The page's title, as its heading says.
    fn title(&self) -> &'static str {
        match self.status {
            PaymentStatus::Pending => "Payment being processed",
            PaymentStatus::Failed => "Payment failed",
            PaymentStatus::Succeeded if self.credit => "Credit",
            PaymentStatus::Succeeded => "Receipt",
        }
    }
}

#[derive(Template)]
#[template(path = "billing/payments.html")]
struct PaymentsPage {
    layout: Layout,
    section: &'static str,
    rows: Vec<PaymentRow>,
    /// Payments and credits on every page.
    total: u64,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `/billing/payments`: payments and credits, newest first.
pub async fn payments(visit: Visit, Query(query): Query<PageQuery>) -> Response {
    respond(
        async {
            let layout = visit.layout("Payments", "billing/payments");
            let list = visit
                .portal()
                .billing()
                .payments(visit.actor(), page_request(query.page.as_deref()))
                .await
                .map_err(|error| visit.fail(error))?;
            let base = visit.context.base.clone();
            let page = PaymentsPage {
                layout,
                section: "payments",
                rows: list
                    .items
                    .iter()
                    .map(|detail| PaymentRow::of(detail, visit.zone()))
                    .collect(),
                total: list.total,
                pager: Pager::of(list.page, list.per_page, list.total, |n| {
                    format!("{base}/billing/payments?page={n}")
                }),
            };
            Ok(render(StatusCode::OK, &page))
        }
        .await,
    )
}

#[derive(Template)]
#[template(path = "billing/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    section: &'static str,
    payment: PaymentRow,
}

/// `/billing/payments/{id}`: a receipt (also where paying lands).
pub async fn receipt(visit: Visit, Path(id): Path<String>) -> Response {
    respond(
        async {
            let id = parse_id(&id, PaymentId::parse).map_err(|error| visit.fail(error))?;
            let detail = visit
                .portal()
                .billing()
                .payment(visit.actor(), id)
                .await
                .map_err(|error| visit.fail(error))?;
            let payment = PaymentRow::of(&detail, visit.zone());
            let layout = visit.layout(payment.title(), "billing/payments");
            let page = ReceiptPage {
                layout,
                section: "payments",
                payment,
            };
            Ok(render(StatusCode::OK, &page))
        }
        .await,
    )
}

// ---- statements ------------------------------------------------------

/// The statement's range as typed.
#[derive(Deserialize, Default)]
pub struct RangeQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

impl RangeQuery {
    /// The range asked for; without dates, the start of last month to
    /// today (a full month plus this month so far).
    fn range(&self, today: NaiveDate) -> Result<StatementRange, PortalError> {
        let to = parse_date("to", &self.to)?.unwrap_or(today);
        let from = match parse_date("from", &self.from)? {
            Some(from) => from,
            None => to
                .with_day(1)
                .and_then(|first| first.checked_sub_days(Days::new(1)))
                .and_then(|last_month| last_month.with_day(1))
                .unwrap_or(to),
        };
        StatementRange::new(from, to)
    }
}

/// A statement line as text, with the page it links to.
pub struct EntryRow {
    date: String,
    kind: &'static str,
    reference: String,
    link: Option<String>,
    amount: String,
    balance: String,
}

#[derive(Template)]
#[template(path = "billing/statement.html")]
struct StatementPage {
    layout: Layout,
    section: &'static str,
    error: Option<String>,
    from: String,
    to: String,
    pdf_link: Option<String>,
    statement: Option<StatementView>,
}

/// A statement as text.
pub struct StatementView {
    period: String,
    opening: String,
    charges: String,
    payments: String,
    credits: String,
    closing: String,
    unapplied: Option<String>,
    entries: Vec<EntryRow>,
    aging: Vec<(&'static str, String)>,
}

impl StatementView {
    fn of(statement: &Statement, base: &str) -> Self {
        let money = |amount| statement.currency.format(amount);
        Self {
            period: format!(
                "{} to {}",
                day(statement.range.from),
                day(statement.range.to)
            ),
            opening: money(statement.opening_balance),
            charges: money(statement.charges),
            payments: money(-statement.payments),
            credits: money(-statement.credits),
            closing: money(statement.closing_balance),
            unapplied: (statement.unapplied_credit > Decimal::ZERO)
                .then(|| money(statement.unapplied_credit)),
            entries: statement
                .lines
                .iter()
                .map(|line| {
                    let entry = &line.entry;
                    let link = match entry.kind {
                        EntryKind::Charge => entry
                            .invoice
                            .map(|id| format!("{base}/billing/invoices/{id}")),
                        EntryKind::Payment | EntryKind::Credit => entry
                            .payment
                            .map(|id| format!("{base}/billing/payments/{id}")),
                    };
                    EntryRow {
                        date: day(entry.date),
                        kind: pdf::entry_label(entry.kind),
                        reference: entry.reference.clone(),
                        link,
                        amount: money(entry.signed()),
                        balance: money(line.balance),
                    }
                })
                .collect(),
            aging: pdf::aging_buckets(statement)
                .into_iter()
                .map(|(label, amount)| (label, money(amount)))
                .collect(),
        }
    }
}

/// `/billing/statement?from=&to=`.
pub async fn statement(visit: Visit, Query(query): Query<RangeQuery>) -> Response {
    respond(
        async {
            let layout = visit.layout("Statement", "billing/statement");
            let range = query.range(visit.today());
            let mut page = StatementPage {
                layout,
                section: "statement",
                error: None,
                from: InvoiceFilters::value(&query.from),
                to: InvoiceFilters::value(&query.to),
                pdf_link: None,
                statement: None,
            };
            let built = match range {
                Ok(range) => visit
                    .portal()
                    .billing()
                    .statement(visit.actor(), range)
                    .await
                    .map(|statement| (range, statement)),
                Err(error) => Err(error),
            };
            match built {
                Ok((range, statement)) => {
                    page.from = range.from.to_string();
                    page.to = range.to.to_string();
                    page.pdf_link = Some(format!(
                        "{}/billing/statement.pdf?from={}&to={}",
                        visit.context.base, range.from, range.to
                    ));
                    page.statement = Some(StatementView::of(&statement, &visit.context.base));
                    Ok(render(StatusCode::OK, &page))
                }
                Err(error @ PortalError::InvalidInput { .. }) => {
                    page.error = Some(error.to_string());
                    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
                }
                Err(error) => Err(visit.fail(error)),
            }
        }
        .await,
    )
}

/// `/billing/statement.pdf?from=&to=`.
pub async fn statement_pdf(visit: Visit, Query(query): Query<RangeQuery>) -> Response {
    let range = match query.range(visit.today()) {
        Ok(range) => range,
        Err(error) => return visit.fail(error),
    };
    match visit
        .portal()
        .billing()
        .statement(visit.actor(), range)
        .await
    {
        Ok(statement) => {
            let (business, account) = visit.heading();
            let heading = Heading {
                business: &business,
                account: &account,
            };
            let bytes = pdf::statement(&heading, &statement, visit.paper());
            crate::pdf::download(bytes, &format!("statement-{}-{}", range.from, range.to))
        }
        Err(error) => visit.fail(error),
    }
}
