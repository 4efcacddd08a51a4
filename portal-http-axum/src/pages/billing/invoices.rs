//! The invoice list with its filters, one invoice, and its PDF.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use portal_i18n::Messages;
use serde::{Deserialize, Serialize};

use askama::Template;
use portal_core::billing::PaymentKind;
use portal_core::shared::{Formats, InvoiceId};

use crate::pages::form::{Form, Input, Refusal};
use crate::pages::list::list_url;
use crate::pages::{Layout, PageError, render};
use crate::params::{self, InvoiceFilterText, Source};
use crate::pdf::{self};

use super::*;

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

pub(super) fn is_blank(value: &Option<String>) -> bool {
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

    pub(super) fn value(value: &Option<String>) -> String {
        value.clone().unwrap_or_default()
    }

    /// This list's URL at another page.
    fn link(&self, base: &str, page: u32) -> String {
        let mut filters = self.clone();
        filters.page = (page > 1).then(|| page.to_string());
        list_url(base, "billing/invoices", &filters)
    }
}

/// The status filter's choices: core's serde name and the label.
fn status_choices(t: Messages) -> [(&'static str, String); 5] {
    [
        ("", t.msg("filter-any-status")),
        ("unpaid", t.msg("filter-unpaid")),
        ("overdue", t.msg("invoice-overdue")),
        ("paid", t.msg("invoice-status-paid")),
        ("void", t.msg("invoice-status-void")),
    ]
}

/// The sort choices: core's serde name and the label.
fn sort_choices(t: Messages) -> [(&'static str, String); 8] {
    [
        ("issued_desc", t.msg("sort-issued-desc")),
        ("issued_asc", t.msg("sort-issued-asc")),
        ("due_asc", t.msg("sort-due-asc")),
        ("due_desc", t.msg("sort-due-desc")),
        ("total_desc", t.msg("sort-total-desc")),
        ("total_asc", t.msg("sort-total-asc")),
        ("number_asc", t.msg("sort-number-asc")),
        ("number_desc", t.msg("sort-number-desc")),
    ]
}

/// One `<option>`: value, label, selected.
pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

pub(super) fn choices(
    all: impl IntoIterator<Item = (&'static str, String)>,
    current: &Option<String>,
) -> Vec<Choice> {
    let current = params::given(current.as_deref()).unwrap_or("");
    all.into_iter()
        .map(|(value, label)| Choice {
            value,
            label,
            selected: value == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "billing/invoices.html")]
pub(super) struct InvoicesPage {
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
    list: Listing<InvoiceRow>,
    is_filtered: bool,
}

/// The invoice filter's inputs, labelled as the form shows them. The core
/// judges the two amounts together ("amount": not below zero, no more
/// decimals than the currency has), so its error is about both.
pub(super) fn filter_form(t: Messages, refusal: Option<Refusal>) -> Form {
    Form::new(
        t,
        vec![
            Input::new("status", t.msg("field-status")),
            Input::new("number", t.msg("field-number")),
            Input::new("issued_from", t.msg("field-issued-from")),
            Input::new("issued_to", t.msg("field-issued-to")),
            Input::new("min_total", t.msg("field-min-total")).in_group("amount"),
            Input::new("max_total", t.msg("field-max-total")).in_group("amount"),
            Input::new("amount", t.msg("field-amount")),
            Input::new("sort", t.msg("field-sort")),
        ],
    )
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
        layout: visit.layout(&visit.t().msg("billing-nav-invoices"), "billing/invoices"),
        section: "invoices",
        form: filter_form(visit.t(), None),
        notice: None,
        statuses: choices(status_choices(visit.t()), &filters.status),
        sorts: choices(sort_choices(visit.t()), &filters.sort),
        number: InvoiceFilters::value(&filters.number),
        issued_from: InvoiceFilters::value(&filters.issued_from),
        issued_to: InvoiceFilters::value(&filters.issued_to),
        min_total: InvoiceFilters::value(&filters.min_total),
        max_total: InvoiceFilters::value(&filters.max_total),
        list: Listing::empty(),
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
            let formats = visit.formats();
            let base = visit.context.base.clone();
            page.list = Listing::of(
                visit.t(),
                &list.invoices,
                |invoice| InvoiceRow::of(visit.t(), invoice, list.today, &formats),
                |n| filters.link(&base, n),
            );
        }
        // A filter the customer can fix: shown at its input.
        Err(error) => page.form = filter_form(visit.t(), Some(Refusal::of(error)?)),
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
    kind: String,
    date: String,
    amount: String,
    method: String,
}

pub(super) fn kind_label(t: Messages, kind: PaymentKind) -> String {
    t.msg(match kind {
        PaymentKind::Payment => "payment-kind-payment",
        PaymentKind::Credit => "payment-kind-credit",
    })
}

#[derive(Template)]
#[template(path = "billing/invoice.html")]
pub(super) struct InvoicePage {
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
    let formats = visit.formats();
    let page = InvoicePage {
        layout: visit.layout(
            &visit
                .t()
                .msg_with("invoice-title", visit.t().arg("number", &invoice.number)),
            "billing/invoices",
        ),
        section: "invoices",
        invoice: InvoiceRow::of(visit.t(), invoice, visit.today(), &formats),
        subtotal: formats.money.format(invoice.subtotal),
        tax: formats.money.format(invoice.tax),
        memo: invoice.memo.clone(),
        lines: detail
            .lines
            .iter()
            .map(|line| LineRow {
                description: line.description.clone(),
                quantity: line.quantity.normalize().to_string(),
                unit_price: formats.money.format_unit_price(line.unit_price, currency),
                tax_rate: format!("{}%", line.tax_rate.normalize()),
                amount: formats.money.format(line.amount(currency)),
            })
            .collect(),
        applied: detail
            .applied
            .iter()
            .map(|applied| AppliedRow {
                payment: applied.payment.to_string(),
                kind: kind_label(visit.t(), applied.kind),
                date: formats.dates.day_of(applied.applied_at),
                amount: formats.money.format(applied.amount),
                method: crate::messages::payment_method(visit.t(), applied.method_label.as_deref()),
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
    formats: &Formats,
) -> Vec<(String, String, String)> {
    allocations
        .iter()
        .map(|a| {
            (
                a.invoice.to_string(),
                a.invoice_number.clone(),
                formats.money.format(a.amount),
            )
        })
        .collect()
}
