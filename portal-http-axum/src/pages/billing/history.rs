//! Payment history and receipts.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use portal_i18n::Messages;
use serde::Deserialize;

use askama::Template;
use portal_core::billing::{PaymentDetail, PaymentKind, PaymentStatus};
use portal_core::shared::{Formats, Money, PaymentId};

use crate::pages::{Layout, PageError, render};
use crate::params::{self, Source};

use super::*;

/// A payment or credit as text, with the invoices it paid.
pub struct PaymentRow {
    /// The catalog its labels are worded from.
    t: Messages,
    id: String,
    kind: String,
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
    /// Account credit used with the payment.
    credit_used: Option<String>,
}

impl PaymentRow {
    fn of(t: Messages, detail: &PaymentDetail, formats: &Formats) -> Self {
        let payment = &detail.payment;
        let unapplied = payment.unapplied();
        Self {
            t,
            id: payment.id.to_string(),
            kind: kind_label(t, payment.kind),
            date: formats.dates.day_of(payment.received_at),
            amount: formats.money.format(payment.amount),
            method: crate::messages::payment_method(t, payment.method_label.as_deref()),
            reference: payment.gateway_reference.clone().unwrap_or_default(),
            status: payment.status,
            failure: payment
                .failure
                .as_ref()
                .map(|failure| crate::messages::payment_failure(t, failure)),
            invoices: allocation_rows(&detail.allocations, formats),
            unapplied: unapplied
                .is_positive()
                .then(|| formats.money.format(unapplied)),
            credit: payment.kind == PaymentKind::Credit,
            credit_used: detail
                .credit_used()
                .is_positive()
                .then(|| formats.money.format(detail.credit_used())),
        }
    }

    fn status_label(&self) -> String {
        self.t.msg(match self.status {
            PaymentStatus::Pending => "payment-status-pending",
            PaymentStatus::Succeeded => "payment-status-succeeded",
            PaymentStatus::Failed => "payment-status-failed",
        })
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
    fn title(&self) -> String {
        self.t.msg(match self.status {
            PaymentStatus::Pending => "payment-title-pending",
            PaymentStatus::Failed => "payment-title-failed",
            PaymentStatus::Succeeded if self.credit => "payment-title-credit",
            PaymentStatus::Succeeded => "payment-title-receipt",
        })
    }
}

#[derive(Template)]
#[template(path = "billing/payments.html")]
pub(super) struct PaymentsPage {
    layout: Layout,
    section: &'static str,
    /// The page's payments and credits, and how many on every page.
    list: Listing<PaymentRow>,
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
    let formats = visit.formats();
    let page = PaymentsPage {
        layout: visit.layout(&visit.t().msg("payments-title"), "billing/payments"),
        section: "payments",
        list: Listing::of(
            visit.t(),
            &list,
            |detail| PaymentRow::of(visit.t(), detail, &formats),
            |n| format!("{base}/billing/payments?page={n}"),
        ),
    };
    render(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "billing/receipt.html")]
pub(super) struct ReceiptPage {
    layout: Layout,
    section: &'static str,
    payment: PaymentRow,
    /// The account it was for: "Ada's Bakery (1001)".
    account: String,
    /// What is left to pay on the account now (its current balance).
    balance: String,
}

/// The payment in the path (404 when it is another account's) and what
/// is left to pay on the account now.
async fn receipt_facts(visit: &Visit, id: &str) -> Result<(PaymentDetail, Money), PageError> {
    let id = params::id(id, PaymentId::parse)?;
    let detail = visit.portal().billing().payment(visit.actor(), id).await?;
    let summary = visit
        .portal()
        .billing()
        .account_summary(visit.actor())
        .await?;
    Ok((detail, summary.current_balance))
}

/// `/billing/payments/{id}`: a receipt (also where paying lands).
pub async fn receipt(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let (detail, balance) = receipt_facts(&visit, &id).await?;
    let formats = visit.formats();
    let payment = PaymentRow::of(visit.t(), &detail, &formats);
    let page = ReceiptPage {
        layout: visit.layout(&payment.title(), "billing/payments"),
        section: "payments",
        payment,
        account: pdf::account_heading(&visit.auth),
        balance: formats.money.format(balance),
    };
    render(StatusCode::OK, &page)
}

/// `/billing/payments/{id}/receipt.pdf`: the receipt as a PDF download.
pub async fn receipt_pdf(visit: Visit, Path(id): Path<String>) -> Result<Response, PageError> {
    let (detail, balance) = receipt_facts(&visit, &id).await?;
    let day = detail
        .payment
        .received_at
        .with_timezone(&visit.formats().dates.zone())
        .date_naive();
    let name = format!("receipt-{}", detail.payment.id);
    Ok(visit.document(&name, |heading, paper| {
        pdf::receipt(heading, &detail, day, balance, paper)
    }))
}

// ---- statements ------------------------------------------------------
