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
mod pay;

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use askama::Template;
use portal_core::AuthContext;
use portal_core::billing::{
    AccountSummary, EntryKind, Invoice, InvoiceQuery, InvoiceSort, InvoiceStatusFilter,
    PaymentDetail, PaymentKind, PaymentStatus, Statement,
};
use portal_core::shared::{Currency, InvoiceId, Money, PageRequest, PaymentId};

pub(super) use pay::amount_input;

use super::form::{Form, Input, Refusal};
use super::{Layout, PageError, render};
use crate::AppState;
use crate::context::RequestContext;
use crate::params::{self, InvoiceFilterText, MissingDates, Source};
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

    /// A PDF drawn by `draw` for the tenant's paper, headed with who it is
    /// from and for, as a download named `name`.
    fn document(&self, name: &str, draw: impl FnOnce(&Heading<'_>, Paper) -> Vec<u8>) -> Response {
        let business = &self.context.tenant.settings.display_name;
        let account = format!(
            "{} ({})",
            self.auth.membership.account_name, self.auth.membership.account_number
        );
        let heading = Heading {
            business,
            account: &account,
        };
        let bytes = draw(
            &heading,
            Paper::for_locale(&self.context.tenant.settings.locale),
        );
        pdf::download(bytes, name)
    }
}

/// A day as customers read it.
fn day(date: NaiveDate) -> String {
    date.format("%b %-d, %Y").to_string()
}

/// A moment as a day in the tenant's time zone.
fn day_of(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    day(at.with_timezone(&zone).date_naive())
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
        Self {
            balance: summary.current_balance.format(),
            past_due: summary.past_due.format(),
            has_past_due: summary.past_due.is_positive(),
            credit: summary.credit.format(),
            has_credit: summary.credit.is_positive(),
            processing: summary
                .processing
                .is_positive()
                .then(|| summary.processing.format()),
            unpaid_invoices: summary.unpaid_invoices,
            last_payment: summary
                .last_payment
                .map(|(amount, at)| (amount.format(), day_of(at, zone))),
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
        Self {
            id: invoice.id.to_string(),
            number: invoice.number.clone(),
            issued_on: day(invoice.issued_on),
            due_on: day(invoice.due_on),
            total: invoice.total.format(),
            paid: invoice.amount_paid.format(),
            balance: invoice.balance().format(),
            status: invoice.status.label(),
            is_overdue: invoice.is_overdue(today),
            is_unpaid: invoice.status.is_unpaid() && invoice.payable().is_positive(),
            pending: invoice
                .amount_pending
                .is_positive()
                .then(|| invoice.amount_pending.format()),
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
    let page = SummaryPage {
        layout: visit.layout("Billing", "billing"),
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
    render(StatusCode::OK, &page)
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

impl InvoiceFilters {
    /// What [`params`] reads; pages have no page size.
    fn text(&self) -> InvoiceFilterText<'_> {
        InvoiceFilterText {
            status: self.status.as_deref(),
            number: self.number.as_deref(),
            issued_from: self.issued_from.as_deref(),
            issued_to: self.issued_to.as_deref(),
            min_total: self.min_total.as_deref(),
            max_total: self.max_total.as_deref(),
            sort: self.sort.as_deref(),
            page: self.page.as_deref(),
            per_page: None,
        }
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
    let current = params::given(current.as_deref()).unwrap_or("");
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
    form: Form,
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

/// The invoice filter's inputs, labelled as the form shows them. The core
/// judges the two amounts together ("amount": not below zero, no more
/// decimals than the currency has), so its error is about both.
fn filter_form(refusal: Option<Refusal>) -> Form {
    Form::new(vec![
        Input::new("status", "Status"),
        Input::new("number", "Invoice number"),
        Input::new("issued_from", "Issued from"),
        Input::new("issued_to", "Issued to"),
        Input::new("min_total", "Amount from").in_group("amount"),
        Input::new("max_total", "Amount to").in_group("amount"),
        Input::new("amount", "Amount"),
        Input::new("sort", "Sort by"),
    ])
    .showing(refusal)
}

/// `/billing/invoices`: filters, sorting and pages from the query string.
pub async fn invoices(
    visit: Visit,
    Query(filters): Query<InvoiceFilters>,
) -> Result<Response, PageError> {
    let listed: Result<_, PageError> = async {
        let query = filters.text().parse(Source::Page)?;
        Ok(visit
            .portal()
            .billing()
            .invoices(visit.actor(), &query)
            .await?)
    }
    .await;
    let mut page = InvoicesPage {
        layout: visit.layout("Invoices", "billing/invoices"),
        section: "invoices",
        form: filter_form(None),
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
        }
        // A filter the customer can fix: shown at its input.
        Err(error) => page.form = filter_form(Some(Refusal::of(error)?)),
    }
    render(page.form.status(), &page)
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
pub async fn invoice(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, InvoiceId::parse)?;
    let detail = visit.portal().billing().invoice(visit.actor(), id).await?;
    let invoice = &detail.invoice;
    let currency = invoice.currency();
    let page = InvoicePage {
        layout: visit.layout(&format!("Invoice {}", invoice.number), "billing/invoices"),
        section: "invoices",
        invoice: InvoiceRow::of(invoice, visit.today()),
        subtotal: invoice.subtotal.format(),
        tax: invoice.tax.format(),
        memo: invoice.memo.clone(),
        lines: detail
            .lines
            .iter()
            .map(|line| LineRow {
                description: line.description.clone(),
                quantity: line.quantity.normalize().to_string(),
                unit_price: currency.format_unit_price(line.unit_price),
                tax_rate: format!("{}%", line.tax_rate.normalize()),
                amount: line.amount(currency).format(),
            })
            .collect(),
        applied: detail
            .applied
            .iter()
            .map(|applied| AppliedRow {
                payment: applied.payment.to_string(),
                kind: kind_label(applied.kind),
                date: day_of(applied.applied_at, visit.zone()),
                amount: applied.amount.format(),
                method: applied.method_label.clone().unwrap_or_default(),
            })
            .collect(),
    };
    render(StatusCode::OK, &page)
}

/// `/billing/invoices/{id}/pdf`: the host's PDF, else one rendered here.
pub async fn invoice_pdf(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    use portal_core::InvoiceDocument;
    let id = params::id(&id, InvoiceId::parse)?;
    Ok(
        match visit
            .portal()
            .billing()
            .invoice_document(visit.actor(), id)
            .await?
        {
            InvoiceDocument::HostPdf(bytes) => pdf::download(bytes, &format!("invoice-{id}")),
            InvoiceDocument::Render(detail) => visit.document(
                &format!("invoice-{}", detail.invoice.number),
                |heading, paper| pdf::invoice(heading, &detail, paper),
            ),
        },
    )
}

// ---- payments --------------------------------------------------------

/// Allocations as the pages list them: invoice id, number and amount.
pub(super) fn allocation_rows(
    allocations: &[portal_core::billing::Allocation],
) -> Vec<(String, String, String)> {
    allocations
        .iter()
        .map(|a| {
            (
                a.invoice.to_string(),
                a.invoice_number.clone(),
                a.amount.format(),
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
        let unapplied = payment.unapplied();
        Self {
            id: payment.id.to_string(),
            kind: kind_label(payment.kind),
            date: day_of(payment.received_at, zone),
            amount: payment.amount.format(),
            method: payment.method_label.clone().unwrap_or_default(),
            reference: payment.gateway_reference.clone().unwrap_or_default(),
            status: payment.status,
            failure: payment.failure_message.clone(),
            invoices: allocation_rows(&detail.allocations),
            unapplied: unapplied.is_positive().then(|| unapplied.format()),
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
pub async fn payments(visit: Visit, Query(query): Query<PageQuery>) -> Result<Response, PageError> {
    let asked = params::page_request(query.page.as_deref(), None, Source::Page)?;
    let list = visit
        .portal()
        .billing()
        .payments(visit.actor(), asked)
        .await?;
    let base = visit.context.base.clone();
    let page = PaymentsPage {
        layout: visit.layout("Payments", "billing/payments"),
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
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "billing/receipt.html")]
struct ReceiptPage {
    layout: Layout,
    section: &'static str,
    payment: PaymentRow,
}

/// `/billing/payments/{id}`: a receipt (also where paying lands).
pub async fn receipt(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = params::id(&id, PaymentId::parse)?;
    let detail = visit.portal().billing().payment(visit.actor(), id).await?;
    let payment = PaymentRow::of(&detail, visit.zone());
    let page = ReceiptPage {
        layout: visit.layout(payment.title(), "billing/payments"),
        section: "payments",
        payment,
    };
    render(StatusCode::OK, &page)
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
    fn range(&self, today: NaiveDate) -> Result<portal_core::billing::StatementRange, PageError> {
        let missing = MissingDates::LastMonthTo(today);
        Ok(params::statement_range(
            self.from.as_deref(),
            self.to.as_deref(),
            missing,
        )?)
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
    form: Form,
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
        let money = |amount: Money| amount.format();
        Self {
            period: format!(
                "{} to {}",
                day(statement.range.from),
                day(statement.range.to)
            ),
            opening: money(statement.opening_balance),
            charges: money(statement.charges),
            payments: money(statement.payments.negated()),
            credits: money(statement.credits.negated()),
            closing: money(statement.closing_balance),
            unapplied: statement
                .unapplied_credit
                .is_positive()
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
pub async fn statement(
    visit: Visit,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let built: Result<_, PageError> = async {
        let range = query.range(visit.today())?;
        Ok((
            range,
            visit
                .portal()
                .billing()
                .statement(visit.actor(), range)
                .await?,
        ))
    }
    .await;
    let inputs = || vec![Input::new("from", "From"), Input::new("to", "To")];
    let mut page = StatementPage {
        layout: visit.layout("Statement", "billing/statement"),
        section: "statement",
        form: Form::new(inputs()),
        from: InvoiceFilters::value(&query.from),
        to: InvoiceFilters::value(&query.to),
        pdf_link: None,
        statement: None,
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
        }
        Err(error) => page.form = Form::new(inputs()).showing(Some(Refusal::of(error)?)),
    }
    render(page.form.status(), &page)
}

/// `/billing/statement.pdf?from=&to=`.
pub async fn statement_pdf(
    visit: Visit,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let range = query.range(visit.today())?;
    let statement = visit
        .portal()
        .billing()
        .statement(visit.actor(), range)
        .await?;
    let name = format!("statement-{}-{}", range.from, range.to);
    Ok(visit.document(&name, |heading, paper| {
        pdf::statement(heading, &statement, paper)
    }))
}
